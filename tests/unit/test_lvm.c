/* rd.lvm=, rd.lvm.vg=, rd.lvm.lv=: names checked, the autoactivation list
 * made for lvm's --config; and the line of lvm's output that is logged. */
#include "cmdline.h"
#include "lvmcfg.h"
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int parse(const char *line, struct lvm_cfg *cfg, char *err, size_t len)
{
    static struct cmdline c;
    cmdline_parse(&c, line);
    return lvm_cfg_parse(&c, cfg, err, len);
}

TEST(lvm_default_everything)
{
    static struct lvm_cfg cfg;
    char err[200];
    CHECK(parse("root=/dev/mapper/vg-root", &cfg, err, sizeof err) == 0);
    CHECK(!cfg.off && cfg.n_vg == 0 && cfg.n_lv == 0);
    CHECK_STR(cfg.config, "");
    CHECK_STR(cfg.wanted, "every volume group");
    CHECK(parse("rd.lvm=1", &cfg, err, sizeof err) == 0 && !cfg.off);
    CHECK(parse("rd.lvm", &cfg, err, sizeof err) == 0 && !cfg.off);
}

TEST(lvm_off)
{
    static struct lvm_cfg cfg;
    static struct cmdline c;
    char err[200];
    CHECK(parse("rd.lvm=0", &cfg, err, sizeof err) == 0 && cfg.off);
    CHECK(parse("rd.lvm=no rd.lvm.vg=vg0", &cfg, err, sizeof err) == 0 && cfg.off);
    /* a typo leaves LVM on, and says so */
    cmdline_parse(&c, "rd.lvm=maybe");
    CHECK(c.lvm == -1 && c.n_msgs == 1);
    CHECK(lvm_cfg_parse(&c, &cfg, err, sizeof err) == 0 && !cfg.off);
}

TEST(lvm_restricted)
{
    static struct lvm_cfg cfg;
    char err[200];
    CHECK(parse("rd.lvm.vg=hatchvg", &cfg, err, sizeof err) == 0);
    CHECK_STR(cfg.config, "activation { auto_activation_volume_list = [ \"hatchvg\" ] }");
    CHECK_STR(cfg.wanted, "hatchvg");
    CHECK(parse("rd.lvm.lv=vg0/root rd.lvm.vg=data rd.lvm.lv=vg0/swap_1", &cfg, err,
                sizeof err) == 0);
    CHECK(cfg.n_vg == 1 && cfg.n_lv == 2);
    CHECK_STR(cfg.config, "activation { auto_activation_volume_list = [ \"data\", "
                          "\"vg0/root\", \"vg0/swap_1\" ] }");
    CHECK_STR(cfg.wanted, "data, vg0/root, vg0/swap_1");
}

TEST(lvm_bad_names)
{
    static struct lvm_cfg cfg;
    char err[200];
    CHECK(parse("rd.lvm.vg=-vg", &cfg, err, sizeof err) == -EINVAL);
    CHECK_STR(err, "rd.lvm.vg=-vg: not a volume group name (letters, digits and +_.- only, "
                   "not starting with -)");
    CHECK(parse("rd.lvm.vg=a\"b", &cfg, err, sizeof err) == -EINVAL);
    CHECK(parse("rd.lvm.vg=..", &cfg, err, sizeof err) == -EINVAL);
    CHECK(parse("rd.lvm.lv=root", &cfg, err, sizeof err) == -EINVAL);
    CHECK_STR(err, "rd.lvm.lv=root: expected VG/LV, a volume group and a logical volume name "
                   "(letters, digits and +_.- only)");
    CHECK(parse("rd.lvm.lv=vg/", &cfg, err, sizeof err) == -EINVAL);
    CHECK(parse("rd.lvm.lv=/lv", &cfg, err, sizeof err) == -EINVAL);
    CHECK(parse("rd.lvm.lv=vg/a/b", &cfg, err, sizeof err) == -EINVAL);
    CHECK(lvm_name_ok("a+b_c.d-e") && lvm_name_ok("x-") && !lvm_name_ok(""));
    char longname[130];
    memset(longname, 'a', 128);
    longname[128] = '\0';
    CHECK(!lvm_name_ok(longname));
    longname[127] = '\0';
    CHECK(lvm_name_ok(longname));
}

TEST(lvm_many_names_fit)
{
    static struct lvm_cfg cfg;
    static char line[CMDLINE_MAX];
    char err[200];
    size_t used = 0;
    /* as many as the command line holds: the config always fits, the
     * description is cut with a mark */
    for (int i = 0; i < CMDLINE_MAX_LIST && used + 200 < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, "rd.lvm.vg=%0100d ", i);
    CHECK(parse(line, &cfg, err, sizeof err) == 0);
    CHECK(cfg.n_vg > 10);
    size_t wl = strlen(cfg.wanted);
    CHECK(wl > 200 && wl < sizeof cfg.wanted && !strcmp(cfg.wanted + wl - 3, "..."));
    CHECK(!strcmp(cfg.config + strlen(cfg.config) - 4, " ] }"));
}

TEST(lvm_output_line)
{
    char b[80];
    lvm_pick_line("", b, sizeof b);
    CHECK_STR(b, "");
    lvm_pick_line("  pvscan[123] PV /dev/vda online, VG hatchvg is complete.\n"
                  "  1 logical volume(s) in volume group \"hatchvg\" now active\n", b, sizeof b);
    CHECK_STR(b, "pvscan[123] PV /dev/vda online, VG hatchvg is complete.");
    lvm_pick_line("  WARNING: something odd\n  Cannot activate LVs in VG vg0 while PVs appear "
                  "on duplicate devices.\n  other\n", b, sizeof b);
    CHECK_STR(b, "Cannot activate LVs in VG vg0 while PVs appear on duplicate devices.");
    lvm_pick_line("  WARNING: only a warning\n", b, sizeof b);
    CHECK_STR(b, "WARNING: only a warning");
    lvm_pick_line("  WARNING: a\n  plain line\n", b, sizeof b);
    CHECK_STR(b, "plain line");
    /* an error word in a later line is not taken for the first line's */
    lvm_pick_line("  ok line\n  next Error\n", b, sizeof b);
    CHECK_STR(b, "next Error");
    char small[8];
    lvm_pick_line("0123456789\n", small, sizeof small);
    CHECK_STR(small, "0123456");
}

TEST(lvm_vg_state_from_pvscan)
{
    char vg[40];
    int need = -1;
    CHECK(lvm_vg_state("  pvscan[123] PV /dev/vda online, VG hatchvg is complete.\n"
                       "  1 logical volume(s) in volume group \"hatchvg\" now active\n",
                       vg, sizeof vg, &need) == 0);
    CHECK_STR(vg, "hatchvg");
    CHECK(need == 0);
    CHECK(lvm_vg_state("  pvscan[77] PV /dev/vdb online, VG hatchmirror incomplete (need 1).\n", vg,
                       sizeof vg, &need) == 1);
    CHECK_STR(vg, "hatchmirror");
    CHECK(need == 1);
    CHECK(lvm_vg_state("  pvscan[77] PV /dev/vdb online, VG vg.0-x_+ incomplete (need 12).", vg,
                       sizeof vg, &need) == 1);
    CHECK_STR(vg, "vg.0-x_+");
    CHECK(need == 12);
    /* not a state line, a bad name, a need of 0, a name too long for vg */
    CHECK(lvm_vg_state("  pvscan[1] PV /dev/vda ignored.\n", vg, sizeof vg, &need) == -1);
    CHECK_STR(vg, "");
    CHECK(lvm_vg_state("PV /dev/vda online, VG -bad is complete.", vg, sizeof vg, &need) == -1);
    CHECK(lvm_vg_state("PV /dev/vda online, VG v incomplete (need 0).", vg, sizeof vg, &need) ==
          -1);
    CHECK(lvm_vg_state("PV /dev/vda online, VG v incomplete (need x).", vg, sizeof vg, &need) ==
          -1);
    char small[4];
    CHECK(lvm_vg_state("PV /dev/vda online, VG toolong is complete.", small, sizeof small, &need) ==
          -1);
    CHECK(lvm_vg_state("", vg, sizeof vg, &need) == -1);
    /* the last line counts: the VG became complete */
    CHECK(lvm_vg_state("PV /dev/vda online, VG a incomplete (need 1).\n"
                       "PV /dev/vdb online, VG a is complete.\n",
                       vg, sizeof vg, &need) == 0);
    CHECK_STR(vg, "a");
}

TEST(lvm_dm_internal_volumes)
{
    const char *lv = "LVM-tR0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sTuVwXyZ01234567890123456789012345";
    CHECK(strlen(lv) == 68);
    char b[128];
    snprintf(b, sizeof b, "%s\n", lv);
    /* logical volumes */
    CHECK(!lvm_dm_internal("hatchmirror-root", b));
    CHECK(!lvm_dm_internal("vg-root", lv));
    CHECK(!lvm_dm_internal("my--vg-my--root", lv));
    CHECK(!lvm_dm_internal("vg_rimage-root", lv)); /* a VG may have such a name */
    /* hidden volumes: by name */
    CHECK(lvm_dm_internal("hatchmirror-root_rimage_0\n", b));
    CHECK(lvm_dm_internal("hatchmirror-root_rmeta_1", lv));
    CHECK(lvm_dm_internal("hatchthin-pool_tdata", lv));
    CHECK(lvm_dm_internal("hatchthin-pool_tmeta", lv));
    CHECK(lvm_dm_internal("my--vg-lvol0_pmspare", lv));
    CHECK(lvm_dm_internal("vg-pvmove0", lv));
    CHECK(lvm_dm_internal("vg-a--b_mimage_0", lv));
    /* layers: by the uuid's suffix */
    snprintf(b, sizeof b, "%s-tpool\n", lv);
    CHECK(lvm_dm_internal("hatchthin-pool-tpool", b));
    snprintf(b, sizeof b, "%s-missing_0_0", lv);
    CHECK(lvm_dm_internal("hatchmirror-root_rimage_1-missing_0_0", b));
    /* not LVM */
    CHECK(!lvm_dm_internal("vg-root_rimage_0", ""));
    CHECK(!lvm_dm_internal("luks-x_rimage", "CRYPT-LUKS2-0123456789abcdef0123456789abcdef-luks-x"));
    snprintf(b, sizeof b, "XVM-%s-tdata", lv + 4);
    CHECK(!lvm_dm_internal("vg-root-tdata", b));
    CHECK(!lvm_dm_internal("root", lv)); /* no VG-LV split */
}
