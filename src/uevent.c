#include "uevent.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number that fits an int, else -1 (atoi's overflow is
 * undefined behaviour, and only the kernel is trusted to send these). */
static int number(const char *v)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    return end == v || *end || errno || n < 0 || n > INT_MAX ? -1 : (int)n;
}

static unsigned long long seqnum(const char *v)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    return end == v || *end || errno || *v == '-' ? 0 : n;
}

int uevent_parse(const char *buf, size_t len, struct uevent *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->major = ev->minor = -1;

    /* The header "action@devpath" must be NUL-terminated inside buf. */
    const char *end = buf + len;
    const char *z = memchr(buf, '\0', len);
    if (!z || !memchr(buf, '@', (size_t)(z - buf)))
        return -1;

    for (const char *p = z + 1; p < end;) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul)
            break; /* unterminated tail: ignore it rather than read past */
        const char *eq = memchr(p, '=', (size_t)(nul - p));
        if (eq) {
            size_t kl = (size_t)(eq - p);
            const char *v = eq + 1;
#define KEY(k) (kl == sizeof(k) - 1 && !memcmp(p, k, kl))
            if (KEY("ACTION")) ev->action = v;
            else if (KEY("DEVPATH")) ev->devpath = v;
            else if (KEY("SUBSYSTEM")) ev->subsystem = v;
            else if (KEY("DEVNAME")) ev->devname = v;
            else if (KEY("DEVTYPE")) ev->devtype = v;
            else if (KEY("MODALIAS")) ev->modalias = v;
            else if (KEY("DM_NAME")) ev->dm_name = v;
            else if (KEY("MAJOR")) ev->major = number(v);
            else if (KEY("MINOR")) ev->minor = number(v);
            else if (KEY("PARTN")) ev->partn = number(v);
            else if (KEY("SEQNUM")) ev->seqnum = seqnum(v);
#undef KEY
        }
        p = nul + 1;
    }
    return ev->action && ev->devpath ? 0 : -1;
}
