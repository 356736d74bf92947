/* rd.md=, rd.md.uuid=, array UUID forms, mdadm --incremental --export. */
#include "cmdline.h"
#include "mdconf.h"
#include "unit.h"

static const char *const EXPORT_STARTED = "MD_DEVICE=md127\nMD_DEVNAME=root\nMD_FOREIGN=yes\nMD_STARTED=yes\n";

TEST(md_uuid_forms)
{
    char u[MD_UUID_HEX + 1];
    /* mdadm --detail (colons) and libblkid (dashes) of one array */
    CHECK(md_uuid_norm("1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6d", u) == 0);
    CHECK_STR(u, "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d");
    CHECK(md_uuid_norm("1A2B3C4D-5E6F-7A8B-9C0D-1E2F3A4B5C6D", u) == 0);
    CHECK_STR(u, "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d");
    CHECK(md_uuid_norm("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", u) == 0);
    CHECK(md_uuid_norm("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6", u) < 0);   /* 31 digits */
    CHECK(md_uuid_norm("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d0", u) < 0); /* 33 */
    CHECK(md_uuid_norm("1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6g", u) < 0);
    CHECK(md_uuid_norm("", u) < 0);
    CHECK(md_uuid_norm(NULL, u) < 0);
}

TEST(md_cfg_default_all)
{
    struct cmdline c;
    struct md_cfg m;
    cmdline_parse(&c, "root=UUID=x");
    md_cfg_parse(&c, &m);
    CHECK(!m.disabled && m.n == 0 && m.n_bad == 0);
    CHECK(md_cfg_wants(&m, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d") == 1);
    CHECK(md_cfg_wants(&m, "") == 1);
}

TEST(md_cfg_off)
{
    struct cmdline c;
    struct md_cfg m;
    cmdline_parse(&c, "rd.md=0 rd.md.uuid=1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6d");
    md_cfg_parse(&c, &m);
    CHECK(m.disabled);
    CHECK(md_cfg_wants(&m, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d") == 0);
    cmdline_parse(&c, "rd.md=no");
    md_cfg_parse(&c, &m);
    CHECK(m.disabled);
    cmdline_parse(&c, "rd.md=1");
    md_cfg_parse(&c, &m);
    CHECK(!m.disabled);
    /* junk leaves it on, and says so */
    cmdline_parse(&c, "rd.md=perhaps");
    md_cfg_parse(&c, &m);
    CHECK(!m.disabled);
    CHECK(c.n_msgs == 1);
    CHECK(strstr(c.msgs[0], "rd.md=perhaps") != NULL);
}

TEST(md_cfg_uuid_filter)
{
    struct cmdline c;
    struct md_cfg m;
    cmdline_parse(&c, "rd.md.uuid=1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6d "
                      "rd.md.uuid=\"AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE\"");
    md_cfg_parse(&c, &m);
    CHECK(m.n == 2 && m.n_bad == 0);
    /* libblkid's form of the same array */
    CHECK(md_cfg_wants(&m, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d") == 1);
    CHECK(md_cfg_wants(&m, "aaaaaaaa:bbbbcccc:ddddeeee:eeeeeeee") == 1);
    CHECK(md_cfg_wants(&m, "00000000-5e6f-7a8b-9c0d-1e2f3a4b5c6d") == 0);
    CHECK(md_cfg_wants(&m, "") == 0);
}

TEST(md_cfg_bad_uuid_still_filters)
{
    struct cmdline c;
    struct md_cfg m;
    cmdline_parse(&c, "rd.md.uuid=nope");
    md_cfg_parse(&c, &m);
    CHECK(m.n == 0 && m.n_bad == 1);
    CHECK_STR(m.bad[0], "nope");
    CHECK(md_cfg_wants(&m, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d") == 0);
    cmdline_parse(&c, "rd.md.uuid");
    CHECK(c.n_md_uuid == 0 && c.n_msgs == 1);
}

TEST(md_export)
{
    struct md_export e;
    CHECK(md_export_parse(EXPORT_STARTED, strlen(EXPORT_STARTED), &e) == 0);
    CHECK_STR(e.device, "md127");
    CHECK_STR(e.devname, "root");
    CHECK(e.started == MD_STARTED_YES);
    const char *w = "MD_DEVICE=md127\nMD_DEVNAME=hatch:root\nMD_FOREIGN=no\nMD_STARTED=unsafe";
    CHECK(md_export_parse(w, strlen(w), &e) == 0);
    CHECK(e.started == MD_STARTED_UNSAFE);
    CHECK_STR(e.devname, "hatch:root");
    const char *no = "MD_DEVICE=md_data\nMD_STARTED=no\n";
    CHECK(md_export_parse(no, strlen(no), &e) == 0);
    CHECK(e.started == MD_STARTED_NO);
    CHECK_STR(e.device, "md_data");
    const char *unk = "MD_DEVICE=md0\nMD_STARTED=maybe\n";
    CHECK(md_export_parse(unk, strlen(unk), &e) == 0);
    CHECK(e.started == MD_STARTED_UNKNOWN);
    /* no device, or not an md one */
    CHECK(md_export_parse("MD_STARTED=yes\n", 15, &e) < 0);
    CHECK(md_export_parse("MD_DEVICE=sda\n", 14, &e) < 0);
    CHECK(md_export_parse("MD_DEVICE=md\n", 13, &e) < 0);
    CHECK(md_export_parse("MD_DEVICE=md1/../x\n", 19, &e) < 0);
    CHECK(md_export_parse("", 0, &e) < 0);
    /* a long name is cut, not overrun */
    char big[300];
    snprintf(big, sizeof big, "MD_DEVICE=md1\nMD_DEVNAME=%0200d\n", 0);
    CHECK(md_export_parse(big, strlen(big), &e) == 0);
    CHECK(strlen(e.devname) == sizeof e.devname - 1);
    /* mdadm --examine --export of a member: no device, but the shape */
    const char *ex = "MD_LEVEL=raid1\nMD_DEVICES=2\nMD_NAME=hatch:root\n"
                     "MD_UUID=2f8e6c4a:1b3d4e5f:8a9b0c1d:2e3f4a5b\n";
    CHECK(md_export_parse(ex, strlen(ex), &e) < 0);
    CHECK_STR(e.level, "raid1");
    CHECK(e.devices == 2);
    const char *bad = "MD_DEVICES=2x\n";
    md_export_parse(bad, strlen(bad), &e);
    CHECK(e.devices == 0);
    const char *huge = "MD_DEVICES=99999999999\n";
    md_export_parse(huge, strlen(huge), &e);
    CHECK(e.devices == 0);
    /* only len bytes are read */
    CHECK(md_export_parse(EXPORT_STARTED, 14, &e) == 0);
    CHECK_STR(e.device, "md12");
}
