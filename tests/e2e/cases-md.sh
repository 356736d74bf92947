# shellcheck shell=bash
# mdraid roots assembled by the image's static mdadm (-H +mdraid). Sourced
# by tests/e2e/run.sh after its own cases (uses its boot, ok, initrd, gap,
# TAIL, E, T, FILTER and the HATCH_* ids).
#
# The disks (qemu/mkdisk.sh -l md-raid1): an md RAID1, metadata 1.2, over
# p1 of two virtio disks, holding the ext4 root; found by the filesystem's
# UUID once the array runs. Both members; one member (started degraded
# after half of rd.timeout=6, by the root's wait or by resume='s);
# rd.md.uuid= in mdadm's form and naming another array; rd.md=0; and an
# image without the mdraid hook.

MDX=$T/md
MD_CASES=(md-raid1-both md-raid1-uuid-mdadm-form md-raid1-other-uuid md-raid1-degraded
    md-resume-degraded md-off md-no-hook)
MU=$HATCH_MD_UUID
# mdadm's spelling of the same UUID: 8:8:8:8
MU_MDADM=$(printf '%s' "$MU" | tr -d - | sed 's/\(.\{8\}\)\(.\{8\}\)\(.\{8\}\)/\1:\2:\3:/')

post_md_raid1_degraded() {
    local g
    g=$(gap "$T/logs/md-raid1-degraded.log" "hatch: waiting up to 6 s" \
        "hatch: md: starting /dev/md127 degraded")
    echo "the degraded start came $g s into the wait"
    awk -v g="$g" 'BEGIN { exit !(g != "none" && g >= 2.9 && g < 4.5) }'
}

if any_wanted "${MD_CASES[@]}"; then
    rm -rf "$MDX"
    mkdir -p "$MDX"
    sh qemu/mkdisk.sh -o "$MDX/md.img" -i build/checkinit -l md-raid1 >"$T/logs/mkdisk-md.log" 2>&1 ||
        { echo "hatch: e2e: md: no md-raid1 disks, their cases will fail:"; cat "$T/logs/mkdisk-md.log"; }
    initrd md -H +mdraid
    MDOK="$(ok /dev/md127)rootdev=9:127 fstype=ext4 mode=ro .*payload=ok:65536 "
    ADDED="hatch: md: /dev/vd[ab]1 added to /dev/md127 \(hatch:root, UUID=$MU\)"
    FOUND="hatch: root device UUID=$HATCH_FS_UUID is /dev/md127 \(TYPE=ext4\)"
    NOTFOUND="hatch: root device UUID=$HATCH_FS_UUID did not appear within 2 s"
    D1=(--disk "$MDX/md.img")
    D2=(--disk "$MDX/md.img.dev2")

    boot md-raid1-both - md "root=UUID=$HATCH_FS_UUID $TAIL" "${D1[@]}" "${D2[@]}" \
        --expect "$ADDED; waiting for its other members" --expect "$ADDED: started" \
        --expect "$FOUND" --expect "$MDOK" --reject "degraded" --reject "hatch: md: .*failed"
    boot md-raid1-uuid-mdadm-form - md "root=UUID=$HATCH_FS_UUID rd.md.uuid=$MU_MDADM $TAIL" \
        "${D1[@]}" "${D2[@]}" --expect "$ADDED: started" --expect "$MDOK" --reject "left alone"
    boot md-raid1-other-uuid - md \
        "root=UUID=$HATCH_FS_UUID rd.md.uuid=00000000:00000000:00000000:00000001 rd.timeout=2 $TAIL" \
        "${D1[@]}" "${D2[@]}" \
        --expect "hatch: md: /dev/vd[ab]1 is a member of md array UUID=$MU, which no rd.md.uuid= names; left alone" \
        --expect "$NOTFOUND" --expect "hatch: powering off" --reject "$E" --reject "md127"
    # Only the second disk: its member waits, then runs alone.
    boot md-raid1-degraded - md "root=UUID=$HATCH_FS_UUID rd.timeout=6 $TAIL" "${D2[@]}" \
        --expect "hatch: md: /dev/vda1 added to /dev/md127 \(hatch:root, UUID=$MU\); waiting for its other members" \
        --expect "hatch: md: starting /dev/md127 degraded: raid1, 1 of 2 members present \(/dev/vda1\); the others did not appear within 3 s" \
        --expect "md/raid1:md127: active with 1 out of 2 mirrors" \
        --expect "$FOUND" --expect "$MDOK"
    # resume= on the same array waits first: its wait starts it degraded
    # (the filesystem there holds no hibernation image), not the root's.
    boot md-resume-degraded - md "resume=UUID=$HATCH_FS_UUID root=UUID=$HATCH_FS_UUID rd.timeout=6 $TAIL" \
        "${D2[@]}" \
        --expect "hatch: resume: waiting up to 6 s for resume device UUID=$HATCH_FS_UUID" \
        --expect "hatch: md: starting /dev/md127 degraded: raid1, 1 of 2 members present \(/dev/vda1\); the others did not appear within 3 s" \
        --expect "hatch: resume: no hibernation image resumed from /dev/md127" \
        --expect "$FOUND" --expect "$MDOK" --reject "did not appear within 6 s"
    boot md-off - md "root=UUID=$HATCH_FS_UUID rd.md=0 rd.timeout=2 $TAIL" "${D1[@]}" "${D2[@]}" \
        --expect "hatch: md: /dev/vd[ab]1 is a member of md array UUID=$MU; not assembled \(rd.md=0\)" \
        --expect "$NOTFOUND" --expect "hatch:   vda1 +254:1 TYPE=linux_raid_member UUID=$MU " \
        --expect "hatch: powering off" --reject "$E" --reject "md127"
    # The generic image: no mdadm in it.
    boot md-no-hook - std "root=UUID=$HATCH_FS_UUID rd.timeout=2 $TAIL" "${D1[@]}" "${D2[@]}" \
        --expect "hatch: md: /dev/vd[ab]1 is a member of md array UUID=$MU, but this image has no /sbin/mdadm to assemble it; rebuild the image with mkinitramfs.sh -H \+mdraid" \
        --expect "$NOTFOUND" --expect "hatch: powering off" --reject "$E"
fi
