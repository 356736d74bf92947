# gen/host.sh - host-only detection (--host-only) and the refusal of a root
# on a layer the init cannot set up (--check-root) (sourced, not run).
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

# Test seam: HATCH_SYSROOT prefixes /proc and /sys.
SYSROOT=${HATCH_SYSROOT:-}
HOST_MODULES=
HOST_LUKS=
HOST_CRYPTTAB=
HOST_MD=
HOST_LVM=
HOST_CPU_VENDOR=
HOST_ROOT_FS=

# sysfs_dir PATH: the physical sysfs directory of PATH.
sysfs_dir() {
    (cd -P "$1" 2>/dev/null && pwd)
}

# walk_up DIR: modaliases and driver names of DIR and its parents.
walk_up() {
    _d=$1
    while [ -n "$_d" ] && [ "$_d" != "$SYSROOT/sys/devices" ] && [ "$_d" != "$SYSROOT/sys" ]; do
        if [ -r "$_d/modalias" ]; then
            cat "$_d/modalias"
        fi
        if [ -e "$_d/driver/module" ]; then
            _m=$(sysfs_dir "$_d/driver/module")
            printf '%s\n' "${_m##*/}"
        elif [ -e "$_d/driver" ]; then
            _m=$(sysfs_dir "$_d/driver")
            printf '%s\n' "${_m##*/}"
        fi
        _d=${_d%/*}
    done
}

# unsupported LAYER DEVICE: the root's chain holds a layer the init cannot
# set up (it sets up dm-verity, LUKS, mdraid and LVM only).
unsupported() {
    printf '%s on %s\n' "$1" "$2" >>"$WORK/host.unsupported"
}

# dm_verity_table NAME: true when every target of dm device NAME is verity.
# Reading a table needs root and dmsetup; without them it is unknown (false).
dm_verity_table() {
    [ -z "$SYSROOT" ] && [ -n "$1" ] || return 1
    find_tool dmsetup || return 1
    _ds=$TOOL
    _t=$("$_ds" table -- "$1" 2>/dev/null) || return 1
    [ -n "$_t" ] && [ -z "$(printf '%s\n' "$_t" | awk '$3 != "verity"')" ]
}

# dm_crypt_cipher NAME: the crypto API aliases of dm-crypt device NAME's
# cipher ("aes-xts-plain64" gives crypto-aes crypto-xts; "capi:xts(aes)-
# plain64" the same), from its table. Needs root and dmsetup; without them
# nothing (the luks hook adds the usual aes-xts modules anyway).
dm_crypt_cipher() {
    [ -z "$SYSROOT" ] && [ -n "$1" ] || return 0
    find_tool dmsetup || return 0
    _ds=$TOOL
    _t=$("$_ds" table -- "$1" 2>/dev/null | awk '$3 == "crypt" { print $4; exit }') || return 0
    [ -n "$_t" ] || return 0
    case $_t in
    capi:*)
        # capi:MODE(CIPHER)-IV: every name inside is an algorithm
        printf '%s\n' "${_t#capi:}" | sed 's/-[^-]*$//' | tr '()' '  ' | tr ' ' '\n' |
            sed '/^$/d; s/^/crypto-/' ;;
    *)
        _c=${_t%%-*} _rest=${_t#*-}
        printf 'crypto-%s\n' "$_c"
        [ "$_rest" = "$_t" ] || printf 'crypto-%s\n' "${_rest%%-*}"
        case $_rest in
        *:*) printf 'crypto-%s\n' "${_rest##*:}" ;;
        esac
        case $_rest in
        *-essiv*) echo crypto-essiv ;;
        esac
        ;;
    esac
}

# luks_uuid DMUUID: the LUKS header's UUID from a dm-crypt device's dm uuid
# (CRYPT-LUKS2-<32 hex digits>-<name>), dashed; nothing for another form.
luks_uuid() {
    _h=${1#CRYPT-LUKS[12]-}
    _h=${_h%%-*}
    case $_h in
    *[!0-9a-fA-F]*) return 0 ;;
    esac
    [ ${#_h} -eq 32 ] || return 0
    printf '%s\n' "$_h" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/'
}

# md_personality LEVEL: the module of an md level (as md/level says it).
md_personality() {
    case $1 in
    raid1 | raid0 | raid10 | linear) echo "$1" ;;
    raid4 | raid5 | raid6) echo raid456 ;;
    multipath) echo multipath ;;
    esac
}

# walk_block DIR: everything the block device at sysfs DIR needs, including
# the devices below device-mapper and md; layers the init cannot set up go
# to $WORK/host.unsupported.
walk_block() {
    for s in "$1"/slaves/*; do
        [ -e "$s" ] || continue
        (walk_block "$(sysfs_dir "$s")")
    done
    _bn=${1##*/}
    if [ -d "$1/dm" ]; then
        _u=$(cat "$1/dm/uuid" 2>/dev/null) || _u=
        _nm=$(cat "$1/dm/name" 2>/dev/null) || _nm=
        _dev="$_bn${_nm:+ (/dev/mapper/$_nm)}"
        case $_u in
        HATCH-VERITY-* | CRYPT-VERITY-*) echo dm_verity ;;
        CRYPT-LUKS1-* | CRYPT-LUKS2-*)
            # The init unlocks LUKS (rd.luks.uuid=): the luks hook's modules
            # and this volume's cipher; its UUID for the command line.
            _lu=$(luks_uuid "$_u")
            if [ -n "$_lu" ]; then
                printf '%s %s\n' "$_lu" "$_nm" >>"$WORK/host.luks"
            else
                unsupported "dm-crypt (LUKS, but its dm uuid holds no LUKS UUID)" "$_dev"
            fi
            echo dm_crypt
            dm_crypt_cipher "$_nm"
            ;;
        CRYPT-PLAIN-*) unsupported "dm-crypt (plain)" "$_dev" ;;
        CRYPT-BITLK-*) unsupported "dm-crypt (BitLocker)" "$_dev" ;;
        CRYPT-TCRYPT-*) unsupported "dm-crypt (TrueCrypt)" "$_dev" ;;
        CRYPT-INTEGRITY-*) unsupported "dm-integrity" "$_dev" ;;
        CRYPT-*) _k=${_u#CRYPT-} && unsupported "dm-crypt (${_k%%-*})" "$_dev" ;;
        LVM-*)
            # The init activates LVM (the lvm hook's static lvm); its name
            # for the log and --check.
            printf '%s\n' "${_nm:-$_bn}" >>"$WORK/host.lvm"
            ;;
        mpath-*) unsupported "multipath" "$_dev" ;;
        part[0-9]*-*) unsupported "a device-mapper partition" "$_dev" ;;
        *)
            if dm_verity_table "$_nm"; then
                echo dm_verity
            else
                unsupported "device-mapper (${_u:+uuid $_u, }not dm-verity)" "$_dev"
            fi
            ;;
        esac
        echo dm_mod
    fi
    if [ -d "$1/md" ]; then
        # The init assembles md arrays with the mdraid hook's mdadm: md_mod
        # and the array's personality.
        # md/uuid (kernel 5.4 and later) is the array UUID, 8-4-4-4-12.
        _lv=$(cat "$1/md/level" 2>/dev/null) || _lv=
        _mu=$(cat "$1/md/uuid" 2>/dev/null) || _mu=
        printf '%s %s %s\n' "$_bn" "${_lv:-unknown}" "$_mu" >>"$WORK/host.md"
        echo md_mod
        md_personality "$_lv"
    elif [ -e "$1/partition" ] && [ -d "${1%/*}/md" ]; then
        # A partition of an array: the array and its members.
        (walk_block "${1%/*}")
    fi
    walk_up "$1"
}

# walk_root DIR FSTYPE: walk_block for the root device and, for a btrfs over
# several devices, every other member: the init waits for them all, so each
# member's chain needs its drivers and must hold no layer it cannot set up.
walk_root() {
    walk_block "$1"
    [ "$2" = btrfs ] || return 0
    for _bfd in "$SYSROOT"/sys/fs/btrfs/*/devices; do
        [ -e "$_bfd/${1##*/}" ] || continue
        for _bmem in "$_bfd"/*; do
            _bmd=$(sysfs_dir "$_bmem") || continue
            [ -z "$_bmd" ] || [ "$_bmd" = "$1" ] || walk_block "$_bmd"
        done
    done
}

# host_fail MSG: --host-only cannot go on; --check-root alone skips the
# check (an image is not tied to this machine's root when / is not on a
# block device, e.g. in a container or chroot).
host_fail() {
    [ "$HOST_ONLY" = 1 ] || { note "--check-root: $*; root not checked"; return 0; }
    die "--host-only: $*"
}

# root_layers: refuse (exit status 3) when the root's chain holds a layer
# the init cannot set up, as walk_block wrote them to $WORK/host.unsupported.
root_layers() {
    [ -s "$WORK/host.unsupported" ] || return 0
    _layers=$(awk '!seen[$0]++ { printf "%s%s", (n++ ? ", " : ""), $0 }' "$WORK/host.unsupported")
    printf 'hatch: %s: the root filesystem is on %s: the hatch init cannot set that up yet; %s\n' \
        "$PROG" "$_layers" "${ROOT_LAYERS_TAIL:-no image written}" >&2
    exit 3
}

# host_root: this machine's root filesystem, from mountinfo: rmm (MAJ:MIN),
# rfs (type), rsrc (source), ropts (per-mount options), rsub (the mounted
# directory of the filesystem: / or a btrfs subvolume) and dev (its sysfs
# directory; empty when / is not on a block device). Fails with the reason
# in HOST_WHY.
host_root() {
    mi=$SYSROOT/proc/self/mountinfo
    [ -r "$mi" ] || { HOST_WHY="cannot read $mi"; return 1; }
    # The last mount on / is the visible one.
    rootline=$(awk '$5 == "/" { mm = $3; sub4 = $4; o = $6; for (i = 7; i < NF; i++) if ($i == "-") { fs = $(i + 1); src = $(i + 2); break } }
        END { if (mm != "") print mm, fs, src, o, sub4 }' "$mi")
    [ -n "$rootline" ] || { HOST_WHY="no mount of / in $mi"; return 1; }
    set -f
    # shellcheck disable=SC2086 # split into MAJ:MIN FSTYPE SOURCE OPTIONS SUBDIR
    set -- $rootline
    set +f
    rmm=$1 rfs=$2 rsrc=${3:-none} ropts=${4:-rw} rsub=${5:-/}
    dev=
    if [ -e "$SYSROOT/sys/dev/block/$rmm" ]; then
        dev=$(sysfs_dir "$SYSROOT/sys/dev/block/$rmm")
    else
        case $rsrc in
        /dev/*)
            b=$rsrc
            if [ -z "$SYSROOT" ] && [ -e "$rsrc" ]; then
                b=$(readlink -f "$rsrc")
            fi
            b=${b##*/}
            if [ -e "$SYSROOT/sys/class/block/$b" ]; then
                dev=$(sysfs_dir "$SYSROOT/sys/class/block/$b")
            fi
            ;;
        esac
    fi
    return 0
}

# host_crypttab: the image's /etc/crypttab, one line per LUKS volume of
# the root's chain: its name, UUID= of its header (whatever the host's file
# calls the device), and the key file and options of the host's line for it
# (found by name or UUID), else "none luks". HOST_CRYPTTAB names the file.
host_crypttab() {
    HOST_CRYPTTAB=$WORK/host.crypttab
    : >"$HOST_CRYPTTAB"
    while read -r _u _n; do
        _line=$(awk -v n="$_n" -v u="$_u" '
            /^[ \t]*(#|$)/ { next }
            { d = tolower($2); sub(/^uuid=/, "", d); sub(/^\/dev\/disk\/by-uuid\//, "", d)
              if ($1 == n || d == u) { print ($3 == "" ? "none" : $3), ($4 == "" ? "luks" : $4); exit } }' \
            "$SYSROOT/etc/crypttab" 2>/dev/null) || _line=
        [ -n "$_line" ] || _line="none luks"
        _key=${_line%% *}
        case $_key in
        none | -) ;;
        *) warn "the host's /etc/crypttab gives $_n the key file $_key, which is not put in the image: add it with --include $_key (else the passphrase is asked for)" ;;
        esac
        printf '%s UUID=%s %s\n' "${_n:-luks-$_u}" "$_u" "$_line" >>"$HOST_CRYPTTAB"
    done <"$WORK/host.luks"
}

host_detect() {
    host_root || { host_fail "$HOST_WHY"; return 0; }
    [ -n "$dev" ] || { host_fail "/ is $rfs on $rsrc, not on a block device; build a generic image (without --host-only)"; return 0; }
    note "host root: $rfs on $rsrc ($dev)"
    HOST_ROOT_FS=$rfs
    : >"$WORK/host.unsupported"
    : >"$WORK/host.luks"
    : >"$WORK/host.md"
    {
        walk_root "$dev" "$rfs"
        echo "fs-$rfs"
        # Keyboards, so that the rescue shell is usable.
        if [ -r "$SYSROOT/proc/bus/input/devices" ]; then
            awk '/^S: Sysfs=/ { s = substr($0, 10) } /^H: Handlers=/ && / kbd/ { print s }' \
                "$SYSROOT/proc/bus/input/devices" | while IFS= read -r p; do
                kd=$(sysfs_dir "$SYSROOT/sys$p") || continue
                [ -n "$kd" ] && walk_up "${kd%/*}"
            done
        fi
    } >"$WORK/host.aliases"
    root_layers
    HOST_LUKS=$(awk '{ print $1 }' "$WORK/host.luks" | awk '!seen[$0]++' | tr '\n' ' ')
    [ -z "$HOST_LUKS" ] || note "host root is on LUKS: $HOST_LUKS"
    [ -z "$HOST_LUKS" ] || host_crypttab
    HOST_MD=$(awk '!seen[$1]++ { printf "%s%s (%s)", (n++ ? ", " : ""), $1, $2 }' "$WORK/host.md")
    [ -z "$HOST_MD" ] || note "host root is on mdraid: $HOST_MD"
    HOST_LVM=$(awk '!seen[$0]++' "$WORK/host.lvm" 2>/dev/null | tr '\n' ' ')
    [ -z "$HOST_LVM" ] || note "host root is on LVM: $HOST_LVM"
    [ "$HOST_ONLY" = 1 ] || return 0
    # Resolve with the target kernel's modules; unknown aliases are fine
    # (buses, built-in drivers).
    sort -u "$WORK/host.aliases" | sed '/^$/d' >"$WORK/host.sorted"
    HOST_MODULES=$(
        set -f
        # shellcheck disable=SC2046 # one argument per alias
        kmodprobe -q -R -a $(cat "$WORK/host.sorted") 2>/dev/null | awk '!seen[$0]++' | tr '\n' ' '
    ) || true
    if [ -z "$(kmodprobe -q -R "fs-$rfs" 2>/dev/null)" ]; then
        note "root filesystem $rfs has no module in $KVER (assumed built in)"
    fi
    HOST_CPU_VENDOR=$(awk -F': *' '/^vendor_id/ { print $2; exit }' "$SYSROOT/proc/cpuinfo" 2>/dev/null) || true
    note "host modules: $HOST_MODULES"
}
