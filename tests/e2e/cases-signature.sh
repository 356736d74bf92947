# shellcheck shell=bash
# dm-verity root hash signatures. Sourced by tests/e2e/run.sh after its own
# cases (uses its boot, initrd, ok, TAIL, E, T, FILTER, VSYS, RH_SEP and the
# vsep disk).
#
# Debian's kernel trusts no key a test can make, so no signed root boots
# here: every case asserts the refusal, which of the kernel's reasons it
# was, and the wiring that got the signature there (the key loaded, the
# table naming it, the kernel's own "Root hash verification failed" line,
# which it prints only after it found the key the table names). Signatures
# are made with a throwaway key, as `openssl cms -sign -binary -outform der
# -noattr` over the root hash hex string (what dm-verity checks).

SIG_CASES=(sig-image-untrusted sig-path-wrong-hash sig-base64-nocerts-untrusted
    sig-base64-malformed sig-missing-file lock-sig-required lock-sig-replace-refused
    lock-sig-file-removed)

SIG_NOCERTS=- SIG_JUNK=-
if any_wanted "${SIG_CASES[@]}"; then
    SG=$T/sig
    rm -rf "$SG"
    mkdir -p "$SG"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SG/key.pem" -out "$SG/cert.pem" \
        -subj /CN=hatch-e2e-throwaway -days 2 >"$T/logs/sig-openssl.log" 2>&1 ||
        die "openssl could not make a throwaway key (see $T/logs/sig-openssl.log)"
    sign() { # HASH OUT [openssl options]
        local h=$1 out=$2
        shift 2
        printf '%s' "$h" | openssl cms -sign -binary -outform der -noattr \
            -signer "$SG/cert.pem" -inkey "$SG/key.pem" -out "$out" "$@" ||
            die "openssl cms -sign failed for $out"
    }
    sign "$RH_SEP" "$SG/good.p7s"
    # Signed by the same key, but over another root hash.
    sign "$RH_WRONG" "$SG/wrong.p7s"
    # Without the certificate: short enough for the command line.
    sign "$RH_SEP" "$SG/nocerts.p7s" -nocerts
    SIG_NOCERTS=$(base64 -w0 "$SG/nocerts.p7s")
    # A DER SEQUENCE header and then nothing the kernel's ASN.1 parser takes.
    SIG_JUNK=$(printf '0\202\001\000not a pkcs7 message at all' | base64 -w0)
    initrd sig --roothash-sig "$SG/good.p7s" --include "$SG/wrong.p7s:/etc/hatch-test/wrong.p7s"
    initrd locksig --lockdown --lockdown-action poweroff --roothash "$RH_SEP" \
        --roothash-sig "$SG/good.p7s"
    # The same image with its signature taken out afterwards: the policy
    # still requires it.
    initrd locksig-cut -H base,modules,verity -c none --lockdown --lockdown-action poweroff \
        --roothash "$RH_SEP" --roothash-sig "$SG/good.p7s"
    rm -rf "$SG/cut"
    mkdir "$SG/cut"
    (cd "$SG/cut" && cpio -id --quiet <"../../locksig-cut.cpio" && rm etc/hatch/roothash.p7s &&
        find . | LC_ALL=C sort | cpio -o --quiet -H newc >"../../locksig-cut.cpio") ||
        die "could not take the signature out of locksig-cut.cpio"
fi

SIG_REFUSED="hatch: verity: the kernel refused the root hash signature"
SIG_KEY="\(root_hash_sig_key_desc hatch:verity-root\)"
KERNEL_SIG="device-mapper: table: 253:0: verity: Root hash verification failed"
NOT_MOUNTED_SIG="EXT4-fs \(dm-0\): mounted"

# The image's own signature, used by default; rd.debug shows the table
# that carries it.
boot sig-image-untrusted vsep sig "roothash=$RH_SEP $VSYS rd.debug $TAIL" \
    --expect "hatch: verity: the root hash must carry this image's signature /etc/hatch/roothash.p7s" \
    --expect "hatch: verity: root hash signature from /etc/hatch/roothash.p7s \([0-9]+ bytes\) loaded as key hatch:verity-root" \
    --expect "hatch: verity table: 0 [0-9]+ verity 1 254:1 254:2 .* $RH_SEP [0-9a-f-]+ 2 root_hash_sig_key_desc hatch:verity-root" \
    --expect "$KERNEL_SIG \(-ENOKEY\)" \
    --expect "$SIG_REFUSED /etc/hatch/roothash.p7s $SIG_KEY: it is not signed by a key the kernel trusts \(ENOKEY\); not mounting: a signed root needs the signer's certificate in the kernel's builtin or secondary trusted keyring" \
    --expect "hatch: powering off" --reject "$E" --reject "$NOT_MOUNTED_SIG"
# A path in the initramfs (hatch's verity= form), signed over another hash.
boot sig-path-wrong-hash vsep sig "verity=data=PARTLABEL=$HATCH_PARTLABEL,hashdev=PARTLABEL=$HATCH_HASH_PARTLABEL,roothash=$RH_SEP,root-hash-signature=/etc/hatch-test/wrong.p7s $TAIL" \
    --expect "hatch: verity: root hash signature from /etc/hatch-test/wrong.p7s \([0-9]+ bytes\) loaded" \
    --expect "$KERNEL_SIG \(-EKEYREJECTED\)" \
    --expect "$SIG_REFUSED /etc/hatch-test/wrong.p7s $SIG_KEY: it does not verify against this root hash \(EKEYREJECTED\)" \
    --reject "$E" --reject "$NOT_MOUNTED_SIG"
# systemd's base64: form on the command line (the std image ships none).
boot sig-base64-nocerts-untrusted vsep std "roothash=$RH_SEP $VSYS systemd.verity_root_options=root-hash-signature=base64:$SIG_NOCERTS $TAIL" \
    --expect "hatch: verity: root hash signature from root-hash-signature=base64:\.\.\. \([0-9]+ bytes\) loaded" \
    --expect "$KERNEL_SIG \(-ENOKEY\)" \
    --expect "$SIG_REFUSED root-hash-signature=base64:\.\.\. $SIG_KEY: it is not signed by a key the kernel trusts \(ENOKEY\)" \
    --reject "$E" --reject "$NOT_MOUNTED_SIG"
boot sig-base64-malformed vsep std "roothash=$RH_SEP $VSYS systemd.verity_root_options=root-hash-signature=base64:$SIG_JUNK $TAIL" \
    --expect "$KERNEL_SIG \(-EBADMSG\)" \
    --expect "$SIG_REFUSED root-hash-signature=base64:\.\.\. $SIG_KEY: it is not a PKCS#7 signature the kernel can parse \(EBADMSG\)" \
    --reject "$E" --reject "$NOT_MOUNTED_SIG"
boot sig-missing-file vsep std "roothash=$RH_SEP $VSYS systemd.verity_root_options=root-hash-signature=/etc/nope.p7s $TAIL" \
    --expect "hatch: verity: the root hash signature file /etc/nope.p7s does not exist in the initramfs; not mounting without it" \
    --expect "hatch: powering off" --reject "$E" --reject "device-mapper: table:" --reject "$NOT_MOUNTED_SIG" \
    --reject "hatch: waiting"

# Locked down with --roothash-sig: the signature is required, so the
# kernel's refusal stops the boot, and the command line can neither
# replace it nor get around it.
boot lock-sig-required vsep locksig "$VSYS panic=-1" \
    --expect "hatch: verity: the root hash must carry this image's signature /etc/hatch/roothash.p7s \(required by its lockdown policy\)" \
    --expect "$SIG_REFUSED /etc/hatch/roothash.p7s $SIG_KEY: it is not signed by a key the kernel trusts \(ENOKEY\)" \
    --expect "$LOCKED" --reject "$E" --reject "$NOT_MOUNTED_SIG"
boot lock-sig-replace-refused vsep locksig "$VSYS systemd.verity_root_options=root-hash-signature=base64:$SIG_NOCERTS panic=-1" \
    --expect "hatch: lockdown: verity option root-hash-signature= is refused: this image is locked down \(the root hash signature is the image's own, /etc/hatch/roothash.p7s\)" \
    --expect "$LOCKED" --reject "$E" --reject "device-mapper: table:" --reject "$NOT_MOUNTED_SIG"
boot lock-sig-file-removed vsep locksig-cut "$VSYS panic=-1" \
    --expect "hatch: verity: the root hash signature /etc/hatch/roothash.p7s is not in this image; not mounting without it: rebuild the image with mkinitramfs.sh --roothash-sig FILE" \
    --expect "$LOCKED" --reject "$E" --reject "device-mapper: table:" --reject "$NOT_MOUNTED_SIG" \
    --reject "hatch: waiting"
