# shellcheck shell=bash
# LVM2 roots activated by the init with the image's static lvm (the lvm
# hook). Sourced by tests/e2e/run.sh after its own cases (uses its boot, T,
# TAIL, E, FILTER and the HATCH_* ids).
#
# The disks (qemu/mkdisk.sh -l lvm-linear / lvm-striped: root, loop devices
# and the host's lvm2 tools, no device-mapper): a whole-disk PV whose VG
# $HATCH_LVM_VG holds the ext4 root in LV $HATCH_LVM_LV; and a VG
# $HATCH_LVM_STRIPED_VG over two disks with the LV striped across both.
# And LUKS on LVM (-l lvm-luks): VG $HATCH_LVM_LUKS_VG whose LV holds the
# LUKS2 volume $HATCH_LUKS_UUID of the luks layout, the ext4 root inside:
# the LV is activated as its PV is probed, then unlocked by its header's UUID.
# And (-l lvm-raid1 / lvm-thin, made inside a QEMU guest by
# qemu/guest-lvm.sh, as the host has no device-mapper): VG
# $HATCH_LVM_RAID_VG over two disks whose LV is a raid1 (dm-raid) with a
# leg on each, and VG $HATCH_LVM_THIN_VG whose LV is a thin volume in a
# thin pool; the ext4 root in both.

VX=$T/lvm
LVM_CASES=(lvm-linear-uuid lvm-linear-mapper lvm-linear-lv-only lvm-striped lvm-off
    lvm-other-vg lvm-no-hook lvm-luks-keyfile lvm-luks-passphrase lvm-raid1 lvm-raid1-degraded
    lvm-striped-missing lvm-thin)

if any_wanted "${LVM_CASES[@]}"; then
    rm -rf "$VX"
    mkdir -p "$VX"
    for l in linear striped luks raid1 thin; do
        sh qemu/mkdisk.sh -o "$VX/$l.img" -i build/checkinit -l "lvm-$l" >"$T/logs/mkdisk-lvm-$l.log" 2>&1 ||
            { echo "hatch: e2e: lvm: no lvm-$l disk, its cases will fail:"; cat "$T/logs/mkdisk-lvm-$l.log"; }
    done
    cp "$VX/linear.img" "$T/lvm-linear.img"
    cp "$VX/luks.img" "$T/lvm-luks.img"
    initrd lvm -H +lvm
    initrd lvmluks -H +luks,lvm --include "$VX/luks.img.key:/etc/hatch/luks.key"
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

    # LUKS on LVM: the LV (dm-0) is the LUKS volume, the root its dm-1.
    LU=$HATCH_LUKS_UUID CVG=$HATCH_LVM_LUKS_VG
    LACT="hatch: lvm: /dev/vda \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vda online, VG $CVG is complete\."
    LLOK="HATCH-CHECK result=ok pid=1 root=/dev/mapper/luks-$LU rootdev=253:1 fstype=ext4 mode=ro .*payload=ok:65536 "
    boot lvm-luks-keyfile lvm-luks lvmluks \
        "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU rd.luks.key=/etc/hatch/luks.key $TAIL" \
        --expect "$LACT" \
        --expect "hatch: luks: /dev/dm-0 is LUKS2, aes-xts-plain64; mapping it as /dev/mapper/luks-$LU" \
        --expect "hatch: luks: UUID=$LU unlocked: /dev/mapper/luks-$LU is /dev/dm-1 \(TYPE=ext4, UUID=$HATCH_FS_UUID\)" \
        --expect "hatch: root device UUID=$HATCH_FS_UUID is /dev/dm-1 \(TYPE=ext4\)" \
        --expect "$LLOK" --reject "Passphrase for" --reject "hatch: lvm: .*failed"
    boot lvm-luks-passphrase lvm-luks lvmluks "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU $TAIL" \
        --when "Passphrase for UUID=$LU \(/dev/dm-0\): " --type "$HATCH_LUKS_PASS" \
        --expect "$LACT" \
        --expect "hatch: luks: UUID=$LU unlocked: /dev/mapper/luks-$LU is /dev/dm-1 \(TYPE=ext4, UUID=$HATCH_FS_UUID\)" \
        --expect "$LLOK" --reject "wrong passphrase" --reject "$HATCH_LUKS_PASS" --reject "hatch: lvm: .*failed"

    # raid1: activated when the second leg's disk appears; the kernel's md
    # raid1 personality runs both mirrors.
    RVG=$HATCH_LVM_RAID_VG TVG=$HATCH_LVM_THIN_VG
    ROK="HATCH-CHECK result=ok pid=1 root=/dev/(mapper/$RVG-$LV|dm-4) rootdev=253:4 fstype=ext4 mode=ro .*payload=ok:65536 "
    boot lvm-raid1 - lvm "root=/dev/mapper/$RVG-$LV $TAIL" \
        --disk "$VX/raid1.img" --disk "$VX/raid1.img.dev2" \
        --expect "hatch: lvm: /dev/vd[ab] \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vd[ab] online, VG $RVG incomplete \(need 1\)\." \
        --expect "hatch: lvm: /dev/vd[ab] \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vd[ab] online, VG $RVG is complete\." \
        --expect "md/raid1:mdX: active with 2 out of 2 mirrors" \
        --expect "$ROK" --reject "hatch: lvm: .*(failed|degraded)"
    # One leg's disk missing: at half of rd.timeout the VG is activated
    # degraded and the raid1 runs on one mirror; root=UUID= finds the LV,
    # not its leg rimage_0, which holds the same filesystem.
    boot lvm-raid1-degraded - lvm "root=UUID=$HATCH_FS_UUID rd.timeout=8 $TAIL" \
        --disk "$VX/raid1.img" \
        --expect "hatch: lvm: /dev/vda \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vda online, VG $RVG incomplete \(need 1\)\." \
        --expect "hatch: lvm: activating volume group $RVG degraded: 1 of its physical volumes did not appear within 4 s" \
        --expect "hatch: lvm: $RVG: .*1 logical volume\(s\) in volume group \"$RVG\" now active" \
        --expect "md/raid1:mdX: active with 1 out of 2 mirrors" \
        --expect "hatch: root device UUID=$HATCH_FS_UUID is /dev/dm-[0-9]+ \(TYPE=ext4\)" \
        --expect "HATCH-CHECK result=ok pid=1 root=/dev/mapper/$RVG-$LV rootdev=253:[0-9]+ fstype=ext4 mode=ro .*payload=ok:65536 " \
        --reject "ambiguous"
    # A striped LV cannot run without one of its disks: lvm refuses it, in
    # one line, and the root is not found.
    boot lvm-striped-missing - lvm "root=/dev/mapper/$SVG-$LV rd.timeout=4 $TAIL" \
        --disk "$VX/striped.img.dev2" \
        --expect "hatch: lvm: activating volume group $SVG degraded: 1 of its physical volumes did not appear within 2 s" \
        --expect "hatch: lvm: cannot activate volume group $SVG degraded \(exit status [0-9]+\): .*partial LV $SVG/$LV.*; its missing physical volumes are needed" \
        --expect "hatch: root device /dev/mapper/$SVG-$LV did not appear within 4 s" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E"
    # Thin: the thin LV is dm-4, after the pool's metadata and data, its
    # -tpool layer and the pool, and root=UUID= finds it alone (the pool's
    # layers are not probed); the image's lvm.conf runs no thin_check.
    boot lvm-thin - lvm "root=UUID=$HATCH_FS_UUID $TAIL" --disk "$VX/thin.img" \
        --expect "hatch: lvm: /dev/vda \(UUID=[^)]*\): pvscan\[[0-9]+\] PV /dev/vda online, VG $TVG is complete\." \
        --expect "hatch: root device UUID=$HATCH_FS_UUID is /dev/dm-[0-9]+ \(TYPE=ext4\)" \
        --expect "HATCH-CHECK result=ok pid=1 root=/dev/mapper/$TVG-$LV rootdev=253:4 fstype=ext4 mode=ro .*payload=ok:65536 " \
        --reject "hatch: lvm: .*failed" --reject "thin_check" --reject "ambiguous"
fi
