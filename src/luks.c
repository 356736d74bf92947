/* LUKS: the init waits for the volume, loads the modules and asks for the
 * passphrase; the image's luks-unlock (src/luksunlock.c, put there by the
 * luks hook) reads the header with libcryptsetup and maps the volume, so
 * that an init without LUKS to unlock does not carry the library. Each
 * passphrase typed is wiped once it has been tried. */
#include "luks.h"
#include "devices.h"
#include "log.h"
#include "luksflags.h"
#include "modules.h"
#include "rootfs.h"
#include "spawn.h"
#include "wait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#define PASS_MAX 512
#define LUKS_TOOL "/lib/hatch/luks-unlock"
/* A key derivation (argon2) sized for a fast machine can take minutes
 * under emulation; a tool that never returns must still not hold PID 1. */
#define LUKS_TIMEOUT_MS (10 * 60 * 1000)

const char *luks_library_version(void)
{
    /* The build says which library it linked into luks-unlock. */
    return "luks-unlock with libcryptsetup " HATCH_CRYPTSETUP_VERSION;
}

static int luks_debug;

/* Run luks-unlock with args (and in on its stdin); its stdout in out.
 * Returns 0, or -errno: what it failed with, -ENOEXEC when it cannot run. */
static int run_tool(const char *const *args, const char *in, size_t inlen, char *out,
                    size_t olen)
{
    static char *const envp[] = {"PATH=/sbin:/bin", NULL};
    char *argv[12];
    int n = 0;
    argv[n++] = LUKS_TOOL;
    if (luks_debug)
        argv[n++] = "-d";
    while (*args && n < (int)(sizeof argv / sizeof *argv) - 1)
        argv[n++] = (char *)*args++;
    argv[n] = NULL;
    char err[512];
    int sig = 0;
    int r = spawn_run(LUKS_TOOL, argv, envp, in, in ? inlen : 0, LUKS_TIMEOUT_MS, out, olen,
                      err, sizeof err, &sig);
    /* Its stderr: libdevmapper's own messages, or a usage error (hatch's
     * bug); its libcryptsetup messages went to /dev/kmsg. */
    if (err[0])
        log_warn("luks: %s: %s", LUKS_TOOL, err);
    if (r == -EINTR)
        log_err("luks: %s was killed by signal %d", LUKS_TOOL, sig);
    else if (r == -ETIMEDOUT)
        log_err("luks: %s did not finish in %d s; killed", LUKS_TOOL, LUKS_TIMEOUT_MS / 1000);
    return r > 0 ? -r : r;
}

/* The kernel crypto backend talks to AF_ALG: without these the library
 * says only "Cannot initialize crypto backend". The kernel would ask for
 * most of them itself through /sbin/modprobe; loading them here does not
 * depend on that. */
static int load_base_modules(void)
{
    static const char *const need[] = {"dm_mod", "dm_crypt", "af_alg", "algif_hash",
                                       "algif_skcipher"};
    if (!modules_ready())
        return 0;
    for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
        if (module_require(need[i], "LUKS") < 0) {
            log_err("luks: the %s module is not in this image and not built in; build the "
                    "image with the luks hook (mkinitramfs.sh -H +luks)", need[i]);
            return -ENOENT;
        }
    }
    /* Hashes every LUKS header uses for its digest and PBKDF2. */
    module_load("crypto-sha256", "LUKS");
    module_load("crypto-hmac", "LUKS");
    return 0;
}

/* The cipher and mode the header names, by the aliases the crypto API asks
 * for ("crypto-aes", "crypto-xts"); a module that is missing is not an
 * error here: the cipher may be built in, and activation says if not. */
static void load_cipher_modules(const char *cipher, const char *mode)
{
    if (!modules_ready())
        return;
    char alias[96];
    if (strcmp(cipher, "-")) {
        snprintf(alias, sizeof alias, "crypto-%s", cipher);
        module_load(alias, "LUKS cipher");
    }
    if (strcmp(mode, "-")) {
        /* "xts-plain64" → xts; "cbc-essiv:sha256" → cbc, essiv, sha256 */
        char m[64];
        snprintf(m, sizeof m, "%s", mode);
        char *iv = strchr(m, '-');
        if (iv)
            *iv++ = '\0';
        snprintf(alias, sizeof alias, "crypto-%s", m);
        module_load(alias, "LUKS cipher mode");
        if (iv) {
            char *h = strchr(iv, ':');
            if (h) {
                *h++ = '\0';
                snprintf(alias, sizeof alias, "crypto-%s", h);
                module_load(alias, "LUKS IV hash");
            }
            if (!strcmp(iv, "essiv")) {
                module_load("crypto-essiv", "LUKS IV");
            }
        }
    }
}

/* Kernel name (dm-N) of /dev/mapper/NAME. */
static int mapped_kname(const char *name, char *out, size_t len)
{
    char p[128], link[256];
    struct stat st;
    snprintf(p, sizeof p, "/dev/mapper/%s", name);
    if (stat(p, &st) < 0)
        return -errno;
    snprintf(p, sizeof p, "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
    ssize_t n = readlink(p, link, sizeof link - 1);
    if (n < 0)
        return -errno;
    link[n] = '\0';
    const char *b = strrchr(link, '/');
    b = b ? b + 1 : link;
    if (strlen(b) >= len)
        return -ENAMETOOLONG;
    memcpy(out, b, strlen(b) + 1);
    return 0;
}

/* The mapping's options as luks-unlock takes them. */
static void act_flags(const struct luks_req *r, char *out, size_t len)
{
    unsigned f = (r->discard ? LUKS_F_DISCARD : 0) | (r->readonly ? LUKS_F_READONLY : 0) |
                 (r->same_cpu_crypt ? LUKS_F_SAME_CPU_CRYPT : 0) |
                 (r->submit_from_crypt_cpus ? LUKS_F_SUBMIT_FROM_CRYPT_CPUS : 0) |
                 (r->no_read_workqueue ? LUKS_F_NO_READ_WORKQUEUE : 0) |
                 (r->no_write_workqueue ? LUKS_F_NO_WRITE_WORKQUEUE : 0);
    /* The buffer holds every word. */
    luks_flags_format(f, out, len);
}

/* One line from the console (echo is already off). Returns its length,
 * 0 for an empty line, -1 at end of input (Ctrl-D) or on an error. */
static int read_line(int fd, const char *prompt, char *buf, size_t len)
{
    ssize_t w = write(fd, prompt, strlen(prompt));
    (void)w;
    size_t n = 0;
    int eof = 0;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            eof = 1;
            break;
        }
        if (ch == '\n' || ch == '\r')
            break;
        if (n < len - 1)
            buf[n++] = ch;
    }
    buf[n] = '\0';
    w = write(fd, "\n", 1);
    return eof && !n ? -1 : (int)n;
}

static void say(int fd, const char *line)
{
    ssize_t w = write(fd, line, strlen(line));
    (void)w;
}

/* Echo stays off from the first prompt to the last answer, so that a
 * line typed ahead while a wrong one is being checked is not shown; the
 * terminal's settings are put back whatever happens. TCSANOW, not
 * TCSAFLUSH: what was typed ahead is the next try, not noise. */
static int ask_passphrase(const struct luks_req *r, int fd, const char *kname,
                          const char *dev, const char *flags)
{
    char prompt[200], pass[PASS_MAX], line[200];
    snprintf(prompt, sizeof prompt, "Passphrase for UUID=%s (/dev/%s): ", r->uuid, kname);
    int ret = -EPERM;
    for (int t = 1; r->tries == 0 || t <= r->tries; t++) {
        int n = read_line(fd, prompt, pass, sizeof pass);
        if (n < 0) {
            log_err("luks: no passphrase for UUID=%s: the input ended at the prompt (Ctrl-D); "
                    "not unlocking it", r->uuid);
            ret = -ECANCELED;
            break;
        }
        const char *args[] = {"open", dev, r->name, flags, NULL};
        char out[64];
        int a = run_tool(args, pass, (size_t)n, out, sizeof out);
        explicit_bzero(pass, sizeof pass);
        if (a >= 0) {
            ret = 0;
            break;
        }
        if (a != -EPERM) {
            log_err("luks: activating UUID=%s as /dev/mapper/%s failed: %s (see the "
                    "libcryptsetup messages above)", r->uuid, r->name, strerror(-a));
            ret = a;
            break;
        }
        if (r->tries)
            snprintf(line, sizeof line, "wrong passphrase for UUID=%s (try %d of %d)", r->uuid,
                     t, r->tries);
        else
            snprintf(line, sizeof line, "wrong passphrase for UUID=%s (try %d)", r->uuid, t);
        log_err("luks: %s", line);
        /* The log may not reach this console (quiet, another console=). */
        say(fd, line);
        say(fd, "\n");
        if (r->tries && t == r->tries)
            log_err("luks: no passphrase unlocked UUID=%s in %d tries; check the keyboard "
                    "layout (the prompt knows only the kernel's default keymap)", r->uuid,
                    r->tries);
    }
    explicit_bzero(pass, sizeof pass);
    return ret;
}

static int activate_with_passphrase(const struct luks_req *r, const char *kname,
                                    const char *dev, const char *flags)
{
    /* The wait for the volume stops loading drivers once it is found;
     * the keyboard that types the passphrase may need one (as for the
     * rescue shell). */
    devices_coldplug_all();
    int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        log_err("luks: UUID=%s needs a passphrase, but /dev/console cannot be opened (%s); "
                "put a key file in the image and give rd.luks.key=", r->uuid, strerror(errno));
        return -ENOTTY;
    }
    struct termios old, quiet;
    int have_tty = tcgetattr(fd, &old) == 0;
    if (have_tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(fd, TCSANOW, &quiet);
    }
    int ret = ask_passphrase(r, fd, kname, dev, flags);
    if (have_tty)
        tcsetattr(fd, TCSANOW, &old);
    close(fd);
    return ret;
}

#define KEYDEV_DIR "/run/hatch/luks-key"

/* Wait for one device of a volume: what names it in the lines ("LUKS volume
 * UUID=..."), missing and ambiguous say what to do when it did not come or
 * two devices match. Returns 0 with it in d, or -errno after one line. */
static int wait_dev(const struct devspec *spec, const char *what, int timeout_s,
                    const char *missing, const char *ambiguous, struct blockdev *d)
{
    struct blockdev other;
    if (timeout_s < 0)
        log_info("luks: waiting for %s (rootwait: no time limit)", what);
    else
        log_info("luks: waiting up to %d s for %s", timeout_s, what);
    int ret = wait_or_degrade(spec, 1, timeout_s < 0 ? -1 : timeout_s * 1000, d, &other);
    if (ret == -ETIMEDOUT) {
        log_err("luks: %s did not appear within %d s; %s", what, timeout_s, missing);
        devices_report();
    } else if (ret == -EEXIST) {
        log_err("luks: %s is on both /dev/%s and /dev/%s; %s", what, d->name, other.name,
                ambiguous);
    } else if (ret < 0) {
        log_err("luks: waiting for %s failed: %s", what, strerror(-ret));
    }
    return ret;
}

/* rd.luks.key=PATH:DEVICE: the key device's filesystem, mounted read-only
 * (nosuid, nodev, noexec) just long enough to read the key. Returns 0 with
 * the key file's path in path, or -errno after one line. */
static int mount_keydev(const struct luks_req *r, int timeout_s, char *path, size_t len)
{
    struct devspec spec;
    struct blockdev d;
    char err[256], what[sizeof r->keydev + sizeof r->uuid + 32];
    if (devspec_parse(r->keydev, &spec, err, sizeof err) < 0) {
        log_err("luks: the key device %s: %s", r->keydev, err);
        return -EINVAL;
    }
    snprintf(what, sizeof what, "the key device %s of UUID=%s", r->keydev, r->uuid);
    int ret = wait_dev(&spec, what, timeout_s, "check rd.luks.key= against the devices below",
                       "not guessing which to read: name it by a tag they do not share", &d);
    if (ret < 0)
        return ret;
    if ((mkdir("/run/hatch", 0755) < 0 && errno != EEXIST) ||
        (mkdir(KEYDEV_DIR, 0700) < 0 && errno != EEXIST)) {
        ret = -errno;
        log_err("luks: cannot create %s (%s)", KEYDEV_DIR, strerror(-ret));
        return ret;
    }
    if ((ret = rootfs_mount(&FS_KEY, &d, NULL, 0, "nosuid,nodev,noexec", 0, 0, KEYDEV_DIR)) < 0)
        return ret;
    snprintf(path, len, KEYDEV_DIR "%s", r->key);
    return 0;
}

static int unlock_one(const struct luks_req *r, int timeout_s)
{
    struct devspec spec;
    struct blockdev d;
    char want[64], err[256];
    snprintf(want, sizeof want, "UUID=%s", r->uuid);
    if (devspec_parse(want, &spec, err, sizeof err) < 0) {
        log_err("luks: %s: %s", want, err);
        return -EINVAL;
    }
    char what[80];
    snprintf(what, sizeof what, "LUKS volume UUID=%s", r->uuid);
    int ret = wait_dev(&spec, what, timeout_s,
                       "check rd.luks.uuid= against the devices below (cryptsetup luksUUID "
                       "DEV) or give rd.timeout=",
                       "not guessing which to unlock: remove the copy", &d);
    if (ret < 0)
        return ret;
    if (strcmp(d.type, "crypto_LUKS")) {
        log_err("luks: UUID=%s is /dev/%s, of TYPE=%s, not a LUKS volume; rd.luks.uuid= wants "
                "the UUID of the LUKS header (cryptsetup luksUUID DEV)", r->uuid, d.name,
                d.type[0] ? d.type : "unknown");
        return -EINVAL;
    }

    char path[80], out[256], type[64], cipher[64], mode[64];
    snprintf(path, sizeof path, "/dev/%s", d.name);
    const char *info[] = {"info", path, NULL};
    if ((ret = run_tool(info, NULL, 0, out, sizeof out)) < 0 ||
        sscanf(out, "%63s %63s %63s", type, cipher, mode) != 3) {
        log_err("luks: /dev/%s (UUID=%s) has no LUKS header libcryptsetup can read (%s); "
                "see the messages above", d.name, r->uuid,
                ret < 0 ? strerror(-ret) : "luks-unlock said nothing of it");
        return ret < 0 ? ret : -EIO;
    }
    load_cipher_modules(cipher, mode);
    log_info("luks: /dev/%s is %s, %s-%s; mapping it as /dev/mapper/%s", d.name, type, cipher,
             mode, r->name);

    char flags[128];
    act_flags(r, flags, sizeof flags);
    ret = -EPERM;
    char keypath[sizeof KEYDEV_DIR + LUKS_KEY_MAX];
    const char *key = r->key[0] ? r->key : NULL;
    int mounted = 0;
    if (key && r->keydev[0]) {
        /* as systemd: without its key device, the passphrase */
        if (mount_keydev(r, timeout_s, keypath, sizeof keypath) == 0) {
            key = keypath;
            mounted = 1;
        } else {
            log_warn("luks: no key file from %s for UUID=%s; asking for the passphrase",
                     r->keydev, r->uuid);
            key = NULL;
        }
    }
    if (key) {
        const char *args[] = {"open", path, r->name, flags, key, NULL};
        ret = run_tool(args, NULL, 0, out, sizeof out);
        if (ret < 0) {
            log_warn("luks: key file %s%s%s did not unlock UUID=%s (%s); asking for the "
                     "passphrase", r->key, mounted ? " on " : "", mounted ? r->keydev : "",
                     r->uuid, ret == -ENOENT ? "there is no such file"
                              : ret == -EPERM ? "no key slot matches it" : strerror(-ret));
            ret = -EPERM;
        }
    }
    if (mounted && umount2(KEYDEV_DIR, 0) < 0 && umount2(KEYDEV_DIR, MNT_DETACH) < 0)
        log_warn("luks: cannot unmount the key device from %s (%s)", KEYDEV_DIR,
                 strerror(errno));
    if (ret < 0)
        ret = activate_with_passphrase(r, d.name, path, flags);
    if (ret < 0)
        return ret;

    char kname[64];
    struct blockdev mapped;
    if ((ret = mapped_kname(r->name, kname, sizeof kname)) < 0 ||
        (ret = devices_refresh(kname, NULL, &mapped)) < 0) {
        log_err("luks: /dev/mapper/%s was not created for UUID=%s (%s)", r->name, r->uuid,
                strerror(-ret));
        return ret;
    }
    log_info("luks: UUID=%s unlocked: /dev/mapper/%s is /dev/%s (TYPE=%s%s%s)", r->uuid,
             r->name, kname, mapped.type[0] ? mapped.type : "unknown",
             mapped.uuid[0] ? ", UUID=" : "", mapped.uuid);
    return 0;
}

int luks_unlock_all(const struct luks_cfg *l, int timeout_s, int debug)
{
    if (l->disabled || !l->n)
        return 0;
    luks_debug = debug;
    int ret = load_base_modules();
    if (ret == 0 && access(LUKS_TOOL, X_OK) < 0) {
        log_err("luks: %s is not in this image (%s); build the image with the luks hook "
                "(mkinitramfs.sh -H +luks)", LUKS_TOOL, strerror(errno));
        ret = -ENOENT;
    }
    for (size_t i = 0; ret == 0 && i < l->n; i++)
        ret = unlock_one(&l->req[i], timeout_s);
    return ret;
}
