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

/* The PARTUUID of the partition the EFI boot loader was loaded from, as
 * systemd-boot (and other loaders of the Boot Loader Interface) leave it in
 * the EFI variable LoaderDevicePartUUID, lower case, in out (37 bytes).
 * efivarfs is mounted for the read and unmounted after. Returns 0, -ENOENT
 * when the machine has no EFI or the loader did not say, or -errno. */
int efi_loader_partuuid(char *out, size_t len);

/* Make fds 0, 1, 2 the console when the kernel could not give us one. */
void console_setup(void);

#endif
