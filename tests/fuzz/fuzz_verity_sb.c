// fuzz-max-len: 512
/* The veritysetup superblock: verity_sb_parse on one 512-byte block (the
 * input, zero-padded or truncated), then verity_params_apply with a root
 * hash of the right length for the algorithm it names, and the arithmetic
 * the table is built from. */
#include "fuzz.h"
#include "veritycfg.h"

#include <string.h>

#define ERRLEN 200

static int pow2_in(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* dm-verity's tree size, every step checked for wraparound: levels of
 * ceil(n / fanout) blocks until one block is left. */
static uint64_t tree_blocks(uint64_t data_blocks, uint32_t hash_block_size, size_t ds)
{
    uint64_t fanout = 1;
    while (fanout * 2 <= hash_block_size / ds)
        fanout *= 2;
    FUZZ_ASSERT(fanout >= 2, "fewer than two digests (%zu bytes) fit a %u-byte hash block", ds,
                hash_block_size);
    uint64_t total = 0, n = data_blocks;
    do {
        n = n / fanout + (n % fanout != 0);
        FUZZ_ASSERT(!__builtin_add_overflow(total, n, &total), "tree size overflows");
    } while (n > 1);
    return total;
}

static void check_err(const char *err, const char *what)
{
    FUZZ_ASSERT(fuzz_terminated(err, ERRLEN) && err[0], "%s: err is not a sentence", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    uint8_t *sb = malloc(VERITY_SB_SIZE);
    if (!sb)
        return 0;
    memset(sb, 0, VERITY_SB_SIZE);
    memcpy(sb, data, size < VERITY_SB_SIZE ? size : VERITY_SB_SIZE);

    struct verity_params p;
    char err[ERRLEN];
    err[0] = '\0';
    int r = verity_sb_parse(sb, &p, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1, "verity_sb_parse returned %d", r);
    if (r < 0) {
        check_err(err, "verity_sb_parse");
        free(sb);
        return 0;
    }

    FUZZ_ASSERT(p.version == 1 && p.hash_type <= 1, "version %u hash type %u accepted",
                p.version, p.hash_type);
    FUZZ_ASSERT(fuzz_terminated(p.algorithm, sizeof p.algorithm),
                "algorithm is not NUL-terminated");
    size_t ds = verity_digest_size(p.algorithm);
    FUZZ_ASSERT(ds > 0 && ds <= VERITY_MAX_DIGEST, "algorithm '%s' accepted, digest size %zu",
                p.algorithm, ds);
    FUZZ_ASSERT(p.salt_size <= VERITY_MAX_SALT, "salt size %u accepted", p.salt_size);
    FUZZ_ASSERT(!memcmp(p.salt, sb + 88, p.salt_size), "salt is not the superblock's");

    struct verity_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.enabled = 1;
    cfg.superblock = 1;
    cfg.format = 1;
    for (size_t i = 0; i < 2 * ds; i++)
        cfg.roothash[i] = "0123456789abcdef"[(i * 7 + sb[511]) % 16];
    cfg.roothash[2 * ds] = '\0';

    err[0] = '\0';
    r = verity_params_apply(&cfg, &p, 1, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1, "verity_params_apply returned %d", r);
    if (r < 0) {
        check_err(err, "verity_params_apply");
        free(sb);
        return 0;
    }

    FUZZ_ASSERT(verity_digest_size(p.algorithm) == ds, "algorithm changed to '%s'",
                p.algorithm);
    FUZZ_ASSERT(p.salt_size <= VERITY_MAX_SALT, "salt size %u after apply", p.salt_size);
    FUZZ_ASSERT(pow2_in(p.data_block_size, 512, 4096) && pow2_in(p.hash_block_size, 512, 4096),
                "block sizes %u/%u accepted", p.data_block_size, p.hash_block_size);
    FUZZ_ASSERT(p.data_blocks > 0, "zero data blocks accepted");

    uint64_t want_tree = tree_blocks(p.data_blocks, p.hash_block_size, ds);
    uint64_t tree = verity_tree_blocks(&p);
    FUZZ_ASSERT(tree >= 1 && tree == want_tree,
                "verity_tree_blocks %llu, want %llu (%llu blocks, %u-byte hash blocks, %s)",
                (unsigned long long)tree, (unsigned long long)want_tree,
                (unsigned long long)p.data_blocks, p.hash_block_size, p.algorithm);

    uint64_t bytes;
    FUZZ_ASSERT(!__builtin_mul_overflow(p.data_blocks, (uint64_t)p.data_block_size, &bytes),
                "%llu blocks of %u bytes overflow 64 bits",
                (unsigned long long)p.data_blocks, p.data_block_size);
    FUZZ_ASSERT(verity_sectors(&p) == bytes / 512, "verity_sectors %llu, want %llu",
                (unsigned long long)verity_sectors(&p), (unsigned long long)(bytes / 512));

    /* where the tree starts, after the superblock: also no wraparound */
    uint64_t start = verity_hash_start(&cfg, &p);
    FUZZ_ASSERT(start == (VERITY_SB_SIZE + p.hash_block_size - 1) / p.hash_block_size,
                "hash start %llu with a %u-byte hash block", (unsigned long long)start,
                p.hash_block_size);
    free(sb);
    return 0;
}
