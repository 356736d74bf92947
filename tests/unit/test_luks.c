/* rd.luks.* as systemd-cryptsetup-generator reads them, and the refusals:
 * whatever cannot be done as asked fails with a sentence, never a guess. */
#include "cmdline.h"
#include "luksconf.h"
#include "luksflags.h"
#include "policy.h"
#include "unit.h"

#define U1 "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define U2 "11111111-2222-3333-4444-555555555555"
#define U3 "33333333-2222-3333-4444-555555555555"

static struct cmdline c;

static int parse(const char *line, struct luks_cfg *l, char *err)
{
    cmdline_parse(&c, line);
    return luks_cfg_parse(&c, l, err, 256);
}

TEST(luks_uuid_norm_forms)
{
    char u[LUKS_UUID_LEN + 1];
    CHECK(luks_uuid_norm(U1, strlen(U1), u) == 0);
    CHECK_STR(u, U1);
    const char *upper = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
    CHECK(luks_uuid_norm(upper, strlen(upper), u) == 0);
    CHECK_STR(u, U1);
    const char *bare = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    CHECK(luks_uuid_norm(bare, strlen(bare), u) == 0);
    CHECK_STR(u, U1);
    const char *pre = "luks-" U1;
    CHECK(luks_uuid_norm(pre, strlen(pre), u) == 0);
    CHECK_STR(u, U1);
    static const char *const bad[] = {
        "", "luks-", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f",   /* short */
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00",              /* long */
        "0f1e2d3c4b5a-6978-8796-a5b4c3d2e1f0",                /* some dashes */
        "0f1e2d3-c4b5a-6978-8796-a5b4c3d2e1f0",               /* misplaced */
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg", "--------",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(luks_uuid_norm(bad[i], strlen(bad[i]), u) == -1);
}

TEST(luks_uuid_accumulates_default_name)
{
    struct luks_cfg l;
    char err[256];
    CHECK(parse("root=UUID=x rd.luks.uuid=" U1 " rd.luks.uuid=luks-" U2 " rd.luks.uuid=" U1,
                &l, err) == 0);
    CHECK(l.n == 2); /* the repeat is the same volume */
    CHECK_STR(l.req[0].uuid, U1);
    CHECK_STR(l.req[0].name, "luks-" U1);
    CHECK_STR(l.req[1].name, "luks-" U2);
    CHECK(l.req[0].tries == LUKS_TRIES_DEFAULT && !l.req[0].discard && !l.req[0].key[0]);
    CHECK(l.n_msgs == 0);
}

TEST(luks_name_sets_name_and_adds)
{
    struct luks_cfg l;
    char err[256];
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.name=" U1 "=cryptroot rd.luks.name=" U2 "=data",
                &l, err) == 0);
    CHECK(l.n == 2);
    CHECK_STR(l.req[0].name, "cryptroot");
    CHECK_STR(l.req[1].uuid, U2);
    CHECK_STR(l.req[1].name, "data");
    CHECK(parse("rd.luks.name=cryptroot", &l, err) == -1 && strstr(err, "UUID=NAME"));
    CHECK(parse("rd.luks.name=" U1 "=a/b", &l, err) == -1 && strstr(err, "NAME must"));
    CHECK(parse("rd.luks.name=" U1 "=", &l, err) == -1);
    CHECK(parse("rd.luks.name=" U1 "=..", &l, err) == -1);
    CHECK(parse("rd.luks.name=" U1 "=hatch-verity", &l, err) == -1);
    CHECK(parse("rd.luks.name=" U1 "=x rd.luks.name=" U2 "=x", &l, err) == -1 &&
          strstr(err, "both to be /dev/mapper/x"));
    CHECK(parse("rd.luks.uuid=nope", &l, err) == -1 && strstr(err, "not a UUID"));
}

TEST(luks_options_global_and_per_uuid)
{
    struct luks_cfg l;
    char err[256];
    /* per-UUID wins wherever it is written */
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.uuid=" U2 " rd.luks.options=" U2
                "=tries=5,readonly rd.luks.options=discard,tries=2",
                &l, err) == 0);
    CHECK(l.req[0].discard && l.req[0].tries == 2 && !l.req[0].readonly);
    CHECK(l.req[1].discard && l.req[1].tries == 5 && l.req[1].readonly);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.options=no-read-workqueue,no-write-workqueue,"
                "same-cpu-crypt,submit-from-crypt-cpus,luks",
                &l, err) == 0);
    CHECK(l.req[0].no_read_workqueue && l.req[0].no_write_workqueue &&
          l.req[0].same_cpu_crypt && l.req[0].submit_from_crypt_cpus && l.n_msgs == 0);
    /* unknown ones are reported, not applied, not fatal */
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.options=discard,frobnicate", &l, err) == 0);
    CHECK(l.req[0].discard && l.n_msgs == 1 && strstr(l.msgs[0], "frobnicate"));
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.options=tries=x", &l, err) == -1);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.options=tries=101", &l, err) == -1);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.options=" U2 "=discard", &l, err) == -1 &&
          strstr(err, "no rd.luks.uuid="));
    /* rd.luks.discard and dracut's spelling */
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.discard", &l, err) == 0 && l.req[0].discard);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.allow-discards", &l, err) == 0 &&
          l.req[0].discard);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.discard=0", &l, err) == 0 && !l.req[0].discard);
}

TEST(luks_key_forms)
{
    struct luks_cfg l;
    char err[256];
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.uuid=" U2 " rd.luks.key=/etc/k rd.luks.key=" U2
                "=/etc/k2",
                &l, err) == 0);
    CHECK_STR(l.req[0].key, "/etc/k");
    CHECK_STR(l.req[1].key, "/etc/k2");
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.key=etc/k", &l, err) == -1 &&
          strstr(err, "absolute"));
    /* systemd's PATH:DEVICE: a key file on a device of its own */
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.key=/keys/root.key:LABEL=keystick", &l, err) == 0);
    CHECK_STR(l.req[0].key, "/keys/root.key");
    CHECK_STR(l.req[0].keydev, "LABEL=keystick");
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.uuid=" U2 " rd.luks.key=/k:PARTUUID=" U2
                " rd.luks.key=" U2 "=/k2",
                &l, err) == 0);
    CHECK_STR(l.req[0].keydev, "PARTUUID=" U2);
    CHECK_STR(l.req[1].key, "/k2");
    CHECK_STR(l.req[1].keydev, ""); /* its own key, in the image, wins */
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.key=/k:UUID=", &l, err) == -1 &&
          strstr(err, "the key's device"));
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.key=/k:gpt-auto", &l, err) == -1 &&
          strstr(err, "expected PATH:DEVICE"));
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.key=/:LABEL=x", &l, err) == -1);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.key=" U2 "=/k", &l, err) == -1);
}

TEST(luks_disabled_and_nothing_named)
{
    struct luks_cfg l;
    char err[256];
    CHECK(parse("rd.luks=0 rd.luks.uuid=" U1, &l, err) == 0);
    CHECK(l.disabled && l.n == 0 && l.n_msgs == 1);
    CHECK(parse("rd.luks=no", &l, err) == 0 && l.disabled && l.n_msgs == 0);
    CHECK(parse("rd.luks=1 rd.luks.uuid=" U1, &l, err) == 0 && !l.disabled && l.n == 1);
    /* a typo in rd.luks= is reported and does not turn LUKS off */
    CHECK(parse("rd.luks=maybe rd.luks.uuid=" U1, &l, err) == 0 && l.n == 1 && c.n_msgs == 1);
    /* options with no volume named: said, not silently dropped */
    CHECK(parse("rd.luks.key=/k", &l, err) == 0 && l.n == 0 && l.n_msgs == 1);
    CHECK(parse("rd.luks.uuid=", &l, err) == 0 && c.n_msgs == 1);
    CHECK(parse("rd.luks.bogus=1", &l, err) == 0 && c.n_msgs == 1);
}

TEST(luks_too_many)
{
    struct luks_cfg l;
    char err[256], line[2048] = "";
    for (int i = 0; i <= LUKS_MAX; i++) {
        char one[80];
        snprintf(one, sizeof one, "rd.luks.uuid=%08x-2222-3333-4444-555555555555 ", i);
        strcat(line, one);
    }
    CHECK(parse(line, &l, err) == -1 && strstr(err, "more than"));
}

static void count(void *ctx, const char *s)
{
    (void)s;
    (*(int *)ctx)++;
}

TEST(lockdown_luks_discard_refused)
{
    struct policy p;
    struct luks_cfg l;
    char err[256];
    int n = 0;
    CHECK(policy_parse("lockdown=1\n", 11, &p, err, sizeof err) == 0);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.discard", &l, err) == 0);
    CHECK(policy_luks_refusals(&p, &c, &l, count, &n) == 1 && n == 1);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.discard=0", &l, err) == 0);
    CHECK(policy_luks_refusals(&p, &c, &l, count, &n) == 1); /* asked for is refused */
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.uuid=" U2 " rd.luks.options=discard", &l, err) ==
          0);
    CHECK(policy_luks_refusals(&p, &c, &l, count, &n) == 2);
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.options=" U1 "=allow-discards", &l, err) == 0);
    CHECK(policy_luks_refusals(&p, &c, &l, count, &n) == 1);
    /* a key on a device: its filesystem is read, and nothing verifies it */
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.uuid=" U2 " rd.luks.key=/k:LABEL=stick", &l, err) ==
          0);
    CHECK(policy_luks_refusals(&p, &c, &l, count, &n) == 2);
    /* what does not loosen anything is allowed */
    CHECK(parse("rd.luks.name=" U1 "=r rd.luks.key=/k rd.luks.options=readonly,tries=1", &l,
                err) == 0);
    CHECK(policy_luks_refusals(&p, &c, &l, count, &n) == 0);
    /* without lockdown nothing is refused */
    struct policy open = {0};
    CHECK(parse("rd.luks.uuid=" U1 " rd.luks.discard", &l, err) == 0);
    CHECK(policy_luks_refusals(&open, &c, &l, count, &n) == 0);
}

static int tab(const char *line, const char *crypttab, struct luks_cfg *l, char *err)
{
    cmdline_parse(&c, line);
    err[0] = '\0';
    return luks_cfg_parse_crypttab(&c, crypttab, l, err, 256);
}

/* The image's /etc/crypttab, as systemd-cryptsetup-generator reads it in
 * an initrd, under the command line. */
TEST(luks_crypttab)
{
    struct luks_cfg l;
    char err[256];
    static const char t[] = "# the root\n"
                            "cryptroot UUID=" U1 " none luks,discard\n"
                            "\n"
                            "cryptswap /dev/disk/by-uuid/" U2 " /etc/keys/swap.key tries=1 # swap\n"
                            "later UUID=" U3 " - noauto\n";
    CHECK(tab("root=/dev/mapper/cryptroot", t, &l, err) == 0);
    CHECK(l.n == 2);
    CHECK_STR(l.req[0].name, "cryptroot");
    CHECK_STR(l.req[0].uuid, U1);
    CHECK(l.req[0].discard && !l.req[0].key[0]);
    CHECK_STR(l.req[1].name, "cryptswap");
    CHECK_STR(l.req[1].key, "/etc/keys/swap.key");
    CHECK(l.req[1].tries == 1);
    CHECK(l.n_msgs == 0);
    /* the command line picks among the lines, names and keys over them */
    CHECK(tab("rd.luks.uuid=" U3 " rd.luks.key=" U3 "=/k:LABEL=stick", t, &l, err) == 0);
    CHECK(l.n == 1);
    CHECK_STR(l.req[0].name, "later"); /* noauto, but asked for */
    CHECK_STR(l.req[0].key, "/k");
    CHECK_STR(l.req[0].keydev, "LABEL=stick");
    CHECK(tab("rd.luks.name=" U1 "=other", t, &l, err) == 0);
    CHECK(l.n == 1 && !strcmp(l.req[0].name, "other") && l.req[0].discard);
    /* off */
    CHECK(tab("rd.luks.crypttab=0", t, &l, err) == 0 && l.n == 0);
    CHECK(tab("rd.luks=0", t, &l, err) == 0 && l.n == 0 && l.disabled);
    /* what hatch cannot do is said, not guessed */
    CHECK(tab("", "data /dev/sdb1 none\n", &l, err) == 0 && l.n == 0 && l.n_msgs == 1);
    CHECK(strstr(l.msgs[0], "UUID= only") != NULL);
    CHECK(tab("", "data UUID=" U1 " none frobnicate\n", &l, err) == 0 && l.n == 1 &&
          l.n_msgs == 1 && strstr(l.msgs[0], "/etc/crypttab line 1: frobnicate"));
    CHECK(tab("", "lonely\n", &l, err) == 0 && l.n == 0 && l.n_msgs == 1);
    CHECK(tab("", "bad/name UUID=" U1 "\n", &l, err) == -1 && strstr(err, "NAME bad/name"));
    CHECK(tab("", "r UUID=" U1 " relative.key\n", &l, err) == -1 &&
          strstr(err, "absolute"));
    CHECK(tab("", "a UUID=" U1 "\nb UUID=" U2 "\nb2 UUID=" U2 "\n", &l, err) == 0 && l.n == 2);
    CHECK(tab("", "a UUID=" U1 "\na UUID=" U2 "\n", &l, err) == -1 &&
          strstr(err, "/dev/mapper/a"));
}

/* The init writes the mapping options, luks-unlock reads them: every set of
 * them comes back as it went, and nothing else is read. */
TEST(luks_flags_round_trip)
{
    char buf[160];
    for (unsigned f = 0; f <= LUKS_F_ALL; f++) {
        unsigned back = 99;
        CHECK(luks_flags_format(f, buf, sizeof buf) == 0);
        CHECK(luks_flags_parse(buf, &back) == 0);
        CHECK(back == f);
    }
    CHECK(luks_flags_format(0, buf, sizeof buf) == 0);
    CHECK_STR(buf, "-");
    CHECK(luks_flags_format(LUKS_F_DISCARD | LUKS_F_NO_WRITE_WORKQUEUE, buf, sizeof buf) == 0);
    CHECK_STR(buf, "discard,no-write-workqueue");
}

TEST(luks_flags_refusals)
{
    char small[8];
    unsigned f = 99;
    CHECK(luks_flags_format(LUKS_F_ALL + 1, small, sizeof small) == -1);
    CHECK(luks_flags_format(LUKS_F_SUBMIT_FROM_CRYPT_CPUS, small, sizeof small) == -1);
    CHECK(luks_flags_format(0, small, 1) == -1);
    const char *bad[] = {"", ",", "discard,", ",discard", "discard,,readonly", "Discard",
                         "allow-discards", "discard readonly", "--"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        f = 99;
        CHECK(luks_flags_parse(bad[i], &f) == -1);
        CHECK(f == 0);
    }
}
