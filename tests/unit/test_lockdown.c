/* The verity fail-closed promises and the lockdown policy: for every way a
 * command line could loosen verification, a case that tries it and expects
 * the refusal. */
#include "cmdline.h"
#include "mountopts.h"
#include "policy.h"
#include "unit.h"
#include "veritycfg.h"

#include <stdlib.h>

#define RH "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define RH2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define VSYS "systemd.verity_root_data=PARTLABEL=d systemd.verity_root_hash=PARTLABEL=h "

static int parse(const char *line, const char *pinned, struct verity_cfg *v, char *err)
{
    static struct cmdline c;
    cmdline_parse(&c, line);
    err[0] = '\0';
    return verity_cfg_parse(&c, pinned, v, err, 256);
}

/* An empty or malformed verity value keeps verity on and fails. */
TEST(verity_empty_values_fail_closed)
{
    static const char *const lines[] = {
        "verity=data=PARTLABEL=d,hashdev=PARTLABEL=h,roothash=" RH " root=/dev/vda1 verity=",
        "roothash=" RH " " VSYS "roothash=",
        "roothash=" RH " " VSYS "roothash",
        "roothash=" RH " " VSYS "systemd.verity_root_data=",
        "roothash=" RH " " VSYS "systemd.verity_root_hash=",
        "roothash=" RH " " VSYS "systemd.verity_root_options=",
        "root=/dev/vda1 roothash=",
        "root=/dev/vda1 verity",
        "root=/dev/vda1 systemd.verity_root_options",
    };
    struct verity_cfg v;
    char err[256];
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        int r = parse(lines[i], NULL, &v, err);
        if (r != -1 || !v.enabled || !strstr(err, "is empty; verity stays on")) {
            char m[700];
            snprintf(m, sizeof m, "'%s': r=%d enabled=%d err=%s", lines[i], r, v.enabled, err);
            unit_fail(__FILE__, __LINE__, m);
        }
    }
    /* malformed values: verity on, refused */
    CHECK(parse("roothash=xyz " VSYS, NULL, &v, err) == -1 && v.enabled);
    CHECK(parse("verity=data", NULL, &v, err) == -1 && v.enabled);
    CHECK(parse("verity=,,,", NULL, &v, err) == -1 && v.enabled);
}

/* Each string of the verity configuration has its own storage: options
 * parsed later never overwrite a device named earlier. */
TEST(verity_strings_do_not_overlap)
{
    struct verity_cfg v;
    char err[256];
    CHECK(parse("verity=data=PARTLABEL=root,hashdev=PARTLABEL=hash,roothash=" RH
                " systemd.verity_root_options=ignore-zero-blocks",
                NULL, &v, err) == 0);
    CHECK_STR(v.data, "PARTLABEL=root");
    CHECK_STR(v.hash, "PARTLABEL=hash");
    CHECK(v.ignore_zero_blocks);
    CHECK(parse("verity=data=PARTLABEL=root,fec-device=PARTLABEL=fec,roothash=" RH
                " systemd.verity_root_options=fec-device=PARTLABEL=other,hash-offset=4096",
                NULL, &v, err) == 0);
    CHECK_STR(v.data, "PARTLABEL=root");
    CHECK_STR(v.fec_device, "PARTLABEL=other");
    CHECK(v.hash_offset == 4096);
}

/* Every combination of hatch's verity= with systemd's spellings: either a
 * refusal, or a configuration whose devices and hash are exactly the ones
 * given. */
TEST(verity_form_combinations)
{
    static const char *const parts[] = {
        "verity=data=UUID=d1,hashdev=UUID=h1,roothash=" RH,
        "roothash=" RH,
        "systemd.verity_root_data=UUID=d2",
        "systemd.verity_root_hash=UUID=h2",
        "systemd.verity_root_options=fec-device=UUID=f2,check-at-most-once",
    };
    const size_t np = sizeof parts / sizeof *parts;
    for (unsigned mask = 1; mask < (1u << np); mask++) {
        char line[1024] = "";
        for (size_t i = 0; i < np; i++)
            if (mask & (1u << i)) {
                strcat(line, parts[i]);
                strcat(line, " ");
            }
        struct verity_cfg v;
        char err[256];
        int r = parse(line, NULL, &v, err);
        int hatch = mask & 1, sdata = mask & 4, shash = mask & 8, sopt = mask & 16;
        int want_ok = hatch ? !(sdata || shash) : (mask & 2) && (sdata || !shash);
        /* roothash= alone derives the devices from the hash */
        char m[1400];
        snprintf(m, sizeof m, "'%s': r=%d enabled=%d err=%s data=%s hash=%s", line, r,
                 v.enabled, err, v.data ? v.data : "-", v.hash ? v.hash : "-");
        if (!v.enabled || (r == 0) != want_ok) {
            unit_fail(__FILE__, __LINE__, m);
            continue;
        }
        if (r < 0)
            continue;
        const char *wd = hatch ? "UUID=d1" : sdata ? "UUID=d2" : "PARTUUID=00112233-4455-6677-8899-aabbccddeeff";
        const char *wh = hatch ? "UUID=h1" : shash ? "UUID=h2" : sdata ? NULL : "PARTUUID=00112233-4455-6677-8899-aabbccddeeff";
        if (strcmp(v.data, wd) || (wh ? !v.hash || strcmp(v.hash, wh) : v.hash != NULL) ||
            strcmp(v.roothash, RH) || (sopt && (!v.fec_device || strcmp(v.fec_device, "UUID=f2") ||
                                                !v.check_at_most_once)))
            unit_fail(__FILE__, __LINE__, m);
    }
}

/* The table that proves the root hash carries no option but FEC; the final
 * table carries the user's; both carry the command line's root hash. */
TEST(verity_proof_table_has_no_weakening_option)
{
    struct verity_cfg v;
    struct verity_params p;
    char err[256], proof[1024], fin[1024];
    CHECK(parse("roothash=" RH " " VSYS "systemd.verity_root_options=ignore-corruption,"
                "ignore-zero-blocks,check-at-most-once,fec-device=PARTLABEL=f",
                NULL, &v, err) == 0);
    memset(&p, 0, sizeof p);
    p.version = p.hash_type = 1;
    p.data_block_size = p.hash_block_size = 4096;
    p.data_blocks = 100;
    strcpy(p.algorithm, "sha256");
    CHECK(verity_params_apply(&v, &p, 1, err, sizeof err) == 0);
    struct verity_fec fec = {.dev = "254:3", .blocks = 102, .start = 0, .roots = 2};
    CHECK(verity_table(&v, &p, "254:1", "254:2", &fec, VERITY_TABLE_PROOF, proof, sizeof proof) == 0);
    CHECK(verity_table(&v, &p, "254:1", "254:2", &fec, VERITY_TABLE_FINAL, fin, sizeof fin) == 0);
    CHECK_STR(proof, "1 254:1 254:2 4096 4096 100 1 sha256 " RH " - 8 use_fec_from_device "
                     "254:3 fec_roots 2 fec_blocks 102 fec_start 0");
    CHECK(strstr(fin, " - 11 ignore_corruption ignore_zero_blocks check_at_most_once "
                      "use_fec_from_device") != NULL);
    CHECK(verity_table(&v, &p, "254:1", "254:2", NULL, VERITY_TABLE_PROOF, proof, sizeof proof) == 0);
    CHECK_STR(proof, "1 254:1 254:2 4096 4096 100 1 sha256 " RH " -");
}

/* Sizes: a huge hash-offset must not wrap the arithmetic into a pass. */
TEST(verity_size_check_does_not_wrap)
{
    struct verity_cfg v;
    struct verity_params p;
    char err[256];
    CHECK(parse("roothash=" RH " " VSYS "systemd.verity_root_options=hash-offset="
                "18446744073709547520", NULL, &v, err) == 0);
    memset(&p, 0, sizeof p);
    p.version = p.hash_type = 1;
    p.data_block_size = p.hash_block_size = 4096;
    p.data_blocks = 1000;
    strcpy(p.algorithm, "sha256");
    CHECK(verity_params_apply(&v, &p, 1, err, sizeof err) == 0);
    CHECK(verity_check_sizes(&v, &p, 1 << 30, 1 << 30, 0, err, sizeof err) == -1);
    CHECK(strstr(err, "hash device has 1073741824 bytes") != NULL);
    v.hash_offset = 0;
    CHECK(verity_check_sizes(&v, &p, 4096000, 4096 * 10, 0, err, sizeof err) == 0);
    CHECK(verity_check_sizes(&v, &p, 4096000 - 1, 4096 * 10, 0, err, sizeof err) == -1);
    CHECK(verity_check_sizes(&v, &p, 4096000, 4096 * 10 - 1, 0, err, sizeof err) == -1);
    v.hash_offset = 4096;
    CHECK(verity_check_sizes(&v, &p, 1 << 30, 1 << 30, 1, err, sizeof err) == -1 &&
          strstr(err, "inside the"));
}

/* A pinned root hash turns verity on and cannot be replaced. */
TEST(verity_pinned_root_hash)
{
    struct verity_cfg v;
    char err[256];
    CHECK(parse("root=/dev/vda1", RH, &v, err) == 0 && v.enabled);
    CHECK_STR(v.roothash, RH);
    CHECK_STR(v.data, "PARTUUID=00112233-4455-6677-8899-aabbccddeeff");
    CHECK(parse("roothash=" RH2 " " VSYS, RH, &v, err) == -1 && v.enabled);
    CHECK(strstr(err, "is not the one this image is locked to") != NULL);
    CHECK(parse("verity=data=UUID=x,roothash=" RH2, RH, &v, err) == -1);
    CHECK(parse("roothash=" "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF "
                VSYS, RH, &v, err) == 0);
    CHECK(parse(VSYS, RH, &v, err) == 0);
    CHECK_STR(v.data, "PARTLABEL=d");
}

static const char pol_ok[] = "# hatch lockdown policy\nlockdown=1\naction=reboot\nroothash=" RH "\n";

TEST(policy_parse_strict)
{
    struct policy p;
    char err[256];
    CHECK(policy_parse(pol_ok, strlen(pol_ok), &p, err, sizeof err) == 0);
    CHECK(p.lockdown && p.action == EMERG_REBOOT);
    CHECK_STR(p.roothash, RH);
    const char no_hash[] = "lockdown=1\naction=poweroff";
    CHECK(policy_parse(no_hash, strlen(no_hash), &p, err, sizeof err) == 0);
    CHECK(p.action == EMERG_POWEROFF && p.roothash[0] == '\0');
    static const char *const bad[] = {
        "",
        "action=halt\nlockdown=1\n",
        "lockdown=0\n",
        "lockdown=1\naction=shell\n",
        "lockdown=1\naction=halt\naction=reboot\n",
        "lockdown=1\naction=poweroff\nbogus=1\n",
        "lockdown=1\naction=reboot\nroothash=zz\n",
        "lockdown=1\nroothash=abc\n",
        "lockdown=1\nroothash=zz\n",
        "lockdown=1\nroothash=\n",
        "lockdown=1\nshell=1\n",
        "lockdown=1\n action=halt\n",
        "lockdown=1 \n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&p, 0, sizeof p);
        int r = policy_parse(bad[i], strlen(bad[i]), &p, err, sizeof err);
        /* a damaged policy is still lockdown, halting */
        if (r != -1 || !p.lockdown || p.action != EMERG_HALT || p.roothash[0] || !err[0])
            unit_fail(__FILE__, __LINE__, bad[i]);
    }
    const char nul[] = "lockdown=1\n\0action=reboot\n";
    CHECK(policy_parse(nul, sizeof nul - 1, &p, err, sizeof err) == -1);
}

struct refusals {
    int n;
    char all[4096];
};

static void collect(void *ctx, const char *s)
{
    struct refusals *r = ctx;
    r->n++;
    strncat(r->all, s, sizeof r->all - strlen(r->all) - 2);
    strcat(r->all, "\n");
}

static struct refusals refuse(const char *line)
{
    static struct cmdline c;
    struct verity_cfg v;
    struct policy p;
    struct refusals r = {0};
    char err[256];
    policy_parse(pol_ok, strlen(pol_ok), &p, err, sizeof err);
    cmdline_parse(&c, line);
    verity_cfg_parse(&c, p.roothash, &v, err, sizeof err);
    policy_refusals(&p, &c, &v, collect, &r);
    return r;
}

TEST(lockdown_refuses_each_loosening_option)
{
    static const struct {
        const char *opt, *says;
    } cases[] = {
        {"rd.shell", "rd.shell is refused"},
        {"rd.shell=0", "rd.shell is refused"},
        {"rd.break", "rd.break is refused"},
        {"rd.break=pre-mount", "rd.break is refused"},
        {"init=/bin/sh", "init= is refused"},
        {"rootfstype=tmpfs", "rootfstype= is refused"},
        {"rootflags=lowerdir=/", "rootflags= is refused"},
        {"rw", "rw is refused"},
        {"modules-load=x", "modules-load= is refused"},
        {"rd.modules-load=x", "rd.modules-load= is refused"},
        {"module_blacklist=dm_verity", "module_blacklist= is refused"},
        {"rd.driver.blacklist=dm_verity", "rd.driver.blacklist= is refused"},
        {"modprobe.blacklist=dm_verity", "modprobe.blacklist= is refused"},
        {"rd.emergency=reboot", "rd.emergency= is refused"},
        {"systemd.verity_root_options=ignore-corruption", "ignore-corruption is refused"},
        {"systemd.verity_root_options=check-at-most-once", "check-at-most-once is refused"},
        {"resume=PARTUUID=00000000-0000-0000-0000-000000000000", "resume= is refused"},
        {"resume=/dev/vda2", "resume= is refused"},
        {"resume=", "resume= is refused"},
        {"resume_offset=4096", "resume_offset= is refused"},
        {"resume_offset=junk", "resume_offset= is refused"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char line[256];
        snprintf(line, sizeof line, "roothash=" RH " " VSYS "%s", cases[i].opt);
        struct refusals r = refuse(line);
        if (r.n != 1 || !strstr(r.all, cases[i].says)) {
            char m[4400];
            snprintf(m, sizeof m, "'%s': %d refusals: %s", cases[i].opt, r.n, r.all);
            unit_fail(__FILE__, __LINE__, m);
        }
    }
    /* all at once: one line each */
    struct refusals r = refuse("roothash=" RH " " VSYS "rd.shell rd.break init=/x rw "
                               "rootflags=x rootfstype=ext4 modules-load=a rd.driver.blacklist=b");
    CHECK(r.n == 8);
    /* a clean verity command line passes; so does nothing at all (the
     * pinned hash turns verity on) */
    CHECK(refuse("roothash=" RH " " VSYS "quiet rd.timeout=5 ro").n == 0);
    CHECK(refuse("").n == 0);
    /* resume= with its offset: a line each, saying why */
    r = refuse("roothash=" RH " " VSYS "resume=/dev/vda2 resume_offset=1");
    CHECK(r.n == 2 && strstr(r.all, "a hibernation image is not verified"));
    /* not resuming only tightens: allowed */
    CHECK(refuse("roothash=" RH " " VSYS "noresume").n == 0);
    CHECK(refuse("roothash=" RH " " VSYS "hibernate=no nohibernate").n == 0);
    /* a volatile root keeps the device read-only and every read verified */
    CHECK(refuse("roothash=" RH " " VSYS "systemd.volatile=overlay").n == 0);
    CHECK(refuse("roothash=" RH " " VSYS "systemd.volatile=yes").n == 0);
}

TEST(lockdown_requires_verity)
{
    static struct cmdline c;
    struct verity_cfg v;
    struct policy p;
    struct refusals r = {0};
    char err[256];
    const char pol[] = "lockdown=1\naction=halt\n";
    CHECK(policy_parse(pol, strlen(pol), &p, err, sizeof err) == 0);
    cmdline_parse(&c, "root=/dev/vda1");
    CHECK(verity_cfg_parse(&c, NULL, &v, err, sizeof err) == 0 && !v.enabled);
    CHECK(policy_refusals(&p, &c, &v, collect, &r) == 1);
    CHECK(strstr(r.all, "boots only a verified root") != NULL);
    /* without lockdown nothing is refused */
    p.lockdown = 0;
    cmdline_parse(&c, "rd.shell init=/bin/sh rw");
    CHECK(policy_refusals(&p, &c, &v, collect, &r) == 0);
}

TEST(mountopts_foreign_devices_and_paths)
{
    char o[64];
    static const char *const bad[] = {"journal_path=/dev/vdb",  "journal_dev=2049",
                                      "data=journal,logdev=/dev/sdb", "device=/dev/vdc",
                                      "lowerdir=/,upperdir=/run", "errors=remount-ro,x=/y",
                                      "rtdev=x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (!mountopts_foreign(bad[i], o, sizeof o))
            unit_fail(__FILE__, __LINE__, bad[i]);
    CHECK(mountopts_foreign("data=journal,logdev=/dev/sdb", o, sizeof o) && !strcmp(o, "logdev=/dev/sdb"));
    CHECK(!mountopts_foreign("", o, sizeof o));
    CHECK(!mountopts_foreign("data=ordered,errors=remount-ro,devices=1", o, sizeof o));
}

TEST(mountopts_fs_on_device)
{
    const char fs[] = "nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\toverlay\n\tsquashfs\n";
    CHECK(mountopts_fs_on_device(fs, "ext4") == 1);
    CHECK(mountopts_fs_on_device(fs, "squashfs") == 1);
    CHECK(mountopts_fs_on_device(fs, "tmpfs") == 0);
    CHECK(mountopts_fs_on_device(fs, "overlay") == 0);
    CHECK(mountopts_fs_on_device(fs, "xfs") == -1);
    CHECK(mountopts_fs_on_device(fs, "ext") == -1);
    CHECK(mountopts_fs_on_device(fs, "") == -1);
}

/* --- root hash signatures -------------------------------------------------- */
#define SIG64 "MIIBAAoBAA=="   /* not a real signature: the parser only checks base64 */

TEST(verity_signature_option_forms)
{
    struct verity_cfg v;
    char err[256];
    CHECK(parse("roothash=" RH " " VSYS "systemd.verity_root_options=root-hash-signature=base64:"
                SIG64, NULL, &v, err) == 0);
    CHECK_STR(v.sig, "base64:" SIG64);
    CHECK(parse("verity=data=PARTLABEL=d,hashdev=PARTLABEL=h,roothash=" RH
                ",root-hash-signature=/etc/sig.p7s", NULL, &v, err) == 0);
    CHECK_STR(v.sig, "/etc/sig.p7s");
    CHECK(parse("roothash=" RH " " VSYS, NULL, &v, err) == 0 && v.sig == NULL);
    /* a damaged or empty signature keeps verity on and stops the boot:
     * never a boot without the check that was asked for */
    static const char *const bad[] = {
        "root-hash-signature=base64:",
        "root-hash-signature=base64:****",
        "root-hash-signature=base64:QUJD=",
        "root-hash-signature=base64:Q",
        "root-hash-signature=sig.p7s",
        "root-hash-signature=",
        "root-hash-signature",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[512];
        snprintf(line, sizeof line, "roothash=" RH " " VSYS "systemd.verity_root_options=%s",
                 bad[i]);
        if (parse(line, NULL, &v, err) != -1 || !v.enabled || !err[0])
            unit_fail(__FILE__, __LINE__, bad[i]);
    }
}

TEST(verity_base64)
{
    uint8_t b[16];
    CHECK(verity_base64_decode("", b, sizeof b) == 0);
    CHECK(verity_base64_decode("QUJD", b, sizeof b) == 3 && !memcmp(b, "ABC", 3));
    CHECK(verity_base64_decode("QUI=", b, sizeof b) == 2 && !memcmp(b, "AB", 2));
    CHECK(verity_base64_decode("QUI", b, sizeof b) == 2 && !memcmp(b, "AB", 2));
    CHECK(verity_base64_decode("QQ==", b, sizeof b) == 1 && b[0] == 'A');
    CHECK(verity_base64_decode("+/+/", b, sizeof b) == 3 && b[0] == 0xfb && b[2] == 0xbf);
    CHECK(verity_base64_decode("QUJD", NULL, 3) == 3);
    CHECK(verity_base64_decode("QUJD", b, 2) == -1); /* over the limit */
    CHECK(verity_base64_decode("QUJ D", b, sizeof b) == -1);
    CHECK(verity_base64_decode("Q===", b, sizeof b) == -1);
    CHECK(verity_base64_decode("QQ=A", b, sizeof b) == -1);
}

/* The key description is in both tables, so the kernel checks the
 * signature before the proving read; without a signature in neither. */
TEST(verity_signature_in_both_tables)
{
    struct verity_cfg v;
    struct verity_params p;
    char err[256], proof[1024], fin[1024];
    CHECK(parse("roothash=" RH " " VSYS "systemd.verity_root_options=restart-on-corruption,"
                "root-hash-signature=/s.p7s", NULL, &v, err) == 0);
    memset(&p, 0, sizeof p);
    p.version = p.hash_type = 1;
    p.data_block_size = p.hash_block_size = 4096;
    p.data_blocks = 100;
    strcpy(p.algorithm, "sha256");
    CHECK(verity_params_apply(&v, &p, 1, err, sizeof err) == 0);
    CHECK(verity_table(&v, &p, "254:1", "254:2", NULL, VERITY_TABLE_PROOF, proof, sizeof proof) == 0);
    CHECK(verity_table(&v, &p, "254:1", "254:2", NULL, VERITY_TABLE_FINAL, fin, sizeof fin) == 0);
    CHECK_STR(proof, "1 254:1 254:2 4096 4096 100 1 sha256 " RH
                     " - 2 root_hash_sig_key_desc " VERITY_SIG_KEY_DESC);
    CHECK_STR(fin, "1 254:1 254:2 4096 4096 100 1 sha256 " RH
                   " - 3 root_hash_sig_key_desc " VERITY_SIG_KEY_DESC " restart_on_corruption");
    struct verity_fec fec = {.dev = "254:3", .blocks = 102, .start = 0, .roots = 2};
    CHECK(verity_table(&v, &p, "254:1", "254:2", &fec, VERITY_TABLE_PROOF, proof, sizeof proof) == 0);
    CHECK(strstr(proof, " - 10 root_hash_sig_key_desc " VERITY_SIG_KEY_DESC
                        " use_fec_from_device 254:3 ") != NULL);
    v.sig = NULL;
    CHECK(verity_table(&v, &p, "254:1", "254:2", NULL, VERITY_TABLE_PROOF, proof, sizeof proof) == 0);
    CHECK(strstr(proof, "root_hash_sig_key_desc") == NULL);
}

static const char pol_sig[] = "lockdown=1\naction=halt\nroothash=" RH "\nsignature=required\n";

TEST(policy_signature_required)
{
    struct policy p;
    char err[256];
    CHECK(policy_parse(pol_sig, strlen(pol_sig), &p, err, sizeof err) == 0 && p.signature);
    CHECK(policy_parse(pol_ok, strlen(pol_ok), &p, err, sizeof err) == 0 && !p.signature);
    static const char *const bad[] = {
        "lockdown=1\nsignature=required\nsignature=required\n",
        "lockdown=1\nsignature=yes\n",
        "lockdown=1\nsignature=\n",
        "lockdown=1\nsignature=requiredx\n",
        "signature=required\nlockdown=1\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&p, 0, sizeof p);
        int r = policy_parse(bad[i], strlen(bad[i]), &p, err, sizeof err);
        /* damaged: lockdown, halting, and nothing of it applied */
        if (r != -1 || !p.lockdown || p.signature || p.action != EMERG_HALT)
            unit_fail(__FILE__, __LINE__, bad[i]);
    }
}

static struct refusals refuse_sig(const char *line, struct verity_cfg *v, struct policy *p)
{
    static struct cmdline c;
    struct refusals r = {0};
    char err[256];
    policy_parse(pol_sig, strlen(pol_sig), p, err, sizeof err);
    cmdline_parse(&c, line);
    verity_cfg_parse(&c, p->roothash, v, err, sizeof err);
    policy_refusals(p, &c, v, collect, &r);
    return r;
}

/* An image built with --lockdown --roothash-sig: the command line can
 * neither replace the image's signature nor drop it. */
TEST(lockdown_signature_cannot_be_replaced_or_dropped)
{
    static const char *const lines[] = {
        VSYS "systemd.verity_root_options=root-hash-signature=base64:" SIG64,
        VSYS "systemd.verity_root_options=root-hash-signature=/etc/other.p7s",
        "verity=data=PARTLABEL=d,hashdev=PARTLABEL=h,root-hash-signature=/x.p7s",
        "roothash=" RH " " VSYS "systemd.verity_root_options=ignore-zero-blocks,"
        "root-hash-signature=/etc/hatch/roothash.p7s",
    };
    struct verity_cfg v;
    struct policy p;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        struct refusals r = refuse_sig(lines[i], &v, &p);
        if (r.n != 1 || !strstr(r.all, "root-hash-signature= is refused: this image is locked "
                                        "down (the root hash signature is the image's own"))
            unit_fail(__FILE__, __LINE__, lines[i]);
    }
    /* nothing on the command line: the image's signature, required */
    struct refusals r = refuse_sig(VSYS, &v, &p);
    CHECK(r.n == 0);
    CHECK_STR(policy_root_sig(&p, &v, 0), VERITY_SIG_IMAGE_PATH);
    CHECK_STR(policy_root_sig(&p, &v, 1), VERITY_SIG_IMAGE_PATH);
    /* no verity request at all is refused as before; no signature then */
    r = refuse_sig("root=/dev/vda1", &v, &p);
    CHECK(r.n == 0 && v.enabled); /* the pinned hash turns verity on */
    p.roothash[0] = '\0';
    static struct cmdline c;
    char err[256];
    cmdline_parse(&c, "root=/dev/vda1");
    verity_cfg_parse(&c, NULL, &v, err, sizeof err);
    r = (struct refusals){0};
    CHECK(policy_refusals(&p, &c, &v, collect, &r) == 1 && !v.enabled);
    CHECK(policy_root_sig(&p, &v, 1) == NULL);
}

/* Without lockdown: the command line's signature, else the image's. */
TEST(signature_choice_without_lockdown)
{
    struct verity_cfg v;
    struct policy p;
    char err[256];
    memset(&p, 0, sizeof p);
    CHECK(parse("roothash=" RH " " VSYS, NULL, &v, err) == 0);
    CHECK(policy_root_sig(&p, &v, 0) == NULL);
    CHECK_STR(policy_root_sig(&p, &v, 1), VERITY_SIG_IMAGE_PATH);
    CHECK(parse("roothash=" RH " " VSYS "systemd.verity_root_options=root-hash-signature=/a.p7s",
                NULL, &v, err) == 0);
    CHECK_STR(policy_root_sig(&p, &v, 1), "/a.p7s");
    /* lockdown without a required signature: a signature given adds a check */
    CHECK(policy_parse(pol_ok, strlen(pol_ok), &p, err, sizeof err) == 0);
    struct refusals r = {0};
    static struct cmdline c;
    cmdline_parse(&c, "roothash=" RH " " VSYS "systemd.verity_root_options=root-hash-signature=/a.p7s");
    CHECK(verity_cfg_parse(&c, p.roothash, &v, err, sizeof err) == 0);
    CHECK(policy_refusals(&p, &c, &v, collect, &r) == 0);
    CHECK_STR(policy_root_sig(&p, &v, 0), "/a.p7s");
    /* no verity: no signature whatever the image holds */
    memset(&p, 0, sizeof p);
    CHECK(parse("root=/dev/vda1", NULL, &v, err) == 0);
    CHECK(policy_root_sig(&p, &v, 1) == NULL);
}
