/* hatch: the initramfs init. main() is the boot sequence; each stage lives
 * in its own file and returns an error that is decided on here. */
#include "btrfs.h"
#include "btrfssb.h"
#include "cmdline.h"
#include "devices.h"
#include "emergency.h"
#include "log.h"
#include "luks.h"
#include "luksconf.h"
#include "md.h"
#include "mdconf.h"
#include "lvm.h"
#include "lvmcfg.h"
#include "modprobe.h"
#include "modules.h"
#include "mountopts.h"
#include "mounts.h"
#include "policy.h"
#include "resume.h"
#include "rootfs.h"
#include "rootsig.h"
#include "rootspec.h"
#include "switchroot.h"
#include "timing.h"
#include "usrcfg.h"
#include "verity.h"
#include "veritycfg.h"
#include "volatile.h"
#include "wait.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <libdevmapper.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 30
#define MAX_INIT_ARGS 64

static struct cmdline cmd;
static struct verity_cfg vcfg;
static struct verity_cfg ucfg; /* a verified /usr */
static struct luks_cfg lcfg;
static struct lvm_cfg lvmcfg;
static struct policy policy;
static struct timespec wait_t0; /* when the wait for the root began */

static const char usage[] =
    "usage: init   (run by the kernel as PID 1 from an initramfs)\n"
    "\n"
    "hatch mounts /proc /sys /dev /run, loads kernel modules, waits for the root\n"
    "device named on the kernel command line, mounts it and switches to its init.\n"
    "Options are read from /proc/cmdline; the main ones:\n"
    "  root=/dev/NAME|MAJ:MIN|UUID=|LABEL=|PARTUUID=[/PARTNROFF=n]|PARTLABEL=|gpt-auto|tmpfs\n"
    "       (no root=: gpt-auto, the GPT partition of this architecture's root type)\n"
    "  rootfstype=T[,T..] rootflags=OPTS ro rw init=PATH\n"
    "  rootwait[=SEC] rd.timeout=SEC rootdelay=SEC (default wait: 30 s)\n"
    "  modules-load=M[,M..] rd.driver.blacklist=M[,M..]\n"
    "  rd.shell rd.emergency=halt|reboot|poweroff rd.break[=STAGE] rd.debug\n"
    "  verity=data=DEV[,hashdev=DEV][,roothash=HEX][,OPTION..]\n"
    "  roothash=HEX systemd.verity_root_data=DEV systemd.verity_root_hash=DEV\n"
    "    (roothash= alone: the partitions whose PARTUUIDs are the hash's halves, else\n"
    "    those of the root-ARCH and root-ARCH-verity types; usrhash= likewise)\n"
    "  systemd.verity_root_options=OPTION[,OPTION..]\n"
    "    (OPTION root-hash-signature=base64:DATA|/PATH: a PKCS#7 signature of the\n"
    "    root hash the kernel checks against its trusted keys; default: the\n"
    "    image's /etc/hatch/roothash.p7s when it has one)\n"
    "  resume=DEV (any root= form) resume_offset=PAGES noresume\n"
    "  rootflags=degraded (btrfs: mount without the members that are missing)\n"
    "  systemd.volatile=yes|state|overlay (changes kept in a tmpfs only)\n"
    "  mount.usr=DEV mount.usrfstype=T[,T..] mount.usrflags=OPTS (/usr on its own device)\n"
    "  usrhash=HEX systemd.verity_usr_data=DEV systemd.verity_usr_hash=DEV\n"
    "  systemd.verity_usr_options=OPTION[,OPTION..] (a verified /usr, /dev/mapper/usr)\n"
    "  root=tmpfs (a tmpfs root holding only that /usr)\n"
    "  rd.luks.uuid=UUID rd.luks.name=UUID=NAME rd.luks.key=[UUID=]PATH[:DEVICE]\n"
    "  rd.luks.options=[UUID=]discard,readonly,tries=N,... rd.luks.discard rd.luks=0\n"
    "  rd.luks.crypttab=0 (ignore the image's /etc/crypttab, which names volumes too)\n"
    "       (LUKS1/LUKS2 unlocked with a key file in the image or on DEVICE, or a\n"
    "       passphrase typed on the console; mapped as /dev/mapper/NAME, default\n"
    "       luks-UUID)\n"
    "  rd.md.uuid=UUID (repeatable: only those md arrays) rd.md=0 (none)\n"
    "       (mdraid arrays assembled by the image's mdadm, mkinitramfs.sh -H +mdraid;\n"
    "       an array still missing members after half the wait starts degraded)\n"
    "  rd.lvm=0 rd.lvm.vg=VG rd.lvm.lv=VG/LV (LVM2: volume groups activated as\n"
    "       their physical volumes appear, by default all; root=/dev/mapper/VG-LV;\n"
    "       one still missing some after half the wait is activated degraded)\n"
    "An image built with mkinitramfs.sh --lockdown boots only a verified root and\n"
    "refuses rd.shell, rd.break, init=, rootfstype=, rootflags=, rw, modules-load=,\n"
    "blacklists, rd.emergency=, resume=, weakening verity options, LUKS discard,\n"
    "a LUKS key on a device and an unverified /usr; built with --roothash-sig it\n"
    "requires its own root hash signature.\n"
    "See cmdline-spec.md for every option.\n";

static void print_version(void)
{
    const char *blkid_ver = NULL, *blkid_date = NULL;
    char dm_ver[64] = "?";
    blkid_get_library_version(&blkid_ver, &blkid_date);
    dm_get_library_version(dm_ver, sizeof dm_ver);
    printf("hatch init (libblkid %s, libdevmapper %s, %s, libkmod static)\n", blkid_ver, dm_ver,
           luks_library_version());
}

/* Stop before a stage when rd.break names it. */
static void maybe_break(enum stage s)
{
    if (cmd.brk == s)
        break_shell(s);
}

static void read_cmdline(void)
{
    char buf[CMDLINE_MAX + 1];
    int r = proc_cmdline(buf, sizeof buf);
    if (r < 0)
        log_err("cannot read /proc/cmdline (%s); booting with no options", strerror(-r));
    cmdline_parse(&cmd, buf);
    log_set_debug(cmd.debug);
    for (size_t i = 0; i < cmd.n_msgs; i++)
        log_warn("command line: %s", cmd.msgs[i]);
    if (cmd.n_msgs_dropped)
        log_warn("command line: %zu more problems not shown; fix the ones above first",
                 cmd.n_msgs_dropped);
}

/* The image's lockdown policy, if it has one. A policy file that cannot be
 * read or understood fails closed: locked down, halting. */
static int read_policy(void)
{
    char buf[1024], err[256];
    int fd = open(POLICY_PATH, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    ssize_t r = fd < 0 ? -1 : read(fd, buf, sizeof buf);
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (r < 0 || (size_t)r == sizeof buf) {
        policy.lockdown = 1;
        policy.action = EMERG_HALT;
        emergency_lock(policy.action);
        log_err("lockdown: cannot read %s (%s); refusing to boot: rebuild the image", POLICY_PATH,
                r < 0 ? strerror(e) : "too long");
        return -EINVAL;
    }
    int ok = policy_parse(buf, (size_t)r, &policy, err, sizeof err);
    emergency_lock(policy.action);
    if (ok < 0) {
        log_err("lockdown: %s is damaged (%s); refusing to boot: rebuild the image", POLICY_PATH,
                err);
        return -EINVAL;
    }
    log_info("lockdown: this image boots only a verified root%s; the command line cannot "
             "loosen that", policy.roothash[0] ? " with the root hash it was built for" : "");
    return 0;
}

/* A small text file of the image into buf (NUL-terminated). Returns 1, 0
 * when there is none, or -errno (-EFBIG when it does not fit). */
static int read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    size_t n = 0;
    ssize_t r = 0;
    while (n < size && (r = read(fd, buf + n, size - n)) > 0)
        n += (size_t)r;
    int e = r < 0 ? errno : 0;
    close(fd);
    if (e)
        return -e;
    if (n >= size)
        return -EFBIG;
    buf[n] = '\0';
    return 1;
}

static void refused(void *ctx, const char *sentence)
{
    (void)ctx;
    log_err("lockdown: %s", sentence);
}

/* What the command line asks for, checked before anything is loaded or
 * mounted: the verity request, and against the image's policy. */
static int check_request(void)
{
    char err[256];
    int r = verity_cfg_parse(&cmd, policy.roothash[0] ? policy.roothash : NULL, &vcfg, err,
                             sizeof err);
    size_t n = policy_refusals(&policy, &cmd, &vcfg, refused, NULL);
    if (r < 0)
        log_err("verity: %s", err);
    char lerr[256];
    static char crypttab[LUKS_CRYPTTAB_MAX];
    int have_tab = read_small(LUKS_CRYPTTAB_PATH, crypttab, sizeof crypttab);
    int lr = have_tab < 0 ? -1 : luks_cfg_parse_crypttab(&cmd, have_tab ? crypttab : NULL, &lcfg,
                                                        lerr, sizeof lerr);
    if (have_tab < 0)
        snprintf(lerr, sizeof lerr, "cannot read the image's %s (%s)", LUKS_CRYPTTAB_PATH,
                 strerror(-have_tab));
    if (lr < 0)
        log_err("luks: %s; fix the command line", lerr);
    for (size_t i = 0; i < lcfg.n_msgs; i++)
        log_warn("luks: %s", lcfg.msgs[i]);
    n += policy_luks_refusals(&policy, &cmd, &lcfg, refused, NULL);
    char vgerr[256];
    int vr = lvm_cfg_parse(&cmd, &lvmcfg, vgerr, sizeof vgerr);
    if (vr < 0)
        log_err("lvm: %s; fix the command line", vgerr);
    char uerr[256], uwarn[200];
    int ur = verity_usr_cfg_parse(&cmd, &ucfg, uerr, sizeof uerr);
    if (ur < 0)
        log_err("verity: %s", uerr);
    else if ((ur = usr_request_check(&cmd, &ucfg, uerr, sizeof uerr, uwarn, sizeof uwarn)) < 0)
        log_err("%s", uerr);
    else if (uwarn[0])
        log_warn("%s", uwarn);
    n += policy_usr_refusals(&policy, &cmd, &ucfg, refused, NULL);
    if (r < 0 || lr < 0 || ur < 0 || vr < 0 || n)
        return -EINVAL;
    const char *sig = policy_root_sig(&policy, &vcfg, access(VERITY_SIG_IMAGE_PATH, F_OK) == 0);
    if (sig && sig != vcfg.sig)
        log_info("verity: the root hash must carry this image's signature %s%s",
                 VERITY_SIG_IMAGE_PATH, policy.signature ? " (required by its lockdown policy)" : "");
    vcfg.sig = sig;
    if (sig && (r = rootsig_check(sig)) < 0)
        return r;
    return ucfg.sig ? rootsig_check(ucfg.sig) : 0;
}

/* Messages from PID 1 are few and matter; do not let the kernel's
 * /dev/kmsg rate limit drop them (unless printk.devkmsg= locked it). */
static void kmsg_unlimit(void)
{
    int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r = write(fd, "on\n", 3);
        (void)r;
        close(fd);
    }
}

/* Every block device probed: btrfs members are registered, md members
 * assembled, LVM physical volumes handed to lvm. */
static void on_probe(const struct blockdev *d)
{
    /* Unverified btrfs members are not shown to the kernel when the root
     * is a verity device: there is no use for them. */
    if (!vcfg.enabled)
        btrfs_seen(d);
    /* The devices of a verified root may well be arrays or logical volumes. */
    md_seen(d);
    lvm_seen(d);
}

/* The image's drivers for the machine it most likely boots (the generic
 * image's virtio_pci and virtio_blk), with the names. */
#define LIKELY_LIST "/etc/hatch/modules.if-present"
#define LIKELY_MAX 16
static char likely[LIKELY_MAX][MODULE_NAME_MAX];
static size_t n_likely;

static int needs_likely(const char *alias, void *ctx)
{
    (void)ctx;
    return module_alias_in(alias, likely, n_likely);
}

/* Is this the machine the image's likely drivers are for (a device present
 * needs one of them)? 1 yes, 0 no, -1 the image names none. */
static int likely_machine(void)
{
    int n = modules_read_list(LIKELY_LIST, likely, LIKELY_MAX);
    if (n < 0 && n != -ENOENT)
        log_warn("modules: cannot read %s (%s); loading the list alone", LIKELY_LIST,
                 strerror(-n));
    if (n <= 0)
        return -1;
    if (n > LIKELY_MAX)
        log_warn("modules: %s lists %d modules; the devices present are asked about the "
                 "first %d only", LIKELY_LIST, n, LIKELY_MAX);
    n_likely = n > LIKELY_MAX ? LIKELY_MAX : (size_t)n;
    return devices_each_modalias(needs_likely, NULL) ? 1 : 0;
}

static void listen_for_devices(void)
{
    int r = devices_start();
    if (r < 0)
        log_err("cannot listen for device events (%s); looking for new devices in /sys "
                "every 250 ms instead",
                strerror(-r));
}

static void load_modules(void)
{
    /* Without modules (modules_init said why) the root may still be
     * reachable with built-in drivers: device discovery goes on. */
    if (modules_init(cmd.blacklist, cmd.n_blacklist) == 0) {
        modules_load_file("/etc/hatch/modules.first");
        /* A verity root's modules load beside the list's (and are waited
         * for with them: libkmod takes a module still coming for loaded),
         * not after its devices are found: 0.15 s sooner under QEMU. */
        if ((vcfg.enabled || ucfg.enabled) && module_known("dm_verity") == 1)
            module_load_async("dm_verity", "dm-verity root");
        int is_likely = likely_machine();
        if (is_likely > 0)
            modules_start_file(LIKELY_LIST, "listed in the image for a device present");
        modules_start_file("/etc/hatch/modules", "listed in the image");
        unsigned long listed = modules_mark();
        /* Not the machine the likely drivers are for: the root is behind
         * another controller, so the drivers of the devices present start
         * now, beside the list, rather than once it is loaded (make bench:
         * an NVMe root 0.10 s sooner, an AHCI root 0.22 s). When it is, the list finds
         * the root alone, and no other controller's driver is waited for. */
        if (is_likely == 0) {
            char names[LIKELY_MAX * (MODULE_NAME_MAX + 4)] = "";
            for (size_t i = 0; i < n_likely; i++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         i == 0 ? "" : i + 1 < n_likely ? ", " : " or ", likely[i]);
            log_info("no device here needs %s: loading the drivers of the devices present "
                     "at once", names);
            listen_for_devices();
            devices_load_drivers();
        }
        modules_wait_before(listed, 1);
        for (size_t i = 0; i < cmd.n_modules_load; i++)
            if (module_load(cmd.modules_load[i], "modules-load=") == 0)
                log_err("modules-load=%s: no such module in this image; add it with "
                        "mkinitramfs.sh -m %s", cmd.modules_load[i], cmd.modules_load[i]);
    }
    listen_for_devices();
    devices_coldplug();
}

static int parse_spec(const char *role, const char *value, struct devspec *spec)
{
    char err[256];
    if (devspec_parse(value, spec, err, sizeof err) < 0) {
        log_err("%s=%s: %s", role, value, err);
        return -EINVAL;
    }
    return 0;
}

#define WAIT_MAX 3 /* data, hash and FEC devices */

/* Wait for n (at most WAIT_MAX) devices; on timeout say which are missing
 * and what was seen, and refuse a spec that two devices match. */
static int wait_for(const struct devspec *specs, const char *const *roles, size_t n,
                    struct blockdev *found)
{
    if (cmd.rootdelay_s) {
        log_info("rootdelay=%d: waiting before looking for the root", cmd.rootdelay_s);
        sleep((unsigned)cmd.rootdelay_s);
    }
    int timeout_s = cmd.timeout_s >= 0 ? cmd.timeout_s : DEFAULT_TIMEOUT_S;
    char what[200];
    for (size_t i = 0; i < n; i++) {
        devspec_describe(&specs[i], what, sizeof what);
        if (cmd.rootwait)
            log_info("waiting for %s %s (rootwait: no time limit)", roles[i], what);
        else
            log_info("waiting up to %d s for %s %s", timeout_s, roles[i], what);
    }
    struct blockdev other[WAIT_MAX];
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &wait_t0);
    int r = wait_or_degrade(specs, n, cmd.rootwait ? -1 : timeout_s * 1000, found, other);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited_s = (long)(t1.tv_sec - wait_t0.tv_sec);
    for (size_t i = 0; i < n; i++) {
        devspec_describe(&specs[i], what, sizeof what);
        if (r == 0) {
            log_info("%s %s is /dev/%s (TYPE=%s)", roles[i], what, found[i].name,
                     found[i].type[0] ? found[i].type : "unknown");
        } else if (r == -EEXIST) {
            if (other[i].name[0])
                log_err("%s %s is ambiguous: /dev/%s and /dev/%s both match; not guessing: "
                        "name it by a tag they do not share (PARTUUID=, see the devices "
                        "below) or by /dev/NAME, or remove the other device",
                        roles[i], what, found[i].name, other[i].name);
        } else if (r == -ETIMEDOUT) {
            struct blockdev d, o;
            if (devices_wait(&specs[i], 1, 0, &d, &o) != -ETIMEDOUT)
                continue;
            /* A driver load that attached many devices can overrun the
             * limit; say how long it really was. */
            char overrun[64] = "";
            if (waited_s > timeout_s)
                snprintf(overrun, sizeof overrun, " (%ld s with loading the drivers)", waited_s);
            log_err("%s %s did not appear within %d s%s; check it against the devices below, "
                    "or give rootwait / rd.timeout= for slow devices",
                    roles[i], what, timeout_s, overrun);
        } else {
            log_err("waiting for %s %s failed: %s", roles[i], what, strerror(-r));
            return r;
        }
    }
    if (r == -ETIMEDOUT || r == -EEXIST)
        devices_report();
    return r;
}

static int root_timeout_s(void)
{
    return cmd.timeout_s >= 0 ? cmd.timeout_s : DEFAULT_TIMEOUT_S;
}

/* What is left of the root's time limit (-1: rootwait): a btrfs's other
 * members count against the same limit as the member found first. */
static int wait_left_ms(void)
{
    struct timespec now;
    if (cmd.rootwait)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long spent = (long long)(now.tv_sec - wait_t0.tv_sec) * 1000 +
                      (now.tv_nsec - wait_t0.tv_nsec) / 1000000;
    long long limit = root_timeout_s() * 1000LL;
    return spent >= limit ? 0 : (int)(limit - spent);
}

/* Partitions found by their GPT type must be on the disk the EFI boot
 * loader came from when it says which (LoaderDevicePartUUID), as
 * systemd-gpt-auto-generator has it; else on any disk (more than one
 * candidate is refused, as any ambiguous device). Read once. */
static void loader_near(struct devspec *spec)
{
    static int done;
    static char near[sizeof spec->near];
    if (!done++) {
        int r = efi_loader_partuuid(near, sizeof near);
        if (r == 0)
            log_info("the boot loader came from PARTUUID=%s; partitions found by their type "
                     "must be on that disk", near);
        else if (r != -ENOENT)
            log_warn("cannot read the EFI variable LoaderDevicePartUUID (%s); looking on "
                     "every disk", strerror(-r));
        if (r < 0)
            near[0] = '\0';
    }
    memcpy(spec->near, near, sizeof near);
}

/* Wait for a mapping's devices and map them through dm-verity. */
static int find_verity(const struct verity_cfg *cfg, struct blockdev *mapped)
{
    int usr = cfg == &ucfg;
    struct devspec specs[WAIT_MAX];
    struct blockdev found[WAIT_MAX];
    const char *roles[WAIT_MAX] = {usr ? "/usr verity data device" : "verity data device"};
    const char *values[WAIT_MAX] = {cfg->data};
    size_t n = 1;
    int ih = 0, ifec = -1;
    if (cfg->hash) {
        roles[n] = usr ? "/usr verity hash device" : "verity hash device";
        values[n] = cfg->hash;
        ih = (int)n++;
    }
    if (cfg->fec_device) {
        roles[n] = usr ? "/usr verity FEC device" : "verity FEC device";
        values[n] = cfg->fec_device;
        ifec = (int)n++;
    }
    for (size_t i = 0; i < n; i++)
        if (parse_spec(roles[i], values[i], &specs[i]) < 0)
            return -EINVAL;
    const char *name;
    const char *data_type = gpt_type(usr ? GPT_USR : GPT_ROOT, &name);
    const char *hash_type = gpt_type(usr ? GPT_USR_VERITY : GPT_ROOT_VERITY, &name);
    if (cfg->derived && cfg->hash && data_type && hash_type) {
        /* The other half of the Discoverable Partitions Specification:
         * with no partition of the derived PARTUUID, the one of the type
         * (mkosi and systemd-repart set both; a hand-made image may have
         * only the type). Safe to widen: the root hash still decides. */
        snprintf(specs[0].or_type, sizeof specs[0].or_type, "%s", data_type);
        snprintf(specs[ih].or_type, sizeof specs[ih].or_type, "%s", hash_type);
        loader_near(&specs[0]);
        loader_near(&specs[ih]);
    }
    int r = wait_for(specs, roles, n, found);
    if (r < 0)
        return r;
    timing_mark(usr ? "usr" : "root");
    maybe_break(STAGE_VERITY);
    r = verity_setup(cfg, &found[0], &found[ih], ifec < 0 ? NULL : &found[ifec], mapped);
    timing_mark(usr ? "usr-verity" : "verity");
    return r;
}

static int find_verity_root(struct blockdev *root)
{
    if (cmd.root) {
        struct devspec r;
        /* With verity the root is the mapped device; anything else named by
         * root= would be unverified, so it is refused, never used. */
        if (parse_spec("root", cmd.root, &r) < 0 || r.kind != SPEC_PATH ||
            strcmp(r.value, "mapper/" VERITY_NAME)) {
            log_err("root=%s conflicts with verity: the verified root is /dev/mapper/%s; "
                    "drop root= or set root=/dev/mapper/%s", cmd.root, VERITY_NAME,
                    VERITY_NAME);
            return -EINVAL;
        }
    }
    if (cmd.rw)
        log_warn("rw ignored: a dm-verity root is always mounted read-only");
    return find_verity(&vcfg, root);
}

static int root_auto; /* the root was found by its GPT partition type */

/* root=gpt-auto, or no root=: as systemd-gpt-auto-generator. */
static void gpt_auto_near(struct devspec *spec)
{
    char what[200];
    root_auto = 1;
    devspec_describe(spec, what, sizeof what);
    if (!cmd.root)
        log_info("no root= on the kernel command line: looking for %s; give root= to name "
                 "the root", what);
    loader_near(spec);
}

static int find_root(struct blockdev *root)
{
    if (vcfg.enabled)
        return find_verity_root(root);

    struct devspec spec;
    const char *role = "root device";
    if (parse_spec("root", cmd.root ? cmd.root : "gpt-auto", &spec) < 0)
        return -EINVAL;
    if (spec.kind == SPEC_GPT_AUTO)
        gpt_auto_near(&spec);
    spec.types = cmd.rootfstype;
    spec.ntypes = cmd.n_rootfstype;
    int r = wait_for(&spec, &role, 1, root);
    if (r == 0)
        r = btrfs_wait_members(root, wait_left_ms(), root_timeout_s(),
                               btrfs_opt_has(cmd.rootflags, "degraded"));
    timing_mark("root");
    return r;
}

/* The root device's filesystem on NEWROOT, made volatile if asked;
 * *devroot is where the device's filesystem ends up. */
static int mount_root(const struct blockdev *root, const char **devroot)
{
    int rw = vcfg.enabled ? 0 : cmd.rw;
    if (cmd.volatile_mode != VOLATILE_NO && rw) {
        log_warn("rw ignored: with systemd.volatile= the root device stays read-only");
        rw = 0;
    }
    if (root_auto && (root->partflags & GPT_FLAG_READ_ONLY)) {
        if (rw)
            log_warn("rw ignored: /dev/%s is marked read-only in its GPT entry (flag 60)",
                     root->name);
        rw = 0;
    }
    if (rootfs_mount(&FS_ROOT, root, cmd.rootfstype, cmd.n_rootfstype, cmd.rootflags, rw,
                     vcfg.enabled, NEWROOT) < 0)
        return -EIO;
    return volatile_setup(cmd.volatile_mode, NEWROOT, devroot);
}

/* /usr from its own device (mount.usr=) or verified (usrhash=), on the
 * new root's /usr: read-only unless mount.usrflags= says rw, and always
 * read-only when verified. */
static int mount_usr(struct blockdev *usr)
{
    if (ucfg.enabled) {
        if (find_verity(&ucfg, usr) < 0)
            return -EIO;
    } else {
        struct devspec spec;
        const char *role = "/usr device";
        if (parse_spec("mount.usr", cmd.mount_usr, &spec) < 0)
            return -EINVAL;
        spec.types = cmd.mount_usrfstype;
        spec.ntypes = cmd.n_mount_usrfstype;
        if (wait_for(&spec, &role, 1, usr) < 0)
            return -ENODEV;
        timing_mark("usr");
    }
    unsigned long flags = MS_RDONLY;
    char data[512];
    int rw = !ucfg.enabled && mountopts_parse(cmd.mount_usrflags, &flags, data, sizeof data) == 0 &&
             !(flags & MS_RDONLY);
    return rootfs_mount(&FS_USR, usr, cmd.mount_usrfstype, cmd.n_mount_usrfstype,
                        cmd.mount_usrflags, rw, ucfg.enabled, NEWROOT "/usr");
}

/* The real init gets the kernel's leftovers: our own argv[1..] holds the
 * unknown words and everything after "--", envp the unknown key=value
 * pairs; hatch's own keys are taken out. */
static void init_args(const char *init, int argc, char **argv, char **envp, char **nargv,
                      char **nenvp)
{
    int n = 0;
    nargv[n++] = (char *)init;
    for (int i = 1; i < argc; i++)
        if (n < MAX_INIT_ARGS - 1)
            nargv[n++] = argv[i];
        else
            log_warn("too many arguments for the real init; dropping '%s'", argv[i]);
    nargv[n] = NULL;
    n = 0;
    for (int i = 0; envp[i]; i++)
        if (cmdline_is_ours(envp[i]))
            continue;
        else if (n < MAX_INIT_ARGS - 1)
            nenvp[n++] = envp[i];
        else
            log_warn("too many environment words for the real init; dropping '%s'", envp[i]);
    nenvp[n] = NULL;
}

int main(int argc, char **argv, char **envp)
{
    const char *self = strrchr(argv[0], '/');
    if (!strcmp(self ? self + 1 : argv[0], "modprobe"))
        return modprobe_main(argc, argv);
    if (getpid() != 1 && argc > 1 && !strcmp(argv[1], "--version")) {
        print_version();
        return 0;
    }
    if (getpid() != 1) {
        int help = argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        fputs(usage, help ? stdout : stderr);
        return help ? 0 : 2;
    }

    timing_start();
    const char *what;
    int r = mounts_setup(&what);
    console_setup();
    if (r < 0) {
        log_err("cannot mount %s: %s; the kernel lacks proc/sysfs/devtmpfs/tmpfs support",
                what, strerror(-r));
        emergency(NULL);
    }
    log_open();
    kmsg_unlimit();
    read_cmdline();
    if (read_policy() < 0 || check_request() < 0)
        emergency(&cmd);
    timing_mark("cmdline");
    maybe_break(STAGE_CMDLINE);

    maybe_break(STAGE_MODULES);
    struct md_cfg mcfg;
    md_cfg_parse(&cmd, &mcfg);
    md_setup(&mcfg);
    lvm_setup(&lvmcfg);
    devices_on_probe(on_probe);
    load_modules();
    timing_mark("modules");
    /* Before resume=, which may be a swap inside a LUKS volume, and before
     * the root is looked for: the volumes' contents are then devices like
     * any other. */
    if (lcfg.n && !lcfg.disabled) {
        if (luks_unlock_all(&lcfg, cmd.rootwait ? -1 : root_timeout_s(), cmd.debug) < 0)
            emergency(&cmd);
        timing_mark("luks");
    }
    /* Before anything is mounted: a resumed system finds its filesystems
     * as it left them. */
    if (resume_try(&cmd, root_timeout_s()))
        timing_mark("resume");

    maybe_break(STAGE_ROOT);
    struct blockdev root = {0};
    int tmpfs_root = usr_root_is_tmpfs(&cmd);
    if (!tmpfs_root && find_root(&root) < 0)
        emergency(&cmd);

    maybe_break(STAGE_MOUNT);
    const char *devroot = NEWROOT; /* where the root device's filesystem is mounted */
    if (tmpfs_root) {
        if (volatile_tmpfs_root(NEWROOT, cmd.rootflags) < 0)
            emergency(&cmd);
    } else if (mount_root(&root, &devroot) < 0) {
        emergency(&cmd);
    }
    struct blockdev usr = {0};
    if (usr_wanted(&cmd, &ucfg) && mount_usr(&usr) < 0)
        emergency(&cmd);
    if (tmpfs_root)
        volatile_usr_links(NEWROOT);
    timing_mark("mount");

    const char *init = switchroot_pick_init(NEWROOT, cmd.init);
    char rootdesc[sizeof root.name + sizeof root.type + 16];
    if (tmpfs_root)
        snprintf(rootdesc, sizeof rootdesc, "the tmpfs root");
    else
        snprintf(rootdesc, sizeof rootdesc, "/dev/%s (%s)", root.name,
                 root.type[0] ? root.type : "type unknown");
    if (switchroot_check(NEWROOT, init, rootdesc) < 0)
        emergency(&cmd);

    maybe_break(STAGE_SWITCH);
    /* Past this point a failure leaves no initramfs and no rescue shell: a
     * root device that went away meanwhile is refused here. */
    if (!tmpfs_root && !rootfs_still_there(&root))
        emergency(&cmd);
    /* Again after the last point a shell could have changed the mounts. */
    if (vcfg.enabled && (!rootfs_is_device(devroot, &root) || !volatile_unchanged(NEWROOT)))
        emergency(&cmd);
    if (ucfg.enabled && !rootfs_is_device(NEWROOT "/usr", &usr))
        emergency(&cmd);
    char *nargv[MAX_INIT_ARGS], *nenvp[MAX_INIT_ARGS];
    init_args(init, argc, argv, envp, nargv, nenvp);
    devices_stop();
    modules_exit();
    timing_mark("switch");
    timing_write();
    if (tmpfs_root)
        log_info("switching to %s on a tmpfs root with /usr from /dev/%s", init, usr.name);
    else
        log_info("switching to %s on /dev/%s", init, root.name);
    switchroot(NEWROOT, init, nargv, nenvp);
    emergency(&cmd);
}
