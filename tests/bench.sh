#!/bin/sh
# make bench: time in the initramfs, image size, image build time.
#
# Guest times are taken under QEMU's -icount shift=0,sleep=off, which makes
# the guest clock count instructions, unlike plain TCG wall times (which
# swing by a quarter). One catch: while the guest idles waiting for disk
# I/O, sleep=off jumps its clock to the next timer, and with the kernel's
# tickless idle that can be seconds away (a mount once "took" 4.3 s). The
# guests run with nohz=off, so an I/O wait costs at most one 4 ms tick.
# "in initramfs" is from the kernel's "Run /init as init process" to
# hatch's "switching to" line, i.e. to the exec of the real init; both are
# kernel timestamps.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=qemu/disk-ids.sh
. qemu/disk-ids.sh

B=build/bench
K=build/kernel
KVER=$(cat "$K/kver")
RUNS=${HATCH_BENCH_RUNS:-5}
mkdir -p "$B"

now_ms() { date +%s%3N; }

# --- image build time and size ---
best=""
for _ in 1 2 3; do
    t0=$(now_ms)
    sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$B/initrd.img" >/dev/null 2>&1
    t=$(($(now_ms) - t0))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
size=$(stat -c %s "$B/initrd.img")
sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$B/initrd-none.img" -c none >/dev/null 2>&1
usize=$(stat -c %s "$B/initrd-none.img")
echo "image build (default hooks, zstd): ${best} ms (best of 3)"
echo "image size: $size bytes zstd, $usize bytes uncompressed"
echo "init binary: $(stat -c %s build/init) bytes"

sh qemu/mkdisk.sh -o "$B/plain.img" -i build/checkinit -l plain >/dev/null
sh qemu/mkdisk.sh -o "$B/vsep.img" -i build/checkinit -l verity-sep >/dev/null
rh=$(cat "$B/vsep.img.roothash")

# stamp LOG RE: kernel timestamp of the first line matching RE
stamp() { awk -v re="$2" '$0 ~ re { sub(/^\[ */, ""); sub(/\].*/, ""); print; exit }' "$1"; }

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

measure() { # NAME DISK APPEND
    name=$1 disk=$2 append=$3
    all="" own=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        log="$B/$name-$i.log"
        bash qemu/boot.sh --icount --kernel "$K/vmlinuz" --initrd "$B/initrd.img" \
            --disk "$disk" --append "$append nohz=off panic=-1 rd.emergency=poweroff" \
            --log "$log" --timeout 300 --expect 'HATCH-CHECK result=ok' >/dev/null ||
            { echo "bench: $name boot $i failed (see $log)" >&2; exit 1; }
        a=$(stamp "$log" 'Run /init as init process')
        b=$(stamp "$log" 'hatch: switching to')
        all="$all $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", (b - a) * 1000 }')"
        # hatch's own count, main() to just before exec, from /run/hatch/timings
        own="$own $(sed -n 's/.* hatch_ms=\([0-9]*\).*/\1/p' "$log")"
    done
    # shellcheck disable=SC2086  # lists of numbers
    echo "in initramfs, $name: median $(median $all) ms (runs:$all ms);" \
        "hatch's own /run/hatch/timings: median $(median $own) ms (runs:$own ms)"
}

measure "root=UUID" "$B/plain.img" "root=UUID=$HATCH_FS_UUID"
measure "verity" "$B/vsep.img" "roothash=$rh systemd.verity_root_data=PARTLABEL=$HATCH_PARTLABEL systemd.verity_root_hash=PARTLABEL=$HATCH_HASH_PARTLABEL"
