/* The kernel tries resume= itself before it runs the initramfs, when it can
 * already see the device; a device behind a module appears only here, so
 * hatch writes its number to /sys/power/resume, as udev's rule does for
 * dracut and systemd-hibernate-resume does for systemd. A boot without the
 * device goes on, as theirs do: the image stays on it unused, and swapon
 * later discards it (it rewrites the swap signature). */
#include "resume.h"
#include "devices.h"
#include "log.h"
#include "wait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_sys(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    return w < 0 ? -e : 0;
}

int resume_try(const struct cmdline *c, int timeout_s)
{
    char what[200], err[256], text[48];
    struct devspec spec;
    struct blockdev d, other;

    if (!c->resume) {
        if (c->resume_offset_given)
            log_warn("resume_offset=%llu without resume=: there is no device to resume from; "
                     "ignoring it", c->resume_offset);
        return 0;
    }
    /* Writing /sys/power/resume would clear the kernel's own noresume. */
    if (c->noresume) {
        log_notice("%s: not resuming from hibernation; resume=%s is not used", c->noresume,
                   c->resume);
        return 0;
    }
    if (devspec_parse(c->resume, &spec, err, sizeof err) < 0) {
        log_warn("resume=%s: %s; booting without resuming from hibernation", c->resume, err);
        return 0;
    }
    devspec_describe(&spec, what, sizeof what);
    log_info("resume: waiting up to %d s for resume device %s%s", timeout_s, what,
             c->rootwait ? " (rootwait does not apply: the boot goes on without it)" : "");
    int r = wait_or_degrade(&spec, 1, timeout_s * 1000, &d, &other);
    if (r == -ETIMEDOUT) {
        log_warn("resume device %s did not appear within %d s; booting without resuming from "
                 "hibernation (an image on it is not used): check resume=, give rd.timeout= "
                 "for a slow device, or noresume", what, timeout_s);
        return 1;
    }
    if (r == -EEXIST) {
        log_warn("resume device %s is ambiguous: /dev/%s and /dev/%s both match; not resuming "
                 "from either: name it by a tag they do not share or by /dev/NAME", what,
                 d.name, other.name);
        return 1;
    }
    if (r < 0) {
        log_warn("waiting for resume device %s failed (%s); booting without resuming", what,
                 strerror(-r));
        return 1;
    }
    if (c->resume_offset_given) {
        snprintf(text, sizeof text, "%llu\n", c->resume_offset);
        r = write_sys("/sys/power/resume_offset", text);
        if (r < 0) {
            /* without its offset the kernel would look in the wrong place */
            log_warn("resume: cannot write /sys/power/resume_offset (%s); booting without "
                     "resuming from /dev/%s", strerror(-r), d.name);
            return 1;
        }
    }
    char at[48] = "";
    if (c->resume_offset_given)
        snprintf(at, sizeof at, " at page %llu", c->resume_offset);
    log_info("resume: resuming from /dev/%s (%u:%u, TYPE=%s)%s if it holds a hibernation "
             "image", d.name, d.major, d.minor, d.type[0] ? d.type : "unknown", at);
    snprintf(text, sizeof text, "%u:%u\n", d.major, d.minor);
    r = write_sys("/sys/power/resume", text);
    if (r < 0) {
        log_warn("resume: cannot hand /dev/%s to the kernel (/sys/power/resume: %s%s); booting "
                 "without resuming", d.name, strerror(-r),
                 r == -ENOENT ? ": a kernel without hibernation support" : "");
        return 1;
    }
    /* Here only when the kernel did not resume. */
    log_notice("resume: no hibernation image resumed from /dev/%s (none there, or one the "
               "kernel could not load: see its messages above); booting normally", d.name);
    return 1;
}
