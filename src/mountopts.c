/* The kernel hands rootflags= to the filesystem as is, which rejects
 * generic words like "noatime"; mount(8) splits them out, and so do we. */
#include "mountopts.h"

#include <string.h>
#include <sys/mount.h>

static const struct {
    const char *name;
    unsigned long set, clear;
} generic[] = {
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"noatime", MS_NOATIME, 0},
    {"atime", 0, MS_NOATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME},
    {"relatime", MS_RELATIME, 0},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, 0},
    {"lazytime", MS_LAZYTIME, 0},
    {"nolazytime", 0, MS_LAZYTIME},
    {"defaults", 0, 0},
};

int mountopts_parse(const char *opts, unsigned long *flags, char *data, size_t len)
{
    size_t used = 0;
    if (len)
        data[0] = '\0';
    if (!opts)
        return 0;

    while (*opts) {
        const char *end = strchr(opts, ',');
        size_t l = end ? (size_t)(end - opts) : strlen(opts);
        int known = 0;
        for (size_t i = 0; i < sizeof generic / sizeof *generic && !known; i++)
            if (strlen(generic[i].name) == l && !strncmp(generic[i].name, opts, l)) {
                *flags = (*flags | generic[i].set) & ~generic[i].clear;
                known = 1;
            }
        if (!known && l) {
            if (used + l + 2 > len)
                return -1;
            if (used)
                data[used++] = ',';
            memcpy(data + used, opts, l);
            used += l;
            data[used] = '\0';
        }
        opts += l;
        if (*opts == ',')
            opts++;
    }
    return 0;
}

int mountopts_foreign(const char *data, char *out, size_t outlen)
{
    static const char *const keys[] = {"journal_dev", "journal_path", "logdev", "rtdev",
                                       "device",      "lowerdir",     "upperdir", "workdir",
                                       "datadir"};
    while (*data) {
        size_t l = strcspn(data, ",");
        const char *eq = memchr(data, '=', l);
        size_t kl = eq ? (size_t)(eq - data) : l;
        int bad = eq && eq[1] == '/';
        for (size_t i = 0; i < sizeof keys / sizeof *keys && !bad; i++)
            bad = strlen(keys[i]) == kl && !strncmp(keys[i], data, kl);
        if (bad) {
            if (outlen) {
                size_t n = l < outlen - 1 ? l : outlen - 1;
                memcpy(out, data, n);
                out[n] = '\0';
            }
            return 1;
        }
        data += l;
        if (*data == ',')
            data++;
    }
    return 0;
}

int mountopts_fs_on_device(const char *filesystems, const char *type)
{
    /* lines: "nodev\tNAME" or "\tNAME" */
    size_t tl = strlen(type);
    for (const char *l = filesystems; *l;) {
        size_t n = strcspn(l, "\n");
        const char *tab = memchr(l, '\t', n);
        if (tab && (size_t)(l + n - tab - 1) == tl && !strncmp(tab + 1, type, tl))
            return tab - l == 5 && !strncmp(l, "nodev", 5) ? 0 : 1;
        l += n;
        if (*l)
            l++;
    }
    return -1;
}
