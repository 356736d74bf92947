# shellcheck shell=bash
# Robustness at scale, sourced by tests/e2e/run.sh after its own cases (it
# uses run.sh's boot, ok, TAIL, T, FILTER and the HATCH_* ids).
#
# One virtio-scsi controller with SCALE_N small filler disks (boot.sh
# --scsi: targets 0, 1, ... in order; of every three, one has no partition
# table, one a GPT and one a DOS table with one empty partition) and the
# test root disk ($T/plain.img) last, at target SCALE_N. hatch must find the
# root there, see every block device on the way and drop none, and, when
# the root is not there, list every one of them in its failure report.
#
# Cost on a 2-core machine under TCG: a boot alone takes about 30 s (the
# kernel attaches the 201 disks in ~5 s of guest time, hatch probes the 335
# block devices in ~5 s more); two at a time on a machine busy with other
# work, 85 to 125 s each. The filler disks (sparse, 1 MiB each) are made
# once (~20 s) and reused while qemu/mkdisk.sh and SCALE_N stay the same.
#
# scale-missing-report relies on hatch going through every device present
# before it looks at the clock: rd.timeout=5 runs out while sd_mod's load
# is still attaching the disks, and the report comes only once all of them
# are probed (the wait it prints lasted 20 to 37 s here). A hatch that cut
# the probing short at the deadline would list fewer devices.

SCALE_N=${HATCH_E2E_SCALE_DISKS:-200}
SCALE_DIR=$T/scale
# Block devices the guest has: the fillers, their partitions (two of every
# three have one), and the root disk with its partition.
SCALE_DEVS=$((SCALE_N + SCALE_N - (SCALE_N + 2) / 3 + 2))
SCALE_NOUUID=00000000-0000-4000-8000-0000005ca1e0

# scale_disks DIR N: DIR/f-K.img for K in 0..N-1, each 1 MiB (sparse).
scale_disks() {
    local dir=$1 n=$2 k layouts=(blank blank-gpt blank-mbr) stamp
    stamp="$(sha256sum qemu/mkdisk.sh | cut -c1-64) $n"
    if [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    for ((k = 0; k < n; k++)); do
        sh qemu/mkdisk.sh -o "$dir/f-$k.img" -l "${layouts[k % 3]}" -n "$k" \
            >>"$T/logs/mkdisk-scale.log" 2>&1 ||
            { cat "$T/logs/mkdisk-scale.log"; die "mkdisk.sh for filler disk $k failed"; }
    done
    echo "$stamp" >"$dir/stamp"
}

# The names hatch logged as "block device NAME (MAJ:MIN) ..." (rd.debug).
scale_seen() { # LOG
    sed -n 's/.*hatch: block device \([^ ]*\) (.*/\1/p' "$1" | sort -u
}

# hatch lines that would mean trouble at scale: a device not kept, lost
# events (and the rescan they cost), an error of any kind.
SCALE_BAD='hatch: .*(out of memory|cannot|overflow|rescan|fail|error|drop|too many|more than|ambiguous|not kept)'

scale_no_trouble() { # LOG
    if grep -E -a "$SCALE_BAD" "$1"; then
        echo "hatch logged the trouble above"
        return 1
    fi
}

post_scale_root_last() {
    local log=$T/logs/scale-root-last.log line name rootdev seen disk
    line=$(grep -a 'HATCH-CHECK result=ok' "$log")
    name=$(printf '%s\n' "$line" | sed -n 's|.* root=/dev/\([^ ]*\) .*|\1|p')
    rootdev=$(printf '%s\n' "$line" | sed -n 's/.* rootdev=\([0-9:]*\) .*/\1/p')
    disk=${name%1}
    echo "root is /dev/$name ($rootdev); $(printf '%s\n' "$line" | grep -o 'uptime=[^ ]*')"
    # The device hatch reported and mounted is the one the check init sees...
    grep -a -q "hatch: root device UUID=$HATCH_FS_UUID is /dev/$name (TYPE=ext4)" "$log" ||
        { echo "hatch named another root than /dev/$name"; return 1; }
    grep -a -q "hatch: block device $name ($rootdev) type=ext4 uuid=$HATCH_FS_UUID " "$log" ||
        { echo "no 'block device $name ($rootdev)' line with the root's UUID"; return 1; }
    # ... and it is on the last disk, at target SCALE_N.
    grep -a -E -q "sd [0-9]+:0:$SCALE_N:0: \[$disk\] Attached SCSI disk" "$log" ||
        { echo "/dev/$disk is not the disk at target $SCALE_N"; return 1; }
    seen=$(scale_seen "$log" | wc -l)
    echo "block devices hatch saw: $seen (the guest has $SCALE_DEVS)"
    scale_no_trouble "$log" || return 1
    [ "$seen" -ge 200 ] && [ "$seen" -eq "$SCALE_DEVS" ]
}

post_scale_missing_report() {
    local log=$T/logs/scale-missing-report.log n listed
    n=$(sed -n 's/.*hatch: block devices seen (\([0-9]*\)):.*/\1/p' "$log")
    echo "rd.timeout=5: the wait lasted $(gap "$log" "hatch: waiting up to 5 s" "did not appear") s"
    # The report's lines: "hatch:   NAME MAJ:MIN TYPE=..."
    listed=$(grep -a -c -E 'hatch:   [a-z0-9]+ +[0-9]+:[0-9]+ TYPE=' "$log")
    echo "failure report: block devices seen ($n), $listed listed (the guest has $SCALE_DEVS)"
    grep -a -q -E "hatch:   sd[a-z]+1 +[0-9]+:[0-9]+ TYPE=ext4 UUID=$HATCH_FS_UUID " "$log" ||
        { echo "the report does not list the root disk's partition"; return 1; }
    scale_no_trouble "$log" || return 1
    [ -n "$n" ] && [ "$n" -ge 200 ] && [ "$n" -eq "$SCALE_DEVS" ] && [ "$listed" -eq "$n" ]
}

if any_wanted scale-root-last scale-missing-report; then
    echo "hatch: e2e: scale: $SCALE_N filler disks in $SCALE_DIR"
    scale_disks "$SCALE_DIR" "$SCALE_N"
    SCALE_ARGS=()
    for ((k = 0; k < SCALE_N; k++)); do
        SCALE_ARGS+=(--scsi "$SCALE_DIR/f-$k.img")
    done
    SCALE_ARGS+=(--scsi "$T/plain.img" --timeout 400)

    boot scale-root-last - std "root=UUID=$HATCH_FS_UUID rd.debug $TAIL" "${SCALE_ARGS[@]}" \
        --expect "$(ok '/dev/sd[a-z]+1')rootdev=[0-9]+:[0-9]+ fstype=ext4 mode=ro .*payload=ok:65536 " \
        --expect "hatch: root device UUID=$HATCH_FS_UUID is /dev/sd[a-z]+1 \(TYPE=ext4\)" \
        --reject "Kernel panic"
    boot scale-missing-report - std "root=UUID=$SCALE_NOUUID rd.timeout=5 $TAIL" "${SCALE_ARGS[@]}" \
        --expect "hatch: root device UUID=$SCALE_NOUUID did not appear within 5 s" \
        --expect "hatch: block devices seen \(([2-9][0-9]{2}|[1-9][0-9]{3,})\):" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E"
fi
