/* Pseudo-filesystems. /run is tmpfs mode=755,nodev,nosuid so it can be
 * handed to the real system as systemd expects it. */
#include "mounts.h"
#include "modules.h"
#include "rootspec.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *src, *dir, *type, *opts;
    unsigned long flags;
} pseudo[] = {
    {"proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC},
    {"sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC},
    {"devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID},
    {"tmpfs", "/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV},
};

int mounts_setup(const char **what)
{
    for (size_t i = 0; i < sizeof pseudo / sizeof *pseudo; i++) {
        *what = pseudo[i].dir;
        if (mkdir(pseudo[i].dir, 0755) < 0 && errno != EEXIST)
            return -errno;
        if (mount(pseudo[i].src, pseudo[i].dir, pseudo[i].type, pseudo[i].flags,
                  pseudo[i].opts) < 0 && errno != EBUSY)
            return -errno;
    }
    return 0;
}

void console_setup(void)
{
    /* The kernel opens /dev/console for init only if the initramfs has that
     * node; ours has no device nodes, so open it from devtmpfs. */
    if (fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0)
        return;
    int fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0)
        return;
    for (int i = 0; i < 3; i++)
        if (fcntl(i, F_GETFD) < 0)
            dup2(fd, i);
    if (fd > 2)
        close(fd);
}

int proc_cmdline(char *buf, size_t size)
{
    buf[0] = '\0';
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t r = read(fd, buf, size - 1);
    int e = r < 0 ? errno : 0;
    buf[r > 0 ? r : 0] = '\0';
    close(fd);
    return -e;
}

#define EFIVARS "/sys/firmware/efi/efivars"
#define LOADER_VAR EFIVARS "/LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

int efi_loader_partuuid(char *out, size_t len)
{
    if (access("/sys/firmware/efi", F_OK) < 0)
        return -ENOENT;
    int mounted = 0;
    if (access(LOADER_VAR, F_OK) < 0) {
        /* Debian builds efivarfs as a module. */
        module_load("efivarfs", "the EFI boot loader's partition (gpt-auto)");
        if (mount("efivarfs", EFIVARS, "efivarfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                  NULL) < 0 && errno != EBUSY)
            return -errno;
        mounted = 1;
    }
    unsigned char buf[256];
    int fd = open(LOADER_VAR, O_RDONLY | O_CLOEXEC);
    int r = fd < 0 ? -errno : 0;
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        r = n < 0 ? -errno : efivar_guid(buf, (size_t)n, out, len) < 0 ? -EINVAL : 0;
        close(fd);
    }
    if (mounted)
        umount(EFIVARS);
    return r;
}
