/* Expanding a PATH.zst of the image into PATH, with libzstd (the library
 * libkmod already links for compressed modules). The kernel unpacks the
 * whole initramfs before /init runs, so what a boot rarely uses is kept
 * small until it is used. */
#include "unpack.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

int unpack_present(const char *path)
{
    char z[PATH_MAX];
    if (access(path, X_OK) == 0)
        return 1;
    if (snprintf(z, sizeof z, "%s.zst", path) >= (int)sizeof z)
        return 0;
    return access(z, R_OK) == 0;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -EIO;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Stream in to out; returns 0, or a negative errno (-EBADMSG for data that
 * is not zstd or is cut short). One loop both feeds the decoder and, after
 * the end of the input, drains what it still holds. */
static int expand(int in, int out, const char **why)
{
    size_t isz = ZSTD_DStreamInSize(), osz = ZSTD_DStreamOutSize();
    void *ib = malloc(isz), *ob = malloc(osz);
    ZSTD_DStream *ds = ZSTD_createDStream();
    ZSTD_inBuffer zi = {ib, 0, 0};
    int r = 0, eof = 0;
    size_t last = 0; /* 0 once a frame is complete */
    *why = NULL;
    if (!ib || !ob || !ds) {
        r = -ENOMEM;
        goto out;
    }
    for (;;) {
        if (zi.pos == zi.size && !eof) {
            ssize_t n = read(in, ib, isz);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                r = -errno;
                goto out;
            }
            eof = n == 0;
            zi.size = (size_t)n;
            zi.pos = 0;
        }
        if (eof && !last)
            break;
        ZSTD_outBuffer zo = {ob, osz, 0};
        size_t fed = zi.pos;
        last = ZSTD_decompressStream(ds, &zo, &zi);
        if (ZSTD_isError(last)) {
            *why = ZSTD_getErrorName(last);
            r = -EBADMSG;
            goto out;
        }
        if ((r = write_all(out, ob, zo.pos)) < 0)
            goto out;
        if (eof && !zo.pos && zi.pos == fed) {
            *why = "the file is cut short";
            r = -EBADMSG;
            goto out;
        }
    }
out:
    ZSTD_freeDStream(ds);
    free(ib);
    free(ob);
    return r;
}

int unpack_file(const char *path)
{
    char z[PATH_MAX], tmp[PATH_MAX];
    if (access(path, F_OK) == 0)
        return 0;
    if (snprintf(z, sizeof z, "%s.zst", path) >= (int)sizeof z ||
        snprintf(tmp, sizeof tmp, "%s.hatch-tmp", path) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int in = open(z, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        int e = errno;
        if (e != ENOENT)
            log_err("cannot open %s (%s)", z, strerror(e));
        return -e;
    }
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (out < 0) {
        int e = errno;
        log_err("cannot expand %s: cannot create %s (%s)", z, tmp, strerror(e));
        close(in);
        return -e;
    }
    const char *why;
    int r = expand(in, out, &why);
    close(in);
    if (close(out) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        unlink(tmp);
        log_err("cannot expand %s into %s (%s); the image is damaged or the initramfs is full",
                z, path, why ? why : strerror(-r));
        return r;
    }
    return 0;
}
