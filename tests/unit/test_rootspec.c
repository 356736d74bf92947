#include "rootspec.h"
#include "unit.h"

static struct devspec parse_ok(const char *s)
{
    struct devspec sp;
    char err[256] = "";
    if (devspec_parse(s, &sp, err, sizeof err) != 0)
        unit_fail(__FILE__, __LINE__, err);
    return sp;
}

static int parse_fails(const char *s, const char *needle)
{
    struct devspec sp;
    char err[256] = "";
    return devspec_parse(s, &sp, err, sizeof err) == -1 && strstr(err, needle) != NULL;
}

static const struct blockdev devs[] = {
    {.name = "vda", .major = 254, .minor = 0, .type = "gpt"},
    {.name = "vda1", .major = 254, .minor = 1, .disk = "vda", .partno = 1, .type = "ext4",
     .uuid = "8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11", .label = "hatchroot",
     .partuuid = "5e0c6a1d-7b2f-4c3e-8a9d-1f2e3d4c5b6a", .partlabel = "hatch-root"},
    {.name = "vda2", .major = 254, .minor = 2, .disk = "vda", .partno = 2, .type = "ext4",
     .uuid = "11111111-2222-3333-4444-555555555555", .label = "my disk"},
    {.name = "sda1", .major = 8, .minor = 1, .disk = "sda", .partno = 1, .type = "vfat",
     .uuid = "ABCD-1234", .partuuid = "1234abcd-01"},
    {.name = "dm-0", .major = 253, .minor = 0, .type = "ext4", .dmname = "root"},
};
#define NDEVS (sizeof devs / sizeof *devs)

static const char *find(const char *s)
{
    struct devspec sp = parse_ok(s);
    int i = devspec_find(&sp, devs, NDEVS);
    return i < 0 ? NULL : devs[i].name;
}

TEST(rootspec_forms)
{
    CHECK_STR(find("/dev/vda1"), "vda1");
    CHECK_STR(find("254:2"), "vda2");
    CHECK_STR(find("UUID=8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11"), "vda1");
    CHECK_STR(find("LABEL=hatchroot"), "vda1");
    CHECK_STR(find("PARTUUID=5e0c6a1d-7b2f-4c3e-8a9d-1f2e3d4c5b6a"), "vda1");
    CHECK_STR(find("PARTLABEL=hatch-root"), "vda1");
    CHECK_STR(find("/dev/mapper/root"), "dm-0");
}

TEST(rootspec_uuid_case_and_quotes)
{
    CHECK_STR(find("UUID=8F3A6D2E-4B1C-4E8A-9D7F-2A6C5E1B0C11"), "vda1");
    CHECK_STR(find("UUID=\"8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11\""), "vda1");
    CHECK_STR(find("uuid=abcd-1234"), "sda1");
    CHECK_STR(find("LABEL=\"my disk\""), "vda2");
    /* labels are case-sensitive */
    CHECK(find("LABEL=HATCHROOT") == NULL);
}

TEST(rootspec_by_paths_map_to_tags)
{
    CHECK_STR(find("/dev/disk/by-uuid/8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11"), "vda1");
    CHECK_STR(find("/dev/disk/by-label/my\\x20disk"), "vda2");
    CHECK_STR(find("/dev/disk/by-partuuid/1234ABCD-01"), "sda1");
    CHECK_STR(find("/dev/disk/by-partlabel/hatch-root"), "vda1");
}

TEST(rootspec_partnroff)
{
    CHECK_STR(find("PARTUUID=5e0c6a1d-7b2f-4c3e-8a9d-1f2e3d4c5b6a/PARTNROFF=1"), "vda2");
    CHECK(find("PARTUUID=5e0c6a1d-7b2f-4c3e-8a9d-1f2e3d4c5b6a/PARTNROFF=5") == NULL);
    CHECK(find("PARTUUID=5e0c6a1d-7b2f-4c3e-8a9d-1f2e3d4c5b6a/PARTNROFF=-1") == NULL);
    struct devspec sp = parse_ok("PARTUUID=1234abcd-01/partnroff=0");
    CHECK(sp.partnroff == 0);
    CHECK(parse_fails("PARTUUID=abc/PARTNROFF=x", "PARTNROFF"));
    CHECK(parse_fails("PARTUUID=abc/OTHER=1", "only /PARTNROFF"));
    CHECK(parse_fails("PARTUUID=/PARTNROFF=1", "empty"));
}

TEST(rootspec_mbr_partuuid)
{
    CHECK_STR(find("PARTUUID=1234abcd-01"), "sda1");
    CHECK(find("PARTUUID=1234abcd-02") == NULL);
}

TEST(rootspec_bad_input)
{
    CHECK(parse_fails("", "empty"));
    CHECK(parse_fails("UUID=", "empty"));
    CHECK(parse_fails("LABEL=\"\"", "empty"));
    CHECK(parse_fails("/dev/", "expected"));
    CHECK(parse_fails("/dev/a/b", "expected"));
    CHECK(parse_fails("sda1", "not a device"));
    CHECK(parse_fails("8:x", "not a device"));
    CHECK(parse_fails("99999:1", "not a device"));
    char big[300];
    memset(big, 'x', sizeof big);
    memcpy(big, "LABEL=", 6);
    big[sizeof big - 1] = '\0';
    CHECK(parse_fails(big, "longer"));
}

TEST(rootspec_not_found_and_no_tag_matches_empty)
{
    /* a device with no LABEL must not match LABEL= of anything */
    CHECK(find("LABEL=nothere") == NULL);
    CHECK(find("/dev/vdb") == NULL);
    CHECK(find("8:2") == NULL);
}

TEST(rootspec_describe)
{
    char b[128];
    struct devspec sp = parse_ok("PARTUUID=ab/PARTNROFF=2");
    devspec_describe(&sp, b, sizeof b);
    CHECK_STR(b, "PARTUUID=ab/PARTNROFF=2");
    sp = parse_ok("/dev/disk/by-label/x");
    devspec_describe(&sp, b, sizeof b);
    CHECK_STR(b, "LABEL=x");
    sp = parse_ok("8:1");
    devspec_describe(&sp, b, sizeof b);
    CHECK_STR(b, "8:1");
}

TEST(rootspec_by_path_nul_escape)
{
    /* Found by tests/fuzz/fuzz_devspec: udev's \x00 decoded to a NUL cut
     * the name short, so "\x00" gave an empty LABEL that could never match
     * and "root\x00x" quietly meant LABEL=root. No name holds a NUL. */
    CHECK(parse_fails("/dev/disk/by-label/\\x00", "\\x00"));
    CHECK(parse_fails("/dev/disk/by-label/root\\x00x", "\\x00"));
    CHECK(parse_fails("/dev/disk/by-partuuid/\\x00/PARTNROFF=1", "\\x00"));
    struct devspec sp = parse_ok("/dev/disk/by-label/a\\x01b\\x2fc");
    CHECK(sp.kind == SPEC_LABEL);
    CHECK_STR(sp.value, "a\001b/c");
}

/* A cloned disk: two devices share the filesystem's UUID and label (one
 * with another partition UUID and type), and a stick shares the label. */
static const struct blockdev dups[] = {
    {.name = "vda1", .major = 254, .minor = 1, .disk = "vda", .partno = 1, .type = "ext4",
     .uuid = "u-1", .label = "root", .partuuid = "p-a1"},
    {.name = "vda2", .major = 254, .minor = 2, .disk = "vda", .partno = 2, .type = "ext4",
     .uuid = "u-2", .partuuid = "p-a2"},
    {.name = "vdb1", .major = 254, .minor = 17, .disk = "vdb", .partno = 1, .type = "xfs",
     .uuid = "U-1", .label = "root", .partuuid = "p-b1"},
    {.name = "vdb2", .major = 254, .minor = 18, .disk = "vdb", .partno = 2, .type = "ext4",
     .uuid = "u-3", .partuuid = "p-b2"},
    {.name = "sda", .major = 8, .minor = 0, .type = "vfat", .label = "root"},
};

static const char *unique(const char *s, const char *const *types, size_t nt, const char **two)
{
    struct devspec sp = parse_ok(s);
    sp.types = types;
    sp.ntypes = nt;
    int second, i = devspec_find_unique(&sp, dups, sizeof dups / sizeof *dups, &second);
    *two = second < 0 ? NULL : dups[second].name;
    return i < 0 ? NULL : dups[i].name;
}

TEST(rootspec_ambiguous_tags)
{
    const char *two;
    /* UUIDs compare case-insensitively: u-1 and U-1 are the same tag */
    CHECK_STR(unique("UUID=u-1", NULL, 0, &two), "vda1");
    CHECK_STR(two, "vdb1");
    CHECK_STR(unique("LABEL=root", NULL, 0, &two), "vda1");
    CHECK_STR(two, "vdb1");
    /* a tag they do not share is unique */
    CHECK_STR(unique("PARTUUID=p-b1", NULL, 0, &two), "vdb1");
    CHECK(two == NULL);
    CHECK_STR(unique("/dev/vdb1", NULL, 0, &two), "vdb1");
    CHECK(two == NULL);
    /* rootfstype= is a constraint too: only one of them is xfs */
    static const char *const xfs[] = {"xfs"}, *const ext3[] = {"ext3"};
    CHECK_STR(unique("UUID=u-1", xfs, 1, &two), "vdb1");
    CHECK(two == NULL);
    /* ... but it never hides the only match (blkid says ext4, the user
     * wrote ext3), and it cannot settle what it does not tell apart */
    CHECK_STR(unique("UUID=u-2", ext3, 1, &two), "vda2");
    CHECK(two == NULL);
    CHECK_STR(unique("UUID=u-1", ext3, 1, &two), "vda1");
    CHECK_STR(two, "vdb1");
    /* PARTNROFF counts from the one partition with that UUID */
    CHECK_STR(unique("PARTUUID=p-a1/PARTNROFF=1", NULL, 0, &two), "vda2");
    CHECK(two == NULL);
    CHECK(unique("UUID=nope", NULL, 0, &two) == NULL && two == NULL);
}

#define ROOT_X86_64 "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define ESP_TYPE "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"

/* Two disks in the Discoverable Partitions layout: sda with the ESP and a
 * root, vdb with a root marked no-auto and one that is not. */
static const struct blockdev dps[] = {
    {.name = "sda", .type = "gpt"},
    {.name = "sda1", .disk = "sda", .partno = 1, .type = "vfat", .parttype = ESP_TYPE,
     .partuuid = "aaaaaaaa-0000-0000-0000-000000000001"},
    {.name = "sda2", .disk = "sda", .partno = 2, .type = "ext4", .parttype = ROOT_X86_64,
     .partflags = GPT_FLAG_READ_ONLY},
    {.name = "vdb", .type = "gpt"},
    {.name = "vdb1", .disk = "vdb", .partno = 1, .type = "ext4", .parttype = ROOT_X86_64,
     .partflags = GPT_FLAG_NO_AUTO},
    {.name = "vdb2", .disk = "vdb", .partno = 2, .type = "ext4",
     .parttype = "0fc63daf-8483-4772-8e79-3d69d8477de4"},
};
#define NDPS (sizeof dps / sizeof *dps)

/* The device sp names among n, with the boot loader's disk near ("" for
 * none); *amb when a second one matches too. devspec_find agrees. */
static const char *find_near(struct devspec sp, const struct blockdev *d, size_t n,
                             const char *near, int *amb)
{
    snprintf(sp.near, sizeof sp.near, "%s", near);
    int second, i = devspec_find_unique(&sp, d, n, &second);
    *amb = second >= 0;
    CHECK(i < 0 || devspec_find(&sp, d, n) == i);
    return i < 0 ? NULL : d[i].name;
}

static const char *auto_find(const struct blockdev *d, size_t n, const char *near, int *amb)
{
    return find_near(parse_ok("gpt-auto"), d, n, near, amb);
}

TEST(rootspec_gpt_auto)
{
    int amb;
    const char *name;
    CHECK_STR(gpt_type(GPT_ROOT, &name), ROOT_X86_64);
    CHECK_STR(name, "root-x86-64");
    /* the no-auto root on vdb is not a candidate; vdb2 is not a root type */
    CHECK_STR(auto_find(dps, NDPS, "", &amb), "sda2");
    CHECK(!amb);
    /* the loader's disk; the loader on a disk with no root: nothing */
    CHECK_STR(auto_find(dps, NDPS, "AAAAAAAA-0000-0000-0000-000000000001", &amb), "sda2");
    CHECK(auto_find(dps, 3, "aaaaaaaa-0000-0000-0000-000000000009", &amb) == NULL);
    /* without the no-auto flag vdb1 would be a second candidate: refused */
    struct blockdev two[NDPS];
    memcpy(two, dps, sizeof two);
    two[4].partflags = 0;
    CHECK_STR(auto_find(two, NDPS, "", &amb), "sda2");
    CHECK(amb);
    /* ... unless the loader says which disk */
    CHECK_STR(auto_find(two, NDPS, "aaaaaaaa-0000-0000-0000-000000000001", &amb), "sda2");
    CHECK(!amb);
    /* a whole disk never matches, whatever its tags */
    struct blockdev whole = {.name = "vdc", .parttype = ROOT_X86_64};
    CHECK(auto_find(&whole, 1, "", &amb) == NULL);
    char d[200];
    struct devspec sp = parse_ok("gpt-auto");
    devspec_describe(&sp, d, sizeof d);
    CHECK_STR(d, "gpt-auto (a root-x86-64 partition)");
    CHECK(parse_fails("GPT-AUTO", "not a device"));
}

#define ROOT_VERITY_X86_64 "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"

/* A verity hash partition wanted by the PARTUUID derived from the hash, or
 * else by the root-verity type. */
static const char *verity_find(const struct blockdev *d, size_t n, const char *near, int *amb)
{
    struct devspec sp = parse_ok("PARTUUID=ffeeddcc-bbaa-9988-7766-554433221100");
    snprintf(sp.or_type, sizeof sp.or_type, "%s", ROOT_VERITY_X86_64);
    return find_near(sp, d, n, near, amb);
}

TEST(rootspec_verity_by_type)
{
    int amb;
    const char *name;
    CHECK_STR(gpt_type(GPT_ROOT_VERITY, &name), ROOT_VERITY_X86_64);
    CHECK_STR(name, "root-x86-64-verity");
    CHECK_STR(gpt_type_name("8484680C-9521-48C6-9C11-B0720656F69E"), "usr-x86-64");
    CHECK_STR(gpt_type_name("77ff5f63-e7b6-4633-acf4-1565b864c0e6"), "usr-x86-64-verity");
    CHECK(gpt_type_name(ESP_TYPE) == NULL);
    struct blockdev d[] = {
        {.name = "sda", .type = "gpt"},
        {.name = "sda1", .disk = "sda", .partno = 1, .parttype = ESP_TYPE,
         .partuuid = "aaaaaaaa-0000-0000-0000-000000000001"},
        {.name = "sda2", .disk = "sda", .partno = 2, .type = "verity",
         .parttype = ROOT_VERITY_X86_64, .partuuid = "11111111-0000-0000-0000-000000000002"},
        {.name = "vdb", .type = "gpt"},
        {.name = "vdb1", .disk = "vdb", .partno = 1, .type = "verity",
         .parttype = ROOT_VERITY_X86_64, .partflags = GPT_FLAG_NO_AUTO,
         .partuuid = "22222222-0000-0000-0000-000000000001"},
    };
    size_t n = sizeof d / sizeof *d;
    /* by type: the no-auto one is not a candidate */
    CHECK_STR(verity_find(d, n, "", &amb), "sda2");
    CHECK(!amb);
    /* two of the type: refused, both named */
    d[4].partflags = 0;
    CHECK_STR(verity_find(d, n, "", &amb), "sda2");
    CHECK(amb);
    /* ... unless the boot loader's disk tells them apart */
    CHECK_STR(verity_find(d, n, "aaaaaaaa-0000-0000-0000-000000000001", &amb), "sda2");
    CHECK(!amb);
    /* the derived PARTUUID wins over any number of typed ones, and the
     * boot loader's disk does not restrict it */
    snprintf(d[4].partuuid, sizeof d[4].partuuid, "FFEEDDCC-BBAA-9988-7766-554433221100");
    d[4].parttype[0] = '\0';
    CHECK_STR(verity_find(d, n, "aaaaaaaa-0000-0000-0000-000000000001", &amb), "vdb1");
    CHECK(!amb);
    /* neither: nothing */
    d[4].partuuid[0] = '\0';
    d[2].parttype[0] = '\0';
    CHECK(verity_find(d, n, "", &amb) == NULL && !amb);
    char desc[300];
    struct devspec sp = parse_ok("PARTUUID=ffeeddcc-bbaa-9988-7766-554433221100");
    snprintf(sp.or_type, sizeof sp.or_type, "%s", ROOT_VERITY_X86_64);
    devspec_describe(&sp, desc, sizeof desc);
    CHECK_STR(desc, "PARTUUID=ffeeddcc-bbaa-9988-7766-554433221100 or a root-x86-64-verity "
                    "partition");
    snprintf(sp.near, sizeof sp.near, "aaaaaaaa-0000-0000-0000-000000000001");
    devspec_describe(&sp, desc, sizeof desc);
    CHECK_STR(desc, "PARTUUID=ffeeddcc-bbaa-9988-7766-554433221100 or a root-x86-64-verity "
                    "partition on the disk of the boot loader's partition "
                    "aaaaaaaa-0000-0000-0000-000000000001");
}

TEST(rootspec_efivar_guid)
{
    /* attributes, then UTF-16LE "A7D4...-..." and a NUL */
    const char *g = "A7D4C2B1-9E8F-4D6C-B5A4-3F2E1D0C9B8A";
    unsigned char buf[4 + 74] = {7, 0, 0, 0};
    for (int i = 0; i < 36; i++)
        buf[4 + 2 * i] = (unsigned char)g[i];
    char out[37];
    CHECK(efivar_guid(buf, sizeof buf, out, sizeof out) == 0);
    CHECK_STR(out, "a7d4c2b1-9e8f-4d6c-b5a4-3f2e1d0c9b8a");
    CHECK(efivar_guid(buf, 4 + 72, out, sizeof out) == 0); /* no NUL */
    CHECK(efivar_guid(buf, 4 + 70, out, sizeof out) == -1); /* cut short */
    CHECK(efivar_guid(buf, sizeof buf, out, 36) == -1);     /* no room */
    buf[4 + 2 * 8] = 'x';                                   /* no dash */
    CHECK(efivar_guid(buf, sizeof buf, out, sizeof out) == -1);
    buf[4 + 2 * 8] = '-';
    buf[5] = 1; /* a character outside ASCII */
    CHECK(efivar_guid(buf, sizeof buf, out, sizeof out) == -1);
}

/* A btrfs over two disks: both members carry the filesystem's UUID and
 * label, each its own device UUID. A third disk is a copy of one member. */
static const struct blockdev raid[] = {
    {.name = "vda", .major = 254, .minor = 0, .type = "btrfs", .uuid = "f-1",
     .uuid_sub = "d-1", .label = "pool"},
    {.name = "vdb", .major = 254, .minor = 16, .type = "btrfs", .uuid = "F-1",
     .uuid_sub = "d-2", .label = "pool"},
    {.name = "vdc", .major = 254, .minor = 32, .type = "btrfs", .uuid = "f-1",
     .uuid_sub = "D-1", .label = "pool"},
    {.name = "vdd", .major = 254, .minor = 48, .type = "ext4", .uuid = "f-2", .label = "other"},
    {.name = "vde", .major = 254, .minor = 64, .type = "btrfs", .uuid = "f-2",
     .uuid_sub = "d-9", .label = "other"},
};

static const char *unique_in(const struct blockdev *d, size_t n, const char *s, const char **two)
{
    struct devspec sp = parse_ok(s);
    int second, i = devspec_find_unique(&sp, d, n, &second);
    *two = second < 0 ? NULL : d[second].name;
    return i < 0 ? NULL : d[i].name;
}

TEST(rootspec_btrfs_members_are_one_filesystem)
{
    const char *two;
    /* the two members alone: one filesystem, found by UUID or LABEL */
    CHECK_STR(unique_in(raid, 2, "UUID=f-1", &two), "vda");
    CHECK(two == NULL);
    CHECK_STR(unique_in(raid, 2, "LABEL=pool", &two), "vda");
    CHECK(two == NULL);
    CHECK_STR(unique_in(raid + 1, 1, "UUID=f-1", &two), "vdb");
    CHECK(two == NULL);
    /* a copy of a member (same device UUID) is a duplicate, and the two
     * copies are named, whichever member is seen first */
    CHECK_STR(unique_in(raid, 3, "UUID=f-1", &two), "vda");
    CHECK_STR(two, "vdc");
    const struct blockdev order[] = {raid[1], raid[2], raid[0]};
    CHECK_STR(unique_in(order, 3, "LABEL=pool", &two), "vdc");
    CHECK_STR(two, "vda");
    /* ... but a device named by path is that device */
    CHECK_STR(unique_in(raid, 3, "/dev/vdb", &two), "vdb");
    CHECK(two == NULL);
    CHECK_STR(unique_in(raid, 3, "/dev/vda", &two), "vda");
    CHECK(two == NULL);
    /* the same UUID on a btrfs and a filesystem of another type is no
     * multi-device filesystem */
    CHECK_STR(unique_in(raid, 5, "UUID=f-2", &two), "vdd");
    CHECK_STR(two, "vde");
    /* members without a device UUID cannot be told from copies */
    struct blockdev bare[2] = {raid[0], raid[1]};
    bare[1].uuid_sub[0] = '\0';
    CHECK_STR(unique_in(bare, 2, "UUID=f-1", &two), "vda");
    CHECK_STR(two, "vdb");
}
