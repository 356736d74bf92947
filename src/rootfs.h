/* Mounting the root device. */
#ifndef HATCH_ROOTFS_H
#define HATCH_ROOTFS_H

#include "rootspec.h"

#include <stddef.h>

/* What is mounted, for messages: the root, /usr, or the filesystem that
 * holds a LUKS key file (rd.luks.key=PATH:DEVICE). */
struct fs_role {
    const char *what;  /* "root", "/usr", "LUKS key" */
    const char *dev;   /* the options that name its device, type and flags */
    const char *types;
    const char *flags;
};
extern const struct fs_role FS_ROOT, FS_USR, FS_KEY;

/* Mount /dev/<dev->name> on dir. fstypes: the rootfstype= list to try in
 * order, or none to use what libblkid probed. Loads each type's fs-TYPE
 * module first. verified: dev is the verity mapping, and nothing else may
 * end up mounted: only filesystems that live on a block device are tried,
 * rootflags may not name other devices or paths, and the mount must be of
 * dev itself (rootfs_is_device). Returns 0 or -errno with one line logged. */
int rootfs_mount(const struct fs_role *role, const struct blockdev *dev,
                 const char *const *fstypes, size_t n_fstypes, const char *rootflags, int rw,
                 int verified, const char *dir);

/* Is what is mounted at dir the filesystem of dev (st_dev is dev's
 * major:minor)? Returns 1, or 0 with one line logged. */
int rootfs_is_device(const char *dir, const struct blockdev *dev);

/* Is dev still there: /dev/<name> a block device of dev's major:minor (a
 * device unplugged after it was found has lost its node)? Returns 1, or 0
 * with one line logged. */
int rootfs_still_there(const struct blockdev *dev);

#endif
