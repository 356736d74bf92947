/* One way for the init to run a tool and read what it says: md.c (mdadm),
 * lvm.c (lvm) and luks.c (luks-unlock) all use it. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_both(int p[2])
{
    close(p[0]);
    close(p[1]);
}

int spawn_run(const char *path, char *const argv[], char *const envp[], const void *in,
              size_t inlen, int timeout_ms, char *out, size_t olen, char *err, size_t elen,
              int *sig)
{
    int po[2], pe[2] = {-1, -1}, pi[2] = {-1, -1};
    if (sig)
        *sig = 0;
    out[0] = '\0';
    if (err)
        err[0] = '\0';
    /* The input is written before the tool starts, so it must fit in the
     * pipe; a passphrase is at most 512 bytes. */
    if (in && inlen > PIPE_BUF)
        return -E2BIG;
    if (in) {
        if (pipe2(pi, O_CLOEXEC) < 0)
            return -errno;
        ssize_t w = inlen ? write(pi[1], in, inlen) : 0;
        int e = errno;
        close(pi[1]);
        if (w != (ssize_t)inlen) {
            close(pi[0]);
            return w < 0 ? -e : -EIO;
        }
    }
    if (pipe2(po, O_CLOEXEC) < 0) {
        int e = errno;
        if (in)
            close(pi[0]);
        return -e;
    }
    if (err && pipe2(pe, O_CLOEXEC) < 0) {
        int e = errno;
        close_both(po);
        if (in)
            close(pi[0]);
        return -e;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close_both(po);
        if (err)
            close_both(pe);
        if (in)
            close(pi[0]);
        return -e;
    }
    if (pid == 0) {
        int fd0 = in ? pi[0] : open("/dev/null", O_RDONLY);
        if (fd0 >= 0)
            dup2(fd0, 0);
        dup2(po[1], 1);
        dup2(err ? pe[1] : po[1], 2);
        execve(path, argv, envp);
        _exit(127);
    }
    close(po[1]);
    if (err)
        close(pe[1]);
    if (in)
        close(pi[0]);
    char *buf[2] = {out, err};
    size_t len[2] = {olen, elen}, have[2] = {0, 0};
    struct pollfd pfd[2] = {{.fd = po[0], .events = POLLIN}, {.fd = err ? pe[0] : -1, .events = POLLIN}};
    int open_fds = err ? 2 : 1, killed = 0;
    long long deadline = now_ms() + timeout_ms;
    while (open_fds) {
        long long left = deadline - now_ms();
        int r = left > 0 ? poll(pfd, 2, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            kill(pid, SIGKILL);
            killed = 1;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char tmp[512];
            ssize_t n = read(pfd[i].fd, tmp, sizeof tmp);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(pfd[i].fd);
                pfd[i].fd = -1;
                open_fds--;
                continue;
            }
            size_t room = len[i] - 1 - have[i];
            size_t take = (size_t)n < room ? (size_t)n : room;
            memcpy(buf[i] + have[i], tmp, take);
            have[i] += take;
            buf[i][have[i]] = '\0';
        }
    }
    for (int i = 0; i < 2; i++)
        if (pfd[i].fd >= 0)
            close(pfd[i].fd);
    /* A killed tool stuck in the kernel must not hold PID 1: not waited
     * for (the init reaps it later like any orphan). */
    int st;
    pid_t w;
    while ((w = waitpid(pid, &st, killed ? WNOHANG : 0)) < 0 && errno == EINTR)
        ;
    if (killed)
        return -ETIMEDOUT;
    if (w != pid)
        return -ECHILD;
    if (WIFSIGNALED(st)) {
        if (sig)
            *sig = WTERMSIG(st);
        return -EINTR;
    }
    return WEXITSTATUS(st) == 127 ? -ENOEXEC : WEXITSTATUS(st);
}
