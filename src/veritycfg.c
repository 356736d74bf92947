/* dm-verity configuration, superblock and table. The root hash is the
 * trust anchor and only ever comes from the command line; everything read
 * from disk is validated before it reaches the kernel. */
#include "veritycfg.h"
#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static const struct {
    const char *name;
    size_t size;
} algs[] = {
    {"sha1", 20},        {"sha224", 28},      {"sha256", 32},      {"sha384", 48},
    {"sha512", 64},      {"sha3-256", 32},    {"sha3-512", 64},    {"blake2b-256", 32},
    {"blake2b-512", 64}, {"blake2s-256", 32}, {"sm3", 32},
};

size_t verity_digest_size(const char *alg)
{
    for (size_t i = 0; i < sizeof algs / sizeof *algs; i++)
        if (!strcmp(algs[i].name, alg))
            return algs[i].size;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int is_hex(const char *s, size_t *len)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n]))
            return 0;
    *len = n;
    return 1;
}

static int set_roothash(struct verity_cfg *cfg, const char *v, char *err, size_t errlen)
{
    size_t n;
    if (!v || !is_hex(v, &n) || n == 0 || n % 2 || n > 2 * VERITY_MAX_DIGEST)
        return ERR("root hash '%s' is not an even-length hex string of at most %d digits",
                   v ? v : "", 2 * VERITY_MAX_DIGEST);
    for (size_t i = 0; i <= n; i++)
        cfg->roothash[i] = (char)tolower((unsigned char)v[i]);
    return 0;
}

static int pow2_in(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* One option, as in systemd.verity_root_options= (and verity=). */
static int option(struct verity_cfg *cfg, char *opt, int hatch_form, char *err, size_t errlen)
{
    char *v = strchr(opt, '=');
    if (v)
        *v++ = '\0';
    uint64_t n;

#define FLAG(name, field)                                                                 \
    if (!strcmp(opt, name)) {                                                            \
        if (v)                                                                           \
            return ERR("verity option %s takes no value", name);                        \
        cfg->field = 1;                                                                  \
        return 0;                                                                        \
    }
    FLAG("ignore-corruption", ignore_corruption)
    FLAG("restart-on-corruption", restart_on_corruption)
    FLAG("panic-on-corruption", panic_on_corruption)
    FLAG("ignore-zero-blocks", ignore_zero_blocks)
    FLAG("check-at-most-once", check_at_most_once)
#undef FLAG

    if (!v || !*v)
        return ERR("verity option '%s' is unknown or needs a value", opt);

    if (hatch_form && !strcmp(opt, "data"))
        cfg->data = v;
    else if (hatch_form && !strcmp(opt, "hashdev"))
        cfg->hash = v;
    else if (hatch_form && !strcmp(opt, "roothash"))
        return set_roothash(cfg, v, err, errlen);
    else if (!strcmp(opt, "superblock")) {
        if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
            cfg->superblock = 1;
        else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
            cfg->superblock = 0;
        else
            return ERR("verity option superblock=%s: expected yes or no", v);
    } else if (!strcmp(opt, "hash-offset")) {
        if (parse_u64(v, &cfg->hash_offset) || cfg->hash_offset % 512)
            return ERR("verity option hash-offset=%s: expected bytes, a multiple of 512", v);
    } else if (!strcmp(opt, "data-block-size") || !strcmp(opt, "hash-block-size")) {
        if (parse_u64(v, &n) || !pow2_in(n, 512, 1 << 20))
            return ERR("verity option %s=%s: expected a power of two from 512", opt, v);
        if (opt[0] == 'd')
            cfg->data_block_size = (uint32_t)n;
        else
            cfg->hash_block_size = (uint32_t)n;
    } else if (!strcmp(opt, "data-blocks")) {
        if (parse_u64(v, &cfg->data_blocks) || !cfg->data_blocks)
            return ERR("verity option data-blocks=%s: expected a positive number", v);
    } else if (!strcmp(opt, "hash")) {
        if (!verity_digest_size(v))
            return ERR("verity option hash=%s: unsupported hash algorithm", v);
        snprintf(cfg->algorithm, sizeof cfg->algorithm, "%s", v);
    } else if (!strcmp(opt, "salt")) {
        size_t l;
        if (!strcmp(v, "-"))
            v = "";
        if (!is_hex(v, &l) || l % 2 || l > 2 * VERITY_MAX_SALT)
            return ERR("verity option salt=: expected hex of at most %d bytes, or -",
                       VERITY_MAX_SALT);
        snprintf(cfg->salt_hex, sizeof cfg->salt_hex, "%s", v);
        cfg->salt_set = 1;
    } else if (!strcmp(opt, "format")) {
        if (strcmp(v, "0") && strcmp(v, "1"))
            return ERR("verity option format=%s: expected 0 or 1", v);
        cfg->format = v[0] - '0';
    } else if (!strcmp(opt, "fec-device")) {
        cfg->fec_device = v;
    } else if (!strcmp(opt, "fec-offset")) {
        if (parse_u64(v, &cfg->fec_offset) || cfg->fec_offset % 512)
            return ERR("verity option fec-offset=%s: expected bytes, a multiple of 512", v);
    } else if (!strcmp(opt, "fec-roots")) {
        if (parse_u64(v, &n) || n < 2 || n > 24)
            return ERR("verity option fec-roots=%s: expected 2 to 24", v);
        cfg->fec_roots = (unsigned)n;
    } else if (!strcmp(opt, "root-hash-signature")) {
        /* systemd's forms; checked here so that a damaged signature stops
         * the boot before anything is loaded, never drops the check */
        if (!strncmp(v, "base64:", 7)) {
            if (verity_base64_decode(v + 7, NULL, VERITY_SIG_MAX) <= 0)
                return ERR("verity option root-hash-signature=base64:...: not base64, empty, "
                           "or over %d bytes", VERITY_SIG_MAX);
        } else if (v[0] != '/') {
            return ERR("verity option root-hash-signature=%.40s: expected base64:DATA or an "
                       "absolute path", v);
        }
        cfg->sig = v;
    } else if (!strcmp(opt, "uuid")) {
        return ERR("verity option %s= is not supported by hatch", opt);
    } else {
        return ERR("verity option '%s' is unknown", opt);
    }
    return 0;
}

static int b64val(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

long verity_base64_decode(const char *in, uint8_t *out, size_t max)
{
    size_t len = strlen(in), pad = 0, n = 0;
    while (pad < len && pad < 2 && in[len - 1 - pad] == '=')
        pad++;
    len -= pad;
    /* a lone sixth bit group cannot end a byte; padding only fills a quad */
    if (len % 4 == 1 || (pad && (len + pad) % 4))
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64val(in[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= max)
                return -1;
            if (out)
                out[n] = (uint8_t)(acc >> bits);
            n++;
        }
    }
    return (long)n;
}

/* A copy of s[0..len) in cfg's own buffer, or NULL when it is full. */
static char *stash(struct verity_cfg *cfg, const char *s, size_t len)
{
    if (len + 1 > sizeof cfg->buf - cfg->used)
        return NULL;
    char *d = cfg->buf + cfg->used;
    memcpy(d, s, len);
    d[len] = '\0';
    cfg->used += len + 1;
    return d;
}

static int options(struct verity_cfg *cfg, const char *list, int hatch_form, char *err,
                   size_t errlen)
{
    char *s = stash(cfg, list, strlen(list));
    if (!s)
        return ERR("verity options are longer than %zu bytes", sizeof cfg->buf - 1);
    for (char *tok; (tok = strsep(&s, ","));)
        if (*tok && option(cfg, tok, hatch_form, err, errlen) < 0)
            return -1;
    return 0;
}

/* The Discoverable Partitions convention systemd follows: with only
 * roothash= given, the data partition's PARTUUID is the first 128 bits of
 * the root hash and the hash partition's the last 128 (or, failing those,
 * the partitions of the root and root-verity types: see cfg->derived). */
static const char *uuid_from_hex(struct verity_cfg *cfg, const char *hex)
{
    char u[64];
    int n = snprintf(u, sizeof u, "PARTUUID=%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
                     hex + 16, hex + 20);
    return stash(cfg, u, (size_t)n);
}

/* One mapping's options as the command line spells them. */
struct spelling {
    const char *name;     /* the mapping: root or usr */
    const char *hash_key; /* roothash or usrhash */
    const char *verity;   /* hatch's verity= (root only) */
    const char *what;     /* in messages: "" for the root, " for /usr" */
    const char *alt;      /* the other spelling, in messages */
    const char *hash, *data, *hashdev, *options, *empty;
};

static int parse(const struct spelling *s, const char *pinned, struct verity_cfg *cfg, char *err,
                 size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->name = s->name;
    cfg->hash_key = s->hash_key;
    cfg->superblock = 1;
    cfg->format = 1;

    if (!s->verity && !s->hash && !s->data && !s->hashdev && !s->options && !s->empty &&
        !pinned)
        return 0;
    cfg->enabled = 1;

    if (s->empty)
        return ERR("%s= is empty; verity stays on and the boot stops (an empty value never "
                   "turns verity off): give it a value or remove it", s->empty);

    if (s->verity && (s->data || s->hashdev))
        return ERR("verity= and systemd.verity_root_data=/_hash= both given; use one form");
    if (s->verity && options(cfg, s->verity, 1, err, errlen) < 0)
        return -1;
    if (s->hash) {
        if (cfg->roothash[0] && strcasecmp(cfg->roothash, s->hash))
            return ERR("verity=...,roothash= and roothash= disagree; give the root hash once");
        if (set_roothash(cfg, s->hash, err, errlen) < 0)
            return -1;
    }
    if (s->data)
        cfg->data = s->data;
    if (s->hashdev)
        cfg->hash = s->hashdev;
    if (s->options && options(cfg, s->options, 0, err, errlen) < 0)
        return -1;
    if (pinned) {
        if (cfg->roothash[0] && strcasecmp(cfg->roothash, pinned))
            return ERR("the root hash on the command line (%.16s...) is not the one this image "
                       "is locked to (%.16s...); remove roothash= or rebuild the image",
                       cfg->roothash, pinned);
        if (set_roothash(cfg, pinned, err, errlen) < 0)
            return -1;
    }

    if (!cfg->roothash[0])
        return ERR("verity is asked for%s but no %s hash is given; add %s=<hex> (it "
                   "comes from 'veritysetup format' or the image's build)", s->what, s->name,
                   s->hash_key);
    if (!cfg->data && !cfg->hash) {
        if (strlen(cfg->roothash) < 64)
            return ERR("no verity data device given%s; add systemd.verity_%s_data= and "
                       "systemd.verity_%s_hash=%s", s->what, s->name, s->name, s->alt);
        cfg->data = uuid_from_hex(cfg, cfg->roothash);
        cfg->hash = uuid_from_hex(cfg, cfg->roothash + strlen(cfg->roothash) - 32);
        cfg->derived = 1;
        if (!cfg->data || !cfg->hash)
            return ERR("verity options are longer than %zu bytes", sizeof cfg->buf - 1);
    }
    if (!cfg->data)
        return ERR("a verity hash device is given%s but no data device; add "
                   "systemd.verity_%s_data=%s", s->what, s->name, s->alt);
    if (!cfg->superblock && (!cfg->data_block_size || !cfg->hash_block_size ||
                             !cfg->data_blocks || !cfg->algorithm[0] || !cfg->salt_set))
        return ERR("verity superblock=no needs data-block-size=, hash-block-size=, "
                   "data-blocks=, hash= and salt= (use - for none)");
    if (!cfg->fec_device && (cfg->fec_offset || cfg->fec_roots))
        return ERR("verity fec-offset= or fec-roots= given without fec-device=");
    if (cfg->fec_device && !cfg->fec_roots)
        cfg->fec_roots = 2; /* veritysetup's default */
    if (cfg->restart_on_corruption + cfg->panic_on_corruption + cfg->ignore_corruption > 1)
        return ERR("choose one of ignore-corruption, restart-on-corruption, "
                   "panic-on-corruption");
    return 0;
}

int verity_cfg_parse(const struct cmdline *c, const char *pinned, struct verity_cfg *cfg,
                     char *err, size_t errlen)
{
    const struct spelling s = {"root", "roothash", c->verity, "", " (or verity=data=...)",
                               c->roothash, c->verity_data, c->verity_hash, c->verity_options,
                               c->verity_empty};
    return parse(&s, pinned, cfg, err, errlen);
}

int verity_usr_cfg_parse(const struct cmdline *c, struct verity_cfg *cfg, char *err,
                         size_t errlen)
{
    const struct spelling s = {"usr", "usrhash", NULL, " for /usr", "", c->usrhash,
                               c->verity_usr_data, c->verity_usr_hash, c->verity_usr_options,
                               c->verity_usr_empty};
    return parse(&s, NULL, cfg, err, errlen);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The on-disk layout cryptsetup writes (lib/verity: struct verity_sb):
 * signature[8] version:u32 hash_type:u32 uuid[16] algorithm[32]
 * data_block_size:u32 hash_block_size:u32 data_blocks:u64 salt_size:u16
 * pad[6] salt[256] pad[168], little-endian. */
int verity_sb_parse(const uint8_t sb[VERITY_SB_SIZE], struct verity_params *p, char *err,
                    size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (memcmp(sb, "verity\0\0", 8))
        return ERR("no verity superblock (bad magic); is the hash device or hash-offset= "
                   "right?");
    p->version = le32(sb + 8);
    if (p->version != 1)
        return ERR("verity superblock version %" PRIu32 " is not supported (only 1)",
                   p->version);
    p->hash_type = le32(sb + 12);
    if (p->hash_type > 1)
        return ERR("verity superblock hash type %" PRIu32 " is unknown", p->hash_type);
    memcpy(p->uuid, sb + 16, 16);
    const uint8_t *alg = sb + 32;
    if (!memchr(alg, '\0', 32))
        return ERR("verity superblock algorithm name is not terminated");
    for (size_t i = 0; i < 32 && alg[i]; i++)
        p->algorithm[i] = (char)tolower(alg[i]);
    if (!verity_digest_size(p->algorithm))
        return ERR("verity superblock names hash algorithm '%.31s', which hatch does not "
                   "support", p->algorithm);
    p->data_block_size = le32(sb + 64);
    p->hash_block_size = le32(sb + 68);
    p->data_blocks = le64(sb + 72);
    p->salt_size = (uint16_t)(sb[80] | sb[81] << 8);
    if (p->salt_size > VERITY_MAX_SALT)
        return ERR("verity superblock salt size %u is over %d", p->salt_size, VERITY_MAX_SALT);
    memcpy(p->salt, sb + 88, p->salt_size);
    return 0;
}

static int unhex(const char *s, uint8_t *out, size_t max)
{
    size_t n = strlen(s) / 2;
    if (n > max)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char b[3] = {s[2 * i], s[2 * i + 1], 0};
        out[i] = (uint8_t)strtoul(b, NULL, 16);
    }
    return (int)n;
}

int verity_params_apply(const struct verity_cfg *cfg, struct verity_params *p, int have_sb,
                        char *err, size_t errlen)
{
    if (!have_sb) {
        memset(p, 0, sizeof *p);
        p->version = 1;
        p->hash_type = (uint32_t)cfg->format;
    }
    if (cfg->data_block_size)
        p->data_block_size = cfg->data_block_size;
    if (cfg->hash_block_size)
        p->hash_block_size = cfg->hash_block_size;
    if (cfg->data_blocks)
        p->data_blocks = cfg->data_blocks;
    if (cfg->algorithm[0])
        snprintf(p->algorithm, sizeof p->algorithm, "%s", cfg->algorithm);
    if (cfg->salt_set)
        p->salt_size = (uint16_t)unhex(cfg->salt_hex, p->salt, sizeof p->salt);

    /* dm-verity takes blocks from 512 bytes to a page */
    if (!pow2_in(p->data_block_size, 512, 4096) || !pow2_in(p->hash_block_size, 512, 4096))
        return ERR("verity block sizes %" PRIu32 "/%" PRIu32
                   " are not powers of two from 512 to 4096",
                   p->data_block_size, p->hash_block_size);
    if (!p->data_blocks || p->data_blocks > (UINT64_MAX / 8) / p->data_block_size)
        return ERR("verity data block count %" PRIu64 " is not valid", p->data_blocks);
    size_t ds = verity_digest_size(p->algorithm);
    if (!ds)
        return ERR("verity hash algorithm '%s' is not supported", p->algorithm);
    if (strlen(cfg->roothash) != 2 * ds)
        return ERR("the root hash has %zu hex digits but %s needs %zu; is roothash= complete?",
                   strlen(cfg->roothash), p->algorithm, 2 * ds);
    if (ds > p->hash_block_size / 2)
        return ERR("verity hash block size %" PRIu32 " is too small for %s",
                   p->hash_block_size, p->algorithm);
    if (cfg->fec_device && p->data_block_size != p->hash_block_size)
        return ERR("verity FEC needs equal data and hash block sizes (%" PRIu32 "/%" PRIu32 ")",
                   p->data_block_size, p->hash_block_size);
    if (cfg->fec_device && cfg->fec_offset % p->data_block_size)
        return ERR("verity fec-offset %" PRIu64 " is not a multiple of the block size %" PRIu32,
                   cfg->fec_offset, p->data_block_size);
    if (cfg->hash_offset % p->hash_block_size)
        return ERR("verity hash-offset %" PRIu64 " is not a multiple of the hash block size "
                   "%" PRIu32, cfg->hash_offset, p->hash_block_size);
    return 0;
}

uint64_t verity_tree_blocks(const struct verity_params *p)
{
    /* dm-verity: each hash block holds 2^bits digests, bits = floor(log2(
     * hash_block_size / digest_size)); levels shrink until one block. */
    size_t ds = verity_digest_size(p->algorithm);
    unsigned bits = 0;
    while ((2u << bits) <= p->hash_block_size / ds)
        bits++;
    uint64_t total = 0, n = p->data_blocks;
    do {
        n = (n + (1ull << bits) - 1) >> bits;
        total += n;
    } while (n > 1);
    return total;
}

uint64_t verity_hash_start(const struct verity_cfg *cfg, const struct verity_params *p)
{
    uint64_t start = cfg->hash_offset / p->hash_block_size;
    if (cfg->superblock) /* the 512-byte superblock takes a whole hash block */
        start += (VERITY_SB_SIZE + p->hash_block_size - 1) / p->hash_block_size;
    return start;
}

int verity_check_sizes(const struct verity_cfg *cfg, const struct verity_params *p,
                       uint64_t data_size, uint64_t hash_size, int same_device, char *err,
                       size_t errlen)
{
    /* verity_params_apply bounded data_blocks * data_block_size */
    uint64_t need_data = p->data_blocks * p->data_block_size;
    if (data_size < need_data)
        return ERR("data device has %" PRIu64 " bytes but the hash tree covers %" PRIu64
                   "; wrong device or a truncated image", data_size, need_data);
    uint64_t start = verity_hash_start(cfg, p), tree = verity_tree_blocks(p);
    uint64_t hbs = p->hash_block_size;
    if (start > UINT64_MAX / hbs - tree || (start + tree) * hbs > hash_size)
        return ERR("hash device has %" PRIu64 " bytes but its hash tree needs %" PRIu64
                   " blocks of %" PRIu64 " from block %" PRIu64 "; the hash device is "
                   "truncated or hash-offset= is wrong", hash_size, tree, hbs, start);
    if (same_device && cfg->hash_offset < need_data)
        return ERR("hash-offset=%" PRIu64 " lies inside the %" PRIu64 " bytes of verified "
                   "data on the same device", cfg->hash_offset, need_data);
    return 0;
}

uint64_t verity_sectors(const struct verity_params *p)
{
    return p->data_blocks * (p->data_block_size / 512);
}

uint64_t verity_fec_blocks(const struct verity_cfg *cfg, const struct verity_params *p,
                           uint64_t hash_dev_size, int fec_on_hash_dev)
{
    uint64_t end = fec_on_hash_dev ? cfg->fec_offset : hash_dev_size;
    uint64_t blocks = end / p->data_block_size;
    uint64_t first = verity_hash_start(cfg, p); /* the superblock is not covered */
    if (blocks)
        blocks = blocks > first ? blocks - first : 0;
    return blocks + p->data_blocks;
}

int verity_table(const struct verity_cfg *cfg, const struct verity_params *p,
                 const char *data_dev, const char *hash_dev, const struct verity_fec *fec,
                 enum verity_table_kind kind, char *buf, size_t len)
{
    char salt[2 * VERITY_MAX_SALT + 1] = "-";
    for (size_t i = 0; i < p->salt_size; i++)
        snprintf(salt + 2 * i, 3, "%02x", p->salt[i]);

    const char *opt[10];
    int n = 0;
    /* Both tables: the kernel checks the signature when each is loaded, so
     * the proof never runs on a root hash the signature did not vouch for. */
    if (cfg->sig) {
        opt[n++] = "root_hash_sig_key_desc";
        opt[n++] = VERITY_SIG_KEY_DESC;
    }
    /* The proof carries nothing that could let a wrong root hash read
     * block 0 or stop the machine before the mismatch is reported. */
    if (kind == VERITY_TABLE_FINAL) {
        if (cfg->ignore_corruption)
            opt[n++] = "ignore_corruption";
        if (cfg->restart_on_corruption)
            opt[n++] = "restart_on_corruption";
        if (cfg->panic_on_corruption)
            opt[n++] = "panic_on_corruption";
        if (cfg->ignore_zero_blocks)
            opt[n++] = "ignore_zero_blocks";
        if (cfg->check_at_most_once)
            opt[n++] = "check_at_most_once";
    }

    int w = snprintf(buf, len, "%" PRIu32 " %s %s %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64
                     " %s %s %s",
                     p->hash_type, data_dev, hash_dev, p->data_block_size, p->hash_block_size,
                     p->data_blocks, verity_hash_start(cfg, p), p->algorithm, cfg->roothash,
                     salt);
    if (w < 0 || (size_t)w >= len)
        return -1;
    if (n || fec) {
        w += snprintf(buf + w, len - (size_t)w, " %d", n + (fec ? 8 : 0));
        for (int i = 0; i < n && (size_t)w < len; i++)
            w += snprintf(buf + w, len - (size_t)w, " %s", opt[i]);
        if (fec && (size_t)w < len)
            w += snprintf(buf + w, len - (size_t)w,
                          " use_fec_from_device %s fec_roots %u fec_blocks %" PRIu64
                          " fec_start %" PRIu64,
                          fec->dev, fec->roots, fec->blocks, fec->start);
    }
    return (size_t)w < len ? 0 : -1;
}
