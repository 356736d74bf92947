/* switch_root, done the way util-linux and systemd do it: / made private
 * (MS_MOVE fails on shared mounts), the pseudo-filesystems moved, the old
 * root emptied through an fd kept on it, the new root moved onto / and
 * chrooted into. pivot_root cannot be used: rootfs cannot be unmounted. */
#include "switchroot.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const moved[] = {"/dev", "/proc", "/sys", "/run"};

static const char *const defaults[] = {"/sbin/init", "/etc/init", "/bin/init"};

/* Open path with symlinks resolved as if newroot were /, so an absolute
 * link like /sbin/init -> /lib/systemd/systemd is followed on the new root,
 * not on the initramfs. */
static int open_in_root(int rootfd, const char *path, int flags)
{
    struct open_how how = {.flags = (unsigned)flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
    while (*path == '/')
        path++;
    int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
    if (fd < 0 && errno == ENOSYS) /* kernels before 5.6: best effort */
        fd = openat(rootfd, path, flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* 0 if path, resolved inside the root, is an executable regular file;
 * -ENOENT (or another -errno) if it cannot be opened, -EACCES if it is not
 * executable. */
static int init_status(int rootfd, const char *path)
{
    struct stat st;
    int fd = open_in_root(rootfd, path, O_PATH);
    if (fd < 0)
        return fd;
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
    close(fd);
    return ok ? 0 : -EACCES;
}

/* If path itself is a symbolic link on the new root, its target in buf. */
static int link_target(int rootfd, const char *path, char *buf, size_t len)
{
    int fd = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    ssize_t n = readlinkat(fd, "", buf, len - 1);
    close(fd);
    if (n < 0)
        return 0;
    buf[n] = '\0';
    return 1;
}

/* Read the whole init, as exec and its page faults will: an executable the
 * kernel cannot run, or blocks the disk cannot read, are found while the
 * initramfs (and its rescue shell) is still there, not after the switch,
 * when the real init would fail to start or die of SIGBUS as PID 1.
 * Returns 0 or -errno with one line logged. */
static int init_readable(int rootfd, const char *init)
{
    static char buf[65536];
    int fd = open_in_root(rootfd, init, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        log_err("cannot open the init program %s on the root filesystem (%s)", init,
                strerror(-fd));
        return fd;
    }
    ssize_t n, first = -1;
    off_t total = 0;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            log_err("cannot read the init program %s from the root filesystem (%s)%s", init,
                    strerror(e), e == EIO ? ": the device fails I/O; check or replace the "
                                            "disk" : "");
            close(fd);
            return -e;
        }
        if (first < 0 && n >= 4)
            first = memcmp(buf, "\x7f" "ELF", 4) == 0 || memcmp(buf, "#!", 2) == 0;
        total += n;
        if (total >= (off_t)256 << 20) /* enough to know the disk reads */
            break;
    }
    close(fd);
    if (first != 1) {
        log_err("the init program %s is neither an ELF executable nor a #! script; give an "
                "executable with init=", init);
        return -ENOEXEC;
    }
    return 0;
}

const char *switchroot_pick_init(const char *newroot, const char *given)
{
    char target[256];
    if (given)
        return given;
    int rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return defaults[0];
    const char *pick = defaults[0]; /* none found: the check says what is missing */
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
        int r = init_status(rootfd, defaults[i]);
        if (r == 0) {
            pick = defaults[i];
            break;
        }
        /* A broken link where the init should be is worth a word, even
         * when a later default boots, as the kernel's own search would. */
        if (r != -EACCES && link_target(rootfd, defaults[i], target, sizeof target))
            log_warn("%s is a symbolic link to %s, which does not resolve on the root "
                     "filesystem (%s); trying the next default", defaults[i], target,
                     strerror(-r));
    }
    close(rootfd);
    return pick;
}

int switchroot_check(const char *newroot, const char *init, const char *rootdesc)
{
    char target[256];
    int rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return -errno;

    struct stat st;
    int r = init_status(rootfd, init);
    if (r == -EACCES) {
        log_err("the init program %s on the root filesystem is not an executable file; give "
                "an executable with init=", init);
        goto out;
    }
    if ((r == -ENOENT || r == -ENOTDIR || r == -ELOOP) && init == defaults[0]) {
        /* switchroot_pick_init found none of the defaults */
        log_err("no init program on %s: none of /sbin/init, /etc/init, /bin/init is an "
                "executable file; give the right path with init= or check that root= names "
                "the right device", rootdesc);
        goto out;
    }
    if (r < 0 && link_target(rootfd, init, target, sizeof target)) {
        log_err("the init program %s is a symbolic link to %s, which does not resolve on the "
                "root filesystem (%s); give the right path with init=", init, target,
                strerror(-r));
        goto out;
    }
    if (r == -ENOENT) {
        log_err("the init program %s does not exist on the root filesystem (%s); give the "
                "right path with init= or check that root= names the right device",
                init, strerror(-r));
        goto out;
    }
    if (r < 0) {
        log_err("cannot open the init program %s on the root filesystem (%s); %s", init,
                strerror(-r), r == -EIO ? "the device fails I/O: check or replace the disk"
                                        : "give the right path with init=");
        goto out;
    }
    r = init_readable(rootfd, init);
    if (r < 0)
        goto out;

    for (size_t i = 0; i < sizeof moved / sizeof *moved; i++) {
        if (fstatat(rootfd, moved[i] + 1, &st, 0) == 0 && S_ISDIR(st.st_mode))
            continue;
        /* A read-write root can get the directory; a read-only one cannot. */
        if (mkdirat(rootfd, moved[i] + 1, 0755) == 0) {
            log_notice("created %s on the root filesystem", moved[i]);
            continue;
        }
        log_err("the root filesystem has no %s directory and hatch cannot create it (%s); "
                "add an empty %s directory to the root filesystem image",
                moved[i], strerror(errno), moved[i]);
        r = -ENOENT;
        goto out;
    }
out:
    close(rootfd);
    return r;
}

/* Delete everything under dirfd that lives on dev; never descend into
 * another filesystem (a mount the initramfs still holds is left alone). */
static void wipe(int dirfd, dev_t dev)
{
    DIR *d = fdopendir(dirfd);
    struct dirent *e;
    if (!d) {
        close(dirfd);
        return;
    }
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
            continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                wipe(sub, dev);
            unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
        } else {
            unlinkat(dirfd, e->d_name, 0);
        }
    }
    closedir(d);
}

/* Nothing hatch or its libraries opened may reach the real init: mark every
 * descriptor above 2 close-on-exec (closing them now would lose the log if
 * the exec fails). */
static void cloexec_all(void)
{
    if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    /* kernels before 5.11 */
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (!d) {
        log_warn("cannot list open files (%s); the real init may inherit some",
                 strerror(errno));
        return;
    }
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (fd > 2 && fd != dirfd(d))
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(d);
}

int switchroot(const char *newroot, const char *init, char *const argv[], char *const envp[])
{
    char path[256];
    struct stat st;
    struct statfs sfs;

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        log_warn("could not make / private (%s); moving mounts may fail", strerror(errno));

    for (size_t i = 0; i < sizeof moved / sizeof *moved; i++) {
        snprintf(path, sizeof path, "%s%s", newroot, moved[i]);
        if (mount(moved[i], path, NULL, MS_MOVE, NULL) < 0) {
            int e = errno;
            log_err("cannot move %s to the new root's %s: %s", moved[i], moved[i], strerror(e));
            return -e;
        }
    }

    int oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (chdir(newroot) < 0 || mount(newroot, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
        chdir("/") < 0) {
        int e = errno;
        log_err("cannot make %s the root: %s", newroot, strerror(e));
        if (oldroot >= 0)
            close(oldroot);
        return -e;
    }

    /* Free the initramfs memory, but only if it really is the initramfs
     * and we are PID 1: never a disk someone ran us on by mistake. */
    if (oldroot >= 0) {
        if (getpid() == 1 && fstat(oldroot, &st) == 0 && fstatfs(oldroot, &sfs) == 0 &&
            (sfs.f_type == RAMFS_MAGIC || sfs.f_type == TMPFS_MAGIC))
            wipe(oldroot, st.st_dev); /* closes oldroot */
        else {
            log_warn("old root is not an initramfs (ramfs/tmpfs) or we are not PID 1; "
                     "leaving its contents alone");
            close(oldroot);
        }
    }

    cloexec_all();
    execve(init, argv, envp);
    int e = errno;
    log_err("cannot run %s on the new root: %s", init, strerror(e));
    return -e;
}
