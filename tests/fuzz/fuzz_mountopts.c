// fuzz-max-len: 1024
/* (1024: rootfs.c refuses rootflags whose data passes 511 bytes, so longer
 * inputs only repeat what shorter ones cover.) */
/* rootflags=: mountopts_parse. Input: the first byte picks the flags the
 * call starts from, the rest (a NUL-terminated copy) is the option string.
 * Each input is parsed into data buffers of 0, 1, 16 and 512 bytes and of
 * exactly the size the result needs (and one less), each an exact-size heap
 * block so ASan sees any write past it, and checked against a model. */
#include "fuzz.h"
#include "mountopts.h"

#include <string.h>
#include <sys/mount.h>

/* The generic words, as in the table in src/mountopts.c. If that table
 * changes, this one must follow (the model then disagrees and says so). */
static const struct {
    const char *name;
    unsigned long set, clear;
} generic[] = {
    {"ro", MS_RDONLY, 0},          {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},      {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},        {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},      {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},   {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},    {"noatime", MS_NOATIME, 0},
    {"atime", 0, MS_NOATIME},      {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME}, {"relatime", MS_RELATIME, 0},
    {"norelatime", 0, MS_RELATIME}, {"strictatime", MS_STRICTATIME, 0},
    {"lazytime", MS_LAZYTIME, 0},  {"nolazytime", 0, MS_LAZYTIME},
    {"defaults", 0, 0},
};
#define NGENERIC (sizeof generic / sizeof *generic)

static unsigned long generic_mask(void)
{
    unsigned long m = 0;
    for (size_t i = 0; i < NGENERIC; i++)
        m |= generic[i].set | generic[i].clear;
    return m;
}

static int generic_word(const char *w, size_t l)
{
    for (size_t i = 0; i < NGENERIC; i++)
        if (strlen(generic[i].name) == l && !memcmp(generic[i].name, w, l))
            return (int)i;
    return -1;
}

/* The model: generic words applied in order, the other non-empty items
 * joined with commas. Returns the number of filesystem items. */
static size_t model(const char *opts, unsigned long *flags, char *data)
{
    size_t n = 0, used = 0;
    data[0] = '\0';
    for (const char *p = opts; *p;) {
        size_t l = strcspn(p, ",");
        int g = generic_word(p, l);
        if (g >= 0) {
            *flags = (*flags | generic[g].set) & ~generic[g].clear;
        } else if (l) {
            if (n++)
                data[used++] = ',';
            memcpy(data + used, p, l);
            used += l;
            data[used] = '\0';
        }
        p += l;
        if (*p == ',')
            p++;
    }
    return n;
}

static void check_data(const char *data, size_t len)
{
    FUZZ_ASSERT(fuzz_terminated(data, len), "data is not NUL-terminated within %zu bytes", len);
    size_t dl = strlen(data);
    FUZZ_ASSERT(dl < len, "data length %zu does not fit %zu", dl, len);
    if (!dl)
        return;
    FUZZ_ASSERT(data[0] != ',' && data[dl - 1] != ',' && !strstr(data, ",,"),
                "data '%s' has an empty item", data);
    for (const char *p = data; *p;) {
        size_t l = strcspn(p, ",");
        FUZZ_ASSERT(generic_word(p, l) < 0, "generic option '%.*s' passed on in data '%s'",
                    (int)l, p, data);
        p += l + (p[l] == ',');
    }
}

static void try_len(const char *opts, unsigned long flags0, size_t len, const char *want,
                    unsigned long want_flags, size_t items)
{
    const unsigned long mask = generic_mask();
    char *data = malloc(len);
    if (!data && len)
        return;
    unsigned long flags = flags0;
    int r = mountopts_parse(opts, &flags, data, len);
    FUZZ_ASSERT(r == 0 || r == -1, "mountopts_parse returned %d", r);
    FUZZ_ASSERT((flags & ~mask) == (flags0 & ~mask),
                "flags 0x%lx -> 0x%lx touched bits outside the generic table", flags0, flags);

    size_t need = strlen(want) + 1;
    if (!items) {
        /* nothing for the filesystem: fits any buffer, even none */
        FUZZ_ASSERT(r == 0, "no filesystem options but -1 with a %zu-byte buffer", len);
    } else if (need <= len) {
        /* It fits. Only miss allowed: a single item in exactly its size,
         * since the parser reserves room for a comma before the NUL (one
         * spare byte; harmless, noted here rather than asserted). */
        FUZZ_ASSERT(r == 0 || (items == 1 && need == len),
                    "'%s' (%zu bytes) fits %zu but mountopts_parse says -1", want, need, len);
    } else {
        FUZZ_ASSERT(r == -1, "success though '%s' needs %zu bytes, buffer %zu", want, need,
                    len);
    }
    if (r == 0) {
        FUZZ_ASSERT(flags == want_flags, "flags 0x%lx -> 0x%lx, model says 0x%lx", flags0, flags,
                    want_flags);
        if (len) {
            check_data(data, len);
            FUZZ_ASSERT(!strcmp(data, want), "data '%s', model says '%s'", data, want);
        }
    }
    free(data);
}

/* mountopts_foreign on the filesystem data: under verity it must catch
 * every item that names another device or a path, and name a real item. */
static void check_foreign(const char *data)
{
    static const char *const keys[] = {"journal_dev", "journal_path", "logdev", "rtdev",
                                       "device",      "lowerdir",     "upperdir", "workdir",
                                       "datadir"};
    int want = 0;
    for (const char *p = data; *p && !want;) {
        size_t l = strcspn(p, ","), kl = strcspn(p, ",=");
        if (kl < l && p[kl + 1] == '/')
            want = 1;
        for (size_t i = 0; i < sizeof keys / sizeof *keys && !want; i++)
            want = strlen(keys[i]) == kl && !strncmp(keys[i], p, kl);
        p += l;
        if (*p)
            p++;
    }
    char out[64 + 8];
    memset(out, 0x5a, sizeof out);
    int r = mountopts_foreign(data, out, 64);
    FUZZ_ASSERT(r == want, "mountopts_foreign said %d for '%s'", r, data);
    for (size_t i = 64; i < sizeof out; i++)
        FUZZ_ASSERT(out[i] == 0x5a, "mountopts_foreign wrote past its buffer");
    if (r) {
        FUZZ_ASSERT(fuzz_terminated(out, 64) && out[0], "foreign item is not a string");
        FUZZ_ASSERT(strstr(data, out) != NULL, "foreign item '%s' is not in the data", out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    fuzz_input(in, size);
    static const unsigned long starts[] = {
        0, MS_RDONLY, MS_RDONLY | MS_NOATIME | MS_NOSUID | MS_NODEV,
        MS_BIND | MS_REC | MS_RDONLY, ~0ul,
    };
    unsigned long flags0 = 0;
    if (size) {
        flags0 = starts[in[0] % (sizeof starts / sizeof *starts)];
        in++;
        size--;
    }
    char *opts = malloc(size + 1);
    char *want = malloc(size + 1);
    if (!opts || !want) {
        free(opts);
        free(want);
        return 0;
    }
    memcpy(opts, in, size);
    opts[size] = '\0';

    unsigned long want_flags = flags0;
    size_t items = model(opts, &want_flags, want);
    size_t need = strlen(want) + 1;

    static const size_t lens[] = {0, 1, 16, 512};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        try_len(opts, flags0, lens[i], want, want_flags, items);
    try_len(opts, flags0, need, want, want_flags, items);
    try_len(opts, flags0, need + 1, want, want_flags, items);
    if (need > 1)
        try_len(opts, flags0, need - 1, want, want_flags, items);

    char *data = malloc(need + 1);
    if (data) {
        unsigned long fl = flags0;
        if (mountopts_parse(opts, &fl, data, need + 1) == 0)
            check_foreign(data);
        check_foreign(opts); /* raw text too: any string is a valid input */
        free(data);
    }

    /* NULL opts: nothing to do, data emptied */
    char d[4] = "xyz";
    unsigned long f = flags0;
    FUZZ_ASSERT(mountopts_parse(NULL, &f, d, sizeof d) == 0 && f == flags0 && !d[0],
                "NULL opts changed something");
    free(opts);
    free(want);
    return 0;
}
