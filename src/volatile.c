/* systemd.volatile=, as systemd-volatile-root and systemd-fstab-generator
 * make it: the root device's filesystem stays read-only and what changes
 * lives in a tmpfs, lost at shutdown. Under verity that keeps every byte
 * read from the root device verified. */
#include "volatile.h"
#include "log.h"
#include "modules.h"
#include "mountopts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define VOLATILE_DIR "/run/hatch/volatile"

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        log_err("cannot create %s (%s)", path, strerror(e));
        return -e;
    }
    return 0;
}

/* A tmpfs at VOLATILE_DIR holding the mount point of the root device's
 * filesystem (moved there from dir) and an overlay's upper and work
 * directories. */
static int move_to_lower(const char *dir)
{
    int r;
    if ((r = make_dir("/run/hatch")) < 0 || (r = make_dir(VOLATILE_DIR)) < 0)
        return r;
    if (mount("tmpfs", VOLATILE_DIR, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
        r = -errno;
        log_err("cannot mount a tmpfs on %s (%s)", VOLATILE_DIR, strerror(-r));
        return r;
    }
    if ((r = make_dir(VOLATILE_LOWER)) < 0 || (r = make_dir(VOLATILE_DIR "/upper")) < 0 ||
        (r = make_dir(VOLATILE_DIR "/work")) < 0)
        return r;
    /* MS_MOVE refuses a mount under a shared parent. */
    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    if (mount(dir, VOLATILE_LOWER, NULL, MS_MOVE, NULL) < 0) {
        r = -errno;
        log_err("cannot move the root from %s to %s (%s)", dir, VOLATILE_LOWER, strerror(-r));
        return r;
    }
    return 0;
}

/* Put the root device's filesystem back on dir after a failure, so that a
 * rescue shell finds it where it always is. */
static void move_back(const char *dir)
{
    if (mount(VOLATILE_LOWER, dir, NULL, MS_MOVE, NULL) < 0)
        log_warn("the root stays mounted on %s (%s)", VOLATILE_LOWER, strerror(errno));
}

static int overlay(const char *dir)
{
    module_load("overlay", "systemd.volatile=overlay");
    int r = move_to_lower(dir);
    if (r < 0)
        return r;
    /* The overlay's root takes the upper directory's owner and mode. */
    struct stat st;
    if (stat(VOLATILE_LOWER, &st) == 0) {
        chmod(VOLATILE_DIR "/upper", st.st_mode & 07777);
        if (chown(VOLATILE_DIR "/upper", st.st_uid, st.st_gid) < 0)
            log_warn("cannot give the overlay's root the owner of the root's (%s)",
                     strerror(errno));
    }
    if (mount("overlay", dir, "overlay", 0,
              "lowerdir=" VOLATILE_LOWER ",upperdir=" VOLATILE_DIR "/upper,workdir=" VOLATILE_DIR
              "/work") < 0) {
        r = -errno;
        log_err("systemd.volatile=overlay: cannot mount an overlay on %s (%s); the kernel needs "
                "overlayfs (the module overlay)", dir, strerror(-r));
        move_back(dir);
        return r;
    }
    log_info("systemd.volatile=overlay: the root is the root device's filesystem (read-only) "
             "under a tmpfs; changes are lost at shutdown");
    return 0;
}

/* The usr-merged layout's top-level links (bin -> usr/bin, ...) of the
 * root device, made again in the tmpfs root, so /sbin/init is found. */
static void usr_links(const char *dir)
{
    DIR *d = opendir(VOLATILE_LOWER);
    struct dirent *e;
    char from[PATH_MAX], to[PATH_MAX];
    if (!d)
        return;
    while ((e = readdir(d))) {
        snprintf(from, sizeof from, VOLATILE_LOWER "/%s", e->d_name);
        ssize_t l = readlink(from, to, sizeof to - 1);
        if (l <= 0)
            continue;
        to[l] = '\0';
        if (strncmp(to, "usr/", 4) && strncmp(to, "/usr/", 5))
            continue;
        snprintf(from, sizeof from, "%s/%s", dir, e->d_name);
        if (symlink(to, from) < 0)
            log_warn("cannot link %s to %s (%s)", from, to, strerror(errno));
    }
    closedir(d);
}

static int tmpfs_root(const char *dir)
{
    struct stat st;
    char usr[PATH_MAX];
    snprintf(usr, sizeof usr, "%s/usr", dir);
    if (stat(usr, &st) < 0 || !S_ISDIR(st.st_mode)) {
        log_err("systemd.volatile=yes: the root device has no /usr, the only part of it a "
                "volatile root keeps; boot without systemd.volatile=yes, or use =overlay");
        return -ENOENT;
    }
    int r = move_to_lower(dir);
    if (r < 0)
        return r;
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
        r = -errno;
        log_err("cannot mount a tmpfs on %s (%s)", dir, strerror(-r));
        move_back(dir);
        return r;
    }
    if ((r = make_dir(usr)) < 0 ||
        mount(VOLATILE_LOWER "/usr", usr, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, usr, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
        r = r < 0 ? r : -errno;
        log_err("systemd.volatile=yes: cannot mount the root device's /usr on the tmpfs root "
                "(%s)", strerror(-r));
        umount2(dir, MNT_DETACH);
        move_back(dir);
        return r;
    }
    usr_links(dir);
    log_info("systemd.volatile=yes: the root is a tmpfs with the root device's /usr "
             "(read-only); everything else is lost at shutdown");
    return 0;
}

static int tmpfs_var(const char *dir)
{
    char var[PATH_MAX];
    struct stat st;
    snprintf(var, sizeof var, "%s/var", dir);
    if (stat(var, &st) < 0 || !S_ISDIR(st.st_mode)) {
        log_err("systemd.volatile=state: the root has no /var directory for the tmpfs; add "
                "an empty /var to the root filesystem");
        return -ENOENT;
    }
    if (mount("tmpfs", var, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
        int e = errno;
        log_err("cannot mount a tmpfs on %s (%s)", var, strerror(e));
        return -e;
    }
    log_info("systemd.volatile=state: /var is a tmpfs on the read-only root; it is lost at "
             "shutdown");
    return 0;
}

int volatile_tmpfs_root(const char *dir, const char *rootflags)
{
    unsigned long flags = 0;
    char data[512];
    if (mountopts_parse(rootflags, &flags, data, sizeof data) < 0) {
        log_err("rootflags= is longer than %zu bytes; shorten it", sizeof data - 1);
        return -E2BIG;
    }
    /* mode first, so that rootflags=mode= overrides it */
    char opts[sizeof data + 16];
    snprintf(opts, sizeof opts, "mode=0755%s%s", data[0] ? "," : "", data);
    int r = make_dir(dir);
    if (r < 0)
        return r;
    if (mount("tmpfs", dir, "tmpfs", flags | MS_NOSUID | MS_NODEV, opts) < 0) {
        r = -errno;
        log_err("root=tmpfs: cannot mount a tmpfs on %s with %s (%s); check rootflags=", dir,
                opts, strerror(-r));
        return r;
    }
    log_info("root=tmpfs: the root is a tmpfs (%s); everything but /usr is lost at shutdown",
             opts);
    return 0;
}

void volatile_usr_links(const char *dir)
{
    /* as systemd's base filesystem: the top-level names of a usr-merged
     * system, each only where its /usr side exists */
    static const char *const names[] = {"bin", "sbin", "lib", "lib64"};
    char path[PATH_MAX], to[16];
    struct stat st;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/usr/%s", dir, names[i]);
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(to, sizeof to, "usr/%s", names[i]);
        if (symlink(to, path) < 0 && errno != EEXIST)
            log_warn("cannot link %s to %s (%s)", path, to, strerror(errno));
    }
}

static dev_t made_dev; /* st_dev of the overlay or tmpfs root made */

int volatile_unchanged(const char *dir)
{
    struct stat st;
    if (!made_dev || (stat(dir, &st) == 0 && st.st_dev == made_dev))
        return 1;
    log_err("%s is no longer the volatile root hatch made over the verified device; not "
            "switching to it", dir);
    return 0;
}

int volatile_setup(enum volatile_mode mode, const char *dir, const char **devroot)
{
    int r = 0;
    *devroot = dir;
    switch (mode) {
    case VOLATILE_NO: break;
    case VOLATILE_STATE: r = tmpfs_var(dir); break;
    case VOLATILE_OVERLAY:
        if ((r = overlay(dir)) == 0)
            *devroot = VOLATILE_LOWER;
        break;
    case VOLATILE_YES:
        if ((r = tmpfs_root(dir)) == 0)
            *devroot = VOLATILE_LOWER;
        break;
    }
    struct stat st;
    if (r == 0 && *devroot != dir && stat(dir, &st) == 0)
        made_dev = st.st_dev;
    return r;
}
