#!/bin/sh
# Write the checked-in seed corpora tests/fuzz/corpus/NAME/ (run by hand when
# they need to change; the output is committed, the fuzz runs only copy it).
# The verity superblocks come from the unit-test fixtures, which stock
# veritysetup makes (tests/unit/mkfixtures.sh).
#
# usage: tests/fuzz/mkseeds.sh [FIXTURES_DIR]   (default build/test/fixtures)
set -eu
cd "$(dirname "$0")/../.."
fix=${1:-build/test/fixtures}
c=tests/fuzz/corpus

[ -f "$fix/.done" ] || sh tests/unit/mkfixtures.sh "$fix"

# seed NAME FILE PRINTF-FORMAT: printf's escapes (\000 for NUL) are the way
# to write bytes; the format never takes arguments.
seed() {
    mkdir -p "$c/$1"
    # shellcheck disable=SC2059
    printf "$3" >"$c/$1/$2"
}

# --- devspec: root= values, the accepted forms and the refused ones --------
seed devspec uuid 'UUID=8f3a6d2e-4b1c-4e8a-9d7f-2a6c5e1b0c11'
seed devspec uuid-lower-tag 'uuid=abcd-1234'
seed devspec label-quoted 'LABEL="my disk"'
seed devspec label-single-quoted "LABEL='EFI'"
seed devspec gpt-auto 'gpt-auto'
seed devspec partuuid-nroff 'PARTUUID=11111111-2222-3333-4444-555555555555/PARTNROFF=1'
seed devspec partuuid-mbr-nroff-neg 'PARTUUID=abcdef01-02/PARTNROFF=-3'
seed devspec partlabel 'PARTLABEL=hatch-root'
seed devspec path '/dev/vda2'
seed devspec mapper '/dev/mapper/root'
seed devspec devnum '254:2'
seed devspec by-label-escaped '/dev/disk/by-label/my\\x20disk'
seed devspec by-partuuid '/dev/disk/by-partuuid/abcdef01-02'
seed devspec by-uuid '/dev/disk/by-uuid/ABCD-1234'
seed devspec by-partlabel '/dev/disk/by-partlabel/esp'
seed devspec bad-empty-label 'LABEL=""'
seed devspec bad-nested '/dev/a/b'
seed devspec bad-devnum '4096:1'
seed devspec bad-nroff 'PARTUUID=x/PARTNROFF=129'
seed devspec bad-word 'rootfs'
seed devspec long-label "LABEL=$(printf '%0130d' 0)"

# --- uevent: netlink datagrams, as the kernel sends them (no final NUL) ----
seed uevent add-partition 'add@/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1\000ACTION=add\000DEVPATH=/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1\000SUBSYSTEM=block\000MAJOR=254\000MINOR=1\000DEVNAME=vda1\000DEVTYPE=partition\000PARTN=1\000SEQNUM=1234\000'
seed uevent change-dm 'change@/devices/virtual/block/dm-0\000ACTION=change\000DEVPATH=/devices/virtual/block/dm-0\000SUBSYSTEM=block\000MAJOR=253\000MINOR=0\000DEVNAME=dm-0\000DEVTYPE=disk\000DM_NAME=root\000SEQNUM=77'
seed uevent add-modalias 'add@/devices/pci0000:00/0000:00:03.0\000ACTION=add\000DEVPATH=/devices/pci0000:00/0000:00:03.0\000SUBSYSTEM=pci\000MODALIAS=pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\000SEQNUM=5'
seed uevent truncated-tail 'add@/d\000ACTION=add\000DEVPATH=/d\000MODAL'
seed uevent libudev 'libudev\000\376\355\312\376'
seed uevent no-action 'add@/x\000DEVPATH=/x\000'
seed uevent header-only 'remove@/devices/virtual/block/loop0'

# --- mdexport: what mdadm --incremental / --examine --export print ----------
seed mdexport started 'MD_DEVICE=md127\nMD_DEVNAME=hatch:root\nMD_FOREIGN=yes\nMD_STARTED=yes\n'
seed mdexport unsafe 'MD_DEVICE=md127\nMD_DEVNAME=root\nMD_FOREIGN=no\nMD_STARTED=unsafe'
seed mdexport named 'MD_DEVICE=md_data\nMD_STARTED=no\n'
seed mdexport examine 'MD_LEVEL=raid1\nMD_DEVICES=2\nMD_NAME=hatch:root\nMD_UUID=2f8e6c4a:1b3d4e5f:8a9b0c1d:2e3f4a5b\nMD_UPDATE_TIME=1704067200\nMD_DEV_UUID=71a2b3c4:d5e64f70:8192a3b4:c5d6e7f8\nMD_EVENTS=1\n'
seed mdexport path 'MD_DEVICE=md1/../sda\nMD_DEVICES=99999999999\nMD_STARTED'

# --- mountopts: first byte picks the starting flags, then rootflags= ------
seed mountopts ext4 '\000noatime,data=journal,rw,nosuid,errors=remount-ro'
seed mountopts empty-items '\001,,ro,'
seed mountopts prefixes '\002roo,r,nodiratim,atime'
seed mountopts defaults '\003defaults'
seed mountopts btrfs '\004subvol=@root,compress=zstd:3,ro,device=/dev/vdb'
seed mountopts every-word '\000ro,rw,nosuid,suid,nodev,dev,noexec,exec,sync,async,dirsync,noatime,atime,nodiratime,diratime,relatime,norelatime,strictatime,lazytime,nolazytime,defaults'

# --- verity_sb: superblocks veritysetup wrote, and edits of one ----------
mkdir -p "$c/verity_sb"
for f in sha256 sha1-nosalt sha512; do
    head -c 512 "$fix/$f.hash" >"$c/verity_sb/$f"
done
dd if="$fix/inline.img" of="$c/verity_sb/inline" bs=512 skip=2048 count=1 2>/dev/null

# edit NAME OFFSET PRINTF-FORMAT: the sha256 superblock with bytes replaced.
edit() {
    cp "$c/verity_sb/sha256" "$c/verity_sb/$1"
    # shellcheck disable=SC2059
    printf "$3" | dd of="$c/verity_sb/$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
edit chromeos-type0 12 '\000\000\000\000'
edit upper-alg 32 'SHA256\000'
edit blake2b 32 'blake2b-512\000'
edit unknown-alg 32 'md5\000'
edit version2 8 '\002'
edit salt-256 80 '\000\001'
edit salt-257 80 '\001\001'
edit blocks-4096-512 64 '\000\020\000\000\000\002\000\000'
edit blocks-1024 64 '\000\004\000\000\000\004\000\000'
edit data-blocks-huge 72 '\377\377\377\377\377\377\377\037'
edit data-blocks-zero 72 '\000\000\000\000\000\000\000\000'
edit alg-unterminated 32 'sha256sha256sha256sha256sha256sh'

echo "fuzz: seeds: $(find "$c" -type f | wc -l) files, $(find "$c" -type f -exec cat {} + | wc -c) bytes"
