/* Unlocking LUKS volumes before the root is looked for, with the image's
 * luks-unlock (libcryptsetup). */
#ifndef HATCH_LUKS_H
#define HATCH_LUKS_H

#include "luksconf.h"

/* Wait for each requested LUKS device (at most timeout_s seconds; < 0
 * without limit), open its header read-only and map it as
 * /dev/mapper/NAME with its key file or a passphrase typed on the console.
 * The mapped devices are then found by devices_wait() like any other.
 * Returns 0, or -errno after one line saying what failed and what to do. */
int luks_unlock_all(const struct luks_cfg *l, int timeout_s, int debug);

/* "luks-unlock with libcryptsetup 2.6.1" for --version. */
const char *luks_library_version(void);

#endif
