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

/* 1 when lvm_seen activates volume groups (set up, not rd.lvm=0, the image
 * has /sbin/lvm). */
int lvm_enabled(void);

/* The volume groups pvscan reported incomplete and not yet tried degraded. */
int lvm_incomplete(void);

/* Activate those volume groups with "lvm vgchange --activate ay
 * --activationmode degraded": RAID logical volumes run without their
 * missing legs; lvm refuses the others (a linear or striped LV with a
 * missing PV), which is logged with lvm's reason. Each group is tried
 * once; waited_s is for the message. Returns how many were activated. */
int lvm_activate_degraded(int waited_s);

#endif
