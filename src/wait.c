#include "wait.h"
#include "lvm.h"
#include "md.h"

#include <errno.h>
#include <time.h>

int wait_or_degrade(const struct devspec *specs, size_t n, int timeout_ms,
                    struct blockdev *found, struct blockdev *other)
{
    if ((!md_enabled() && !lvm_enabled()) || timeout_ms == 0)
        return devices_wait(specs, n, timeout_ms, found, other);
    int half_ms = timeout_ms < 0 ? WAIT_DEGRADE_NO_LIMIT_MS : timeout_ms / 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r = devices_wait(specs, n, half_ms, found, other);
    if (r != -ETIMEDOUT)
        return r;
    if (md_incomplete())
        md_start_degraded(half_ms / 1000);
    if (lvm_incomplete())
        lvm_activate_degraded(half_ms / 1000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long spent = (long long)(t1.tv_sec - t0.tv_sec) * 1000 +
                      (t1.tv_nsec - t0.tv_nsec) / 1000000;
    int rest = timeout_ms < 0 ? -1 : spent >= timeout_ms ? 0 : (int)(timeout_ms - spent);
    return devices_wait(specs, n, rest, found, other);
}
