/* The pseudo-filesystems the initramfs runs on. */
#ifndef HATCH_MOUNTS_H
#define HATCH_MOUNTS_H

#include <stddef.h>

/* Mount /proc, /sys, /dev (devtmpfs) and /run (tmpfs). Returns 0 or -errno;
 * *what names the mount that failed. */
int mounts_setup(const char **what);

/* Read /proc/cmdline into buf (size bytes, NUL-terminated; "" if it cannot
 * be read). Returns 0 or -errno. */
int proc_cmdline(char *buf, size_t size);

/* Make fds 0, 1, 2 the console when the kernel could not give us one. */
void console_setup(void);

#endif
