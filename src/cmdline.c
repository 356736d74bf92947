/* Kernel command line parsing. Pure: no I/O, so it is unit-tested on the
 * host with the hard cases (quotes, repeats, "--", junk) and fuzzed. */
#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const stage_names[] = {
    [STAGE_NONE] = "none",     [STAGE_CMDLINE] = "cmdline", [STAGE_MODULES] = "modules",
    [STAGE_ROOT] = "root",     [STAGE_VERITY] = "verity",   [STAGE_MOUNT] = "mount",
    [STAGE_SWITCH] = "switch",
};

const char *stage_name(enum stage s)
{
    return (unsigned)s < sizeof stage_names / sizeof *stage_names ? stage_names[s] : "?";
}

/* Where the token starting at p ends: at whitespace outside double quotes,
 * or at the end of the string. */
static char *token_end(const char *p)
{
    int inq = 0;
    for (; *p; p++) {
        if (isspace((unsigned char)*p) && !inq)
            break;
        if (*p == '"')
            inq = !inq;
    }
    return (char *)p;
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

        char *tok = p, *end = token_end(p);
        int quoted = *p == '"';
        if (quoted)
            tok++;
        p = *end ? end + 1 : end;
        *end = '\0';
        /* Only a quote that opened the token or its value is closed here:
         * root=UUID="x" keeps its quotes, for the tag parser to strip. */
        if (quoted && end > tok && end[-1] == '"')
            end[-1] = '\0';
        char *eq = strchr(tok, '=');

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
    if (c->n_msgs >= CMDLINE_MAX_MSGS) {
        c->n_msgs_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msgs[c->n_msgs++], sizeof c->msgs[0], fmt, ap);
    va_end(ap);
}

int cmdline_bool(const char *val)
{
    static const char *const on[] = {"1", "y", "yes", "on", "true"};
    static const char *const off[] = {"0", "n", "no", "off", "false"};
    for (size_t i = 0; i < sizeof on / sizeof *on; i++) {
        if (!strcasecmp(val, on[i]))
            return 1;
        if (!strcasecmp(val, off[i]))
            return 0;
    }
    return -1;
}

/* A non-negative decimal number up to max; junk is reported, not guessed.
 * Returns 0 and sets *out, or -1 leaving *out alone. */
static int parse_num(struct cmdline *c, const char *key, const char *val, long max,
                     const char *what, int *out)
{
    char *end;
    if (!val || !*val) {
        msg(c, "%s= needs a number of %s; ignoring it", key, what);
        return -1;
    }
    if (!isdigit((unsigned char)*val)) {
        msg(c, "%s=%s is not a number of %s; ignoring it", key, val, what);
        return -1;
    }
    errno = 0;
    long v = strtol(val, &end, 10);
    if (*end) {
        msg(c, "%s=%s is not a number of %s; ignoring it", key, val, what);
        return -1;
    }
    if (errno || v > max) {
        msg(c, "%s=%s is over the limit of %ld %s; ignoring it%s", key, val, max, what,
            max == CMDLINE_MAX_SECS ? " (give rootwait to wait without limit)" : "");
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

/* A bare flag is on; a value must be a boolean. Anything else is reported
 * and means off: a typo must never open a shell or change the boot. */
static int flag_value(struct cmdline *c, const char *key, const char *val)
{
    if (!val)
        return 1;
    int b = cmdline_bool(val);
    if (b < 0)
        msg(c, "%s=%s: expected 1/0, yes/no, on/off or true/false; taking it as off", key,
            val);
    return b > 0;
}

/* A string option: an empty value is reported and leaves the earlier value
 * (or the default) in place; it never clears it. */
static void set_str(struct cmdline *c, const char *key, const char *val, const char **dst)
{
    if (val && *val)
        *dst = val;
    else
        msg(c, "%s needs a value (%s=...); ignoring it", key, key);
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
    if (!val)
        return STAGE_SWITCH; /* bare rd.break: just before switching root, as dracut */
    if (!*val) {
        /* an empty value is a mistake, and must not leave a boot at a shell */
        msg(c, "rd.break= is empty; ignoring it (bare rd.break stops before the switch)");
        return c->brk;
    }
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
        if (!strcmp(val, alias[i].name))
            return alias[i].s;
    msg(c, "rd.break=%s: unknown stage (cmdline, modules, root, verity, mount, switch); "
           "ignoring it", val);
    return STAGE_NONE;
}

/* --- one handler per option ------------------------------------------------ */

static void set_root(struct cmdline *c, const char *k, char *v) { set_str(c, k, v, &c->root); }
static void set_init(struct cmdline *c, const char *k, char *v) { set_str(c, k, v, &c->init); }

/* A list where the last occurrence wins; an empty one does not clear the
 * earlier. */
static void set_last_list(struct cmdline *c, const char *k, char *v, const char **arr,
                          size_t *n)
{
    const char *save[CMDLINE_MAX_LIST];
    size_t had = *n;
    memcpy(save, arr, sizeof save);
    *n = 0;
    add_list(c, k, v, arr, n);
    if (!*n) {
        memcpy(arr, save, sizeof save);
        *n = had;
    }
}

static void set_rootfstype(struct cmdline *c, const char *k, char *v)
{
    set_last_list(c, k, v, c->rootfstype, &c->n_rootfstype);
}

static void set_rootflags(struct cmdline *c, const char *k, char *v)
{
    (void)k;
    c->rootflags = v ? v : ""; /* empty is meaningful: no flags */
}

static void set_rw(struct cmdline *c, const char *k, char *v)
{
    if (v) {
        msg(c, "%s takes no value; ignoring %s=%s", k, k, v);
        return;
    }
    c->rw = !strcmp(k, "rw");
}

static void set_rootwait(struct cmdline *c, const char *k, char *v)
{
    int s;
    if (!v) {
        c->rootwait = 1;
    } else if (parse_num(c, k, v, CMDLINE_MAX_SECS, "seconds", &s) == 0) {
        c->rootwait = 0;
        c->timeout_s = s;
    }
}

static void set_timeout(struct cmdline *c, const char *k, char *v)
{
    int s;
    if (parse_num(c, k, v, CMDLINE_MAX_SECS, "seconds", &s) == 0) {
        c->rootwait = 0;
        c->timeout_s = s;
    }
}

static void set_rootdelay(struct cmdline *c, const char *k, char *v)
{
    parse_num(c, k, v, CMDLINE_MAX_SECS, "seconds", &c->rootdelay_s);
}

static void set_modules_load(struct cmdline *c, const char *k, char *v)
{
    add_list(c, k, v, c->modules_load, &c->n_modules_load);
}

static void set_blacklist(struct cmdline *c, const char *k, char *v)
{
    add_list(c, k, v, c->blacklist, &c->n_blacklist);
}

static void set_quiet(struct cmdline *c, const char *k, char *v)
{
    (void)k;
    if (!v) /* the kernel's flag; quiet=x is not it */
        c->quiet = 1;
}

static void set_loglevel(struct cmdline *c, const char *k, char *v)
{
    int l;
    /* the kernel takes any level; above 7 everything shows, as at 7 */
    if (parse_num(c, k, v, 2147483647, "levels", &l) == 0)
        c->loglevel = l > 7 ? 7 : l;
}

static void set_debug(struct cmdline *c, const char *k, char *v) { c->debug = flag_value(c, k, v); }
static void set_shell(struct cmdline *c, const char *k, char *v) { c->shell = flag_value(c, k, v); }

static void set_emergency(struct cmdline *c, const char *k, char *v)
{
    static const char *const names[] = {[EMERG_HALT] = "halt", [EMERG_REBOOT] = "reboot",
                                        [EMERG_POWEROFF] = "poweroff"};
    for (size_t i = 0; v && i < sizeof names / sizeof *names; i++)
        if (!strcmp(v, names[i])) {
            c->emergency = (enum emergency_action)i;
            return;
        }
    msg(c, "%s=%s: expected reboot, poweroff or halt; keeping %s", k, v ? v : "",
        names[c->emergency]);
}

static void set_break(struct cmdline *c, const char *k, char *v)
{
    (void)k;
    c->brk = parse_stage(c, v);
}

/* An empty verity value must not turn verity off: it is remembered, and
 * the verity configuration refuses to boot on it. */
static void set_verity_str(const char *k, const char *v, const char **dst, const char **empty)
{
    if (v && *v)
        *dst = v;
    else if (!*empty)
        *empty = k;
}

#define VERITY_SETTER(fn, field, empty)                                                   \
    static void fn(struct cmdline *c, const char *k, char *v)                            \
    {                                                                                    \
        set_verity_str(k, v, &c->field, &c->empty);                                      \
    }
VERITY_SETTER(set_verity, verity, verity_empty)
VERITY_SETTER(set_roothash, roothash, verity_empty)
VERITY_SETTER(set_verity_data, verity_data, verity_empty)
VERITY_SETTER(set_verity_hash, verity_hash, verity_empty)
VERITY_SETTER(set_verity_options, verity_options, verity_empty)
VERITY_SETTER(set_usrhash, usrhash, verity_usr_empty)
VERITY_SETTER(set_verity_usr_data, verity_usr_data, verity_usr_empty)
VERITY_SETTER(set_verity_usr_hash, verity_usr_hash, verity_usr_empty)
VERITY_SETTER(set_verity_usr_options, verity_usr_options, verity_usr_empty)
#undef VERITY_SETTER

static void set_mount_usr(struct cmdline *c, const char *k, char *v)
{
    set_str(c, k, v, &c->mount_usr);
}
static void set_mount_usrfstype(struct cmdline *c, const char *k, char *v)
{
    set_last_list(c, k, v, c->mount_usrfstype, &c->n_mount_usrfstype);
}
static void set_mount_usrflags(struct cmdline *c, const char *k, char *v)
{
    (void)k;
    c->mount_usrflags = v ? v : ""; /* as rootflags: empty means no flags */
}

static void set_resume(struct cmdline *c, const char *k, char *v)
{
    set_str(c, k, v, &c->resume);
}

/* The kernel reads it with %llu: a decimal count of pages. */
static void set_resume_offset(struct cmdline *c, const char *k, char *v)
{
    char *end;
    if (!v || !isdigit((unsigned char)*v)) {
        msg(c, "%s=%s is not a number of pages; ignoring it", k, v ? v : "");
        return;
    }
    errno = 0;
    unsigned long long o = strtoull(v, &end, 10);
    if (*end || errno) {
        msg(c, "%s=%s is not a number of pages; ignoring it", k, v);
        return;
    }
    c->resume_offset = o;
    c->resume_offset_given = 1;
}

/* As the kernel: noresume and nohibernate whatever follows them, and
 * hibernate= values starting with "no" but for "nocompress". Not resuming
 * is the safe side, so nothing here is taken as a request to resume. */
static void set_noresume(struct cmdline *c, const char *k, char *v)
{
    if (strcmp(k, "hibernate")) {
        c->noresume = k;
        return;
    }
    if (v && !strncmp(v, "no", 2) && strncmp(v, "nocompress", 10))
        c->noresume = "hibernate=no";
}

/* As systemd: a boolean, or state or overlay; the bare word means yes. */
static void set_volatile(struct cmdline *c, const char *k, char *v)
{
    if (v && !strcmp(v, "state"))
        c->volatile_mode = VOLATILE_STATE;
    else if (v && !strcmp(v, "overlay"))
        c->volatile_mode = VOLATILE_OVERLAY;
    else if (!v || cmdline_bool(v) >= 0)
        c->volatile_mode = !v || cmdline_bool(v) ? VOLATILE_YES : VOLATILE_NO;
    else
        msg(c, "%s=%s: expected yes, no, state or overlay; ignoring it", k, v);
}

/* A feature switch (rd.luks=, rd.luks.crypttab=, rd.md=, rd.lvm=): a
 * boolean, the bare key meaning on. Anything else is reported and leaves
 * the feature on: turning it off by a typo would only hide the cause later
 * (and rd.luks.crypttab= names what the image was built for). */
static void set_switch(struct cmdline *c, const char *k, const char *v, int *field)
{
    int b = v ? cmdline_bool(v) : 1;
    if (b < 0)
        msg(c, "%s=%s: expected 1/0, yes/no, on/off or true/false; ignoring it", k, v);
    else
        *field = b;
}

/* The rd.luks.* lists: every occurrence adds one entry (a value is never
 * split at commas: options are a comma list of their own). */
static void add_one(struct cmdline *c, const char *k, const char *v, const char **arr,
                    size_t *n)
{
    if (!v || !*v) {
        msg(c, "%s needs a value (%s=...); ignoring it", k, k);
        return;
    }
    if (*n >= CMDLINE_MAX_LIST) {
        msg(c, "%s= given more than %d times; ignoring %s", k, CMDLINE_MAX_LIST, v);
        return;
    }
    arr[(*n)++] = v;
}

static void set_luks_uuid(struct cmdline *c, const char *k, char *v)
{
    add_one(c, k, v, c->luks_uuid, &c->n_luks_uuid);
}
static void set_luks_name(struct cmdline *c, const char *k, char *v)
{
    add_one(c, k, v, c->luks_name, &c->n_luks_name);
}
static void set_luks_key(struct cmdline *c, const char *k, char *v)
{
    add_one(c, k, v, c->luks_key, &c->n_luks_key);
}
static void set_luks_options(struct cmdline *c, const char *k, char *v)
{
    add_one(c, k, v, c->luks_options, &c->n_luks_options);
}
static void set_luks_discard(struct cmdline *c, const char *k, char *v)
{
    c->luks_discard = flag_value(c, k, v);
}

static void set_md_uuid(struct cmdline *c, const char *k, char *v)
{
    add_one(c, k, v, c->md_uuid, &c->n_md_uuid);
}

static void set_lvm_vg(struct cmdline *c, const char *k, char *v)
{
    add_one(c, k, v, c->lvm_vg, &c->n_lvm_vg);
}
static void set_lvm_lv(struct cmdline *c, const char *k, char *v)
{
    add_one(c, k, v, c->lvm_lv, &c->n_lvm_lv);
}

static const struct option {
    const char *key;
    enum opt id;
    void (*set)(struct cmdline *c, const char *key, char *val);
} options[] = {
    {"root", OPT_ROOT, set_root},
    {"rootfstype", OPT_ROOTFSTYPE, set_rootfstype},
    {"rootflags", OPT_ROOTFLAGS, set_rootflags},
    {"ro", OPT_RO, set_rw},
    {"rw", OPT_RW, set_rw},
    {"init", OPT_INIT, set_init},
    {"rootwait", OPT_ROOTWAIT, set_rootwait},
    {"rd.timeout", OPT_TIMEOUT, set_timeout},
    {"rd.retry", OPT_TIMEOUT, set_timeout}, /* dracut's older spelling */
    {"rootdelay", OPT_ROOTDELAY, set_rootdelay},
    {"modules-load", OPT_MODULES_LOAD, set_modules_load},
    {"rd.modules-load", OPT_MODULES_LOAD, set_modules_load},
    {"module_blacklist", OPT_BLACKLIST, set_blacklist},
    {"rd.driver.blacklist", OPT_BLACKLIST, set_blacklist},
    {"modprobe.blacklist", OPT_BLACKLIST, set_blacklist},
    {"quiet", OPT_QUIET, set_quiet},
    {"loglevel", OPT_LOGLEVEL, set_loglevel},
    {"rd.debug", OPT_DEBUG, set_debug},
    {"rd.shell", OPT_SHELL, set_shell},
    {"rd.emergency", OPT_EMERGENCY, set_emergency},
    {"rd.break", OPT_BREAK, set_break},
    {"verity", OPT_VERITY, set_verity},
    {"roothash", OPT_ROOTHASH, set_roothash},
    {"systemd.verity_root_hash_hex", OPT_ROOTHASH, set_roothash},
    {"systemd.verity_root_data", OPT_VERITY_DATA, set_verity_data},
    {"systemd.verity_root_hash", OPT_VERITY_HASH, set_verity_hash},
    {"systemd.verity_root_options", OPT_VERITY_OPTIONS, set_verity_options},
    {"resume", OPT_RESUME, set_resume},
    {"resume_offset", OPT_RESUME_OFFSET, set_resume_offset},
    {"noresume", OPT_NORESUME, set_noresume},
    {"nohibernate", OPT_NORESUME, set_noresume},
    {"hibernate", OPT_NORESUME, set_noresume},
    {"systemd.volatile", OPT_VOLATILE, set_volatile},
    {"rd.luks.uuid", OPT_LUKS_UUID, set_luks_uuid},
    {"rd.luks.name", OPT_LUKS_NAME, set_luks_name},
    {"rd.luks.key", OPT_LUKS_KEY, set_luks_key},
    {"rd.luks.options", OPT_LUKS_OPTIONS, set_luks_options},
    {"rd.luks.discard", OPT_LUKS_DISCARD, set_luks_discard},
    {"rd.luks.allow-discards", OPT_LUKS_DISCARD, set_luks_discard}, /* dracut's spelling */
    {"usrhash", OPT_USRHASH, set_usrhash},
    {"systemd.verity_usr_data", OPT_VERITY_USR_DATA, set_verity_usr_data},
    {"systemd.verity_usr_hash", OPT_VERITY_USR_HASH, set_verity_usr_hash},
    {"systemd.verity_usr_options", OPT_VERITY_USR_OPTIONS, set_verity_usr_options},
    {"mount.usr", OPT_MOUNT_USR, set_mount_usr},
    {"mount.usrfstype", OPT_MOUNT_USRFSTYPE, set_mount_usrfstype},
    {"mount.usrflags", OPT_MOUNT_USRFLAGS, set_mount_usrflags},
    {"rd.md.uuid", OPT_MD_UUID, set_md_uuid},
    {"rd.lvm.vg", OPT_LVM_VG, set_lvm_vg},
    {"rd.lvm.lv", OPT_LVM_LV, set_lvm_lv},
};

/* The feature switches: set_switch() on their fields. */
static const struct switch_option {
    const char *key;
    enum opt id;
    size_t field; /* offsetof(struct cmdline, ...) */
} switches[] = {
    {"rd.luks", OPT_LUKS, offsetof(struct cmdline, luks)},
    {"rd.luks.crypttab", OPT_LUKS_CRYPTTAB, offsetof(struct cmdline, luks_crypttab)},
    {"rd.md", OPT_MD, offsetof(struct cmdline, md)},
    {"rd.lvm", OPT_LVM, offsetof(struct cmdline, lvm)},
};

static void given(struct cmdline *c, enum opt id, const char *key)
{
    c->given |= 1ul << id;
    c->given_as[id] = key;
}

static void on_token(char *key, char *val, void *ctx)
{
    struct cmdline *c = ctx;
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        if (!strcmp(key, options[i].key)) {
            given(c, options[i].id, options[i].key);
            options[i].set(c, key, val);
            return;
        }
    for (size_t i = 0; i < sizeof switches / sizeof *switches; i++)
        if (!strcmp(key, switches[i].key)) {
            given(c, switches[i].id, switches[i].key);
            set_switch(c, key, val, (int *)((char *)c + switches[i].field));
            return;
        }
    if (!strncmp(key, "rd.", 3) || !strncmp(key, "hatch.", 6))
        /* Names in our own namespaces that we do not implement are most
         * likely typos or dracut habits: say so instead of ignoring them. */
        msg(c, "%s: not a hatch option; ignoring it (see cmdline-spec.md)", key);
    /* Everything else belongs to the kernel or to the real init. */
}

/* The longest prefix of whole tokens of line that fits in max bytes; the
 * token that runs past max is dropped, not parsed cut short (a cut
 * "root=/dev/sda12" must not become "root=/dev/sda1"). */
static size_t whole_tokens(const char *line, size_t max, const char **cut)
{
    const char *p = line;
    *cut = NULL;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || (size_t)(p - line) >= max)
            return (size_t)(p - line) < max ? (size_t)(p - line) : max;
        const char *end = token_end(p);
        if ((size_t)(end - line) > max) {
            *cut = p;
            return (size_t)(p - line);
        }
        p = end;
    }
}

void cmdline_parse(struct cmdline *c, const char *line)
{
    memset(c, 0, sizeof *c);
    c->timeout_s = -1;
    c->loglevel = -1;
    c->luks = -1;
    c->luks_crypttab = -1;
    c->md = -1;
    c->lvm = -1;

    const char *cut = NULL;
    size_t len = strlen(line);
    if (len >= sizeof c->buf) {
        c->truncated = 1;
        len = whole_tokens(line, sizeof c->buf - 1, &cut);
    }
    memcpy(c->buf, line, len);
    c->buf[len] = '\0';
    /* /proc/cmdline ends in a newline */
    while (len && (c->buf[len - 1] == '\n'))
        c->buf[--len] = '\0';

    char *rest;
    cmdline_tokenize(c->buf, on_token, c, &rest);
    if (c->truncated) {
        if (cut)
            msg(c, "command line longer than %d bytes; the option cut there (%.40s...) and "
                   "everything after it are ignored", CMDLINE_MAX - 1, cut);
        else
            msg(c, "command line longer than %d bytes; everything after that is ignored",
                CMDLINE_MAX - 1);
    }
}

int cmdline_is_ours(const char *env)
{
    /* Options without a dot that the kernel does not know: it hands them
     * to init as environment. Dotted ones (rd.*, systemd.*) it keeps. */
    static const char *const ours[] = {"verity=", "roothash=", "usrhash="};
    for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
        if (!strncmp(env, ours[i], strlen(ours[i])))
            return 1;
    return 0;
}
