/* LVM2 volume groups activated by the image's static lvm as their
 * physical volumes are found. */
#ifndef HATCH_LVM_H
#define HATCH_LVM_H

#include "lvmcfg.h"
#include "rootspec.h"

#define LVM_TOOL "/sbin/lvm"

/* What the command line asked for (a copy is kept). Before the first
 * device is probed. */
void lvm_setup(const struct lvm_cfg *cfg);

/* For devices_on_probe: a device of TYPE=LVM2_member is handed to
 * "lvm pvscan --cache --activate ay", which activates its volume group
 * once every physical volume of it has been seen; the logical volumes then
 * appear as dm devices like any other. Without /sbin/lvm in the image, one
 * warning naming the device and the hook. */
void lvm_seen(const struct blockdev *d);

#endif
