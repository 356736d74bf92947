# shellcheck shell=bash
# Hostile boot matrix: bad input and faults (command lines, late, vanishing
# and failing devices, broken roots, a full /run, failing and blacklisted
# modules, damaged images, process storms). Each case ends in its documented
# outcome: one exact hatch: line and then the check init's line or the
# rd.emergency action, never a panic from PID 1 exiting.
#
# Sourced by tests/e2e/run.sh after its own cases: uses its boot, initrd,
# ok, part_start, TAIL, E, PROMPT, T, K, KVER, FILTER and the HATCH_* ids.

HX=$T/hostile
rm -rf "$HX"
mkdir -p "$HX"
KILLED='Kernel panic - not syncing: Attempted to kill init'
POWEROFF='hatch: powering off \(rd.emergency=poweroff\)'

# hboot: boot, and PID 1 must never die, whatever the case.
hboot() {
    boot "$@" --reject "$KILLED"
}

hx_die() { echo "hatch: e2e: hostile: $*" >&2; exit 1; }

# rootdisk NAME DEBUGFS-COMMAND...: plain.img with its root filesystem
# edited by debugfs -w.
rootdisk() {
    local name=$1 off
    shift
    off=$(part_start "$T/plain.img" 1)
    cp "$T/plain.img" "$T/$name.img"
    dd if="$T/plain.img" of="$HX/$name.fs" bs=1M skip=$((off / 1048576)) \
        count="$HATCH_ROOT_MIB" status=none
    printf '%s\n' "$@" >"$HX/$name.cmd"
    debugfs -w -f "$HX/$name.cmd" "$HX/$name.fs" >"$HX/$name.debugfs" 2>&1 ||
        hx_die "debugfs failed for $name"
    ! grep -q -v -e '^debugfs[: ]' -e '^$' -e '^Allocated inode' "$HX/$name.debugfs" ||
        { cat "$HX/$name.debugfs"; hx_die "debugfs reported errors for $name"; }
    dd if="$HX/$name.fs" of="$T/$name.img" bs=1M seek=$((off / 1048576)) conv=notrunc \
        status=none
    rm -f "$HX/$name.fs"
}

# sector_of FILE BLOCK: the disk sector of BLOCK (4 KiB) of FILE on
# plain.img's root (FILE may be <INODE>).
sector_of() {
    local off blk
    off=$(part_start "$T/plain.img" 1)
    dd if="$T/plain.img" of="$HX/probe.fs" bs=1M skip=$((off / 1048576)) \
        count="$HATCH_ROOT_MIB" status=none
    blk=$(debugfs -R "bmap $1 $2" "$HX/probe.fs" 2>/dev/null)
    rm -f "$HX/probe.fs"
    case $blk in '' | *[!0-9]*) hx_die "cannot locate block $2 of $1" ;; esac
    echo $((off / 512 + blk * 8))
}

# blkdebug NAME SECTOR: a QEMU blkdebug rule failing every read of SECTOR
# with EIO; prints the boot.sh options for plain.img behind it.
blkdebug() {
    printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%s"\n' "$2" \
        >"$HX/$1.conf"
    printf '%s\n' --qemu -drive \
        --qemu "file=blkdebug:$HX/$1.conf:$T/plain.img,if=virtio,format=raw,snapshot=on"
}

# plug_later NAME SECONDS: SECONDS after NAME's log shows hatch waiting
# for its root, hot-plug plain.img through the monitor at $T/NAME.sock.
# Runs outside run.sh's job slots (so it never holds one up) and gives up
# when the boot is over.
plug_later() {
    [[ $1 =~ $FILTER ]] || return 0
    local log=$T/logs/$1.log sock=$T/$1.sock secs=$2
    (
        (
            for _ in $(seq 600); do
                grep -a -q 'hatch: waiting' "$log" 2>/dev/null && break
                sleep 0.5
            done
            sleep "$secs"
            sh qemu/monitor.sh "$sock" \
                "drive_add 0 if=none,id=d1,file=$T/plain.img,format=raw,snapshot=on" \
                "device_add virtio-blk-pci,drive=d1,id=vd1,bus=rp1" >"$HX/$1.hmp" 2>&1 || true
        ) &
    )
}

# plain.img on the hot-pluggable port, for cases that unplug it.
PLUGGED=(--qemu -drive --qemu "file=$T/plain.img,if=none,id=d1,format=raw,snapshot=on"
    --qemu -device --qemu "virtio-blk-pci,drive=d1,id=vd1,bus=rp1")

# --- images and disks --------------------------------------------------------
echo "hatch: e2e: hostile: building images"
# No rescue shell.
initrd hostile-nosh -H base,modules
# Many modules listed, each loaded by a child of its own, all at once.
MANY=xfs,btrfs,squashfs,erofs,vfat,isofs,udf,nilfs2,f2fs,jfs,hfs,hfsplus,minix,exfat,fuse
MANY=$MANY,overlay,nls_utf8,nls_cp437,loop,nbd,raid456,raid1,raid0,sd_mod,sr_mod,uas,nvme
MANY=$MANY,ahci,ata_piix,libata,cdrom,crc32c_generic,xxhash_generic,zram,virtio_scsi
MANY=$MANY,virtio_net,virtio_balloon,virtio_console,9p,9pnet_virtio,reiserfs,gfs2,ocfs2
MANY=$MANY,bcache,sha512_generic,xts,ecb,twofish_generic,serpent_generic
initrd hostile-many -m "$MANY"
# The image built for this kernel, less its module directory.
rm -rf "$HX/nomod"
mkdir -p "$HX/nomod"
# Its files already compressed come first, in an uncompressed archive of
# their own (STORED_END bytes), then the zstd main archive.
STORED_END=0
[ "$(head -c 6 "$T/std.cpio")" != 070701 ] ||
    STORED_END=$(($(cpio -t <"$T/std.cpio" 2>&1 >/dev/null | awk '/block/ { print $1 }') * 512))
(cd "$HX/nomod" && { [ "$STORED_END" = 0 ] || cpio -i -d --quiet <"../../std.cpio"; } &&
    tail -c +$((STORED_END + 1)) "../../std.cpio" | zstd -q -d -c | cpio -i -d --quiet) ||
    hx_die "cannot unpack std.cpio"
rm -rf "$HX/nomod/lib/modules"
(cd "$HX/nomod" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet |
    zstd -q -c >"../../hostile-nomoddir.cpio") || hx_die "cannot pack hostile-nomoddir.cpio"
rm -rf "$HX/nomod"
# Truncated images: the zstd image's main archive cut in half (the module
# tree and its indexes are lost, /init is not), and the uncompressed one cut
# just before the /init entry (newc header: namesize 5, check 0, then
# "init\0").
size=$(stat -c %s "$T/std.cpio")
head -c $((STORED_END + (size - STORED_END) / 2)) "$T/std.cpio" >"$T/hostile-half.cpio"
at=$(LC_ALL=C grep -a -b -o -P '0000000500000000init\x00' "$T/none.cpio" | cut -d: -f1 |
    head -n 1)
[ -n "$at" ] || hx_die "no /init entry in none.cpio"
head -c $((at - 94)) "$T/none.cpio" >"$T/hostile-noinit.cpio"

printf 'this is not a program\n' >"$HX/garbage"
# /sbin/init gone: /bin/init (the check init) is the next default.
rootdisk hostile-binit "rm /sbin/init"
# No init at any default path.
rootdisk hostile-noinit "rm /sbin/init" "rm /bin/init"
# /sbin/init dangling, with and without /bin/init to fall back on.
rootdisk hostile-dangling "rm /sbin/init" "symlink /sbin/init /nowhere/init"
rootdisk hostile-dangling-only "rm /sbin/init" "symlink /sbin/init /nowhere/init" "rm /bin/init"
# Bad inits to name with init=: a link loop, a file that is no program.
rootdisk hostile-badinit "symlink /sbin/loop /sbin/loop" "write $HX/garbage /sbin/garbage" \
    "sif /sbin/garbage mode 0100755"
# Sectors to fail: the root filesystem's superblock;
P1=$(($(part_start "$T/plain.img" 1) / 512))
mapfile -t EIO_SB < <(blkdebug sb $((P1 + 2)))
# its journal's superblock, which libblkid never reads and the mount does;
mapfile -t EIO_JOURNAL < <(blkdebug journal "$(sector_of '<8>' 0)")
# a block in the middle of the check init.
mapfile -t EIO_INIT < <(blkdebug init "$(sector_of /sbin/real-init 4)")
ROOT_OK="$(ok /dev/vda1)"

# --- the command line ----------------------------------------------------------
# A command line of 2047 bytes, the most x86 boots with (QEMU boots no guest
# at all beyond that), full of garbage: control bytes, bytes that are not
# UTF-8, empty keys, lone quotes, a 1500-byte word. hatch reads it whole,
# reports its own namespace's junk and boots.
junk="rd.garbage=$(printf '\001\002\003\033[0m') $(printf '\377\376\200')=x = == =v rd. rd.=x"
junk="$junk hatch. rd.ünïcode=ü $(printf 'rd.tab\tsplit\vsplit') \"\" x.pad="
app="root=/dev/vda1 $TAIL $junk"
pad=$((2047 - 14 - $(printf '%s' "$app" | wc -c) - 2))
app="$app$(printf 'A%.0s' $(seq 1 "$pad")) \""
[ "$(printf '%s' "console=ttyS0 $app" | wc -c)" = 2047 ] || hx_die "garbage line is not 2047 bytes"
# The full 2047 bytes reach hatch, the junk is named, the boot goes on.
hboot hostile-cmdline-2047-garbage plain std "$app" \
    --expect "hatch: command line: rd.garbage: not a hatch option" \
    --expect "hatch: command line: rd.ünïcode: not a hatch option" \
    --expect "$ROOT_OK" --reject "command line longer than"
# Options inside quotes are a value, as the kernel reads them, even with
# the quote never closed: no rd.break is taken from them.
hboot hostile-cmdline-quoted-options plain std \
    "root=/dev/vda1 $TAIL foo=\"bar rd.break=mount rd.shell\" rd.x=\"oops rd.break=mount" \
    --expect "hatch: command line: rd.x: not a hatch option" --expect "$ROOT_OK" \
    --reject "rd.break: stopping"
# Twenty unknown rd. options: sixteen lines, then a count; the boot goes on.
flood=""
for i in $(seq 1 20); do flood="$flood rd.bogus$i=$i"; done
hboot hostile-cmdline-unknown-flood plain std "root=/dev/vda1 $TAIL$flood" \
    --expect "hatch: command line: rd.bogus16: not a hatch option" \
    --expect "hatch: command line: 4 more problems not shown; fix the ones above first" \
    --expect "$ROOT_OK" --reject "hatch: command line: rd.bogus17"
# Bad values keep the defaults; none of them stops the boot.
hboot hostile-cmdline-bad-values plain std \
    "root=/dev/vda1 $TAIL rd.timeout=-5 rootdelay=99999999999 rd.break=nowhere rd.shell=2 loglevel=x" \
    --expect "hatch: command line: rd.timeout=-5 is not a number of seconds; ignoring it" \
    --expect "hatch: command line: rootdelay=99999999999 is over the limit" \
    --expect "hatch: command line: rd.break=nowhere: unknown stage" \
    --expect "hatch: command line: rd.shell=2: expected 1/0" \
    --expect "$ROOT_OK" --reject "rd.break: stopping"

# --- a root that comes late, or goes -----------------------------------------
# The disk is plugged 11 s after hatch starts waiting: rootwait finds it.
post_hostile_late_root_rootwait() {
    local g
    g=$(gap "$T/logs/hostile-late-root-rootwait.log" "hatch: waiting for root" "hatch: root device .* is /dev/vda1")
    echo "root found $g s after the wait began"
    awk -v g="$g" 'BEGIN { exit !(g != "none" && g >= 10) }'
}
hboot hostile-late-root-rootwait - std "root=UUID=$HATCH_FS_UUID rootwait $TAIL" \
    --monitor "$T/hostile-late-root-rootwait.sock" \
    --expect "hatch: waiting for root device UUID=$HATCH_FS_UUID \(rootwait: no time limit\)" \
    --expect "$ROOT_OK"
plug_later hostile-late-root-rootwait 11
# So does the default wait (30 s), without rootwait.
hboot hostile-late-root-default - std "root=UUID=$HATCH_FS_UUID $TAIL" \
    --monitor "$T/hostile-late-root-default.sock" \
    --expect "hatch: waiting up to 30 s for root device UUID=$HATCH_FS_UUID" --expect "$ROOT_OK"
plug_later hostile-late-root-default 11
# rd.timeout=5 gives up before it comes, in one line, with what it saw.
hboot hostile-late-root-timeout - std "root=UUID=$HATCH_FS_UUID rd.timeout=5 $TAIL" \
    --monitor "$T/hostile-late-root-timeout.sock" \
    --expect "hatch: root device UUID=$HATCH_FS_UUID did not appear within 5 s" \
    --expect "hatch: block devices seen: none" --expect "$POWEROFF" --reject "$E"
plug_later hostile-late-root-timeout 11
# The root is found, then unplugged while a rd.break=mount shell waits for
# it to go: hatch says the device is gone, not "check rootfstype=".
hboot hostile-root-vanishes-before-mount - std "root=/dev/vda1 rd.break=mount $TAIL" \
    --monitor "$T/hostile-root-vanishes-before-mount.sock" "${PLUGGED[@]}" \
    --when "$PROMPT" --hmp "device_del vd1" \
    --type 'while [ -e /sys/block/vda ]; do sleep 1; done; exit' \
    --expect "hatch: the root device /dev/vda1 \(254:1\) is gone \(No such file or directory\): it disappeared after it was found" \
    --expect "$POWEROFF" --reject "$E" --reject "check rootfstype"
# Unplugged after the mount, at rd.break=switch: hatch does not hand the
# machine to an init on a device that is gone.
hboot hostile-root-vanishes-before-switch - std "root=/dev/vda1 rd.break=switch $TAIL" \
    --monitor "$T/hostile-root-vanishes-before-switch.sock" "${PLUGGED[@]}" \
    --when "$PROMPT" --hmp "device_del vd1" \
    --type 'while [ -e /sys/block/vda ]; do sleep 1; done; exit' \
    --expect "hatch: the root device /dev/vda1 \(254:1\) is gone .*Not switching to it" \
    --expect "$POWEROFF" --reject "$E" --reject "hatch: switching to"

# --- devices that fail ---------------------------------------------------------
# Every read of the superblock fails: the device is named as failing I/O.
hboot hostile-eio-superblock - std "root=/dev/vda1 $TAIL" "${EIO_SB[@]}" \
    --expect "hatch: cannot read /dev/vda1 \(I/O error\): the device fails I/O" \
    --expect "$POWEROFF" --reject "$E" --reject "no filesystem libblkid recognizes"
# By UUID it never shows: the wait times out, and rd.emergency=reboot is
# honoured.
hboot hostile-eio-superblock-uuid - std "root=UUID=$HATCH_FS_UUID rd.timeout=3 panic=-1 rd.emergency=reboot" \
    "${EIO_SB[@]}" \
    --expect "hatch: root device UUID=$HATCH_FS_UUID did not appear within 3 s" \
    --expect "hatch:   vda1 +254:1 TYPE=- UUID=-" \
    --expect "hatch: rebooting \(rd.emergency=reboot\)" --expect "reboot: Restarting system" \
    --reject "$E"
# In the table of devices a disk that fails I/O says so, rather than
# looking like a device with no tags.
hboot hostile-eio-table-says-unreadable - std "root=UUID=$HATCH_FS_UUID rd.timeout=3 $TAIL" \
    "${EIO_SB[@]}" \
    --expect "hatch:   vda1 +254:1 TYPE=- .*\\(cannot probe: I/O error\\)" --expect "$POWEROFF" --reject "$E"

# libblkid reads the superblock, the mount fails reading the journal:
# hatch says the device fails, not "check rootfstype=".
hboot hostile-eio-mount - std "root=/dev/vda1 $TAIL" "${EIO_JOURNAL[@]}" \
    --expect "hatch: cannot mount /dev/vda1 \(TYPE=ext4\) on /newroot \(ext4: I/O error\); the device fails I/O" \
    --expect "$POWEROFF" --reject "$E"
# A block of the real init fails: found before the switch, while the
# initramfs is still there, not by the real init dying of SIGBUS as PID 1.
hboot hostile-eio-init - std "root=/dev/vda1 $TAIL" "${EIO_INIT[@]}" \
    --expect "hatch: cannot read the init program /sbin/init from the root filesystem \(I/O error\): the device fails I/O" \
    --expect "$POWEROFF" --reject "$E" --reject "hatch: switching to"
# A write-protected disk with rw: mounted read-only, as the kernel would.
hboot hostile-readonly-disk-rw - std "root=/dev/vda1 rw $TAIL" \
    --qemu -drive --qemu "file=$T/plain.img,if=virtio,format=raw,readonly=on" \
    --expect "hatch: /dev/vda1 is a read-only device: mounting it read-only although rw was asked" \
    --expect "$ROOT_OK.*mode=ro "
# root= names the whole disk: a partition table is not a filesystem.
hboot hostile-root-whole-disk plain std "root=/dev/vda $TAIL" \
    --expect "hatch: /dev/vda holds a partition table \(gpt\), not a filesystem; root= must name one of its partitions" \
    --expect "$POWEROFF" --reject "$E"

# --- roots that are wrong ------------------------------------------------------
# No /sbin/init: the next default, /bin/init, boots (as the kernel's order).
hboot hostile-no-sbin-init hostile-binit std "root=/dev/vda1 $TAIL" \
    --expect "hatch: switching to /bin/init on /dev/vda1" --expect "$ROOT_OK.* argv=/bin/init "
# No init anywhere: one line naming every place looked at.
hboot hostile-no-init hostile-noinit std "root=/dev/vda1 $TAIL" \
    --expect "hatch: no init program on /dev/vda1 \\(ext4\\): none of /sbin/init, /etc/init, /bin/init is an executable file" \
    --expect "$POWEROFF" --reject "$E"
# A dangling /sbin/init is named, and /bin/init boots.
hboot hostile-init-dangling-fallback hostile-dangling std "root=/dev/vda1 $TAIL" \
    --expect "hatch: /sbin/init is a symbolic link to /nowhere/init, which does not resolve on the root filesystem" \
    --expect "$ROOT_OK.* argv=/bin/init "
# A dangling init= is named as such, not as missing.
hboot hostile-init-dangling hostile-dangling-only std "root=/dev/vda1 init=/sbin/init $TAIL" \
    --expect "hatch: the init program /sbin/init is a symbolic link to /nowhere/init, which does not resolve on the root filesystem \(No such file or directory\)" \
    --expect "$POWEROFF" --reject "$E"
# A link loop.
hboot hostile-init-loop hostile-badinit std "root=/dev/vda1 init=/sbin/loop $TAIL" \
    --expect "hatch: the init program /sbin/loop is a symbolic link to /sbin/loop, which does not resolve on the root filesystem \(Symbolic link loop\)" \
    --expect "$POWEROFF" --reject "$E"
# An executable file that is no program: refused before the switch (after
# it, exec would fail with the initramfs gone).
hboot hostile-init-not-a-program hostile-badinit std "root=/dev/vda1 init=/sbin/garbage $TAIL" \
    --expect "hatch: the init program /sbin/garbage is neither an ELF executable nor a #! script" \
    --expect "$POWEROFF" --reject "$E" --reject "hatch: switching to"
# rootfstype= with a type the kernel lacks: the next one is tried.
hboot hostile-rootfstype-unknown-first plain std "root=/dev/vda1 rootfstype=nosuchfs,ext4 $TAIL" \
    --expect "hatch: mounted /dev/vda1 \(ext4\) on /newroot read-only" --expect "$ROOT_OK"
# rootflags= the filesystem rejects: the line says so.
hboot hostile-rootflags-rejected plain std "root=/dev/vda1 rootflags=no_such_option $TAIL" \
    --expect "hatch: cannot mount /dev/vda1 \(TYPE=ext4\) on /newroot \(ext4: Invalid argument\); check rootfstype= and rootflags=" \
    --expect "$POWEROFF" --reject "$E"

# A stale btrfs superblock on the whole disk, in the gap between the GPT and
# partition 1 (as a disk that once held btrfs and was partitioned after):
# a disk the kernel partitioned is read for its table only, so its UUID is
# not a root, and the table says what the disk is.
STALE_UUID=6b1e3c5a-2d4f-4e8b-9a7c-0f1e2d3c4b5a
stale_disk() {
    local fs=$HX/stale-btrfs.fs
    [[ hostile-stale-whole-disk-signature =~ $FILTER ]] || return 0
    truncate -s 128M "$fs"
    mkfs.btrfs -q -f -U "$STALE_UUID" "$fs" >"$HX/stale-btrfs.log" 2>&1 ||
        { cat "$HX/stale-btrfs.log"; hx_die "mkfs.btrfs failed for the stale superblock"; }
    cp "$T/plain.img" "$T/hostile-stale.img"
    dd if="$fs" of="$T/hostile-stale.img" bs=4096 skip=16 seek=16 count=1 conv=notrunc \
        status=none
    rm -f "$fs"
}
stale_disk
hboot hostile-stale-whole-disk-signature hostile-stale std "root=UUID=$STALE_UUID rd.timeout=3 $TAIL" \
    --expect "hatch: root device UUID=$STALE_UUID did not appear within 3 s" \
    --expect "hatch:   vda +254:0 TYPE=gpt UUID=- " --expect "$POWEROFF" --reject "$E"

# --- /run, modules, images -----------------------------------------------------
# /run filled up at rd.break=switch: the timings cannot be written, hatch
# says so, and switches.
hboot hostile-run-full plain std "root=/dev/vda1 rd.break=switch $TAIL" \
    --when "$PROMPT" --type 'dd if=/dev/zero of=/run/fill bs=1M 2>/dev/null; exit' \
    --expect "hatch: cannot write /run/hatch/timings \(No space left on device\); the real system gets no timings" \
    --expect "$ROOT_OK.* hatch_ms=none reads="
# Modules whose init fails here (no Xen, no Hyper-V): each is one line
# naming the module (one that finds no hardware is a notice, not an
# error), and the boot goes on.
hboot hostile-module-init-fails plain std "root=/dev/vda1 modules-load=xen_blkfront,hv_storvsc $TAIL" \
    --expect "hatch: xen_blkfront \(modules-load=\): the module found nothing to drive here \(No such device\)" \
    --expect "hatch: modules: loading hv_storvsc \(modules-load=\) failed: its dependency hv_vmbus: No such device" \
    --expect "$ROOT_OK"
# A module whose dependency is blacklisted is not loaded: the blacklist
# holds for what a module pulls in.
hboot hostile-blacklisted-dependency plain std "root=/dev/vda1 modules-load=uas rd.driver.blacklist=usb_storage $TAIL" \
    --expect "hatch: not loading uas \(modules-load=\): it needs usb_storage, blacklisted on the command line" \
    --expect "$ROOT_OK" --reject "hatch: loading usb_storage"
# No /lib/modules/KVER in an image built for this kernel: said in one line,
# the boot goes on with built-in drivers (which cannot see virtio disks).
hboot hostile-no-module-dir plain hostile-nomoddir "root=/dev/vda1 rd.timeout=3 $TAIL" \
    --expect "hatch: modules: this image was built for the running kernel $KVER but has no /lib/modules/$KVER \(No such file or directory\); going on with the built-in drivers" \
    --expect "hatch: block devices seen: none" --expect "$POWEROFF" --reject "$E"
# Half an image: the kernel unpacks what it can; /init says the module
# indexes are missing and still waits for the root (built-in drivers).
hboot hostile-cpio-truncated plain hostile-half "root=/dev/vda1 rd.timeout=3 $TAIL" \
    --expect "Initramfs unpacking failed" \
    --expect "hatch: modules: cannot read the module indexes in /lib/modules/$KVER" \
    --expect "hatch: root device /dev/vda1 did not appear within 3 s" \
    --expect "$POWEROFF" --reject "$E" --reject "failed: Bad file descriptor"
# An image cut before /init: hatch never runs. The kernel, finding no
# /init, mounts root= itself and, without the virtio driver, panics (its
# own panic, not a PID 1 exit). Documented, not hatch's to fix.
hboot hostile-cpio-no-init plain hostile-noinit "root=/dev/vda1 $TAIL" \
    --expect "Kernel panic - not syncing: VFS: Unable to mount root fs" --reject "hatch: "
# 52 modules listed (the usual three and 49 more), each loaded by a child
# of its own, all at once: a storm of module children and their SIGCHLDs.
hboot hostile-many-module-children plain hostile-many "root=/dev/vda1 $TAIL" \
    --expect "hatch: loading serpent_generic \(listed in the image\)" \
    --expect "hatch: loading gfs2 \(listed in the image\)" --expect "$ROOT_OK" \
    --reject "hatch: modules: loading"
# A rd.break=modules shell leaves 300 zombies and 300 sleeping orphans to
# PID 1, which exit while the module children do: hatch waits for its own
# children (the root is then there at once, no modalias search needed),
# reaps the rest, and boots.
# shellcheck disable=SC2016  # the guest's shell expands these
hboot hostile-sigchld-storm plain std "root=/dev/vda1 rd.break=modules $TAIL" \
    --when "$PROMPT" \
    --type 'i=0; while [ $i -lt 300 ]; do (true &); (sleep 1 &); i=$((i+1)); done; exit' \
    --expect "$ROOT_OK" --reject "found what the boot needs"

# --- the failure path ----------------------------------------------------------
# Default action: halt, with the cause on the screen.
hboot hostile-emergency-halt hostile-noinit std "root=/dev/vda1 panic=-1" \
    --expect "hatch: no init program on /dev/vda1 \\(ext4\\)" \
    --expect "hatch: halting \(rd.emergency=halt\)" --expect "reboot: System halted" --reject "$E"
# rd.emergency=reboot on a failure after the mount.
hboot hostile-emergency-reboot hostile-noinit std "root=/dev/vda1 panic=-1 rd.emergency=reboot" \
    --expect "hatch: rebooting \(rd.emergency=reboot\)" --expect "reboot: Restarting system" \
    --reject "$E"
# A bad rd.emergency= keeps the earlier one (poweroff), said in one line.
hboot hostile-emergency-bad-value plain std "root=LABEL=nope rd.timeout=1 $TAIL rd.emergency=explode" \
    --expect "hatch: command line: rd.emergency=explode: expected reboot, poweroff or halt; keeping poweroff" \
    --expect "$POWEROFF" --reject "$E"
# The rescue shell signals PID 1 every way it can: PID 1 lives on and
# takes the rd.emergency action when the shell exits.
# shellcheck disable=SC2016  # the guest's shell expands these
hboot hostile-shell-signals-pid1 plain std "root=LABEL=nope rd.timeout=1 rd.shell $TAIL" \
    --when "$PROMPT" \
    --type 'for s in TERM INT HUP SEGV ABRT USR1 KILL; do kill -$s 1; done; echo SURVIVED-$((6*7)); exit' \
    --expect "SURVIVED-42" --expect "$POWEROFF"
# rd.shell in an image without a shell: said, then the action.
hboot hostile-rd-shell-no-shell plain hostile-nosh "root=LABEL=nope rd.timeout=1 rd.shell $TAIL" \
    --expect "hatch: rd.shell was given but this image has no /bin/sh; build the image with the busybox hook" \
    --expect "$POWEROFF"
# rd.break in an image without a shell: said, and the boot goes on.
hboot hostile-rd-break-no-shell plain hostile-nosh "root=/dev/vda1 rd.break=mount $TAIL" \
    --expect "hatch: rd.break=mount asked for a shell but this image has none \(/bin/sh\)" \
    --expect "$ROOT_OK"
