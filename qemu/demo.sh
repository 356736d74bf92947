#!/bin/sh
# make demo: build the demo disk and initramfs, boot them in QEMU with the
# serial console shown live, and say how long the initramfs took.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=qemu/disk-ids.sh
. qemu/disk-ids.sh

D=build/demo
K=build/kernel
KVER=$(cat "$K/kver")
mkdir -p "$D"
sh qemu/mkdisk.sh -o "$D/disk.img" -i build/checkinit
sh mkinitramfs.sh -k "$KVER" -b "$K/root" -o "$D/initrd.img"
echo "hatch: demo: booting $K/vmlinuz with $D/initrd.img and root=UUID=$HATCH_FS_UUID"
echo "hatch: demo: the check init on the disk prints one HATCH-CHECK line and powers off"
echo
bash qemu/boot.sh --live --kernel "$K/vmlinuz" --initrd "$D/initrd.img" --disk "$D/disk.img" \
    --append "root=UUID=$HATCH_FS_UUID panic=-1" --log "$D/console.log" --timeout 300 \
    --expect 'HATCH-CHECK result=ok pid=1 '
echo
awk '/Run \/init as init process/ { sub(/^\[ */, ""); sub(/\].*/, ""); r = $0 + 0 }
     /HATCH-CHECK/ { sub(/.* uptime=/, ""); sub(/ .*/, ""); c = $0 + 0 }
     END { if (r && c) printf "hatch: demo: %.2f s from the kernel running /init to the check init'"'"'s line (TCG, wall clock of the guest)\n", c - r }' "$D/console.log"
