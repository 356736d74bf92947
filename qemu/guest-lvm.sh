#!/bin/sh
# Make an LVM volume that the host cannot make without device-mapper: boot
# the test kernel under QEMU with a throw-away busybox initramfs that loads
# the device-mapper modules, creates the volume group and logical volume
# with the static lvm, copies a filesystem image into the logical volume,
# deactivates it and powers off. For qemu/mkdisk.sh's lvm-raid1 and
# lvm-thin layouts.
#
# usage: qemu/guest-lvm.sh -l raid1|thin -v VG -n LV [-p POOL] -f FSIMAGE -o DISK [-2 DISK2]
#          [-L LOG]
#   raid1  VG over DISK and DISK2, its LV a raid1 (dm-raid, "lvcreate --type
#          raid1 -m 1 --nosync": the copy below writes every block of both
#          legs, so no initial resync is needed); region size and metadata
#          subvolumes as lvm chooses
#   thin   VG on DISK, a thin pool POOL (default "pool"; -Zn: no zeroing of
#          new chunks, 4 MiB of metadata) and LV a thin volume in it of
#          FSIMAGE's size
#   DISK and DISK2 must exist at their final size (zeros: sparse files);
#   they become whole-disk physical volumes. FSIMAGE is copied into the LV
#   whole; the LV is as big as FSIMAGE (a whole number of MiB).
#   LOG    the guest's serial log, kept (default: DISK.guest.log, removed on
#          success)
#
# Environment: HATCH_KERNEL_DIR (default build/kernel beside qemu/: kver, vmlinux and
# root/lib/modules, from qemu/fetch-kernel.sh and qemu/pvh-kernel.sh),
# HATCH_LVM (default build/deps/prefix/sbin/lvm: a static lvm), busybox
# from PATH (busybox-static).
#
# One boot under TCG takes about 10 s: the kernel, the modules (raid6_pq
# and xor time their algorithms as they load), lvm and a 24 MiB copy.
set -eu

die() {
    echo "hatch: guest-lvm: $*" >&2
    exit 1
}

here=$(dirname "$0")
usage="usage: guest-lvm.sh -l raid1|thin -v VG -n LV [-p POOL] -f FSIMAGE -o DISK [-2 DISK2] [-L LOG]"
layout="" vg="" lv="" pool=pool fs="" disk="" disk2="" log=""
while getopts l:v:n:p:f:o:2:L: opt; do
    case $opt in
        l) layout=$OPTARG ;;
        v) vg=$OPTARG ;;
        n) lv=$OPTARG ;;
        p) pool=$OPTARG ;;
        f) fs=$OPTARG ;;
        o) disk=$OPTARG ;;
        2) disk2=$OPTARG ;;
        L) log=$OPTARG ;;
        *) die "$usage" ;;
    esac
done
if [ -z "$vg" ] || [ -z "$lv" ] || [ -z "$pool" ] || [ ! -f "$fs" ] || [ ! -f "$disk" ]; then
    die "$usage"
fi
for t in file:file modprobe:kmod cpio:cpio qemu-system-x86_64:qemu-system-x86; do
    command -v "${t%%:*}" >/dev/null 2>&1 || die "${t%%:*} not found (${t#*:})"
done
case $layout in
    raid1) [ -f "$disk2" ] || die "raid1 wants a second disk (-2 DISK2)" ;;
    thin) [ -z "$disk2" ] || die "thin takes one disk" ;;
    *) die "unknown layout '$layout' (raid1 or thin)" ;;
esac
fsb=$(stat -c %s "$fs")
[ $((fsb % 1048576)) = 0 ] || die "$fs is not a whole number of MiB"
L=$((fsb / 1048576))

kdir=${HATCH_KERNEL_DIR:-$here/../build/kernel}
if [ ! -s "$kdir/kver" ] || [ ! -s "$kdir/vmlinux" ]; then
    die "$kdir/kver or $kdir/vmlinux is missing (make build/kernel/vmlinux)"
fi
kver=$(cat "$kdir/kver")
lvmbin=${HATCH_LVM:-$here/../build/deps/prefix/sbin/lvm}
[ -f "$lvmbin" ] || die "no static lvm at $lvmbin (make, or set HATCH_LVM=FILE)"
file -L "$lvmbin" | grep -q 'statically linked' || die "$lvmbin is not static"
bb=$(command -v busybox || true)
[ -n "$bb" ] || die "busybox not found (busybox-static)"
file -L "$bb" | grep -q 'statically linked' || die "$bb is not static (install busybox-static)"
keep=$log
: "${log:=$disk.guest.log}"
case $disk$disk2$fs in *,*) die "QEMU's -drive cannot take a file name with a comma" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/hatch-guest-lvm.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
r=$work/root
mkdir -p "$r/bin" "$r/sbin" "$r/etc/lvm" "$r/lib/modules"
cp "$bb" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
cp "$lvmbin" "$r/sbin/lvm"

# modprobe resolves the order (modules.dep and softdeps: libcrc32c wants
# crc32c). raid1 is the md personality dm-raid asks for by name.
case $layout in
    raid1) want="dm_mod raid1 dm_raid" ;;
    thin) want="dm_mod dm_thin_pool" ;;
esac
mods=$(for m in virtio_pci virtio_blk crc32c_generic $want; do
    modprobe -d "$kdir/root" -S "$kver" --show-depends "$m" || exit 1
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }') ||
    die "modprobe --show-depends failed"
for f in $mods; do
    case $f in *.ko) ;; *) die "$f: busybox insmod wants uncompressed modules" ;; esac
    cp "$f" "$r/lib/modules/"
    basename "$f"
done >"$r/modules"

cat >"$r/etc/lvm/lvm.conf" <<'CONF'
# No udev, no daemons, no metadata backups, no thin-provisioning-tools.
devices {
	scan = [ "/dev" ]
	obtain_device_list_from_udev = 0
	external_device_info_source = "none"
	use_devicesfile = 0
}
activation {
	udev_sync = 0
	udev_rules = 0
	verify_udev_operations = 1
	monitoring = 0
}
global {
	use_lvmlockd = 0
	event_activation = 0
	system_id_source = "none"
	thin_check_executable = ""
}
backup {
	backup = 0
	archive = 0
}
CONF

# The disks: vda (and vdb for raid1) the PVs, the last one the filesystem.
if [ "$layout" = raid1 ]; then
    pvs="/dev/vda /dev/vdb" src=/dev/vdc
    mk="lvm lvcreate -y -W n --type raid1 -m 1 --nosync -L ${L}M -n $lv $vg"
else
    pvs=/dev/vda src=/dev/vdb
    # The pool 4 MiB over the LV: the copy maps every chunk of it.
    mk="lvm lvcreate -y --type thin-pool -Zn -L $((L + 4))M --poolmetadatasize 4M -n $pool $vg &&
    lvm lvcreate -y -W n -V ${L}M --thinpool $pool -n $lv $vg"
fi
# Every step says what failed; the host looks for the last line.
cat >"$r/init" <<EOF
#!/bin/sh
/bin/busybox mkdir -p /proc /sys /dev /run/lvm /tmp
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/null >/dev/ttyS0 2>&1
/bin/busybox --install -s /bin
export PATH=/sbin:/bin LVM_SUPPRESS_FD_WARNINGS=1 LVM_SYSTEM_DIR=/etc/lvm
fail() {
    echo "HATCH-GUEST-LVM failed: \$*"
    poweroff -f
}
mount -t proc proc /proc
mount -t sysfs sys /sys
while read -r m; do
    insmod /lib/modules/\$m || fail "insmod \$m"
done </modules
i=0
while [ ! -b $src ]; do
    i=\$((i + 1))
    [ \$i -lt 1000 ] || fail "no $src"
    sleep 0.01
done
lvm pvcreate -y $pvs || fail "pvcreate"
lvm vgcreate -s 1M $vg $pvs || fail "vgcreate"
$mk || fail "lvcreate"
lvm lvs -a -o lv_name,segtype,lv_size,devices $vg
dd if=$src of=/dev/mapper/$vg-$lv bs=1M || fail "dd"
sync
lvm vgchange -an $vg || fail "vgchange -an"
sync
echo "HATCH-GUEST-LVM ok"
poweroff -f
EOF
chmod 0755 "$r/init"
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/initrd.cpio" ||
    die "cpio failed"

# boot.sh opens --disk images read-only (snapshot=on): these drives are
# written through. Success is the guest's own power-off with the marker.
set -- --qemu -drive --qemu "file=$disk,if=virtio,format=raw,cache=unsafe"
[ -z "$disk2" ] || set -- "$@" --qemu -drive --qemu "file=$disk2,if=virtio,format=raw,cache=unsafe"
set -- "$@" --qemu -drive --qemu "file=$fs,if=virtio,format=raw,readonly=on"
bash "$here/boot.sh" --kernel "$kdir/vmlinux" --initrd "$work/initrd.cpio" \
    --append "quiet panic=-1" --log "$log" --timeout 120 "$@" >"$work/boot.out" 2>&1 || :
if ! grep -q '^HATCH-GUEST-LVM ok' "$log"; then
    cat "$work/boot.out" >&2
    tail -n 30 "$log" >&2
    die "the guest did not make $vg/$lv ($layout); its log is $log"
fi
[ -n "$keep" ] || rm -f "$log"
