#!/bin/sh
# make bench: time in the initramfs, image size, image build time; hatch
# side by side with tiny-initramfs and a bare kernel; and the time to find
# the root among 1, 50 and 201 disks. HATCH_BENCH_SECTIONS picks sections
# (default "build boot side scale").
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
SECTIONS=${HATCH_BENCH_SECTIONS:-build boot side scale}
mkdir -p "$B"
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

now_ms() { date +%s%3N; }

# --- image build time and size ---
# build_ms FRESH CACHE-OPTION...: the best of 3 builds of $B/initrd.img,
# in ms; FRESH=1 empties $B/cache before each.
build_ms() {
    best=""
    fresh=$1
    shift
    for _ in 1 2 3; do
        [ "$fresh" = 0 ] || rm -rf "$B/cache"
        t0=$(now_ms)
        sh mkinitramfs.sh "$@" -k "$KVER" -b "$K/root" -o "$B/initrd.img" >"$B/mkinitramfs.log" 2>&1 ||
            { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh failed" >&2; exit 1; }
        t=$(($(now_ms) - t0))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
}
want build && {
# A first build compresses everything, and fills the cache (on by
# default); a rebuild takes the compressed modules and busybox from it.
first_ms=$(build_ms 1 --cache "$PWD/$B/cache")
warm=$(build_ms 0 --cache "$PWD/$B/cache")
cold=$(build_ms 0 --no-cache)
size=$(stat -c %s "$B/initrd.img")
sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$B/initrd-none.img" -c none >"$B/mkinitramfs.log" 2>&1 ||
    { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh -c none failed" >&2; exit 1; }
usize=$(stat -c %s "$B/initrd-none.img")
echo "image build (default hooks, zstd): ${first_ms} ms first (an empty cache, filled), ${warm} ms as a rebuild from the cache, ${cold} ms with --no-cache (best of 3 each)"
echo "image size: $size bytes zstd, $usize bytes uncompressed"
echo "init binary: $(stat -c %s build/init) bytes"

}
want build ||
    sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$B/initrd.img" >"$B/mkinitramfs.log" 2>&1 ||
    { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh failed" >&2; exit 1; }
sh qemu/mkdisk.sh -o "$B/plain.img" -i build/checkinit -l plain >/dev/null
sh qemu/mkdisk.sh -o "$B/vsep.img" -i build/checkinit -l verity-sep >/dev/null
rh=$(cat "$B/vsep.img.roothash")
sh qemu/mkdisk.sh -o "$B/usr.img" -i build/checkinit -l verity-usr >/dev/null
uh=$(cat "$B/usr.img.usrhash")

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

want boot && measure "root=UUID" "$B/plain.img" "root=UUID=$HATCH_FS_UUID"
want boot && measure "verity" "$B/vsep.img" "roothash=$rh systemd.verity_root_data=PARTLABEL=$HATCH_PARTLABEL systemd.verity_root_hash=PARTLABEL=$HATCH_HASH_PARTLABEL"

# --- side by side: a bare kernel, tiny-initramfs, hatch ---
# Debian's tiny-initramfs (tiny-initramfs-core: a static init that loads a
# fixed list of modules and mounts root=) is what users pick for speed. Its
# init comes from the package (apt-get download, unpacked here, never
# installed), in the layout its mktirfs writes (/init, each module at the
# top, /modules listing them in load order, gzip -9), with the modules this
# boot needs: virtio_pci, virtio_blk, ext4 and their dependencies; mktirfs
# itself only reads the running kernel's /lib/modules, hence this. The
# bare kernel boots an /init that only reports when it started.
#
# All boot the same disk with `quiet`, round-robin, under -icount
# shift=0,sleep=off; the real init (the check init) reports start= (its
# CLOCK_BOOTTIME on entry) and runinit= (the kernel's "Run /init" time, so
# unpacking the initramfs shows as the gap to the bare kernel's). delta is
# the real init's start minus the bare kernel's (median of each).
side_tiny() { # builds $B/tiny.img; sets tiny_ms
    T=$B/tiny
    if [ ! -x "$T/init-static" ]; then
        rm -rf "$T" && mkdir -p "$T/deb"
        (cd "$T/deb" && apt-get download -q tiny-initramfs-core >/dev/null 2>&1) ||
            { echo "bench: apt-get download tiny-initramfs-core failed" >&2; exit 1; }
        dpkg-deb -x "$T"/deb/tiny-initramfs-core_*.deb "$T/x"
        cp "$(find "$T/x" -name init-static | head -n 1)" "$T/init-static"
    fi
    t0=$(now_ms)
    rm -rf "$T/root" && mkdir -p "$T/root/dev" "$T/root/proc" "$T/root/target"
    cp "$T/init-static" "$T/root/init"
    modprobe -d "$K/root" -S "$KVER" --show-depends -a virtio_pci virtio_blk ext4 |
        awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' | while read -r f; do
        cp "$f" "$T/root/"
        echo "/${f##*/}" >>"$T/root/modules"
    done
    (cd "$T/root" && find . ! -name . | sort | cpio -o --quiet -R 0:0 -H newc | gzip -9) >"$B/tiny.img"
    tiny_ms=$(($(now_ms) - t0))
}

side_hello() { # builds $B/hello.img
    mkdir -p "$B/hello" && cp build/bench-hello "$B/hello/init"
    (cd "$B/hello" && echo init | cpio -o --quiet -R 0:0 -H newc | gzip -9) >"$B/hello.img"
}

# field LOG NAME: NAME=VALUE from the check init's (or hello's) line
field() { grep -a 'HATCH-' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# side_boot NAME IMAGE DISK APPEND [CONTROLLER [BOOT.SH OPTION...]]: appends
# this boot's start/runinit/reads to NAME's lists. CONTROLLER is a boot.sh
# disk option (--disk: virtio-blk, the default; --nvme, --ahci); the options
# after it add disks.
side_boot() {
    log="$B/side-$1-$i.log"
    sb_name=$1 sb_img=$2 sb_disk=$3 sb_append="$4 quiet nohz=off panic=-1 rd.emergency=poweroff"
    sb_ctl=${5:---disk}
    shift 4
    [ $# -eq 0 ] || shift
    if [ "$sb_disk" = - ]; then
        bash qemu/boot.sh --icount --kernel "$K/vmlinuz" --initrd "$sb_img" --append "$sb_append" \
            --log "$log" --timeout 300 --expect 'HATCH-HELLO' >/dev/null
    else
        bash qemu/boot.sh --icount --kernel "$K/vmlinuz" --initrd "$sb_img" "$sb_ctl" "$sb_disk" \
            "$@" --append "$sb_append" --log "$log" --timeout 300 --expect 'HATCH-CHECK' >/dev/null
    fi || { echo "bench: side-by-side boot $sb_name $i failed (see $log)" >&2; exit 1; }
    set -- "$sb_name"
    st=$(field "$log" start) ri=$(field "$log" runinit)
    # read requests the root's disk served (its first line in diskstats)
    rd=$(field "$log" reads | sed -n 's/^[^:]*:\([0-9]*\)\/.*/\1/p')
    [ "$1" != hello ] || ri=$st rd=0
    case "$st$ri$rd" in *[!0-9.]* | "") echo "bench: no start=/runinit=/reads= in $log" >&2; exit 1 ;; esac
    eval "starts_$1=\"\${starts_$1:-} $st\" runs_$1=\"\${runs_$1:-} $ri\" reads_$1=\"\${reads_$1:-} $rd\""
}

# stats "LIST": median [min-max] of seconds
# shellcheck disable=SC2086 # a list of numbers
stats() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f [%.3f-%.3f]", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

if want side; then
    SIDE_RUNS=${HATCH_BENCH_SIDE_RUNS:-5}
    side_tiny
    side_hello
    # A first build (tiny-initramfs keeps no cache either), then a rebuild
    # from the cache that one filled.
    rm -rf "$B/side-cache"
    for c in cold warm; do
        t0=$(now_ms)
        sh mkinitramfs.sh --cache "$PWD/$B/side-cache" -k "$KVER" -b "$K/root" -o "$B/side-hatch.img" >"$B/mkinitramfs.log" 2>&1 ||
            { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh failed" >&2; exit 1; }
        eval "hatch_${c}_ms=$(($(now_ms) - t0))"
    done
    # An image of tiny-initramfs's modules and no shell, against its size.
    for c in xz zstd; do
        sh mkinitramfs.sh -k "$KVER" -b "$K/root" -H base -m virtio_pci,virtio_blk,ext4 -c "$c" \
            -o "$B/side-small-$c.img" >"$B/mkinitramfs.log" 2>&1 ||
            { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh -H base -c $c failed" >&2; exit 1; }
    done
    # its unpacked size: the same image uncompressed
    sh mkinitramfs.sh -k "$KVER" -b "$K/root" -c none -o "$B/side-hatch-none.img" >"$B/mkinitramfs.log" 2>&1 ||
        { cat "$B/mkinitramfs.log" >&2; echo "bench: mkinitramfs.sh -c none failed" >&2; exit 1; }
    i=0
    while [ $i -lt "$SIDE_RUNS" ]; do
        i=$((i + 1))
        side_boot hello "$B/hello.img" - ""
        side_boot tiny "$B/tiny.img" "$B/plain.img" "root=UUID=$HATCH_FS_UUID"
        side_boot hatch "$B/side-hatch.img" "$B/plain.img" "root=UUID=$HATCH_FS_UUID"
        side_boot verity "$B/side-hatch.img" "$B/vsep.img" "roothash=$rh systemd.verity_root_data=PARTLABEL=$HATCH_PARTLABEL systemd.verity_root_hash=PARTLABEL=$HATCH_HASH_PARTLABEL"
        side_boot nvme "$B/side-hatch.img" "$B/plain.img" "root=UUID=$HATCH_FS_UUID" --nvme
        side_boot ahci "$B/side-hatch.img" "$B/plain.img" "root=UUID=$HATCH_FS_UUID" --ahci
        side_boot usr "$B/side-hatch.img" "$B/vsep.img" "roothash=$rh systemd.verity_root_data=PARTLABEL=$HATCH_PARTLABEL systemd.verity_root_hash=PARTLABEL=$HATCH_HASH_PARTLABEL usrhash=$uh" --disk --disk "$B/usr.img"
    done
    # shellcheck disable=SC2154,SC2086 # set through eval in side_boot; a list of numbers
    base=$(median $starts_hello)
    unz() { zcat -f "$1" | wc -c; }
    echo
    echo "side by side (-icount shift=0,sleep=off, quiet, $SIDE_RUNS boots each, round-robin;" \
        "seconds since kernel start, median [min-max]):"
    printf '%-22s %10s %11s %24s %24s %7s %6s\n' image bytes unpacked '"Run /init" at' 'real init at' delta reads
    for n in hello tiny hatch verity usr nvme ahci; do
        case $n in
        hello) img=$B/hello.img label="bare kernel, hello" ;;
        tiny) img=$B/tiny.img label="tiny-initramfs" ;;
        hatch) img=$B/side-hatch.img label="hatch generic" ;;
        verity) img=$B/side-hatch.img label="hatch, dm-verity root" ;;
        usr) img=$B/side-hatch.img label="hatch, verity root+/usr" ;;
        nvme) img=$B/side-hatch.img label="hatch, NVMe disk" ;;
        ahci) img=$B/side-hatch.img label="hatch, AHCI disk" ;;
        esac
        eval "st=\$starts_$n ri=\$runs_$n rd=\$reads_$n"
        # shellcheck disable=SC2086 # a list of numbers
        d=$(awk -v a="$(median $st)" -v b="$base" 'BEGIN { printf "%.3f", a - b }')
        eval "delta_$n=$d"
        # unpacked: what the kernel unpacks, after the early microcode part
        # shellcheck disable=SC2086 # a list of numbers
        printf '%-22s %10s %11s %24s %24s %7s %6s\n' "$label" "$(stat -c %s "$img")" \
            "$(if [ "$n" = hello ] || [ "$n" = tiny ]; then unz "$img"; else stat -c %s "$B/side-hatch-none.img"; fi)" \
            "$(stats "$ri")" "$(stats "$st")" "$d" "$(median $rd)"
    done
    # shellcheck disable=SC2154 # set through eval above
    awk -v h="$delta_hatch" -v t="$delta_tiny" -v v="$delta_verity" -v nv="$delta_nvme" \
        -v ah="$delta_ahci" -v hb="$hatch_cold_ms" -v hw="$hatch_warm_ms" -v tb="$tiny_ms" 'BEGIN {
        printf "ratios: hatch/tiny delta %.2f, verity/hatch %.2f, NVMe/virtio %.2f, AHCI/virtio %.2f; build: hatch %d ms (%.2f of tiny), %d ms as a rebuild from its cache; tiny %d ms\n",
            h / t, v / h, nv / h, ah / h, hb, hb / tb, hw, tb }'
    echo "reads: read requests the root's disk served before the real init started"
    awk -v x="$(stat -c %s "$B/side-small-xz.img")" -v z="$(stat -c %s "$B/side-small-zstd.img")" \
        -v t="$(stat -c %s "$B/tiny.img")" 'BEGIN {
        printf "tiny-initramfs'"'"'s modules and no shell (-H base -m virtio_pci,virtio_blk,ext4): %d bytes with -c xz (%.3f of tiny'"'"'s %d, gzip), %d with zstd (%.3f)\n",
            x, x / t, t, z, z / t }'
    # Where each boot's stage went: hatch's own timings (/run/hatch/timings,
    # through the check init's stages=), per stage, median over the boots.
    echo "hatch's stages (ms, median of $SIDE_RUNS; modules: the image's list; root/usr: waiting for the devices; verity: the mapping and its proof):"
    for n in hatch verity usr nvme ahci; do
        i=0
        while [ $i -lt "$SIDE_RUNS" ]; do i=$((i + 1)) && field "$B/side-$n-$i.log" stages; done | awk -v n="$n" -F, '
            { for (i = 1; i <= NF; i++) { split($i, kv, ":"); if (!(kv[1] in seen)) { seen[kv[1]] = 1; order[++k] = kv[1] }
                v[kv[1], ++c[kv[1]]] = kv[2] } }
            END { printf "  %-7s", n
                for (j = 1; j <= k; j++) { s = order[j]; m = c[s]
                    for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (v[s, b] + 0 < v[s, a] + 0) { t = v[s, a]; v[s, a] = v[s, b]; v[s, b] = t }
                    printf " %s %.0f", s, v[s, int((m + 1) / 2)] }
                print "" }'
    done
    # The second mapping's cost, against the stage (Run /init to the real
    # init) of the verity root alone: the goal is under 5%.
    # shellcheck disable=SC2154,SC2086 # set through eval in side_boot; lists of numbers
    awk -v vs="$(median $starts_verity)" -v vr="$(median $runs_verity)" \
        -v us="$(median $starts_usr)" -v ur="$(median $runs_usr)" 'BEGIN {
        v = vs - vr; u = us - ur
        printf "a verified /usr beside the verity root: stage %.3f s vs %.3f s, +%.0f ms (%+.1f%%)\n",
            u, v, (u - v) * 1000, (u - v) / v * 100 }'
fi

# --- time to find the root among many devices ---
want scale || exit 0
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
