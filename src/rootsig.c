/* The root hash signature goes into this thread's keyring: dm-verity's
 * constructor finds it there with request_key() because the table load is
 * this thread's own ioctl, and exec drops a thread keyring, so nothing of
 * it reaches the real system (a session or user keyring would outlive the
 * initramfs). The kernel copies the signature when it loads the table. */
#include "rootsig.h"
#include "log.h"
#include "veritycfg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What the messages call the signature. */
static const char *source(const char *spec)
{
    return strncmp(spec, "base64:", 7) ? spec : "root-hash-signature=base64:...";
}

static long read_file(const char *path, uint8_t *buf, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    for (;;) {
        if (n > max) {
            close(fd);
            return -EFBIG;
        }
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    return n > max ? -EFBIG : (long)n;
}

/* The signature's bytes into buf (VERITY_SIG_MAX + 1 long): its length,
 * or -errno after one line that says what to do. */
static long sig_read(const char *spec, uint8_t *buf)
{
    long n;
    if (!strncmp(spec, "base64:", 7)) {
        n = verity_base64_decode(spec + 7, buf, VERITY_SIG_MAX);
        if (n < 0) /* the command line's parse refused this already */
            n = -EINVAL;
    } else {
        n = read_file(spec, buf, VERITY_SIG_MAX);
    }
    if (n > 0)
        return n;
    if (n == -ENOENT && !strcmp(spec, VERITY_SIG_IMAGE_PATH))
        log_err("verity: the root hash signature %s is not in this image; not mounting "
                "without it: rebuild the image with mkinitramfs.sh --roothash-sig FILE",
                VERITY_SIG_IMAGE_PATH);
    else if (n == -ENOENT)
        log_err("verity: the root hash signature file %s does not exist in the initramfs; "
                "not mounting without it: add it to the image (mkinitramfs.sh "
                "--roothash-sig FILE, or --include) or give root-hash-signature=base64:...",
                spec);
    else if (n == -EFBIG)
        log_err("verity: the root hash signature %s is over %d bytes, more than the "
                "kernel's keyring holds; it is not a detached PKCS#7 signature of the root "
                "hash", source(spec), VERITY_SIG_MAX);
    else
        log_err("verity: cannot read the root hash signature %s (%s); not mounting "
                "without it", source(spec), n ? strerror((int)-n) : "it is empty");
    return n ? n : -ENODATA;
}

int rootsig_check(const char *spec)
{
    uint8_t *buf = malloc(VERITY_SIG_MAX + 1);
    if (!buf)
        return -ENOMEM;
    long n = sig_read(spec, buf);
    free(buf);
    return n < 0 ? (int)n : 0;
}

int32_t rootsig_load(const char *spec)
{
    /* one byte more than the kernel takes, to tell "too big" from "full" */
    uint8_t *buf = malloc(VERITY_SIG_MAX + 1);
    if (!buf)
        return -ENOMEM;
    long n = sig_read(spec, buf);
    if (n < 0) {
        free(buf);
        return (int32_t)n;
    }
    long key = syscall(SYS_add_key, "user", VERITY_SIG_KEY_DESC, buf, (size_t)n,
                       KEY_SPEC_THREAD_KEYRING);
    int e = errno;
    free(buf);
    if (key < 0) {
        log_err("verity: cannot put the root hash signature into the kernel keyring (%s); "
                "the kernel needs CONFIG_KEYS", strerror(e));
        return -e;
    }
    log_info("verity: root hash signature from %s (%ld bytes) loaded as key %s",
             source(spec), n, VERITY_SIG_KEY_DESC);
    return (int32_t)key;
}

void rootsig_unload(int32_t serial)
{
    if (serial > 0)
        syscall(SYS_keyctl, KEYCTL_UNLINK, serial, KEY_SPEC_THREAD_KEYRING);
}

void rootsig_refused(int err, const char *spec)
{
    const char *why, *todo;
    switch (err) {
    case ENOKEY:
        why = "it is not signed by a key the kernel trusts (ENOKEY)";
        todo = "a signed root needs the signer's certificate in the kernel's builtin or "
               "secondary trusted keyring (built into the kernel, or enrolled via MOK)";
        break;
    case EKEYREJECTED:
        why = "it does not verify against this root hash (EKEYREJECTED)";
        todo = "sign exactly the roothash= hex string, or give the signature made for it";
        break;
    case EBADMSG:
        why = "it is not a PKCS#7 signature the kernel can parse (EBADMSG)";
        todo = "make it with openssl cms -sign -binary -outform der -noattr over the root "
               "hash hex string";
        break;
    case ENOPKG:
        why = "its algorithm is not in the kernel (ENOPKG)";
        todo = "sign with RSA and SHA-256, or load the algorithm's module";
        break;
    case EKEYEXPIRED:
    case EKEYREVOKED:
        why = "the key it names is expired or revoked";
        todo = "sign with a valid trusted key";
        break;
    case EINVAL:
        why = "the kernel refused the table (EINVAL)";
        todo = "a kernel without CONFIG_DM_VERITY_VERIFY_ROOTHASH_SIG does not know "
               "root_hash_sig_key_desc; see the device-mapper messages above";
        break;
    default:
        why = strerror(err);
        todo = "see the device-mapper messages above";
    }
    log_err("verity: the kernel refused the root hash signature %s (root_hash_sig_key_desc "
            "%s): %s; not mounting: %s", source(spec), VERITY_SIG_KEY_DESC, why, todo);
}
