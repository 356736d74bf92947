#include "rootfs.h"
#include "log.h"
#include "modules.h"
#include "mountopts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int rootfs_is_device(const char *dir, const struct blockdev *dev)
{
    struct stat st;
    if (stat(dir, &st) < 0) {
        log_err("cannot stat %s (%s); not switching to it", dir, strerror(errno));
        return 0;
    }
    if (st.st_dev == makedev(dev->major, dev->minor))
        return 1;
    log_err("%s is not the filesystem of /dev/%s (%u:%u) but of device %u:%u; under verity "
            "nothing but the verified device becomes the root", dir, dev->name, dev->major,
            dev->minor, major(st.st_dev), minor(st.st_dev));
    return 0;
}

/* Under verity only filesystems that live on a block device may be tried:
 * tmpfs or overlay would mount something other than the verified device. */
static int on_block_device(const char *type)
{
    static char fs[8192];
    int fd = open("/proc/filesystems", O_RDONLY | O_CLOEXEC);
    ssize_t r = fd < 0 ? -1 : read(fd, fs, sizeof fs - 1);
    if (fd >= 0)
        close(fd);
    fs[r > 0 ? r : 0] = '\0';
    return mountopts_fs_on_device(fs, type);
}

/* Is /dev/<name> still the device that was found? A device unplugged
 * after it was found loses its node (devtmpfs). Returns 0, or -errno. */
static int still_there(const struct blockdev *dev)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/dev/%s", dev->name);
    if (stat(path, &st) < 0)
        return -errno;
    return S_ISBLK(st.st_mode) && st.st_rdev == makedev(dev->major, dev->minor) ? 0 : -ENODEV;
}

/* Can the device be read at all? Reads where filesystems keep their
 * superblocks. Returns 0 or -errno (-EIO for a failing device). */
static int readable(const char *src)
{
    static const off_t where[] = {0, 65536};
    char buf[4096];
    int fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int r = 0;
    for (size_t i = 0; i < sizeof where / sizeof *where && !r; i++)
        if (pread(fd, buf, sizeof buf, where[i]) < 0)
            r = -errno;
    close(fd);
    return r;
}

static int read_only_device(const char *src)
{
    int ro = 0, fd = open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (ioctl(fd, BLKROGET, &ro) < 0)
        ro = 0;
    close(fd);
    return ro;
}

/* libblkid's partition-table types, which it reports when a whole disk
 * holds no filesystem. */
static int partition_table(const char *type)
{
    static const char *const pt[] = {"gpt", "dos", "PMBR", "atari", "bsd", "mac", "sgi", "sun",
                                     "solaris", "unixware", "minix", "aix", "ultrix"};
    for (size_t i = 0; i < sizeof pt / sizeof *pt; i++)
        if (!strcmp(type, pt[i]))
            return 1;
    return 0;
}

static void say_gone(const char *what, const struct blockdev *dev, int r, const char *then)
{
    log_err("the %s device /dev/%s (%u:%u) is gone (%s): it disappeared after it was found; "
            "was it unplugged?%s", what, dev->name, dev->major, dev->minor,
            r == -ENODEV ? "another device has its name" : strerror(-r), then);
}

int rootfs_still_there(const struct blockdev *dev)
{
    int r = still_there(dev);
    if (r < 0)
        say_gone("root", dev, r, " Not switching to it");
    return r == 0;
}

/* The root device failed to mount or probe: say why when the device itself
 * is the cause (gone, or failing I/O). Returns 1 if it said so. */
static int device_fault(const struct fs_role *role, const struct blockdev *dev,
                        const char *src)
{
    int r = still_there(dev);
    if (r < 0) {
        say_gone(role->what, dev, r, "");
        return 1;
    }
    r = readable(src);
    if (r == -EIO) {
        log_err("cannot read %s (%s): the device fails I/O (see the kernel's I/O errors "
                "above); check or replace the disk", src, strerror(-r));
        return 1;
    }
    return 0;
}

const struct fs_role FS_ROOT = {"root", "root", "rootfstype", "rootflags"};
const struct fs_role FS_USR = {"/usr", "mount.usr", "mount.usrfstype", "mount.usrflags"};
const struct fs_role FS_KEY = {"LUKS key", "rd.luks.key", "rd.luks.key", "rd.luks.key"};

int rootfs_mount(const struct fs_role *role, const struct blockdev *dev,
                 const char *const *fstypes, size_t n_fstypes, const char *rootflags, int rw,
                 int verified, const char *dir)
{
    char src[16 + sizeof dev->dmname], data[512], alias[64], tried[256] = "";
    unsigned long flags = rw ? 0 : MS_RDONLY;
    const char *probed[1];

    /* A mapped device is mounted by its /dev/mapper name, which is what
     * the real system will see in /proc/self/mountinfo and fstab. */
    if (dev->dmname[0])
        /* whole: luks-UUID, systemd's default name, is 41 bytes */
        snprintf(src, sizeof src, "/dev/mapper/%s", dev->dmname);
    else
        snprintf(src, sizeof src, "/dev/%s", dev->name);
    if (mountopts_parse(rootflags, &flags, data, sizeof data) < 0) {
        log_err("%s= is longer than %zu bytes; shorten it", role->flags, sizeof data - 1);
        return -E2BIG;
    }
    /* ro/rw on the command line outrank rootflags, as with the kernel */
    flags = rw ? flags & ~MS_RDONLY : flags | MS_RDONLY;
    char foreign[64];
    if (verified && mountopts_foreign(data, foreign, sizeof foreign)) {
        log_err("%s=%s names another device or a path (%s); under verity nothing but "
                "the verified device is mounted: drop it", role->flags, rootflags, foreign);
        return -EPERM;
    }

    if (!n_fstypes) {
        if (!dev->type[0]) {
            if (device_fault(role, dev, src))
                return -EIO;
            log_err("%s has no filesystem libblkid recognizes; give %s= or check "
                    "that %s= names the right device", src, role->types, role->dev);
            return -EINVAL;
        }
        if (partition_table(dev->type)) {
            log_err("%s holds a partition table (%s), not a filesystem; %s= must name one "
                    "of its partitions", src, dev->type, role->dev);
            return -EINVAL;
        }
        probed[0] = dev->type;
        fstypes = probed;
        n_fstypes = 1;
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        log_err("cannot create the mount point %s for %s (%s)", dir, src, strerror(e));
        return -e;
    }
    /* As the kernel does with its own root= mount: a write-protected device
     * is mounted read-only rather than not at all. */
    if (!(flags & MS_RDONLY) && read_only_device(src)) {
        log_warn("%s is a read-only device: mounting it read-only although rw was asked", src);
        flags |= MS_RDONLY;
    }

    int err = -EINVAL;
    for (size_t i = 0; i < n_fstypes; i++) {
        snprintf(alias, sizeof alias, "fs-%s", fstypes[i]);
        char why[48];
        snprintf(why, sizeof why, "%s filesystem type", role->what);
        module_load(alias, why);
        if (verified && on_block_device(fstypes[i]) == 0) {
            size_t l = strlen(tried);
            snprintf(tried + l, sizeof tried - l, "%s%s: not on a block device, refused under "
                     "verity", l ? ", " : "", fstypes[i]);
            err = -EPERM;
            continue;
        }
        if (mount(src, dir, fstypes[i], flags, data[0] ? data : NULL) == 0) {
            if (verified && !rootfs_is_device(dir, dev)) {
                umount2(dir, MNT_DETACH);
                return -EPERM;
            }
            log_info("mounted %s (%s) on %s %s%s%s", src, fstypes[i], dir,
                     flags & MS_RDONLY ? "read-only" : "read-write", data[0] ? " with " : "",
                     data);
            return 0;
        }
        err = -errno;
        size_t l = strlen(tried);
        snprintf(tried + l, sizeof tried - l, "%s%s: %s", l ? ", " : "", fstypes[i],
                 strerror(errno));
    }
    if (err != -EPERM && device_fault(role, dev, src))
        return err;
    log_err("cannot mount %s (TYPE=%s) on %s (%s); %s", src,
            dev->type[0] ? dev->type : "unknown", dir, tried,
            err == -EIO ? "the device fails I/O (see the kernel's I/O errors above): check or "
                          "replace the disk"
                        : role == &FS_ROOT ? "check rootfstype= and rootflags="
                        : role == &FS_USR  ? "check mount.usrfstype= and mount.usrflags="
                                           : "check rd.luks.key=");
    return err;
}
