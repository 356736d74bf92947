/* Mounting the root device. */
#ifndef HATCH_ROOTFS_H
#define HATCH_ROOTFS_H

#include "rootspec.h"

#include <stddef.h>

/* Mount /dev/<dev->name> on dir. fstypes: the rootfstype= list to try in
 * order, or none to use what libblkid probed. Loads each type's fs-TYPE
 * module first. Returns 0 or -errno with one line logged. */
int rootfs_mount(const struct blockdev *dev, const char *const *fstypes, size_t n_fstypes,
                 const char *rootflags, int rw, const char *dir);

#endif
