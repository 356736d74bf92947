#!/bin/sh
# Build a throw-away busybox initramfs that mounts /dev/vda1 read-only and
# switch_roots to its /sbin/init. It is NOT hatch: it exists to prove the
# QEMU harness, the kernel and the test disks work independently of hatch,
# so a failing hatch test can be blamed on hatch and not on the rig.
#
# usage: qemu/smoke-busybox-initrd.sh [KERNELDIR [OUT]]
#   KERNELDIR  default build/kernel (made by qemu/fetch-kernel.sh)
#   OUT        default build/smoke-initrd.cpio
set -eu

kdir=${1:-build/kernel}
out=${2:-build/smoke-initrd.cpio}

die() {
    echo "hatch: smoke-initrd: $*" >&2
    exit 1
}

[ -s "$kdir/kver" ] || die "$kdir/kver missing (run qemu/fetch-kernel.sh)"
kver=$(cat "$kdir/kver")
bb=$(command -v busybox || true)
[ -n "$bb" ] || die "busybox not found (busybox-static)"
file -L "$bb" 2>/dev/null | grep -q 'statically linked' ||
    die "$bb is not static (install busybox-static)"

work=$(mktemp -d "${TMPDIR:-/tmp}/hatch-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/dev" "$work/proc" "$work/sys" "$work/run" \
    "$work/newroot" "$work/lib/modules"
cp "$bb" "$work/bin/busybox"

# Let modprobe resolve the order from modules.dep and modules.softdep, so the
# list printed here is the one this kernel really needs. ext4's softdep on
# crypto-crc32c pulls in both crc32c-intel and crc32c_generic.
mods=$(for m in virtio_pci virtio_blk ext4; do
    modprobe -d "$kdir/root" -S "$kver" --show-depends "$m" || exit 1
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }') ||
    die "modprobe --show-depends failed"
order=""
for f in $mods; do
    cp "$f" "$work/lib/modules/"
    order="$order $(basename "$f")"
done
echo "hatch: smoke-initrd: modules:$order"

# Failures print "smoke-error:" (for --reject) and drop to a shell.
# The kernel passes unparsed words (e.g. "single") as arguments; hand them on.
cat >"$work/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
for m in$order; do
    # crc32c-intel fails with ENODEV on CPUs without SSE4.2; generic covers it.
    /bin/busybox insmod /lib/modules/\$m || echo "smoke: insmod \$m failed"
done
i=0
while [ ! -b /dev/vda1 ]; do
    i=\$((i + 1))
    [ \$i -lt 3000 ] || { echo "smoke-error: no /dev/vda1"; /bin/busybox ls /dev; exec /bin/busybox sh; }
    /bin/busybox usleep 10000
done
/bin/busybox mount -t ext4 -o ro /dev/vda1 /newroot || { echo "smoke-error: mount failed"; exec /bin/busybox sh; }
/bin/busybox mount -t tmpfs -o mode=755,nodev,nosuid tmpfs /newroot/run
for d in dev proc sys; do /bin/busybox mount --move /\$d /newroot/\$d; done
echo "smoke: switching root"
exec /bin/busybox env -i HOME=/ TERM=linux /bin/busybox switch_root /newroot /sbin/init "\$@"
EOF
chmod 0755 "$work/init"

mkdir -p "$(dirname "$out")"
(cd "$work" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp" ||
    die "cpio failed"
mv "$out.tmp" "$out"
echo "hatch: smoke-initrd: $out ($(stat -c %s "$out") bytes)"
