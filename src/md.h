/* mdraid: arrays assembled by the image's /sbin/mdadm (the mdraid hook) as
 * their members appear, as udev's mdadm --incremental rule does. */
#ifndef HATCH_MD_H
#define HATCH_MD_H

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

/* How many arrays have members but were not started (waiting for the
 * others). */
int md_incomplete(void);

/* Start the arrays still waiting for members degraded (mdadm --run), each
 * with one warning line saying what it has; waited_s is for that line.
 * Returns how many were started. */
int md_start_degraded(int waited_s);

#endif
