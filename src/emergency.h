/* What happens when the boot cannot go on, and rd.break. */
#ifndef HATCH_EMERGENCY_H
#define HATCH_EMERGENCY_H

#include "cmdline.h"

/* Offer the rescue shell if asked for (rd.shell) and present, then do the
 * rd.emergency action. PID 1 never exits: this never returns. */
_Noreturn void emergency(const struct cmdline *c);

/* rd.break=STAGE: run the shell and go on when it exits. Returns 0, or -1
 * when the image has no shell (or is locked down). */
int break_shell(enum stage s);

/* Lockdown: from now on no shell is ever started, whatever asks, and every
 * failure ends with action. */
void emergency_lock(enum emergency_action action);

#endif
