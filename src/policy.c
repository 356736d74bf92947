/* Lockdown: the image, not the command line, decides. Everything that
 * could loosen verification, reach a shell, or put something other than
 * the verified device (and its own init) under the real init is refused,
 * each with one line, and the boot stops with the image's fixed action. */
#include "policy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static int line_is(const char *l, size_t n, const char *key, const char **val)
{
    size_t k = strlen(key);
    if (n <= k || strncmp(l, key, k) || l[k] != '=')
        return 0;
    *val = l + k + 1;
    return 1;
}

static int parse(const char *text, size_t len, struct policy *p, char *err, size_t errlen)
{
    int seen_lockdown = 0, seen_action = 0, seen_hash = 0, seen_sig = 0, lineno = 0;

    if (memchr(text, '\0', len))
        return ERR("it holds a NUL byte");
    for (const char *l = text, *end = text + len; l < end;) {
        const char *nl = memchr(l, '\n', (size_t)(end - l));
        size_t n = nl ? (size_t)(nl - l) : (size_t)(end - l);
        const char *v, *next = nl ? nl + 1 : end;
        lineno++;
        if (n == 0 || l[0] == '#') {
            l = next;
            continue;
        }
        size_t vl;
        if (!seen_lockdown) {
            if (n != 10 || strncmp(l, "lockdown=1", 10))
                return ERR("line %d: expected lockdown=1 first", lineno);
            seen_lockdown = 1;
        } else if (line_is(l, n, "action", &v)) {
            vl = n - 7;
            if (seen_action++)
                return ERR("line %d: action= given twice", lineno);
            if (vl == 4 && !strncmp(v, "halt", 4))
                p->action = EMERG_HALT;
            else if (vl == 6 && !strncmp(v, "reboot", 6))
                p->action = EMERG_REBOOT;
            else if (vl == 8 && !strncmp(v, "poweroff", 8))
                p->action = EMERG_POWEROFF;
            else
                return ERR("line %d: action= must be halt, reboot or poweroff", lineno);
        } else if (line_is(l, n, "roothash", &v)) {
            vl = n - 9;
            if (seen_hash++)
                return ERR("line %d: roothash= given twice", lineno);
            if (vl == 0 || vl % 2 || vl > 2 * VERITY_MAX_DIGEST)
                return ERR("line %d: roothash= must be an even number of hex digits, at most "
                           "%d", lineno, 2 * VERITY_MAX_DIGEST);
            for (size_t i = 0; i < vl; i++) {
                if (!isxdigit((unsigned char)v[i]))
                    return ERR("line %d: roothash= must be hex", lineno);
                p->roothash[i] = (char)tolower((unsigned char)v[i]);
            }
            p->roothash[vl] = '\0';
        } else if (line_is(l, n, "signature", &v)) {
            vl = n - 10;
            if (seen_sig++)
                return ERR("line %d: signature= given twice", lineno);
            if (vl != 8 || strncmp(v, "required", 8))
                return ERR("line %d: signature= must be required", lineno);
            p->signature = 1;
        } else {
            return ERR("line %d: unknown setting '%.*s'", lineno, (int)(n > 40 ? 40 : n), l);
        }
        l = next;
    }
    if (!seen_lockdown)
        return ERR("it does not start with lockdown=1");
    return 0;
}

int policy_parse(const char *text, size_t len, struct policy *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->lockdown = 1; /* whatever follows, a policy file means lockdown */
    p->action = EMERG_HALT;
    if (parse(text, len, p, err, errlen) == 0)
        return 0;
    /* Nothing of a damaged policy is applied but lockdown itself: an action
     * read before the damage must not stand. */
    memset(p, 0, sizeof *p);
    p->lockdown = 1;
    p->action = EMERG_HALT;
    return -1;
}

static void say(policy_fn fn, void *ctx, const char *fmt, ...)
{
    char s[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    fn(ctx, s);
}

/* The verity options that would let a corrupted block be read. */
static size_t weakening(const struct verity_cfg *v, const char *what, policy_fn fn, void *ctx)
{
    size_t n = 0;
    if (v->ignore_corruption) {
        say(fn, ctx, "verity option ignore-corruption%s is refused: this image is locked down "
                     "(corrupted blocks must never be read)", what);
        n++;
    }
    if (v->check_at_most_once) {
        say(fn, ctx, "verity option check-at-most-once%s is refused: this image is locked down "
                     "(every read is verified)", what);
        n++;
    }
    return n;
}

size_t policy_refusals(const struct policy *p, const struct cmdline *c,
                       const struct verity_cfg *v, policy_fn fn, void *ctx)
{
    static const struct {
        enum opt id;
        const char *eq; /* how the option is written: flags bare */
        const char *why;
    } refused[] = {
        {OPT_SHELL, "", "no shell is reachable"},
        {OPT_BREAK, "", "no shell is reachable"},
        {OPT_INIT, "=", "the real init is the verified root's own"},
        {OPT_ROOTFSTYPE, "=", "the verified root is mounted as probed"},
        {OPT_ROOTFLAGS, "=", "the verified root is mounted as probed"},
        {OPT_RW, "", "the verified root is read-only"},
        {OPT_MODULES_LOAD, "=", "the image decides which modules load"},
        {OPT_BLACKLIST, "=", "the image decides which modules load"},
        {OPT_EMERGENCY, "=", "the failure action is fixed in the image"},
        /* A hibernation image is a whole running system read back from a
         * disk that nothing verifies: resuming one would put unverified
         * code and data under the verified root. */
        {OPT_RESUME, "=", "a hibernation image is not verified"},
        {OPT_RESUME_OFFSET, "=", "a hibernation image is not verified"},
    };
    size_t n = 0;
    if (!p->lockdown)
        return 0;
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (c->given & (1ul << refused[i].id)) {
            say(fn, ctx, "%s%s is refused: this image is locked down (%s)",
                c->given_as[refused[i].id], refused[i].eq, refused[i].why);
            n++;
        }
    if (!v->enabled) {
        say(fn, ctx, "no dm-verity root is asked for, and this locked-down image boots only "
                     "a verified root; add roothash= and the verity devices");
        n++;
    }
    n += weakening(v, "", fn, ctx);
    if (p->signature && v->sig) {
        say(fn, ctx, "verity option root-hash-signature= is refused: this image is locked down "
                     "(the root hash signature is the image's own, %s)", VERITY_SIG_IMAGE_PATH);
        n++;
    }
    return n;
}

size_t policy_usr_refusals(const struct policy *p, const struct cmdline *c,
                           const struct verity_cfg *u, policy_fn fn, void *ctx)
{
    static const enum opt as_probed[] = {OPT_MOUNT_USRFSTYPE, OPT_MOUNT_USRFLAGS};
    size_t n = 0;
    if (!p->lockdown)
        return 0;
    for (size_t i = 0; i < sizeof as_probed / sizeof *as_probed; i++)
        if (c->given & (1ul << as_probed[i])) {
            say(fn, ctx, "%s= is refused: this image is locked down (the verified /usr is "
                         "mounted as probed)", c->given_as[as_probed[i]]);
            n++;
        }
    if (!u->enabled) {
        if (c->given & (1ul << OPT_MOUNT_USR)) {
            say(fn, ctx, "mount.usr= is refused: this image is locked down and would mount an "
                         "unverified /usr; give usrhash= (and systemd.verity_usr_data=/_hash=) "
                         "for a verified one");
            n++;
        }
        return n;
    }
    n += weakening(u, " for /usr", fn, ctx);
    /* The image's signature is of the root hash; a /usr has to bring its
     * own, which the kernel checks against the same trusted keys. */
    if (p->signature && !u->sig) {
        say(fn, ctx, "a verified /usr without root-hash-signature= in "
                     "systemd.verity_usr_options= is refused: this image requires signed "
                     "hashes");
        n++;
    }
    return n;
}

const char *policy_root_sig(const struct policy *p, const struct verity_cfg *v,
                            int image_has_sig)
{
    if (!v->enabled)
        return NULL;
    if (p->lockdown && p->signature)
        return VERITY_SIG_IMAGE_PATH;
    if (v->sig)
        return v->sig;
    return image_has_sig ? VERITY_SIG_IMAGE_PATH : NULL;
}

size_t policy_luks_refusals(const struct policy *p, const struct cmdline *c,
                            const struct luks_cfg *l, policy_fn fn, void *ctx)
{
    size_t n = 0;
    if (!p->lockdown)
        return 0;
    if (c->given & (1ul << OPT_LUKS_DISCARD)) {
        say(fn, ctx, "%s is refused: this image is locked down (TRIM would show which "
                     "blocks of the encrypted disk are in use)", c->given_as[OPT_LUKS_DISCARD]);
        n++;
    }
    for (size_t i = 0; i < l->n; i++)
        if (l->req[i].keydev[0]) {
            say(fn, ctx, "rd.luks.key=%s:%s for UUID=%s is refused: this image is locked down "
                         "(the key's device holds a filesystem nothing verifies; put the key "
                         "in the image)", l->req[i].key, l->req[i].keydev, l->req[i].uuid);
            n++;
        }
    for (size_t i = 0; i < l->n; i++)
        if (l->req[i].discard && !(c->given & (1ul << OPT_LUKS_DISCARD))) {
            say(fn, ctx, "rd.luks.options=discard for UUID=%s is refused: this image is "
                         "locked down (TRIM would show which blocks of the encrypted disk "
                         "are in use)", l->req[i].uuid);
            n++;
        }
    return n;
}
