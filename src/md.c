/* mdraid without udev: each member is handed to mdadm --incremental (no
 * shell, no configuration file) when libblkid says linux_raid_member; the
 * kernel then announces /dev/mdN, found like any other block device. */
#include "md.h"
#include "log.h"
#include "modules.h"
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARRAYS 16
#define MDADM_TIMEOUT_MS 20000

static struct md_cfg cfg;
static struct array {
    char dev[32];     /* md127 */
    char name[64];    /* MD_DEVNAME */
    int started;
} arrays[MAX_ARRAYS];
static size_t n_arrays;

void md_setup(const struct md_cfg *m)
{
    cfg = *m;
    for (size_t i = 0; i < cfg.n_bad; i++)
        log_err("md: rd.md.uuid=%s is not an array UUID (32 hex digits, as mdadm --detail or "
                "blkid print it); no array matches it", cfg.bad[i]);
}

int md_enabled(void)
{
    return !cfg.disabled && access(MDADM_PATH, X_OK) == 0;
}

/* Run mdadm with argv (argv[0] is MDADM_PATH); its stdout in out, stderr
 * in err. Returns spawn_run's answer. */
static int run_mdadm(char *const argv[], char *out, size_t olen, char *err, size_t elen)
{
    static char *const envp[] = {"PATH=/sbin:/bin", NULL};
    return spawn_run(MDADM_PATH, argv, envp, NULL, 0, MDADM_TIMEOUT_MS, out, olen, err, elen, NULL);
}

/* mdadm's stderr as one line: its newlines become "; ". */
static const char *one_line(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ';';
    for (char *p = s; (p = strstr(p, "mdadm: ")); )
        memmove(p, p + 7, strlen(p + 7) + 1);
    return *s ? s : "no message";
}

static const char *failure(int r, char *err)
{
    static char why[320];
    if (r == -ETIMEDOUT)
        return "it did not finish within 20 s";
    if (r == -ENOEXEC)
        return "it cannot run here (" MDADM_PATH ")";
    if (r < 0) {
        snprintf(why, sizeof why, "%s", strerror(-r));
        return why;
    }
    snprintf(why, sizeof why, "exit status %d: %s", r, one_line(err));
    return why;
}

static struct array *array_of(const char *dev)
{
    for (size_t i = 0; i < n_arrays; i++)
        if (!strcmp(arrays[i].dev, dev))
            return &arrays[i];
    if (n_arrays == MAX_ARRAYS)
        return NULL;
    struct array *a = &arrays[n_arrays++];
    memset(a, 0, sizeof *a);
    snprintf(a->dev, sizeof a->dev, "%s", dev);
    return a;
}

void md_seen(const struct blockdev *d)
{
    if (strcmp(d->type, "linux_raid_member"))
        return;
    if (cfg.disabled) {
        log_info("md: /dev/%s is a member of md array UUID=%s; not assembled (rd.md=0)",
                 d->name, d->uuid);
        return;
    }
    if (!md_cfg_wants(&cfg, d->uuid)) {
        log_info("md: /dev/%s is a member of md array UUID=%s, which no rd.md.uuid= names; "
                 "left alone", d->name, d->uuid);
        return;
    }
    if (access(MDADM_PATH, X_OK) < 0) {
        log_warn("md: /dev/%s is a member of md array UUID=%s, but this image has no %s to "
                 "assemble it; rebuild the image with mkinitramfs.sh -H +mdraid",
                 d->name, d->uuid, MDADM_PATH);
        return;
    }
    char why[64];
    snprintf(why, sizeof why, "md member /dev/%s", d->name);
    if (module_require("md_mod", why) < 0) {
        log_err("md: /dev/%s is an md member, but the kernel has no md driver (md_mod); "
                "rebuild the image with mkinitramfs.sh -H +mdraid", d->name);
        return;
    }
    char path[64], out[1024], err[1024];
    snprintf(path, sizeof path, "/dev/%s", d->name);
    char *const argv[] = {MDADM_PATH, "--incremental", "--export", path, NULL};
    int r = run_mdadm(argv, out, sizeof out, err, sizeof err);
    struct md_export e;
    if (r != 0 || md_export_parse(out, strlen(out), &e) < 0) {
        log_err("md: mdadm --incremental /dev/%s (array UUID=%s) failed: %s", d->name, d->uuid,
                failure(r, err));
        return;
    }
    struct array *a = array_of(e.device);
    if (!a) {
        log_err("md: more than %d arrays; /dev/%s is not followed", MAX_ARRAYS, e.device);
        return;
    }
    snprintf(a->name, sizeof a->name, "%s", e.devname);
    int up = e.started == MD_STARTED_YES || e.started == MD_STARTED_ALREADY;
    a->started |= up;
    log_info("md: /dev/%s added to /dev/%s (%s, UUID=%s)%s", d->name, e.device,
             e.devname[0] ? e.devname : "no name", d->uuid,
             e.started == MD_STARTED_YES       ? ": started"
             : e.started == MD_STARTED_ALREADY ? ", which runs already"
             : e.started == MD_STARTED_NO || e.started == MD_STARTED_UNSAFE
                 ? "; waiting for its other members"
                 : "");
}

int md_incomplete(void)
{
    int n = 0;
    for (size_t i = 0; i < n_arrays; i++)
        n += !arrays[i].started;
    return n;
}

/* An attribute of md array dev into buf, when it has a value (an array
 * not running yet has an empty level and 0 raid_disks): else buf is kept. */
static void read_sys(const char *dev, const char *attr, char *buf, size_t len)
{
    char p[128], v[64];
    snprintf(p, sizeof p, "/sys/block/%s/md/%s", dev, attr);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t r = read(fd, v, sizeof v - 1);
    close(fd);
    if (r <= 0)
        return;
    v[r] = '\0';
    v[strcspn(v, "\n")] = '\0';
    if (v[0] && strcmp(v, "0"))
        snprintf(buf, len, "%.*s", (int)len - 1, v);
}

/* "1 of 2 members present (/dev/vdb1), raid1" from sysfs. */
static void describe(const char *dev, char *buf, size_t len)
{
    char level[32] = "?", disks[16] = "?", list[160] = "", first[32] = "";
    size_t n = 0, used = 0;
    read_sys(dev, "level", level, sizeof level);
    read_sys(dev, "raid_disks", disks, sizeof disks);
    char p[96];
    snprintf(p, sizeof p, "/sys/block/%.31s/md", dev);
    DIR *dir = opendir(p);
    struct dirent *de;
    while (dir && (de = readdir(dir))) {
        if (strncmp(de->d_name, "dev-", 4))
            continue;
        if (!first[0])
            snprintf(first, sizeof first, "%.31s", de->d_name + 4);
        int w = snprintf(list + used, sizeof list - used, "%s/dev/%s", n ? ", " : "",
                         de->d_name + 4);
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
        n++;
    }
    if (dir)
        closedir(dir);
    /* An array not running yet has no level in sysfs: its members'
     * superblock says. */
    if ((!strcmp(level, "?") || !strcmp(disks, "?")) && first[0]) {
        char path[48], out[512], err[256];
        struct md_export e;
        snprintf(path, sizeof path, "/dev/%.31s", first);
        char *const argv[] = {MDADM_PATH, "--examine", "--export", path, NULL};
        if (run_mdadm(argv, out, sizeof out, err, sizeof err) == 0) {
            md_export_parse(out, strlen(out), &e);
            if (e.level[0])
                snprintf(level, sizeof level, "%s", e.level);
            if (e.devices)
                snprintf(disks, sizeof disks, "%d", e.devices);
        }
    }
    snprintf(buf, len, "%s, %zu of %s members present (%s)", level, n, disks,
             n ? list : "none");
}

int md_start_degraded(int waited_s)
{
    int started = 0;
    for (size_t i = 0; i < n_arrays; i++) {
        struct array *a = &arrays[i];
        if (a->started)
            continue;
        char what[256], path[48], out[512], err[1024];
        describe(a->dev, what, sizeof what);
        snprintf(path, sizeof path, "/dev/%.31s", a->dev);
        log_warn("md: starting /dev/%s degraded: %s; the others did not appear within %d s",
                 a->dev, what, waited_s);
        char *const argv[] = {MDADM_PATH, "--run", path, NULL};
        int r = run_mdadm(argv, out, sizeof out, err, sizeof err);
        if (r != 0) {
            log_err("md: cannot start /dev/%s degraded (%s): %s; the missing members are "
                    "needed", a->dev, what, failure(r, err));
            continue;
        }
        a->started = 1;
        started++;
    }
    return started;
}
