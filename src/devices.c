/* Device discovery without udev. The uevent socket is opened first, then
 * what is already present is scanned (coldplug), then the socket is waited
 * on: no sleeps, no polling. Tags come from libblkid. */
#include "devices.h"
#include "log.h"
#include "lvmcfg.h"
#include "modules.h"
#include "uevent.h"

#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_UNMATCHED 64

static int uev_fd = -1;
static struct blockdev *devs; /* grown as devices appear: no device is dropped */
static size_t n_devs, cap_devs;
static char unmatched[MAX_UNMATCHED][96];
static void (*probe_hook)(const struct blockdev *d);
static size_t n_unmatched, n_unmatched_more;

int devices_start(void)
{
    if (uev_fd >= 0)
        return 0;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1 /* kernel events */};
    uev_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    NETLINK_KOBJECT_UEVENT);
    if (uev_fd < 0)
        return -errno;
    /* A module load can emit a burst of events; a small buffer drops them. */
    int sz = 8 << 20;
    if (setsockopt(uev_fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
        setsockopt(uev_fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    if (bind(uev_fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        close(uev_fd);
        uev_fd = -1;
        return -e;
    }
    return 0;
}

void devices_stop(void)
{
    if (uev_fd >= 0)
        close(uev_fd);
    uev_fd = -1;
}

/* Copy with truncation; names from sysfs are short, this only bounds them. */
static void scopy(char *dst, size_t len, const char *src)
{
    size_t l = strnlen(src, len - 1);
    memcpy(dst, src, l);
    dst[l] = '\0';
}

static int read_small(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t r = read(fd, buf, len - 1);
    int e = errno;
    close(fd);
    if (r < 0)
        return -e;
    buf[r] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return (int)r;
}

static long long now_ms(void);

static void note_unmatched(const char *alias)
{
    for (size_t i = 0; i < n_unmatched; i++)
        if (!strcmp(unmatched[i], alias))
            return;
    if (n_unmatched < MAX_UNMATCHED)
        scopy(unmatched[n_unmatched++], sizeof unmatched[0], alias);
    else
        n_unmatched_more++;
}

/* A device's driver, loaded beside the others (module_load_async); a
 * device no module in the image drives is noted for the failure report. */
static void load_for_alias(const char *alias)
{
    if (!modules_ready())
        return;
    int k = module_known(alias);
    if (k == 0) {
        note_unmatched(alias);
        return;
    }
    if (k == 1) {
        char why[128];
        snprintf(why, sizeof why, "device %.100s", alias);
        module_load_async(alias, why);
    }
}

/* Copy a libblkid value into a fixed field. */
static void tag(blkid_probe pr, const char *name, char *dst, size_t len)
{
    const char *v = NULL;
    if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
        scopy(dst, len, v);
}

/* libblkid's probers read a few dozen small pieces one after another:
 * the first 256 KiB, single blocks at the powers of two up to 4 MiB, and
 * the last 256 KiB (RAID metadata, the backup GPT). Each piece not yet in
 * the page cache is a round trip to the disk. Asking for all of them at
 * once first lets the disk serve them together; the reads then find them
 * in the cache. */
static void prefetch(int fd)
{
    uint64_t size = 0;
    if (ioctl(fd, BLKGETSIZE64, &size) < 0)
        return;
    posix_fadvise(fd, 0, 256 << 10, POSIX_FADV_WILLNEED);
    for (off_t off = 512 << 10; off <= 4 << 20 && (uint64_t)off < size; off *= 2)
        posix_fadvise(fd, off, 4096, POSIX_FADV_WILLNEED);
    if (size > 256 << 10)
        posix_fadvise(fd, (off_t)(size - (256 << 10)), 256 << 10, POSIX_FADV_WILLNEED);
}

/* A whole disk the kernel has split into partitions holds its filesystems
 * in them: for it only the partition table is read (the kernel's own scan
 * left it in the page cache), not the dozens of places where the probers
 * look for a filesystem or RAID signature. Such a signature on the whole
 * disk would be a stale one (or an isohybrid image's, where partition 1
 * carries the same filesystem); matching it would mount the wrong thing. */
static int has_partitions(const char *disk)
{
    char p[600];
    size_t len = strlen(disk);
    snprintf(p, sizeof p, "/sys/class/block/%s", disk);
    DIR *dir = opendir(p);
    struct dirent *e;
    int found = 0;
    if (!dir)
        return 0;
    while (!found && (e = readdir(dir)))
        if (!strncmp(e->d_name, disk, len) && e->d_name[len]) {
            snprintf(p, sizeof p, "/sys/class/block/%s/%s/partition", disk, e->d_name);
            found = access(p, F_OK) == 0;
        }
    closedir(dir);
    return found;
}

/* Probe d's tags; a probe that could not read the device says why in
 * d->unprobed, so that the table of devices does not show a failing disk as
 * one with no tags. */
static void probe_here(struct blockdev *d)
{
    char path[64];
    snprintf(path, sizeof path, "/dev/%s", d->name);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        scopy(d->unprobed, sizeof d->unprobed, strerror(errno));
        return;
    }
    int table_only = !d->partno && has_partitions(d->name);
    if (!table_only)
        prefetch(fd);
    errno = 0;
    blkid_probe pr = blkid_new_probe();
    if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
        scopy(d->unprobed, sizeof d->unprobed, strerror(errno ? errno : EIO));
        if (pr)
            blkid_free_probe(pr);
        close(fd);
        return;
    }
    blkid_probe_enable_superblocks(pr, !table_only);
    blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID |
                                              BLKID_SUBLKS_TYPE);
    blkid_probe_enable_partitions(pr, 1);
    blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
    errno = 0;
    int r = blkid_do_safeprobe(pr);
    if (r == 0) {
        tag(pr, "TYPE", d->type, sizeof d->type);
        tag(pr, "UUID", d->uuid, sizeof d->uuid);
        tag(pr, "UUID_SUB", d->uuid_sub, sizeof d->uuid_sub);
        tag(pr, "LABEL", d->label, sizeof d->label);
        tag(pr, "PART_ENTRY_UUID", d->partuuid, sizeof d->partuuid);
        tag(pr, "PART_ENTRY_NAME", d->partlabel, sizeof d->partlabel);
        tag(pr, "PART_ENTRY_TYPE", d->parttype, sizeof d->parttype);
        char flags[32] = "";
        tag(pr, "PART_ENTRY_FLAGS", flags, sizeof flags);
        d->partflags = strtoull(flags, NULL, 0);
        if (!d->type[0])
            tag(pr, "PTTYPE", d->type, sizeof d->type);
    } else if (r == -2) {
        scopy(d->unprobed, sizeof d->unprobed, "signatures of more than one filesystem");
    } else if (r < 0) {
        scopy(d->unprobed, sizeof d->unprobed, strerror(errno ? errno : EIO));
    }
    blkid_free_probe(pr);
    close(fd);
}

#define PROBE_TIMEOUT_MS 10000

/* libblkid parses the superblocks of whatever is plugged in (any USB
 * stick); inside PID 1 a parser crash would kill PID 1 and panic the
 * kernel. So each device is probed in a child that hands its tags back
 * through a pipe: a crash or a hang costs that device's tags, not the
 * machine. */
static void probe_tags(struct blockdev *d)
{
    int p[2];
    d->type[0] = d->uuid[0] = d->uuid_sub[0] = d->label[0] = d->partuuid[0] = '\0';
    d->partlabel[0] = d->parttype[0] = '\0';
    d->partflags = 0;
    d->unprobed[0] = '\0';
    if (pipe2(p, O_CLOEXEC) < 0) {
        probe_here(d);
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        probe_here(d); /* no process to spare: the old way beats no tags */
        return;
    }
    if (pid == 0) {
        close(p[0]);
        probe_here(d);
        ssize_t w = write(p[1], d, sizeof *d); /* < PIPE_BUF: one atomic write */
        _exit(w == (ssize_t)sizeof *d ? 0 : 1);
    }
    close(p[1]);
    struct blockdev got;
    size_t have = 0;
    long long deadline = now_ms() + PROBE_TIMEOUT_MS;
    const char *why = NULL;
    while (have < sizeof got) {
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        long long left = deadline - now_ms();
        int r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            why = "took more than 10 s";
            kill(pid, SIGKILL);
            break;
        }
        ssize_t n = read(p[0], (char *)&got + have, sizeof got - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    close(p[0]);
    int st = 0;
    /* A child stuck in the kernel (a dead disk) may not die at once;
     * then it is left for the real init to reap. */
    if (waitpid(pid, &st, why ? WNOHANG : 0) == pid && WIFSIGNALED(st))
        why = strsignal(WTERMSIG(st));
    if (have == sizeof got && !why) {
        /* only the tags come back; each is cut to its field */
        scopy(d->type, sizeof d->type, got.type);
        scopy(d->uuid, sizeof d->uuid, got.uuid);
        scopy(d->uuid_sub, sizeof d->uuid_sub, got.uuid_sub);
        scopy(d->label, sizeof d->label, got.label);
        scopy(d->partuuid, sizeof d->partuuid, got.partuuid);
        scopy(d->partlabel, sizeof d->partlabel, got.partlabel);
        scopy(d->parttype, sizeof d->parttype, got.parttype);
        d->partflags = got.partflags;
        scopy(d->unprobed, sizeof d->unprobed, got.unprobed);
        return;
    }
    scopy(d->unprobed, sizeof d->unprobed, why ? why : "the probing process gave no answer");
    log_warn("probing /dev/%s failed (%s); its tags are unknown and it can be found only by "
             "/dev/NAME or MAJ:MIN", d->name, why ? why : "no answer");
}

/* Fill d from sysfs and libblkid for kernel name `name` (or, with like,
 * its filesystem tags from like: see devices_refresh). */
static int read_blockdev(const char *name, const struct blockdev *like, struct blockdev *d)
{
    char p[128], v[256];

    memset(d, 0, sizeof *d);
    scopy(d->name, sizeof d->name, name);
    snprintf(p, sizeof p, "/sys/class/block/%s/dev", name);
    if (read_small(p, v, sizeof v) < 0 || sscanf(v, "%u:%u", &d->major, &d->minor) != 2)
        return -ENODEV;
    snprintf(p, sizeof p, "/sys/class/block/%s/partition", name);
    if (read_small(p, v, sizeof v) > 0) {
        d->partno = atoi(v);
        /* The parent directory in sysfs is the whole disk. */
        char link[512];
        snprintf(p, sizeof p, "/sys/class/block/%s", name);
        ssize_t l = readlink(p, link, sizeof link - 1);
        if (l > 0) {
            link[l] = '\0';
            char *slash = strrchr(link, '/');
            if (slash) {
                *slash = '\0';
                char *parent = strrchr(link, '/');
                scopy(d->disk, sizeof d->disk, parent ? parent + 1 : link);
            }
        }
    }
    snprintf(p, sizeof p, "/sys/class/block/%s/dm/name", name);
    if (read_small(p, v, sizeof v) > 0)
        scopy(d->dmname, sizeof d->dmname, v);
    /* An LVM volume's own layers (a raid1 leg, a thin pool's data) hold
     * the volume's filesystem too: like udev's 11-dm-lvm.rules, leave
     * them unprobed, so that root=UUID= finds the volume alone. */
    snprintf(p, sizeof p, "/sys/class/block/%s/dm/uuid", name);
    if (read_small(p, v, sizeof v) > 0 && lvm_dm_internal(d->dmname, v))
        d->lvm_internal = 1;
    /* Read before the probe: an event numbered up to this happened before
     * the probe began, so the probe saw what it announced. */
    if (read_small("/sys/kernel/uevent_seqnum", v, sizeof v) > 0)
        d->seq = strtoull(v, NULL, 10);
    if (like && like->type[0] && !like->unprobed[0]) {
        scopy(d->type, sizeof d->type, like->type);
        scopy(d->uuid, sizeof d->uuid, like->uuid);
        scopy(d->uuid_sub, sizeof d->uuid_sub, like->uuid_sub);
        scopy(d->label, sizeof d->label, like->label);
    } else if (!d->lvm_internal) {
        probe_tags(d);
    }
    return 0;
}

/* Has this add or change event nothing new: the device (same number) was
 * probed after the kernel sent it? A device found by the coldplug scan, or
 * refreshed by hatch after making it (verity, LUKS), then is not read
 * again for the events queued meanwhile. */
static int seen_since(const struct uevent *ev)
{
    if (!ev->seqnum)
        return 0;
    for (size_t i = 0; i < n_devs; i++)
        if (!strcmp(devs[i].name, ev->devname))
            return (int)devs[i].major == ev->major && (int)devs[i].minor == ev->minor &&
                   ev->seqnum <= devs[i].seq;
    return 0;
}

/* The same device as probed before, for the probe hook: the same number,
 * TYPE and UUID. A change event that leaves these alone (mdadm or lvm
 * closing a member, a partition table reread) must not hand the device to
 * mdadm or lvm a second time. */
static int same_device(const struct blockdev *a, const struct blockdev *b)
{
    return a->major == b->major && a->minor == b->minor && !strcmp(a->type, b->type) &&
           !strcmp(a->uuid, b->uuid);
}

static void add_blockdev(const char *name, const struct blockdev *like)
{
    struct blockdev d;
    if (read_blockdev(name, like, &d) < 0)
        return;
    size_t i = 0;
    while (i < n_devs && strcmp(devs[i].name, name))
        i++;
    if (probe_hook && (i == n_devs || !same_device(&devs[i], &d)))
        probe_hook(&d);
    if (i < n_devs) {
        devs[i] = d; /* changed (e.g. new partition table): re-probed */
        return;
    }
    if (n_devs == cap_devs) {
        size_t cap = cap_devs ? 2 * cap_devs : 64;
        struct blockdev *nd = realloc(devs, cap * sizeof *devs);
        if (!nd) {
            log_err("out of memory keeping block device %s (%zu seen); it cannot be the root",
                    name, n_devs);
            return;
        }
        devs = nd;
        cap_devs = cap;
    }
    devs[n_devs++] = d;
    log_debug("block device %s (%u:%u) type=%s uuid=%s label=%s partuuid=%s", d.name, d.major,
              d.minor, d.type, d.uuid, d.label, d.partuuid);
}

static void remove_blockdev(const char *name)
{
    for (size_t i = 0; i < n_devs; i++)
        if (!strcmp(devs[i].name, name)) {
            devs[i] = devs[--n_devs];
            return;
        }
}

void devices_on_probe(void (*fn)(const struct blockdev *d))
{
    probe_hook = fn;
}

int devices_refresh(const char *name, const struct blockdev *like, struct blockdev *out)
{
    add_blockdev(name, like);
    for (size_t i = 0; i < n_devs; i++)
        if (!strcmp(devs[i].name, name)) {
            *out = devs[i];
            return 0;
        }
    return -ENODEV;
}

static size_t drain_events(void);

/* What a wait looks for, asked after every batch of events: 1 there, 0
 * not yet, -1 stop looking (a spec that two devices match). */
typedef int (*want_fn)(void *ctx);

int devices_each_modalias(int (*fn)(const char *alias, void *ctx), void *ctx)
{
    DIR *buses = opendir("/sys/bus");
    struct dirent *b, *e;
    char p[600], alias[256];
    int r = 0;

    if (!buses)
        return 0;
    while (!r && (b = readdir(buses))) {
        if (b->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "/sys/bus/%s/devices", b->d_name);
        DIR *dd = opendir(p);
        if (!dd)
            continue;
        while (!r && (e = readdir(dd))) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(p, sizeof p, "/sys/bus/%s/devices/%s/modalias", b->d_name, e->d_name);
            if (read_small(p, alias, sizeof alias) > 0)
                r = fn(alias, ctx);
        }
        closedir(dd);
    }
    closedir(buses);
    return r;
}

static int load_for_alias_cb(const char *alias, void *ctx)
{
    (void)ctx;
    load_for_alias(alias);
    return 0;
}

/* The drivers of every device on every bus, as udev's coldplug would load
 * them: /sys/bus/X/devices/Y/modalias covers what can need a driver. The
 * loads go on side by side (load_for_alias); wait_for takes in the devices
 * they attach. */
static void coldplug_modaliases(void)
{
    devices_each_modalias(load_for_alias_cb, NULL);
}

static int known(const char *name)
{
    for (size_t i = 0; i < n_devs; i++)
        if (!strcmp(devs[i].name, name))
            return 1;
    return 0;
}

/* Every block device in sysfs, or (only_new) those not seen yet. */
static void scan_block(int only_new)
{
    DIR *d = opendir("/sys/class/block");
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && !(only_new && known(e->d_name)))
            add_blockdev(e->d_name, NULL);
    closedir(d);
}

static void coldplug_block(void)
{
    scan_block(0);
}

static int modaliases_done;
/* The boot (not a shell) had the devices' drivers loaded. */
static int drivers_started;

void devices_load_drivers(void)
{
    if (!modaliases_done)
        coldplug_modaliases();
    modaliases_done = drivers_started = 1;
}

void devices_coldplug(void)
{
    coldplug_block();
}

void devices_coldplug_all(void)
{
    /* A shell before the modules stage (rd.break=cmdline or =modules) has
     * no libkmod yet: the devices present are left for devices_wait, not
     * marked done without a driver. */
    if (!modules_ready())
        return;
    if (!modaliases_done)
        coldplug_modaliases();
    modaliases_done = 1;
    modules_pending(1);
    drain_events();
}

static void handle_event(const struct uevent *ev)
{
    int add = !strcmp(ev->action, "add") || !strcmp(ev->action, "change");
    if (add && ev->modalias && !strcmp(ev->action, "add"))
        load_for_alias(ev->modalias);
    if (!ev->subsystem || strcmp(ev->subsystem, "block") || !ev->devname)
        return;
    if (add && !seen_since(ev))
        add_blockdev(ev->devname, NULL);
    else if (!strcmp(ev->action, "remove"))
        remove_blockdev(ev->devname);
}

/* Returns how many kernel uevents it handled. */
static size_t drain_events(void)
{
    char buf[8192];
    size_t n = 0;
    for (;;) {
        struct sockaddr_nl from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(uev_fd, buf, sizeof buf - 1, MSG_DONTWAIT, (struct sockaddr *)&from,
                             &fl);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) {
                /* Events were lost: rescan so nothing is missed. */
                log_warn("uevent buffer overflowed; rescanning devices");
                coldplug_block();
                n++;
                continue;
            }
            return n;
        }
        /* Only the kernel (port 0) speaks for devices: any process may
         * send to the uevent group. */
        if (fl != sizeof from || from.nl_pid != 0)
            continue;
        buf[r] = '\0';
        struct uevent ev;
        if (uevent_parse(buf, (size_t)r, &ev) == 0) {
            handle_event(&ev);
            n++;
        }
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when every spec has exactly one match (found[i]); 0 while any is
 * missing; -1 when one matches two devices (found[i] and other[i]). */
static int all_found(const struct devspec *specs, size_t n, struct blockdev *found,
                     struct blockdev *other)
{
    size_t ok = 0;
    int ambiguous = 0;
    for (size_t i = 0; i < n; i++) {
        int second, k = devspec_find_unique(&specs[i], devs, n_devs, &second);
        other[i].name[0] = '\0';
        if (k < 0)
            continue;
        found[i] = devs[k];
        ok++;
        if (second >= 0) {
            other[i] = devs[second];
            ambiguous = 1;
        }
    }
    return ambiguous ? -1 : ok == n;
}

struct want_specs {
    const struct devspec *specs;
    size_t n;
    struct blockdev *found, *other;
};

static int want_specs(void *ctx)
{
    struct want_specs *w = ctx;
    return all_found(w->specs, w->n, w->found, w->other);
}

#define RESCAN_MS 250

/* Once what we wait for is there, the driver loads still going get this
 * long to announce the devices they attach: a duplicate of the root on
 * another controller is then seen (the ambiguous-tag rule), and a driver
 * that hangs does not hold up the boot. */
#define SETTLE_MS 5000
/* While loads go on, how often to look whether they are done. */
#define LOADS_POLL_MS 10

static int wait_for(want_fn want, void *ctx, int timeout_ms)
{
    static int said_found;
    long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
    long long settle = -1, progress = now_ms();
    size_t last_pending = 0;
    int said_overrun = 0;

    for (;;) {
        size_t pending = modules_pending(0);
        /* progress: a load started or ended, or a device came or went */
        if (drain_events() || pending != last_pending)
            progress = now_ms();
        last_pending = pending;
        int f = want(ctx);
        long long now = now_ms();
        if (f && (!pending || (settle >= 0 && now >= settle) ||
                  (deadline >= 0 && now >= deadline))) {
            if (f > 0 && drivers_started && !said_found++)
                log_info("found what the boot needs; the real system loads the drivers of "
                         "the devices still without one");
            return f > 0 ? 0 : -EEXIST;
        }
        if (f && settle < 0)
            settle = now + SETTLE_MS;
        if (!f && !modaliases_done) {
            /* The drivers of the devices present, all at once; later
             * devices get theirs from their uevents. */
            modaliases_done = drivers_started = 1;
            coldplug_modaliases();
            /* rd.timeout=0 means "look once": after every driver. */
            if (timeout_ms == 0)
                modules_pending(1);
            continue;
        }
        int wait = -1;
        if (deadline >= 0) {
            long long left = deadline - now;
            /* Drivers still attaching devices at the deadline finish first,
             * as dracut's udev settle would let them: the verdict and the
             * table of devices are then of every device there is, not of
             * a half-probed controller. SETTLE_MS without a load starting
             * or ending or a device event (a hung driver) ends that. */
            if (left <= 0 && pending && now - progress < SETTLE_MS) {
                if (!said_overrun++)
                    log_info("the wait is over but %zu driver loads are still going; letting "
                             "them finish before looking a last time", pending);
                left = LOADS_POLL_MS;
            }
            if (left <= 0)
                return -ETIMEDOUT;
            wait = (int)left;
        }
        if (pending && (wait < 0 || wait > LOADS_POLL_MS))
            wait = LOADS_POLL_MS;
        if (uev_fd < 0) {
            /* No uevents (the socket could not be made): look in sysfs
             * for new devices a few times a second instead. */
            poll(NULL, 0, wait < 0 || wait > RESCAN_MS ? RESCAN_MS : wait);
            scan_block(1);
            continue;
        }
        struct pollfd pfd = {.fd = uev_fd, .events = POLLIN};
        if (poll(&pfd, 1, wait) < 0 && errno != EINTR)
            return -errno;
    }
}

int devices_wait(const struct devspec *specs, size_t n, int timeout_ms, struct blockdev *found,
                 struct blockdev *other)
{
    struct want_specs w = {specs, n, found, other};
    return wait_for(want_specs, &w, timeout_ms);
}

int devices_wait_until(int (*ready)(void *ctx), void *ctx, int timeout_ms)
{
    return wait_for(ready, ctx, timeout_ms);
}

void devices_report(void)
{
    if (!n_devs)
        log_err("block devices seen: none (no storage driver bound; is the controller's "
                "module in the image?)");
    else
        log_err("block devices seen (%zu):", n_devs);
    for (size_t i = 0; i < n_devs; i++) {
        const struct blockdev *d = &devs[i];
        /* A GPT partition's type, for root=gpt-auto and verity by type:
         * its name when it is one hatch looks for, and the flags that rule
         * it out or make it ro. */
        char gpt[128] = "";
        if (strlen(d->parttype) == 36) {
            const char *name = gpt_type_name(d->parttype);
            snprintf(gpt, sizeof gpt, " PARTTYPE=%s%s%s", name ? name : d->parttype,
                     d->partflags & GPT_FLAG_NO_AUTO ? ",no-auto" : "",
                     d->partflags & GPT_FLAG_READ_ONLY ? ",read-only" : "");
        }
        log_err("  %-8s %u:%u TYPE=%s UUID=%s LABEL=%s PARTUUID=%s PARTLABEL=%s%s%s%s%s%s",
                d->name, d->major, d->minor, d->type[0] ? d->type : "-", d->uuid[0] ? d->uuid : "-",
                d->label[0] ? d->label : "-", d->partuuid[0] ? d->partuuid : "-",
                d->partlabel[0] ? d->partlabel : "-", gpt, d->unprobed[0] ? " (cannot probe: " : "",
                d->unprobed, d->unprobed[0] ? ")" : "",
                d->lvm_internal ? " (an LVM volume's internal layer: not probed)" : "");
    }
    /* Buses storage hangs off first: those are the likely culprits. */
    static const char *const storage[] = {"pci:", "virtio:", "usb:", "scsi:", "mmc:",
                                          "sdio:", "nvme:", "of:", "platform:"};
    size_t shown = 0, other = 0;
    for (size_t i = 0; i < n_unmatched; i++) {
        int s = 0;
        for (size_t k = 0; k < sizeof storage / sizeof *storage; k++)
            s |= !strncmp(unmatched[i], storage[k], strlen(storage[k]));
        if (s && shown < 24) {
            if (!shown)
                log_err("devices with no module in the image:");
            log_err("  %s", unmatched[i]);
            shown++;
        } else {
            other++;
        }
    }
    if (other + n_unmatched_more)
        log_err("  (%zu other modaliases without a module, e.g. CPU and ACPI ones, not shown)",
                other + n_unmatched_more);
}
