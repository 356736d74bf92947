#include "cmdline.h"
#include "unit.h"

#include <stdlib.h>

/* Collects tokens as "key=val" / "key" strings. */
struct toks {
    char s[32][128];
    int n;
};

static void collect(char *k, char *v, void *ctx)
{
    struct toks *t = ctx;
    if (t->n < 32)
        snprintf(t->s[t->n++], sizeof t->s[0], v ? "%s=[%s]" : "%s", k, v);
}

static struct toks tokenize(const char *line, char **rest, char *buf)
{
    struct toks t = {.n = 0};
    strcpy(buf, line);
    cmdline_tokenize(buf, collect, &t, rest);
    return t;
}

TEST(tokenize_plain)
{
    char buf[256], *rest;
    struct toks t = tokenize("  ro root=/dev/vda1\tquiet\n", &rest, buf);
    CHECK(t.n == 3);
    CHECK_STR(t.s[0], "ro");
    CHECK_STR(t.s[1], "root=[/dev/vda1]");
    CHECK_STR(t.s[2], "quiet");
    CHECK(rest == NULL);
}

TEST(tokenize_quoted_value_with_spaces)
{
    char buf[256], *rest;
    struct toks t = tokenize("rootflags=\"data=journal, x\" LABEL=a", &rest, buf);
    CHECK(t.n == 2);
    CHECK_STR(t.s[0], "rootflags=[data=journal, x]");
    CHECK_STR(t.s[1], "LABEL=[a]");
}

TEST(tokenize_quoted_whole_token)
{
    char buf[256], *rest;
    struct toks t = tokenize("\"root=LABEL=my disk\" rw", &rest, buf);
    CHECK(t.n == 2);
    CHECK_STR(t.s[0], "root=[LABEL=my disk]");
    CHECK_STR(t.s[1], "rw");
}

TEST(tokenize_inner_quotes_kept_like_the_kernel)
{
    char buf[256], *rest;
    struct toks t = tokenize("root=UUID=\"AB-CD\" x=\"y\"", &rest, buf);
    CHECK(t.n == 2);
    CHECK_STR(t.s[0], "root=[UUID=\"AB-CD\"]");
    CHECK_STR(t.s[1], "x=[y]");
}

TEST(tokenize_double_dash_ends_options)
{
    char buf[256], *rest;
    struct toks t = tokenize("root=/dev/sda -- single  rw=1", &rest, buf);
    CHECK(t.n == 1);
    CHECK_STR(rest, "single  rw=1");
}

TEST(tokenize_trailing_double_dash)
{
    char buf[256], *rest = (char *)"x";
    struct toks t = tokenize("quiet --", &rest, buf);
    CHECK(t.n == 1);
    CHECK(rest == NULL);
}

TEST(tokenize_empty_and_unterminated_quote)
{
    char buf[256], *rest;
    struct toks t = tokenize("", &rest, buf);
    CHECK(t.n == 0);
    t = tokenize("a=\"unterminated value", &rest, buf);
    CHECK(t.n == 1);
    CHECK_STR(t.s[0], "a=[unterminated value]");
    t = tokenize("empty= x", &rest, buf);
    CHECK(t.n == 2);
    CHECK_STR(t.s[0], "empty=[]");
}

TEST(parse_defaults)
{
    struct cmdline c;
    cmdline_parse(&c, "");
    CHECK(c.root == NULL);
    CHECK(c.rw == 0);
    CHECK(c.timeout_s == -1);
    CHECK(c.rootwait == 0);
    CHECK(c.emergency == EMERG_HALT);
    CHECK(c.brk == STAGE_NONE);
    CHECK(c.n_msgs == 0);
}

TEST(parse_last_occurrence_wins)
{
    struct cmdline c;
    cmdline_parse(&c, "root=/dev/sda1 ro root=UUID=abc rw init=/a init=/b rootfstype=xfs "
                      "rootfstype=ext4,btrfs\n");
    CHECK_STR(c.root, "UUID=abc");
    CHECK(c.rw == 1);
    CHECK_STR(c.init, "/b");
    CHECK(c.n_rootfstype == 2);
    CHECK_STR(c.rootfstype[0], "ext4");
    CHECK_STR(c.rootfstype[1], "btrfs");
    cmdline_parse(&c, "rw ro");
    CHECK(c.rw == 0);
}

TEST(parse_waits)
{
    struct cmdline c;
    cmdline_parse(&c, "rootwait");
    CHECK(c.rootwait == 1);
    cmdline_parse(&c, "rootwait=7");
    CHECK(c.rootwait == 0 && c.timeout_s == 7);
    cmdline_parse(&c, "rootwait rd.timeout=12 rootdelay=3");
    CHECK(c.rootwait == 0 && c.timeout_s == 12 && c.rootdelay_s == 3);
    cmdline_parse(&c, "rd.timeout=5 rootwait");
    CHECK(c.rootwait == 1);
}

TEST(parse_bad_numbers_are_reported)
{
    struct cmdline c;
    cmdline_parse(&c, "rd.timeout=abc rootdelay=-1 rootwait=");
    CHECK(c.timeout_s == -1);
    CHECK(c.rootdelay_s == 0);
    CHECK(c.rootwait == 0);
    CHECK(c.n_msgs == 3);
    CHECK(strstr(c.msgs[0], "rd.timeout=abc") != NULL);
}

TEST(parse_lists_accumulate)
{
    struct cmdline c;
    cmdline_parse(&c, "rd.driver.blacklist=a,b module_blacklist=c modules-load=x,,y "
                      "rd.modules-load=z");
    CHECK(c.n_blacklist == 3);
    CHECK_STR(c.blacklist[2], "c");
    CHECK(c.n_modules_load == 3);
    CHECK_STR(c.modules_load[1], "y");
    CHECK_STR(c.modules_load[2], "z");
}

TEST(parse_list_overflow_reported)
{
    char line[1024] = "modules-load=";
    for (int i = 0; i < 40; i++)
        strcat(line, "m,");
    struct cmdline c;
    cmdline_parse(&c, line);
    CHECK(c.n_modules_load == CMDLINE_MAX_LIST);
    CHECK(c.n_msgs == 1);
}

TEST(parse_failure_options)
{
    struct cmdline c;
    cmdline_parse(&c, "rd.shell rd.emergency=poweroff rd.break=pre-mount rd.debug quiet "
                      "loglevel=9");
    CHECK(c.shell == 1);
    CHECK(c.emergency == EMERG_POWEROFF);
    CHECK(c.brk == STAGE_MOUNT);
    CHECK(c.debug == 1);
    CHECK(c.quiet == 1);
    CHECK(c.loglevel == 7);
    cmdline_parse(&c, "rd.shell=0 rd.emergency=explode rd.break");
    CHECK(c.shell == 0);
    CHECK(c.emergency == EMERG_HALT);
    CHECK(c.brk == STAGE_SWITCH);
    CHECK(c.n_msgs == 1);
    cmdline_parse(&c, "rd.break=nowhere");
    CHECK(c.brk == STAGE_NONE);
    CHECK(c.n_msgs == 1);
}

TEST(parse_unknown_rd_option_is_reported)
{
    struct cmdline c;
    cmdline_parse(&c, "rd.iscsi.firmware=x single foo=bar systemd.unit=rescue.target");
    CHECK(c.n_msgs == 1);
    CHECK(strstr(c.msgs[0], "rd.iscsi.firmware") != NULL);
}

TEST(parse_empty_values)
{
    struct cmdline c;
    cmdline_parse(&c, "root= init= rootflags=");
    CHECK(c.root == NULL);
    CHECK(c.init == NULL);
    CHECK_STR(c.rootflags, "");
    CHECK(c.n_msgs == 2);
}

TEST(parse_after_double_dash_is_not_ours)
{
    struct cmdline c;
    cmdline_parse(&c, "root=/dev/vda1 -- root=/dev/evil rw");
    CHECK_STR(c.root, "/dev/vda1");
    CHECK(c.rw == 0);
}

TEST(parse_oversized_input)
{
    size_t n = CMDLINE_MAX * 3;
    char *line = malloc(n + 32);
    memset(line, 'a', n);
    strcpy(line + n, " root=/dev/late");
    struct cmdline c;
    cmdline_parse(&c, line);
    CHECK(c.truncated == 1);
    CHECK(c.root == NULL);
    CHECK(c.n_msgs == 1);
    free(line);
}

TEST(parse_verity_spellings)
{
    struct cmdline c;
    cmdline_parse(&c, "roothash=abcd systemd.verity_root_data=PARTLABEL=d "
                      "systemd.verity_root_hash=PARTLABEL=h systemd.verity_root_options=a,b");
    CHECK_STR(c.roothash, "abcd");
    CHECK_STR(c.verity_data, "PARTLABEL=d");
    CHECK_STR(c.verity_hash, "PARTLABEL=h");
    CHECK_STR(c.verity_options, "a,b");
}

TEST(env_filter)
{
    CHECK(cmdline_is_ours("verity=x"));
    CHECK(cmdline_is_ours("roothash=ab"));
    CHECK(!cmdline_is_ours("TERM=linux"));
    CHECK(!cmdline_is_ours("verityx=1"));
}

TEST(stage_names)
{
    CHECK_STR(stage_name(STAGE_MOUNT), "mount");
    CHECK_STR(stage_name((enum stage)99), "?");
}

/* Booleans as the kernel and dracut write them; anything else is off. */
TEST(parse_booleans_fail_closed)
{
    struct cmdline c;
    static const char *const off[] = {"rd.shell=0",  "rd.shell=off", "rd.shell=no",
                                      "rd.shell=n",  "rd.shell=false", "rd.shell=OFF",
                                      "rd.shell=",   "rd.shell=maybe", "rd.shell=01"};
    for (size_t i = 0; i < sizeof off / sizeof *off; i++) {
        cmdline_parse(&c, off[i]);
        if (c.shell != 0)
            unit_fail(__FILE__, __LINE__, off[i]);
        CHECK(c.given & (1ul << OPT_SHELL));
    }
    static const char *const on[] = {"rd.shell", "rd.shell=1", "rd.shell=yes", "rd.shell=on",
                                     "rd.shell=true", "rd.shell=Y", "rd.shell=TRUE"};
    for (size_t i = 0; i < sizeof on / sizeof *on; i++) {
        cmdline_parse(&c, on[i]);
        if (c.shell != 1 || c.n_msgs != 0)
            unit_fail(__FILE__, __LINE__, on[i]);
    }
    cmdline_parse(&c, "rd.shell=maybe");
    CHECK(c.n_msgs == 1 && strstr(c.msgs[0], "taking it as off"));
    cmdline_parse(&c, "rd.debug=off");
    CHECK(c.debug == 0 && c.n_msgs == 0);
    cmdline_parse(&c, "rd.debug rd.debug=0");
    CHECK(c.debug == 0);
}

/* An empty value is reported and changes nothing: it never clears an
 * earlier value (root=U root must keep U). */
TEST(parse_empty_never_clears)
{
    struct cmdline c;
    cmdline_parse(&c, "root=UUID=abc root init=/a init= rootfstype=xfs rootfstype=");
    CHECK_STR(c.root, "UUID=abc");
    CHECK_STR(c.init, "/a");
    CHECK(c.n_rootfstype == 1);
    CHECK_STR(c.rootfstype[0], "xfs");
    CHECK(c.n_msgs == 3);
    cmdline_parse(&c, "rw=1 ro=0");
    CHECK(c.rw == 0 && c.n_msgs == 2);
}

/* Every verity spelling given empty keeps verity on (see test_lockdown). */
TEST(parse_empty_verity_is_remembered)
{
    static const char *const lines[] = {
        "verity=", "roothash", "roothash=", "systemd.verity_root_data=",
        "systemd.verity_root_hash", "systemd.verity_root_options=",
        "systemd.verity_root_hash_hex="};
    struct cmdline c;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        cmdline_parse(&c, lines[i]);
        if (!c.verity_empty)
            unit_fail(__FILE__, __LINE__, lines[i]);
    }
    cmdline_parse(&c, "verity=data=/dev/a,roothash=ab verity=");
    CHECK_STR(c.verity, "data=/dev/a,roothash=ab");
    CHECK_STR(c.verity_empty, "verity");
}

/* A command line longer than the buffer: the token cut at the limit is
 * dropped, never parsed short. */
static void long_line(char *line, size_t fill, const char *tail)
{
    memset(line, 0, CMDLINE_MAX * 2);
    strcpy(line, "root=/dev/vda1 rd.shell=0 ");
    size_t l = strlen(line);
    memset(line + l, 'x', fill - l);
    line[fill] = ' ';
    strcpy(line + fill + 1, tail);
}

TEST(parse_cut_token_is_dropped)
{
    static char line[CMDLINE_MAX * 2];
    struct cmdline c;
    /* "root=/dev/sda12" straddles byte 4095: "root=/dev/sda1" must not win */
    long_line(line, CMDLINE_MAX - 16, "root=/dev/sda12 rest");
    CHECK(strlen(line) > CMDLINE_MAX - 1);
    cmdline_parse(&c, line);
    CHECK(c.truncated);
    CHECK_STR(c.root, "/dev/vda1");
    CHECK(c.n_msgs == 1 && strstr(c.msgs[0], "the option cut there (root=/dev/sda12"));
    /* "rd.shell=0" cut to "rd.shell" must not open a shell */
    long_line(line, CMDLINE_MAX - 8, "rd.shell=0 more");
    cmdline_parse(&c, line);
    CHECK(c.shell == 0);
    /* a quoted value with spaces straddling the limit is dropped whole */
    long_line(line, CMDLINE_MAX - 12, "rootflags=\"a b c d e f g\"");
    cmdline_parse(&c, line);
    CHECK(c.rootflags == NULL);
    /* a token that ends exactly at the limit is whole and kept */
    long_line(line, CMDLINE_MAX - 16, "root=/dev/sda9");
    strcat(line, " zzz");
    CHECK(line[CMDLINE_MAX - 1] == ' ');
    cmdline_parse(&c, line);
    CHECK(c.truncated);
    CHECK_STR(c.root, "/dev/sda9");
}

/* Waits become int milliseconds: bounded, and over the bound refused. */
TEST(parse_wait_bounds)
{
    struct cmdline c;
    cmdline_parse(&c, "rd.timeout=2147483");
    CHECK(c.timeout_s == 2147483 && c.n_msgs == 0);
    static const char *const bad[] = {"rd.timeout=2147484", "rd.timeout=4294968",
                                      "rootwait=99999999999999999999", "rootdelay=2147484",
                                      "rd.timeout=+5", "rd.timeout= 5", "rd.timeout=0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cmdline_parse(&c, bad[i]);
        if (c.timeout_s != -1 || c.rootdelay_s != 0 || c.n_msgs != 1)
            unit_fail(__FILE__, __LINE__, bad[i]);
    }
    cmdline_parse(&c, "rd.timeout=2147484");
    CHECK(strstr(c.msgs[0], "over the limit of 2147483 seconds"));
}

TEST(parse_given_records_spelling)
{
    struct cmdline c;
    cmdline_parse(&c, "modprobe.blacklist=x rd.break=nowhere rw");
    CHECK(c.given & (1ul << OPT_BLACKLIST));
    CHECK_STR(c.given_as[OPT_BLACKLIST], "modprobe.blacklist");
    CHECK(c.given & (1ul << OPT_BREAK)); /* given, even though the value was bad */
    CHECK(c.given & (1ul << OPT_RW));
    CHECK(!(c.given & (1ul << OPT_INIT)));
}

TEST(parse_message_overflow_is_counted)
{
    char line[2048] = "";
    for (int i = 0; i < CMDLINE_MAX_MSGS + 5; i++)
        strcat(line, "rd.nope ");
    struct cmdline c;
    cmdline_parse(&c, line);
    CHECK(c.n_msgs == CMDLINE_MAX_MSGS);
    CHECK(c.n_msgs_dropped == 5);
}

TEST(parse_empty_break_is_ignored)
{
    struct cmdline c;
    cmdline_parse(&c, "rd.break=");
    CHECK(c.brk == STAGE_NONE && c.n_msgs == 1);
    cmdline_parse(&c, "rd.break=mount rd.break=");
    CHECK(c.brk == STAGE_MOUNT);
    cmdline_parse(&c, "rd.break");
    CHECK(c.brk == STAGE_SWITCH && c.n_msgs == 0);
}

/* resume=, resume_offset=, and every kernel spelling of "do not resume". */
TEST(parse_resume)
{
    static struct cmdline c;
    cmdline_parse(&c, "root=/dev/vda1");
    CHECK(c.resume == NULL && !c.resume_offset_given && c.noresume == NULL);
    cmdline_parse(&c, "resume=UUID=abc resume_offset=34816");
    CHECK_STR(c.resume, "UUID=abc");
    CHECK(c.resume_offset_given && c.resume_offset == 34816);
    CHECK(c.noresume == NULL && c.n_msgs == 0);
    CHECK(c.given & (1ul << OPT_RESUME) && c.given & (1ul << OPT_RESUME_OFFSET));
    /* the last one wins; an empty one is reported and does not clear it */
    cmdline_parse(&c, "resume=/dev/sda2 resume=PARTUUID=p resume=");
    CHECK_STR(c.resume, "PARTUUID=p");
    CHECK(c.n_msgs == 1 && strstr(c.msgs[0], "resume needs a value"));
    /* offsets are decimal pages, up to 64 bits; junk is reported */
    cmdline_parse(&c, "resume_offset=18446744073709551615");
    CHECK(c.resume_offset_given && c.resume_offset == 18446744073709551615ull);
    static const char *const bad[] = {"resume_offset=", "resume_offset", "resume_offset=-1",
                                      "resume_offset=0x10", "resume_offset=12k",
                                      "resume_offset=18446744073709551616", "resume_offset= 1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cmdline_parse(&c, bad[i]);
        if (c.resume_offset_given || c.n_msgs != 1 || !strstr(c.msgs[0], "not a number of pages"))
            unit_fail(__FILE__, __LINE__, bad[i]);
    }
    cmdline_parse(&c, "resume_offset=7 resume_offset=x");
    CHECK(c.resume_offset_given && c.resume_offset == 7 && c.n_msgs == 1);
}

TEST(parse_noresume_spellings)
{
    static struct cmdline c;
    static const struct {
        const char *line, *said;
    } cases[] = {
        {"resume=/dev/sda2 noresume", "noresume"},
        {"noresume resume=/dev/sda2", "noresume"},
        /* the kernel takes noresume whatever follows it */
        {"resume=/dev/sda2 noresume=0", "noresume"},
        {"resume=/dev/sda2 nohibernate", "nohibernate"},
        {"resume=/dev/sda2 hibernate=noresume", "hibernate=no"},
        {"resume=/dev/sda2 hibernate=no", "hibernate=no"},
        {"resume=/dev/sda2 hibernate=nope", "hibernate=no"},
        {"resume=/dev/sda2 hibernate=nocompress", NULL},
        {"resume=/dev/sda2 hibernate=protect_image", NULL},
        {"resume=/dev/sda2 hibernate=", NULL},
        {"resume=/dev/sda2 hibernate", NULL},
        /* a later hibernate= does not undo an earlier noresume */
        {"noresume hibernate=protect_image", "noresume"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cmdline_parse(&c, cases[i].line);
        if (!((c.noresume == NULL && cases[i].said == NULL) ||
              (c.noresume && cases[i].said && !strcmp(c.noresume, cases[i].said))) ||
            c.n_msgs)
            unit_fail(__FILE__, __LINE__, cases[i].line);
    }
}

TEST(parse_volatile)
{
    static struct cmdline c;
    static const struct {
        const char *line;
        enum volatile_mode want;
        size_t msgs;
    } cases[] = {
        {"", VOLATILE_NO, 0},
        {"systemd.volatile", VOLATILE_YES, 0},
        {"systemd.volatile=yes", VOLATILE_YES, 0},
        {"systemd.volatile=1", VOLATILE_YES, 0},
        {"systemd.volatile=state", VOLATILE_STATE, 0},
        {"systemd.volatile=overlay", VOLATILE_OVERLAY, 0},
        {"systemd.volatile=overlay systemd.volatile=no", VOLATILE_NO, 0},
        /* a bad value is reported and keeps the earlier one */
        {"systemd.volatile=overlay systemd.volatile=tmpfs", VOLATILE_OVERLAY, 1},
        {"systemd.volatile=STATE", VOLATILE_NO, 1},
        {"systemd.volatile=", VOLATILE_NO, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cmdline_parse(&c, cases[i].line);
        if (c.volatile_mode != cases[i].want || c.n_msgs != cases[i].msgs)
            unit_fail(__FILE__, __LINE__, cases[i].line);
    }
}
