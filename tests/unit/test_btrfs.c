/* The btrfs superblock fields hatch reads, at the offsets checked against
 * mkfs.btrfs (btrfs-progs 6.2) output for a two-device RAID1, and the
 * rootflags= word test. */
#include "btrfssb.h"
#include "unit.h"

static void put64(unsigned char *p, unsigned long long v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

static void make_sb(unsigned char *b, unsigned long long devid, unsigned long long ndev)
{
    static const unsigned char fsid[16] = {0xd1, 0x26, 0x0f, 0xd7, 0xb3, 0xe2, 0x42, 0x80,
                                           0x8d, 0x10, 0x1a, 0x03, 0xca, 0x95, 0x1b, 0xf2};
    memset(b, 0xa5, BTRFSSB_SIZE);
    memcpy(b + 0x20, fsid, 16);
    put64(b + 0x30, BTRFSSB_OFFSET);
    memcpy(b + 0x40, "_BHRfS_M", 8);
    put64(b + 0x88, ndev);
    put64(b + 0xc9, devid);
}

TEST(btrfs_superblock_fields)
{
    static unsigned char b[BTRFSSB_SIZE];
    struct btrfssb sb;
    make_sb(b, 2, 2);
    CHECK(btrfssb_parse(b, sizeof b, &sb) == 0);
    CHECK_STR(sb.fsid, "d1260fd7-b3e2-4280-8d10-1a03ca951bf2");
    CHECK(sb.devid == 2 && sb.num_devices == 2);
    make_sb(b, 7, 1ull << 40);
    CHECK(btrfssb_parse(b, sizeof b, &sb) == 0 && sb.devid == 7 && sb.num_devices == 1ull << 40);
    /* the dev item's devid is the last field read: a read that ends just
     * before it is too short */
    CHECK(btrfssb_parse(b, 0xc9 + 8, &sb) == 0);
    CHECK(btrfssb_parse(b, 0xc9 + 7, &sb) == -1);
    CHECK(btrfssb_parse(b, 0, &sb) == -1);
}

TEST(btrfs_superblock_refused)
{
    static unsigned char b[BTRFSSB_SIZE];
    struct btrfssb sb;
    make_sb(b, 1, 2);
    b[0x40] = '-'; /* magic */
    CHECK(btrfssb_parse(b, sizeof b, &sb) == -1 && !sb.fsid[0] && !sb.num_devices);
    make_sb(b, 1, 2);
    put64(b + 0x30, 67108864); /* a backup copy read as the primary */
    CHECK(btrfssb_parse(b, sizeof b, &sb) == -1);
    make_sb(b, 1, 0); /* no devices */
    CHECK(btrfssb_parse(b, sizeof b, &sb) == -1);
    memset(b, 0, sizeof b);
    CHECK(btrfssb_parse(b, sizeof b, &sb) == -1);
}

TEST(btrfs_rootflags_word)
{
    CHECK(btrfs_opt_has("degraded", "degraded"));
    CHECK(btrfs_opt_has("subvol=@,degraded", "degraded"));
    CHECK(btrfs_opt_has("degraded,noatime", "degraded"));
    CHECK(btrfs_opt_has("a,,degraded,", "degraded"));
    CHECK(!btrfs_opt_has("nodegraded", "degraded"));
    CHECK(!btrfs_opt_has("degraded2,subvol=degraded", "degraded"));
    CHECK(!btrfs_opt_has("degrade", "degraded"));
    CHECK(!btrfs_opt_has("", "degraded"));
    CHECK(!btrfs_opt_has(NULL, "degraded"));
}
