/* rd.lvm=, rd.lvm.vg= and rd.lvm.lv= into one lvm --config argument. */
#include "lvmcfg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int lvm_name_ok(const char *s)
{
    size_t n = strlen(s);
    /* lvm's own rules (lib/misc/lvm-string.c): [A-Za-z0-9+_.-], no
     * leading '-', not "." or "..", at most 127 characters. */
    if (n == 0 || n > 127 || s[0] == '-' || !strcmp(s, ".") || !strcmp(s, ".."))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '_' || ch == '.' || ch == '-'))
            return 0;
    }
    return 1;
}

/* Append s to buf (size len) at *used; 0, or -ENOSPC without a change. */
static int append(char *buf, size_t len, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n >= len)
        return -ENOSPC;
    memcpy(buf + *used, s, n + 1);
    *used += n;
    return 0;
}

int lvm_cfg_parse(const struct cmdline *c, struct lvm_cfg *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    err[0] = '\0';
    cfg->off = c->lvm == 0;
    cfg->n_vg = c->n_lvm_vg;
    cfg->n_lv = c->n_lvm_lv;
    for (size_t i = 0; i < c->n_lvm_vg; i++)
        if (!lvm_name_ok(c->lvm_vg[i])) {
            snprintf(err, errlen, "rd.lvm.vg=%s: not a volume group name (letters, digits and "
                     "+_.- only, not starting with -)", c->lvm_vg[i]);
            return -EINVAL;
        }
    for (size_t i = 0; i < c->n_lvm_lv; i++) {
        const char *lv = c->lvm_lv[i];
        const char *slash = strchr(lv, '/');
        char vg[128];
        size_t vn = slash ? (size_t)(slash - lv) : 0;
        if (slash && vn < sizeof vg) {
            memcpy(vg, lv, vn);
            vg[vn] = '\0';
        }
        if (!slash || vn >= sizeof vg || !lvm_name_ok(vg) || !lvm_name_ok(slash + 1)) {
            snprintf(err, errlen, "rd.lvm.lv=%s: expected VG/LV, a volume group and a logical "
                     "volume name (letters, digits and +_.- only)", lv);
            return -EINVAL;
        }
    }
    if (!cfg->n_vg && !cfg->n_lv) {
        snprintf(cfg->wanted, sizeof cfg->wanted, "every volume group");
        return 0;
    }
    /* Autoactivation (pvscan --activate ay) activates only what this list
     * names: a VG (all its LVs) or a VG/LV. Names are checked above, so
     * they need no quoting beyond the double quotes. */
    size_t used = 0, wused = 0;
    int cut = 0;
    int r = append(cfg->config, sizeof cfg->config, &used,
                   "activation { auto_activation_volume_list = [ ");
    for (size_t i = 0; r == 0 && i < cfg->n_vg + cfg->n_lv; i++) {
        const char *name = i < cfg->n_vg ? c->lvm_vg[i] : c->lvm_lv[i - cfg->n_vg];
        r = append(cfg->config, sizeof cfg->config, &used, i ? ", \"" : "\"");
        if (r == 0)
            r = append(cfg->config, sizeof cfg->config, &used, name);
        if (r == 0)
            r = append(cfg->config, sizeof cfg->config, &used, "\"");
        if (!cut && (append(cfg->wanted, sizeof cfg->wanted, &wused, i ? ", " : "") < 0 ||
                     append(cfg->wanted, sizeof cfg->wanted, &wused, name) < 0)) {
            /* the description only: cut, with a mark that it was */
            size_t at = wused < sizeof cfg->wanted - 4 ? wused : sizeof cfg->wanted - 4;
            memcpy(cfg->wanted + at, "...", 4);
            cut = 1;
        }
    }
    if (r == 0)
        r = append(cfg->config, sizeof cfg->config, &used, " ] }");
    if (r < 0) {
        snprintf(err, errlen, "rd.lvm.vg= and rd.lvm.lv= name too much to pass to lvm");
        return -EINVAL;
    }
    return 0;
}

/* 1 when needle occurs in the n bytes at s. */
static int has(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, needle, k))
            return 1;
    return 0;
}

void lvm_pick_line(const char *out, char *dst, size_t len)
{
    const char *best = NULL, *first = NULL, *plain = NULL;
    size_t best_n = 0, first_n = 0, plain_n = 0;
    for (const char *p = out; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *s = p;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
            n--;
        if (n) {
            if (!first) {
                first = s;
                first_n = n;
            }
            int warning = !strncmp(s, "WARNING", 7);
            int error = !warning && (has(s, n, "rror") || has(s, n, "ailed") ||
                                     has(s, n, "annot") || has(s, n, "efus") ||
                                     has(s, n, "not found"));
            if (error && !best) {
                best = s;
                best_n = n;
            }
            if (!warning && !plain) {
                plain = s;
                plain_n = n;
            }
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (!best) {
        best = plain ? plain : first;
        best_n = plain ? plain_n : first_n;
    }
    if (!len)
        return;
    if (!best) {
        dst[0] = '\0';
        return;
    }
    if (best_n >= len)
        best_n = len - 1;
    memcpy(dst, best, best_n);
    dst[best_n] = '\0';
}

int lvm_vg_state(const char *out, char *vg, size_t len, int *need)
{
    int state = -1;
    *need = 0;
    if (len)
        vg[0] = '\0';
    /* pvscan: "pvscan[PID] PV /dev/X online, VG NAME is complete." or
     * "... VG NAME incomplete (need N)."; the last such line counts. */
    for (const char *p = strstr(out, ", VG "); p; p = strstr(p + 1, ", VG ")) {
        const char *name = p + 5;
        size_t n = strcspn(name, " \n");
        const char *rest = name + n;
        char tmp[128];
        int s, nd = 0;
        if (!strncmp(rest, " is complete.", 13))
            s = 0;
        else if (sscanf(rest, " incomplete (need %d)", &nd) == 1 && nd > 0)
            s = 1;
        else
            continue;
        if (n >= sizeof tmp || n >= len)
            continue;
        memcpy(tmp, name, n);
        tmp[n] = '\0';
        if (!lvm_name_ok(tmp))
            continue;
        memcpy(vg, tmp, n + 1);
        state = s;
        *need = nd;
    }
    return state;
}

int lvm_dm_internal(const char *name, const char *uuid)
{
    size_t n = strcspn(uuid, "\n");
    if (n < 68 || strncmp(uuid, "LVM-", 4))
        return 0;
    if (n > 69 && uuid[68] == '-') /* a layer: "-tpool", "-real", "-missing_0_0" */
        return 1;
    /* name is VG-LV with each '-' of VG and LV doubled: the LV starts
     * after the first lone '-' and ends at the next one. */
    const char *lv = NULL;
    for (const char *p = name; *p; p++) {
        if (*p != '-')
            continue;
        if (p[1] == '-') {
            p++;
            continue;
        }
        lv = p + 1;
        break;
    }
    if (!lv)
        return 0;
    size_t len = 0;
    while (lv[len] && lv[len] != '\n' && !(lv[len] == '-' && lv[len + 1] != '-'))
        len += lv[len] == '-' ? 2 : 1;
    /* Names lvm keeps for its own hidden volumes (no user may choose them):
     * RAID and mirror legs and their metadata, a thin or cache pool's
     * data and metadata, the spare pool metadata, pvmove and snapshot
     * volumes, and the rest of lvm2's reserved list. */
    static const char *const parts[] = {"_cdata", "_cmeta", "_corig", "_cpool", "_cvol",
                                        "_wcorig", "_mimage", "_mlog", "_rimage", "_rmeta",
                                        "_tdata", "_tmeta", "_vdata", "_imeta", "_iorig",
                                        "_pmspare", "_vorigin"};
    char buf[256];
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, lv, len);
    buf[len] = '\0';
    if (!strncmp(buf, "pvmove", 6) || !strncmp(buf, "snapshot", 8))
        return 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (strstr(buf, parts[i]))
            return 1;
    return 0;
}
