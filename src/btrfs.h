/* btrfs over several devices: the kernel mounts one only once every member
 * has been shown to it (registered), which udev does on a full system. */
#ifndef HATCH_BTRFS_H
#define HATCH_BTRFS_H

#include "rootspec.h"

/* For devices_on_probe(): register d with the kernel's btrfs when it is a
 * btrfs member (loading the btrfs module first if need be). */
void btrfs_seen(const struct blockdev *d);

/* Before mounting the root root (a no-op unless it is btrfs): wait up to
 * timeout_ms (< 0: forever) for every member of its filesystem, as the
 * kernel counts them. timeout_s is the whole wait, for the message.
 * degraded (rootflags=degraded): take the devices the kernel has already
 * announced and do not wait for the rest. Returns 0, or -ETIMEDOUT with
 * one line logged and the devices seen listed. */
int btrfs_wait_members(const struct blockdev *root, int timeout_ms, int timeout_s, int degraded);

#endif
