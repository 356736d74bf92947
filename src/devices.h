/* Finding block devices: uevents, modalias coldplug, libblkid tags. */
#ifndef HATCH_DEVICES_H
#define HATCH_DEVICES_H

#include "rootspec.h"

#include <stddef.h>

/* Open the uevent socket (once: again is a no-op). Must come before
 * devices_coldplug() and devices_load_drivers() so that no
 * device appearing in between is missed. Returns 0 or -errno. */
int devices_start(void);

/* Start the drivers of every device present (by modalias), side by side,
 * before any wait asks for them; after devices_start(). */
void devices_load_drivers(void);

/* fn(modalias, ctx) for every device present, until it returns nonzero;
 * returns that, or 0. */
int devices_each_modalias(int (*fn)(const char *alias, void *ctx), void *ctx);

/* Note the block devices present. */
void devices_coldplug(void);

/* Load the modules for every device present (by modalias) that
 * devices_wait() has not gone through yet; for the rescue shell, whose
 * keyboard may need a driver. */
void devices_coldplug_all(void);

/* Wait until every spec is found; found[i] receives the match. timeout_ms
 * < 0 waits forever. Until one pass has gone through them all, a call
 * loads the modules of the devices present, by modalias, until the specs
 * are found; devices that appear later get theirs from their uevents. Returns 0; -ETIMEDOUT; or -EEXIST
 * when a spec matches two devices present: found[i] and other[i] (other[i]
 * has an empty name for the specs that are not ambiguous). */
int devices_wait(const struct devspec *specs, size_t n, int timeout_ms, struct blockdev *found,
                 struct blockdev *other);

/* Wait until ready(ctx) returns 1 (-1: give up, -EEXIST), asking it after
 * every batch of device events; drivers are loaded for the devices present
 * as devices_wait() does. timeout_ms < 0 waits forever. Returns 0,
 * -ETIMEDOUT, -EEXIST or -errno. */
int devices_wait_until(int (*ready)(void *ctx), void *ctx, int timeout_ms);

/* fn is called with every block device probed from now on, before any wait
 * sees it; again only when it comes back changed (another device number,
 * TYPE or UUID) or after it was removed. */
void devices_on_probe(void (*fn)(const struct blockdev *d));

/* Re-read one block device by kernel name (e.g. a dm device just made).
 * With like (a device already probed that holds the same bytes, as a
 * dm-verity mapping holds its data device's), its filesystem tags are
 * taken instead of probing name again: reading through dm-verity hashes
 * every block read, and a probe reads a few hundred KiB. Without tags on
 * like (it could not be probed, or is ambiguous), name is probed. */
int devices_refresh(const char *name, const struct blockdev *like, struct blockdev *out);

/* Log the block devices seen with their tags, and the modaliases that found
 * no module: what a user needs when the root never appeared. */
void devices_report(void);

void devices_stop(void);

#endif
