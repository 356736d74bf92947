# shellcheck shell=bash
# A btrfs over two disks, and resuming from hibernation. Sourced by
# tests/e2e/run.sh after its own cases (uses its boot, ok, TAIL, E, T,
# FILTER, lock_refused, gap and the HATCH_* ids).
#
# btrfs: data and metadata RAID1 over two whole virtio disks (qemu/mkdisk.sh
# -l btrfs-raid1: needs root and loop devices), booted by the filesystem's
# UUID with both disks, with one missing (refused after rd.timeout=3 in one
# line), and with one missing and rootflags=degraded (boots). resume: a
# whole-disk swap area with no hibernation image (the kernel returns, the
# boot goes on), a resume device that never appears, and noresume.

MX=$T/multi
MULTI_CASES=(btrfs-raid1-uuid btrfs-raid1-label-second-disk-first btrfs-raid1-member-missing
    btrfs-raid1-degraded resume-swap-no-image resume-absent-continues resume-noresume
    lock-refuses-resume)
SWAP_UUID=5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d

# The resume notice and the warnings come before the root is mounted.
before_mount() { # LOG RE
    local a b
    a=$(grep -a -n -E -m1 "$2" "$1" | cut -d: -f1)
    b=$(grep -a -n -m1 'hatch: mounted ' "$1" | cut -d: -f1)
    echo "'$2' on line ${a:-none}, 'hatch: mounted' on line ${b:-none}"
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
post_resume_swap_no_image() {
    local log=$T/logs/resume-swap-no-image.log a b c
    before_mount "$log" 'hatch: resume: no hibernation image resumed' || return 1
    # hatch's write, then the kernel looking at 254:16, then hatch's notice
    a=$(grep -a -n -m1 'hatch: resume: resuming from' "$log" | cut -d: -f1)
    b=$(grep -a -n -m1 -E 'Hibernation image partition 254:16 present' "$log" | cut -d: -f1)
    c=$(grep -a -n -m1 'hatch: resume: no hibernation image resumed' "$log" | cut -d: -f1)
    echo "write on line $a, the kernel's check on line $b, the notice on line $c"
    [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ]
}
post_resume_absent_continues() {
    local g
    before_mount "$T/logs/resume-absent-continues.log" 'hatch: resume device .* did not appear' ||
        return 1
    g=$(gap "$T/logs/resume-absent-continues.log" "hatch: resume: waiting up to 2 s" \
        "hatch: resume device .* did not appear")
    echo "resume wait lasted $g s"
    awk -v g="$g" 'BEGIN { exit !(g != "none" && g >= 1.9 && g < 3.5) }'
}
post_btrfs_raid1_member_missing() {
    local g
    g=$(gap "$T/logs/btrfs-raid1-member-missing.log" "hatch: waiting up to 3 s" \
        "hatch: btrfs root UUID=.* wants 2 devices")
    echo "the wait for the root and its members lasted $g s"
    awk -v g="$g" 'BEGIN { exit !(g != "none" && g >= 2.9 && g < 4.5) }'
}

if any_wanted "${MULTI_CASES[@]}"; then
    rm -rf "$MX"
    mkdir -p "$MX"
    sh qemu/mkdisk.sh -o "$MX/raid.img" -i build/checkinit -l btrfs-raid1 \
        >"$T/logs/mkdisk-multi-raid.log" 2>&1 ||
        { echo "hatch: e2e: multi: no btrfs-raid1 disks, their cases will fail:"; cat "$T/logs/mkdisk-multi-raid.log"; }
    truncate -s 16M "$MX/swap.img"
    mkswap -U "$SWAP_UUID" -L hatchswap "$MX/swap.img" >"$T/logs/mkswap-multi.log" 2>&1 ||
        { echo "hatch: e2e: multi: mkswap failed, the resume cases will fail:"; cat "$T/logs/mkswap-multi.log"; }

    RAID=$HATCH_BTRFS_RAID_UUID
    BOK="HATCH-CHECK result=ok pid=1 root=/dev/vd[ab] rootdev=0:[0-9]+ fstype=btrfs mode=ro .*payload=ok:65536 "
    boot btrfs-raid1-uuid - std "root=UUID=$RAID $TAIL" --disk "$MX/raid.img" --disk "$MX/raid.img.dev2" \
        --expect "hatch: btrfs: /dev/vd[ab] is device [12] of the 2 of filesystem UUID=$RAID; registered" \
        --expect "hatch: root device UUID=$RAID is /dev/vd[ab] \(TYPE=btrfs\)" \
        --expect "hatch: btrfs: all 2 devices of UUID=$RAID are there" \
        --expect "$BOK" --reject "ambiguous" --reject "degraded"
    # The second device on the first disk, found by LABEL.
    boot btrfs-raid1-label-second-disk-first - std "root=LABEL=$HATCH_FS_LABEL $TAIL" \
        --disk "$MX/raid.img.dev2" --disk "$MX/raid.img" \
        --expect "hatch: btrfs: /dev/vda is device 2 of the 2 of filesystem UUID=$RAID; registered" \
        --expect "$BOK" --reject "ambiguous"
    boot btrfs-raid1-member-missing - std "root=UUID=$RAID rd.timeout=3 $TAIL" --disk "$MX/raid.img" \
        --expect "hatch: btrfs root UUID=$RAID wants 2 devices, but only 1 appeared within 3 s: /dev/vda \(device 1\); check the missing disks and their drivers \(devices seen below\), or mount without them with rootflags=degraded" \
        --expect "hatch:   vda +254:0 TYPE=btrfs UUID=$RAID LABEL=$HATCH_FS_LABEL" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E" --reject "BTRFS.*: mounted|hatch: mounted"
    boot btrfs-raid1-degraded - std "root=UUID=$RAID rootflags=degraded $TAIL" --disk "$MX/raid.img.dev2" \
        --expect "hatch: btrfs: mounting UUID=$RAID degraded \(rootflags=degraded\): it has 2 devices, 1 present: /dev/vda \(device 2\); the others are not waited for" \
        --expect "hatch: mounted /dev/vda \(btrfs\) on /newroot read-only with degraded" \
        --expect "HATCH-CHECK result=ok pid=1 root=/dev/vda rootdev=0:[0-9]+ fstype=btrfs mode=ro .*payload=ok:65536 " \
        --reject "hatch: btrfs: waiting"

    # resume: vda is the plain root disk, vdb the swap area.
    # pm_debug_messages with ignore_loglevel: the kernel's own lines show
    # that it got 254:16 from hatch and looked for an image there.
    boot resume-swap-no-image plain std \
        "root=/dev/vda1 resume=UUID=$SWAP_UUID resume_offset=0 pm_debug_messages ignore_loglevel $TAIL" \
        --disk "$MX/swap.img" \
        --expect "PM: (hibernation: )?Hibernation image partition 254:16 present" \
        --expect "hatch: resume: waiting up to 30 s for resume device UUID=$SWAP_UUID" \
        --expect "hatch: resume: resuming from /dev/vdb \(254:16, TYPE=swap\) at page 0 if it holds a hibernation image" \
        --expect "hatch: resume: no hibernation image resumed from /dev/vdb .*; booting normally" \
        --expect "$(ok /dev/vda1)" --reject "hatch: command line"
    boot resume-absent-continues plain std \
        "root=/dev/vda1 resume=UUID=00000000-0000-4000-8000-000000000000 rd.timeout=2 $TAIL" \
        --expect "hatch: resume device UUID=00000000-0000-4000-8000-000000000000 did not appear within 2 s; booting without resuming from hibernation" \
        --expect "$(ok /dev/vda1)" --reject "hatch: resume: resuming"
    boot resume-noresume plain std "root=/dev/vda1 resume=UUID=$SWAP_UUID noresume $TAIL" \
        --disk "$MX/swap.img" \
        --expect "hatch: noresume: not resuming from hibernation; resume=UUID=$SWAP_UUID is not used" \
        --expect "$(ok /dev/vda1)" --reject "hatch: resume: (waiting|resuming)"
fi
lock_refused resume "resume=UUID=$SWAP_UUID" "resume="
