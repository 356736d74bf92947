/* Waiting for devices that may be on arrays or volume groups assembled here,
 * which are started degraded when their members are late. */
#ifndef HATCH_WAIT_H
#define HATCH_WAIT_H

#include "devices.h"
#include "rootspec.h"

/* With rootwait (no limit), the degraded start comes after half the
 * default limit. */
#define WAIT_DEGRADE_NO_LIMIT_MS 15000

/* devices_wait(), but when the devices have not come at half timeout_ms
 * (< 0: no limit), md arrays still missing members are started degraded,
 * as mdadm --run would, and LVM volume groups still missing physical
 * volumes activated degraded, each with one warning line; the wait then
 * goes on for the rest. Every wait for a device (the root, /usr, a LUKS
 * volume or key device, resume=) may be waiting for one of those. */
int wait_or_degrade(const struct devspec *specs, size_t n, int timeout_ms,
                    struct blockdev *found, struct blockdev *other);

#endif
