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
    cmdline_parse(&c, "rd.lvm.vg=x single foo=bar systemd.unit=rescue.target");
    CHECK(c.n_msgs == 1);
    CHECK(strstr(c.msgs[0], "rd.lvm.vg") != NULL);
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
