/* Event activation as lvm2's udev rule does it: every physical volume found
 * goes to "lvm pvscan --cache --activate ay /dev/NAME", which records it in
 * /run/lvm and activates its volume group when the last one is there.
 * lvm (no udev in the image) makes the /dev/mapper nodes itself; the
 * kernel's uevents for the new dm devices reach devices.c as for any disk.
 * A volume group still missing physical volumes when half the wait for the
 * root is over is activated degraded (lvm_activate_degraded), as md arrays
 * are started: RAID logical volumes run without their missing legs. */
#include "lvm.h"
#include "log.h"
#include "modules.h"
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LVM_TIMEOUT_MS 60000
#define MAX_VGS 16

static struct lvm_cfg cfg;
static int ready; /* lvm_setup ran */

/* The volume groups pvscan reported, and whether they are complete. */
static struct vg {
    char name[128];
    int need; /* physical volumes missing; 0 complete */
    int tried; /* lvm_activate_degraded ran for it */
} vgs[MAX_VGS];
static size_t n_vgs;

static void note_vg(const char *out)
{
    char name[128];
    int need;
    if (lvm_vg_state(out, name, sizeof name, &need) < 0)
        return;
    size_t i;
    for (i = 0; i < n_vgs && strcmp(vgs[i].name, name); i++)
        ;
    if (i == n_vgs) {
        if (n_vgs == MAX_VGS) {
            if (need > 0)
                log_warn("lvm: volume group %s is incomplete, but %d others are already "
                         "tracked; it will not be activated degraded if its physical volumes "
                         "do not come",
                         name, MAX_VGS);
            return;
        }
        snprintf(vgs[n_vgs++].name, sizeof vgs[0].name, "%s", name);
    }
    vgs[i].need = need;
}

void lvm_setup(const struct lvm_cfg *c)
{
    cfg = *c;
    ready = 1;
    if (cfg.off)
        log_info("lvm: rd.lvm=0: no volume group is activated");
    else if (cfg.config[0])
        log_info("lvm: activating only %s (rd.lvm.vg=, rd.lvm.lv=)", cfg.wanted);
}

/* The start of an lvm command line: the tool, the command, and the
 * rd.lvm.vg=/rd.lvm.lv= filter when there is one. Returns how many. */
static int lvm_argv(char **argv, char *command)
{
    int n = 0;
    argv[n++] = LVM_TOOL;
    argv[n++] = command;
    if (cfg.config[0]) {
        argv[n++] = "--config";
        argv[n++] = cfg.config;
    }
    return n;
}

/* Run argv (argv[0] the tool) with stdout and stderr into out. */
static int run(char *const argv[], char *out, size_t len, int *sig)
{
    static char *const envp[] = {"PATH=/sbin:/bin", "LVM_SUPPRESS_FD_WARNINGS=1",
                                 "LVM_SYSTEM_DIR=/etc/lvm", NULL};
    return spawn_run(argv[0], argv, envp, NULL, 0, LVM_TIMEOUT_MS, out, len, NULL, 0, sig);
}

void lvm_seen(const struct blockdev *d)
{
    static int dm_loaded;
    static char out[4096];
    if (strcmp(d->type, "LVM2_member") || !ready)
        return;
    if (cfg.off) {
        log_info("lvm: /dev/%s is an LVM physical volume; not activating it (rd.lvm=0)",
                 d->name);
        return;
    }
    if (access(LVM_TOOL, X_OK) < 0) {
        log_warn("lvm: /dev/%s is an LVM physical volume, but this image has no %s to "
                 "activate its volume group; build the image with the lvm hook "
                 "(mkinitramfs.sh -H +lvm)",
                 d->name, LVM_TOOL);
        return;
    }
    char why[64];
    snprintf(why, sizeof why, "LVM physical volume /dev/%s", d->name);
    if (!dm_loaded) {
        dm_loaded = 1;
        if (module_require("dm_mod", why) < 0)
            log_err("lvm: the dm_mod module is not in this image and not built in; no logical "
                    "volume can be activated: build the image with the lvm hook "
                    "(mkinitramfs.sh -H +lvm)");
    }
    /* lvm keeps its event-activation records in /run/lvm. */
    mkdir("/run/lvm", 0700);
    char dev[48];
    snprintf(dev, sizeof dev, "/dev/%s", d->name);
    char *argv[12];
    int n = lvm_argv(argv, "pvscan");
    argv[n++] = "--cache";
    argv[n++] = "--activate";
    argv[n++] = "ay";
    argv[n++] = dev;
    argv[n] = NULL;
    log_debug("lvm: running lvm pvscan --cache --activate ay %s%s", dev,
              cfg.config[0] ? " (with the rd.lvm.vg=/rd.lvm.lv= list)" : "");
    int sig;
    int r = run(argv, out, sizeof out, &sig);
    char line[200];
    lvm_pick_line(out, line, sizeof line);
    if (r >= 0)
        note_vg(out);
    if (r == 0) {
        log_info("lvm: /dev/%s (UUID=%s): %s", d->name, d->uuid,
                 line[0] ? line : "physical volume recorded");
        if (strchr(out, '\n') != strrchr(out, '\n')) /* more than one line */
            log_debug("lvm: pvscan said: %s", out);
    } else if (r == -ETIMEDOUT) {
        log_err("lvm: lvm pvscan on /dev/%s did not finish within %d s; its volume group is "
                "not activated", d->name, LVM_TIMEOUT_MS / 1000);
    } else if (r == -EINTR) {
        log_err("lvm: lvm pvscan on /dev/%s was killed by %s; its volume group is not "
                "activated", d->name, strsignal(sig));
    } else if (r < 0) {
        log_err("lvm: cannot run %s for /dev/%s (%s); its volume group is not activated",
                LVM_TOOL, d->name, r == -ENOEXEC ? "it does not run here" : strerror(-r));
    } else {
        log_err("lvm: lvm pvscan --cache --activate ay /dev/%s failed (exit status %d): %s",
                d->name, r, line[0] ? line : "no message");
        if (out[0])
            log_debug("lvm: pvscan said: %s", out);
    }
}

int lvm_enabled(void)
{
    return ready && !cfg.off && access(LVM_TOOL, X_OK) == 0;
}

int lvm_incomplete(void)
{
    int n = 0;
    for (size_t i = 0; i < n_vgs; i++)
        n += vgs[i].need > 0 && !vgs[i].tried;
    return n;
}

int lvm_activate_degraded(int waited_s)
{
    static char out[4096];
    int activated = 0;
    for (size_t i = 0; i < n_vgs; i++) {
        struct vg *v = &vgs[i];
        if (v->need <= 0 || v->tried)
            continue;
        v->tried = 1;
        log_warn("lvm: activating volume group %s degraded: %d of its physical volumes did not "
                 "appear within %d s",
                 v->name, v->need, waited_s);
        char *argv[12];
        int n = lvm_argv(argv, "vgchange");
        argv[n++] = "--activate";
        argv[n++] = "ay";
        argv[n++] = "--activationmode";
        argv[n++] = "degraded";
        argv[n++] = v->name;
        argv[n] = NULL;
        int sig;
        int r = run(argv, out, sizeof out, &sig);
        char line[200];
        lvm_pick_line(out, line, sizeof line);
        if (r == 0) {
            log_info("lvm: %s: %s", v->name, line[0] ? line : "activated");
            activated++;
        } else if (r < 0) {
            log_err("lvm: lvm vgchange for %s %s; it is not activated", v->name,
                    r == -ETIMEDOUT ? "did not finish within 60 s"
                    : r == -EINTR   ? "was killed"
                                    : "could not run");
        } else {
            log_err("lvm: cannot activate volume group %s degraded (exit status %d): %s; its "
                    "missing physical volumes are needed",
                    v->name, r, line[0] ? line : "no message");
        }
        if (out[0])
            log_debug("lvm: vgchange said: %s", out);
    }
    return activated;
}
