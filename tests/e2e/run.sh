#!/bin/bash
# End-to-end tests: boot Debian's kernel in QEMU with a hatch initramfs and a
# real disk image, and assert on the check init's HATCH-CHECK line or on an
# exact hatch failure line. usage: tests/e2e/run.sh [NAME-REGEX]
#
# Every case appends "panic=-1 rd.emergency=poweroff" unless it says
# otherwise, so a failing boot ends QEMU at once instead of at the timeout.
set -eu
cd "$(dirname "$0")/../.."
# shellcheck source=qemu/disk-ids.sh
. qemu/disk-ids.sh

T=${HATCH_E2E_DIR:-build/test/e2e} # a separate dir lets two runs go side by side
K=build/kernel
KVER=$(cat "$K/kver")
JOBS=${HATCH_E2E_JOBS:-2}
FILTER=${1:-}
mkdir -p "$T/logs" "$T/res"
rm -f "$T"/res/* "$T"/logs/*

die() { echo "hatch: e2e: $*" >&2; exit 1; }
# The kernel's ELF, booted through PVH: half the wall time of the bzImage.
[ -s "$K/vmlinux" ] || die "$K/vmlinux is missing (make $K/vmlinux makes it)"

# --- images ------------------------------------------------------------------
initrd() { # NAME [mkinitramfs options]
    local name=$1
    shift
    sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$T/$name.cpio" "$@" \
        >"$T/logs/mkinitramfs-$name.log" 2>&1 ||
        { cat "$T/logs/mkinitramfs-$name.log"; die "mkinitramfs.sh for $name failed"; }
}
disk() { # NAME LAYOUT
    sh qemu/mkdisk.sh -o "$T/$1.img" -i build/checkinit -l "$2" >"$T/logs/mkdisk-$1.log" 2>&1 ||
        { cat "$T/logs/mkdisk-$1.log"; die "mkdisk.sh for $1 failed"; }
}
flip() { # IMAGE OFFSET: change one byte at OFFSET
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf '%b' "\\0$(printf '%03o' $(((b + 1) % 256)))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
part_start() { # IMAGE N: byte offset of partition N
    sfdisk -d "$1" | awk -v n="$1$2" '$1 == n { sub(",", "", $4); print $4 * 512 }'
}

echo "hatch: e2e: building images"
start=$(date +%s)
# An image built for a kernel version that is not the one booted.
otherk() {
    rm -rf "$T/otherk"
    mkdir -p "$T/otherk/lib/modules"
    cp -a "$K/root/lib/modules/$KVER" "$T/otherk/lib/modules/6.1.0-99-amd64"
    sh mkinitramfs.sh -k 6.1.0-99-amd64 -b "$T/otherk" -o "$T/otherk.cpio" -H base,modules \
        >"$T/logs/mkinitramfs-otherk.log" 2>&1 || die "mkinitramfs.sh for otherk failed"
    rm -rf "$T/otherk"
}
# Nothing here depends on another: two at a time.
{ initrd std; initrd none -c none; initrd xz -c xz; otherk; disk vsep verity-sep; disk vin verity-inline; } &
b1=$!
{
    initrd gzip -c gzip
    initrd lz4 -c lz4
    disk plain plain
    disk mbr mbr
    disk twoparts twoparts
    disk norun norun
    disk vfec verity-fec
} &
b2=$!
wait "$b1" || die "building the images failed (see above)"
wait "$b2" || die "building the images failed (see above)"
# GPT auto-discovery: copies with partition types and flags set by sfdisk.
ROOT_TYPE=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709
gptdisk() { # NAME FROM N/TYPE[/ATTRS]...
    local name=$1 from=$2 p n t a
    shift 2
    cp "$T/$from.img" "$T/$name.img"
    for p; do
        IFS=/ read -r n t a <<<"$p"
        sfdisk -q --part-type "$T/$name.img" "$n" "$t" >>"$T/logs/sfdisk-$name.log" 2>&1 ||
            die "sfdisk --part-type failed for $name"
        [ -z "$a" ] || sfdisk -q --part-attrs "$T/$name.img" "$n" "$a" >>"$T/logs/sfdisk-$name.log" 2>&1 ||
            die "sfdisk --part-attrs failed for $name"
    done
}
gptdisk gptauto plain "1/$ROOT_TYPE"
gptdisk gptauto-ro plain "1/$ROOT_TYPE/GUID:60"
gptdisk gptauto-noauto twoparts "1/$ROOT_TYPE/GUID:63" "2/$ROOT_TYPE"
gptdisk gptauto-two twoparts "1/$ROOT_TYPE" "2/$ROOT_TYPE"
RH_SEP=$(cat "$T/vsep.img.roothash")
# A root hash that differs from RH_SEP in its last digit (whatever that is).
RH_WRONG=${RH_SEP:0:63}$([ "${RH_SEP: -1}" = 0 ] && echo 1 || echo 0)
RH_IN=$(cat "$T/vin.img.roothash")
RH_FEC=$(cat "$T/vfec.img.roothash")
OFF_IN=$(cat "$T/vin.img.hashoffset")
# A data block of /check/payload changed under the hash tree.
cp "$T/vsep.img" "$T/vsep-corrupt.img"
flip "$T/vsep-corrupt.img" "$(cat "$T/vsep.img.payloadoffset")"
# The same data block corrupted under FEC parity, which can repair it.
cp "$T/vfec.img" "$T/vfec-corrupt.img"
flip "$T/vfec-corrupt.img" "$(cat "$T/vfec.img.payloadoffset")"
# The verity superblock's magic broken.
cp "$T/vsep.img" "$T/vsep-badsb.img"
flip "$T/vsep-badsb.img" "$(part_start "$T/vsep.img" 2)"
# The Discoverable Partitions Specification's verity layout, which roothash=
# alone finds: partitions whose PARTUUIDs are the halves of the root hash
# (vsep-derived), or else of the types root-x86-64 and root-x86-64-verity
# (vsep-typed, whose PARTUUIDs are unrelated to the hash).
ROOT_VERITY_TYPE=2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5
gptdisk vsep-typed vsep "1/$ROOT_TYPE" "2/$ROOT_VERITY_TYPE"
hash_uuid() { # HEX32: as a UUID
    echo "${1:0:8}-${1:8:4}-${1:12:4}-${1:16:4}-${1:20:12}"
}
RH_DATA_PARTUUID=$(hash_uuid "${RH_SEP:0:32}")
cp "$T/vsep.img" "$T/vsep-derived.img"
{ sfdisk -q --part-uuid "$T/vsep-derived.img" 1 "$RH_DATA_PARTUUID" &&
    sfdisk -q --part-uuid "$T/vsep-derived.img" 2 "$(hash_uuid "${RH_SEP: -32}")"; } \
    >>"$T/logs/sfdisk-vsep-derived.log" 2>&1 || die "sfdisk --part-uuid failed for vsep-derived"
# Locked-down images: one with the root hash pinned (poweroff, so a refused
# boot ends QEMU at once), one with the default action (halt).
initrd lock --lockdown --lockdown-action poweroff --roothash "$RH_SEP"
initrd lockhalt --lockdown
echo "hatch: e2e: images built in $(($(date +%s) - start)) s"

# --- running cases -------------------------------------------------------------
ok() { printf 'HATCH-CHECK result=ok pid=1 root=%s ' "$1"; }
TAIL="panic=-1 rd.emergency=poweroff"

# any_wanted CASE...: does FILTER pick one of these cases? A case file makes
# its disks and images only then.
any_wanted() {
    local c
    for c in "$@"; do
        [[ $c =~ $FILTER ]] && return 0
    done
    return 1
}

# boot NAME DISK INITRD APPEND [boot.sh options...]; DISK may be "-".
boot() {
    local name=$1 dsk=$2 img=$3 append=$4
    shift 4
    [[ $name =~ $FILTER ]] || return 0
    local args=(--kernel "$K/vmlinux" --initrd "$T/$img.cpio" --append "$append"
        --log "$T/logs/$name.log" --timeout 120)
    [ "$dsk" = - ] || args+=(--disk "$T/$dsk.img")
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
    (
        local post=post_${name//-/_}
        declare -F "$post" >/dev/null || post=:
        if bash qemu/boot.sh "${args[@]}" "$@" >"$T/logs/$name.out" 2>&1 &&
            "$post" >>"$T/logs/$name.out" 2>&1; then
            echo pass >"$T/res/$name"
        else
            echo fail >"$T/res/$name"
        fi
    ) &
}

# A case may add assertions on its log in a function post_NAME (dashes
# become underscores), run after the boot passed.

# The rescue shell's prompt (set by hatch), where cases type commands.
PROMPT='hatch# '

# Seconds between two kernel-timestamped lines of a log.
gap() { # LOG RE1 RE2
    awk -v a="$2" -v b="$3" '
        function ts(l) { sub(/^\[ */, "", l); sub(/\].*/, "", l); return l + 0 }
        $0 ~ a && !t1 { t1 = ts($0) } $0 ~ b && !t2 { t2 = ts($0) }
        END { if (t1 && t2) printf "%.2f\n", t2 - t1; else print "none" }' "$1"
}

post_root_missing_timeout() {
    local g
    g=$(gap "$T/logs/root-missing-timeout.log" "hatch: waiting up to 3 s" "did not appear")
    echo "wait lasted $g s"
    awk -v g="$g" 'BEGIN { exit !(g != "none" && g >= 2.9 && g < 4.5) }'
}

post_initramfs_freed() {
    local line u s
    line=$(grep -a 'HATCH-CHECK' "$T/logs/initramfs-freed.log")
    u=$(printf '%s\n' "$line" | sed -n 's/.* unevictable_kb=\([0-9]*\).*/\1/p')
    s=$(printf '%s\n' "$line" | sed -n 's/.* shmem_kb=\([0-9]*\).*/\1/p')
    echo "unevictable_kb=$u shmem_kb=$s"
    # ramfs pages are unevictable: the initramfs (megabytes of modules) must
    # be gone; the 8 MiB tmpfs mounted inside it must still be there (Shmem
    # is a little behind: per-CPU counters), where a plain boot has ~30 kB.
    [ -n "$u" ] && [ "$u" -lt 1024 ] && [ -n "$s" ] && [ "$s" -ge 6144 ]
}

E='HATCH-CHECK result=ok'
DEV1=/dev/vda1
VSYS="systemd.verity_root_data=PARTLABEL=$HATCH_PARTLABEL systemd.verity_root_hash=PARTLABEL=$HATCH_HASH_PARTLABEL"

# Root forms
boot root-devname plain std "root=/dev/vda1 $TAIL" --expect "$(ok $DEV1)rootdev=254:1 fstype=ext4 mode=ro .* argc=1 argv=/sbin/init .* fds=0,1,2 hatch_ms=[0-9]+\.[0-9]{3} reads=vda:[0-9]+/[0-9]+,vda1:[0-9]+/[0-9]+ usr=- stages=cmdline:[0-9]+\.[0-9]{3},modules:[0-9.]+,root:[0-9.]+,mount:[0-9.]+,switch:[0-9.]+$"
boot root-uuid plain std "root=UUID=$HATCH_FS_UUID $TAIL" --expect "$(ok $DEV1)"
boot root-uuid-upper-quoted plain std "root=UUID=\"${HATCH_FS_UUID^^}\" $TAIL" --expect "$(ok $DEV1)"
boot root-label plain std "root=LABEL=$HATCH_FS_LABEL $TAIL" --expect "$(ok $DEV1)"
boot root-partuuid plain std "root=PARTUUID=$HATCH_PARTUUID $TAIL" --expect "$(ok $DEV1)"
boot root-partlabel plain std "root=PARTLABEL=$HATCH_PARTLABEL $TAIL" --expect "$(ok $DEV1)"
boot root-majmin plain std "root=254:1 $TAIL" --expect "$(ok $DEV1)"
boot root-by-uuid plain std "root=/dev/disk/by-uuid/$HATCH_FS_UUID $TAIL" --expect "$(ok $DEV1)"
boot root-by-label plain std "root=/dev/disk/by-label/$HATCH_FS_LABEL $TAIL" --expect "$(ok $DEV1)"
boot root-by-partuuid plain std "root=/dev/disk/by-partuuid/$HATCH_PARTUUID $TAIL" --expect "$(ok $DEV1)"
boot root-by-partlabel plain std "root=/dev/disk/by-partlabel/$HATCH_PARTLABEL $TAIL" --expect "$(ok $DEV1)"
boot root-mbr-partuuid mbr std "root=PARTUUID=$HATCH_MBR_PARTUUID $TAIL" --expect "$(ok $DEV1)"
boot root-partnroff twoparts std "root=PARTUUID=$HATCH_DECOY_PARTUUID/PARTNROFF=1 $TAIL" \
    --expect "$(ok /dev/vda2)"
boot root-label-not-decoy twoparts std "root=LABEL=$HATCH_FS_LABEL $TAIL" --expect "$(ok /dev/vda2)"

# GPT auto-discovery (the Discoverable Partitions Specification): with no
# root= (or root=gpt-auto) the root is the partition of type root-x86-64;
# one marked no-auto (flag 63) is passed over, one marked read-only (60) is
# mounted read-only whatever rw says, two candidates are refused, none is a
# timeout whose table shows each partition's type. QEMU boots without EFI,
# so every disk is looked at.
GPTAUTO='gpt-auto \(a root-x86-64 partition\)'
boot gpt-auto-no-root gptauto std "$TAIL" \
    --expect "hatch: no root= on the kernel command line: looking for $GPTAUTO" \
    --expect "hatch: root device $GPTAUTO is /dev/vda1 \(TYPE=ext4\)" --expect "$(ok $DEV1)"
boot gpt-auto-read-only-flag gptauto-ro std "root=gpt-auto rw $TAIL" \
    --expect "hatch: rw ignored: /dev/vda1 is marked read-only in its GPT entry \(flag 60\)" \
    --expect "$(ok $DEV1)rootdev=254:1 fstype=ext4 mode=ro"
boot gpt-auto-no-auto-passed-over gptauto-noauto std "root=gpt-auto $TAIL" --expect "$(ok /dev/vda2)"
boot gpt-auto-two-refused gptauto-two std "$TAIL" \
    --expect "hatch: root device $GPTAUTO is ambiguous: /dev/vda[12] and /dev/vda[12] both match; not guessing" \
    --expect "hatch:   vda1 .* PARTTYPE=root-x86-64" --expect "hatch: powering off" --reject "$E"
boot gpt-auto-none plain std "rd.timeout=3 $TAIL" \
    --expect "hatch: root device $GPTAUTO did not appear within 3 s" \
    --expect "hatch:   vda1 .* PARTTYPE=0fc63daf-8483-4772-8e79-3d69d8477de4" \
    --expect "hatch: powering off" --reject "$E"

# Mounting and the real init
boot rootfstype-rootflags-rw plain std \
    "root=LABEL=$HATCH_FS_LABEL rootfstype=xfs,ext4 rootflags=noatime,data=journal rw $TAIL" \
    --expect "$(ok $DEV1)rootdev=254:1 fstype=ext4 mode=rw" \
    --expect "hatch: mounted /dev/vda1 \(ext4\) on /newroot read-write with data=journal"
boot init-args plain std "root=/dev/vda1 init=/sbin/alt-init single foo=bar $TAIL -- a1 b1" \
    --expect "$(ok $DEV1).* argc=4 argv=/sbin/alt-init,single,a1,b1 env=HOME=/,TERM=linux,foo=bar "
boot init-absolute-link plain std "root=/dev/vda1 init=/sbin/init-link $TAIL" \
    --expect "$(ok $DEV1).* argv=/sbin/init-link "

# systemd.volatile=: the device read-only (rw ignored), the changes in a
# tmpfs. overlay: the real init runs on an overlay; state: a tmpfs on /var
# (seen from a shell at rd.break=switch); yes: a tmpfs root with the
# device's /usr only.
boot volatile-overlay plain std "root=/dev/vda1 systemd.volatile=overlay rw $TAIL" \
    --expect "hatch: rw ignored: with systemd.volatile= the root device stays read-only" \
    --expect "hatch: mounted /dev/vda1 \(ext4\) on /newroot read-only" \
    --expect "hatch: systemd.volatile=overlay: the root is the root device's filesystem" \
    --expect "$(ok overlay)rootdev=0:[0-9]+ fstype=overlay mode=rw .*payload=ok:"
boot volatile-state plain std "root=/dev/vda1 systemd.volatile=state rd.break=switch $TAIL" \
    --when "$PROMPT" --type 'grep " /newroot/var " /proc/mounts; exit' \
    --expect "tmpfs /newroot/var tmpfs rw,nosuid,nodev" \
    --expect "$(ok $DEV1)rootdev=254:1 fstype=ext4 mode=ro"
boot volatile-yes plain std "root=/dev/vda1 systemd.volatile=yes init=/usr/sbin/init $TAIL" \
    --expect "hatch: systemd.volatile=yes: the root is a tmpfs with the root device's /usr" \
    --expect "$(ok tmpfs)rootdev=0:[0-9]+ fstype=tmpfs mode=rw .* argv=/usr/sbin/init "
boot volatile-yes-no-init plain std "root=/dev/vda1 systemd.volatile=yes $TAIL" \
    --expect "hatch: no init program on /dev/vda1 \(ext4\): none of /sbin/init, /etc/init, /bin/init" \
    --expect "hatch: powering off" --reject "$E"
boot root-without-run norun std "root=/dev/vda1 $TAIL" \
    --expect "hatch: the root filesystem has no /run directory and hatch cannot create it \(Read-only file system\); add an empty /run directory" \
    --reject "$E"
boot root-without-run-rw norun std "root=/dev/vda1 rw $TAIL" \
    --expect "hatch: created /run on the root filesystem" --expect "$(ok $DEV1).*mode=rw "
boot init-missing plain std "root=/dev/vda1 init=/sbin/nope $TAIL" \
    --expect "hatch: the init program /sbin/nope does not exist on the root filesystem" \
    --expect "hatch: powering off" --reject "$E"

# Waiting, failing, and the failure path
boot rootwait-seconds-and-delay plain std "root=/dev/vda1 rootwait=5 rootdelay=1 $TAIL" \
    --expect "hatch: rootdelay=1: waiting before looking for the root" \
    --expect "hatch: waiting up to 5 s for root device /dev/vda1" --expect "$(ok $DEV1)"
boot modules-load-real plain std "root=/dev/vda1 modules-load=loop rd.modules-load=squashfs $TAIL" \
    --expect "hatch: loading loop \(modules-load=\)" --expect "hatch: loading squashfs \(modules-load=\)" \
    --expect "$(ok $DEV1)"
boot root-missing-timeout plain std "root=UUID=00000000-0000-0000-0000-000000000000 rd.timeout=3 $TAIL" \
    --expect "hatch: root device UUID=00000000-0000-0000-0000-000000000000 did not appear within 3 s" \
    --expect "hatch:   vda1 +254:1 TYPE=ext4 UUID=$HATCH_FS_UUID LABEL=$HATCH_FS_LABEL PARTUUID=$HATCH_PARTUUID PARTLABEL=$HATCH_PARTLABEL" \
    --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E"
boot root-bad-spec plain std "root=sda1 $TAIL" \
    --expect "hatch: root=sda1: 'sda1' is not a device" --expect "hatch: powering off" --reject "$E"
boot no-driver-blacklisted plain std "root=/dev/vda1 rd.driver.blacklist=virtio_blk rd.timeout=2 $TAIL" \
    --expect "hatch: not loading virtio_blk \(.*\): blacklisted on the command line" \
    --expect "hatch: block devices seen: none" --reject "$E"
boot emergency-reboot plain std "root=LABEL=nope rd.timeout=1 panic=-1 rd.emergency=reboot" \
    --expect "hatch: rebooting \(rd.emergency=reboot\)" --expect "reboot: Restarting system"
boot emergency-halt-default plain std "root=LABEL=nope rd.timeout=1 panic=-1" \
    --expect "hatch: halting \(rd.emergency=halt\)" --expect "reboot: System halted"
# shellcheck disable=SC2016  # the guest's shell expands these
boot rd-shell plain std "root=LABEL=nope rd.timeout=1 rd.shell $TAIL" \
    --when "$PROMPT" --type 'echo SHELL-$((6*7)) ctty=$(cut -d" " -f7 /proc/self/stat); exit' \
    --expect "hatch: starting the rescue shell" --expect "SHELL-42 ctty=[1-9][0-9]*" \
    --expect "hatch: powering off"
# shellcheck disable=SC2016
boot rd-break-mount plain std "root=/dev/vda1 rd.break=pre-mount $TAIL" \
    --when "$PROMPT" --type 'echo BREAK-$((2+3)); exit' \
    --expect "hatch: rd.break: stopping before stage 'mount'" --expect "BREAK-5" \
    --expect "$(ok $DEV1)"
boot hotplug-rootwait - std "root=UUID=$HATCH_FS_UUID rootwait $TAIL" \
    --monitor "$T/hotplug.sock" \
    --when "hatch: waiting for root device" \
    --hmp "drive_add 0 if=none,id=d1,file=$T/plain.img,format=raw,snapshot=on" \
    --hmp "device_add virtio-blk-pci,drive=d1,id=vd1,bus=rp1" \
    --expect "$(ok $DEV1)"
boot initramfs-freed plain std "root=/dev/vda1 rw rd.break=switch $TAIL" \
    --when "$PROMPT" --type 'mkdir /keep && mount -t tmpfs tmpfs /keep && dd if=/dev/zero of=/keep/f bs=1M count=8 2>/dev/null; exit' \
    --expect "$(ok $DEV1).*mode=rw .*payload=ok:"

# Two disks with the same filesystem UUID (a cloned disk): refused, naming
# both, unless the spec names a tag they do not share, or a device.
boot dup-uuid-refused plain std "root=UUID=$HATCH_FS_UUID $TAIL" --disk "$T/mbr.img" \
    --expect "hatch: root device UUID=$HATCH_FS_UUID is ambiguous: /dev/vd[ab]1 and /dev/vd[ab]1 both match; not guessing" \
    --expect "hatch:   vdb1 +254:17 TYPE=ext4 UUID=$HATCH_FS_UUID .*PARTUUID=$HATCH_MBR_PARTUUID" \
    --expect "hatch: powering off" --reject "$E"
boot dup-uuid-by-partuuid plain std "root=PARTUUID=$HATCH_MBR_PARTUUID $TAIL" --disk "$T/mbr.img" \
    --expect "$(ok /dev/vdb1)"
boot dup-uuid-by-name plain std "root=/dev/vdb1 $TAIL" --disk "$T/plain.img" --expect "$(ok /dev/vdb1)"

# rd.break before the modules stage, with the root behind a controller whose
# driver only modalias loading brings (virtio-scsi): exiting the shell must
# boot as without the break.
scsi() { # IMAGE: QEMU options for a virtio-scsi disk
    printf '%s\n' --qemu -device --qemu virtio-scsi-pci,id=scsi0 \
        --qemu -drive --qemu "file=$1,if=none,id=sd0,format=raw,snapshot=on" \
        --qemu -device --qemu scsi-hd,drive=sd0,bus=scsi0.0
}
mapfile -t SCSI < <(scsi "$T/plain.img")
boot scsi-root - std "root=UUID=$HATCH_FS_UUID $TAIL" "${SCSI[@]}" --expect "$(ok /dev/sda1)"
for stage in cmdline modules root mount switch; do
    # shellcheck disable=SC2016
    boot "rd-break-$stage-scsi" - std "root=UUID=$HATCH_FS_UUID rd.break=$stage $TAIL" "${SCSI[@]}" \
        --when "$PROMPT" --type 'echo BREAK-$((40+2)); exit' \
        --expect "hatch: rd.break: stopping before stage '$stage'" --expect "BREAK-42" \
        --expect "$(ok /dev/sda1)"
done
mapfile -t VSCSI < <(scsi "$T/vsep.img")
# shellcheck disable=SC2016
boot rd-break-verity-scsi - std "roothash=$RH_SEP $VSYS rd.break=verity $TAIL" "${VSCSI[@]}" \
    --when "$PROMPT" --type 'echo BREAK-$((40+2)); exit' \
    --expect "hatch: rd.break: stopping before stage 'verity'" --expect "BREAK-42" \
    --expect "$(ok /dev/mapper/root).*payload=ok:65536"

# Logging levels: rd.debug adds the probe lines; quiet keeps progress off the
# console (hatch logs it at priority 6) but not failures (priority 3).
boot log-debug plain std "root=/dev/vda1 rd.debug $TAIL" \
    --expect "hatch: block device vda1 \(254:1\) type=ext4 uuid=$HATCH_FS_UUID label=$HATCH_FS_LABEL" \
    --expect "$(ok $DEV1)"
boot log-quiet plain std "root=/dev/vda1 quiet init=/sbin/nope $TAIL" \
    --expect "hatch: the init program /sbin/nope does not exist" \
    --reject "hatch: loading|hatch: waiting" --reject "$E"

# Command-line input that is wrong, but not fatal
boot cmdline-warnings plain std "root=/dev/vda1 rd.iscsi.firmware=1 rd.timeout=abc modules-load=nosuchmod $TAIL" \
    --expect "hatch: command line: rd.iscsi.firmware: not a hatch option; ignoring it" \
    --expect "hatch: command line: rd.timeout=abc is not a number of seconds; ignoring it" \
    --expect "hatch: modules-load=nosuchmod: no such module in this image" \
    --expect "$(ok $DEV1)"
boot kernel-mismatch plain otherk "root=/dev/vda1 rd.timeout=1 $TAIL" \
    --expect "hatch: modules: the running kernel is $KVER but this image has modules for 6.1.0-99-amd64" \
    --reject "$E"

# Compressions (std is zstd)
boot comp-gzip plain gzip "root=/dev/vda1 $TAIL" --expect "$(ok $DEV1)"
boot comp-none plain none "root=/dev/vda1 $TAIL" --expect "$(ok $DEV1)"
boot comp-lz4 plain lz4 "root=/dev/vda1 $TAIL" --expect "$(ok $DEV1)"
boot comp-xz plain xz "root=/dev/vda1 $TAIL" --expect "$(ok $DEV1)"

# dm-verity
boot verity-sep-systemd vsep std "roothash=$RH_SEP $VSYS $TAIL" \
    --expect "hatch: verity: root hash verified" --expect "$(ok /dev/mapper/root)rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:65536 .* fds=0,1,2 "
# An overlay over the verified root: reads come from the verified device.
boot verity-volatile-overlay vsep std "roothash=$RH_SEP $VSYS systemd.volatile=overlay $TAIL" \
    --expect "hatch: verity: root hash verified" \
    --expect "hatch: systemd.volatile=overlay: the root is the root device's filesystem" \
    --expect "$(ok overlay)rootdev=0:[0-9]+ fstype=overlay mode=rw .*payload=ok:65536"
boot verity-sep-hatch vsep std "verity=data=UUID=$HATCH_FS_UUID,hashdev=PARTUUID=$HATCH_HASH_PARTUUID,roothash=$RH_SEP rw $TAIL" \
    --expect "hatch: rw ignored: a dm-verity root is always mounted read-only" \
    --expect "$(ok /dev/mapper/root).*mode=ro .*payload=ok:65536"
boot verity-inline vin std "verity=data=PARTLABEL=$HATCH_PARTLABEL,hash-offset=$OFF_IN root=/dev/mapper/root roothash=$RH_IN $TAIL" \
    --expect "hatch: verity: root data=/dev/vda1 hash=/dev/vda1 " \
    --expect "$(ok /dev/mapper/root).*payload=ok:65536"
boot verity-wrong-hash vsep std "roothash=$RH_WRONG $VSYS $TAIL" \
    --expect "hatch: verity: root hash does not match the hash tree" \
    --expect "hatch: powering off" --reject "$E" --reject "EXT4-fs \(dm-0\): mounted"
boot verity-corrupt-data vsep-corrupt std "roothash=$RH_SEP $VSYS $TAIL" \
    --expect "$(ok /dev/mapper/root).*payload=error:EIO" --expect "device-mapper: verity: .*data block .* is corrupted"
boot verity-corrupt-restart vsep-corrupt std "roothash=$RH_SEP $VSYS systemd.verity_root_options=restart-on-corruption $TAIL" \
    --expect "reboot: Restarting system with command 'dm-verity device corrupted'" --reject "$E"
boot verity-fec-corrects vfec-corrupt std "roothash=$RH_FEC $VSYS systemd.verity_root_options=fec-device=PARTLABEL=$HATCH_FEC_PARTLABEL,restart-on-corruption $TAIL" \
    --expect "hatch: verity: error correction from /dev/vda3 \(2 roots, 6399 blocks\)" \
    --expect "device-mapper: verity-fec: .*: corrected [0-9]+ errors" \
    --expect "$(ok /dev/mapper/root).*payload=ok:65536"
boot verity-missing-hash vsep std "roothash=$RH_SEP systemd.verity_root_data=PARTLABEL=$HATCH_PARTLABEL systemd.verity_root_hash=PARTLABEL=nohash rd.timeout=2 $TAIL" \
    --expect "hatch: verity hash device PARTLABEL=nohash did not appear within 2 s" \
    --expect "hatch:   vda2 .*PARTLABEL=$HATCH_HASH_PARTLABEL" --reject "$E"
boot verity-bad-superblock vsep-badsb std "roothash=$RH_SEP $VSYS $TAIL" \
    --expect "hatch: verity: /dev/vda2 at byte 0: no verity superblock \(bad magic\)" --reject "$E"
boot verity-root-conflict vsep std "root=/dev/vda1 roothash=$RH_SEP $VSYS $TAIL" \
    --expect "hatch: root=/dev/vda1 conflicts with verity" --reject "$E"

# roothash= alone: by the derived PARTUUIDs, else by the partition types.
boot verity-derived-partuuids vsep-derived std "roothash=$RH_SEP $TAIL" \
    --expect "hatch: verity data device PARTUUID=$RH_DATA_PARTUUID or a root-x86-64 partition is /dev/vda1 " \
    --expect "hatch: verity: root hash verified" --expect "$(ok /dev/mapper/root).*payload=ok:65536"
boot verity-by-type vsep-typed std "roothash=$RH_SEP $TAIL" \
    --expect "hatch: verity data device PARTUUID=$RH_DATA_PARTUUID or a root-x86-64 partition is /dev/vda1 " \
    --expect "hatch: verity hash device PARTUUID=[-0-9a-f]+ or a root-x86-64-verity partition is /dev/vda2 " \
    --expect "hatch: verity: root hash verified" --expect "$(ok /dev/mapper/root).*payload=ok:65536"
# Partitions picked by their type still have to prove the hash.
boot verity-by-type-wrong-hash vsep-typed std "roothash=$RH_WRONG $TAIL" \
    --expect "hatch: verity: root hash does not match the hash tree" --reject "$E"
# Two disks with the layout: no guess, both named.
boot verity-by-type-two-refused vsep-typed std "roothash=$RH_SEP rd.timeout=3 $TAIL" \
    --disk "$T/vsep-typed.img" \
    --expect "hatch: verity data device .* is ambiguous: /dev/vd[ab]1 and /dev/vd[ab]1 both match" \
    --expect "hatch:   vdb1 .*PARTTYPE=root-x86-64" --reject "$E"

# dm-verity cannot be talked out of verification (fail closed)
VHATCH="verity=data=PARTLABEL=$HATCH_PARTLABEL,hashdev=PARTLABEL=$HATCH_HASH_PARTLABEL,roothash=$RH_SEP"
NOT_MOUNTED="EXT4-fs \(dm-0\): mounted"
boot verity-tmpfs-refused vsep std "roothash=$RH_SEP $VSYS rootfstype=tmpfs $TAIL" \
    --expect "hatch: cannot mount /dev/mapper/root .*tmpfs: not on a block device, refused under verity" \
    --expect "hatch: powering off" --reject "$E"
boot verity-overlay-refused vsep std "roothash=$RH_SEP $VSYS rootfstype=overlay rootflags=lowerdir=/:/run init=/bin/sh $TAIL" \
    --expect "hatch: rootflags=lowerdir=/:/run names another device or a path \(lowerdir=/:/run\)" \
    --expect "hatch: powering off" --reject "$E" --reject "$PROMPT"
boot verity-overlay-no-flags vsep std "roothash=$RH_SEP $VSYS rootfstype=overlay $TAIL" \
    --expect "hatch: cannot mount /dev/mapper/root .*overlay: not on a block device, refused under verity" \
    --reject "$E"
boot verity-external-journal-refused vsep std "roothash=$RH_SEP $VSYS rootflags=journal_path=/dev/vda1 $TAIL" \
    --expect "hatch: rootflags=journal_path=/dev/vda1 names another device" --reject "$E" --reject "$NOT_MOUNTED"
# A shell at rd.break=switch swaps the mount: the check before the switch
# sees another st_dev and refuses.
boot verity-swapped-mount-refused vsep std "roothash=$RH_SEP $VSYS rd.break=switch $TAIL" \
    --when "$PROMPT" --type 'umount -l /newroot && mount -t tmpfs t /newroot && mkdir -p /newroot/sbin /newroot/dev /newroot/proc /newroot/sys /newroot/run && cp /init /newroot/sbin/init; exit' \
    --expect "hatch: /newroot is not the filesystem of /dev/dm-0 \(253:0\) but of device 0:[0-9]+; under verity nothing but the verified device becomes the root" \
    --expect "hatch: powering off" --reject "$E"
boot verity-ignore-corruption-wrong-hash vsep std "roothash=$RH_WRONG $VSYS systemd.verity_root_options=ignore-corruption $TAIL" \
    --expect "hatch: verity: root hash does not match the hash tree" --reject "$E" --reject "$NOT_MOUNTED"
boot verity-empty-value-refused vsep std "$VHATCH root=/dev/vda1 verity= $TAIL" \
    --expect "hatch: verity: verity= is empty; verity stays on and the boot stops" \
    --expect "hatch: powering off" --reject "$E" --reject "EXT4-fs \(vda1\): mounted"
boot verity-bare-roothash-refused vsep std "roothash=$RH_SEP $VSYS root=/dev/vda1 roothash $TAIL" \
    --expect "hatch: verity: roothash= is empty; verity stays on" --reject "$E"
boot verity-options-keep-devices vsep std "$VHATCH systemd.verity_root_options=ignore-zero-blocks $TAIL" \
    --expect "hatch: verity: root data=/dev/vda1 hash=/dev/vda2 " \
    --expect "$(ok /dev/mapper/root).*payload=ok:65536"
boot rd-shell-off plain std "root=LABEL=nope rd.timeout=1 rd.shell=off $TAIL" \
    --expect "hatch: powering off \(rd.emergency=poweroff\)" \
    --reject "starting the rescue shell" --reject "$PROMPT"
boot rd-shell-junk plain std "root=LABEL=nope rd.timeout=1 rd.shell=maybe $TAIL" \
    --expect "hatch: command line: rd.shell=maybe: expected 1/0, yes/no, on/off or true/false; taking it as off" \
    --expect "hatch: powering off" --reject "starting the rescue shell"
boot timeout-over-limit plain std "root=/dev/vda1 rd.timeout=2147484 $TAIL" \
    --expect "hatch: command line: rd.timeout=2147484 is over the limit of 2147483 seconds" \
    --expect "hatch: waiting up to 30 s for root device" --expect "$(ok $DEV1)"

# Lockdown: the image's policy; each loosening option refused in one line,
# the failure action fixed, no shell ever.
LOCKED="hatch: (powering off|halting) \(fixed by this image's lockdown policy\)"
boot lock-boots vsep lock "$VSYS panic=-1" \
    --expect "hatch: lockdown: this image boots only a verified root with the root hash it was built for" \
    --expect "$(ok /dev/mapper/root)rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:65536 .* fds=0,1,2 "
boot lock-boots-volatile-overlay vsep lock "$VSYS systemd.volatile=overlay panic=-1" \
    --expect "$(ok overlay)rootdev=0:[0-9]+ fstype=overlay mode=rw .*payload=ok:65536"
boot lock-boots-given-hash vsep lockhalt "roothash=$RH_SEP $VSYS panic=-1" \
    --expect "$(ok /dev/mapper/root).*payload=ok:65536"
boot lock-no-verity plain lockhalt "root=/dev/vda1 panic=-1" \
    --expect "hatch: lockdown: no dm-verity root is asked for, and this locked-down image boots only a verified root" \
    --expect "hatch: halting \(fixed by this image's lockdown policy\)" --expect "reboot: System halted" \
    --reject "$E"
boot lock-other-roothash vsep lock "roothash=$RH_WRONG $VSYS panic=-1" \
    --expect "hatch: verity: the root hash on the command line \(${RH_SEP:0:16}\.\.\.\) is not the one this image is locked to" \
    --expect "$LOCKED" --reject "$E"
boot lock-corrupt-data-eio vsep-corrupt lock "$VSYS panic=-1" \
    --expect "$(ok /dev/mapper/root).*payload=error:EIO"
lock_refused() { # NAME OPTION MESSAGE
    boot "lock-refuses-$1" vsep lock "$VSYS $2 panic=-1" \
        --expect "hatch: lockdown: $3 is refused: this image is locked down" \
        --expect "$LOCKED" --reject "$E" --reject "$PROMPT" --reject "starting the rescue shell" \
        --reject "$NOT_MOUNTED"
}
lock_refused rd-shell "rd.shell" "rd.shell"
lock_refused rd-shell-0 "rd.shell=0" "rd.shell"
lock_refused rd-break "rd.break=pre-mount" "rd.break"
lock_refused init "init=/bin/sh" "init="
lock_refused rootfstype "rootfstype=ext4" "rootfstype="
lock_refused rootflags "rootflags=noatime" "rootflags="
lock_refused rw "rw" "rw"
lock_refused modules-load "modules-load=loop" "modules-load="
lock_refused blacklist "rd.driver.blacklist=dm_verity" "rd.driver.blacklist="
lock_refused module-blacklist "module_blacklist=loop" "module_blacklist="
lock_refused emergency "rd.emergency=reboot" "rd.emergency="
lock_refused ignore-corruption "systemd.verity_root_options=ignore-corruption" "verity option ignore-corruption"
lock_refused check-at-most-once "systemd.verity_root_options=check-at-most-once" "verity option check-at-most-once"

# More cases, one concern a file (each builds the images it needs, then
# calls boot like the cases above).
for cases in tests/e2e/cases-*.sh; do
    [ -e "$cases" ] || continue
    # shellcheck source=/dev/null
    . "$cases"
done

wait

# --- report --------------------------------------------------------------------
pass=0 failn=0
for r in "$T"/res/*; do
    [ -e "$r" ] || continue
    n=$(basename "$r")
    if [ "$(cat "$r")" = pass ]; then
        echo "ok - $n"
        pass=$((pass + 1))
    else
        echo "not ok - $n"
        sed 's/^/    /' "$T/logs/$n.out"
        failn=$((failn + 1))
    fi
done
echo "e2e: $pass passed, $failn failed"
[ "$failn" = 0 ] && [ "$pass" -gt 0 ]
