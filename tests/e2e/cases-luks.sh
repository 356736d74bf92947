# shellcheck shell=bash
# LUKS2 roots unlocked by the init with libcryptsetup. Sourced by
# tests/e2e/run.sh after its own cases (uses its boot, ok, TAIL, E, T,
# FILTER, PROMPT, lock_refused and the HATCH_* ids).
#
# The disk (qemu/mkdisk.sh -l luks): p1 a LUKS2 volume (PBKDF2 at 1000
# iterations, fast under TCG) holding the ext4 root; slot 0 the passphrase
# typed on the serial console, slot 1 a key file put in the image with
# --include. The root is then found by the inner filesystem's UUID.

LX=$T/luks
LUKS_CASES=(luks-keyfile luks-crypttab luks-keydev luks-keydev-missing luks-passphrase luks-wrong-then-right luks-ctrl-d
    luks-three-wrong luks-not-luks luks-no-hook lock-refuses-luks-discard
    lock-refuses-luks-keydev)
LU=$HATCH_LUKS_UUID

if any_wanted "${LUKS_CASES[@]}"; then
    rm -rf "$LX"
    mkdir -p "$LX"
    sh qemu/mkdisk.sh -o "$LX/luks.img" -i build/checkinit -l luks >"$T/logs/mkdisk-luks.log" 2>&1 ||
        { echo "hatch: e2e: luks: no LUKS disk, its cases will fail:"; cat "$T/logs/mkdisk-luks.log"; }
    cp "$LX/luks.img" "$T/luks.img"
    initrd luks -H +luks --include "$LX/luks.img.key:/etc/hatch/luks.key"
    LOK="HATCH-CHECK result=ok pid=1 root=/dev/mapper/"
    UNLOCKED="hatch: luks: UUID=$LU unlocked: /dev/mapper/"
    ASK="Passphrase for UUID=$LU \(/dev/vda1\): "

    # The key file: no prompt at all.
    boot luks-keyfile luks luks \
        "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU rd.luks.key=/etc/hatch/luks.key $TAIL" \
        --expect "hatch: luks: waiting up to 30 s for LUKS volume UUID=$LU" \
        --expect "hatch: luks: /dev/vda1 is LUKS2, aes-xts-plain64; mapping it as /dev/mapper/luks-$LU" \
        --expect "${UNLOCKED}luks-$LU is /dev/dm-0 \(TYPE=ext4, UUID=$HATCH_FS_UUID\)" \
        --expect "hatch: root device UUID=$HATCH_FS_UUID is /dev/dm-0 \(TYPE=ext4\)" \
        --expect "${LOK}luks-$LU rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:" \
        --reject "Passphrase for"
    # The image's /etc/crypttab, as --host-only writes it: no rd.luks.* at all.
    printf 'cryptroot UUID=%s /etc/hatch/luks.key luks\n' "$LU" >"$LX/crypttab"
    initrd lukstab -H +luks --include "$LX/luks.img.key:/etc/hatch/luks.key" \
        --include "$LX/crypttab:/etc/crypttab"
    boot luks-crypttab luks lukstab "root=UUID=$HATCH_FS_UUID $TAIL" \
        --expect "${UNLOCKED}cryptroot is /dev/dm-0 \(TYPE=ext4" \
        --expect "${LOK}cryptroot rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:" \
        --reject "Passphrase for"
    # The key file on a device of its own (systemd's PATH:DEVICE): a small
    # ext4 whole-disk filesystem, mounted read-only just to read it.
    mkdir -p "$LX/keyfs/keys"
    cp "$LX/luks.img.key" "$LX/keyfs/keys/root.key"
    rm -f "$LX/key.img"
    mke2fs -q -t ext4 -L hatchkey -d "$LX/keyfs" "$LX/key.img" 8M >"$T/logs/mke2fs-key.log" 2>&1 ||
        echo "hatch: e2e: luks: no key disk, luks-keydev will fail"
    boot luks-keydev luks luks \
        "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU rd.luks.key=/keys/root.key:LABEL=hatchkey $TAIL" \
        --disk "$LX/key.img" \
        --expect "hatch: luks: waiting up to 30 s for the key device LABEL=hatchkey of UUID=$LU" \
        --expect "hatch: mounted /dev/vdb \(ext4\) on /run/hatch/luks-key read-only" \
        --expect "${UNLOCKED}luks-$LU is /dev/dm-0 \(TYPE=ext4" \
        --expect "${LOK}luks-$LU rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:" \
        --reject "Passphrase for"
    # Without its key device: said, then the passphrase, as systemd does.
    boot luks-keydev-missing luks luks \
        "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU rd.luks.key=/keys/root.key:LABEL=hatchkey rd.timeout=2 $TAIL" \
        --when "$ASK" --type "$HATCH_LUKS_PASS" \
        --expect "hatch: luks: the key device LABEL=hatchkey of UUID=$LU did not appear within 2 s" \
        --expect "hatch: luks: no key file from LABEL=hatchkey for UUID=$LU; asking for the passphrase" \
        --expect "${LOK}luks-$LU rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:"
    # The passphrase typed on the console, the volume named by rd.luks.name=.
    boot luks-passphrase luks luks "root=UUID=$HATCH_FS_UUID rd.luks.name=$LU=cryptroot $TAIL" \
        --when "$ASK" --type "$HATCH_LUKS_PASS" \
        --expect "${UNLOCKED}cryptroot is /dev/dm-0 \(TYPE=ext4" \
        --expect "${LOK}cryptroot rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:" \
        --reject "wrong passphrase" --reject "$HATCH_LUKS_PASS"
    # A wrong one, then the right one typed ahead: said once, then unlocked.
    boot luks-wrong-then-right luks luks "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU $TAIL" \
        --when "$ASK" --type "not-the-passphrase" --type "$HATCH_LUKS_PASS" \
        --expect "hatch: luks: wrong passphrase for UUID=$LU \(try 1 of 3\)" \
        --expect "${UNLOCKED}luks-$LU is /dev/dm-0" \
        --expect "${LOK}luks-$LU rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:" \
        --reject "try 2 of 3" --reject "not-the-passphrase"
    # Ctrl-D at the prompt: one line, then the rd.emergency action.
    boot luks-ctrl-d luks luks "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU $TAIL" \
        --when "$ASK" --type $'\x04' \
        --expect "hatch: luks: no passphrase for UUID=$LU: the input ended at the prompt \(Ctrl-D\); not unlocking it" \
        --expect "hatch: powering off \(rd.emergency=poweroff\)" --reject "$E" --reject "wrong passphrase"
    boot luks-three-wrong luks luks "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU rd.luks.options=tries=3 $TAIL" \
        --when "$ASK" --type a --type b --type c \
        --expect "hatch: luks: wrong passphrase for UUID=$LU \(try 3 of 3\)" \
        --expect "hatch: luks: no passphrase unlocked UUID=$LU in 3 tries" \
        --expect "hatch: powering off" --reject "$E"
    # rd.luks.uuid= naming a filesystem, not a LUKS header.
    boot luks-not-luks plain luks "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$HATCH_FS_UUID $TAIL" \
        --expect "hatch: luks: UUID=$HATCH_FS_UUID is /dev/vda1, of TYPE=ext4, not a LUKS volume" \
        --expect "hatch: powering off" --reject "$E"
    # An image without the luks hook says which module is missing.
    boot luks-no-hook luks none "root=UUID=$HATCH_FS_UUID rd.luks.uuid=$LU $TAIL" \
        --expect "hatch: luks: the dm_crypt module is not in this image and not built in; build the image with the luks hook \(mkinitramfs.sh -H \+luks\)" \
        --expect "hatch: powering off" --reject "$E" --reject "Passphrase for"
    lock_refused luks-discard "rd.luks.uuid=$LU rd.luks.discard" "rd.luks.discard"
    lock_refused luks-keydev "rd.luks.uuid=$LU rd.luks.key=/k:LABEL=hatchkey" \
        "rd.luks.key=/k:LABEL=hatchkey for UUID=$LU"
fi
