#!/bin/sh
# Unpack a bzImage into the ELF vmlinux inside it, for QEMU's PVH entry.
#
# usage: qemu/pvh-kernel.sh BZIMAGE OUT
#
# Why: under TCG, a bzImage spends about 3 s of every test boot in SeaBIOS
# and in decompressing itself, before the kernel's clock even starts. Given
# the ELF with its Xen PVH note, QEMU jumps straight to the 64-bit kernel
# (Debian builds CONFIG_PVH=y), which halves the wall time of an e2e boot.
# The tests use this; the demo and make bench boot the bzImage users boot.
# The payload's place comes from the boot protocol header (setup_sects at
# 0x1f1, payload_offset and payload_length at 0x248), not from a search.
set -eu

die() {
    echo "hatch: pvh-kernel: $*" >&2
    exit 1
}
[ $# -eq 2 ] || die "usage: qemu/pvh-kernel.sh BZIMAGE OUT"
in=$1 out=$2
[ -f "$in" ] || die "$in not found"

# u8|u32 OFFSET: a little-endian number from the header.
u8() { od -An -tu1 -j "$1" -N1 "$in" | tr -d ' '; }
u32() { od -An -tu4 --endian=little -j "$1" -N4 "$in" | tr -d ' '; }

[ "$(od -An -c -j 514 -N4 "$in" | tr -d ' ')" = HdrS ] ||
    die "$in is not a bzImage (no HdrS boot header)"
setup=$(u8 497)
[ "$setup" -ne 0 ] || setup=4
start=$(((setup + 1) * 512 + $(u32 584)))
len=$(u32 588)
magic=$(od -An -tx1 -j "$start" -N6 "$in" | tr -d ' ')
[ "$magic" = fd377a585a00 ] ||
    die "$in: payload at $start is not xz (magic $magic); only xz kernels are handled"

tail -c +"$((start + 1))" "$in" | head -c "$len" | xz -dc --single-stream >"$out.tmp" ||
    die "xz could not unpack the payload of $in"
readelf -n "$out.tmp" 2>/dev/null | grep -q 'Xen.*0x00000012' ||
    die "$in: the kernel has no PVH entry note (needs CONFIG_PVH=y)"
mv "$out.tmp" "$out"
