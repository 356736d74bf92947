# shellcheck shell=sh
# Fixed identifiers of hatch's test disks (qemu/mkdisk.sh). Sourced by
# mkdisk.sh and by the tests, so a test's root= argument and the image it
# boots can never drift apart. Changing a value here changes the images:
# rebuild them (make clean) after editing.
# shellcheck disable=SC2034  # every variable is used by whoever sources this

# The real root filesystem, in every layout.
HATCH_FS_UUID=8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11
HATCH_FS_LABEL=hatchroot
# ext4's directory hash seed; fixed so images are byte-for-byte reproducible.
HATCH_FS_HASH_SEED=0d9c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d

# GPT partition of the real root (p1, or p2 in the twoparts layout).
HATCH_PARTUUID=5e0c6a1d-7b2f-4c3e-8a9d-1f2e3d4c5b6a
HATCH_PARTLABEL=hatch-root
# GPT disk GUID (the same for every GPT layout).
HATCH_DISK_GUID=3b8e1f2a-6c4d-4f5e-9a0b-7c1d2e3f4a5b

# verity-sep: the hash partition (p2) and the verity superblock.
HATCH_HASH_PARTUUID=a7d4c2b1-9e8f-4d6c-b5a4-3f2e1d0c9b8a
HATCH_HASH_PARTLABEL=hatch-hash
HATCH_VERITY_UUID=c4e2a9f1-3b7d-4e6a-8f5c-9d1b2a3c4e5f
# 32 bytes, hex; veritysetup's default salt length.
HATCH_VERITY_SALT=6861746368207665726974792073616c74206669786564206279206465736967

# verity-fec: the FEC parity partition (p3).
HATCH_FEC_PARTUUID=e3b5a7c9-1d2f-4a6b-9c8e-7f0a1b2c3d4e
HATCH_FEC_PARTLABEL=hatch-fec

# mbr: the DOS disk identifier; p1's PARTUUID is then 1234abcd-01.
HATCH_MBR_ID=0x1234abcd
HATCH_MBR_PARTUUID=1234abcd-01

# twoparts: p1 is a decoy that must NOT be chosen when root= names the real one.
HATCH_DECOY_FS_UUID=2d7e9b4c-1a3f-4c8e-b6d5-0f9e8d7c6b5a
HATCH_DECOY_FS_LABEL=hatchdecoy
HATCH_DECOY_PARTUUID=9b1c3d5e-7f2a-4b6c-8d0e-1f3a5b7c9d2e
HATCH_DECOY_PARTLABEL=hatch-decoy

# Sizes in MiB. Partitions start on MiB boundaries, the first at 1 MiB.
HATCH_ROOT_MIB=24
HATCH_DECOY_MIB=8
HATCH_HASH_MIB=1
HATCH_FEC_MIB=1

# Timestamp written into every inode and the superblock, unless the caller
# sets SOURCE_DATE_EPOCH (2024-01-01T00:00:00Z).
HATCH_DEFAULT_EPOCH=1704067200

# mbr-logical: the root is the first logical partition, p5.
HATCH_MBR_LOGICAL_PARTUUID=1234abcd-05
# -f btrfs: the subvolume holding the root (rootflags=subvol=...).
HATCH_BTRFS_SUBVOL=@root
# -f vfat: FAT's 32-bit volume id (blkid's UUID=8F3A-6D2E) and label.
HATCH_VFAT_ID=8F3A6D2E
HATCH_VFAT_UUID=8F3A-6D2E
HATCH_VFAT_LABEL=HATCHROOT
# btrfs-raid1: the filesystem over two disks (data and metadata RAID1);
# not the root's UUID, so the host's btrfs never confuses the two while
# mkdisk.sh has one of them mounted.
HATCH_BTRFS_RAID_UUID=6b2f9c1e-3d4a-4e5b-8c7d-9e0f1a2b3c4d
# luks: the LUKS2 volume (p1) holding the ext4 root, its passphrase (key
# slot 0) and the key file's contents (slot 1, IMAGE.key).
HATCH_LUKS_UUID=7c1d9e2f-4a3b-4c5d-8e6f-0a1b2c3d4e5f
HATCH_LUKS_PARTUUID=d4c3b2a1-0f9e-4d8c-b7a6-958473625140
HATCH_LUKS_PARTLABEL=hatch-luks
HATCH_LUKS_PASS=hatch-luks-passphrase
HATCH_LUKS_KEY=hatch-luks-key-file-contents-0123456789abcdef
# The LUKS2 header and key slots in front of the filesystem.
HATCH_LUKS_HDR_MIB=4
# verity-usr: p1 the ext4 root (HATCH_FS_UUID, HATCH_FS_LABEL) with
# merged-usr links (bin, sbin, lib -> usr/...) and an empty /usr; p2 the
# ext4 /usr (type usr-x86-64) holding sbin/init; p3 p2's dm-verity hash
# tree (type usr-x86-64-verity). p2's and p3's PARTUUIDs are not fixed
# here: they are the first and the last 128 bits of the usr root hash
# (IMAGE.usrhash), so that usrhash= alone finds them.
HATCH_USRDISK_ROOT_PARTUUID=ba67cd11-87ea-419e-b4d3-023eb90bbf34
HATCH_USRDISK_ROOT_PARTLABEL=hatch-usr-root
HATCH_USR_FS_UUID=fc9e0d0c-801d-4f2b-b9e6-106d03b98400
HATCH_USR_FS_LABEL=hatchusr
HATCH_USR_PARTLABEL=usr
HATCH_USR_HASH_PARTLABEL=usr-verity
# The usr hash tree's verity superblock UUID (the salt is HATCH_VERITY_SALT).
HATCH_USR_VERITY_UUID=35fdcef1-43d0-4651-9f9a-42057cf64272
# Discoverable Partitions Specification types: usr-x86-64, usr-x86-64-verity.
HATCH_USR_PARTTYPE=8484680C-9521-48C6-9C11-B0720656F69E
HATCH_USR_VERITY_PARTTYPE=77FF5F63-E7B6-4633-ACF4-1565B864C0E6
# The /usr filesystem's size in MiB (its hash tree takes HATCH_HASH_MIB).
HATCH_USR_MIB=8
# md-raid1: an md RAID1 (metadata 1.2) over p1 of two disks, IMAGE and
# IMAGE.dev2, holding the ext4 root (UUID $HATCH_FS_UUID); the array UUID
# as libblkid prints it (mdadm: 2f8e6c4a:1b3d4e5f:8a9b0c1d:2e3f4a5b), its
# name, each member's device UUID and each disk's partition UUID.
HATCH_MD_UUID=2f8e6c4a-1b3d-4e5f-8a9b-0c1d2e3f4a5b
HATCH_MD_NAME=hatch:root
HATCH_MD_DEV_UUID1=71a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8
HATCH_MD_DEV_UUID2=72a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8
HATCH_MD_PARTUUID1=61b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d
HATCH_MD_PARTUUID2=62b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d
HATCH_MD_DISK_GUID2=3b8e1f2a-6c4d-4f5e-9a0b-7c1d2e3f4a5c
# LVM (qemu/mkdisk.sh -l lvm-linear, lvm-striped): the volume groups and
# the logical volume holding the ext4 root ($HATCH_FS_UUID), so the root is
# /dev/mapper/VG-LV; the striped one's stripe size in KiB. lvm-luks: the
# volume group whose $HATCH_LVM_LV holds the LUKS2 volume ($HATCH_LUKS_UUID).
# lvm-raid1: the volume group whose $HATCH_LVM_LV is a raid1 over two disks;
# lvm-thin: the one whose $HATCH_LVM_LV is a thin volume in thin pool
# $HATCH_LVM_THIN_POOL.
HATCH_LVM_VG=hatchvg
HATCH_LVM_STRIPED_VG=hatchstripes
HATCH_LVM_LUKS_VG=hatchcrypt
HATCH_LVM_RAID_VG=hatchmirror
HATCH_LVM_THIN_VG=hatchthin
HATCH_LVM_THIN_POOL=pool
HATCH_LVM_LV=root
HATCH_LVM_STRIPE_KIB=64
