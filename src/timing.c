#include "timing.h"

#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_MARKS 16

static struct {
    const char *stage;
    long long us;
} marks[MAX_MARKS];
static int n_marks;
static long long t_start, t_last;

/* CLOCK_BOOTTIME starts with the kernel, so it also tells how long the
 * kernel took to start /init. */
static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void timing_start(void)
{
    t_start = t_last = now_us();
}

void timing_mark(const char *stage)
{
    long long t = now_us();
    if (n_marks < MAX_MARKS) {
        marks[n_marks].stage = stage;
        marks[n_marks++].us = t - t_last;
    }
    t_last = t;
}

void timing_write(void)
{
    static const char path[] = "/run/hatch/timings";
    if (mkdir("/run/hatch", 0755) < 0 && errno != EEXIST) {
        log_warn("cannot create /run/hatch (%s); the real system gets no timings",
                 strerror(errno));
        return;
    }
    FILE *f = fopen(path, "we");
    if (!f) {
        log_warn("cannot write %s (%s); the real system gets no timings", path,
                 strerror(errno));
        return;
    }
    fprintf(f, "kernel %lld.%03lld\n", t_start / 1000, t_start % 1000);
    for (int i = 0; i < n_marks; i++)
        fprintf(f, "%s %lld.%03lld\n", marks[i].stage, marks[i].us / 1000, marks[i].us % 1000);
    long long tot = now_us() - t_start;
    fprintf(f, "total %lld.%03lld\n", tot / 1000, tot % 1000);
    /* A full /run fails the write only here, at the flush: leave no
     * half-written file for the real system to misread. */
    int bad = ferror(f), e = errno;
    if (fclose(f) != 0)
        bad = 1, e = errno;
    if (bad) {
        log_warn("cannot write %s (%s); the real system gets no timings", path, strerror(e));
        unlink(path);
    }
}
