/* Kernel uevent messages (netlink) and sysfs "uevent" files. Pure. */
#ifndef HATCH_UEVENT_H
#define HATCH_UEVENT_H

#include <stddef.h>

struct uevent {
    const char *action;     /* add, remove, change, bind, ... */
    const char *devpath;
    const char *subsystem;
    const char *devname;    /* e.g. vda1 (relative to /dev) */
    const char *devtype;    /* disk, partition */
    const char *modalias;
    const char *dm_name;
    int major, minor, partn;
    unsigned long long seqnum; /* SEQNUM, the kernel's event counter; 0 if none */
};

/* Parse a netlink uevent datagram ("ACTION@DEVPATH\0KEY=VAL\0..."); the
 * struct points into buf. Returns 0, or -1 if it is not a kernel uevent
 * (e.g. a udev "libudev" message). */
int uevent_parse(const char *buf, size_t len, struct uevent *ev);

#endif
