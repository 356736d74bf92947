# shellcheck shell=bash
# Reach: the generic image (std: default hooks, no per-host config) boots
# its root behind every disk controller QEMU can show, from every root
# filesystem it claims, on every kind of partition table. Sourced by
# tests/e2e/run.sh after its own cases (uses its boot, ok, TAIL, E, T,
# FILTER and the HATCH_* ids).
#
# Every case asserts the root device and the filesystem type the check init
# reports, and a case on a SCSI disk (sda) also which driver owns the SCSI
# host of sda (post_*), since AHCI, PIIX IDE, USB and virtio-scsi disks are
# all named sda. Each case covers one controller and one filesystem, and
# between them all: controllers virtio-blk, virtio-scsi, NVMe, AHCI (q35's
# ICH9), PIIX3 IDE, USB mass storage (xHCI with usb-storage, and uas), SD
# card (sdhci-pci); filesystems ext4, xfs, btrfs (in a subvolume), erofs,
# squashfs, vfat (refused: no init program); tables GPT, DOS with the root
# on a logical partition (the primary DOS case is run.sh's
# root-mbr-partuuid), and none (a whole-disk filesystem).
#
# Disks are made once a run (about 10 s in all), only when a reach- case is
# wanted; all are sparse and 64 MiB but xfs (320: mkfs.xfs refuses under
# 300 MB) and f2fs (128). The btrfs disk needs root and a loop device (see
# qemu/mkdisk.sh). A disk that cannot be made fails the cases that boot it,
# not the run.

RX=$T/reach

REACH_CASES=(reach-nvme-xfs-gpt-uuid reach-ahci-btrfs-subvol-label reach-ide-erofs-ro-uuid
    reach-usb-storage-squashfs-ro-partuuid reach-uas-ext4-mbr-logical-partuuid
    reach-sd-ext4-whole-disk-uuid reach-virtio-blk-ext4-whole-disk-devname
    reach-virtio-blk-ext4-mbr-logical-devname reach-virtio-scsi-vfat-no-init-refused)

# reach_disk NAME LAYOUT FSTYPE [MIB]: $RX/NAME.img, or none and a note.
reach_disk() {
    local log=$T/logs/mkdisk-reach-$1.log
    rm -f "$RX/$1.img"
    sh qemu/mkdisk.sh -o "$RX/$1.img" -i build/checkinit -l "$2" -f "$3" ${4:+-s "$4"} \
        >"$log" 2>&1 ||
        { echo "hatch: e2e: reach: no $1 disk, its cases will fail:"; cat "$log"; }
}

# reach_host LOG DRIVER: the SCSI host of sda is DRIVER's ("scsi hostN:
# DRIVER" for the N of "sd N:0:0:0: [sda] Attached").
reach_host() {
    local h
    h=$(sed -n 's/.* sd \([0-9]*\):[0-9]*:[0-9]*:[0-9]*: \[sda\] Attached SCSI.*/\1/p' "$1" | head -n 1)
    [ -n "$h" ] || { echo "no 'sd N:...: [sda] Attached' line"; return 1; }
    grep -a -E -q "scsi host$h: $2" "$1" || {
        echo "sda is on SCSI host $h, which is not $2's:"
        grep -a -E "scsi host$h:" "$1"
        return 1
    }
    echo "sda is on SCSI host $h: $2"
}
post_reach_ahci_btrfs_subvol_label() { reach_host "$T/logs/reach-ahci-btrfs-subvol-label.log" ahci; }
post_reach_ide_erofs_ro_uuid() { reach_host "$T/logs/reach-ide-erofs-ro-uuid.log" ata_piix; }
post_reach_usb_storage_squashfs_ro_partuuid() {
    reach_host "$T/logs/reach-usb-storage-squashfs-ro-partuuid.log" usb-storage
}
post_reach_uas_ext4_mbr_logical_partuuid() {
    reach_host "$T/logs/reach-uas-ext4-mbr-logical-partuuid.log" uas
}
post_reach_virtio_scsi_vfat_no_init_refused() {
    reach_host "$T/logs/reach-virtio-scsi-vfat-no-init-refused.log" "Virtio SCSI HBA"
}

if any_wanted "${REACH_CASES[@]}"; then
    rm -rf "$RX"
    mkdir -p "$RX"
    reach_start=$(date +%s)
    reach_disk xfs plain xfs
    reach_disk btrfs plain btrfs
    reach_disk erofs plain erofs
    reach_disk squashfs plain squashfs
    reach_disk vfat plain vfat
    # f2fs: for the case below that waits for the image to carry f2fs.
    reach_disk f2fs plain f2fs
    reach_disk logical mbr-logical ext4
    # 64 MiB, a power of 2, as QEMU's SD card wants.
    reach_disk whole whole ext4 64
    echo "hatch: e2e: reach: disks made in $(($(date +%s) - reach_start)) s"

    RK=(--reject "Kernel panic")
    RUUID="root=UUID=$HATCH_FS_UUID"

    # NVMe (nvme, by modalias) with xfs on GPT, found by filesystem UUID.
    # No virtio device: the image's virtio drivers stay unloaded and the
    # drivers of the devices present (NVMe, q35's AHCI) start at once,
    # beside ext4's load; the root waits for the AHCI driver's look at its
    # ports (a duplicate there would make it ambiguous).
    boot reach-nvme-xfs-gpt-uuid - std "$RUUID $TAIL" --nvme "$RX/xfs.img" "${RK[@]}" \
        --expect "hatch: no device here needs virtio_pci or virtio_blk: loading the drivers of the devices present at once" \
        --expect "hatch: loading nvme \(device pci:" --expect "hatch: loading ahci \(device pci:" \
        --reject "hatch: loading virtio_(pci|blk) " \
        --expect "$(ok /dev/nvme0n1p1)rootdev=259:1 fstype=xfs mode=ro .*payload=ok:65536 "
    # AHCI (q35's own ICH9 controller) with btrfs: the root is the
    # subvolume rootflags= names; the top level holds nothing else, so
    # without subvol= there would be no init to run.
    boot reach-ahci-btrfs-subvol-label - std \
        "root=LABEL=$HATCH_FS_LABEL rootflags=subvol=$HATCH_BTRFS_SUBVOL $TAIL" \
        --ahci "$RX/btrfs.img" "${RK[@]}" \
        --expect "hatch: mounted /dev/sda1 \(btrfs\) on /newroot read-only with subvol=$HATCH_BTRFS_SUBVOL$" \
        --expect "$(ok /dev/sda1)rootdev=0:[0-9]+ fstype=btrfs mode=ro .*payload=ok:65536 "
    # PIIX3 IDE (ata_piix) with erofs, read-only by nature: booted with ro,
    # and the check init writes nothing on it.
    boot reach-ide-erofs-ro-uuid - std "$RUUID ro $TAIL" --ide "$RX/erofs.img" "${RK[@]}" \
        --expect "$(ok /dev/sda1)rootdev=8:1 fstype=erofs mode=ro .*payload=ok:65536 "
    # A USB stick (xHCI, usb-storage) with squashfs, which has no UUID or
    # label: found by its GPT partition's UUID.
    boot reach-usb-storage-squashfs-ro-partuuid - std "root=PARTUUID=$HATCH_PARTUUID ro $TAIL" \
        --usb "$RX/squashfs.img" "${RK[@]}" \
        --expect "$(ok /dev/sda1)rootdev=8:1 fstype=squashfs mode=ro .*payload=ok:65536 "
    # USB Attached SCSI (uas) with ext4 on a DOS table's first logical
    # partition, found by its PARTUUID (disk id-05).
    boot reach-uas-ext4-mbr-logical-partuuid - std "root=PARTUUID=$HATCH_MBR_LOGICAL_PARTUUID $TAIL" \
        --uas "$RX/logical.img" "${RK[@]}" \
        --expect "$(ok /dev/sda5)rootdev=8:5 fstype=ext4 mode=ro .*payload=ok:65536 "
    # An SD card (sdhci-pci, mmc_block) holding ext4 on the whole card, no
    # partition table, found by UUID.
    boot reach-sd-ext4-whole-disk-uuid - std "$RUUID $TAIL" --sd "$RX/whole.img" "${RK[@]}" \
        --expect "$(ok /dev/mmcblk0)rootdev=179:0 fstype=ext4 mode=ro .*payload=ok:65536 "
    # The same whole-disk filesystem on virtio-blk, named by device: a
    # disk, not a partition, is a valid root when it holds a filesystem.
    # A virtio PCI device: virtio_pci and virtio_blk load with the list,
    # which finds the root alone; the AHCI driver (q35's controller has
    # no disk) is left to the real system.
    boot reach-virtio-blk-ext4-whole-disk-devname - std "root=/dev/vda $TAIL" \
        --disk "$RX/whole.img" "${RK[@]}" \
        --expect "hatch: loading virtio_pci \(listed in the image for a device present\)" \
        --reject "hatch: loading (ahci|libata) " --reject "no device here needs" \
        --expect "$(ok /dev/vda)rootdev=254:0 fstype=ext4 mode=ro .*payload=ok:65536 "
    # virtio-blk, a logical partition by device name: vda5 (vda1 is the
    # extended partition, which holds no filesystem).
    boot reach-virtio-blk-ext4-mbr-logical-devname - std "root=/dev/vda5 $TAIL" \
        --disk "$RX/logical.img" "${RK[@]}" \
        --expect "$(ok /dev/vda5)rootdev=254:5 fstype=ext4 mode=ro .*payload=ok:65536 "
    # virtio-scsi with vfat and no init program on it (FAT has no symbolic
    # links), with the kernel's defaults: FAT asks the kernel for its
    # codepage (nls_cp437) and Debian's iocharset (nls_ascii), which the
    # init loads as /sbin/modprobe; mounted, then refused in one line that
    # names the device and type, and no boot.
    boot reach-virtio-scsi-vfat-kernel-defaults-no-init-refused - std "root=UUID=$HATCH_VFAT_UUID $TAIL" \
        --scsi "$RX/vfat.img" "${RK[@]}" --reject "$E" \
        --expect "hatch: loading nls_cp437 \(asked for by the kernel\)" \
        --expect "hatch: mounted /dev/sda1 \(vfat\) on /newroot read-only$" \
        --expect "hatch: no init program on /dev/sda1 \(vfat\): none of /sbin/init, /etc/init, /bin/init is an executable file" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)"
    # f2fs on virtio-blk, GPT, by UUID.
    boot reach-virtio-blk-f2fs-gpt-uuid - std "$RUUID $TAIL" --disk "$RX/f2fs.img" "${RK[@]}" \
        --expect "$(ok /dev/vda1)rootdev=254:1 fstype=f2fs mode=ro .*payload=ok:65536 "
fi
