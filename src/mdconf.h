/* mdraid requests from the command line (dracut's rd.md=, rd.md.uuid=)
 * and what mdadm --incremental --export says. Pure: no I/O, unit-tested. */
#ifndef HATCH_MDCONF_H
#define HATCH_MDCONF_H

#include "cmdline.h"

#include <stddef.h>

#define MD_UUID_HEX 32 /* an array UUID without separators */
#define MD_UUID_MAX 16

struct md_cfg {
    int disabled;                      /* rd.md=0 */
    size_t n;                          /* rd.md.uuid= given: only these arrays */
    char uuid[MD_UUID_MAX][MD_UUID_HEX + 1];
    size_t n_bad;                      /* rd.md.uuid= values that are no UUID */
    const char *bad[MD_UUID_MAX];
};

/* Build the request from c. Never fails: a value that is no UUID is kept
 * in bad[] for one log line each, and still counts as a filter (it matches
 * no array): asking for one array by a typo must not assemble all. */
void md_cfg_parse(const struct cmdline *c, struct md_cfg *m);

/* An array UUID in any of the forms mdadm and libblkid print (8:8:8:8 hex
 * with colons, 8-4-4-4-12 with dashes, plain, any case) as 32 lower-case
 * hex digits. Returns 0, or -1 when s is not 32 hex digits and separators. */
int md_uuid_norm(const char *s, char out[MD_UUID_HEX + 1]);

/* Is the array of member UUID uuid (libblkid's UUID of a
 * linux_raid_member) one to assemble? 1 yes, 0 no. */
int md_cfg_wants(const struct md_cfg *m, const char *uuid);

/* What mdadm --incremental --export printed about one member. */
enum md_started {
    MD_STARTED_UNKNOWN = 0, /* no MD_STARTED line */
    MD_STARTED_NO,          /* not enough members to run even degraded */
    MD_STARTED_UNSAFE,      /* enough to run degraded, waiting for the rest */
    MD_STARTED_YES,
    MD_STARTED_ALREADY,
    MD_STARTED_NOTHING,
};
struct md_export {
    char device[32];        /* MD_DEVICE: the kernel name, md127 */
    char devname[64];       /* MD_DEVNAME: the array's name, e.g. root */
    enum md_started started;
    char level[16];         /* MD_LEVEL (mdadm --examine --export): raid1 */
    int devices;            /* MD_DEVICES: members it has when whole; 0 unknown */
};

/* Parse len bytes of KEY=VALUE lines. Returns 0, or -1 when they name no
 * md device (MD_DEVICE missing or not mdN / md_NAME): --examine's lines
 * name none, and fill level and devices all the same. */
int md_export_parse(const char *s, size_t len, struct md_export *e);

#endif
