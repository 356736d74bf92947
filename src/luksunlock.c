/* luks-unlock: libcryptsetup for the init, in a program of its own that
 * only the luks hook puts in an image. The library, with json-c and
 * libuuid, was 330 KB of a 780 KB init that most images never use for
 * LUKS. The init finds the volume, loads the modules and asks for the
 * passphrase (src/luks.c); this reads the header and maps the volume.
 *
 *   luks-unlock [-d] info DEV
 *       prints "TYPE CIPHER MODE" (LUKS2 aes xts-plain64)
 *   luks-unlock [-d] open DEV NAME FLAGS [KEYFILE]
 *       maps DEV as /dev/mapper/NAME with the key file, or with the
 *       passphrase read from stdin (all of it, at most 512 bytes). FLAGS:
 *       "-" or a comma-separated list of discard, readonly, same-cpu-crypt,
 *       submit-from-crypt-cpus, no-read-workqueue, no-write-workqueue
 *       (luksflags.h).
 *
 * -d: the library's debug messages. Exit status 0, or the errno of what
 * failed (EPERM: no key slot opened; ENOENT: no such key file); 125 for
 * bad arguments. The library's own messages go to /dev/kmsg as details
 * under the init's one-line cause. The header is only ever read: no
 * repair, no conversion, no token call, no reencryption (the library is
 * built without it), and the passphrase is wiped once it has been tried. */
#include "log.h"
#include "luksflags.h"

#include <errno.h>
#include <libcryptsetup.h>
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASS_MAX 512
#define EXIT_USAGE 125

static void cs_logger(int level, const char *msg, void *usrptr)
{
    (void)usrptr;
    char line[512];
    snprintf(line, sizeof line, "%s", msg);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = '\0';
    if (level == CRYPT_LOG_ERROR)
        log_warn("libcryptsetup: %s", line);
    else
        log_debug("libcryptsetup: %s", line);
}

/* An errno as an exit status the init can tell from a tool that could not
 * run (127) or bad arguments (125). */
static int status_of(int err)
{
    err = err < 0 ? -err : err;
    return err > 0 && err < EXIT_USAGE ? err : EIO;
}

static uint32_t crypt_flags(unsigned f)
{
    static const struct {
        unsigned ours;
        uint32_t lib;
    } map[] = {
        {LUKS_F_DISCARD, CRYPT_ACTIVATE_ALLOW_DISCARDS},
        {LUKS_F_READONLY, CRYPT_ACTIVATE_READONLY},
        {LUKS_F_SAME_CPU_CRYPT, CRYPT_ACTIVATE_SAME_CPU_CRYPT},
        {LUKS_F_SUBMIT_FROM_CRYPT_CPUS, CRYPT_ACTIVATE_SUBMIT_FROM_CRYPT_CPUS},
        {LUKS_F_NO_READ_WORKQUEUE, CRYPT_ACTIVATE_NO_READ_WORKQUEUE},
        {LUKS_F_NO_WRITE_WORKQUEUE, CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE},
    };
    uint32_t out = 0;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (f & map[i].ours)
            out |= map[i].lib;
    return out;
}

/* The passphrase from stdin; its length, or -1. */
static int read_pass(char *buf, size_t len)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = read(0, buf + n, len - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return (int)n;
        n += (size_t)r;
        if (n == len)
            return -1; /* longer than any passphrase the init sends */
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: luks-unlock [-d] info DEV | luks-unlock [-d] open DEV NAME FLAGS "
                    "[KEYFILE] (the passphrase on stdin without KEYFILE)\n");
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    int a = 1, debug = 0;
    log_open();
    if (a < argc && !strcmp(argv[a], "-d")) {
        debug = 1;
        log_set_debug(1);
        a++;
    }
    if (argc - a < 2)
        return usage();
    const char *cmd = argv[a], *dev = argv[a + 1];
    int info = !strcmp(cmd, "info");
    if (!info && (strcmp(cmd, "open") || argc - a < 4 || argc - a > 5))
        return usage();
    unsigned words = 0;
    if (!info && luks_flags_parse(argv[a + 3], &words) < 0)
        return usage();
    uint32_t flags = crypt_flags(words);

    crypt_set_log_callback(NULL, cs_logger, NULL);
    /* crypt_load recovers a LUKS2 header from its second copy by writing
     * it, unless metadata locking is off; hatch is the only process
     * touching the disk, and the header must never be written. */
    crypt_metadata_locking(NULL, 0);
    if (debug)
        crypt_set_debug_level(CRYPT_DEBUG_ALL);
    dm_log_with_errno_init(NULL);

    struct crypt_device *cd = NULL;
    int ret = crypt_init(&cd, dev);
    if (ret < 0)
        return status_of(ret);
    /* Read-only: LUKS1 is repaired only through crypt_repair (never
     * called), LUKS2 auto-recovery is off with the locking (above). */
    if ((ret = crypt_load(cd, CRYPT_LUKS, NULL)) < 0) {
        crypt_free(cd);
        return status_of(ret);
    }
    if (info) {
        const char *t = crypt_get_type(cd), *c = crypt_get_cipher(cd),
                   *m = crypt_get_cipher_mode(cd);
        printf("%s %s %s\n", t ? t : "-", c ? c : "-", m ? m : "-");
        crypt_free(cd);
        return fflush(stdout) == 0 ? 0 : EIO;
    }
    const char *name = argv[a + 2];
    if (argc - a == 5) {
        ret = crypt_activate_by_keyfile(cd, name, CRYPT_ANY_SLOT, argv[a + 4], 0, flags);
    } else {
        char pass[PASS_MAX];
        int n = read_pass(pass, sizeof pass);
        ret = n < 0 ? -EINVAL
                    : crypt_activate_by_passphrase(cd, name, CRYPT_ANY_SLOT, pass, (size_t)n,
                                                   flags);
        explicit_bzero(pass, sizeof pass);
    }
    crypt_free(cd);
    dm_lib_release();
    return ret < 0 ? status_of(ret) : 0;
}
