/* rootflags= into mount(2) flags and filesystem data. Pure. */
#ifndef HATCH_MOUNTOPTS_H
#define HATCH_MOUNTOPTS_H

#include <stddef.h>

/* Generic options (ro, noatime, nosuid, ...) become MS_* bits in *flags (set
 * or cleared); everything else is passed to the filesystem in data.
 * Returns 0, or -1 if data does not fit. */
int mountopts_parse(const char *opts, unsigned long *flags, char *data, size_t len);

#endif
