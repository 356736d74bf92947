/* Module loading with libkmod. There is no modprobe in the image and the
 * kernel's request_module() has no helper to call, so hatch loads what the
 * boot needs itself: the image's list, modaliases, fs-TYPE, dm targets. */
#include "modules.h"
#include "log.h"

#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static struct kmod_ctx *ctx;
static const char *const *black;
static size_t n_black;
static const char *cur_why;
/* The module libkmod is inserting now (a dependency, maybe), to name it
 * when the load fails; and, in a dry run, the first blacklisted one the
 * load would pull in. */
static char cur_mod[64], black_dep[64];

/* Module names treat - and _ alike. */
static int modname_eq(const char *a, const char *b)
{
    while (*a && *b && (*a == *b || ((*a == '-' || *a == '_') && (*b == '-' || *b == '_'))))
        a++, b++;
    return !*a && !*b;
}

static int blacklisted(const char *name)
{
    for (size_t i = 0; i < n_black; i++)
        if (modname_eq(black[i], name))
            return 1;
    return 0;
}

static void say_load(struct kmod_module *m, bool install, const char *opts)
{
    (void)opts;
    snprintf(cur_mod, sizeof cur_mod, "%s", kmod_module_get_name(m));
    log_info("loading %s%s (%s)", cur_mod, install ? " via install command" : "", cur_why);
}

/* Dry run: what the load would insert, dependencies and softdeps included. */
static void find_black(struct kmod_module *m, bool install, const char *opts)
{
    (void)install;
    (void)opts;
    if (!black_dep[0] && blacklisted(kmod_module_get_name(m)))
        snprintf(black_dep, sizeof black_dep, "%s", kmod_module_get_name(m));
}

int modules_init(const char *const *blacklist, size_t n_blacklist)
{
    struct utsname u;
    char dir[300], want[128] = "";

    black = blacklist;
    n_black = n_blacklist;
    uname(&u);
    snprintf(dir, sizeof dir, "/lib/modules/%s", u.release);

    FILE *f = fopen("/etc/hatch/kver", "re");
    if (f) {
        if (fgets(want, sizeof want, f))
            want[strcspn(want, "\n")] = '\0';
        fclose(f);
    }
    struct stat st;
    if (stat(dir, &st) < 0) {
        /* Built for this kernel, yet the directory is gone: a damaged or
         * hand-made image; naming the same version twice would mislead. */
        if (!strcmp(want, u.release)) {
            log_err("modules: this image was built for the running kernel %s but has no %s "
                    "(%s); going on with the built-in drivers: rebuild the initramfs",
                    u.release, dir, strerror(errno));
            return -ENOENT;
        }
        log_err("modules: the running kernel is %s but this image has modules for %s; "
                "going on with the built-in drivers: rebuild the initramfs for %s "
                "(mkinitramfs.sh -k %s)",
                u.release, want[0] ? want : "no kernel", u.release, u.release);
        return -ENOENT;
    }

    ctx = kmod_new(NULL, NULL);
    if (!ctx) {
        log_err("modules: libkmod could not start for %s", dir);
        return -ENOMEM;
    }
    /* Indexes once up front instead of on the first lookup. */
    int r = kmod_load_resources(ctx);
    if (r < 0) {
        log_err("modules: cannot read the module indexes in %s (%s); the image is damaged, "
                "rebuild it", dir, strerror(-r));
        return r;
    }
    return 0;
}

int module_load(const char *name, const char *why)
{
    struct kmod_list *list = NULL, *it;
    int r, n = 0;

    if (!ctx)
        return -ENODEV;
    r = kmod_module_new_from_lookup(ctx, name, &list);
    if (r < 0) {
        log_err("modules: lookup of %s failed: %s", name, strerror(-r));
        return r;
    }
    cur_why = why;
    kmod_list_foreach(it, list) {
        struct kmod_module *m = kmod_module_get_module(it);
        const char *mn = kmod_module_get_name(m);
        n++;
        if (blacklisted(mn)) {
            log_notice("not loading %s (%s): blacklisted on the command line", mn, why);
            kmod_module_unref(m);
            continue;
        }
        /* The command-line blacklist holds for what the module pulls in
         * too: libkmod cannot skip one dependency, so the module is not
         * loaded at all. */
        black_dep[0] = '\0';
        if (n_black)
            kmod_module_probe_insert_module(m, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY |
                                                   KMOD_PROBE_DRY_RUN, NULL, NULL, NULL,
                                            find_black);
        if (black_dep[0]) {
            log_notice("not loading %s (%s): it needs %s, blacklisted on the command line", mn,
                       why, black_dep);
            kmod_module_unref(m);
            continue;
        }
        cur_mod[0] = '\0';
        r = kmod_module_probe_insert_module(m, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL, NULL,
                                            NULL, say_load);
        if (r > 0) {
            log_notice("not loading %s (%s): blacklisted in modprobe.d", mn, why);
        } else if (r < 0 && cur_mod[0] && strcmp(cur_mod, mn)) {
            log_err("modules: loading %s (%s) failed: its dependency %s: %s", mn, why, cur_mod,
                    strerror(-r));
            kmod_module_unref(m);
            kmod_module_unref_list(list);
            return r;
        } else if (r == -ENODEV) {
            /* The module's init found nothing to drive (a CPU-specific
             * cipher on a CPU without the instructions, say): not an error. */
            log_notice("%s (%s): the module found nothing to drive here (%s)", mn, why,
                       strerror(-r));
            kmod_module_unref(m);
            kmod_module_unref_list(list);
            return r;
        } else if (r < 0) {
            log_err("modules: loading %s (%s) failed: %s", mn, why, strerror(-r));
            kmod_module_unref(m);
            kmod_module_unref_list(list);
            return r;
        }
        kmod_module_unref(m);
    }
    kmod_module_unref_list(list);
    return n;
}

int module_require(const char *name, const char *why)
{
    char p[96];
    snprintf(p, sizeof p, "/sys/module/%s", name);
    return module_load(name, why) <= 0 && access(p, F_OK) < 0 ? -ENOENT : 0;
}

int module_known(const char *name)
{
    struct kmod_list *list = NULL, *it;
    if (!ctx || kmod_module_new_from_lookup(ctx, name, &list) < 0 || !list)
        return 0;
    int r = 2;
    kmod_list_foreach(it, list) {
        struct kmod_module *m = kmod_module_get_module(it);
        int st = kmod_module_get_initstate(m);
        if (st != KMOD_MODULE_LIVE && st != KMOD_MODULE_BUILTIN)
            r = 1;
        kmod_module_unref(m);
    }
    kmod_module_unref_list(list);
    return r;
}

/* Loads going on in children of their own. The chains (say the virtio
 * ones, ext4's, a disk controller's) do not depend on each other, and
 * their init functions and driver probes then run side by side: on a PC
 * the AHCI driver's look at its empty ports no longer holds up the NVMe
 * root. A module two chains share is loaded once; the kernel makes the
 * other wait. Each load is numbered, so that the image's list can be
 * waited for without waiting for device drivers started after it. */
#define MAX_LOADS 128
static struct {
    pid_t pid;
    unsigned long seq;
} loads[MAX_LOADS];
static size_t n_loads;
static unsigned long next_seq;

int module_load_async(const char *name, const char *why)
{
    if (!ctx)
        return -ENODEV;
    pid_t pid = n_loads < MAX_LOADS ? fork() : -1;
    if (pid == 0) {
        int r = module_load(name, why);
        if (r == 0)
            log_warn("modules: %s is listed in the image but has no module; the image is "
                     "inconsistent, rebuild it", name);
        _exit(r < 0 ? 1 : 0);
    }
    if (pid < 0) /* no process (or room) to spare: load it here */
        return module_load(name, why);
    loads[n_loads].pid = pid;
    loads[n_loads++].seq = next_seq++;
    return 1;
}

unsigned long modules_mark(void)
{
    return next_seq;
}

/* How many loads numbered below before are still going. */
static size_t going_before(unsigned long before)
{
    size_t n = 0;
    for (size_t i = 0; i < n_loads; i++)
        n += loads[i].seq < before;
    return n;
}

/* As PID 1 we also reap orphans (a rd.break shell's background jobs) while
 * we wait: only our own loads count. */
size_t modules_wait_before(unsigned long before, int block)
{
    while (going_before(before) > 0) {
        int st;
        pid_t w = waitpid(-1, &st, block ? 0 : WNOHANG);
        if (w == 0)
            break;
        if (w < 0) {
            if (errno == EINTR)
                continue;
            log_err("modules: lost track of %zu module loads (%s); going on", n_loads,
                    strerror(errno));
            n_loads = 0;
            break;
        }
        size_t i = 0;
        while (i < n_loads && loads[i].pid != w)
            i++;
        if (i == n_loads)
            continue; /* an orphan, reaped */
        loads[i] = loads[--n_loads];
    }
    return going_before(before);
}

size_t modules_pending(int block)
{
    return modules_wait_before((unsigned long)-1, block);
}

/* fn(name, arg) for each name listed (one per line, # for comments) in
 * path. Returns how many calls failed (returned < 0), or -errno when path
 * cannot be opened. */
static int each_listed(const char *path, int (*fn)(const char *name, void *arg), void *arg)
{
    FILE *f = fopen(path, "re");
    char line[256];
    int failed = 0;
    if (!f)
        return -errno;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        if (!line[len] && !feof(f)) {
            /* No name is this long: say so, skip the whole line. */
            log_warn("modules: %s has a line longer than %zu bytes; skipped", path,
                     sizeof line - 2);
            int c;
            while ((c = getc(f)) != EOF && c != '\n')
                ;
            failed++;
            continue;
        }
        line[len] = '\0';
        if (line[0] && line[0] != '#' && fn(line, arg) < 0)
            failed++;
    }
    fclose(f);
    return failed;
}

/* A failure that only means "nothing to drive here" is none. */
static int load_now(const char *name, void *why)
{
    int r = module_load(name, why);
    return r == -ENODEV ? 0 : r;
}

static int load_beside(const char *name, void *why)
{
    return module_load_async(name, why);
}

int modules_load_file(const char *path)
{
    return each_listed(path, load_now, "listed in the image to load first") > 0 ? -EIO : 0;
}

void modules_start_file(const char *path, const char *why)
{
    each_listed(path, load_beside, (void *)why);
}

struct names {
    char (*names)[MODULE_NAME_MAX];
    size_t max, n;
};

static int add_name(const char *name, void *arg)
{
    struct names *l = arg;
    if (strlen(name) >= MODULE_NAME_MAX) {
        log_warn("modules: '%.40s...' is no module name (over %d bytes); skipped", name,
                 MODULE_NAME_MAX - 1);
        return -ENAMETOOLONG;
    }
    if (l->n++ < l->max)
        snprintf(l->names[l->n - 1], MODULE_NAME_MAX, "%s", name);
    return 0;
}

int modules_read_list(const char *path, char names[][MODULE_NAME_MAX], size_t max)
{
    struct names l = {names, max, 0};
    int r = each_listed(path, add_name, &l);
    return r < 0 ? r : (int)l.n;
}

int module_alias_in(const char *alias, char names[][MODULE_NAME_MAX], size_t n)
{
    struct kmod_list *list = NULL, *it;
    int r = 0;
    if (!ctx || kmod_module_new_from_lookup(ctx, alias, &list) < 0)
        return 0;
    kmod_list_foreach(it, list) {
        struct kmod_module *m = kmod_module_get_module(it);
        for (size_t i = 0; i < n && !r; i++)
            r = modname_eq(kmod_module_get_name(m), names[i]);
        kmod_module_unref(m);
    }
    kmod_module_unref_list(list);
    return r;
}

int modules_ready(void)
{
    return ctx != NULL;
}

void modules_exit(void)
{
    /* A load still going after the switch would find its module files
     * deleted with the initramfs. */
    modules_pending(1);
    if (ctx)
        kmod_unref(ctx);
    ctx = NULL;
}
