#!/bin/sh
# Boot the test kernel in QEMU with images from the generator, one per
# compression (and one with early microcode in front), using a marker /init
# that prints "HATCH-GEN-BOOT kver=..." and powers off; then once more
# through the generator's own `--check IMAGE --boot`.
#
# usage: tests/gen/boot.sh [COMP...]     (default: gzip zstd xz lz4 none)
# Needs qemu/boot.sh and the test kernel (build/kernel). Prints ok/not ok
# lines and "N passed, N failed"; exits non-zero on any failure.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
T=$TOP/build/gen-test
W=$T/boot
KDIR=${HATCH_TEST_KERNEL_DIR:-$TOP/build/kernel}
PASS=0
FAIL=0

[ -s "$KDIR/kver" ] || sh qemu/fetch-kernel.sh "$KDIR" >/dev/null
KVER=$(cat "$KDIR/kver")
rm -rf "$W"
mkdir -p "$W"
CC=musl-gcc
command -v "$CC" >/dev/null 2>&1 || CC=cc
"$CC" -static -Os -o "$W/marker-init" tests/gen/marker-init.c || {
    echo "not ok - build the marker init"
    echo "0 passed, 1 failed"
    exit 1
}

# An early microcode archive in front, too (fake data: the kernel finds no
# matching patch and carries on).
UC=$W/ucroot
mkdir -p "$UC/lib/modules" "$UC/lib/firmware/intel-ucode" "$UC/lib/firmware/amd-ucode" "$UC/boot"
ln -s "$(cd "$KDIR/root/lib/modules/$KVER" && pwd)" "$UC/lib/modules/$KVER"
cp "$KDIR/root/boot/config-$KVER" "$UC/boot/"
printf 'not microcode' >"$UC/lib/firmware/intel-ucode/06-00-00"
printf 'not microcode' >"$UC/lib/firmware/amd-ucode/microcode_amd.bin"

[ $# -gt 0 ] || set -- gzip zstd xz lz4 none
for c in "$@" zstd+microcode; do
    case $c in
    zstd+microcode) base=$UC comp=zstd hooks=base,modules,busybox,microcode ;;
    *) base=$KDIR/root comp=$c hooks=base,modules,busybox ;;
    esac
    img=$W/initrd-$c.img
    if ! sh mkinitramfs.sh -i "$W/marker-init" -k "$KVER" -b "$base" -c "$comp" -H "$hooks" \
        -o "$img" 2>"$W/gen-$c.err"; then
        FAIL=$((FAIL + 1))
        echo "not ok - boot $c: generator failed: $(cat "$W/gen-$c.err")"
        continue
    fi
    if qemu/boot.sh --kernel "$KDIR/vmlinux" --initrd "$img" --append "panic=-1" --timeout 120 \
        --expect "HATCH-GEN-BOOT kver=$KVER modules.dep.bin=yes sh=yes" --reject 'Kernel panic' \
        --log "$W/boot-$c.log" >/dev/null 2>&1; then
        PASS=$((PASS + 1))
        echo "ok - boot $c ($(wc -c <"$img" | tr -d ' ') bytes)"
    else
        FAIL=$((FAIL + 1))
        echo "not ok - boot $c (log: $W/boot-$c.log)"
    fi
done
# --check --boot: the generator's own QEMU check (one boot: the marker init
# powers off, which is what --boot waits for).
img=$W/initrd-zstd.img
if [ -f "$img" ]; then
    if sh mkinitramfs.sh -b "$KDIR/root" --check "$img" --cmdline "root=/dev/vda ro" --boot \
        >"$W/check-boot.out" 2>"$W/check-boot.err" &&
        [ "$(cat "$W/check-boot.out")" = "$img: ok for the command line (kernel $KVER, $(sh mkinitramfs.sh --show "$img" |
            sed -n 's/^modules: //p') modules, zstd)" ]; then
        PASS=$((PASS + 1))
        echo "ok - --check --boot: the image boots under QEMU and /init runs"
    else
        FAIL=$((FAIL + 1))
        echo "not ok - --check --boot: $(cat "$W/check-boot.out" "$W/check-boot.err")"
    fi
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
