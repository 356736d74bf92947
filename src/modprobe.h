/* hatch as /sbin/modprobe, for the kernel's own module requests. */
#ifndef HATCH_MODPROBE_H
#define HATCH_MODPROBE_H

/* Run when the init is started as "modprobe": load each module named after
 * the options (-q, --) with its dependencies. Returns the exit status. */
int modprobe_main(int argc, char **argv);

#endif
