/* checkinit: the marker init that hatch's QEMU tests put at /sbin/init.
 *
 * As PID 1 on the real root it reports, in ONE line on the console, what the
 * initramfs handed over (root device, mounts, argv, environment, whether the
 * verity-protected payload reads back), then powers the machine off so QEMU
 * exits at once. Tests grep the line; keep the field order and names stable:
 *
 *   HATCH-CHECK result= pid= root= rootdev= fstype= mode= proc= sys= dev= run=
 *               argc= argv= env= payload= uptime= start= runinit= unevictable_kb=
 *               shmem_kb= fds= hatch_ms= reads= usr= stages=
 *
 * start= is CLOCK_BOOTTIME when this program began (the moment the real
 * init got the machine) and runinit= the kernel's timestamp of its "Run
 * /init as init process" line (from the kernel log through syslog(2), so
 * that neither /proc nor /dev is needed): make bench reads both. reads=
 * lists, from /proc/diskstats, each device read so far as NAME:IOS/SECTORS
 * (at most 8, then ",more"): under QEMU's -icount every read the guest
 * waits for is time, so make bench shows how many each initramfs made.
 * usr= is the mount on /usr as SOURCE:FSTYPE:MODE (source and type as
 * /proc/self/mountinfo shows them, MODE ro or rw), e.g.
 * usr=/dev/mapper/usr:ext4:ro, or "-" when /usr is not a mount point.
 * stages= is hatch's /run/hatch/timings as NAME:MS,... (cmdline:0.4,
 * modules:410.2,root:0.1,...), or "none".
 *
 * Values never contain spaces: argv/env bytes that are space, comma, '%' or
 * not printable ASCII are written as %XX. Unknown values are "?".
 * Static buffers only: this must work with nothing but the kernel under it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char line[32768];
static size_t len;
static char mi[65536];

static void put(const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof(line) - 2 - len) /* keep room for '\n' */
        n = sizeof(line) - 2 - len;
    memcpy(line + len, s, n);
    len += n;
}

/* A field must stay one whitespace-free token whatever the guest passed. */
static void put_escaped(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[4] = "%";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c >= 0x7f || c == ',' || c == '%') {
            e[1] = hex[c >> 4];
            e[2] = hex[c & 15];
            put(e);
        } else {
            char one[2] = { (char)c, 0 };
            put(one);
        }
    }
}

static void put_list(char **v)
{
    for (int i = 0; v && v[i]; i++) {
        if (i)
            put(",");
        put_escaped(v[i]);
    }
}

/* Reads a whole small file; returns its length or -errno. */
static long slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    if (fd < 0)
        return -errno;
    while (got < size - 1) {
        ssize_t r = read(fd, buf + got, size - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    return (long)got;
}

static const char *errname(int e)
{
    static char other[16];
    switch (e) {
    case EIO: return "EIO";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENXIO: return "ENXIO";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case EBADMSG: return "EBADMSG";
    case ENODATA: return "ENODATA";
    case EISDIR: return "EISDIR";
    case ENOMEM: return "ENOMEM";
    }
    snprintf(other, sizeof(other), "E%d", e);
    return other;
}

/* Reads the payload in chunks, so any dm-verity failure anywhere shows. */
static void put_payload(void)
{
    static char chunk[16384];
    char num[48];
    unsigned long long total = 0;
    int fd = open("/check/payload", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        put(errno == ENOENT ? "none" : "error:");
        if (errno != ENOENT)
            put(errname(errno));
        return;
    }
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            put("error:");
            put(errname(errno));
            close(fd);
            return;
        }
        if (r == 0)
            break;
        total += (unsigned long long)r;
    }
    close(fd);
    snprintf(num, sizeof(num), "ok:%llu", total);
    put(num);
}

/* The "total MS" line of /run/hatch/timings, or "none". */
static void put_timing_total(void)
{
    static char buf[2048];
    char *p;
    if (slurp("/run/hatch/timings", buf, sizeof(buf)) > 0 && (p = strstr(buf, "total ")) &&
        (p == buf || p[-1] == '\n')) {
        p += 6;
        p[strspn(p, "0123456789.")] = 0;
        put(p);
        return;
    }
    put("none");
}

/* hatch's stages, "NAME:MS,..." from /run/hatch/timings (its lines but
 * the kernel's clock and the total), or "none": the benchmark's
 * breakdown of where the stage time goes. */
static void put_stages(void)
{
    static char buf[2048];
    int n = 0;
    if (slurp("/run/hatch/timings", buf, sizeof(buf)) > 0) {
        for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
            char *sp = strchr(l, ' ');
            if (!sp || !strncmp(l, "kernel ", 7) || !strncmp(l, "total ", 6))
                continue;
            *sp = ':';
            if (n++)
                put(",");
            put_escaped(l);
        }
    }
    if (!n)
        put("none");
}

/* One "Key:   N kB" value of /proc/meminfo, or "?". */
static void put_meminfo(const char *key)
{
    static char buf[8192];
    if (slurp("/proc/meminfo", buf, sizeof(buf)) > 0) {
        char *p = strstr(buf, key);
        if (p) {
            p += strlen(key);
            p += strspn(p, " ");
            p[strspn(p, "0123456789")] = 0;
            put(p);
            return;
        }
    }
    put("?");
}

/* The file descriptors this process holds, ascending, e.g. "0,1,2": what
 * the initramfs let the real init inherit (the listing's own fd left out). */
static void put_fds(void)
{
    char num[16];
    int fds[64], n = 0, more = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (!d) {
        put("?");
        return;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
            continue;
        if (n < 64)
            fds[n++] = atoi(e->d_name);
        else
            more = 1;
    }
    closedir(d);
    for (int i = 1; i < n; i++) /* insertion sort: a handful of numbers */
        for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
            int t = fds[j];
            fds[j] = fds[j - 1];
            fds[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        snprintf(num, sizeof(num), "%s%d", i ? "," : "", fds[i]);
        put(num);
    }
    if (more)
        put(",more");
    if (!n)
        put("none");
}

/* The kernel's timestamp of "Run /init as init process", or "?". */
static void put_runinit(void)
{
    static char kl[1 << 17];
    int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, kl, sizeof(kl) - 1);
    if (n > 0) {
        kl[n] = 0;
        char *p = strstr(kl, "] Run /init as init process");
        if (p) {
            char *b = p;
            while (b > kl && b[-1] != '[')
                b--;
            *p = 0;
            b += strspn(b, " ");
            put(b);
            return;
        }
    }
    put("?");
}

/* NAME:IOS/SECTORS of every device with reads completed, e.g.
 * "vda:31/1720,vda1:20/980", or "none" / "?". */
static void put_reads(void)
{
    static char ds[1 << 16];
    char item[96];
    int n = 0;
    if (slurp("/proc/diskstats", ds, sizeof(ds)) < 0) {
        put("?");
        return;
    }
    char *save = NULL;
    for (char *l = strtok_r(ds, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        unsigned maj, min;
        unsigned long long ios, merged, sectors;
        char name[64];
        if (sscanf(l, "%u %u %63s %llu %llu %llu", &maj, &min, name, &ios, &merged, &sectors) != 6 ||
            !ios)
            continue;
        if (n == 8) {
            put(",more");
            return;
        }
        snprintf(item, sizeof(item), "%s%s:%llu/%llu", n++ ? "," : "", name, ios, sectors);
        put(item);
    }
    if (!n)
        put("none");
}

/* "ro" or "rw" from a mountinfo line's per-mount options. */
static const char *mount_mode(const char *opts)
{
    return strncmp(opts, "ro", 2) == 0 && (opts[2] == ',' || !opts[2]) ? "ro" : "rw";
}

int main(int argc, char **argv)
{
    struct timespec t0;
    char start[32] = "?";
    if (clock_gettime(CLOCK_BOOTTIME, &t0) == 0)
        snprintf(start, sizeof(start), "%lld.%06ld", (long long)t0.tv_sec, t0.tv_nsec / 1000);

    /* mountinfo: id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
    const char *root = "?", *rootdev = "?", *fstype = "?", *mode = "?";
    const char *usrsrc = NULL, *usrfs = NULL, *usrmode = NULL;
    const char *flag[4] = { "?", "?", "?", "?" };
    static const char *const want[4] = { "/proc", "/sys", "/dev", "/run" };
    int pid = (int)getpid(), ok;
    char num[32], up[64];

    if (slurp("/proc/self/mountinfo", mi, sizeof(mi)) < 0) {
        flag[0] = "0";
    } else {
        char *save = NULL;
        for (int i = 0; i < 4; i++)
            flag[i] = "0";
        for (char *l = strtok_r(mi, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            char *tok[32], *s2 = NULL;
            int n = 0, dash = -1;
            for (char *t = strtok_r(l, " ", &s2); t && n < 32; t = strtok_r(NULL, " ", &s2)) {
                if (dash < 0 && n >= 6 && strcmp(t, "-") == 0)
                    dash = n;
                tok[n++] = t;
            }
            if (n < 6 || dash < 0 || dash + 2 >= n)
                continue;
            for (int i = 0; i < 4; i++)
                if (strcmp(tok[4], want[i]) == 0)
                    flag[i] = "1";
            if (strcmp(tok[4], "/") == 0) { /* the last one is the visible root */
                rootdev = tok[2];
                fstype = tok[dash + 1];
                root = tok[dash + 2];
                mode = mount_mode(tok[5]);
            }
            if (strcmp(tok[4], "/usr") == 0) { /* likewise the last one */
                usrsrc = tok[dash + 2];
                usrfs = tok[dash + 1];
                usrmode = mount_mode(tok[5]);
            }
        }
    }
    ok = pid == 1;
    for (int i = 0; i < 4; i++)
        ok = ok && strcmp(flag[i], "1") == 0;

    put("HATCH-CHECK result=");
    put(ok ? "ok" : "fail");
    snprintf(num, sizeof(num), " pid=%d", pid);
    put(num);
    put(" root="); put_escaped(root);
    put(" rootdev="); put(rootdev);
    put(" fstype="); put_escaped(fstype);
    put(" mode="); put(mode);
    for (int i = 0; i < 4; i++) {
        put(" "); put(want[i] + 1); put("="); put(flag[i]);
    }
    snprintf(num, sizeof(num), " argc=%d", argc);
    put(num);
    put(" argv="); put_list(argv);
    put(" env="); put_list(environ);
    put(" payload="); put_payload();
    put(" uptime=");
    if (slurp("/proc/uptime", up, sizeof(up)) > 0) {
        up[strcspn(up, " \n")] = 0;
        put(up);
    } else {
        put("?");
    }
    put(" start="); put(start);
    put(" runinit="); put_runinit();
    /* The initramfs is ramfs, whose pages the kernel counts as
     * Unevictable; a tmpfs left mounted inside it counts as Shmem. Tests
     * read these to see that the initramfs was freed and nothing else. */
    put(" unevictable_kb="); put_meminfo("Unevictable:");
    put(" shmem_kb="); put_meminfo("Shmem:");
    put(" fds="); put_fds();
    /* hatch leaves its stage timings in /run for the real system. */
    put(" hatch_ms="); put_timing_total();
    put(" reads="); put_reads();
    put(" usr=");
    if (usrsrc) {
        put_escaped(usrsrc); put(":");
        put_escaped(usrfs); put(":");
        put(usrmode);
    } else {
        put("-");
    }
    put(" stages="); put_stages();
    line[len++] = '\n';

    /* The console is where QEMU's serial log comes from; stdout may be unset. */
    int fd = pid == 1 ? open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC) : -1;
    if (write(fd >= 0 ? fd : 1, line, len) < 0 && fd >= 0)
        (void)!write(1, line, len);
    if (pid != 1)
        return 1;
    sync();
    reboot(RB_POWER_OFF);
    /* PID 1 must never exit (that panics); wait for the harness's timeout. */
    for (;;)
        pause();
}
