#!/bin/sh
# Build a small, reproducible test disk image for hatch's QEMU tests.
#
# usage: qemu/mkdisk.sh -o IMAGE -i CHECKINIT [-l LAYOUT]
#        qemu/mkdisk.sh -o IMAGE -l blank|blank-gpt|blank-mbr [-s MIB] [-n N]
#   LAYOUT: plain (default) | verity-sep | verity-fec | verity-inline | mbr | twoparts
#   | norun   (verity-fec: verity-sep plus FEC parity, 2 roots, on p3;
#   norun: plain without a /run directory on the root)
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
# Needs no root and no loop devices: the filesystem is made in a plain file
# by mke2fs -d, the partition table is written by sfdisk straight into the
# image file, and the filesystem is copied in at its partition's offset.
# Identifiers come from qemu/disk-ids.sh.
#
# Besides IMAGE it writes (and removes stale copies of):
#   IMAGE.payloadoffset  byte offset in IMAGE of /check/payload's first block
#                        on the real root (tests corrupt it to trip dm-verity)
#   IMAGE.roothash       verity layouts: the root hash (hex)
#   IMAGE.verity         verity layouts: veritysetup format's report
#   IMAGE.hashoffset     verity-inline: the hash tree offset in bytes within p1
set -eu

die() {
    echo "hatch: mkdisk: $*" >&2
    exit 1
}

here=$(dirname "$0")
# shellcheck source=qemu/disk-ids.sh disable=SC1091  # followed with shellcheck -x from the repo root
. "$here/disk-ids.sh"

out="" init="" layout=plain size="" num=""
while getopts o:i:l:s:n: opt; do
    case $opt in
        o) out=$OPTARG ;;
        i) init=$OPTARG ;;
        l) layout=$OPTARG ;;
        s) size=$OPTARG ;;
        n) num=$OPTARG ;;
        *) die "usage: mkdisk.sh -o IMAGE -i CHECKINIT [-l plain|verity-sep|verity-fec|verity-inline|mbr|twoparts|norun], or -o IMAGE -l blank|blank-gpt|blank-mbr [-s MIB] [-n N]" ;;
    esac
done
case $layout in
    plain | verity-sep | verity-fec | verity-inline | mbr | twoparts | norun)
        [ -z "$size$num" ] || die "-s and -n are only for the blank layouts" ;;
    blank | blank-gpt | blank-mbr) ;;
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
    rm -f "$out.roothash" "$out.hashoffset" "$out.verity" "$out.payloadoffset"
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
for t in mke2fs debugfs sfdisk dd truncate; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
case $layout in verity-*)
    command -v veritysetup >/dev/null 2>&1 || die "veritysetup not found (cryptsetup-bin)" ;;
esac

epoch=${SOURCE_DATE_EPOCH:-$HATCH_DEFAULT_EPOCH}
# mke2fs and debugfs take their clock from here: superblock and root
# directory times would otherwise be "now" and the image never reproducible.
E2FSPROGS_FAKE_TIME=$epoch
export E2FSPROGS_FAKE_TIME

work=$(mktemp -d "${TMPDIR:-/tmp}/hatch-mkdisk.XXXXXX")
tmp="$out.tmp.$$"
trap 'rm -rf "$work" "$tmp"' EXIT
trap 'exit 130' INT TERM

# stage DIR KIND: the tree the check init expects; KIND lands in
# /etc/hatch-disk so a test can tell which filesystem got mounted.
stage() {
    d=$1
    mkdir -p "$d/sbin" "$d/bin" "$d/etc" "$d/proc" "$d/sys" "$d/dev" "$d/run" "$d/tmp" \
        "$d/check"
    cp "$init" "$d/sbin/real-init"
    cp "$init" "$d/sbin/alt-init"
    cp "$init" "$d/bin/init"
    chmod 0755 "$d/sbin/real-init" "$d/sbin/alt-init" "$d/bin/init"
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

# gpt_part START_MIB MIB PARTUUID NAME: one sfdisk script line (sectors).
gpt_part() {
    # 0FC63DAF-...: "Linux filesystem data" for every partition; hatch finds
    # partitions by UUID/label, not by type.
    echo "start=$(($1 * 2048)), size=$(($2 * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$3, name=\"$4\""
}

partition() {
    sfdisk -q --no-reread --no-tell-kernel "$tmp" >"$work/sfdisk.log" 2>&1 || {
        cat "$work/sfdisk.log" >&2
        die "sfdisk failed on $tmp"
    }
}

stage "$work/root" root
# norun: a root without /run, which a read-only mount cannot get.
[ "$layout" != norun ] || rmdir "$work/root/run"
rm -f "$out.roothash" "$out.hashoffset" "$out.verity" "$out.payloadoffset"
R=$HATCH_ROOT_MIB

# verity FSFILE HASHFILE [--hash-offset=N]: hash FSFILE's data blocks.
verity() {
    data=$1 hash=$2
    shift 2
    veritysetup format "$@" --data-blocks=$((R * 256)) --salt="$HATCH_VERITY_SALT" \
        --uuid="$HATCH_VERITY_UUID" "$data" "$hash" >"$work/verity.txt" 2>&1 || {
        cat "$work/verity.txt" >&2
        die "veritysetup format failed"
    }
    sed -n 's/^Root hash:[[:space:]]*//p' "$work/verity.txt" >"$tmp.roothash"
    [ -s "$tmp.roothash" ] || die "veritysetup printed no root hash"
    # Drop the header line: it names our temp file.
    grep -v "^VERITY header" "$work/verity.txt" >"$tmp.verity"
}

case $layout in
plain | mbr | norun)
    mkfs "$work/root.fs" "$R" "$HATCH_FS_LABEL" "$HATCH_FS_UUID" "$work/root"
    truncate -s $((R + 2))M "$tmp"
    if [ "$layout" != mbr ]; then
        { echo "label: gpt"; echo "label-id: $HATCH_DISK_GUID"
          gpt_part 1 "$R" "$HATCH_PARTUUID" "$HATCH_PARTLABEL"; } | partition
    else
        { echo "label: dos"; echo "label-id: $HATCH_MBR_ID"
          echo "start=2048, size=$((R * 2048)), type=83"; } | partition
    fi
    put "$work/root.fs" 1
    payload_offset "$work/root.fs" 1
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
esac

# Side files first, image last: a present IMAGE implies complete side files.
for s in roothash hashoffset verity payloadoffset; do
    [ ! -f "$tmp.$s" ] || mv "$tmp.$s" "$out.$s"
done
mv "$tmp" "$out"
echo "hatch: mkdisk: $out ($layout, $(stat -c %s "$out") bytes)"
