/* rootflags= into mount(2) flags and filesystem data. Pure. */
#ifndef HATCH_MOUNTOPTS_H
#define HATCH_MOUNTOPTS_H

#include <stddef.h>

/* Generic options (ro, noatime, nosuid, ...) become MS_* bits in *flags (set
 * or cleared); everything else is passed to the filesystem in data.
 * Returns 0, or -1 if data does not fit. */
int mountopts_parse(const char *opts, unsigned long *flags, char *data, size_t len);

/* The first filesystem option in data (as mountopts_parse leaves it) that
 * names another device or a path: an external journal or log, a btrfs
 * member, overlay layers, or any value starting with '/'. Under verity
 * nothing but the verified device may be read. Copies it into out (cut to
 * outlen) and returns 1, or returns 0. */
int mountopts_foreign(const char *data, char *out, size_t outlen);

/* From the text of /proc/filesystems: 1 if type is there and lives on a
 * block device, 0 if it is "nodev" (tmpfs, overlay, proc, ...), -1 if the
 * kernel does not know it. */
int mountopts_fs_on_device(const char *filesystems, const char *type);

#endif
