// fuzz-max-len: 4096
/* root= values: devspec_parse, devspec_describe, devspec_match, devspec_find,
 * and the same with an or_type (a verity partition by its GPT type).
 * The input is the value itself (a NUL-terminated copy; bytes after an
 * embedded NUL are not seen by the parser). */
#include "fuzz.h"
#include "rootspec.h"

#include <string.h>

/* A small machine: two disks with partitions (one PARTUUID on both, so the
 * first wins), a gap in the partition numbers, a whole-disk filesystem and a
 * device-mapper device. */
static const struct blockdev devs[] = {
    {.name = "vda", .major = 254, .minor = 0, .type = "gpt"},
    {.name = "vda1", .major = 254, .minor = 1, .disk = "vda", .partno = 1, .type = "vfat",
     .uuid = "ABCD-1234", .label = "EFI", .partuuid = "5e0c6a1d-7b2f-4c3e-8a9d-1f2e3d4c5b6a",
     .partlabel = "esp"},
    {.name = "vda2", .major = 254, .minor = 2, .disk = "vda", .partno = 2, .type = "ext4",
     .uuid = "8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11", .label = "my disk",
     .partuuid = "11111111-2222-3333-4444-555555555555", .partlabel = "hatch-root"},
    {.name = "vda4", .major = 254, .minor = 4, .disk = "vda", .partno = 4, .type = "verity",
     .uuid = "0b7c5a9e-3d21-4f60-8e15-c4a2d9f7b318", .partuuid = "abcdef01-02",
     .parttype = "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"},
    {.name = "sda", .major = 8, .minor = 0, .type = "dos"},
    {.name = "sda1", .major = 8, .minor = 1, .disk = "sda", .partno = 1, .type = "ext4",
     .uuid = "0b7c5a9e-3d21-4f60-8e15-c4a2d9f7b318", .label = "EFI",
     .partuuid = "11111111-2222-3333-4444-555555555555", .partlabel = "data"},
    {.name = "sdb", .major = 8, .minor = 16, .type = "squashfs", .label = "ro root"},
    {.name = "dm-0", .major = 253, .minor = 0, .type = "ext4", .dmname = "root",
     .uuid = "8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11"},
};
#define NDEVS (sizeof devs / sizeof *devs)

#define ERRLEN 200
#define GUARD 16
#define SENTINEL 0x5a

static void guard_intact(const char *buf, size_t len, const char *what)
{
    for (size_t i = len; i < len + GUARD; i++)
        FUZZ_ASSERT((unsigned char)buf[i] == SENTINEL, "%s wrote past its %zu-byte buffer", what,
                    len);
}

static int is_quoted(const char *v)
{
    size_t l = strlen(v);
    return l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0];
}

static void check_spec(const struct devspec *sp)
{
    FUZZ_ASSERT(sp->kind >= SPEC_PATH && sp->kind <= SPEC_GPT_AUTO, "kind %d is not valid",
                (int)sp->kind);
    FUZZ_ASSERT(fuzz_terminated(sp->value, sizeof sp->value),
                "value is not NUL-terminated within its %zu bytes", sizeof sp->value);
    FUZZ_ASSERT(sp->value[0], "success with an empty value (kind %d)", (int)sp->kind);
    FUZZ_ASSERT(sp->partnroff == 0 || sp->kind == SPEC_PARTUUID,
                "PARTNROFF %d on a spec of kind %d", sp->partnroff, (int)sp->kind);
    FUZZ_ASSERT(sp->partnroff >= -128 && sp->partnroff <= 128, "PARTNROFF %d out of range",
                sp->partnroff);
    switch (sp->kind) {
    case SPEC_DEVNUM: {
        char want[32];
        snprintf(want, sizeof want, "%u:%u", sp->major, sp->minor);
        FUZZ_ASSERT(sp->major <= 0xfff && sp->minor <= 0xfffff, "device number %u:%u too big",
                    sp->major, sp->minor);
        FUZZ_ASSERT(!strcmp(sp->value, want), "MAJ:MIN value '%s' is not '%s'", sp->value,
                    want);
        break;
    }
    case SPEC_PATH: {
        const char *n = strncmp(sp->value, "mapper/", 7) ? sp->value : sp->value + 7;
        FUZZ_ASSERT(*n && !strchr(n, '/'), "path value '%s' is not NAME or mapper/NAME",
                    sp->value);
        break;
    }
    case SPEC_PARTUUID:
        FUZZ_ASSERT(!strchr(sp->value, '/'), "PARTUUID value '%s' keeps a slash", sp->value);
        break;
    case SPEC_GPT_AUTO: {
        const char *name, *guid = gpt_type(GPT_ROOT, &name);
        FUZZ_ASSERT(guid && !strcmp(sp->value, guid), "gpt-auto with value '%s', not the "
                    "architecture's root type", sp->value);
        break;
    }
    default: break;
    }
}

/* describe() into a buffer of len bytes: terminated, nothing written past
 * it, and a prefix of the untruncated form full. */
static void check_describe(const struct devspec *sp, size_t len, const char *full)
{
    char buf[256 + GUARD];
    memset(buf, SENTINEL, sizeof buf);
    devspec_describe(sp, buf, len);
    guard_intact(buf, len, "devspec_describe");
    FUZZ_ASSERT(fuzz_terminated(buf, len), "describe output not NUL-terminated in %zu bytes",
                len);
    FUZZ_ASSERT(!full || !strncmp(buf, full, strlen(buf)),
                "describe in %zu bytes gives '%s', not a prefix of '%s'", len, buf, full);
}

static void check_find(const struct devspec *sp)
{
    int r = devspec_find(sp, devs, NDEVS);
    FUZZ_ASSERT(r >= -1 && r < (int)NDEVS, "devspec_find returned %d of %zu", r, NDEVS);
    int first = -1;
    for (size_t i = 0; i < NDEVS && first < 0; i++)
        if (devspec_match(sp, &devs[i]))
            first = (int)i;
    if (sp->kind != SPEC_PARTUUID || sp->partnroff == 0) {
        FUZZ_ASSERT(r == first, "devspec_find gave %d but the first match is %d", r, first);
        FUZZ_ASSERT(r < 0 || devspec_match(sp, &devs[r]), "found device %s does not match",
                    devs[r].name);
        return;
    }
    /* PARTNROFF: the partition that far on from the first match, same disk. */
    if (r < 0) {
        if (first < 0 || !devs[first].partno)
            return;
        int want = devs[first].partno + sp->partnroff;
        for (size_t j = 0; j < NDEVS; j++)
            FUZZ_ASSERT(devs[j].partno != want || strcmp(devs[j].disk, devs[first].disk),
                        "PARTNROFF %d from %s: %s is there but not found", sp->partnroff,
                        devs[first].name, devs[j].name);
        return;
    }
    FUZZ_ASSERT(first >= 0 && devs[first].partno, "PARTNROFF found %s without a partition "
                "matching the UUID", devs[r].name);
    FUZZ_ASSERT(devs[r].partno == devs[first].partno + sp->partnroff &&
                    !strcmp(devs[r].disk, devs[first].disk),
                "PARTNROFF %d from %s found %s", sp->partnroff, devs[first].name, devs[r].name);
}

/* describe() is the form messages show. Reparsed it gives the same spec,
 * with one exception that is by design, not a bug: a value that itself
 * starts and ends with the same quote (only reachable by quoting twice,
 * LABEL=""x"", or through a by-label \x22 escape) is printed bare, and the
 * parser strips one level of quotes again. For those we assert the weaker
 * property that the reparse gives the value without its outer quotes (or
 * fails as empty when nothing is left). PARTUUID=v/PARTNROFF=n, whose value
 * is not at the end of the text, round-trips exactly. */
static void check_roundtrip(const struct devspec *sp, const char *desc)
{
    struct devspec again;
    char err[ERRLEN];
    /* gpt-auto is described in words after its name. */
    if (sp->kind == SPEC_GPT_AUTO) {
        FUZZ_ASSERT(!strncmp(desc, "gpt-auto (", 10), "gpt-auto described as '%s'", desc);
        return;
    }
    /* With /PARTNROFF=n after it, the value is not at the end, so stays. */
    int quoted = is_quoted(sp->value) && !(sp->kind == SPEC_PARTUUID && sp->partnroff);
    char want[sizeof sp->value];
    snprintf(want, sizeof want, "%s", sp->value);
    if (quoted) {
        size_t l = strlen(want);
        memmove(want, want + 1, l - 2);
        want[l - 2] = '\0';
    }
    int r = devspec_parse(desc, &again, err, sizeof err);
    if (quoted && !want[0]) {
        FUZZ_ASSERT(r == -1, "'%s' reparsed although its value is empty unquoted", desc);
        return;
    }
    FUZZ_ASSERT(r == 0, "describe output '%s' does not parse again: %s", desc, err);
    FUZZ_ASSERT(again.kind == sp->kind, "'%s' reparses as kind %d, not %d", desc,
                (int)again.kind, (int)sp->kind);
    FUZZ_ASSERT(!strcmp(again.value, want), "'%s' reparses with value '%s', not '%s'", desc,
                again.value, want);
    FUZZ_ASSERT(again.major == sp->major && again.minor == sp->minor &&
                    again.partnroff == sp->partnroff,
                "'%s' reparses as %u:%u/%d, not %u:%u/%d", desc, again.major, again.minor,
                again.partnroff, sp->major, sp->minor, sp->partnroff);
}

/* devspec_find_unique against a model: the distinct devices the spec
 * names (through PARTNROFF from each matching base). Two or more and it
 * must say so, unless the types leave exactly one; one and it is that one,
 * whatever the types; none and it finds none. */
static void check_unique(struct devspec sp, const char *const *types, size_t ntypes)
{
    int names[NDEVS], n = 0, typed = 0, typed_one = -1;
    sp.types = types;
    sp.ntypes = ntypes;
    for (size_t i = 0; i < NDEVS; i++) {
        if (!devspec_match(&sp, &devs[i]))
            continue;
        int t = (int)i;
        if (sp.kind == SPEC_PARTUUID && sp.partnroff) {
            t = -1;
            for (size_t j = 0; devs[i].partno && j < NDEVS; j++)
                if (devs[j].partno == devs[i].partno + sp.partnroff &&
                    !strcmp(devs[j].disk, devs[i].disk))
                    t = (int)j;
        }
        int seen = t < 0;
        for (int k = 0; k < n && !seen; k++)
            seen = names[k] == t;
        if (seen)
            continue;
        names[n++] = t;
        for (size_t k = 0; k < ntypes; k++)
            if (!strcmp(devs[t].type, types[k])) {
                typed++;
                typed_one = t;
                break;
            }
    }
    int second, r = devspec_find_unique(&sp, devs, NDEVS, &second);
    if (n == 0) {
        FUZZ_ASSERT(r == -1 && second == -1, "unique found %d/%d where nothing matches", r,
                    second);
    } else if (n == 1) {
        FUZZ_ASSERT(r == names[0] && second == -1, "the only match %s became %d/%d",
                    devs[names[0]].name, r, second);
    } else if (ntypes && typed == 1) {
        FUZZ_ASSERT(r == typed_one && second == -1, "types settle on %s, got %d/%d",
                    devs[typed_one].name, r, second);
    } else {
        FUZZ_ASSERT(r >= 0 && second >= 0 && r != second, "%d devices match but unique gave "
                    "%d/%d", n, r, second);
        int ok_r = 0, ok_s = 0;
        for (int k = 0; k < n; k++)
            ok_r |= names[k] == r, ok_s |= names[k] == second;
        FUZZ_ASSERT(ok_r && ok_s, "unique named a device that does not match");
    }
}

/* With or_type, a spec finds what it finds without it; only where that is
 * nothing does it find what the type alone finds. Its description starts
 * with the one without. */
static void check_or_type(struct devspec sp, const char *full)
{
    const char *name;
    struct devspec t;
    char err[ERRLEN];
    FUZZ_ASSERT(devspec_parse("gpt-auto", &t, err, sizeof err) == 0, "gpt-auto: %s", err);
    snprintf(t.value, sizeof t.value, "%s", gpt_type(GPT_ROOT_VERITY, &name));
    snprintf(sp.or_type, sizeof sp.or_type, "%s", t.value);
    int s0, s1, s2;
    int r0 = devspec_find_unique(&sp, devs, 0, &s0);
    FUZZ_ASSERT(r0 == -1, "found %d among no devices", r0);
    struct devspec plain = sp;
    plain.or_type[0] = '\0';
    r0 = devspec_find_unique(&plain, devs, NDEVS, &s0);
    int r1 = devspec_find_unique(&sp, devs, NDEVS, &s1);
    int r2 = devspec_find_unique(&t, devs, NDEVS, &s2);
    if (r0 >= 0)
        FUZZ_ASSERT(r1 == r0 && s1 == s0, "or_type changed a match: %d/%d, not %d/%d", r1, s1,
                    r0, s0);
    else
        FUZZ_ASSERT(r1 == r2 && s1 == s2, "or_type found %d/%d, the type alone %d/%d", r1, s1,
                    r2, s2);
    int f0 = devspec_find(&plain, devs, NDEVS), f1 = devspec_find(&sp, devs, NDEVS);
    FUZZ_ASSERT(f0 < 0 ? f1 == devspec_find(&t, devs, NDEVS) : f1 == f0,
                "devspec_find with or_type gave %d (without: %d)", f1, f0);
    char buf[512];
    devspec_describe(&sp, buf, sizeof buf);
    FUZZ_ASSERT(!strncmp(buf, full, strlen(full)) && strstr(buf + strlen(full), name),
                "'%s' is not '%s' and the type's name", buf, full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    struct devspec sp;
    char err[ERRLEN + GUARD];
    memset(err, SENTINEL, sizeof err);
    int r = devspec_parse(s, &sp, err, ERRLEN);
    FUZZ_ASSERT(r == 0 || r == -1, "devspec_parse returned %d", r);
    guard_intact(err, ERRLEN, "devspec_parse's err");

    if (r < 0) {
        FUZZ_ASSERT(fuzz_terminated(err, ERRLEN), "err is not NUL-terminated");
        FUZZ_ASSERT(err[0] && err[0] != ' ' && err[0] != '\n', "err '%s' is not a sentence",
                    err);
        /* a one-byte err buffer is left as "" and nothing past it touched */
        char tiny[1 + GUARD];
        memset(tiny, SENTINEL, sizeof tiny);
        FUZZ_ASSERT(devspec_parse(s, &sp, tiny, 1) == -1, "result depends on errlen");
        guard_intact(tiny, 1, "devspec_parse's err");
        FUZZ_ASSERT(tiny[0] == '\0', "one-byte err is not empty");
        free(s);
        return 0;
    }

    check_spec(&sp);

    char full[256 + GUARD];
    memset(full, SENTINEL, sizeof full);
    devspec_describe(&sp, full, 256);
    guard_intact(full, 256, "devspec_describe");
    FUZZ_ASSERT(fuzz_terminated(full, 256) && strlen(full) < 255,
                "describe output does not fit 256 bytes");
    check_describe(&sp, 1, full);
    check_describe(&sp, 8, full);
    check_describe(&sp, 64, full);

    check_roundtrip(&sp, full);
    check_find(&sp);
    static const char *const ext4[] = {"ext4"}, *const two[] = {"vfat", "squashfs"};
    check_unique(sp, NULL, 0);
    check_unique(sp, ext4, 1);
    check_unique(sp, two, 2);
    check_or_type(sp, full);
    free(s);
    return 0;
}
