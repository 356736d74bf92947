#include "rootfs.h"
#include "log.h"
#include "modules.h"
#include "mountopts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

int rootfs_mount(const struct blockdev *dev, const char *const *fstypes, size_t n_fstypes,
                 const char *rootflags, int rw, const char *dir)
{
    char src[64], data[512], alias[64], tried[256] = "";
    unsigned long flags = rw ? 0 : MS_RDONLY;
    const char *probed[1];

    /* A mapped device is mounted by its /dev/mapper name, which is what
     * the real system will see in /proc/self/mountinfo and fstab. */
    if (dev->dmname[0])
        snprintf(src, sizeof src, "/dev/mapper/%.40s", dev->dmname);
    else
        snprintf(src, sizeof src, "/dev/%s", dev->name);
    if (mountopts_parse(rootflags, &flags, data, sizeof data) < 0) {
        log_err("rootflags= is longer than %zu bytes; shorten it", sizeof data - 1);
        return -E2BIG;
    }
    /* ro/rw on the command line outrank rootflags, as with the kernel */
    flags = rw ? flags & ~MS_RDONLY : flags | MS_RDONLY;

    if (!n_fstypes) {
        if (!dev->type[0]) {
            log_err("%s has no filesystem libblkid recognizes; give rootfstype= or check "
                    "that root= names the right device", src);
            return -EINVAL;
        }
        probed[0] = dev->type;
        fstypes = probed;
        n_fstypes = 1;
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -errno;

    int err = -EINVAL;
    for (size_t i = 0; i < n_fstypes; i++) {
        snprintf(alias, sizeof alias, "fs-%s", fstypes[i]);
        module_load(alias, "root filesystem type");
        if (mount(src, dir, fstypes[i], flags, data[0] ? data : NULL) == 0) {
            log_info("mounted %s (%s) on %s %s%s%s", src, fstypes[i], dir,
                     flags & MS_RDONLY ? "read-only" : "read-write", data[0] ? " with " : "",
                     data);
            return 0;
        }
        err = -errno;
        size_t l = strlen(tried);
        snprintf(tried + l, sizeof tried - l, "%s%s: %s", l ? ", " : "", fstypes[i],
                 strerror(errno));
    }
    log_err("cannot mount %s (TYPE=%s) on %s (%s); check rootfstype= and rootflags=", src,
            dev->type[0] ? dev->type : "unknown", dir, tried);
    return err;
}
