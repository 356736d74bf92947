/* /usr and root=tmpfs requests. A verified /usr is only ever the mapping
 * hatch made: anything else named as /usr beside usrhash= is refused, as
 * root= is beside roothash=. */
#include "usrcfg.h"

#include <stdio.h>
#include <string.h>

#define USR_MAPPER "/dev/mapper/usr"

int usr_root_is_tmpfs(const struct cmdline *c)
{
    return c->root && !strcmp(c->root, "tmpfs");
}

int usr_wanted(const struct cmdline *c, const struct verity_cfg *u)
{
    return u->enabled || c->mount_usr;
}

int usr_request_check(const struct cmdline *c, const struct verity_cfg *u, char *err,
                      size_t errlen, char *warn, size_t warnlen)
{
    warn[0] = '\0';
    if (u->enabled && c->mount_usr && strcmp(c->mount_usr, USR_MAPPER)) {
        snprintf(err, errlen, "mount.usr=%s conflicts with verity: the verified /usr is "
                 USR_MAPPER "; drop mount.usr= or set mount.usr=" USR_MAPPER, c->mount_usr);
        return -1;
    }
    if (usr_root_is_tmpfs(c) && !usr_wanted(c, u)) {
        snprintf(err, errlen, "root=tmpfs: the tmpfs root has no init of its own; give "
                 "mount.usr= or usrhash= for the /usr that holds it");
        return -1;
    }
    if (!usr_wanted(c, u) && (c->n_mount_usrfstype || c->mount_usrflags))
        snprintf(warn, warnlen, "%s given without mount.usr= or usrhash=: there is no /usr "
                 "to mount; ignoring it",
                 c->n_mount_usrfstype ? "mount.usrfstype=" : "mount.usrflags=");
    else if (usr_root_is_tmpfs(c) && c->volatile_mode != VOLATILE_NO)
        snprintf(warn, warnlen, "systemd.volatile= has no effect with root=tmpfs: the root "
                 "is a tmpfs already; ignoring it");
    return 0;
}
