/* The pseudo-filesystems the initramfs runs on. */
#ifndef HATCH_MOUNTS_H
#define HATCH_MOUNTS_H

/* Mount /proc, /sys, /dev (devtmpfs) and /run (tmpfs). Returns 0 or -errno;
 * *what names the mount that failed. */
int mounts_setup(const char **what);

/* Make fds 0, 1, 2 the console when the kernel could not give us one. */
void console_setup(void);

#endif
