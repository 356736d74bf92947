/* Per-stage timings, left in /run/hatch/ for the real system to read. */
#ifndef HATCH_TIMING_H
#define HATCH_TIMING_H

void timing_start(void);
void timing_mark(const char *stage);
/* Write /run/hatch/timings ("STAGE MS" lines, then "total MS" and the
 * kernel's time before /init as "kernel MS"). */
void timing_write(void);

#endif
