#!/bin/sh
# End-to-end check of the QEMU rig itself, without hatch: check init, Debian
# kernel, a plain test disk and a busybox initramfs must boot to a
# "HATCH-CHECK result=ok" line. Run it first when hatch's QEMU tests fail.
#
# usage: qemu/smoke.sh [BUILDDIR]     (default build; run from the repo root)
set -eu

b=${1:-build}
here=$(dirname "$0")

die() {
    echo "hatch: smoke: $*" >&2
    exit 1
}

mkdir -p "$b"
# Always rebuilt: it takes a fraction of a second and cannot then be stale.
musl-gcc -static -Os -Wall -Wextra -Werror -std=c11 -o "$b/checkinit" \
    tests/checkinit/checkinit.c || die "cannot build $b/checkinit"
"$here/fetch-kernel.sh" "$b/kernel"
"$here/kvm-probe.sh" "$b/kernel/vmlinuz" "$b/kvm-ok" >/dev/null
"$here/mkdisk.sh" -o "$b/smoke-plain.img" -i "$b/checkinit" -l plain >/dev/null
"$here/smoke-busybox-initrd.sh" "$b/kernel" "$b/smoke-initrd.cpio" >/dev/null

# The whole line, so a missing or reordered field fails here first.
line='^HATCH-CHECK result=ok pid=1 root=/dev/vda1 rootdev=254:1 fstype=ext4 mode=ro'
line="$line proc=1 sys=1 dev=1 run=1 argc=2 argv=/sbin/init,single"
line="$line env=HOME=/,TERM=linux payload=ok:65536 uptime=[0-9.]+ initrd=gone\$"
start=$(date +%s)
HATCH_KVM_OK=$(cat "$b/kvm-ok") "$here/boot.sh" --kernel "$b/kernel/vmlinuz" \
    --initrd "$b/smoke-initrd.cpio" --disk "$b/smoke-plain.img" \
    --append "root=/dev/vda1 panic=-1 single" --timeout 120 --log "$b/smoke.log" \
    --expect "$line" --reject 'Kernel panic' --reject '^smoke-error:' ||
    die "the rig does not boot (log: $b/smoke.log)"
echo "hatch: smoke: ok in $(($(date +%s) - start))s (kvm: $(cat "$b/kvm-ok"))"
