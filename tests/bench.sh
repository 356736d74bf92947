#!/bin/sh
# make bench: time in the initramfs, image size, image build time, and the
# time to find the root among 1, 50 and 201 disks.
#
# Guest times are taken under QEMU's -icount shift=0,sleep=off, which makes
# the guest clock count instructions, unlike plain TCG wall times (which
# swing by a quarter). One catch: while the guest idles waiting for disk
# I/O, sleep=off jumps its clock to the next timer, and with the kernel's
# tickless idle that can be seconds away (a mount once "took" 4.3 s). The
# guests run with nohz=off, so the clock jumps one 4 ms tick at a time; but
# it jumps as many ticks as QEMU gets through before the host completes the
# read, so many reads in a row still make these figures follow the host's
# load (see the last section, which therefore uses sleep=on).
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
    sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$B/initrd.img" >"$B/mkinitramfs.log" 2>&1 ||
        { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh failed" >&2; exit 1; }
    t=$(($(now_ms) - t0))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
size=$(stat -c %s "$B/initrd.img")
sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$B/initrd-none.img" -c none >"$B/mkinitramfs.log" 2>&1 ||
    { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh -c none failed" >&2; exit 1; }
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

# --- time to find the root among many devices ---
# The root disk last on one virtio-scsi controller (boot.sh --scsi), behind
# 0, 49 and 200 filler disks of 1 MiB (qemu/mkdisk.sh blank layouts: of
# every three, one without a partition table, one GPT, one DOS, each table
# with one partition). "find root" is from hatch's "waiting up to" line to
# its "root device ... is /dev/..." line (the `root` stage of
# /run/hatch/timings): loading virtio_scsi and sd_mod, the kernel scanning
# the targets and attaching the disks (sd_mod's load returns once every
# disk is attached), then hatch taking in each block device's uevent and
# probing it with libblkid until the root's UUID turns up. "kernel" ends at
# the last "Attached SCSI disk" line, "hatch" is the rest.
#
# These boots run under -icount shift=0,sleep=on (boot.sh --icount-sleep),
# not sleep=off as above: hatch reads every disk in turn, and under
# sleep=off each of those hundreds of I/O waits lets the idle guest's clock
# race through timer ticks until the host completes the read, so the
# figure follows the host's load (17 to 78 s for the same 201-disk boot).
# sleep=on counts instructions while the guest runs and the host's time
# while it waits. HATCH_BENCH_SCALE_ICOUNT=--icount shows the difference.
SCALE_RUNS=${HATCH_BENCH_SCALE_RUNS:-3}
SCALE_DISKS=${HATCH_BENCH_SCALE_DISKS:-1 50 201}
SCALE_ICOUNT=${HATCH_BENCH_SCALE_ICOUNT:---icount-sleep}
S=$B/scale

# Filler disks f-0 .. f-(N-1), made once for the largest count; remade when
# qemu/mkdisk.sh changes.
nfill=0
for n in $SCALE_DISKS; do
    [ $((n - 1)) -le "$nfill" ] || nfill=$((n - 1))
done
stampv="$(sha256sum qemu/mkdisk.sh | cut -c1-64) $nfill"
if [ "$(cat "$S/stamp" 2>/dev/null)" != "$stampv" ]; then
    rm -rf "$S"
    mkdir -p "$S"
    k=0
    while [ $k -lt $nfill ]; do
        case $((k % 3)) in 0) l=blank ;; 1) l=blank-gpt ;; *) l=blank-mbr ;; esac
        sh qemu/mkdisk.sh -o "$S/f-$k.img" -l $l -n $k >/dev/null
        k=$((k + 1))
    done
    echo "$stampv" >"$S/stamp"
fi

# last LOG RE: kernel timestamp of the last line matching RE
last() { awk -v re="$2" '$0 ~ re { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t) } END { print t }' "$1"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

scale_measure() { # DISKS: sets s_find s_kern s_hatch (medians, ms), s_runs, s_devs
    nd=$1 finds="" kerns="" hatchs=""
    i=0
    while [ $i -lt "$SCALE_RUNS" ]; do
        i=$((i + 1))
        log="$B/scale-$nd-$i.log"
        set --
        k=0
        while [ $k -lt $((nd - 1)) ]; do
            set -- "$@" --scsi "$S/f-$k.img"
            k=$((k + 1))
        done
        bash qemu/boot.sh "$SCALE_ICOUNT" --kernel "$K/vmlinuz" --initrd "$B/initrd.img" "$@" \
            --scsi "$B/plain.img" \
            --append "root=UUID=$HATCH_FS_UUID nohz=off panic=-1 rd.emergency=poweroff" \
            --log "$log" --timeout 900 --expect 'HATCH-CHECK result=ok' >/dev/null ||
            { echo "bench: $nd disks, boot $i failed (see $log)" >&2; exit 1; }
        w=$(stamp "$log" 'hatch: waiting up to')
        f=$(stamp "$log" 'hatch: root device .* is /dev/')
        a=$(last "$log" 'Attached SCSI disk')
        finds="$finds $(ms "$w" "$f")"
        kerns="$kerns $(ms "$w" "$a")"
        hatchs="$hatchs $(ms "$a" "$f")"
    done
    # shellcheck disable=SC2086  # lists of numbers
    s_find=$(median $finds) s_kern=$(median $kerns) s_hatch=$(median $hatchs)
    s_runs=${finds# }
    # Block devices: the disks, the partitions of two fillers in three, the root's.
    f1=$((nd - 1))
    s_devs=$((nd + f1 - (f1 + 2) / 3 + 1))
}

# slope "DISKS DEVS FIND KERN HATCH" "DISKS DEVS FIND KERN HATCH" LABEL
slope() {
    echo "$1 $2" | awk -v l="$3" '{
        d = $6 - $1; b = $7 - $2
        printf "%s %s -> %s disks: %.1f ms a disk (kernel %.1f, hatch %.1f), %.1f ms a block device\n",
            l, $1, $6, ($8 - $3) / d, ($9 - $4) / d, ($10 - $5) / d, ($8 - $3) / b }'
}

echo
echo "time to find the root, root=UUID= on the last of N virtio-scsi disks" \
    "(-icount sleep=on, median of $SCALE_RUNS boots, ms):"
printf '%7s %9s %10s %8s %8s  %s\n' disks blockdevs "find root" kernel hatch "runs (find root)"
first="" prev="" rows=""
for n in $SCALE_DISKS; do
    scale_measure "$n"
    printf '%7s %9s %10s %8s %8s  %s\n' "$n" "$s_devs" "$s_find" "$s_kern" "$s_hatch" "$s_runs"
    row="$n $s_devs $s_find $s_kern $s_hatch"
    [ -z "$prev" ] || rows="$rows$(slope "$prev" "$row" "  ")
"
    [ -n "$first" ] || first=$row
    prev=$row
done
if [ "$prev" != "$first" ]; then
    echo "cost of each added device, between the counts measured:"
    printf '%s' "$rows"
    slope "$first" "$prev" "overall,"
fi
