/* systemd-cryptsetup-generator's rd.luks.* rules, as its man page states
 * them: rd.luks.uuid= and rd.luks.name= name the volumes (both add up);
 * rd.luks.options= and rd.luks.key= apply to every volume, or to one when
 * prefixed with its UUID=; rd.luks=0 turns it all off. */
#include "luksconf.h"
#include "rootspec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void note(struct luks_cfg *l, const char *fmt, ...)
{
    if (l->n_msgs >= LUKS_MAX_MSGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->msgs[l->n_msgs++], sizeof l->msgs[0], fmt, ap);
    va_end(ap);
}

int luks_uuid_norm(const char *s, size_t len, char out[LUKS_UUID_LEN + 1])
{
    if (len >= 5 && !strncmp(s, "luks-", 5)) {
        s += 5;
        len -= 5;
    }
    size_t o = 0, hex = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '-') {
            /* dashes only where a UUID has them, or none at all */
            if (hex != 8 && hex != 12 && hex != 16 && hex != 20)
                return -1;
            continue;
        }
        if (!isxdigit((unsigned char)s[i]) || hex >= 32)
            return -1;
        if (hex == 8 || hex == 12 || hex == 16 || hex == 20)
            out[o++] = '-';
        out[o++] = (char)tolower((unsigned char)s[i]);
        hex++;
    }
    if (hex != 32)
        return -1;
    out[o] = '\0';
    /* "a-b" dash placement mixed with missing dashes is not a UUID either */
    size_t dashes = 0;
    for (size_t i = 0; i < len; i++)
        dashes += s[i] == '-';
    return dashes == 0 || dashes == 4 ? 0 : -1;
}

static struct luks_req *find(struct luks_cfg *l, const char *uuid)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->req[i].uuid, uuid))
            return &l->req[i];
    return NULL;
}

static struct luks_req *add(struct luks_cfg *l, const char *uuid, char *err, size_t errlen)
{
    struct luks_req *r = find(l, uuid);
    if (r)
        return r;
    if (l->n >= LUKS_MAX) {
        fail(err, errlen, "more than %d LUKS volumes asked for; hatch unlocks at most %d",
             LUKS_MAX, LUKS_MAX);
        return NULL;
    }
    r = &l->req[l->n++];
    memset(r, 0, sizeof *r);
    strcpy(r->uuid, uuid);
    snprintf(r->name, sizeof r->name, "luks-%s", uuid);
    r->tries = LUKS_TRIES_DEFAULT;
    return r;
}

/* A device-mapper name that is also a sane /dev/mapper file name. */
static int name_ok(const char *n)
{
    size_t len = strlen(n);
    if (!len || len > LUKS_NAME_MAX || !strcmp(n, ".") || !strcmp(n, ".."))
        return 0;
    for (const char *p = n; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("#+-.:=@_", *p))
            return 0;
    /* hatch's own mapping for the verified root */
    return strcmp(n, "hatch-verity") != 0;
}

/* "UUID=rest" → the UUID and rest; anything else → no UUID, all of it. */
static const char *split_uuid(const char *v, char uuid[LUKS_UUID_LEN + 1])
{
    const char *eq = strchr(v, '=');
    if (eq && luks_uuid_norm(v, (size_t)(eq - v), uuid) == 0)
        return eq + 1;
    uuid[0] = '\0';
    return v;
}

/* Options the way crypttab spells them; what is not known is reported,
 * never guessed at. */
static int apply_options(struct luks_cfg *l, struct luks_req *r, const char *from,
                         const char *opts, char *err, size_t errlen)
{
    char buf[256];
    if (strlen(opts) >= sizeof buf)
        return fail(err, errlen, "%s: %.40s... is too long", from, opts);
    strcpy(buf, opts);
    for (char *s = buf, *o; (o = strsep(&s, ","));) {
        if (!*o)
            continue;
        if (!strcmp(o, "discard") || !strcmp(o, "allow-discards"))
            r->discard = 1;
        else if (!strcmp(o, "readonly") || !strcmp(o, "read-only"))
            r->readonly = 1;
        else if (!strcmp(o, "luks"))
            ; /* the only type hatch opens */
        else if (!strcmp(o, "no-read-workqueue"))
            r->no_read_workqueue = 1;
        else if (!strcmp(o, "no-write-workqueue"))
            r->no_write_workqueue = 1;
        else if (!strcmp(o, "same-cpu-crypt"))
            r->same_cpu_crypt = 1;
        else if (!strcmp(o, "submit-from-crypt-cpus"))
            r->submit_from_crypt_cpus = 1;
        else if (!strncmp(o, "tries=", 6)) {
            char *end;
            long t = strtol(o + 6, &end, 10);
            if (!isdigit((unsigned char)o[6]) || *end || t < 0 || t > 100)
                return fail(err, errlen, "%s: tries=%s is not a number from 0 (no limit) to "
                                         "100", from, o + 6);
            r->tries = (int)t;
        } else if (!strcmp(o, "x-initrd.attach") || !strcmp(o, "noauto")) {
            ; /* crypttab's: meant for systemd; noauto is taken where the line is read */
        } else
            note(l, "%s: %s is not an option hatch knows (discard, readonly, "
                    "tries=N, no-read-workqueue, no-write-workqueue, same-cpu-crypt, "
                    "submit-from-crypt-cpus); ignoring it for UUID=%s", from, o, r->uuid);
    }
    return 0;
}

/* A key file p (PATH or PATH:DEVICE, already checked absolute), as written
 * in spelled (for messages) by the option or file from. */
static int set_key(struct luks_req *r, const char *from, const char *spelled, const char *p,
                   char *err, size_t errlen)
{
    /* systemd's PATH:DEVICE: the key is a file on a filesystem of its own,
     * which hatch mounts read-only to read it. */
    const char *colon = strchr(p, ':');
    size_t plen = colon ? (size_t)(colon - p) : strlen(p);
    const char *dev = colon ? colon + 1 : "";
    if (plen > LUKS_KEY_MAX || strlen(dev) > LUKS_KEY_MAX)
        return fail(err, errlen, "%s %.40s...: path too long", from, p);
    if (colon) {
        struct devspec spec;
        char why[160];
        if (devspec_parse(dev, &spec, why, sizeof why) < 0)
            return fail(err, errlen, "%s=%s: the key's device %s: %s", from, spelled, dev, why);
        if (spec.kind == SPEC_GPT_AUTO || plen <= 1)
            return fail(err, errlen, "%s=%s: expected PATH:DEVICE, a file on a device named "
                                     "as root= names one", from, spelled);
    }
    memcpy(r->key, p, plen);
    r->key[plen] = '\0';
    strcpy(r->keydev, dev);
    return 0;
}

/* One crypttab line: NAME DEVICE [KEYFILE [OPTIONS]]. The device must be
 * the LUKS header's UUID= (or /dev/disk/by-uuid/); named is 1 when the
 * command line names volumes, and then only those are taken. */
static int crypttab_line(struct luks_cfg *l, char *line, int lineno, int named,
                         const struct cmdline *c, char *err, size_t errlen)
{
    char *f[4] = {0};
    int n = 0;
    for (char *s = line, *t; n < 4 && (t = strsep(&s, " \t"));)
        if (*t)
            f[n++] = t;
    if (!n)
        return 0;
    if (n < 2) {
        note(l, "/etc/crypttab line %d: expected NAME DEVICE [KEYFILE [OPTIONS]]; ignoring it",
             lineno);
        return 0;
    }
    char uuid[LUKS_UUID_LEN + 1];
    const char *dev = f[1];
    if (!strncmp(dev, "UUID=", 5))
        dev += 5;
    else if (!strncmp(dev, "/dev/disk/by-uuid/", 18))
        dev += 18;
    else
        dev = NULL;
    if (!dev || luks_uuid_norm(dev, strlen(dev), uuid) < 0) {
        note(l, "/etc/crypttab line %d: %s: hatch finds LUKS volumes by UUID= only; not "
                "unlocking %s", lineno, f[1], f[0]);
        return 0;
    }
    if (named) {
        int wanted = 0;
        char u[LUKS_UUID_LEN + 1];
        for (size_t i = 0; i < c->n_luks_uuid && !wanted; i++)
            wanted = luks_uuid_norm(c->luks_uuid[i], strlen(c->luks_uuid[i]), u) == 0 &&
                     !strcmp(u, uuid);
        for (size_t i = 0; i < c->n_luks_name && !wanted; i++) {
            split_uuid(c->luks_name[i], u);
            wanted = u[0] && !strcmp(u, uuid);
        }
        if (!wanted)
            return 0; /* as systemd: rd.luks.uuid= picks among them */
    } else if (f[3]) {
        /* noauto: only when the command line asks for it */
        char o[256];
        snprintf(o, sizeof o, ",%s,", f[3]);
        if (strstr(o, ",noauto,"))
            return 0;
    }
    if (!name_ok(f[0]))
        return fail(err, errlen, "/etc/crypttab line %d: NAME %s must be 1 to %d letters, "
                                 "digits or #+-.:=@_", lineno, f[0], LUKS_NAME_MAX);
    struct luks_req *r = add(l, uuid, err, errlen);
    if (!r)
        return -1;
    strcpy(r->name, f[0]);
    char from[40];
    snprintf(from, sizeof from, "/etc/crypttab line %d", lineno);
    if (f[2] && strcmp(f[2], "none") && strcmp(f[2], "-")) {
        if (f[2][0] != '/')
            return fail(err, errlen, "%s: the key file %s must be an absolute path", from,
                        f[2]);
        if (set_key(r, from, f[2], f[2], err, errlen) < 0)
            return -1;
    }
    if (f[3] && apply_options(l, r, from, f[3], err, errlen) < 0)
        return -1;
    return 0;
}

int luks_cfg_parse(const struct cmdline *c, struct luks_cfg *l, char *err, size_t errlen)
{
    return luks_cfg_parse_crypttab(c, NULL, l, err, errlen);
}

int luks_cfg_parse_crypttab(const struct cmdline *c, const char *crypttab, struct luks_cfg *l,
                            char *err, size_t errlen)
{
    char uuid[LUKS_UUID_LEN + 1];
    memset(l, 0, sizeof *l);
    err[0] = '\0';
    if (c->luks == 0) {
        l->disabled = 1;
        if (c->n_luks_uuid || c->n_luks_name)
            note(l, "rd.luks=0: not unlocking the LUKS volumes named by rd.luks.uuid=/"
                    "rd.luks.name=");
        return 0;
    }
    /* The image's crypttab first: the command line then names, keys and
     * options over it. */
    if (crypttab && c->luks_crypttab != 0) {
        char buf[LUKS_CRYPTTAB_MAX];
        if (strlen(crypttab) >= sizeof buf)
            return fail(err, errlen, "/etc/crypttab is longer than %zu bytes", sizeof buf - 1);
        strcpy(buf, crypttab);
        int lineno = 0, named = c->n_luks_uuid || c->n_luks_name;
        for (char *s = buf, *line; (line = strsep(&s, "\n"));) {
            lineno++;
            char *hash = strchr(line, '#');
            if (hash)
                *hash = '\0';
            if (crypttab_line(l, line, lineno, named, c, err, errlen) < 0)
                return -1;
        }
    }
    for (size_t i = 0; i < c->n_luks_uuid; i++) {
        if (luks_uuid_norm(c->luks_uuid[i], strlen(c->luks_uuid[i]), uuid) < 0)
            return fail(err, errlen, "rd.luks.uuid=%s is not a UUID (the one cryptsetup "
                                     "luksUUID prints)", c->luks_uuid[i]);
        if (!add(l, uuid, err, errlen))
            return -1;
    }
    for (size_t i = 0; i < c->n_luks_name; i++) {
        const char *name = split_uuid(c->luks_name[i], uuid);
        if (!uuid[0])
            return fail(err, errlen, "rd.luks.name=%s: expected UUID=NAME", c->luks_name[i]);
        if (!name_ok(name))
            return fail(err, errlen, "rd.luks.name=%s: NAME must be 1 to %d letters, digits "
                                     "or #+-.:=@_ (and not hatch-verity)", c->luks_name[i],
                        LUKS_NAME_MAX);
        struct luks_req *r = add(l, uuid, err, errlen);
        if (!r)
            return -1;
        strcpy(r->name, name);
    }
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(l->req[i].name, l->req[j].name))
                return fail(err, errlen, "rd.luks.name: UUID=%s and UUID=%s are both to be "
                                         "/dev/mapper/%s", l->req[j].uuid, l->req[i].uuid,
                            l->req[i].name);

    /* Options and keys: the ones for all volumes first, then those for one
     * UUID, so a volume's own setting wins wherever it was written. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < c->n_luks_options; i++) {
            const char *o = split_uuid(c->luks_options[i], uuid);
            if (!!uuid[0] != pass)
                continue;
            struct luks_req *one = uuid[0] ? find(l, uuid) : NULL;
            if (uuid[0] && !one)
                return fail(err, errlen, "rd.luks.options=%s names a UUID that no "
                                         "rd.luks.uuid= or rd.luks.name= asks to unlock",
                            c->luks_options[i]);
            for (size_t k = 0; k < l->n; k++)
                if ((!one || one == &l->req[k]) &&
                    apply_options(l, &l->req[k], "rd.luks.options", o, err, errlen) < 0)
                    return -1;
        }
        for (size_t i = 0; i < c->n_luks_key; i++) {
            const char *p = split_uuid(c->luks_key[i], uuid);
            if (!!uuid[0] != pass)
                continue;
            struct luks_req *one = uuid[0] ? find(l, uuid) : NULL;
            if (uuid[0] && !one)
                return fail(err, errlen, "rd.luks.key=%s names a UUID that no rd.luks.uuid= "
                                         "or rd.luks.name= asks to unlock", c->luks_key[i]);
            if (p[0] != '/')
                return fail(err, errlen, "rd.luks.key=%s: the key file must be an absolute "
                                         "path (in the image, or PATH:DEVICE on a device)",
                            c->luks_key[i]);
            /* systemd's PATH:DEVICE: the key is a file on a filesystem of
             * its own, which hatch mounts read-only to read it. */
            for (size_t k = 0; k < l->n; k++)
                if ((!one || one == &l->req[k]) &&
                    set_key(&l->req[k], "rd.luks.key", c->luks_key[i], p, err, errlen) < 0)
                    return -1;
        }
    }
    if (c->luks_discard)
        for (size_t k = 0; k < l->n; k++)
            l->req[k].discard = 1;
    if (!l->n && (c->n_luks_options || c->n_luks_key || c->luks_discard))
        note(l, "rd.luks.options=/rd.luks.key=/rd.luks.discard given, but no rd.luks.uuid= "
                "or rd.luks.name= says which LUKS volume to unlock; nothing is unlocked");
    return 0;
}
