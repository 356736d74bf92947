#include "cmdline.h"
#include "unit.h"
#include "veritycfg.h"

#include <stdint.h>
#include <stdlib.h>

/* Fixtures come from stock veritysetup (tests/unit/mkfixtures.sh). */
static const char *fixdir(void)
{
    const char *d = getenv("HATCH_FIXTURES");
    return d ? d : "build/test/fixtures";
}

static int read_fixture(const char *name, long off, void *buf, size_t len, long *size)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", fixdir(), name);
    FILE *f = fopen(p, "rb");
    if (!f) {
        unit_fail(__FILE__, __LINE__, p);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    if (size)
        *size = ftell(f);
    fseek(f, off, SEEK_SET);
    size_t r = len ? fread(buf, 1, len, f) : 0;
    fclose(f);
    return r == len ? 0 : -1;
}

static void read_hash(const char *name, char *out)
{
    out[0] = '\0';
    read_fixture(name, 0, out, 0, NULL);
    char p[512];
    snprintf(p, sizeof p, "%s/%s", fixdir(), name);
    FILE *f = fopen(p, "r");
    if (f) {
        if (!fgets(out, 200, f))
            out[0] = '\0';
        out[strcspn(out, "\n")] = '\0';
        fclose(f);
    }
}

/* Parse a fixture's superblock and the command line around it. */
static int load(const char *fixture, const char *line, long off, struct verity_cfg *cfg,
                struct verity_params *p, long *size, char *err)
{
    struct cmdline c;
    uint8_t sb[VERITY_SB_SIZE];
    cmdline_parse(&c, line);
    if (verity_cfg_parse(&c, NULL, cfg, err, 256) < 0)
        return -1;
    if (read_fixture(fixture, off, sb, sizeof sb, size) < 0)
        return -1;
    if (verity_sb_parse(sb, p, err, 256) < 0)
        return -1;
    return verity_params_apply(cfg, p, 1, err, 256);
}

TEST(verity_sb_sha256_from_veritysetup)
{
    struct verity_cfg cfg;
    struct verity_params p;
    char err[256] = "", rh[200], line[400], table[1024];
    long size;
    read_hash("sha256.roothash", rh);
    snprintf(line, sizeof line, "roothash=%s systemd.verity_root_data=/dev/vda1 "
                                "systemd.verity_root_hash=/dev/vda2", rh);
    CHECK(load("sha256.hash", line, 0, &cfg, &p, &size, err) == 0);
    CHECK_STR(err, "");
    CHECK_STR(p.algorithm, "sha256");
    CHECK(p.data_block_size == 4096 && p.hash_block_size == 4096);
    CHECK(p.data_blocks == 256);
    CHECK(p.salt_size == 8 && p.salt[0] == 0x00 && p.salt[7] == 0x77);
    CHECK(p.hash_type == 1);
    /* veritysetup's hash file is exactly superblock block + tree */
    CHECK((verity_hash_start(&cfg, &p) + verity_tree_blocks(&p)) * p.hash_block_size ==
          (uint64_t)size);
    CHECK(verity_sectors(&p) == 2048);
    CHECK(verity_table(&cfg, &p, "254:1", "254:2", NULL, VERITY_TABLE_FINAL, table, sizeof table) == 0);
    char want[600];
    snprintf(want, sizeof want, "1 254:1 254:2 4096 4096 256 1 sha256 %s 0011223344556677",
             rh);
    CHECK_STR(table, want);
}

TEST(verity_sb_sha1_small_blocks_no_salt)
{
    struct verity_cfg cfg;
    struct verity_params p;
    char err[256] = "", rh[200], line[400], table[1024];
    long size;
    read_hash("sha1-nosalt.roothash", rh);
    snprintf(line, sizeof line,
             "verity=data=LABEL=d,hashdev=LABEL=h,roothash=%s,check-at-most-once,"
             "restart-on-corruption", rh);
    CHECK(load("sha1-nosalt.hash", line, 0, &cfg, &p, &size, err) == 0);
    CHECK_STR(err, "");
    CHECK_STR(p.algorithm, "sha1");
    CHECK(p.data_block_size == 1024 && p.hash_block_size == 512 && p.data_blocks == 1024);
    CHECK(p.salt_size == 0);
    CHECK(verity_tree_blocks(&p) == 69);
    CHECK((verity_hash_start(&cfg, &p) + verity_tree_blocks(&p)) * 512 == (uint64_t)size);
    CHECK(verity_table(&cfg, &p, "8:1", "8:2", NULL, VERITY_TABLE_FINAL, table, sizeof table) == 0);
    char want[600];
    snprintf(want, sizeof want, "1 8:1 8:2 1024 512 1024 1 sha1 %s - 2 restart_on_corruption "
                                "check_at_most_once", rh);
    CHECK_STR(table, want);
    CHECK_STR(cfg.data, "LABEL=d");
    CHECK_STR(cfg.hash, "LABEL=h");
}

TEST(verity_sb_sha512_partial_data)
{
    struct verity_cfg cfg;
    struct verity_params p;
    char err[256] = "", rh[200], line[400];
    long size;
    read_hash("sha512.roothash", rh);
    snprintf(line, sizeof line, "roothash=%s systemd.verity_root_data=/dev/a "
                                "systemd.verity_root_hash=/dev/b", rh);
    CHECK(load("sha512.hash", line, 0, &cfg, &p, &size, err) == 0);
    CHECK(p.data_blocks == 100);
    CHECK((verity_hash_start(&cfg, &p) + verity_tree_blocks(&p)) * 4096 == (uint64_t)size);
}

TEST(verity_sb_inline_at_offset)
{
    struct verity_cfg cfg;
    struct verity_params p;
    char err[256] = "", rh[200], line[400], table[1024];
    long size;
    read_hash("inline.roothash", rh);
    snprintf(line, sizeof line, "verity=data=/dev/vda1,hash-offset=1048576,roothash=%s", rh);
    CHECK(load("inline.img", line, 1048576, &cfg, &p, &size, err) == 0);
    CHECK_STR(err, "");
    CHECK(cfg.hash == NULL);
    CHECK(verity_hash_start(&cfg, &p) == 257);
    CHECK(verity_table(&cfg, &p, "254:1", "254:1", NULL, VERITY_TABLE_FINAL, table, sizeof table) == 0);
    char want[600];
    snprintf(want, sizeof want, "1 254:1 254:1 4096 4096 256 257 sha256 %s -", rh);
    CHECK_STR(table, want);
}

static const char *corrupt(int off, uint8_t val, const char *extra)
{
    static char err[256];
    uint8_t sb[VERITY_SB_SIZE];
    struct verity_params p;
    err[0] = '\0';
    if (read_fixture("sha256.hash", 0, sb, sizeof sb, NULL) < 0)
        return "no fixture";
    sb[off] = val;
    if (extra)
        memcpy(sb + 32, extra, strlen(extra) + 1);
    if (verity_sb_parse(sb, &p, err, sizeof err) == 0) {
        struct cmdline c;
        struct verity_cfg cfg;
        cmdline_parse(&c, "roothash=00112233445566778899aabbccddeeff00112233445566778899aabb"
                          "ccddeeff systemd.verity_root_data=/dev/a");
        if (verity_cfg_parse(&c, NULL, &cfg, err, sizeof err) == 0)
            verity_params_apply(&cfg, &p, 1, err, sizeof err);
    }
    return err;
}

TEST(verity_sb_corrupted_copies)
{
    CHECK(strstr(corrupt(0, 'V', NULL), "bad magic"));
    CHECK(strstr(corrupt(8, 2, NULL), "version 2"));
    CHECK(strstr(corrupt(12, 7, NULL), "hash type 7"));
    CHECK(strstr(corrupt(0, 'v', "md5"), "'md5'"));
    CHECK(strstr(corrupt(81, 0x02, NULL), "salt size 520"));   /* 0x0208 > 256 */
    CHECK(strstr(corrupt(65, 0x30, NULL), "block sizes"));      /* data block size junk */
    CHECK(strstr(corrupt(73, 0, NULL), "data block count 0"));  /* 256 = 0x100 -> 0 */
    /* algorithm field without NUL inside its 32 bytes */
    uint8_t sb[VERITY_SB_SIZE];
    struct verity_params p;
    char err[256];
    read_fixture("sha256.hash", 0, sb, sizeof sb, NULL);
    memset(sb + 32, 'a', 32);
    CHECK(verity_sb_parse(sb, &p, err, sizeof err) == -1 && strstr(err, "not terminated"));
}

TEST(verity_cfg_errors)
{
    struct cmdline c;
    struct verity_cfg cfg;
    char err[256];
    static const struct {
        const char *line, *needle;
    } cases[] = {
        {"systemd.verity_root_data=/dev/a", "no root hash"},
        {"roothash=xyz", "hex"},
        {"roothash=abc", "hex"},
        {"roothash=abcd", "no verity data device"},
        {"roothash=abcd systemd.verity_root_hash=/dev/b", "no data device"},
        {"verity=data=/dev/a,roothash=ab,bogus", "unknown"},
        {"verity=data=/dev/a,roothash=ab,hash-offset=7", "multiple of 512"},
        {"verity=data=/dev/a,roothash=ab,hash=md5", "unsupported"},
        {"verity=data=/dev/a,roothash=ab,superblock=no", "superblock=no needs"},
        {"verity=data=/dev/a,roothash=ab,fec-roots=4", "without fec-device"},
        {"verity=data=/dev/a,roothash=ab,ignore-corruption,panic-on-corruption", "one of"},
        {"verity=data=/dev/a,roothash=ab roothash=cd", "disagree"},
        {"verity=data=/dev/a,roothash=ab systemd.verity_root_data=/dev/b", "one form"},
        {"verity=data=/dev/a,roothash=ab,restart-on-corruption=1", "takes no value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cmdline_parse(&c, cases[i].line);
        err[0] = '\0';
        int r = verity_cfg_parse(&c, NULL, &cfg, err, sizeof err);
        if (r != -1 || !strstr(err, cases[i].needle)) {
            char m[600];
            snprintf(m, sizeof m, "case '%s': r=%d err='%s'", cases[i].line, r, err);
            unit_fail(__FILE__, __LINE__, m);
        }
    }
    cmdline_parse(&c, "root=/dev/vda1");
    CHECK(verity_cfg_parse(&c, NULL, &cfg, err, sizeof err) == 0 && !cfg.enabled);
}

TEST(verity_cfg_discoverable_partitions_default)
{
    struct cmdline c;
    struct verity_cfg cfg;
    char err[256];
    cmdline_parse(&c, "roothash=00112233445566778899AABBCCDDEEFF"
                      "ffeeddccbbaa99887766554433221100");
    CHECK(verity_cfg_parse(&c, NULL, &cfg, err, sizeof err) == 0);
    CHECK_STR(cfg.data, "PARTUUID=00112233-4455-6677-8899-aabbccddeeff");
    CHECK_STR(cfg.hash, "PARTUUID=ffeeddcc-bbaa-9988-7766-554433221100");
    CHECK_STR(cfg.roothash, "00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100");
    CHECK(cfg.derived);
    /* a device named on the command line is that device, never "or a type" */
    cmdline_parse(&c, "roothash=00112233445566778899AABBCCDDEEFF"
                      "ffeeddccbbaa99887766554433221100 systemd.verity_root_data=/dev/vda1 "
                      "systemd.verity_root_hash=/dev/vda2");
    CHECK(verity_cfg_parse(&c, NULL, &cfg, err, sizeof err) == 0);
    CHECK(!cfg.derived);
}

TEST(verity_fec_table_and_blocks)
{
    struct cmdline c;
    struct verity_cfg cfg;
    struct verity_params p;
    char err[256], table[1024];
    cmdline_parse(&c, "systemd.verity_root_data=/dev/a systemd.verity_root_hash=/dev/b "
                      "roothash=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff "
                      "systemd.verity_root_options=fec-device=/dev/c,restart-on-corruption");
    CHECK(verity_cfg_parse(&c, NULL, &cfg, err, sizeof err) == 0);
    CHECK(cfg.fec_roots == 2);
    memset(&p, 0, sizeof p);
    p.version = p.hash_type = 1;
    p.data_block_size = p.hash_block_size = 4096;
    p.data_blocks = 6144;
    strcpy(p.algorithm, "sha256");
    CHECK(verity_params_apply(&cfg, &p, 1, err, sizeof err) == 0);
    /* a 1 MiB hash partition: 256 blocks less the superblock's one */
    CHECK(verity_fec_blocks(&cfg, &p, 1 << 20, 0) == 6144 + 255);
    /* parity on the hash device at 512 KiB: only up to there */
    cfg.fec_offset = 512 << 10;
    CHECK(verity_fec_blocks(&cfg, &p, 1 << 20, 1) == 6144 + 127);
    struct verity_fec fec = {.dev = "254:3", .blocks = 6399, .start = 0, .roots = 2};
    CHECK(verity_table(&cfg, &p, "254:1", "254:2", &fec, VERITY_TABLE_FINAL, table, sizeof table) == 0);
    CHECK(strstr(table, " - 9 restart_on_corruption use_fec_from_device 254:3 fec_roots 2 "
                        "fec_blocks 6399 fec_start 0") != NULL);
    /* FEC needs equal block sizes */
    p.hash_block_size = 1024;
    CHECK(verity_params_apply(&cfg, &p, 1, err, sizeof err) == -1 && strstr(err, "equal"));
}

TEST(verity_params_checks)
{
    struct cmdline c;
    struct verity_cfg cfg;
    struct verity_params p;
    char err[256];
    cmdline_parse(&c, "systemd.verity_root_data=/dev/a roothash=abcd "
                      "systemd.verity_root_options=superblock=no,data-block-size=4096,"
                      "hash-block-size=4096,data-blocks=10,hash=sha256,salt=-");
    CHECK(verity_cfg_parse(&c, NULL, &cfg, err, sizeof err) == 0);
    CHECK(verity_params_apply(&cfg, &p, 0, err, sizeof err) == -1);
    CHECK(strstr(err, "4 hex digits but sha256 needs 64") != NULL);
    CHECK(verity_hash_start(&cfg, &p) == 0); /* no superblock: tree from block 0 */
}
