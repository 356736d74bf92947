# shellcheck shell=bash
# A /usr apart from the root: verified (usrhash=, systemd.verity_usr_*=) or
# not (mount.usr=), under a root on disk or root=tmpfs. Sourced by
# tests/e2e/run.sh after its own cases (uses its boot, ok, TAIL, E, T,
# FILTER, PROMPT, LOCKED, NOT_MOUNTED, VSYS, DEV1 and the HATCH_* ids).
#
# The disk (qemu/mkdisk.sh -l verity-usr): p1 the ext4 root whose bin,
# sbin and lib are links into an empty /usr, so there is no /sbin/init
# until /usr is mounted; p2 the ext4 /usr (PARTLABEL usr) with sbin/init;
# p3 its hash tree (PARTLABEL usr-verity). p2's and p3's PARTUUIDs come from
# the usr root hash, so usrhash= alone finds them.

USR_CASES=(usr-tmpfs-root usr-by-type usr-verified-on-disk-root usr-verity-root-and-usr usr-hash-wrong-refused usr-unverified-mount
    usr-tmpfs-root-no-usr-refused usr-conflict-refused lock-usr-unverified-refused)

if any_wanted "${USR_CASES[@]}"; then
    sh qemu/mkdisk.sh -o "$T/usr.img" -i build/checkinit -l verity-usr >"$T/logs/mkdisk-usr.log" 2>&1 ||
        { echo "hatch: e2e: usr: no verity-usr disk, its cases will fail:"; cat "$T/logs/mkdisk-usr.log"; }
    # Without a disk, a hash of zeros keeps the command lines well formed.
    UH=$(cat "$T/usr.img.usrhash" 2>/dev/null) || UH=$(printf '%064d' 0)
    # A usr root hash that differs from UH in its last digit (whatever that is).
    UH_WRONG=${UH:0:63}$([ "${UH: -1}" = 0 ] && echo 1 || echo 0)
    # The same with PARTUUIDs that are not the hash's: found by type.
    cp "$T/usr.img" "$T/usr-typed.img"
    { sfdisk -q --part-uuid "$T/usr-typed.img" 2 5ca1ab1e-7502-4000-8000-000000000002 &&
        sfdisk -q --part-uuid "$T/usr-typed.img" 3 5ca1ab1e-7503-4000-8000-000000000003; } \
        >>"$T/logs/sfdisk-usr-typed.log" 2>&1 || echo "hatch: e2e: usr: sfdisk failed for usr-typed"
    UP1="root=PARTUUID=$HATCH_USRDISK_ROOT_PARTUUID"
    USR_OK="hatch: verity: usr hash verified; /dev/mapper/usr is /dev/dm-[0-9]+"
    USR_MOUNTED="EXT4-fs \(dm-[0-9]+\): mounted"

    # The verified /usr in a tmpfs root: the init is /usr's, through the
    # root's sbin -> usr/sbin link.
    boot usr-tmpfs-root usr std "root=tmpfs usrhash=$UH $TAIL" \
        --expect "$USR_OK" \
        --expect "$(ok tmpfs)rootdev=0:[0-9]+ fstype=tmpfs mode=rw .* usr=/dev/mapper/usr:ext4:ro stages="
    boot usr-by-type usr-typed std "root=tmpfs usrhash=$UH $TAIL" \
        --expect "hatch: /usr verity data device PARTUUID=[-0-9a-f]+ or a usr-x86-64 partition is /dev/vda2 " \
        --expect "hatch: /usr verity hash device PARTUUID=[-0-9a-f]+ or a usr-x86-64-verity partition is /dev/vda3 " \
        --expect "$USR_OK" --expect "$(ok tmpfs)rootdev=0:[0-9]+ fstype=tmpfs mode=rw .* usr=/dev/mapper/usr:ext4:ro stages="
    # ... and under the root on disk, which has no init of its own either.
    boot usr-verified-on-disk-root usr std "$UP1 usrhash=$UH $TAIL" \
        --expect "$USR_OK" \
        --expect "$(ok "$DEV1")rootdev=254:1 fstype=ext4 mode=ro .*payload=ok:65536 .* usr=/dev/mapper/usr:ext4:ro stages="
    # Two mappings: the verity root of vsep.img and the verified /usr of a
    # second disk mounted over its /usr.
    boot usr-verity-root-and-usr vsep std "roothash=$RH_SEP $VSYS usrhash=$UH $TAIL" \
        --disk "$T/usr.img" \
        --expect "hatch: verity: root hash verified; /dev/mapper/root" --expect "$USR_OK" \
        --expect "$(ok /dev/mapper/root)rootdev=253:0 fstype=ext4 mode=ro .*payload=ok:65536 .* usr=/dev/mapper/usr:ext4:ro stages="
    # A wrong hash with the devices named: refused before anything of it
    # is mounted.
    boot usr-hash-wrong-refused usr std \
        "$UP1 usrhash=$UH_WRONG systemd.verity_usr_data=PARTLABEL=$HATCH_USR_PARTLABEL systemd.verity_usr_hash=PARTLABEL=$HATCH_USR_HASH_PARTLABEL $TAIL" \
        --expect "hatch: verity: usr hash does not match the hash tree" \
        --expect "hatch: powering off" --reject 'HATCH-CHECK' --reject "$USR_MOUNTED"
    # An unverified /usr, read-only all the same.
    boot usr-unverified-mount usr std \
        "$UP1 mount.usr=PARTLABEL=$HATCH_USR_PARTLABEL mount.usrfstype=ext4 $TAIL" \
        --expect "$(ok "$DEV1")rootdev=254:1 fstype=ext4 mode=ro .* usr=/dev/vda2:ext4:ro stages=" \
        --reject "hatch: verity: usr"
    boot usr-tmpfs-root-no-usr-refused usr std "root=tmpfs $TAIL" \
        --expect "hatch: root=tmpfs: the tmpfs root has no init of its own; give mount.usr= or usrhash=" \
        --expect "hatch: powering off" --reject "$E"
    # mount.usr= naming another device than the verified one.
    boot usr-conflict-refused usr std "usrhash=$UH mount.usr=/dev/vda2 $UP1 $TAIL" \
        --expect "hatch: mount\.usr=/dev/vda2.*conflicts with verity" --reject "$E"
    # Under lockdown an unverified /usr is a loosening like any other.
    # (panic=-1 alone, as the other lock cases: rd.emergency= is refused.)
    boot lock-usr-unverified-refused vsep lock "$VSYS mount.usr=/dev/vda2 panic=-1" \
        --expect "hatch: lockdown: mount\.usr=" --expect "$LOCKED" \
        --reject "$E" --reject "$PROMPT" --reject "starting the rescue shell" --reject "$NOT_MOUNTED"
fi
