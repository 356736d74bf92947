/* root= forms, as the kernel (init/do_mounts.c), dracut and systemd accept
 * them. There is no udev in hatch, so /dev/disk/by-* paths become tags. */
#include "rootspec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *prefix;
    enum spec_kind kind;
} tag_prefix[] = {
    {"UUID=", SPEC_UUID},
    {"LABEL=", SPEC_LABEL},
    {"PARTUUID=", SPEC_PARTUUID},
    {"PARTLABEL=", SPEC_PARTLABEL},
    {"/dev/disk/by-uuid/", SPEC_UUID},
    {"/dev/disk/by-label/", SPEC_LABEL},
    {"/dev/disk/by-partuuid/", SPEC_PARTUUID},
    {"/dev/disk/by-partlabel/", SPEC_PARTLABEL},
};

static const char *kind_name(enum spec_kind k)
{
    switch (k) {
    case SPEC_UUID: return "UUID";
    case SPEC_LABEL: return "LABEL";
    case SPEC_PARTUUID: return "PARTUUID";
    case SPEC_PARTLABEL: return "PARTLABEL";
    case SPEC_DEVNUM: return "MAJ:MIN";
    case SPEC_PATH: return "path";
    case SPEC_GPT_AUTO: return "gpt-auto";
    }
    return "?";
}

/* udev escapes by-label names (/ and space become \x2f, \x20); undo it so
 * /dev/disk/by-label/my\x20disk finds LABEL "my disk". No name holds a
 * NUL, and decoding \x00 would cut the value short (to another name, or to
 * none at all): returns -1 for it. */
static int unhex(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] == 'x' && isxdigit((unsigned char)r[2]) &&
            isxdigit((unsigned char)r[3])) {
            char h[3] = {r[2], r[3], 0};
            long c = strtol(h, NULL, 16);
            if (!c)
                return -1;
            *w++ = (char)c;
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return 0;
}

static int copy_value(struct devspec *out, const char *v, char *err, size_t errlen)
{
    size_t l = strlen(v);
    /* A tag value may be quoted: LABEL="my disk" */
    if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0]) {
        v++;
        l -= 2;
    }
    if (l == 0) {
        snprintf(err, errlen, "%s= has an empty value", kind_name(out->kind));
        return -1;
    }
    if (l >= sizeof out->value) {
        snprintf(err, errlen, "%s value is longer than %zu characters", kind_name(out->kind),
                 sizeof out->value - 1);
        return -1;
    }
    memcpy(out->value, v, l);
    out->value[l] = '\0';
    return 0;
}

static int parse_devnum(const char *s, struct devspec *out)
{
    char *end;
    unsigned long ma = strtoul(s, &end, 10);
    if (end == s || *end != ':')
        return -1;
    const char *m = end + 1;
    unsigned long mi = strtoul(m, &end, 10);
    if (end == m || *end)
        return -1;
    if (ma > 0xfff || mi > 0xfffff)
        return -1;
    out->kind = SPEC_DEVNUM;
    out->major = (unsigned)ma;
    out->minor = (unsigned)mi;
    snprintf(out->value, sizeof out->value, "%lu:%lu", ma, mi);
    return 0;
}

/* The architectures Debian builds for that the specification names. */
#define DPS(arch, root, root_verity, usr, usr_verity)                                             \
    static const char *const dps_guid[] = {root, root_verity, usr, usr_verity};                 \
    static const char *const dps_name[] = {"root-" arch, "root-" arch "-verity", "usr-" arch,  \
                                           "usr-" arch "-verity"}
#if defined(__x86_64__)
DPS("x86-64", "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5",
    "8484680c-9521-48c6-9c11-b0720656f69e", "77ff5f63-e7b6-4633-acf4-1565b864c0e6");
#elif defined(__aarch64__)
DPS("arm64", "b921b045-1df0-41c3-af44-4c6f280d3fae", "df3300ce-d69f-4c92-978c-9bfb0f38d820",
    "b0e01050-ee5f-4390-949a-9101b17104e9", "6e11a4e7-fbca-4ded-b9e9-e1a512bb664e");
#elif defined(__i386__)
DPS("x86", "44479540-f297-41b2-9af7-d131d5f0458a", "d13c5d3b-b5d1-422a-b29f-9454fdc89d76",
    "75250d76-8cc6-458e-bd66-bd47cc81a812", "8f461b0d-14ee-4e81-9aa9-049b6fb97abd");
#elif defined(__riscv) && __riscv_xlen == 64
DPS("riscv64", "72ec70a6-cf74-40e6-bd49-4bda08e8f224", "b6ed5582-440b-4209-b8da-5ff7c419ea3d",
    "beaec34b-8442-439b-a40b-984381ed097d", "8f1056be-9b05-47c4-81d6-be53128e5b54");
#else
#define DPS_NONE
#endif

const char *gpt_type(enum gpt_role role, const char **name)
{
#ifdef DPS_NONE
    (void)role;
    *name = NULL;
    return NULL;
#else
    *name = dps_name[role];
    return dps_guid[role];
#endif
}

const char *gpt_type_name(const char *guid)
{
#ifndef DPS_NONE
    for (size_t i = 0; i < sizeof dps_guid / sizeof *dps_guid; i++)
        if (!strcasecmp(guid, dps_guid[i]))
            return dps_name[i];
#else
    (void)guid;
#endif
    return NULL;
}

int efivar_guid(const unsigned char *buf, size_t len, char *out, size_t outlen)
{
    /* 36 characters of GUID, UTF-16LE, maybe followed by a NUL. */
    if (len < 4 + 72 || outlen < 37)
        return -1;
    for (size_t i = 0; i < 36; i++) {
        unsigned c = buf[4 + 2 * i] | (unsigned)buf[5 + 2 * i] << 8;
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !(c < 128 && isxdigit((int)c)))
            return -1;
        out[i] = (char)tolower((int)c);
    }
    size_t rest = len - 4 - 72;
    if (rest && !(rest >= 2 && !buf[4 + 72] && !buf[5 + 72]))
        return -1;
    out[36] = '\0';
    return 0;
}

int devspec_parse(const char *s, struct devspec *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!s || !*s) {
        snprintf(err, errlen, "empty device name");
        return -1;
    }

    if (!strcmp(s, "gpt-auto")) {
        const char *name;
        const char *guid = gpt_type(GPT_ROOT, &name);
        if (!guid) {
            snprintf(err, errlen, "gpt-auto: the Discoverable Partitions Specification names "
                                  "no root partition type for this architecture");
            return -1;
        }
        out->kind = SPEC_GPT_AUTO;
        snprintf(out->value, sizeof out->value, "%s", guid);
        return 0;
    }

    for (size_t i = 0; i < sizeof tag_prefix / sizeof *tag_prefix; i++) {
        size_t pl = strlen(tag_prefix[i].prefix);
        /* tag names are case-insensitive in dracut/systemd (uuid=...) */
        if (strncasecmp(s, tag_prefix[i].prefix, pl))
            continue;
        out->kind = tag_prefix[i].kind;
        if (copy_value(out, s + pl, err, errlen))
            return -1;
        if (tag_prefix[i].prefix[0] == '/' && unhex(out->value) < 0) {
            snprintf(err, errlen, "%s: \\x00 (a NUL) cannot be part of a %s", s,
                     kind_name(out->kind));
            return -1;
        }
        if (out->kind == SPEC_PARTUUID) {
            /* PARTUUID=<uuid>/PARTNROFF=<n>, as the kernel allows */
            char *slash = strchr(out->value, '/');
            if (slash) {
                char *end;
                if (strncasecmp(slash, "/PARTNROFF=", 11)) {
                    snprintf(err, errlen, "PARTUUID=%s: only /PARTNROFF=N may follow the UUID",
                             out->value);
                    return -1;
                }
                long off = strtol(slash + 11, &end, 10);
                if (end == slash + 11 || *end || off < -128 || off > 128) {
                    snprintf(err, errlen, "PARTNROFF=%s is not a small integer", slash + 11);
                    return -1;
                }
                out->partnroff = (int)off;
                *slash = '\0';
                if (!out->value[0]) {
                    snprintf(err, errlen, "PARTUUID= has an empty value");
                    return -1;
                }
            }
        }
        return 0;
    }

    if (!strncmp(s, "/dev/", 5)) {
        const char *n = s + 5;
        if (!strncmp(n, "mapper/", 7))
            n += 7; /* /dev/mapper/X: a device-mapper name, matched as such */
        if (!*n || strchr(n, '/')) {
            snprintf(err, errlen,
                     "%s: expected /dev/NAME or /dev/disk/by-{uuid,label,partuuid,partlabel}/X",
                     s);
            return -1;
        }
        out->kind = SPEC_PATH;
        return copy_value(out, s + 5, err, errlen);
    }

    if (isdigit((unsigned char)s[0]) && strchr(s, ':') && parse_devnum(s, out) == 0)
        return 0;

    snprintf(err, errlen,
             "'%s' is not a device: use /dev/NAME, MAJ:MIN, UUID=, LABEL=, PARTUUID= or "
             "PARTLABEL=",
             s);
    return -1;
}

int devspec_match(const struct devspec *spec, const struct blockdev *dev)
{
    switch (spec->kind) {
    case SPEC_PATH:
        if (!strncmp(spec->value, "mapper/", 7))
            return dev->dmname[0] && strcmp(spec->value + 7, dev->dmname) == 0;
        return strcmp(spec->value, dev->name) == 0;
    case SPEC_DEVNUM: return spec->major == dev->major && spec->minor == dev->minor;
    case SPEC_UUID: return dev->uuid[0] && strcasecmp(spec->value, dev->uuid) == 0;
    case SPEC_LABEL: return dev->label[0] && strcmp(spec->value, dev->label) == 0;
    case SPEC_PARTUUID:
        /* MBR "SSSSSSSS-PP" is compared as text too: libblkid reports it
         * in that same form. */
        return dev->partuuid[0] && strcasecmp(spec->value, dev->partuuid) == 0;
    case SPEC_PARTLABEL: return dev->partlabel[0] && strcmp(spec->value, dev->partlabel) == 0;
    case SPEC_GPT_AUTO:
        /* "no-auto" partitions are for something else to mount. */
        return dev->partno && strcasecmp(spec->value, dev->parttype) == 0 &&
               !(dev->partflags & GPT_FLAG_NO_AUTO);
    }
    return 0;
}

/* With spec->near, a match must be on the disk of the partition near names;
 * while that partition has not been seen, nothing matches. */
static int near_ok(const struct devspec *spec, const struct blockdev *devs, size_t n, size_t i)
{
    if (spec->kind != SPEC_GPT_AUTO || !spec->near[0])
        return 1;
    for (size_t j = 0; j < n; j++)
        if (devs[j].partno && !strcasecmp(devs[j].partuuid, spec->near))
            return !strcmp(devs[j].disk, devs[i].disk);
    return 0;
}

/* The device spec names when base device i matches: i itself, or with
 * PARTNROFF the partition that much further on the same disk; -1 if none. */
static int target_of(const struct devspec *spec, const struct blockdev *devs, size_t n, size_t i)
{
    if (spec->kind != SPEC_PARTUUID || spec->partnroff == 0)
        return (int)i;
    if (!devs[i].partno)
        return -1;
    int want = devs[i].partno + spec->partnroff;
    for (size_t j = 0; j < n; j++)
        if (devs[j].partno == want && !strcmp(devs[j].disk, devs[i].disk))
            return (int)j;
    return -1;
}

static int type_ok(const char *type, const char *const *types, size_t ntypes)
{
    for (size_t i = 0; i < ntypes; i++)
        if (!strcmp(types[i], type))
            return 1;
    return ntypes == 0;
}

/* Members of one multi-device btrfs: the same filesystem UUID, each with
 * a device UUID of its own. Any one of them mounts the filesystem. */
static int btrfs_siblings(const struct blockdev *a, const struct blockdev *b)
{
    return !strcmp(a->type, "btrfs") && !strcmp(b->type, "btrfs") && a->uuid[0] &&
           !strcasecmp(a->uuid, b->uuid) && a->uuid_sub[0] && b->uuid_sub[0] &&
           strcasecmp(a->uuid_sub, b->uuid_sub);
}

/* Another device holding the same btrfs member as devs[t] (a cloned disk):
 * the kernel would take whichever it was shown last. Its index, or -1. */
static int btrfs_clone(const struct blockdev *devs, size_t n, int t)
{
    const struct blockdev *d = &devs[t];
    if (strcmp(d->type, "btrfs") || !d->uuid[0] || !d->uuid_sub[0])
        return -1;
    for (size_t j = 0; j < n; j++)
        if ((int)j != t && !strcmp(devs[j].type, "btrfs") && !strcasecmp(devs[j].uuid, d->uuid) &&
            !strcasecmp(devs[j].uuid_sub, d->uuid_sub))
            return (int)j;
    return -1;
}

static int distinct(const struct blockdev *devs, int a, int b)
{
    return a != b && !btrfs_siblings(&devs[a], &devs[b]);
}

static int find_unique(const struct devspec *spec, const struct blockdev *devs, size_t n,
                       int *second)
{
    /* Two distinct matches at most, of all and of those of a given type:
     * the type only ever tells duplicates apart, it never hides the one
     * device that matches (blkid's "ext4" for rootfstype=ext3, say). */
    int all[2] = {-1, -1}, typed[2] = {-1, -1}, n_all = 0, n_typed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!devspec_match(spec, &devs[i]) || !near_ok(spec, devs, n, i))
            continue;
        int t = target_of(spec, devs, n, i);
        if (t < 0)
            continue;
        /* a device named by path or number is that device */
        int c = spec->kind == SPEC_PATH || spec->kind == SPEC_DEVNUM ? -1
                                                                     : btrfs_clone(devs, n, t);
        if (c >= 0) {
            /* no type tells two copies of one member apart */
            *second = c;
            return t;
        }
        if (n_all < 2 && (n_all == 0 || distinct(devs, all[0], t)))
            all[n_all++] = t;
        if (spec->ntypes && type_ok(devs[t].type, spec->types, spec->ntypes) && n_typed < 2 &&
            (n_typed == 0 || distinct(devs, typed[0], t)))
            typed[n_typed++] = t;
    }
    if (n_all == 2 && n_typed == 1) {
        *second = -1;
        return typed[0];
    }
    *second = all[1];
    return all[0];
}

static int find(const struct devspec *spec, const struct blockdev *devs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (devspec_match(spec, &devs[i]) && near_ok(spec, devs, n, i))
            return target_of(spec, devs, n, i);
    return -1;
}

/* spec's or_type as a spec of its own. */
static struct devspec or_spec(const struct devspec *spec)
{
    struct devspec t = *spec;
    t.kind = SPEC_GPT_AUTO;
    t.partnroff = 0;
    snprintf(t.value, sizeof t.value, "%s", spec->or_type);
    t.or_type[0] = '\0';
    return t;
}

int devspec_find_unique(const struct devspec *spec, const struct blockdev *devs, size_t n,
                        int *second)
{
    int k = find_unique(spec, devs, n, second);
    if (k >= 0 || !spec->or_type[0])
        return k;
    struct devspec t = or_spec(spec);
    return find_unique(&t, devs, n, second);
}

int devspec_find(const struct devspec *spec, const struct blockdev *devs, size_t n)
{
    int k = find(spec, devs, n);
    if (k >= 0 || !spec->or_type[0])
        return k;
    struct devspec t = or_spec(spec);
    return find(&t, devs, n);
}

void devspec_describe(const struct devspec *spec, char *buf, size_t len)
{
    switch (spec->kind) {
    case SPEC_PATH: snprintf(buf, len, "/dev/%s", spec->value); break;
    case SPEC_DEVNUM: snprintf(buf, len, "%u:%u", spec->major, spec->minor); break;
    case SPEC_PARTUUID:
        if (spec->partnroff)
            snprintf(buf, len, "PARTUUID=%s/PARTNROFF=%d", spec->value, spec->partnroff);
        else
            snprintf(buf, len, "PARTUUID=%s", spec->value);
        break;
    case SPEC_GPT_AUTO: {
        const char *name = gpt_type_name(spec->value);
        if (spec->near[0])
            snprintf(buf, len, "gpt-auto (a %s partition on the disk of the boot loader's "
                               "partition %s)", name ? name : spec->value, spec->near);
        else
            snprintf(buf, len, "gpt-auto (a %s partition)", name ? name : spec->value);
        break;
    }
    default: snprintf(buf, len, "%s=%s", kind_name(spec->kind), spec->value); break;
    }
    size_t used = len ? strlen(buf) : 0;
    if (spec->or_type[0] && used + 1 < len) {
        const char *name = gpt_type_name(spec->or_type);
        snprintf(buf + used, len - used, " or a %s partition%s%s", name ? name : spec->or_type,
                 spec->near[0] ? " on the disk of the boot loader's partition " : "",
                 spec->near);
    }
}
