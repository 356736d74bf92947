/* The few fields of a btrfs superblock that say which filesystem a device
 * belongs to and how many devices it has. Pure: no I/O. */
#ifndef HATCH_BTRFSSB_H
#define HATCH_BTRFSSB_H

#include <stddef.h>

/* The primary superblock: at 64 KiB, 4 KiB long. */
#define BTRFSSB_OFFSET 65536
#define BTRFSSB_SIZE 4096

struct btrfssb {
    char fsid[37];                 /* the filesystem UUID, as libblkid prints it */
    unsigned long long devid;      /* this member's number in the filesystem */
    unsigned long long num_devices; /* members the filesystem has */
};

/* Read the superblock bytes buf (len of them, from BTRFSSB_OFFSET).
 * Returns 0, or -1 when it is no btrfs superblock (wrong magic, or not the
 * primary copy, or no devices). */
int btrfssb_parse(const unsigned char *buf, size_t len, struct btrfssb *out);

/* Is the word w in the comma list opts (rootflags=)? */
int btrfs_opt_has(const char *opts, const char *w);

#endif
