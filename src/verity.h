/* dm-verity setup through libdevmapper. */
#ifndef HATCH_VERITY_H
#define HATCH_VERITY_H

#include "rootspec.h"
#include "veritycfg.h"

#define VERITY_NAME "root"

/* Map data (and hash; the same device when the tree is inside it; fec, or
 * NULL) as /dev/mapper/NAME (cfg->name: root or usr) and prove its root
 * hash by reading through it. On success *root is the mapped device. On
 * failure the mapping is removed and a one-line cause is logged: nothing
 * unverified is ever handed back. */
int verity_setup(const struct verity_cfg *cfg, const struct blockdev *data,
                 const struct blockdev *hash, const struct blockdev *fec,
                 struct blockdev *root);

#endif
