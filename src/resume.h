/* Resuming from hibernation (resume=, resume_offset=, noresume). */
#ifndef HATCH_RESUME_H
#define HATCH_RESUME_H

#include "cmdline.h"

/* Before any filesystem is mounted: wait up to timeout_s for the resume
 * device and hand it to the kernel, which resumes the hibernated system
 * from it (and this call never returns) or finds no image. Everything
 * else, a device that does not appear included, is a warning, and the
 * boot goes on. Returns 1 if there was something to do (a time mark). */
int resume_try(const struct cmdline *c, int timeout_s);

#endif
