// fuzz-max-len: 8192
/* Kernel uevent datagrams: uevent_parse on exactly the input's bytes, in an
 * exact-size heap buffer with no NUL added, so ASan sees any read past len.
 * (8192: the receive buffer in devices.c.) */
#include "fuzz.h"
#include "uevent.h"

#include <string.h>

/* A field pointer: inside buf, its string terminated inside buf, after the
 * header, and just after "KEY=" at the start of a NUL-separated field. */
static void check_field(const char *buf, size_t len, const char *hdr_end, const char *v,
                        const char *key)
{
    if (!v)
        return;
    FUZZ_ASSERT(v >= buf && v < buf + len, "%s points outside the buffer (offset %td of %zu)",
                key, v - buf, len);
    FUZZ_ASSERT(memchr(v, '\0', (size_t)(buf + len - v)) != NULL,
                "%s (offset %td) is not NUL-terminated within the %zu bytes", key, v - buf, len);
    size_t kl = strlen(key);
    const char *k = v - kl - 1;
    FUZZ_ASSERT(k > hdr_end, "%s points into the ACTION@DEVPATH header", key);
    FUZZ_ASSERT(!memcmp(k, key, kl) && k[kl] == '=', "%s does not follow '%s='", key, key);
    FUZZ_ASSERT(k[-1] == '\0', "%s= is not at the start of a field", key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    char *buf = malloc(size);
    if (!buf && size)
        return 0;
    if (size)
        memcpy(buf, data, size);

    struct uevent ev;
    memset(&ev, 0xa5, sizeof ev);
    int r = uevent_parse(buf, size, &ev);
    FUZZ_ASSERT(r == 0 || r == -1, "uevent_parse returned %d", r);
    FUZZ_ASSERT(!size || !memcmp(buf, data, size), "uevent_parse changed its input");
    if (r == 0) {
        const char *z = size ? memchr(buf, '\0', size) : NULL;
        FUZZ_ASSERT(z && memchr(buf, '@', (size_t)(z - buf)),
                    "accepted without a NUL-terminated ACTION@DEVPATH header");
        FUZZ_ASSERT(ev.action && ev.devpath, "success without ACTION= and DEVPATH=");
        check_field(buf, size, z, ev.action, "ACTION");
        check_field(buf, size, z, ev.devpath, "DEVPATH");
        check_field(buf, size, z, ev.subsystem, "SUBSYSTEM");
        check_field(buf, size, z, ev.devname, "DEVNAME");
        check_field(buf, size, z, ev.devtype, "DEVTYPE");
        check_field(buf, size, z, ev.modalias, "MODALIAS");
        check_field(buf, size, z, ev.dm_name, "DM_NAME");
    }
    free(buf);
    return 0;
}
