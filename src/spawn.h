/* Running one of the image's tools (mdadm, lvm, luks-unlock) from PID 1: no
 * shell, stdin given or /dev/null, output captured, bounded in time. */
#ifndef HATCH_SPAWN_H
#define HATCH_SPAWN_H

#include <stddef.h>

/* Run path with argv and envp, in (inlen bytes, at most PIPE_BUF) on its
 * stdin (in NULL: /dev/null); its stdout into out and its stderr into err
 * (each cut to fit and NUL-terminated; err NULL: stderr goes to out too).
 * A tool still running after timeout_ms is killed. Returns its exit
 * status, or -ETIMEDOUT (killed), -EINTR (a signal ended it; *sig says
 * which, if sig is not NULL), -ENOEXEC (it could not be run: exit status
 * 127 from the child), or -errno when no child could be made. */
int spawn_run(const char *path, char *const argv[], char *const envp[], const void *in,
              size_t inlen, int timeout_ms, char *out, size_t olen, char *err, size_t elen,
              int *sig);

#endif
