/* A verified /usr and root=tmpfs: the options, the verity request, the
 * checks before the wait, and the lockdown rules /usr is held to. */
#include "cmdline.h"
#include "policy.h"
#include "unit.h"
#include "usrcfg.h"
#include "veritycfg.h"

#define UH "0123456789abcdef0123456789abcdeffedcba9876543210fedcba9876543210"
#define RH "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static struct cmdline c;

static int usr(const char *line, struct verity_cfg *u, char *err)
{
    cmdline_parse(&c, line);
    err[0] = '\0';
    return verity_usr_cfg_parse(&c, u, err, 256);
}

TEST(usr_options_parsed)
{
    cmdline_parse(&c, "usrhash=" UH " systemd.verity_usr_data=PARTLABEL=u "
                      "systemd.verity_usr_hash=PARTLABEL=uh systemd.verity_usr_options=hash=sha256 "
                      "mount.usr=/dev/mapper/usr mount.usrfstype=erofs,ext4 mount.usrflags=noatime");
    CHECK_STR(c.usrhash, UH);
    CHECK_STR(c.verity_usr_data, "PARTLABEL=u");
    CHECK_STR(c.verity_usr_hash, "PARTLABEL=uh");
    CHECK_STR(c.verity_usr_options, "hash=sha256");
    CHECK_STR(c.mount_usr, "/dev/mapper/usr");
    CHECK(c.n_mount_usrfstype == 2);
    CHECK_STR(c.mount_usrfstype[1], "ext4");
    CHECK_STR(c.mount_usrflags, "noatime");
    CHECK(c.n_msgs == 0);
    CHECK(c.given & (1ul << OPT_MOUNT_USRFLAGS));
    CHECK(cmdline_is_ours("usrhash=" UH));
    /* none of it asks for a verified root */
    struct verity_cfg v;
    char err[256];
    CHECK(verity_cfg_parse(&c, NULL, &v, err, sizeof err) == 0 && !v.enabled);
}

TEST(usr_hash_alone_finds_partitions_by_derived_partuuid)
{
    struct verity_cfg u;
    char err[256];
    CHECK(usr("root=tmpfs usrhash=" UH, &u, err) == 0);
    CHECK(u.enabled);
    CHECK_STR(u.name, "usr");
    CHECK_STR(u.hash_key, "usrhash");
    CHECK_STR(u.data, "PARTUUID=01234567-89ab-cdef-0123-456789abcdef");
    CHECK_STR(u.hash, "PARTUUID=fedcba98-7654-3210-fedc-ba9876543210");
    CHECK_STR(u.roothash, UH);
}

TEST(usr_bad_requests_fail_closed)
{
    static const char *const lines[] = {
        "usrhash=",
        "usrhash",
        "usrhash=" UH " systemd.verity_usr_options=",
        "usrhash=xyz",
        "systemd.verity_usr_data=PARTLABEL=u",      /* no hash */
        "usrhash=abcd systemd.verity_usr_hash=PARTLABEL=uh", /* no data device */
        "usrhash=abcd",                              /* too short to derive */
        "usrhash=" UH " systemd.verity_usr_options=ignore-corruption,panic-on-corruption",
        "usrhash=" UH " systemd.verity_usr_options=nonsense",
    };
    struct verity_cfg u;
    char err[256];
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        int r = usr(lines[i], &u, err);
        CHECK(r == -1);
        CHECK(u.enabled); /* a bad request is never mistaken for none */
        CHECK(err[0]);
        if (r != -1 || !u.enabled)
            fprintf(stderr, "  line: %s\n", lines[i]);
    }
    CHECK(usr("usrhash=abcd", &u, err) == -1 && strstr(err, "systemd.verity_usr_data="));
    CHECK(usr("systemd.verity_usr_data=PARTLABEL=u", &u, err) == -1 &&
          strstr(err, "usrhash=<hex>"));
}

static int check(const char *line, char *err, char *warn)
{
    struct verity_cfg u;
    char e[256];
    cmdline_parse(&c, line);
    if (verity_usr_cfg_parse(&c, &u, e, sizeof e) < 0)
        return -2;
    err[0] = '\0';
    return usr_request_check(&c, &u, err, 256, warn, 256);
}

TEST(usr_request_rules)
{
    char err[256], warn[256];
    CHECK(check("root=tmpfs usrhash=" UH, err, warn) == 0 && !warn[0]);
    CHECK(check("root=tmpfs mount.usr=LABEL=usr", err, warn) == 0 && !warn[0]);
    CHECK(check("root=/dev/vda1", err, warn) == 0 && !warn[0]);
    CHECK(check("usrhash=" UH " mount.usr=/dev/mapper/usr", err, warn) == 0);
    /* a verified /usr is the mapping, nothing else */
    CHECK(check("usrhash=" UH " mount.usr=/dev/vda2", err, warn) == -1);
    CHECK(strstr(err, "mount.usr=/dev/vda2 conflicts with verity") != NULL);
    /* a tmpfs root alone has no init */
    CHECK(check("root=tmpfs", err, warn) == -1);
    CHECK(strstr(err, "root=tmpfs: the tmpfs root has no init of its own") != NULL);
    /* given but without effect: said, not silently dropped */
    CHECK(check("root=/dev/vda1 mount.usrflags=rw", err, warn) == 0);
    CHECK(strstr(warn, "mount.usrflags= given without mount.usr=") != NULL);
    CHECK(check("root=/dev/vda1 mount.usrfstype=ext4", err, warn) == 0);
    CHECK(strstr(warn, "mount.usrfstype= given without") != NULL);
    CHECK(check("root=tmpfs usrhash=" UH " systemd.volatile=overlay", err, warn) == 0);
    CHECK(strstr(warn, "systemd.volatile= has no effect with root=tmpfs") != NULL);
    CHECK(usr_root_is_tmpfs(&c));
}

struct said {
    size_t n;
    char last[256];
};

static void collect(void *ctx, const char *s)
{
    struct said *r = ctx;
    r->n++;
    snprintf(r->last, sizeof r->last, "%s", s);
}

static size_t refusals(const char *pol, const char *line, struct said *r)
{
    struct policy p;
    struct verity_cfg u;
    char err[256];
    if (policy_parse(pol, strlen(pol), &p, err, sizeof err) < 0)
        return 999;
    cmdline_parse(&c, line);
    verity_usr_cfg_parse(&c, &u, err, sizeof err);
    memset(r, 0, sizeof *r);
    return policy_usr_refusals(&p, &c, &u, collect, r);
}

/* Every way a command line could bring an unverified or weakened /usr
 * under a locked-down image is refused. */
TEST(usr_lockdown_refusals)
{
    static const char lock[] = "lockdown=1\n";
    static const char lock_sig[] = "lockdown=1\nsignature=required\n";
    struct said r;
    CHECK(refusals(lock, "roothash=" RH " usrhash=" UH, &r) == 0);
    CHECK(refusals(lock, "roothash=" RH, &r) == 0);
    CHECK(refusals(lock, "roothash=" RH " mount.usr=/dev/vda2", &r) == 1);
    CHECK(strstr(r.last, "mount.usr= is refused") != NULL);
    CHECK(refusals(lock, "roothash=" RH " usrhash=" UH
                         " systemd.verity_usr_options=ignore-corruption", &r) == 1);
    CHECK(strstr(r.last, "ignore-corruption for /usr is refused") != NULL);
    CHECK(refusals(lock, "roothash=" RH " usrhash=" UH
                         " systemd.verity_usr_options=check-at-most-once", &r) == 1);
    CHECK(refusals(lock, "roothash=" RH " usrhash=" UH " mount.usrfstype=ext4", &r) == 1);
    CHECK(refusals(lock, "roothash=" RH " usrhash=" UH " mount.usrflags=rw", &r) == 1);
    /* signed hashes required: a /usr brings its own signature */
    CHECK(refusals(lock_sig, "roothash=" RH " usrhash=" UH, &r) == 1);
    CHECK(strstr(r.last, "requires signed hashes") != NULL);
    CHECK(refusals(lock_sig, "roothash=" RH " usrhash=" UH
                             " systemd.verity_usr_options=root-hash-signature=/x.p7s", &r) == 0);
    /* not locked down: nothing is refused here */
    struct policy none = {0};
    struct verity_cfg u;
    char err[256];
    cmdline_parse(&c, "mount.usr=/dev/vda2 mount.usrflags=rw");
    verity_usr_cfg_parse(&c, &u, err, sizeof err);
    CHECK(policy_usr_refusals(&none, &c, &u, collect, &r) == 0);
}
