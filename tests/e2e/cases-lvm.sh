# shellcheck shell=bash
# LVM2 roots activated by the init with the image's static lvm (the lvm
# hook). Sourced by tests/e2e/run.sh after its own cases (uses its boot, T,
# TAIL, E, FILTER and the HATCH_* ids).
#
# The disks (qemu/mkdisk.sh -l lvm-linear / lvm-striped: root, loop devices
# and the host's lvm2 tools, no device-mapper): a whole-disk PV whose VG
# $HATCH_LVM_VG holds the ext4 root in LV $HATCH_LVM_LV; and a VG
# $HATCH_LVM_STRIPED_VG over two disks with the LV striped across both.

VX=$T/lvm
LVM_CASES=(lvm-linear-uuid lvm-linear-mapper lvm-linear-lv-only lvm-striped lvm-off
    lvm-other-vg lvm-no-hook)

lvm_wanted() {
    local c
    for c in "${LVM_CASES[@]}"; do
        [[ $c =~ $FILTER ]] && return 0
    done
    return 1
}

if lvm_wanted; then
    rm -rf "$VX"
    mkdir -p "$VX"
    for l in linear striped; do
        sh qemu/mkdisk.sh -o "$VX/$l.img" -i build/checkinit -l "lvm-$l" >"$T/logs/mkdisk-lvm-$l.log" 2>&1 ||
            { echo "hatch: e2e: lvm: no lvm-$l disk, its cases will fail:"; cat "$T/logs/mkdisk-lvm-$l.log"; }
    done
    cp "$VX/linear.img" "$T/lvm-linear.img"
    initrd lvm -H +lvm
    VG=$HATCH_LVM_VG SVG=$HATCH_LVM_STRIPED_VG LV=$HATCH_LVM_LV
    LOK="HATCH-CHECK result=ok pid=1 root=/dev/(mapper/$VG-$LV|dm-0) rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:65536 "

    boot lvm-linear-uuid lvm-linear lvm "root=UUID=$HATCH_FS_UUID $TAIL" \
        --expect "hatch: lvm: /dev/vda \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vda online, VG $VG is complete\." \
        --expect "hatch: root device UUID=$HATCH_FS_UUID is /dev/dm-0 \(TYPE=ext4\)" \
        --expect "$LOK" --reject "hatch: lvm: .*failed"
    boot lvm-linear-mapper lvm-linear lvm "root=/dev/mapper/$VG-$LV $TAIL" \
        --expect "hatch: root device /dev/mapper/$VG-$LV is /dev/dm-0 \(TYPE=ext4\)" \
        --expect "$LOK"
    boot lvm-linear-lv-only lvm-linear lvm "root=/dev/mapper/$VG-$LV rd.lvm.lv=$VG/$LV $TAIL" \
        --expect "hatch: lvm: activating only $VG/$LV \(rd.lvm.vg=, rd.lvm.lv=\)" \
        --expect "$LOK"
    # Two disks: the VG is activated when the second PV is seen.
    boot lvm-striped - lvm "root=/dev/mapper/$SVG-$LV $TAIL" \
        --disk "$VX/striped.img" --disk "$VX/striped.img.dev2" \
        --expect "hatch: lvm: /dev/vd[ab] \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vd[ab] online, VG $SVG incomplete \(need 1\)\." \
        --expect "hatch: lvm: /dev/vd[ab] \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vd[ab] online, VG $SVG is complete\." \
        --expect "HATCH-CHECK result=ok pid=1 root=/dev/(mapper/$SVG-$LV|dm-0) rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:65536 "
    boot lvm-off lvm-linear lvm "root=UUID=$HATCH_FS_UUID rd.lvm=0 rd.timeout=3 $TAIL" \
        --expect "hatch: lvm: rd.lvm=0: no volume group is activated" \
        --expect "hatch: lvm: /dev/vda is an LVM physical volume; not activating it \(rd.lvm=0\)" \
        --expect "hatch: root device UUID=$HATCH_FS_UUID did not appear within 3 s" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E" --reject "pvscan"
    boot lvm-other-vg lvm-linear lvm "root=UUID=$HATCH_FS_UUID rd.lvm.vg=othervg rd.timeout=3 $TAIL" \
        --expect "hatch: lvm: activating only othervg \(rd.lvm.vg=, rd.lvm.lv=\)" \
        --expect "hatch: root device UUID=$HATCH_FS_UUID did not appear within 3 s" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E"
    # An image without the lvm hook names the device and the hook.
    boot lvm-no-hook lvm-linear std "root=UUID=$HATCH_FS_UUID rd.timeout=3 $TAIL" \
        --expect "hatch: lvm: /dev/vda is an LVM physical volume, but this image has no /sbin/lvm to activate its volume group; build the image with the lvm hook \(mkinitramfs.sh -H \+lvm\)" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E"
fi
