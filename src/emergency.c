/* The failure path. The cause has been logged already; here we only offer
 * the shell and then stop the machine the way the user asked. */
#include "emergency.h"
#include "devices.h"
#include "log.h"
#include "unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHELL "/bin/sh"
/* What /bin/sh links to; the image may hold it as BUSYBOX.zst (see
 * hooks/busybox), expanded when a shell is first wanted. */
#define BUSYBOX "/bin/busybox"

static int locked;
static enum emergency_action locked_action;

void emergency_lock(enum emergency_action action)
{
    locked = 1;
    locked_action = action;
}

/* busybox's applet links (ls, mount, ...), made once before the first
 * shell rather than shipped in the image: --install -s leaves any file a
 * hook put there alone. */
static void install_applets(void)
{
    static int done;
    if (done || access(BUSYBOX, X_OK) < 0)
        return;
    done = 1;
    pid_t pid = fork();
    if (pid == 0) {
        char *const argv[] = {"busybox", "--install", "-s", "/bin", NULL};
        char *const envp[] = {NULL};
        execve(BUSYBOX, argv, envp);
        _exit(127);
    }
    int st;
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
        log_warn("%s --install -s /bin failed: the shell has no applet links (call applets as "
                 "'busybox NAME')", BUSYBOX);
}

/* Run the shell on the console as a session leader with the console as its
 * controlling terminal, so job control and Ctrl-C work in it. */
static int run_shell(void)
{
    if (locked)
        return -1;
    if (unpack_file(BUSYBOX) < 0 && access(SHELL, X_OK) < 0)
        return -1;
    if (access(SHELL, X_OK) < 0)
        return -1;
    install_applets();
    /* The boot may have stopped loading drivers once it found its root;
     * the person at the shell may need the rest (a USB keyboard, say). */
    devices_coldplug_all();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setsid();
        int fd = open("/dev/console", O_RDWR);
        if (fd >= 0) {
            ioctl(fd, TIOCSCTTY, 1);
            for (int i = 0; i < 3; i++)
                dup2(fd, i);
            if (fd > 2)
                close(fd);
        }
        signal(SIGINT, SIG_DFL);
        char *const argv[] = {"sh", NULL};
        char *const envp[] = {"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "TERM=linux", "PS1=hatch# ",
                              "HOME=/", NULL};
        execve(SHELL, argv, envp);
        _exit(127);
    }
    /* As PID 1 we also reap whatever the shell left behind. */
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w == pid || (w < 0 && errno == ECHILD))
            break;
    }
    return 0;
}

int break_shell(enum stage s)
{
    if (locked) {
        log_err("rd.break=%s: this image is locked down and starts no shell", stage_name(s));
        return -1;
    }
    log_notice("rd.break: stopping before stage '%s'; exit the shell to go on", stage_name(s));
    if (run_shell() < 0) {
        log_err("rd.break=%s asked for a shell but this image has none (%s); build the image "
                "with the busybox hook; going on", stage_name(s), SHELL);
        return -1;
    }
    return 0;
}

static _Noreturn void stop(enum emergency_action a)
{
    sync();
    switch (a) {
    case EMERG_REBOOT: reboot(RB_AUTOBOOT); break;
    case EMERG_POWEROFF: reboot(RB_POWER_OFF); break;
    case EMERG_HALT: reboot(RB_HALT_SYSTEM); break;
    }
    /* reboot() returned: nothing left but to wait without exiting. */
    for (;;)
        pause();
}

_Noreturn void emergency(const struct cmdline *c)
{
    static const char *const what[] = {[EMERG_HALT] = "halting", [EMERG_REBOOT] = "rebooting",
                                       [EMERG_POWEROFF] = "powering off"};
    if (locked) {
        enum emergency_action a = locked_action;
        log_err("%s (fixed by this image's lockdown policy)", what[a]);
        stop(a);
    }
    if (c && c->shell) {
        log_err("starting the rescue shell (rd.shell); exit it to %s",
                what[c->emergency]);
        if (run_shell() < 0)
            log_err("rd.shell was given but this image has no %s; build the image with the "
                    "busybox hook", SHELL);
    } else if (access(SHELL, X_OK) == 0 || unpack_present(BUSYBOX)) {
        log_err("boot with rd.shell for a rescue shell");
    }
    enum emergency_action a = c ? c->emergency : EMERG_HALT;
    log_err("%s (rd.emergency=%s)", what[a],
            a == EMERG_REBOOT ? "reboot" : a == EMERG_POWEROFF ? "poweroff" : "halt");
    stop(a);
}
