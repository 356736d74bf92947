/* Members are registered as they are probed, with BTRFS_IOC_SCAN_DEV on
 * /dev/btrfs-control; BTRFS_IOC_DEVICES_READY then says whether the
 * kernel has all the members of a filesystem. */
#include "btrfs.h"
#include "btrfssb.h"
#include "devices.h"
#include "log.h"
#include "modules.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define CONTROL "/dev/btrfs-control"
#define MAX_MEMBERS 64

/* What was registered, to say which members were seen when some are not. */
static struct member {
    char name[32];
    struct btrfssb sb;
} members[MAX_MEMBERS];
static size_t n_members;

static int control(const char *why)
{
    static int fd = -1, said;
    if (fd >= 0)
        return fd;
    fd = open(CONTROL, O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        /* devtmpfs makes the node while the module initialises */
        module_load("btrfs", why);
        fd = open(CONTROL, O_RDWR | O_CLOEXEC);
    }
    if (fd < 0 && !said++)
        log_err("btrfs: cannot open %s (%s): btrfs devices cannot be registered, and a btrfs "
                "over several devices will not mount; is the btrfs module in the image?",
                CONTROL, strerror(errno));
    return fd;
}

static int vol_ioctl(unsigned long req, const char *name, const char *why)
{
    static struct btrfs_ioctl_vol_args args; /* 4 KiB: not on PID 1's stack */
    int fd = control(why);
    if (fd < 0)
        return -ENODEV;
    memset(&args, 0, sizeof args);
    snprintf(args.name, sizeof args.name, "/dev/%s", name);
    int r = ioctl(fd, req, &args);
    return r < 0 ? -errno : r;
}

static int read_sb(const char *name, struct btrfssb *sb)
{
    unsigned char buf[BTRFSSB_SIZE];
    char path[64];
    snprintf(path, sizeof path, "/dev/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t r = pread(fd, buf, sizeof buf, BTRFSSB_OFFSET);
    int e = errno;
    close(fd);
    if (r < 0)
        return -e;
    return btrfssb_parse(buf, (size_t)r, sb) < 0 ? -EINVAL : 0;
}

/* Note a registered member, its superblock in *sb. Returns 1 when it is
 * new or changed (a change event registers it again), 0 when it is as
 * noted, -1 when its superblock cannot be read (the message then lacks its
 * number) or the table is full. */
static int remember(const char *name, struct btrfssb *sb)
{
    if (read_sb(name, sb) < 0)
        return -1;
    size_t i = 0;
    while (i < n_members && strcmp(members[i].name, name))
        i++;
    if (i == MAX_MEMBERS)
        return -1;
    int same = i < n_members && !strcmp(members[i].sb.fsid, sb->fsid) &&
               members[i].sb.devid == sb->devid && members[i].sb.num_devices == sb->num_devices;
    if (i == n_members)
        n_members++;
    snprintf(members[i].name, sizeof members[i].name, "%s", name);
    members[i].sb = *sb;
    return !same;
}

void btrfs_seen(const struct blockdev *d)
{
    char why[64];
    if (strcmp(d->type, "btrfs"))
        return;
    snprintf(why, sizeof why, "btrfs device /dev/%s", d->name);
    int r = vol_ioctl(BTRFS_IOC_SCAN_DEV, d->name, why);
    if (r < 0) {
        if (r != -ENODEV) /* no control device: said once already */
            log_warn("btrfs: the kernel did not take /dev/%s (UUID=%s) as a btrfs device (%s); "
                     "a filesystem it belongs to may not mount", d->name, d->uuid, strerror(-r));
        return;
    }
    struct btrfssb sb;
    if (remember(d->name, &sb) > 0 && sb.num_devices > 1)
        log_info("btrfs: /dev/%s is device %llu of the %llu of filesystem UUID=%s; registered",
                 d->name, sb.devid, sb.num_devices, sb.fsid);
}

/* The members registered for fsid, as "/dev/vda (device 1), ...". */
static size_t list_members(const char *fsid, char *buf, size_t len)
{
    size_t n = 0, used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n_members; i++) {
        if (strcasecmp(members[i].sb.fsid, fsid))
            continue;
        int w = snprintf(buf + used, len - used, "%s/dev/%s (device %llu)", n ? ", " : "",
                         members[i].name, members[i].sb.devid);
        if (w > 0 && (size_t)w < len - used)
            used += (size_t)w;
        n++;
    }
    return n;
}

static int ready(void *ctx)
{
    const struct blockdev *root = ctx;
    /* 0: all there; 1: not yet; an error is no reason to stop looking */
    return vol_ioctl(BTRFS_IOC_DEVICES_READY, root->name, "btrfs root") == 0;
}

int btrfs_wait_members(const struct blockdev *root, int timeout_ms, int timeout_s, int degraded)
{
    char seen[400];
    struct btrfssb sb;
    if (strcmp(root->type, "btrfs"))
        return 0;
    int r = vol_ioctl(BTRFS_IOC_DEVICES_READY, root->name, "btrfs root");
    if (r < 0) {
        log_warn("btrfs: cannot ask the kernel whether every device of /dev/%s is there (%s); "
                 "mounting it as it is", root->name, strerror(-r));
        return 0;
    }
    /* the root is a member whatever the way it was registered (the
     * question above registers it too) */
    int have_sb = remember(root->name, &sb) >= 0;
    if (r == 0) {
        if (have_sb && sb.num_devices > 1)
            log_info("btrfs: all %llu devices of UUID=%s are there", sb.num_devices, root->uuid);
        return 0;
    }
    char want[64] = "all its devices";
    if (have_sb)
        snprintf(want, sizeof want, "%llu devices", sb.num_devices);
    if (degraded) {
        /* What the kernel has already announced is taken in (a member that
         * came with the same driver load), nothing later is waited for. */
        if (devices_wait_until(ready, (void *)root, 0) == 0)
            return 0;
        size_t n = list_members(root->uuid, seen, sizeof seen);
        log_warn("btrfs: mounting UUID=%s degraded (rootflags=degraded): it has %s, %zu "
                 "present: %s; the others are not waited for", root->uuid, want, n, seen);
        return 0;
    }
    list_members(root->uuid, seen, sizeof seen);
    if (timeout_ms < 0)
        log_info("btrfs: waiting for the other devices of UUID=%s (%s; present: %s; rootwait: "
                 "no time limit)", root->uuid, want, seen);
    else
        log_info("btrfs: waiting for the other devices of UUID=%s (%s; present: %s)",
                 root->uuid, want, seen);
    r = devices_wait_until(ready, (void *)root, timeout_ms);
    if (r == 0) {
        log_info("btrfs: all %s of UUID=%s are there", want, root->uuid);
        return 0;
    }
    size_t n = list_members(root->uuid, seen, sizeof seen);
    log_err("btrfs root UUID=%s wants %s, but only %zu appeared within %d s: %s; check the "
            "missing disks and their drivers (devices seen below), or mount without them "
            "with rootflags=degraded", root->uuid, want, n, timeout_s, seen);
    devices_report();
    return r == -ETIMEDOUT ? r : -ETIMEDOUT;
}
