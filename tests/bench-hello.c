/* The baseline of make bench's side-by-side table: an /init that only
 * reports when it started (CLOCK_BOOTTIME, as the check init's start=) and
 * powers off, so that "a bare kernel" is timed as the boots it is compared
 * with. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    struct timespec t;
    clock_gettime(CLOCK_BOOTTIME, &t);
    int con = open("/dev/console", O_WRONLY);
    dprintf(con >= 0 ? con : 1, "HATCH-HELLO start=%lld.%06ld\n", (long long)t.tv_sec,
            t.tv_nsec / 1000);
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}
