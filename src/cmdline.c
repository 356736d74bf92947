/* Kernel command line parsing. Pure: no I/O, so it is unit-tested on the
 * host with the hard cases (quotes, repeats, "--", junk). */
#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[] = {
    [STAGE_NONE] = "none",     [STAGE_CMDLINE] = "cmdline", [STAGE_MODULES] = "modules",
    [STAGE_ROOT] = "root",     [STAGE_VERITY] = "verity",   [STAGE_MOUNT] = "mount",
    [STAGE_SWITCH] = "switch",
};

const char *stage_name(enum stage s)
{
    return (unsigned)s < sizeof stage_names / sizeof *stage_names ? stage_names[s] : "?";
}

/* Same rules as the kernel's next_arg(): whitespace separates unless inside
 * double quotes; a token's surrounding quotes and a value's surrounding
 * quotes are dropped, so both "a=b c" and a="b c" give a -> "b c". */
size_t cmdline_tokenize(char *buf, cmdline_fn fn, void *ctx, char **rest)
{
    size_t n = 0;
    char *p = buf;

    if (rest)
        *rest = NULL;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;

        char *tok = p, *eq = NULL;
        int inq = 0, quoted = 0;
        if (*p == '"') {
            tok = ++p;
            inq = quoted = 1;
        }
        for (; *p; p++) {
            if (isspace((unsigned char)*p) && !inq)
                break;
            if (*p == '=' && !eq)
                eq = p;
            if (*p == '"')
                inq = !inq;
        }
        char *end = p;
        if (*p)
            p++;
        *end = '\0';
        /* Only a quote that opened the token or its value is closed here:
         * root=UUID="x" keeps its quotes, for the tag parser to strip. */
        if (quoted && end > tok && end[-1] == '"')
            end[-1] = '\0';

        if (!eq && strcmp(tok, "--") == 0) {
            while (isspace((unsigned char)*p))
                p++;
            if (rest && *p)
                *rest = p;
            break;
        }

        char *val = NULL;
        if (eq) {
            *eq = '\0';
            val = eq + 1;
            if (*val == '"') {
                val++;
                size_t l = strlen(val);
                if (l && val[l - 1] == '"')
                    val[l - 1] = '\0';
            }
        }
        n++;
        if (fn)
            fn(tok, val, ctx);
    }
    return n;
}

static void msg(struct cmdline *c, const char *fmt, ...)
{
    if (c->n_msgs >= CMDLINE_MAX_MSGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msgs[c->n_msgs++], sizeof c->msgs[0], fmt, ap);
    va_end(ap);
}

/* A non-negative decimal number of seconds; junk is reported, not guessed. */
static int parse_secs(struct cmdline *c, const char *key, const char *val, int *out)
{
    char *end;
    if (!val || !*val) {
        msg(c, "%s= needs a number of seconds; ignoring it", key);
        return -1;
    }
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || *end || v < 0 || v > INT_MAX) {
        msg(c, "%s=%s is not a number of seconds; ignoring it", key, val);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Split a comma list in place. Repeating the option adds to the list (as
 * with dracut's rd.driver.blacklist), duplicates are harmless. */
static void add_list(struct cmdline *c, const char *key, char *val, const char **arr, size_t *n)
{
    if (!val || !*val) {
        msg(c, "%s= is empty; ignoring it", key);
        return;
    }
    for (char *s = val, *tok; (tok = strsep(&s, ","));) {
        if (!*tok)
            continue;
        if (*n >= CMDLINE_MAX_LIST) {
            msg(c, "%s= lists more than %d entries; ignoring %s and later ones", key,
                CMDLINE_MAX_LIST, tok);
            return;
        }
        arr[(*n)++] = tok;
    }
}

static int flag_value(struct cmdline *c, const char *key, const char *val)
{
    if (!val || !strcmp(val, "1") || !strcmp(val, "yes") || !strcmp(val, "true"))
        return 1;
    if (!strcmp(val, "0") || !strcmp(val, "no") || !strcmp(val, "false"))
        return 0;
    msg(c, "%s=%s: expected 0/1/yes/no; taking it as on", key, val);
    return 1;
}

/* Need a non-empty value; records a message and returns NULL otherwise. */
static const char *need(struct cmdline *c, const char *key, const char *val)
{
    if (val && *val)
        return val;
    msg(c, "%s needs a value (%s=...); ignoring it", key, key);
    return NULL;
}

static enum stage parse_stage(struct cmdline *c, const char *val)
{
    static const struct {
        const char *name;
        enum stage s;
    } alias[] = {
        /* dracut's hook names, so habits carry over */
        {"cmdline", STAGE_CMDLINE},    {"modules", STAGE_MODULES}, {"pre-udev", STAGE_MODULES},
        {"pre-trigger", STAGE_MODULES}, {"root", STAGE_ROOT},      {"initqueue", STAGE_ROOT},
        {"verity", STAGE_VERITY},      {"mount", STAGE_MOUNT},     {"pre-mount", STAGE_MOUNT},
        {"switch", STAGE_SWITCH},      {"pre-pivot", STAGE_SWITCH}, {"cleanup", STAGE_SWITCH},
    };
    if (!val || !*val)
        return STAGE_SWITCH; /* bare rd.break: just before switching root, as dracut */
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
        if (!strcmp(val, alias[i].name))
            return alias[i].s;
    msg(c, "rd.break=%s: unknown stage (cmdline, modules, root, verity, mount, switch); "
           "ignoring it", val);
    return STAGE_NONE;
}

static void on_token(char *key, char *val, void *ctx)
{
    struct cmdline *c = ctx;

    if (!strcmp(key, "root"))
        c->root = need(c, key, val);
    else if (!strcmp(key, "rootfstype")) {
        c->n_rootfstype = 0; /* last occurrence wins */
        add_list(c, key, val, c->rootfstype, &c->n_rootfstype);
    } else if (!strcmp(key, "rootflags"))
        c->rootflags = val ? val : "";
    else if (!strcmp(key, "ro") && !val)
        c->rw = 0;
    else if (!strcmp(key, "rw") && !val)
        c->rw = 1;
    else if (!strcmp(key, "init"))
        c->init = need(c, key, val);
    else if (!strcmp(key, "rootwait")) {
        int s;
        if (!val) {
            c->rootwait = 1;
        } else if (parse_secs(c, key, val, &s) == 0) {
            c->rootwait = 0;
            c->timeout_s = s;
        }
    } else if (!strcmp(key, "rd.timeout") || !strcmp(key, "rd.retry")) {
        /* rd.retry is dracut's older spelling of the same wait */
        int s;
        if (parse_secs(c, key, val, &s) == 0) {
            c->rootwait = 0;
            c->timeout_s = s;
        }
    } else if (!strcmp(key, "rootdelay"))
        parse_secs(c, key, val, &c->rootdelay_s);
    else if (!strcmp(key, "modules-load") || !strcmp(key, "rd.modules-load"))
        add_list(c, key, val, c->modules_load, &c->n_modules_load);
    else if (!strcmp(key, "module_blacklist") || !strcmp(key, "rd.driver.blacklist") ||
             !strcmp(key, "modprobe.blacklist"))
        add_list(c, key, val, c->blacklist, &c->n_blacklist);
    else if (!strcmp(key, "quiet") && !val)
        c->quiet = 1;
    else if (!strcmp(key, "loglevel")) {
        int l;
        if (parse_secs(c, key, val, &l) == 0)
            c->loglevel = l > 7 ? 7 : l;
    } else if (!strcmp(key, "rd.debug"))
        c->debug = flag_value(c, key, val);
    else if (!strcmp(key, "rd.shell"))
        c->shell = flag_value(c, key, val);
    else if (!strcmp(key, "rd.emergency")) {
        if (val && !strcmp(val, "reboot"))
            c->emergency = EMERG_REBOOT;
        else if (val && !strcmp(val, "poweroff"))
            c->emergency = EMERG_POWEROFF;
        else if (val && !strcmp(val, "halt"))
            c->emergency = EMERG_HALT;
        else
            msg(c, "rd.emergency=%s: expected reboot, poweroff or halt; keeping halt",
                val ? val : "");
    } else if (!strcmp(key, "rd.break"))
        c->brk = parse_stage(c, val);
    else if (!strcmp(key, "verity"))
        c->verity = need(c, key, val);
    else if (!strcmp(key, "roothash") || !strcmp(key, "systemd.verity_root_hash_hex"))
        c->roothash = need(c, key, val);
    else if (!strcmp(key, "systemd.verity_root_data"))
        c->verity_data = need(c, key, val);
    else if (!strcmp(key, "systemd.verity_root_hash"))
        c->verity_hash = need(c, key, val);
    else if (!strcmp(key, "systemd.verity_root_options"))
        c->verity_options = need(c, key, val);
    else if (!strncmp(key, "rd.", 3) || !strncmp(key, "hatch.", 6))
        /* Names in our own namespaces that we do not implement are most
         * likely typos or dracut habits: say so instead of ignoring them. */
        msg(c, "%s: not a hatch option; ignoring it (see cmdline-spec.md)", key);
    /* Everything else belongs to the kernel or to the real init. */
}

void cmdline_parse(struct cmdline *c, const char *line)
{
    memset(c, 0, sizeof *c);
    c->timeout_s = -1;
    c->loglevel = -1;

    size_t len = strlen(line);
    if (len >= sizeof c->buf) {
        c->truncated = 1;
        len = sizeof c->buf - 1;
    }
    memcpy(c->buf, line, len);
    c->buf[len] = '\0';
    /* /proc/cmdline ends in a newline */
    while (len && (c->buf[len - 1] == '\n'))
        c->buf[--len] = '\0';

    char *rest;
    cmdline_tokenize(c->buf, on_token, c, &rest);
    if (c->truncated)
        msg(c, "command line longer than %d bytes; options past that are ignored",
            CMDLINE_MAX - 1);
}

int cmdline_is_ours(const char *env)
{
    /* Options without a dot that the kernel does not know: it hands them
     * to init as environment. Dotted ones (rd.*, systemd.*) it keeps. */
    static const char *const ours[] = {"verity=", "roothash="};
    for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
        if (!strncmp(env, ours[i], strlen(ours[i])))
            return 1;
    return 0;
}
