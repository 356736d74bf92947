#!/bin/sh
# Build a small, reproducible test disk image for hatch's QEMU tests.
#
# usage: qemu/mkdisk.sh -o IMAGE -i CHECKINIT [-l LAYOUT] [-f FSTYPE] [-s MIB]
#        qemu/mkdisk.sh -o IMAGE -l blank|blank-gpt|blank-mbr [-s MIB] [-n N]
#   LAYOUT: plain (default) | verity-sep | verity-fec | verity-inline | mbr | twoparts
#   | norun | mbr-logical | whole | btrfs-raid1 | luks | verity-usr | md-raid1
#   | lvm-linear | lvm-striped | lvm-luks | lvm-raid1 | lvm-thin
#   (verity-fec: verity-sep plus FEC parity, 2 roots, on p3; norun: plain without a /run directory on the root;
#   mbr-logical: a DOS table whose p1 is an extended partition and the root
#   its first logical partition, p5, PARTUUID $HATCH_MBR_LOGICAL_PARTUUID;
#   whole: the filesystem is the whole disk, no partition table;
#   btrfs-raid1: a btrfs over two whole disks, IMAGE (device 1) and
#   IMAGE.dev2 (device 2), data and metadata RAID1, UUID
#   $HATCH_BTRFS_RAID_UUID, LABEL $HATCH_FS_LABEL, the tree in its top level;
#   -s MIB each (default 96); like -f btrfs it needs root and loop devices,
#   and its device UUIDs are random: btrfs-progs 6.2 cannot fix them;
#   luks: GPT p1 (PARTUUID $HATCH_LUKS_PARTUUID) is a LUKS2 volume, UUID
#   $HATCH_LUKS_UUID, aes-xts-plain64, PBKDF2 at 1000 iterations (fast
#   under TCG), whose contents are the ext4 root; key slot 0 is the
#   passphrase $HATCH_LUKS_PASS, slot 1 the key file IMAGE.key. Made by
#   cryptsetup's offline encryption of a plain file: no root, no loop
#   device, no device-mapper on the host;
#   verity-usr: a verified /usr apart from the root. GPT p1 (PARTUUID
#   $HATCH_USRDISK_ROOT_PARTUUID, PARTLABEL $HATCH_USRDISK_ROOT_PARTLABEL)
#   is the ext4 root, the usual tree but with merged-usr links (bin ->
#   usr/bin, sbin -> usr/sbin, lib -> usr/lib) and an empty /usr, so that
#   /sbin/init is there only once /usr is mounted; p2 (type usr-x86-64,
#   PARTLABEL $HATCH_USR_PARTLABEL) an ext4 /usr, UUID $HATCH_USR_FS_UUID,
#   LABEL $HATCH_USR_FS_LABEL, $HATCH_USR_MIB MiB, holding sbin/init (the
#   check init); p3 (type usr-x86-64-verity, PARTLABEL
#   $HATCH_USR_HASH_PARTLABEL) p2's dm-verity hash tree, salt
#   $HATCH_VERITY_SALT. p2's PARTUUID is the first 128 bits of the usr root
#   hash (IMAGE.usrhash) and p3's the last 128, as usrhash= alone expects;
#   md-raid1: an md RAID1 over two disks, IMAGE and IMAGE.dev2, each a GPT
#   whose p1 (Linux RAID type, PARTUUID $HATCH_MD_PARTUUID1 / 2) is a member
#   with metadata 1.2: array UUID $HATCH_MD_UUID, name $HATCH_MD_NAME, data
#   at 1 MiB, no bitmap, clean; the array holds the ext4 root. The
#   superblocks are written here (md_super, below): no root, no loop
#   device, no md driver or mdadm on the host;
#   lvm-linear: IMAGE is a whole-disk LVM2 physical volume of volume group
#   $HATCH_LVM_VG, whose linear logical volume $HATCH_LVM_LV holds the ext4
#   root (UUID $HATCH_FS_UUID), so it is /dev/mapper/$HATCH_LVM_VG-$HATCH_LVM_LV;
#   lvm-striped: volume group $HATCH_LVM_STRIPED_VG over two whole disks,
#   IMAGE and IMAGE.dev2, its $HATCH_LVM_LV striped across both in
#   $HATCH_LVM_STRIPE_KIB KiB stripes. Both need root, loop devices and the
#   host's lvm2 tools, but no device-mapper: the volumes are made with
#   activation off (--driverloaded n) and the filesystem is written into the
#   logical volume's extents with dd, at the offsets lvm reports (pvs
#   pe_start, lvs seg_pe_ranges); the PV and VG UUIDs are random;
#   lvm-luks: LUKS on LVM, as lvm-linear but with volume group
#   $HATCH_LVM_LUKS_VG, and the logical volume $HATCH_LVM_LV holds the LUKS2
#   volume of the luks layout (UUID $HATCH_LUKS_UUID, same keys, IMAGE.key)
#   instead of the plain ext4: the root is the ext4 inside it;
#   lvm-raid1: volume group $HATCH_LVM_RAID_VG over two whole disks, IMAGE
#   and IMAGE.dev2, its $HATCH_LVM_LV a raid1 (dm-raid) with one leg on
#   each, both holding the ext4 root; lvm-thin: volume group
#   $HATCH_LVM_THIN_VG on IMAGE, its $HATCH_LVM_LV a thin volume in the thin
#   pool $HATCH_LVM_THIN_POOL. These two are made inside a QEMU guest by
#   qemu/guest-lvm.sh (the test kernel, its dm modules and the static lvm):
#   raid1 and thin-pool metadata are written by the kernel on activation,
#   which the host cannot do without device-mapper. They need no root and
#   no loop device, but build/kernel and build/deps (make); the layout
#   takes about 13 s under TCG)
#
# The root filesystem (-f, only with plain, mbr, mbr-logical and whole):
#   ext4 (default)  mke2fs -d; UUID $HATCH_FS_UUID, LABEL $HATCH_FS_LABEL
#   xfs             mkfs.xfs -p with a prototype file listing the tree; same
#                   UUID and LABEL
#   btrfs           the tree in a subvolume $HATCH_BTRFS_SUBVOL (boot with
#                   rootflags=subvol=$HATCH_BTRFS_SUBVOL) and nothing else in
#                   the top level; same UUID and LABEL. btrfs-progs 6.2
#                   (bookworm) cannot make a subvolume in an image file, so
#                   this one needs root and a loop device: it mounts the
#                   image (mount -o loop) to create the subvolume
#   erofs           mkfs.erofs DIR; same UUID, no label (erofs-utils 1.5)
#   squashfs        mksquashfs DIR; squashfs has no UUID or label (find it by
#                   PARTUUID or device name)
#   f2fs            mkfs.f2fs, then sload.f2fs -f DIR; same UUID and LABEL
#   vfat            mkfs.fat and mcopy; UUID $HATCH_VFAT_UUID, LABEL
#                   $HATCH_VFAT_LABEL. FAT has no symbolic links, so this
#                   tree has no /sbin/init, /sbin/init-link or /bin/init:
#                   no init program hatch would pick by itself
#                   (/sbin/real-init is there)
# -s MIB is the size of IMAGE (default: ext4 $HATCH_ROOT_MIB + 2, or
# $HATCH_ROOT_MIB for whole; xfs 320, as mkfs.xfs refuses filesystems under
# 300 MB; f2fs 128, as sload.f2fs fails on one of 62 MiB; the others 64).
# The root partition starts at 1 MiB (logical: 2 MiB) and ends 1 MiB before
# the end of IMAGE; whole: it is IMAGE. All but ext4 only with plain, mbr,
# mbr-logical and whole; IMAGE.payloadoffset only for ext4.
#
# Small filler disks, for tests with hundreds of devices (no -i needed):
#   blank      MIB MiB of zeros (sparse), no partition table
#   blank-gpt  GPT with one partition (no filesystem), sectors 64 up to half
#              the disk; disk GUID 5ca1ab1e-0000-4000-8000-NNNNNNNNNNNN,
#              partition UUID 5ca1ab1e-0001-4000-8000-NNNNNNNNNNNN, name
#              "filler-N" (N in hex, 12 digits, in the UUIDs)
#   blank-mbr  DOS table with one partition (type 83), same place; disk
#              identifier 0x5ca1NNNN, so its PARTUUID is 5ca1nnnn-01
#   -s MIB     size (default 1); only for the blank layouts
#   -n N       number (0-65535, default 0) that makes the identifiers
#              unique: give every filler disk of a machine its own
#   They never carry any identifier of the real root (qemu/disk-ids.sh).
#
# Needs no root and no loop devices (but for btrfs, above): the filesystem is made in a plain file
# by mke2fs -d (or the tool named above), the partition table is written by sfdisk straight into the
# image file, and the filesystem is copied in at its partition's offset.
# Identifiers come from qemu/disk-ids.sh.
#
# Besides IMAGE it writes (and removes stale copies of):
#   IMAGE.payloadoffset  byte offset in IMAGE of /check/payload's first block
#                        on the real root (tests corrupt it to trip dm-verity)
#   IMAGE.roothash       verity layouts but verity-usr: the root hash (hex)
#   IMAGE.usrhash        verity-usr: the usr root hash (hex)
#   IMAGE.verity         verity layouts: veritysetup format's report (of
#                        the usr hash tree for verity-usr)
#   IMAGE.hashoffset     verity-inline: the hash tree offset in bytes within p1
#   IMAGE.dev2           btrfs-raid1, md-raid1, lvm-striped, lvm-raid1: the
#                        second disk
#   IMAGE.key            luks, lvm-luks: the key file (key slot 1)
set -eu

die() {
    echo "hatch: mkdisk: $*" >&2
    exit 1
}

here=$(dirname "$0")
# shellcheck source=qemu/disk-ids.sh disable=SC1091  # followed with shellcheck -x from the repo root
. "$here/disk-ids.sh"

out="" init="" layout=plain size="" num="" fstype=ext4
while getopts o:i:l:s:n:f: opt; do
    case $opt in
        o) out=$OPTARG ;;
        i) init=$OPTARG ;;
        l) layout=$OPTARG ;;
        s) size=$OPTARG ;;
        n) num=$OPTARG ;;
        f) fstype=$OPTARG ;;
        *) die "usage: mkdisk.sh -o IMAGE -i CHECKINIT [-l plain|verity-sep|verity-fec|verity-inline|mbr|twoparts|norun|mbr-logical|whole|btrfs-raid1|luks|verity-usr|md-raid1|lvm-linear|lvm-striped|lvm-luks|lvm-raid1|lvm-thin] [-f ext4|xfs|btrfs|erofs|squashfs|f2fs|vfat] [-s MIB], or -o IMAGE -l blank|blank-gpt|blank-mbr [-s MIB] [-n N]" ;;
    esac
done
case $fstype in
    ext4 | xfs | btrfs | erofs | squashfs | f2fs | vfat) ;;
    *) die "unknown filesystem type '$fstype' (ext4, xfs, btrfs, erofs, squashfs, f2fs or vfat)" ;;
esac
case $layout in
    verity-sep | verity-fec | verity-inline | twoparts | norun | luks | verity-usr | md-raid1 | lvm-linear \
        | lvm-striped | lvm-luks | lvm-raid1 | lvm-thin)
        [ -z "$size$num" ] || die "-s and -n are not for the $layout layout"
        [ "$fstype" = ext4 ] || die "the $layout layout is ext4 only" ;;
    plain | mbr | mbr-logical | whole)
        [ -z "$num" ] || die "-n is only for the blank layouts" ;;
    btrfs-raid1)
        [ -z "$num" ] || die "-n is only for the blank layouts"
        case $fstype in ext4 | btrfs) fstype=btrfs ;; *) die "the btrfs-raid1 layout is btrfs" ;; esac ;;
    blank | blank-gpt | blank-mbr)
        [ "$fstype" = ext4 ] || die "-f is not for the blank layouts" ;;
    *) die "unknown layout '$layout'" ;;
esac

# blank*: filler disks, made without staging a root (fast: tests make hundreds).
blank() {
    [ -n "$out" ] || die "usage: mkdisk.sh -o IMAGE -l $layout [-s MIB] [-n N]"
    : "${size:=1}"
    case $size in '' | *[!0-9]* | 0*) die "-s wants a whole number of MiB (1 or more)" ;; esac
    : "${num:=0}"
    case $num in 0) ;; *[!0-9]* | 0*) die "-n wants a number from 0 to 65535" ;; esac
    [ "$num" -le 65535 ] || die "-n wants a number from 0 to 65535"
    for t in sfdisk truncate; do
        command -v "$t" >/dev/null 2>&1 || die "$t not found"
    done
    btmp="$out.tmp.$$"
    trap 'rm -f "$btmp" "$btmp.log"' EXIT
    trap 'exit 130' INT TERM
    rm -f "$out.roothash" "$out.usrhash" "$out.hashoffset" "$out.verity" "$out.payloadoffset"
    rm -f "$btmp"
    truncate -s "${size}M" "$btmp"
    hex=$(printf '%012x' "$num")
    # Half the disk from sector 64: inside GPT's usable area for any size.
    part="start=64, size=$((size * 1024))"
    case $layout in
    blank-gpt)
        script=$(printf 'label: gpt\nlabel-id: 5ca1ab1e-0000-4000-8000-%s\n%s, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=5ca1ab1e-0001-4000-8000-%s, name="filler-%s"' \
            "$hex" "$part" "$hex" "$num") ;;
    blank-mbr)
        script=$(printf 'label: dos\nlabel-id: 0x5ca1%04x\n%s, type=83' "$num" "$part") ;;
    *) script="" ;;
    esac
    if [ -n "$script" ]; then
        printf '%s\n' "$script" | sfdisk -q --no-reread --no-tell-kernel "$btmp" >"$btmp.log" 2>&1 || {
            cat "$btmp.log" >&2
            die "sfdisk failed on $btmp"
        }
    fi
    rm -f "$btmp.log"
    mv "$btmp" "$out"
    echo "hatch: mkdisk: $out ($layout, $(stat -c %s "$out") bytes)"
    exit 0
}
case $layout in blank*) blank ;; esac

{ [ -n "$out" ] && [ -n "$init" ]; } || die "usage: mkdisk.sh -o IMAGE -i CHECKINIT [-l LAYOUT]"
[ -f "$init" ] || die "check init $init not found (build it first)"
# The tools for this filesystem, and the Debian package each comes in.
case $fstype in
    ext4) tools="mke2fs:e2fsprogs debugfs:e2fsprogs" ;;
    xfs) tools="mkfs.xfs:xfsprogs" ;;
    btrfs) tools="mkfs.btrfs:btrfs-progs btrfs:btrfs-progs mount:mount umount:mount losetup:mount" ;;
    erofs) tools="mkfs.erofs:erofs-utils" ;;
    squashfs) tools="mksquashfs:squashfs-tools" ;;
    f2fs) tools="mkfs.f2fs:f2fs-tools sload.f2fs:f2fs-tools" ;;
    vfat) tools="mkfs.fat:dosfstools mcopy:mtools" ;;
esac
for t in $tools sfdisk:fdisk dd:coreutils truncate:coreutils; do
    command -v "${t%%:*}" >/dev/null 2>&1 || die "${t%%:*} not found (${t#*:})"
done
case $layout in verity-*)
    command -v veritysetup >/dev/null 2>&1 || die "veritysetup not found (cryptsetup-bin)" ;;
luks | lvm-luks)
    command -v cryptsetup >/dev/null 2>&1 || die "cryptsetup not found (cryptsetup-bin)" ;;
esac

epoch=${SOURCE_DATE_EPOCH:-$HATCH_DEFAULT_EPOCH}
# mke2fs and debugfs take their clock from here: superblock and root
# directory times would otherwise be "now" and the image never reproducible.
E2FSPROGS_FAKE_TIME=$epoch
export E2FSPROGS_FAKE_TIME

work=$(mktemp -d "${TMPDIR:-/tmp}/hatch-mkdisk.XXXXXX")
tmp="$out.tmp.$$"
# btrfs mounts its image on $work/mnt for a moment: never leave it mounted
# (nor, btrfs-raid1, its loop devices attached).
loops=""
cleanup() {
    [ ! -d "$work/mnt" ] || umount "$work/mnt" 2>/dev/null || :
    for lo in $loops; do losetup -d "$lo" 2>/dev/null || :; done
    rm -rf "$work" "$tmp" "$tmp.dev2" "$tmp.key" "$tmp.one"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stage DIR KIND: the tree the check init expects; KIND lands in
# /etc/hatch-disk so a test can tell which filesystem got mounted.
stage() {
    d=$1
    mkdir -p "$d/sbin" "$d/bin" "$d/etc" "$d/proc" "$d/sys" "$d/dev" "$d/run" "$d/tmp" \
        "$d/check" "$d/var" "$d/usr/sbin"
    cp "$init" "$d/sbin/real-init"
    cp "$init" "$d/sbin/alt-init"
    cp "$init" "$d/bin/init"
    # for systemd.volatile=yes, whose tmpfs root keeps only /usr
    cp "$init" "$d/usr/sbin/init"
    chmod 0755 "$d/sbin/real-init" "$d/sbin/alt-init" "$d/bin/init" "$d/usr/sbin/init"
    # Absolute links, as distributions ship /sbin/init: the initramfs must
    # resolve them inside the new root. /bin/init is there so that a wrong
    # resolution shows as argv=/bin/init instead of going unnoticed.
    ln -s /sbin/real-init "$d/sbin/init"
    ln -s /sbin/alt-init "$d/sbin/init-link"
    printf 'ID=hatch-test\nNAME="hatch test root"\n' >"$d/etc/os-release"
    printf '%s\n' "$2" >"$d/etc/hatch-disk"
    # 64 KiB whose every 4 KiB block differs, so a corrupted block cannot
    # accidentally equal another one.
    i=0
    while [ "$i" -lt 2048 ]; do
        printf 'hatch-payload %017d\n' "$i"
        i=$((i + 1))
    done >"$d/check/payload"
}

# mkfs FILE MIB LABEL UUID DIR
mkfs() {
    truncate -s "${2}M" "$1"
    # lazy_itable_init=0: no background zeroing on first mount; the bytes
    # are what they are, which is what dm-verity hashes.
    mke2fs -q -F -t ext4 -b 4096 -m 0 -L "$3" -U "$4" \
        -E "hash_seed=$HATCH_FS_HASH_SEED,root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0,nodiscard" \
        -d "$5" "$1" >"$work/mke2fs.log" 2>&1 || {
        cat "$work/mke2fs.log" >&2
        die "mke2fs failed for $1"
    }
    # -d copies the invoking user's uid/gid and the files' own times; make
    # every inode root-owned and dated $epoch whoever builds the image.
    (cd "$5" && find . -mindepth 1) | sort | while read -r p; do
        p=${p#.}
        for f in uid gid; do
            printf 'sif %s %s 0\n' "$p" "$f"
        done
        for f in atime mtime ctime crtime; do
            printf 'sif %s %s @%s\n' "$p" "$f" "$epoch"
        done
    done >"$work/debugfs.cmd"
    debugfs -w -f "$work/debugfs.cmd" "$1" >"$work/debugfs.log" 2>&1 ||
        die "debugfs could not normalise $1"
    if grep -q -v '^debugfs[: ]' "$work/debugfs.log"; then
        cat "$work/debugfs.log" >&2
        die "debugfs reported errors on $1"
    fi
}

# proto DIR INDENT: DIR's entries as lines of an xfs prototype file (see
# mkfs.xfs(8)): "name mode uid gid [source]", a directory's own entries
# after it and then "$". Every inode is root-owned; names hold no spaces.
proto() {
    # No "local" in POSIX sh: names of their own, and nothing but the
    # positional parameters is used after the recursive call.
    for pe in $(cd "$1" && find . -mindepth 1 -maxdepth 1 | sort); do
        pe=${pe#./}
        pf=$1/$pe
        if [ -L "$pf" ]; then
            echo "$2$pe l--777 0 0 $(readlink "$pf")"
        elif [ -d "$pf" ]; then
            echo "$2$pe d--$(stat -c %a "$pf") 0 0"
            proto "$pf" "$2 "
            echo "$2\$"
        elif [ -f "$pf" ]; then
            echo "$2$pe ---$(stat -c %a "$pf") 0 0 $pf"
        else
            die "cannot put $pf in an xfs prototype file"
        fi
    done
}

# mkfs_other FSTYPE FILE MIB DIR: FILE becomes a MIB MiB filesystem of
# FSTYPE holding DIR (for ext4: mkfs, above).
mkfs_other() {
    ft=$1 f=$2 mib=$3 d=$4
    rm -f "$f"
    log=$work/mkfs-$ft.log
    case $ft in
    xfs)
        truncate -s "${mib}M" "$f"
        { echo "/dev/null"; echo "0 0"; echo "d--755 0 0"; proto "$d" " "; echo "\$"; } \
            >"$work/xfs.proto"
        mkfs.xfs -q -f -L "$HATCH_FS_LABEL" -m uuid="$HATCH_FS_UUID" -p "$work/xfs.proto" \
            "$f" >"$log" 2>&1 || { cat "$log" >&2; die "mkfs.xfs failed for $f"; }
        ;;
    btrfs)
        truncate -s "${mib}M" "$f"
        # --mixed: data and metadata share block groups, as wanted below 1 GiB.
        # mkfs.btrfs refuses a UUID that libblkid's cache (BLKID_FILE)
        # knows: an empty cache of our own, so that another image with the
        # same test UUID, once looked at with blkid, does not stop us.
        BLKID_FILE=$work/blkid.tab mkfs.btrfs -q -f --mixed -L "$HATCH_FS_LABEL" \
            -U "$HATCH_FS_UUID" "$f" >"$log" 2>&1 ||
            { cat "$log" >&2; die "mkfs.btrfs failed for $f"; }
        mkdir -p "$work/mnt"
        mount -o loop -t btrfs "$f" "$work/mnt" >>"$log" 2>&1 || {
            cat "$log" >&2
            die "cannot mount $f (mount -o loop) to make its subvolume: btrfs-progs 6.2 makes none in an image; run as root with a loop device"
        }
        { btrfs -q subvolume create "$work/mnt/$HATCH_BTRFS_SUBVOL" &&
            cp -R -P -p "$d/." "$work/mnt/$HATCH_BTRFS_SUBVOL/" &&
            chown -R -h 0:0 "$work/mnt/$HATCH_BTRFS_SUBVOL"; } >>"$log" 2>&1 || {
            cat "$log" >&2
            die "cannot fill the btrfs subvolume $HATCH_BTRFS_SUBVOL in $f"
        }
        umount "$work/mnt" || die "cannot unmount $work/mnt"
        rmdir "$work/mnt"
        ;;
    erofs)
        mkfs.erofs --quiet -T "$epoch" --all-root -U "$HATCH_FS_UUID" "$f" "$d" >"$log" 2>&1 ||
            { cat "$log" >&2; die "mkfs.erofs failed for $f"; }
        ;;
    squashfs)
        mksquashfs "$d" "$f" -noappend -all-root -mkfs-time "$epoch" -all-time "$epoch" \
            -quiet -no-progress >"$log" 2>&1 || { cat "$log" >&2; die "mksquashfs failed for $f"; }
        ;;
    f2fs)
        truncate -s "${mib}M" "$f"
        { mkfs.f2fs -q -f -l "$HATCH_FS_LABEL" -U "$HATCH_FS_UUID" "$f" &&
            sload.f2fs -f "$d" -T "$epoch" "$f"; } >"$log" 2>&1 ||
            { cat "$log" >&2; die "mkfs.f2fs or sload.f2fs failed for $f"; }
        ;;
    vfat)
        truncate -s "${mib}M" "$f"
        # mtools dates the files from the clock; nothing here asks for more.
        { mkfs.fat -i "$HATCH_VFAT_ID" -n "$HATCH_VFAT_LABEL" "$f" &&
            (cd "$d" && mcopy -s -p -Q -i "$f" ./* ::/); } >"$log" 2>&1 ||
            { cat "$log" >&2; die "mkfs.fat or mcopy failed for $f"; }
        ;;
    esac
    # erofs and squashfs are as big as their content: pad to the partition.
    [ "$(stat -c %s "$f")" -le $((mib * 1048576)) ] ||
        die "the $ft filesystem outgrew its $mib MiB"
    truncate -s "${mib}M" "$f"
}

# md_super IMAGE ROLE DEVUUID SECTORS: an md metadata 1.2 superblock for a
# RAID1 of two members, this one in role ROLE (0 or 1), at 4 KiB into
# IMAGE's partition at 1 MiB; the data (SECTORS of it) starts 1 MiB into
# the partition. Fields as in the kernel's struct mdp_superblock_1
# (include/uapi/linux/raid/md_p.h), little-endian; its checksum is the
# kernel's calc_sb_1_csum over the 256 bytes and max_dev (2) roles.
md_super() {
    u=$(printf '%s' "$HATCH_MD_UUID" | tr -d -)
    d=$(printf '%s' "$3" | tr -d -)
    esc=$(awk -v u="$u" -v d="$d" -v role="$2" -v sec="$4" -v t="$epoch" -v name="$HATCH_MD_NAME" '
        function le(off, n, v,   i) { for (i = 0; i < n; i++) { b[off + i] = v % 256; v = int(v / 256) } }
        function hex(off, h,   i) { for (i = 0; i < length(h) / 2; i++) b[off + i] = strtonum("0x" substr(h, 2 * i + 1, 2)) }
        BEGIN {
            for (i = 0; i < 260; i++) b[i] = 0
            le(0, 4, 2838187772)      # magic 0xa92b4efc
            le(4, 4, 1)               # major_version
            hex(16, u)                # set_uuid
            for (i = 1; i <= length(name); i++) b[31 + i] = index(" !\"#$%&\047()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~", substr(name, i, 1)) + 31
            le(64, 8, t)              # ctime
            le(72, 4, 1)              # level: raid1
            le(80, 8, sec)            # size (of each member, sectors)
            le(92, 4, 2)              # raid_disks
            le(128, 8, 2048)          # data_offset: 1 MiB
            le(136, 8, sec)           # data_size
            le(144, 8, 8)             # super_offset: 4 KiB (1.2)
            le(160, 4, role)          # dev_number
            hex(168, d)               # device_uuid
            le(192, 8, t)             # utime
            le(200, 8, 1)             # events
            for (i = 208; i < 216; i++) b[i] = 255  # resync_offset: MaxSector (clean)
            le(220, 4, 2)             # max_dev
            le(256, 2, 0); le(258, 2, 1)  # dev_roles
            s = 0
            for (i = 0; i < 260; i += 4) s += b[i] + 256 * (b[i + 1] + 256 * (b[i + 2] + 256 * b[i + 3]))
            le(216, 4, (s % 4294967296 + int(s / 4294967296)) % 4294967296)
            for (i = 0; i < 260; i++) printf "\\%03o", b[i]
        }') || die "cannot compute the md superblock"
    # shellcheck disable=SC2059 # the format is nothing but octal escapes
    printf "$esc" | dd of="$1" bs=512 seek=$((2048 + 8)) conv=notrunc status=none ||
        die "cannot write the md superblock into $1"
}

# put FILE START_MIB: copy a partition's content into the image.
put() {
    dd if="$1" of="$tmp" bs=1M seek="$2" conv=notrunc,sparse status=none ||
        die "dd into $tmp failed"
}

# payload_offset FSFILE PART_START_MIB
payload_offset() {
    blk=$(debugfs -R "bmap /check/payload 0" "$1" 2>/dev/null) || blk=""
    case $blk in '' | *[!0-9]*) die "cannot locate /check/payload in $1" ;; esac
    echo $(($2 * 1048576 + blk * 4096)) >"$tmp.payloadoffset"
}

# gpt_part START_MIB MIB PARTUUID NAME [TYPE]: one sfdisk script line (sectors).
gpt_part() {
    # 0FC63DAF-...: "Linux filesystem data" unless TYPE is given; hatch finds
    # partitions by UUID/label, not by type.
    echo "start=$(($1 * 2048)), size=$(($2 * 2048)), type=${5:-0FC63DAF-8483-4772-8E79-3D69D8477DE4}, uuid=$3, name=\"$4\""
}

partition() {
    sfdisk -q --no-reread --no-tell-kernel "$tmp" >"$work/sfdisk.log" 2>&1 || {
        cat "$work/sfdisk.log" >&2
        die "sfdisk failed on $tmp"
    }
}

stage "$work/root" root
# verity-usr: the programs live in a /usr of their own; the root keeps only
# merged-usr links into its empty /usr.
if [ "$layout" = verity-usr ]; then
    mkdir -p "$work/usr/sbin" "$work/usr/bin" "$work/usr/lib"
    cp "$init" "$work/usr/sbin/init"
    chmod 0755 "$work/usr/sbin/init"
    printf 'ID=hatch-test\nNAME="hatch test /usr"\n' >"$work/usr/lib/os-release"
    printf 'usr\n' >"$work/usr/lib/hatch-disk"
    rm -rf "$work/root/bin" "$work/root/sbin" "$work/root/usr"
    mkdir "$work/root/usr"
    for l in bin sbin lib; do
        ln -s "usr/$l" "$work/root/$l"
    done
fi
# norun: a root without /run, which a read-only mount cannot get.
[ "$layout" != norun ] || rmdir "$work/root/run"
# FAT cannot hold symbolic links; leave no init program hatch would pick.
[ "$fstype" != vfat ] ||
    rm -f "$work/root/sbin/init" "$work/root/sbin/init-link" "$work/root/bin/init"
rm -f "$out.roothash" "$out.usrhash" "$out.hashoffset" "$out.verity" "$out.payloadoffset" \
    "$out.dev2" "$out.key"
R=$HATCH_ROOT_MIB

# verity FSFILE HASHFILE [--hash-offset=N]: hash FSFILE's data blocks.
# The data is $vmib MiB (default $R), the superblock UUID $vuuid (default
# $HATCH_VERITY_UUID), the root hash goes to $vout (default $tmp.roothash).
verity() {
    data=$1 hash=$2
    shift 2
    veritysetup format "$@" --data-blocks=$((${vmib:-$R} * 256)) --salt="$HATCH_VERITY_SALT" \
        --uuid="${vuuid:-$HATCH_VERITY_UUID}" "$data" "$hash" >"$work/verity.txt" 2>&1 || {
        cat "$work/verity.txt" >&2
        die "veritysetup format failed"
    }
    sed -n 's/^Root hash:[[:space:]]*//p' "$work/verity.txt" >"${vout:-$tmp.roothash}"
    [ -s "${vout:-$tmp.roothash}" ] || die "veritysetup printed no root hash"
    # Drop the header line: it names our temp file.
    grep -v "^VERITY header" "$work/verity.txt" >"$tmp.verity"
}

# root_fs MIB: $work/root.fs, the root filesystem of $fstype.
root_fs() {
    if [ "$fstype" = ext4 ]; then
        mkfs "$work/root.fs" "$1" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    else
        mkfs_other "$fstype" "$work/root.fs" "$1" "$work/root"
    fi
}

# luks_fs: $work/root.fs, the ext4 root encrypted in place into a LUKS2
# volume of $R + 2 * $HATCH_LUKS_HDR_MIB MiB (UUID $HATCH_LUKS_UUID, slot 0
# the passphrase, slot 1 the key file $tmp.key). cryptsetup encrypts the
# filesystem in place, moving it up by half of the room given at its end
# (the header goes in front): the room is twice the header's.
luks_fs() {
    H=$HATCH_LUKS_HDR_MIB
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    truncate -s $((R + 2 * H))M "$work/root.fs"
    printf '%s' "$HATCH_LUKS_KEY" >"$tmp.key"
    log=$work/cryptsetup.log
    { printf '%s' "$HATCH_LUKS_PASS" |
        cryptsetup reencrypt --encrypt --type luks2 --batch-mode --uuid "$HATCH_LUKS_UUID" \
            --cipher aes-xts-plain64 --key-size 512 --sector-size 512 \
            --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --reduce-device-size $((2 * H))M \
            --key-file - "$work/root.fs" &&
        printf '%s' "$HATCH_LUKS_PASS" |
        cryptsetup luksAddKey --batch-mode --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
            --key-file - "$work/root.fs" "$tmp.key"; } >"$log" 2>&1 ||
        { cat "$log" >&2; die "cryptsetup could not encrypt the root filesystem"; }
}

case $layout in
plain | mbr | norun | mbr-logical | whole)
    if [ -z "$size" ]; then
        case $fstype in
            ext4) size=$((R + 2)) ;;
            xfs) size=320 ;;
            f2fs) size=128 ;;
            *) size=64 ;;
        esac
        [ "$layout" != whole ] || [ "$fstype" != ext4 ] || size=$R
    fi
    case $size in '' | *[!0-9]* | 0*) die "-s wants a whole number of MiB" ;; esac
    # Partitions: 1 MiB of table before (logical: 2), 1 MiB free after.
    case $layout in
        whole) P=$size start=0 ;;
        mbr-logical) P=$((size - 3)) start=2 ;;
        *) P=$((size - 2)) start=1 ;;
    esac
    [ "$P" -ge 8 ] || die "-s $size leaves no room for a root filesystem"
    root_fs "$P"
    truncate -s "${size}M" "$tmp"
    case $layout in
    plain | norun)
        { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
          gpt_part 1 "$P" "$HATCH_PARTUUID" "$HATCH_PARTLABEL"; } | partition ;;
    mbr)
        { echo "label: dos"; echo "label-id: $HATCH_MBR_ID"
          echo "start=2048, size=$((P * 2048)), type=83"; } | partition ;;
    mbr-logical)
        # p1 extended from 1 MiB to the last MiB; its first logical
        # partition (p5) from 2 MiB, its EBR in the MiB before.
        { echo "label: dos"; echo "label-id: $HATCH_MBR_ID"
          echo "start=2048, size=$(((size - 2) * 2048)), type=5"
          echo "start=4096, size=$((P * 2048)), type=83"; } | partition ;;
    esac
    put "$work/root.fs" "$start"
    [ "$fstype" != ext4 ] || payload_offset "$work/root.fs" "$start"
    ;;
verity-sep | verity-fec)
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    # The hash file has its partition's size before format: FEC parity
    # covers the whole hash device, so both must be the same size.
    truncate -s "${HATCH_HASH_MIB}M" "$work/hash.img"
    if [ "$layout" = verity-fec ]; then
        verity "$work/root.fs" "$work/hash.img" --fec-device="$work/fec.img" --fec-roots=2
        [ "$(stat -c %s "$work/fec.img")" -le $((HATCH_FEC_MIB * 1048576)) ] ||
            die "FEC parity outgrew its ${HATCH_FEC_MIB} MiB partition"
    else
        verity "$work/root.fs" "$work/hash.img"
    fi
    [ "$(stat -c %s "$work/hash.img")" -le $((HATCH_HASH_MIB * 1048576)) ] ||
        die "hash tree outgrew its ${HATCH_HASH_MIB} MiB partition"
    truncate -s $((R + HATCH_HASH_MIB + HATCH_FEC_MIB + 2))M "$tmp"
    { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
      gpt_part 1 "$R" "$HATCH_PARTUUID" "$HATCH_PARTLABEL"
      gpt_part $((1 + R)) "$HATCH_HASH_MIB" "$HATCH_HASH_PARTUUID" "$HATCH_HASH_PARTLABEL"
      [ "$layout" != verity-fec ] ||
          gpt_part $((1 + R + HATCH_HASH_MIB)) "$HATCH_FEC_MIB" "$HATCH_FEC_PARTUUID" \
              "$HATCH_FEC_PARTLABEL"; } | partition
    put "$work/root.fs" 1
    put "$work/hash.img" $((1 + R))
    [ "$layout" != verity-fec ] || put "$work/fec.img" $((1 + R + HATCH_HASH_MIB))
    payload_offset "$work/root.fs" 1
    ;;
verity-inline)
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    # The tree goes right after the filesystem (MiB-aligned, so 4 KiB-aligned too).
    off=$((R * 1048576))
    truncate -s $((R + HATCH_HASH_MIB))M "$work/root.fs"
    verity "$work/root.fs" "$work/root.fs" --hash-offset="$off"
    [ "$(stat -c %s "$work/root.fs")" -le $(((R + HATCH_HASH_MIB) * 1048576)) ] ||
        die "hash tree outgrew the ${HATCH_HASH_MIB} MiB after the filesystem"
    echo "$off" >"$tmp.hashoffset"
    truncate -s $((R + HATCH_HASH_MIB + 2))M "$tmp"
    { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
      gpt_part 1 $((R + HATCH_HASH_MIB)) "$HATCH_PARTUUID" "$HATCH_PARTLABEL"; } | partition
    put "$work/root.fs" 1
    payload_offset "$work/root.fs" 1
    ;;
btrfs-raid1)
    : "${size:=96}"
    case $size in '' | *[!0-9]* | 0*) die "-s wants a whole number of MiB" ;; esac
    log=$work/mkfs-btrfs-raid1.log
    truncate -s "${size}M" "$tmp" "$tmp.dev2"
    # --mixed: small disks; the empty BLKID_FILE as for -f btrfs.
    BLKID_FILE=$work/blkid.tab mkfs.btrfs -q -f --mixed -d raid1 -m raid1 -L "$HATCH_FS_LABEL" \
        -U "$HATCH_BTRFS_RAID_UUID" "$tmp" "$tmp.dev2" >"$log" 2>&1 ||
        { cat "$log" >&2; die "mkfs.btrfs failed for $tmp and $tmp.dev2"; }
    # mkfs.btrfs --rootdir takes one device only: fill it mounted.
    l1=$(losetup -f --show "$tmp") || die "no loop device for $tmp"
    loops=$l1
    l2=$(losetup -f --show "$tmp.dev2") || die "no loop device for $tmp.dev2"
    loops="$l1 $l2"
    mkdir -p "$work/mnt"
    { btrfs device scan "$l1" "$l2" && mount -t btrfs -o "device=$l2" "$l1" "$work/mnt" &&
        cp -R -P -p "$work/root/." "$work/mnt/" && chown -R -h 0:0 "$work/mnt" &&
        umount "$work/mnt"; } >>"$log" 2>&1 || {
        cat "$log" >&2
        die "cannot fill the btrfs over $tmp and $tmp.dev2 (mounted from loop devices)"
    }
    rmdir "$work/mnt"
    # The host's btrfs forgets them, so nothing points at detached loops.
    btrfs device scan --forget "$l1" "$l2" >>"$log" 2>&1 || :
    losetup -d "$l1" "$l2"
    loops=""
    ;;
md-raid1)
    # Each member: 1 MiB (superblock at 4 KiB) before the array's data,
    # which is the filesystem; RAID1 keeps it as it is on every member.
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    truncate -s $((R + 3))M "$tmp" "$tmp.dev2"
    { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
      gpt_part 1 $((R + 1)) "$HATCH_MD_PARTUUID1" hatch-md1 |
          sed 's/type=[^,]*/type=A19D880F-05FC-4D3B-A006-743F0F84911E/'; } | partition
    mv "$tmp" "$tmp.one"
    cp "$tmp.one" "$tmp"
    { echo "label: gpt"; echo "label-id: $HATCH_MD_DISK_GUID2"
      gpt_part 1 $((R + 1)) "$HATCH_MD_PARTUUID2" hatch-md2 |
          sed 's/type=[^,]*/type=A19D880F-05FC-4D3B-A006-743F0F84911E/'; } | partition
    mv "$tmp" "$tmp.dev2"
    mv "$tmp.one" "$tmp"
    for n in 1 2; do
        f=$tmp
        [ "$n" = 1 ] || f=$tmp.dev2
        eval "du=\$HATCH_MD_DEV_UUID$n"
        # shellcheck disable=SC2154 # du is set by the eval
        md_super "$f" $((n - 1)) "$du" $((R * 2048))
        dd if="$work/root.fs" of="$f" bs=1M seek=2 conv=notrunc,sparse status=none ||
            die "dd into $f failed"
    done
    payload_offset "$work/root.fs" 2
    ;;
luks)
    luks_fs
    truncate -s $((R + 2 * H + 2))M "$tmp"
    { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
      gpt_part 1 $((R + 2 * H)) "$HATCH_LUKS_PARTUUID" "$HATCH_LUKS_PARTLABEL"; } | partition
    put "$work/root.fs" 1
    ;;
verity-usr)
    U=$HATCH_USR_MIB
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    mkfs "$work/usr.fs" "$U" "$HATCH_USR_FS_LABEL" "$HATCH_USR_FS_UUID" "$work/usr"
    truncate -s "${HATCH_HASH_MIB}M" "$work/usrhash.img"
    vmib=$U vuuid=$HATCH_USR_VERITY_UUID vout=$tmp.usrhash
    verity "$work/usr.fs" "$work/usrhash.img"
    [ "$(stat -c %s "$work/usrhash.img")" -le $((HATCH_HASH_MIB * 1048576)) ] ||
        die "the usr hash tree outgrew its ${HATCH_HASH_MIB} MiB partition"
    uh=$(cat "$tmp.usrhash")
    case $uh in *[!0-9a-f]* | '') die "the usr root hash '$uh' is not lower-case hex" ;; esac
    [ ${#uh} -eq 64 ] || die "the usr root hash '$uh' is not 256 bits"
    # 8-4-4-4-12 of 32 hex digits: the data partition's from the first
    # half of the hash, the hash partition's from the second.
    uuid_of() {
        printf '%s\n' "$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\)$/\1-\2-\3-\4-\5/'
    }
    udata=$(uuid_of "$(printf '%s' "$uh" | cut -c1-32)")
    uhash=$(uuid_of "$(printf '%s' "$uh" | cut -c33-64)")
    truncate -s $((R + U + HATCH_HASH_MIB + 2))M "$tmp"
    { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
      gpt_part 1 "$R" "$HATCH_USRDISK_ROOT_PARTUUID" "$HATCH_USRDISK_ROOT_PARTLABEL"
      gpt_part $((1 + R)) "$U" "$udata" "$HATCH_USR_PARTLABEL" "$HATCH_USR_PARTTYPE"
      gpt_part $((1 + R + U)) "$HATCH_HASH_MIB" "$uhash" "$HATCH_USR_HASH_PARTLABEL" \
          "$HATCH_USR_VERITY_PARTTYPE"; } | partition
    put "$work/root.fs" 1
    put "$work/usr.fs" $((1 + R))
    put "$work/usrhash.img" $((1 + R + U))
    payload_offset "$work/root.fs" 1
    ;;
twoparts)
    stage "$work/decoy" decoy
    D=$HATCH_DECOY_MIB
    mkfs "$work/decoy.fs" "$D" "$HATCH_DECOY_FS_LABEL" "$HATCH_DECOY_FS_UUID" "$work/decoy"
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    truncate -s $((D + R + 2))M "$tmp"
    { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
      gpt_part 1 "$D" "$HATCH_DECOY_PARTUUID" "$HATCH_DECOY_PARTLABEL"
      gpt_part $((1 + D)) "$R" "$HATCH_PARTUUID" "$HATCH_PARTLABEL"; } | partition
    put "$work/decoy.fs" 1
    put "$work/root.fs" $((1 + D))
    payload_offset "$work/root.fs" $((1 + D))
    ;;
lvm-linear | lvm-striped | lvm-luks)
    command -v lvm >/dev/null || die "the $layout layout needs the host's lvm2 tools (apt install lvm2)"
    # L: the LV's size in MiB, that of what goes into it ($work/root.fs).
    vg=$HATCH_LVM_VG n=1 L=$R
    case $layout in
    lvm-striped)
        vg=$HATCH_LVM_STRIPED_VG n=2
        mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root" ;;
    lvm-luks)
        vg=$HATCH_LVM_LUKS_VG L=$((R + 2 * HATCH_LUKS_HDR_MIB))
        luks_fs ;;
    *)
        mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root" ;;
    esac
    [ "$(stat -c %s "$work/root.fs")" = $((L * 1048576)) ] ||
        die "$work/root.fs is not the $L MiB of $vg/$HATCH_LVM_LV"
    log=$work/lvm.log
    # Each disk: 1 MiB of LVM label and metadata, its share of the LV, 2 MiB spare.
    truncate -s $((1 + L / n + 2))M "$tmp"
    l1=$(losetup -f --show "$tmp") || die "no loop device for $tmp"
    loops=$l1 pvl=$l1
    if [ "$n" = 2 ]; then
        truncate -s $((1 + L / n + 2))M "$tmp.dev2"
        l2=$(losetup -f --show "$tmp.dev2") || die "no loop device for $tmp.dev2"
        loops="$l1 $l2" pvl="$l1 $l2"
    fi
    # Only these loop devices; no device-mapper (activation off), no
    # daemons, no metadata backups in the host's /etc/lvm.
    lvmc() {
        # shellcheck disable=SC2086 # the PV list, split on purpose
        LVM_SUPPRESS_FD_WARNINGS=1 lvm "$@" --devices "$(echo $pvl | tr ' ' ',')" --driverloaded n \
            --config 'global { event_activation = 0 } activation { udev_sync = 0 udev_rules = 0 } backup { backup = 0 archive = 0 }'
    }
    # shellcheck disable=SC2086
    { lvmc pvcreate $pvl && lvmc vgcreate -s 1M "$vg" $pvl &&
        if [ "$n" = 1 ]; then
            lvmc lvcreate -an -Zn -n "$HATCH_LVM_LV" -L "${L}M" "$vg"
        else
            lvmc lvcreate -an -Zn -n "$HATCH_LVM_LV" -L "${L}M" -i 2 -I "${HATCH_LVM_STRIPE_KIB}k" "$vg"
        fi; } >"$log" 2>&1 || { cat "$log" >&2; die "lvm could not make $vg/$HATCH_LVM_LV on $pvl"; }
    # Where the LV's extents are: PE n of a PV is at pe_start + n MiB.
    ranges=$(lvmc lvs --noheadings --segments -o seg_pe_ranges "$vg/$HATCH_LVM_LV" 2>>"$log" | tr -s ' ' | sed 's/^ //; s/ $//')
    pe1=$(lvmc pvs --noheadings --units b --nosuffix -o pe_start "$l1" 2>>"$log" | tr -d ' ')
    case $pe1 in '' | *[!0-9]*) cat "$log" >&2; die "lvm did not say where the extents of $l1 start" ;; esac
    if [ "$n" = 1 ]; then
        [ "$ranges" = "$l1:0-$((L - 1))" ] || die "unexpected extents for $vg/$HATCH_LVM_LV: '$ranges'"
        dd if="$work/root.fs" of="$tmp" bs=1M seek="$pe1" oflag=seek_bytes conv=notrunc,sparse status=none ||
            die "dd into $tmp failed"
    else
        pe2=$(lvmc pvs --noheadings --units b --nosuffix -o pe_start "$l2" 2>>"$log" | tr -d ' ')
        [ "$pe2" = "$pe1" ] || die "the PVs' extents start at $pe1 and '$pe2'"
        [ "$ranges" = "$l1:0-$((L / 2 - 1)) $l2:0-$((L / 2 - 1))" ] ||
            die "unexpected extents for $vg/$HATCH_LVM_LV: '$ranges'"
        # Stripe k of the LV is stripe k/2 of disk k%2.
        chunks=$((L * 1024 / HATCH_LVM_STRIPE_KIB)) k=0
        while [ "$k" -lt "$chunks" ]; do
            if [ $((k % 2)) = 0 ]; then d=$tmp; else d=$tmp.dev2; fi
            half=$((k / 2))
            dd if="$work/root.fs" of="$d" bs="${HATCH_LVM_STRIPE_KIB}K" skip="$k" count=1 \
                seek=$((pe1 + half * HATCH_LVM_STRIPE_KIB * 1024)) oflag=seek_bytes \
                conv=notrunc,sparse status=none || die "dd into $d failed"
            k=$((k + 1))
        done
    fi
    # shellcheck disable=SC2086
    losetup -d $loops
    loops=""
    ;;
lvm-raid1 | lvm-thin)
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    # Each disk: 1 MiB of LVM label and metadata, then raid1: a 1 MiB rmeta
    # and the rimage; thin: the pool's data (4 MiB over the LV), its 4 MiB
    # metadata and as much again for lvm's spare metadata LV; 3 MiB spare.
    if [ "$layout" = lvm-raid1 ]; then
        truncate -s $((1 + 1 + R + 3))M "$tmp" "$tmp.dev2"
        sh "$here/guest-lvm.sh" -l raid1 -v "$HATCH_LVM_RAID_VG" -n "$HATCH_LVM_LV" \
            -f "$work/root.fs" -o "$tmp" -2 "$tmp.dev2" -L "$work/guest.log"
    else
        truncate -s $((1 + R + 4 + 4 + 4 + 3))M "$tmp"
        sh "$here/guest-lvm.sh" -l thin -v "$HATCH_LVM_THIN_VG" -n "$HATCH_LVM_LV" \
            -p "$HATCH_LVM_THIN_POOL" -f "$work/root.fs" -o "$tmp" -L "$work/guest.log"
    fi
    ;;
esac

# Side files first, image last: a present IMAGE implies complete side files.
for s in roothash usrhash hashoffset verity payloadoffset dev2 key; do
    [ ! -f "$tmp.$s" ] || mv "$tmp.$s" "$out.$s"
done
mv "$tmp" "$out"
echo "hatch: mkdisk: $out ($layout, $fstype, $(stat -c %s "$out") bytes)"
