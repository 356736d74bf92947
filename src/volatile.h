/* systemd.volatile=: a root that keeps its changes in memory only. */
#ifndef HATCH_VOLATILE_H
#define HATCH_VOLATILE_H

#include "cmdline.h"

/* Where the root device's filesystem goes when the new root is made of
 * something else (overlay, tmpfs); it is under /run, so it moves into the
 * new root with /run and the real system can still see it there. */
#define VOLATILE_LOWER "/run/hatch/volatile/lower"

/* Turn the root device's filesystem, mounted (read-only) on dir, into what
 * mode asks for; nothing for VOLATILE_NO. *devroot is set to where that
 * filesystem is mounted afterwards (dir, or VOLATILE_LOWER). Returns 0, or
 * -errno with one line logged. */
int volatile_setup(enum volatile_mode mode, const char *dir, const char **devroot);

/* Is what is mounted on dir still the overlay or tmpfs root volatile_setup
 * made (or was none made)? A rescue shell could have mounted something
 * else there. Returns 1, or 0 with one line logged. */
int volatile_unchanged(const char *dir);

/* root=tmpfs: mount a tmpfs on dir (mode 0755, then rootflags=, e.g.
 * size=). Returns 0, or -errno with one line logged. */
int volatile_tmpfs_root(const char *dir, const char *rootflags);

/* On a tmpfs root whose /usr is mounted: bin, sbin, lib and lib64 as links
 * into /usr, as a usr-merged system has them, so /sbin/init is found. */
void volatile_usr_links(const char *dir);

#endif
