/* Offsets are those of the on-disk format (struct btrfs_super_block in the
 * kernel's fs/btrfs/ctree.h), which is fixed: every field is little-endian
 * and the struct is packed. */
#include "btrfssb.h"

#include <stdio.h>
#include <string.h>

#define SB_FSID 0x20
#define SB_BYTENR 0x30
#define SB_MAGIC 0x40
#define SB_NUM_DEVICES 0x88
#define SB_DEV_ITEM 0xc9 /* struct btrfs_dev_item; devid is its first field */

static unsigned long long le64(const unsigned char *p)
{
    unsigned long long v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int btrfssb_parse(const unsigned char *buf, size_t len, struct btrfssb *out)
{
    memset(out, 0, sizeof *out);
    if (len < SB_DEV_ITEM + 8 || memcmp(buf + SB_MAGIC, "_BHRfS_M", 8) ||
        le64(buf + SB_BYTENR) != BTRFSSB_OFFSET)
        return -1;
    const unsigned char *u = buf + SB_FSID;
    snprintf(out->fsid, sizeof out->fsid,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
    out->num_devices = le64(buf + SB_NUM_DEVICES);
    out->devid = le64(buf + SB_DEV_ITEM);
    return out->num_devices ? 0 : -1;
}

int btrfs_opt_has(const char *opts, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = opts; p && *p;) {
        const char *end = strchr(p, ',');
        size_t l = end ? (size_t)(end - p) : strlen(p);
        if (l == n && !strncmp(p, w, n))
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}
