/* mdraid: arrays assembled by the image's /sbin/mdadm (the mdraid hook) as
 * their members appear, as udev's mdadm --incremental rule does. */
#ifndef HATCH_MD_H
#define HATCH_MD_H

#include "devices.h"
#include "mdconf.h"
#include "rootspec.h"

#define MDADM_PATH "/sbin/mdadm"

/* Take the request (rd.md=, rd.md.uuid=); logs the values that are no
 * UUID. Before any device is probed. */
void md_setup(const struct md_cfg *m);

/* For devices_on_probe(): hand d to mdadm --incremental when it is an md
 * member (TYPE linux_raid_member) of an array asked for; one line when the
 * image has no mdadm, or when rd.md=0 leaves it alone. */
void md_seen(const struct blockdev *d);

/* Will members be assembled here (mdadm in the image, not rd.md=0)? */
int md_enabled(void);

/* With rootwait (no limit), incomplete arrays are started degraded after
 * half the default limit. */
#define MD_DEGRADED_NO_LIMIT_MS 15000

/* devices_wait(), but arrays assembled here that still miss members at half
 * timeout_ms are started degraded, as mdadm --run would, each with one
 * warning line, and the wait goes on for the rest. Every wait for a device
 * (the root, /usr, a LUKS volume, resume=) may be waiting for an array. */
int md_wait(const struct devspec *specs, size_t n, int timeout_ms, struct blockdev *found,
            struct blockdev *other);

#endif
