#!/bin/sh
# Fetch Debian's current amd64 kernel image package and unpack it for tests.
#
# usage: qemu/fetch-kernel.sh [OUTDIR]        (default build/kernel)
#
# Environment: HATCH_KERNEL_PKG=linux-image-KVER pins the package instead of
# following linux-image-amd64.
#
# Result:
#   OUTDIR/root      a depmod BASEDIR: root/lib/modules/KVER, root/boot/...
#   OUTDIR/vmlinuz   symlink to the kernel image
#   OUTDIR/kver      the kernel release, e.g. 6.1.0-56-amd64
#
# We use the distribution kernel rather than building one: it is what users
# boot, its drivers are modules (so the initramfs really has to load them),
# and it downloads in seconds from the apt archive already configured.
set -eu

OUT=${1:-build/kernel}

die() {
    echo "hatch: fetch-kernel: $*" >&2
    exit 1
}

# kver is written last, so its presence means a previous run completed.
if [ -s "$OUT/kver" ] && [ -e "$OUT/vmlinuz" ]; then
    exit 0
fi

for t in apt-cache apt-get dpkg-deb depmod; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found (install apt, dpkg and kmod)"
done

# The metapackage's candidate depends on exactly one versioned image
# package; its name carries the kernel release.
resolve() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1
}

update() {
    apt-get update -q >/dev/null 2>&1
}

# download PKG: into $OUT/dl; apt-get download writes to the current directory.
download() {
    mkdir -p "$OUT/dl"
    rm -f "$OUT/dl/${1}_"*.deb
    (cd "$OUT/dl" && apt-get download -q "$1" >apt.log 2>&1)
}

# HATCH_KERNEL_PKG pins a package (e.g. linux-image-6.1.0-56-amd64).
pkg=${HATCH_KERNEL_PKG:-$(resolve)}
if [ -z "$pkg" ]; then
    # A fresh machine may have no package lists yet.
    update || die "apt-get update failed and no package lists are present"
    pkg=$(resolve)
fi
[ -n "$pkg" ] || die "cannot resolve linux-image-amd64 to a kernel image package"
if ! download "$pkg"; then
    # Stale lists name a version the archive has already replaced.
    if update && [ -z "${HATCH_KERNEL_PKG:-}" ]; then
        pkg=$(resolve)
    fi
    download "$pkg" || die "apt-get download $pkg failed (see $OUT/dl/apt.log)"
fi
kver=${pkg#linux-image-}
set -- "$OUT/dl/${pkg}_"*.deb
[ -f "$1" ] || die "apt-get download $pkg produced no .deb"
deb=$1

# Unpack into a fresh tree so a half-finished earlier run leaves no debris.
rm -rf "$OUT/root" "$OUT/root.tmp"
mkdir -p "$OUT/root.tmp"
dpkg-deb -x "$deb" "$OUT/root.tmp" || die "dpkg-deb -x $deb failed"
mv "$OUT/root.tmp" "$OUT/root"

[ -f "$OUT/root/boot/vmlinuz-$kver" ] || die "$deb has no boot/vmlinuz-$kver"
[ -d "$OUT/root/lib/modules/$kver" ] || die "$deb has no lib/modules/$kver"

# The package ships no modules.dep (postinst runs depmod on the target).
depmod -b "$OUT/root" "$kver" || die "depmod -b $OUT/root $kver failed"

ln -sfn "root/boot/vmlinuz-$kver" "$OUT/vmlinuz"
printf '%s\n' "$kver" >"$OUT/kver.tmp"
mv "$OUT/kver.tmp" "$OUT/kver"
echo "hatch: fetch-kernel: $kver in $OUT"
