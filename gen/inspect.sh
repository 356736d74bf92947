# gen/inspect.sh - existing images and this machine: --show IMAGE,
# --check IMAGE [--cmdline "..."] [--boot], --print-cmdline (sourced, not
# run). None of them needs root.
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read
# shellcheck disable=SC2154 # rfs, rsrc, rsub, ropts: set by host_root (host.sh)

# --- reading an image -------------------------------------------------------
# bytes_at FILE OFFSET COUNT: COUNT bytes of FILE from OFFSET (0-based).
bytes_at() {
    tail -c +$(($2 + 1)) "$1" 2>/dev/null | head -c "$3" 2>/dev/null
}
# magic_at FILE OFFSET: the kind of archive starting there.
magic_at() {
    _m=$(bytes_at "$1" "$2" 6 | od -An -tx1 | tr -d ' \n')
    case $_m in
    303730373031 | 303730373032) echo cpio ;;
    1f8b*) echo gzip ;;
    28b52ffd*) echo zstd ;;
    fd377a585a00) echo xz ;;
    02214c18*) echo lz4 ;;
    425a68*) echo bzip2 ;;
    894c5a4f*) echo lzo ;;
    5d0000*) echo lzma ;;
    '') echo end ;;
    *) echo "unknown:$_m" ;;
    esac
}
# skip_zeros FILE OFFSET: the offset of the next byte that is not zero (the
# size of FILE when none is).
skip_zeros() {
    _o=$2
    while :; do
        _nz=$(bytes_at "$1" "$_o" 4096 | od -An -v -tx1 | tr -s ' ' '\n' | awk '
            $0 == "" { next } { n++ } $0 != "00" { print n - 1; found = 1; exit }
            END { if (!found) print "z" (n + 0) }')
        case $_nz in
        z4096) _o=$((_o + 4096)) ;;
        z*) echo $((_o + ${_nz#z})); return 0 ;;
        *) echo $((_o + _nz)); return 0 ;;
        esac
    done
}
# newc_head FILE OFFSET COUNT: the header and name of the newc entry at
# OFFSET (the first line once NULs are newlines), reading COUNT bytes.
newc_head() {
    dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | tr '\000' '\n' | head -n 1
}
# hexfield STRING: _hv, the number the first 8 characters of STRING give
# in hex; fails when they are not 8 hex digits.
hexfield() {
    _hx=${1%"${1#????????}"}
    case $_hx in
    *[!0-9A-Fa-f]* | '') return 1 ;;
    esac
    _hv=$((0x$_hx))
}
# walk_newc FILE OFFSET: the entries of the uncompressed newc archive at
# OFFSET, to $WORK/seg.entries ("SIZE NAME" lines, files only); prints the
# offset just past its TRAILER!!! entry and the offset of that entry, or
# fails when the archive is cut short or damaged. One dd per entry: the
# header (110 characters of ASCII) and the name are read together.
walk_newc() {
    _o=$2
    : >"$WORK/seg.entries"
    while :; do
        _at=$_o
        _h=$(newc_head "$1" "$_o" 366)
        case $_h in
        07070[12]*) ;;
        *) return 1 ;;
        esac
        # c_mode at 14, c_filesize at 54, c_namesize at 94.
        _r=${_h#??????????????}
        hexfield "$_r" || return 1
        _mode=$_hv
        _r=${_r#????????????????????????????????????????}
        hexfield "$_r" || return 1
        _fs=$_hv
        _r=${_r#????????????????????????????????????????}
        hexfield "$_r" || return 1
        _ns=$_hv
        [ "$_ns" -ge 1 ] || return 1
        if [ "$_ns" -gt 256 ]; then
            _h=$(newc_head "$1" "$_o" $((110 + _ns)))
        fi
        _name=${_h#??????????????????????????????????????????????????????????????????????????????????????????????????????????????}
        [ "${#_name}" -eq $((_ns - 1)) ] || return 1
        _o=$(((_o + 110 + _ns + 3) / 4 * 4))
        _o=$(((_o + _fs + 3) / 4 * 4))
        [ "$_name" != 'TRAILER!!!' ] || break
        if [ $((_mode & 61440)) -eq 32768 ]; then
            printf '%s %s\n' "$_fs" "$_name" >>"$WORK/seg.entries"
        fi
    done
    echo "$_o $_at"
}

# image_open IMAGE: split IMAGE into its parts ($WORK/parts: "N KIND START
# END" lines, and the entries of each uncompressed one in
# $WORK/part.N.entries), unpack the main archive (the last part) to
# $WORK/main.cpio, list it to $WORK/img.list and extract what the checks
# read into $WORK/img. Sets IMG_SIZE, IMG_COMP, IMG_KVER.
image_open() {
    _img=$1
    [ -e "$_img" ] || die "no such image: $_img"
    [ -f "$_img" ] || die "$_img is not a file"
    [ -r "$_img" ] || die "cannot read $_img"
    IMG_SIZE=$(wc -c <"$_img" | tr -d ' ')
    [ "$IMG_SIZE" -gt 0 ] || die "$_img is empty, not an initramfs"
    need_tool cpio "install GNU cpio"
    CPIO=$TOOL
    need_tool modprobe "install kmod"
    MODPROBE=$TOOL
    : >"$WORK/parts"
    _n=0 _off=0
    while [ "$_off" -lt "$IMG_SIZE" ]; do
        _n=$((_n + 1))
        _k=$(magic_at "$_img" "$_off")
        case $_k in
        cpio)
            _end=$(walk_newc "$_img" "$_off") ||
                die "$_img: part $_n (an uncompressed cpio at byte $_off) is damaged or cut short"
            _trailer=${_end#* } _end=${_end% *}
            [ "$_end" -le "$IMG_SIZE" ] || die "$_img: part $_n (an uncompressed cpio at byte $_off) is cut short"
            mv "$WORK/seg.entries" "$WORK/part.$_n.entries"
            printf '%s cpio %s %s %s\n' "$_n" "$_off" "$_end" "$_trailer" >>"$WORK/parts"
            _off=$(skip_zeros "$_img" "$_end")
            ;;
        gzip | zstd | xz | lz4 | bzip2 | lzo | lzma)
            # A compressed archive runs to the end of the image.
            printf '%s %s %s %s\n' "$_n" "$_k" "$_off" "$IMG_SIZE" >>"$WORK/parts"
            break
            ;;
        *)
            if [ "$_n" -eq 1 ]; then
                die "$_img is not an initramfs (no cpio archive or known compression at its start)"
            fi
            die "$_img: part $_n at byte $_off is neither a cpio archive nor a known compression (${_k#unknown:})"
            ;;
        esac
    done
    [ -s "$WORK/parts" ] || die "$_img is not an initramfs (only zeros)"
    # The main archive is the last part.
    # shellcheck disable=SC2046 # N KIND START END
    set -- $(sed -n '$p' "$WORK/parts")
    IMG_MAIN_N=$1 IMG_COMP=$2 IMG_MAIN_START=$3
    if [ "$IMG_COMP" = cpio ]; then
        IMG_COMP=none
        tail -c +$((IMG_MAIN_START + 1)) "$_img" | head -c $(($4 - IMG_MAIN_START)) >"$WORK/main.cpio"
    else
        find_tool "$IMG_COMP" ||
            die "$_img: its main archive is $IMG_COMP-compressed and $IMG_COMP is not installed"
        _dc=$TOOL
        _e=$(tail -c +$((IMG_MAIN_START + 1)) "$_img" | "$_dc" -dc 2>&1 >"$WORK/main.cpio") ||
            die "$_img: cannot unpack its $IMG_COMP archive at byte $IMG_MAIN_START ($(reason "$_e"))"
    fi
    # hatch's files already compressed (.zst) come in an uncompressed
    # archive just before the main one: read as one with it, their entries
    # (without the first one's trailer) in front.
    IMG_STORED_N=
    _p=$((IMG_MAIN_N - 1))
    if [ "$IMG_COMP" != none ] && [ "$_p" -ge 1 ] && [ -s "$WORK/part.$_p.entries" ] &&
        ! grep -qv '\.zst$' "$WORK/part.$_p.entries"; then
        IMG_STORED_N=$_p
        # shellcheck disable=SC2046 # N KIND START END TRAILER
        set -- $(sed -n "${_p}p" "$WORK/parts")
        { tail -c +$(($3 + 1)) "$_img" | head -c $(($5 - $3)) && cat "$WORK/main.cpio"; } >"$WORK/joined.cpio" &&
            mv "$WORK/joined.cpio" "$WORK/main.cpio"
    fi
    IMG_UNPACKED=$(wc -c <"$WORK/main.cpio" | tr -d ' ')
    "$CPIO" -t --quiet <"$WORK/main.cpio" >"$WORK/img.list" 2>/dev/null ||
        die "$_img: its main archive ($IMG_COMP) is not a cpio archive cpio can read"
    # (the stored files' directories are in both archives)
    awk '!seen[$0]++' "$WORK/img.list" >"$WORK/img.list.u" && mv "$WORK/img.list.u" "$WORK/img.list"
    mkdir -p "$WORK/img"
    (cd "$WORK/img" && "$CPIO" -id --quiet --no-absolute-filenames \
        init 'etc/hatch/*' 'lib/modules/*/modules.*' 'etc/modprobe.d/*' <"$WORK/main.cpio") >/dev/null 2>&1 || true
    IMG_KVER=
    if [ -f "$WORK/img/etc/hatch/kver" ]; then
        IMG_KVER=$(sed -n 1p "$WORK/img/etc/hatch/kver")
    fi
    if [ -z "$IMG_KVER" ]; then
        # Other generators' images may keep the modules in usr/lib/modules.
        IMG_KVER=$(sed -n 's|^\(usr/\)\{0,1\}lib/modules/\([^/]*\)$|\2|p' "$WORK/img.list" | sed -n 1p)
    fi
    case $IMG_KVER in
    */* | .*) IMG_KVER= ;;
    esac
    # Module files, "NAME PATH" lines.
    if [ -n "$IMG_KVER" ]; then
        grep -E "^(usr/)?lib/modules/$(printf '%s' "$IMG_KVER" | sed 's/[].[^$*+?(){}|\\]/\\&/g')/.*\.ko(\.xz|\.zst|\.gz)?$" "$WORK/img.list" |
            awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", n); gsub(/-/, "_", n); print n, $0 }' |
            sort >"$WORK/img.mods"
    else
        : >"$WORK/img.mods"
    fi
}

# part_kind N: a description of part N (its entries decide).
part_kind() {
    if grep -q ' kernel/x86/microcode/' "$WORK/part.$1.entries" 2>/dev/null; then
        echo "early microcode"
    elif [ "$1" = "$IMG_MAIN_N" ]; then
        echo "the main archive"
    elif [ "$1" = "$IMG_STORED_N" ]; then
        echo "files already zstd-compressed, read with the main archive"
    else
        echo "an early archive"
    fi
}

# show_image IMAGE: --show.
show_image() {
    setup_cleanup
    make_workdir
    image_open "$1"
    printf '%s: %s bytes, %s part(s)\n' "$1" "$IMG_SIZE" "$(wc -l <"$WORK/parts" | tr -d ' ')"
    while read -r _n _k _s _e _; do
        if [ "$_k" = cpio ]; then
            printf 'part %s: uncompressed cpio, bytes %s-%s (%s bytes): %s\n' "$_n" "$_s" $((_e - 1)) $((_e - _s)) "$(part_kind "$_n")"
            if [ "$_n" != "$IMG_MAIN_N" ]; then
                while read -r _sz _nm; do
                    printf '  %s (%s bytes)\n' "$_nm" "$_sz"
                done <"$WORK/part.$_n.entries"
            fi
        else
            printf 'part %s: %s, bytes %s-%s (%s bytes, %s unpacked): the main archive\n' \
                "$_n" "$_k" "$_s" $((_e - 1)) $((_e - _s)) "$IMG_UNPACKED"
        fi
    done <"$WORK/parts"
    printf 'entries: %s\n' "$(wc -l <"$WORK/img.list" | tr -d ' ')"
    printf 'kernel: %s\n' "${IMG_KVER:-unknown (no etc/hatch/kver, no lib/modules/KVER)}"
    if [ -f "$WORK/img/init" ]; then
        printf 'init: /init, %s ELF, %s bytes\n' "$(elf_kind "$WORK/img/init" | sed 's/none/not an/')" \
            "$(wc -c <"$WORK/img/init" | tr -d ' ')"
    elif grep -qx init "$WORK/img.list"; then
        printf 'init: /init (not a regular file)\n'
    else
        printf 'init: none\n'
    fi
    printf 'modules: %s\n' "$(wc -l <"$WORK/img.mods" | tr -d ' ')"
    while read -r _m _p; do
        printf '  %s\n' "$_m"
    done <"$WORK/img.mods"
    if [ -f "$WORK/img/etc/hatch/modules.first" ]; then
        printf 'loaded first: %s\n' "$(tr '\n' ' ' <"$WORK/img/etc/hatch/modules.first" | sed 's/ $//')"
    fi
    if [ -f "$WORK/img/etc/hatch/modules" ]; then
        _l=$(tr '\n' ' ' <"$WORK/img/etc/hatch/modules" | sed 's/ $//')
        printf 'loaded at boot: %s\n' "${_l:-none}"
    fi
    if [ -f "$WORK/img/etc/hatch/modules.if-present" ]; then
        printf 'loaded at boot if a device present needs one: %s\n' \
            "$(tr '\n' ' ' <"$WORK/img/etc/hatch/modules.if-present" | sed 's/ $//')"
    fi
    _fw=$(grep -c '^lib/firmware/.*[^/]$' "$WORK/img.list" | tr -d ' ') || _fw=0
    printf 'firmware files: %s\n' "$_fw"
    _sh=$(grep -E -x '(usr/)?s?bin/(sh|ash|bash|dash|busybox|busybox\.zst)' "$WORK/img.list" | tr '\n' ' ' | sed 's/ $//') || _sh=
    printf 'shell: %s\n' "${_sh:-none}"
    if [ -f "$WORK/img/etc/hatch/policy" ]; then
        printf 'policy (etc/hatch/policy): %s\n' "$(grep -v '^#' "$WORK/img/etc/hatch/policy" | tr '\n' ' ' | sed 's/ $//')"
    else
        printf 'policy: none (not locked down)\n'
    fi
    if [ -f "$WORK/img/etc/hatch/roothash.p7s" ]; then
        printf 'root hash signature: etc/hatch/roothash.p7s (%s bytes)\n' "$(wc -c <"$WORK/img/etc/hatch/roothash.p7s" | tr -d ' ')"
    fi
}

# --- --check ----------------------------------------------------------------
# problem MSG: one line on stdout, counted.
problem() {
    printf '%s: %s\n' "$IMAGE" "$*"
    NPROBLEMS=$((NPROBLEMS + 1))
}
# imgprobe ARG...: modprobe on the image's own module index.
imgprobe() {
    "$MODPROBE" -d "$WORK/img" -S "$IMG_KVER" -C "$WORK/empty.d" "$@"
}
# img_has NAME: module NAME is in the image or built into its kernel.
img_has() {
    _nn=$(printf '%s' "$1" | tr - _)
    grep -q "^$_nn " "$WORK/img.mods" && return 0
    # Built in, by modules.builtin.bin (images carry no modules.builtin).
    imgprobe -q --show-depends "$_nn" 2>/dev/null | grep -qxF "builtin $_nn"
}
# need_alias ALIAS WHAT STRICT: the module(s) ALIAS names must be in the
# image (or built in). Resolved with the image's index, then with kernel
# KVER's modules in BASEDIR. STRICT=1: an alias nobody knows is a problem.
need_alias() {
    _names=$(imgprobe -q -R "$1" 2>/dev/null) || _names=
    if [ -z "$_names" ] && [ "$HOST_MODS" = 1 ]; then
        _names=$(kmodprobe -q -R "$1" 2>/dev/null) || _names=
    fi
    if [ -z "$_names" ]; then
        if [ "$3" = 1 ]; then
            problem "no module $1, for $2, in the image$([ "$HOST_MODS" = 1 ] && echo " nor in kernel $IMG_KVER"); check the name, or add the module with -m"
        fi
        return 0
    fi
    for _nm in $_names; do
        # One line per missing module, however many aliases name it.
        case " $MISSING " in
        *" $_nm "*) continue ;;
        esac
        if ! img_has "$_nm"; then
            MISSING="$MISSING $_nm"
            problem "module $_nm, for $2, is not in the image; add it with -m $_nm"
        fi
    done
}

# check_image IMAGE: --check; returns 0 (fine), 1 (problems) or exits 3.
check_image() {
    setup_cleanup
    make_workdir
    image_open "$1"
    mkdir -p "$WORK/empty.d"
    NPROBLEMS=0
    MISSING=
    # /init, a static ELF.
    if [ -f "$WORK/img/init" ]; then
        case $(elf_kind "$WORK/img/init") in
        static) ;;
        dynamic) problem "/init is dynamically linked; the initramfs has no libraries for it (rebuild with a static init)" ;;
        *) problem "/init is not an ELF executable" ;;
        esac
    else
        problem "no /init (not a hatch image, or built without the base hook)"
    fi
    # lib/modules/KVER with modules.dep.
    if [ -z "$IMG_KVER" ]; then
        problem "no kernel version: no etc/hatch/kver and no lib/modules/KVER"
    elif ! grep -qx "lib/modules/$IMG_KVER" "$WORK/img.list"; then
        problem "no lib/modules/$IMG_KVER (the kernel named by etc/hatch/kver)"
    elif [ ! -f "$WORK/img/lib/modules/$IMG_KVER/modules.dep" ]; then
        problem "no lib/modules/$IMG_KVER/modules.dep: the init cannot load modules (run depmod)"
    fi
    # Kernel KVER's modules in BASEDIR, to resolve what the image lacks.
    cli_basedir
    KVER=$IMG_KVER
    MODDIR=$ROOT/lib/modules/$KVER
    HOST_MODS=0
    if [ -n "$IMG_KVER" ] && [ -f "$MODDIR/modules.dep" ]; then
        HOST_MODS=1
        merge_modconf
    else
        note "kernel ${IMG_KVER:-?} has no modules in $BASEDIR: checking with the image's own index only"
    fi
    _what="this machine"
    if [ -n "$IMG_KVER" ] && [ -f "$WORK/img/lib/modules/$IMG_KVER/modules.dep" ]; then
        if [ "$CHECK_CMDLINE_SET" = 1 ]; then
            _what="the command line"
            check_cmdline_needs
        else
            check_host_needs
        fi
    fi
    if [ "$CHECK_BOOT" = 1 ]; then
        boot_image "$1"
    fi
    if [ "$NPROBLEMS" -gt 0 ]; then
        return 1
    fi
    printf '%s: ok for %s (kernel %s, %s modules, %s)\n' "$1" "$_what" "$IMG_KVER" \
        "$(wc -l <"$WORK/img.mods" | tr -d ' ')" "$IMG_COMP"
    return 0
}

# check_cmdline_needs: what --cmdline asks for: rootfstype= (and
# mount.usrfstype=), dm-verity of the root or of /usr, LUKS, LVM.
check_cmdline_needs() {
    _types='' _utypes='' _verity=0 _luks=0 _lvm=0
    set -f
    # shellcheck disable=SC2086 # the words of the command line
    set -- $CHECK_CMDLINE
    set +f
    for _w in "$@"; do
        [ "$_w" != -- ] || break
        case $_w in
        rootfstype=*) _types=${_w#rootfstype=} ;;
        verity=* | roothash=* | systemd.verity_root_data=* | systemd.verity_root_hash=* | systemd.verity_root_options=*) _verity=1 ;;
        usrhash=* | systemd.verity_usr_data=* | systemd.verity_usr_hash=* | systemd.verity_usr_options=*) _verity=1 ;;
        mount.usrfstype=*) _utypes=${_w#mount.usrfstype=} ;;
        rd.luks.uuid=* | rd.luks.name=*) _luks=1 ;;
        rd.lvm.vg=* | rd.lvm.lv=*) _lvm=1 ;;
        esac
    done
    if [ -n "$_types" ]; then
        for _t in $(printf '%s' "$_types" | tr ',' ' '); do
            need_alias "fs-$_t" "the root filesystem $_t (rootfstype=)" 1
        done
    else
        note "--cmdline names no rootfstype=: the init loads the module of the type it probes; not checked"
    fi
    for _t in $(printf '%s' "$_utypes" | tr ',' ' '); do
        need_alias "fs-$_t" "the /usr filesystem $_t (mount.usrfstype=)" 1
    done
    if [ "$_verity" = 1 ]; then
        need_alias dm_mod "dm-verity (the command line asks for it)" 1
        need_alias dm_verity "dm-verity (the command line asks for it)" 1
    fi
    if [ "$_luks" = 1 ]; then
        for _m in dm_mod dm_crypt af_alg algif_hash algif_skcipher; do
            need_alias "$_m" "LUKS (the command line asks for it)" 1
        done
        need_luks_unlock "LUKS (rd.luks.uuid=/rd.luks.name= ask for it)"
    fi
    if [ "$_lvm" = 1 ] && ! grep -qx 'sbin/lvm' "$WORK/img.list"; then
        problem "no /sbin/lvm in the image, for LVM (rd.lvm.vg=/rd.lvm.lv= ask for it); build it with the lvm hook (-H +lvm)"
    fi
}

# need_luks_unlock WHY: the image holds the program the init unlocks with.
need_luks_unlock() {
    grep -qx 'lib/hatch/luks-unlock' "$WORK/img.list" ||
        problem "no /lib/hatch/luks-unlock in the image, for $1; build it with the luks hook (-H +luks)"
}

# check_host_needs: this machine's root filesystem and the drivers of its
# root device chain.
check_host_needs() {
    if ! host_root; then
        note "cannot see this machine's root ($HOST_WHY); not checked"
        return 0
    fi
    if [ -z "$dev" ]; then
        note "/ is $rfs on $rsrc, not on a block device: only its filesystem is checked"
        need_alias "fs-$rfs" "the root filesystem $rfs" 0
        return 0
    fi
    : >"$WORK/host.unsupported"
    : >"$WORK/host.luks"
    : >"$WORK/host.md"
    walk_root "$dev" "$rfs" | sed '/^$/d' | awk '!seen[$0]++' >"$WORK/host.chain"
    ROOT_LAYERS_TAIL="no image can boot this machine yet"
    root_layers
    need_alias "fs-$rfs" "the root filesystem $rfs" 1
    while IFS= read -r _a; do
        need_alias "$_a" "this machine's root device chain" 0
    done <"$WORK/host.chain"
    # LVM: the init runs the image's /sbin/lvm (the lvm hook).
    if [ -s "$WORK/host.lvm" ] && ! grep -qx 'sbin/lvm' "$WORK/img.list"; then
        problem "no /sbin/lvm in the image, for this machine's root on LVM ($(awk '!seen[$0]++' "$WORK/host.lvm" | tr '\n' ' ' | sed 's/ $//')); build it with the lvm hook (-H +lvm)"
    fi
    # LUKS: the init's luks-unlock and what its libcryptsetup talks to,
    # beyond dm-crypt.
    if [ -s "$WORK/host.luks" ]; then
        for _m in af_alg algif_hash algif_skcipher; do
            need_alias "$_m" "this machine's LUKS root (the luks hook)" 1
        done
        need_luks_unlock "this machine's root on LUKS"
    fi
    # md: the init runs the image's mdadm for every member.
    if [ -s "$WORK/host.md" ] && ! grep -qx "sbin/mdadm" "$WORK/img.list"; then
        problem "no /sbin/mdadm, for this machine's root on md ($(awk '{ printf "%s%s", (n++ ? ", " : ""), $1 }' "$WORK/host.md")); add the mdraid hook with -H +mdraid"
    fi
}

# boot_image IMAGE: --boot: the kernel BASEDIR/boot/vmlinuz-KVER and IMAGE
# under QEMU, no disk; /init must run and the machine power off.
boot_image() {
    _runner=
    for _r in "$SCRIPTDIR/qemu/boot.sh" "$SCRIPTDIR/../lib/hatch/qemu/boot.sh"; do
        if [ -f "$_r" ]; then
            _runner=$_r
            break
        fi
    done
    if [ -z "$_runner" ]; then
        problem "--boot: no QEMU runner at $SCRIPTDIR/qemu/boot.sh or $SCRIPTDIR/../lib/hatch/qemu/boot.sh (reinstall hatch)"
        return 0
    fi
    find_tool bash || { problem "--boot: bash is not installed (the QEMU runner needs it)"; return 0; }
    _bash=$TOOL
    find_tool qemu-system-x86_64 ||
        { problem "--boot: qemu-system-x86_64 is not installed (apt install qemu-system-x86)"; return 0; }
    _kernel=$ROOT/boot/vmlinuz-$IMG_KVER
    [ -f "$_kernel" ] || { problem "--boot: no kernel $_kernel to boot the image with (see -b)"; return 0; }
    _append=
    set -f
    for _w in $CHECK_CMDLINE; do
        [ "$_w" = quiet ] || _append="$_append $_w"
    done
    set +f
    _append="${_append# } rd.timeout=${HATCH_BOOT_RDTIMEOUT:-3} rd.emergency=poweroff panic=-1"
    note "booting $1 with $_kernel: $_append"
    _rc=0
    "$_bash" "$_runner" --kernel "$_kernel" --initrd "$1" --append "$_append" \
        --timeout "${HATCH_BOOT_TIMEOUT:-180}" --log "$WORK/boot.log" \
        --reject 'Kernel panic' --reject 'Initramfs unpacking failed' --reject 'Failed to execute /init' \
        </dev/null >/dev/null 2>"$WORK/boot.err" || _rc=$?
    if [ "$_rc" -eq 0 ] && grep -q 'Run /init as init process' "$WORK/boot.log"; then
        note "booted: $(grep -c . "$WORK/boot.log") lines of console"
        return 0
    fi
    _why=$(grep -E 'Kernel panic|Initramfs unpacking failed|Failed to execute /init' "$WORK/boot.log" 2>/dev/null |
        sed -n -e 's/^\[[ 0-9.]*\] //' -e 1p)
    [ -n "$_why" ] || _why=$(sed -n -e 's/^hatch: boot: \(timeout.*\)/\1 (the machine did not power off)/p' \
        -e 's/^hatch: boot: \(qemu.*\)/\1/p' "$WORK/boot.err" | sed -n 1p)
    if [ -z "$_why" ] && [ "$_rc" -eq 0 ]; then
        _why="the kernel never said it ran /init"
    fi
    [ -n "$_why" ] || _why="the QEMU runner failed (exit status $_rc): $(grep -v '^-' "$WORK/boot.err" | sed -n 1p)"
    problem "--boot: under QEMU with $_kernel: $_why"
}

# --- --print-cmdline --------------------------------------------------------
# dev_tag KIND NAME: the KIND (uuid, partuuid) of block device NAME, from
# the /dev/disk/by-KIND links (no root needed), else blkid.
dev_tag() {
    for _l in "$SYSROOT/dev/disk/by-$1"/*; do
        [ -L "$_l" ] || continue
        _t=$(readlink "$_l")
        if [ "${_t##*/}" = "$2" ]; then
            printf '%s\n' "${_l##*/}"
            return 0
        fi
    done
    [ -z "$SYSROOT" ] || return 1
    find_tool blkid || return 1
    _b=$TOOL
    _v=$("$_b" -s "$(echo "$1" | tr '[:lower:]' '[:upper:]')" -o value "/dev/$2" 2>/dev/null) || return 1
    [ -n "$_v" ] && printf '%s\n' "$_v"
}
# dev_spec NAME ORDER: a root= form for block device NAME, the first tag of
# ORDER it has, else /dev/NAME (with a warning).
dev_spec() {
    for _kind in $2; do
        if _v=$(dev_tag "$_kind" "$1"); then
            case $_kind in
            uuid) printf 'UUID=%s\n' "$_v" ;;
            partuuid) printf 'PARTUUID=%s\n' "$_v" ;;
            esac
            return 0
        fi
    done
    warn "/dev/$1 has no UUID or PARTUUID that can be read here; its name may change between boots"
    printf '/dev/%s\n' "$1"
}

# print_cmdline: --print-cmdline.
print_cmdline() {
    setup_cleanup
    make_workdir
    host_root || die "--print-cmdline: $HOST_WHY"
    [ -n "$dev" ] || die "--print-cmdline: / is $rfs on $rsrc, not on a block device: there is no root= to give"
    : >"$WORK/host.unsupported"
    : >"$WORK/host.luks"
    : >"$WORK/host.md"
    walk_root "$dev" "$rfs" >"$WORK/host.chain"
    ROOT_LAYERS_TAIL="no command line to print"
    root_layers
    _rw=ro
    case ,$ropts, in
    *,rw,*) _rw=rw ;;
    esac
    _flags=
    if [ "$rfs" = btrfs ] && [ "$rsub" != / ]; then
        _flags=" rootflags=subvol=${rsub#/}"
    fi
    if grep -qx dm_verity "$WORK/host.chain"; then
        _out="rootfstype=$rfs$_flags ro $(verity_cmdline "$dev")" || exit 1
    else
        _out="root=$(dev_spec "${dev##*/}" "uuid partuuid") rootfstype=$rfs$_flags $_rw"
    fi
    # LUKS volumes under the root: systemd's options; the host's mapped
    # name kept when it is not the default luks-UUID (fstab may use it).
    _luks=$(awk '!seen[$1]++ { if ($2 == "" || $2 == "luks-" $1) printf " rd.luks.uuid=%s", $1;
        else printf " rd.luks.name=%s=%s", $1, $2 }' "$WORK/host.luks")
    # md arrays under the root: dracut's rd.md.uuid= for each (when the
    # kernel says its UUID).
    _md=$(awk '$3 != "" && !seen[$3]++ { printf " rd.md.uuid=%s", $3 }' "$WORK/host.md")
    printf '%s%s%s\n' "$_out" "$_luks" "$_md"
}

# verity_cmdline DMDIR: verity=... for the dm-verity device at sysfs DMDIR.
verity_cmdline() {
    _dmn=$(cat "$1/dm/name" 2>/dev/null) || _dmn=
    _tab=
    if [ -z "$SYSROOT" ] && find_tool dmsetup && _ds=$TOOL; then
        _tab=$("$_ds" table -- "$_dmn" 2>/dev/null | awk '$3 == "verity" { print; exit }') || _tab=
    fi
    if [ -n "$_tab" ]; then
        set -f
        # shellcheck disable=SC2086 # the fields of the table
        set -- $_tab
        set +f
        _data=$(dev_spec "$(devname_of "$5")" "partuuid uuid") _hash=$(dev_spec "$(devname_of "$6")" "partuuid uuid")
        _v="verity=data=$_data"
        if [ "$5" = "$6" ]; then
            warn "the hash tree of /dev/mapper/$_dmn is on its data device: add hash-offset=BYTES, as given to veritysetup"
        else
            _v="$_v,hashdev=$_hash"
        fi
        printf '%s,roothash=%s\n' "$_v" "${12}"
        return 0
    fi
    _dmdir=$1
    set --
    for _s in "$_dmdir"/slaves/*; do
        [ -e "$_s" ] && set -- "$@" "${_s##*/}"
    done
    if [ $# -ne 1 ]; then
        printf 'hatch: %s: --print-cmdline: the root is dm-verity /dev/mapper/%s over %s: without its table (run as root, with dmsetup) the data and hash devices cannot be told apart\n' \
            "$PROG" "$_dmn" "$*" >&2
        return 1
    fi
    warn "cannot read the table of /dev/mapper/$_dmn (run as root, with dmsetup): add roothash=HEX and hash-offset=BYTES, as given to veritysetup"
    printf 'verity=data=%s\n' "$(dev_spec "$1" "partuuid uuid")"
}
# devname_of MAJ:MIN: the kernel name of a block device.
devname_of() {
    _p=$(sysfs_dir "$SYSROOT/sys/dev/block/$1") && [ -n "$_p" ] && printf '%s\n' "${_p##*/}" && return 0
    printf '%s\n' "$1"
}
