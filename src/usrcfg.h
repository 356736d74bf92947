/* What the command line asks of /usr (mount.usr=, usrhash=) and of a tmpfs
 * root (root=tmpfs), as systemd-fstab-generator reads them. Pure. */
#ifndef HATCH_USRCFG_H
#define HATCH_USRCFG_H

#include "cmdline.h"
#include "veritycfg.h"

#include <stddef.h>

/* root=tmpfs: the new root is a tmpfs, its /usr mounted from a device. */
int usr_root_is_tmpfs(const struct cmdline *c);

/* Is a /usr to be mounted from a device (u: verity_usr_cfg_parse's)? */
int usr_wanted(const struct cmdline *c, const struct verity_cfg *u);

/* Check the request before anything waits. Returns 0 (with a sentence in
 * warn, or warn empty, for what is given but has no effect), or -1 with a
 * sentence in err for a request that cannot be booted as asked. */
int usr_request_check(const struct cmdline *c, const struct verity_cfg *u, char *err,
                      size_t errlen, char *warn, size_t warnlen);

#endif
