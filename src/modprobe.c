/* The kernel asks for modules itself through request_module(): FAT its
 * codepage (nls_cp437), dm-crypt a cipher, mount a filesystem type. It runs
 * /sbin/modprobe -q -- NAME, and the image has no kmod tools; so
 * /sbin/modprobe links to /init, which then does what modprobe would, with
 * the same libkmod code and the same command-line blacklist as the boot. */
#include "modprobe.h"
#include "cmdline.h"
#include "log.h"
#include "modules.h"
#include "mounts.h"

#include <stdio.h>
#include <string.h>

static struct cmdline cmd;

int modprobe_main(int argc, char **argv)
{
    int quiet = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            quiet = 1;
            continue;
        }
        fprintf(stderr, "modprobe (hatch): unknown option %s; only -q and -- are known, as "
                        "the kernel's request_module() uses them\n", argv[i]);
        return 2;
    }
    if (i == argc) {
        fprintf(stderr, "usage: modprobe [-q] [--] MODULE...\n");
        return 2;
    }

    char buf[CMDLINE_MAX + 1];
    /* PID 1 has reported what is wrong with the command line (or that it
     * could not be read) already. */
    proc_cmdline(buf, sizeof buf);
    cmdline_parse(&cmd, buf);
    log_open();
    log_set_debug(cmd.debug);
    if (modules_init(cmd.blacklist, cmd.n_blacklist) < 0)
        return 1;
    int failed = 0;
    for (; i < argc; i++) {
        int r = module_load(argv[i], "asked for by the kernel");
        if (r == 0 && !quiet)
            log_err("modprobe: no module %s in this image", argv[i]);
        failed |= r <= 0;
    }
    modules_exit();
    return failed;
}
