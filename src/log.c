/* Logging to /dev/kmsg. The kernel decides what reaches the console from
 * the priority (quiet, loglevel=), and the messages land in dmesg of the
 * real system, where boot problems are looked for. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int kmsg_fd = -1;
static int debug_on;

void log_open(void)
{
    if (kmsg_fd < 0)
        kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

void log_set_debug(int on)
{
    debug_on = on;
}

void hlog(int prio, const char *fmt, ...)
{
    if (prio >= L_DEBUG) {
        if (!debug_on)
            return;
        /* The default console level hides priority 7; whoever booted
         * with rd.debug wants to see these, so they go out as info. */
        prio = L_INFO;
    }

    /* One write() per message: /dev/kmsg takes each write as one record. */
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "<%d>hatch: ", prio);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + ((size_t)m < sizeof buf - (size_t)n - 1
                                  ? (size_t)m : sizeof buf - (size_t)n - 2);
    buf[len++] = '\n';

    if (kmsg_fd >= 0 && write(kmsg_fd, buf, len) == (ssize_t)len)
        return;
    /* No kmsg (yet): the console, without the priority prefix. */
    const char *p = strchr(buf, '>') + 1;
    ssize_t r = write(2, p, len - (size_t)(p - buf));
    (void)r;
}
