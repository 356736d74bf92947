/* dm-verity with libdevmapper and no udev: the library makes the
 * /dev/mapper node itself once the cookie is waited on. */
#include "verity.h"
#include "devices.h"
#include "log.h"
#include "modules.h"
#include "rootsig.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void dm_logger(int level, const char *file, int line, int dm_errno, const char *f, ...)
{
    (void)file;
    (void)line;
    (void)dm_errno;
    char msg[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(msg, sizeof msg, f, ap);
    va_end(ap);
    int l = level & 7;
    /* libdm's errors are details under our own one-line cause */
    hlog(l <= 3 ? L_WARN : L_DEBUG, "libdevmapper: %s", msg);
}

static int open_dev(const struct blockdev *d, uint64_t *size)
{
    char p[64];
    snprintf(p, sizeof p, "/dev/%s", d->name);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (size && ioctl(fd, BLKGETSIZE64, size) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* Returns 0 or -errno: the ioctl's own errno when there was one, since the
 * kernel's reason for refusing a table (a root hash signature) is in it. */
static int dm_run(int type, const char *name, const char *params, uint64_t sectors,
                  uint32_t *minor)
{
    struct dm_task *t = dm_task_create(type);
    uint32_t cookie = 0;
    int ok = 0, err = 0;
    if (!t)
        return -ENOMEM;
    if (!dm_task_set_name(t, name))
        goto out;
    char uuid[64];
    snprintf(uuid, sizeof uuid, "HATCH-VERITY-%s", name);
    if (type == DM_DEVICE_CREATE && !dm_task_set_uuid(t, uuid))
        goto out;
    if (params) {
        dm_task_set_ro(t);
        if (!dm_task_add_target(t, 0, sectors, "verity", params))
            goto out;
    }
    /* The cookie makes libdm create (or remove) /dev/mapper/NAME itself;
     * a reload touches no node and takes none. */
    int with_cookie = type != DM_DEVICE_RELOAD;
    if (with_cookie && !dm_task_set_cookie(t, &cookie, 0))
        goto out;
    ok = dm_task_run(t);
    if (!ok)
        err = dm_task_get_errno(t);
    if (with_cookie)
        dm_udev_wait(cookie);
    if (ok && minor) {
        struct dm_info info;
        ok = dm_task_get_info(t, &info) && info.exists;
        *minor = info.minor;
    }
out:
    dm_task_destroy(t);
    return ok ? 0 : -(err > 0 ? err : EIO);
}

/* libdm's one-call create-and-load drops the load's errno, which is what
 * says why the kernel refused a root hash signature: so the device is
 * created empty, then loaded, then resumed (which makes the node). *step
 * names the one that failed. */
static int dm_create_loaded(const char *name, const char *params, uint64_t sectors,
                            uint32_t *minor, const char **step)
{
    *step = "create";
    int r = dm_run(DM_DEVICE_CREATE, name, NULL, 0, NULL);
    if (r < 0)
        return r;
    *step = "load";
    if ((r = dm_run(DM_DEVICE_RELOAD, name, params, sectors, NULL)) < 0)
        return r;
    *step = "resume";
    return dm_run(DM_DEVICE_RESUME, name, NULL, 0, minor);
}

static void dm_remove(const char *name)
{
    if (dm_run(DM_DEVICE_REMOVE, name, NULL, 0, NULL) < 0)
        log_err("verity: could not remove /dev/mapper/%s after the failure; it is not "
                "mounted and will not be", name);
}

/* 'V' verified so far, 'C' a corruption was seen (dm-verity status);
 * '?' when the status cannot be read, which proves nothing. */
static char dm_verity_status(const char *name)
{
    struct dm_task *t = dm_task_create(DM_DEVICE_STATUS);
    char st = '?';
    if (!t)
        return st;
    if (dm_task_set_name(t, name) && dm_task_run(t)) {
        uint64_t start, len;
        char *type = NULL, *params = NULL;
        dm_get_next_target(t, NULL, &start, &len, &type, &params);
        if (params)
            st = params[0];
    }
    dm_task_destroy(t);
    return st;
}

static int load_modules(void)
{
    static const char *const mods[] = {"dm_mod", "dm_verity"};
    for (size_t i = 0; i < 2; i++) {
        if (module_require(mods[i], "dm-verity root") < 0) {
            log_err("verity: the %s module is not in this image and not built in; build the "
                    "image with the verity hook", mods[i]);
            return -ENOENT;
        }
    }
    return 0;
}

static int read_params(const struct verity_cfg *cfg, const struct blockdev *hash,
                       struct verity_params *p, uint64_t *hash_size)
{
    char err[256];
    int fd = open_dev(hash, hash_size);
    if (fd < 0) {
        log_err("verity: cannot open hash device /dev/%s: %s", hash->name, strerror(-fd));
        return fd;
    }
    int have_sb = 0;
    if (cfg->superblock) {
        uint8_t sb[VERITY_SB_SIZE];
        ssize_t r = pread(fd, sb, sizeof sb, (off_t)cfg->hash_offset);
        if (r != (ssize_t)sizeof sb) {
            log_err("verity: cannot read the superblock at byte %" PRIu64 " of /dev/%s (%s); "
                    "the hash device is truncated or hash-offset= is wrong",
                    cfg->hash_offset, hash->name, r < 0 ? strerror(errno) : "short read");
            close(fd);
            return -EIO;
        }
        if (verity_sb_parse(sb, p, err, sizeof err) < 0) {
            log_err("verity: /dev/%s at byte %" PRIu64 ": %s", hash->name, cfg->hash_offset,
                    err);
            close(fd);
            return -EINVAL;
        }
        have_sb = 1;
    }
    close(fd);
    if (verity_params_apply(cfg, p, have_sb, err, sizeof err) < 0) {
        log_err("verity: %s", err);
        return -EINVAL;
    }
    return 0;
}

/* Sizes checked here give a clear cause instead of I/O errors later. */
static int check_sizes(const struct verity_cfg *cfg, const struct verity_params *p,
                       const struct blockdev *data, const struct blockdev *hash,
                       uint64_t hash_size)
{
    char err[256];
    uint64_t data_size = 0;
    int fd = open_dev(data, &data_size);
    if (fd < 0) {
        log_err("verity: cannot open data device /dev/%s: %s", data->name, strerror(-fd));
        return fd;
    }
    close(fd);
    if (verity_check_sizes(cfg, p, data_size, hash_size, !strcmp(data->name, hash->name), err,
                           sizeof err) < 0) {
        log_err("verity: data /dev/%s, hash /dev/%s: %s", data->name, hash->name, err);
        return -EINVAL;
    }
    return 0;
}

/* Reading the first block proves the root hash: the kernel checks the whole
 * path from it up to the root digest. */
static int prove(const struct verity_cfg *cfg, const struct verity_params *p,
                 const char *mapped)
{
    const char *name = cfg->name;
    char path[64];
    snprintf(path, sizeof path, "/dev/%s", mapped);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        log_err("verity: /dev/mapper/%s was not created (%s)", name, strerror(e));
        return -e;
    }
    char *buf = malloc(p->data_block_size);
    ssize_t r = buf ? pread(fd, buf, p->data_block_size, 0) : -1;
    int e = errno;
    free(buf);
    close(fd);
    if (r != (ssize_t)p->data_block_size) {
        log_err("verity: %s hash does not match the hash tree (reading the first block of "
                "/dev/mapper/%s failed: %s); the %s= or the image is wrong", name, name,
                r < 0 ? strerror(e) : "short read", cfg->hash_key);
        return -EIO;
    }
    /* Only an explicit "verified" counts: an unreadable status is a
     * failure, never a pass. */
    char st = dm_verity_status(name);
    if (st == 'C') {
        log_err("verity: %s hash does not match the hash tree (dm-verity reports "
                "corruption on the first block); the %s= or the image is wrong", name,
                cfg->hash_key);
        return -EIO;
    }
    if (st != 'V') {
        log_err("verity: cannot read the dm-verity status of /dev/mapper/%s, so the %s "
                "hash is not proven; not mounting it", name, name);
        return -EIO;
    }
    return 0;
}

static int setup(const struct verity_cfg *cfg, const struct blockdev *data,
                 const struct blockdev *hash, const struct blockdev *fecdev,
                 struct blockdev *root)
{
    struct verity_params p;
    uint64_t hash_size = 0;
    char table[1024], dd[24], hd[24], fd[24];
    uint32_t minor;

    dm_log_with_errno_init(dm_logger);
    int r = load_modules();
    if (r < 0)
        return r;
    if ((r = read_params(cfg, hash, &p, &hash_size)) < 0)
        return r;
    if ((r = check_sizes(cfg, &p, data, hash, hash_size)) < 0)
        return r;
    /* The kernel picks the hash's implementation when the table is
     * loaded, and keeps it for the root's lifetime: the CPU's (sha256-ssse3
     * with AVX2 or SHA-NI) must be there by then, or every read of the
     * real system is hashed by the generic C code. The crypto API asks for
     * it only when it has none at all, so it is loaded here. */
    char alg[48];
    snprintf(alg, sizeof alg, "crypto-%s", p.algorithm);
    module_load(alg, "dm-verity hash");

    snprintf(dd, sizeof dd, "%u:%u", data->major, data->minor);
    snprintf(hd, sizeof hd, "%u:%u", hash->major, hash->minor);
    struct verity_fec fec, *fecp = NULL;
    if (fecdev) {
        snprintf(fd, sizeof fd, "%u:%u", fecdev->major, fecdev->minor);
        fec.dev = fd;
        fec.roots = cfg->fec_roots;
        fec.start = cfg->fec_offset / p.data_block_size;
        fec.blocks = verity_fec_blocks(cfg, &p, hash_size, !strcmp(fecdev->name, hash->name));
        fecp = &fec;
        log_info("verity: error correction from /dev/%s (%u roots, %" PRIu64 " blocks)",
                 fecdev->name, fec.roots, fec.blocks);
    }
    char ptable[1024];
    if (verity_table(cfg, &p, dd, hd, fecp, VERITY_TABLE_FINAL, table, sizeof table) < 0 ||
        verity_table(cfg, &p, dd, hd, fecp, VERITY_TABLE_PROOF, ptable, sizeof ptable) < 0) {
        log_err("verity: table too long");
        return -E2BIG;
    }
    log_info("verity: %s data=/dev/%s hash=/dev/%s %" PRIu64 " blocks of %" PRIu32 ", %s",
             cfg->name, data->name, hash->name, p.data_blocks, p.data_block_size,
             p.algorithm);
    log_debug("verity table: 0 %" PRIu64 " verity %s", verity_sectors(&p), table);

    /* The proving read runs on a table without any corruption option, so
     * a wrong root hash is reported (not ignored, and not a reboot loop);
     * the user's table is loaded once the hash is proven. */
    int swap = strcmp(ptable, table) != 0;

    const char *step;
    if ((r = dm_create_loaded(cfg->name, ptable, verity_sectors(&p), &minor, &step)) < 0) {
        /* the kernel checks the signature when it loads the table */
        if (cfg->sig && !strcmp(step, "load"))
            rootsig_refused(-r, cfg->sig);
        else
            log_err("verity: the kernel refused to %s /dev/mapper/%s for /dev/%s (%s; see the "
                    "device-mapper messages above)", step, cfg->name, data->name,
                    strerror(-r));
        dm_remove(cfg->name);
        return r;
    }
    char mapped[32];
    snprintf(mapped, sizeof mapped, "dm-%u", minor);
    if ((r = prove(cfg, &p, mapped)) < 0) {
        dm_remove(cfg->name);
        return r;
    }
    if (swap && (dm_run(DM_DEVICE_RELOAD, cfg->name, table, verity_sectors(&p), NULL) < 0 ||
                 dm_run(DM_DEVICE_RESUME, cfg->name, NULL, 0, NULL) < 0)) {
        log_err("verity: the kernel refused the table with the corruption options; not "
                "mounting without them");
        dm_remove(cfg->name);
        return -EIO;
    }
    /* The mapping holds the data device's bytes: its tags, not a second
     * probe through dm-verity. */
    if ((r = devices_refresh(mapped, data, root)) < 0) {
        log_err("verity: /dev/%s vanished after setup", mapped);
        dm_remove(cfg->name);
        return r;
    }
    log_info("verity: %s hash verified; /dev/mapper/%s is /dev/%s (TYPE=%s)", cfg->name,
             cfg->name, mapped, root->type);
    return 0;
}

int verity_setup(const struct verity_cfg *cfg, const struct blockdev *data,
                 const struct blockdev *hash, const struct blockdev *fecdev,
                 struct blockdev *root)
{
    int32_t key = 0;
    if (cfg->sig && (key = rootsig_load(cfg->sig)) < 0)
        return key;
    int r = setup(cfg, data, hash, fecdev, root);
    /* The kernel copied the signature when it loaded each table. */
    rootsig_unload(key);
    /* libdm keeps /dev/mapper/control open without O_CLOEXEC; close it so
     * the real init inherits nothing from here. */
    dm_lib_release();
    return r;
}
