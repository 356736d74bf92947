/* LVM activation requests from the command line (dracut's rd.lvm=,
 * rd.lvm.vg=, rd.lvm.lv=), and reading lvm's output: pure, unit-tested. */
#ifndef HATCH_LVMCFG_H
#define HATCH_LVMCFG_H

#include "cmdline.h"

#include <stddef.h>

#define LVM_CONFIG_MAX (CMDLINE_MAX + 2 * CMDLINE_MAX_LIST * 8 + 128)

struct lvm_cfg {
    int off;         /* rd.lvm=0 */
    size_t n_vg, n_lv;
    /* "" when every volume group is wanted; otherwise lvm's --config
     * argument restricting autoactivation to the named VGs and LVs. */
    char config[LVM_CONFIG_MAX];
    char wanted[256]; /* "every volume group" or "hatchvg, vg2/root" (cut) */
};

/* 1 when s is a valid LVM volume group or logical volume name. */
int lvm_name_ok(const char *s);

/* Fill cfg from c. Returns 0, or -EINVAL with err set (a bad name). */
int lvm_cfg_parse(const struct cmdline *c, struct lvm_cfg *cfg, char *err, size_t errlen);

/* The line of lvm's output (out, NUL-terminated) that best says what
 * happened: the first error, else the first line that is not a warning,
 * else the first line; leading blanks dropped. "" when out is empty. */
void lvm_pick_line(const char *out, char *dst, size_t len);

/* What "lvm pvscan --cache --activate ay" said of its PV's volume group
 * (out, its output): 1 "VG NAME incomplete (need N)." with the number of
 * physical volumes still missing in *need, 0 "VG NAME is complete.", -1
 * neither (vg is then ""). NAME goes to vg (size len); the last such line
 * counts, and one whose name is not a valid VG name is passed over. */
int lvm_vg_state(const char *out, char *vg, size_t len, int *need);

/* 1 when the dm device of this name and uuid (from sysfs; a trailing
 * newline is ignored) is part of an LVM logical volume rather than one:
 * a hidden volume ("vg-root_rimage_0", "vg-pool_tdata": LVM's reserved
 * names) or a layer ("LVM-" and the 64 characters of the VG and LV UUIDs,
 * then "-tpool", "-missing_0_0", ...). udev gives these no symlinks and
 * no blkid tags; neither does hatch. */
int lvm_dm_internal(const char *name, const char *uuid);

#endif
