# gen/verify.sh - --verify-disk DISK --cmdline "..." [--image IMG]: before
# anyone reboots, check that a kernel command line's dm-verity request
# parses as the init parses it, that its devices are on DISK (a disk image
# or a block device), that its root hash matches DISK's hash tree
# (veritysetup verify computes it in userspace with the disk's own
# parameters) and, with --image, that IMG holds what the table needs.
# One line per problem on stdout; exit status 0 ok, 1 problems, 2 usage.
# (sourced, not run)
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

# vd_usage MSG: a usage error, exit status 2.
vd_usage() {
    printf 'hatch: %s: %s\n' "$PROG" "$*" >&2
    exit 2
}

# --- the command line -------------------------------------------------------
# vd_hex STRING: STRING is an even number (2-128) of hex digits.
vd_hex() {
    case $1 in
    '' | *[!0-9A-Fa-f]*) return 1 ;;
    esac
    [ $((${#1} % 2)) -eq 0 ] && [ "${#1}" -le 128 ]
}

# vd_option OPT FORM: one verity option (FORM hatch: verity=, else
# systemd.verity_root_options=), into the V_* variables.
vd_option() {
    _k=${1%%=*} _v=
    case $1 in
    *=*) _v=${1#*=} ;;
    esac
    case $_k in
    ignore-corruption | restart-on-corruption | panic-on-corruption | ignore-zero-blocks | check-at-most-once)
        if [ "$_k" != "$1" ]; then
            problem "verity option $_k takes no value (the init stops the boot)"
            return 0
        fi
        case $_k in
        *-corruption) V_MODES="$V_MODES $_k" ;;
        esac
        return 0
        ;;
    esac
    if [ -z "$_v" ]; then
        problem "verity option '$_k' is unknown or needs a value (the init stops the boot)"
        return 0
    fi
    case $2:$_k in
    hatch:data) V_DATA=$_v ;;
    hatch:hashdev) V_HASH=$_v ;;
    hatch:roothash) V_RH_VERITY=$_v ;;
    *:superblock)
        case $_v in
        yes | true | 1) V_SB=1 ;;
        no | false | 0) V_SB=0 ;;
        *) problem "verity option superblock=$_v: expected yes or no" ;;
        esac
        ;;
    *:hash-offset | *:fec-offset)
        case $_v in
        *[!0-9]*) problem "verity option $_k=$_v: expected bytes, a multiple of 512" ;;
        *)
            if [ $((_v % 512)) -ne 0 ]; then
                problem "verity option $_k=$_v: expected bytes, a multiple of 512"
            elif [ "$_k" = hash-offset ]; then
                V_HOFF=$_v
            else
                V_FOFF=$_v
            fi
            ;;
        esac
        ;;
    *:data-block-size | *:hash-block-size | *:data-blocks | *:fec-roots)
        case $_v in
        *[!0-9]* | 0*) problem "verity option $_k=$_v: expected a positive number" ;;
        *) V_ARGS="$V_ARGS --$_k=$_v" ;;
        esac
        case $_k in
        fec-roots) ;;
        *) V_NOSB_HAVE="$V_NOSB_HAVE $_k" ;;
        esac
        ;;
    *:hash)
        case $_v in
        sha1 | sha224 | sha256 | sha384 | sha512 | sha3-256 | sha3-512 | blake2b-256 | blake2b-512 | blake2s-256 | sm3)
            V_ALG=$_v V_ARGS="$V_ARGS --hash=$_v" V_NOSB_HAVE="$V_NOSB_HAVE hash" ;;
        *) problem "verity option hash=$_v: unsupported hash algorithm" ;;
        esac
        ;;
    *:salt)
        _s=$_v
        [ "$_s" != - ] || _s=
        case $_s in
        *[!0-9A-Fa-f]*) problem "verity option salt=: expected hex, or -" ;;
        *) V_ARGS="$V_ARGS --salt=$_v" V_NOSB_HAVE="$V_NOSB_HAVE salt" ;;
        esac
        ;;
    *:format)
        case $_v in
        0 | 1) V_ARGS="$V_ARGS --format=$_v" ;;
        *) problem "verity option format=$_v: expected 0 or 1" ;;
        esac
        ;;
    *:fec-device) V_FEC=$_v ;;
    *:root-hash-signature)
        case $_v in
        base64:?*) V_SIG=$_v ;;
        /*) V_SIG=$_v ;;
        *) problem "verity option root-hash-signature=$_v: expected base64:DATA or an absolute path" ;;
        esac
        ;;
    *) problem "verity option '$_k' is unknown (the init stops the boot)" ;;
    esac
}

# vd_parse CMDLINE: the verity request, as the init reads it (the last of
# each option wins; an empty one stops the boot). Sets V_ON and V_*.
vd_parse() {
    V_ON=0 V_RH='' V_RH_VERITY='' V_DATA='' V_HASH='' V_FEC='' V_HOFF=0 V_FOFF=0 V_SB=1
    V_ALG='' V_SIG='' V_ARGS='' V_MODES='' V_NOSB_HAVE='' V_ROOT='' V_DERIVED=0
    _verity='' _sdata='' _shash='' _sopts='' _rh=''
    set -f
    # shellcheck disable=SC2086 # the words of the command line
    set -- $1
    set +f
    for _w in "$@"; do
        [ "$_w" != -- ] || break
        case $_w in
        verity | verity=* | roothash | roothash=* | systemd.verity_root_hash_hex | systemd.verity_root_hash_hex=* | \
            systemd.verity_root_data | systemd.verity_root_data=* | systemd.verity_root_hash | systemd.verity_root_hash=* | \
            systemd.verity_root_options | systemd.verity_root_options=*)
            V_ON=1
            _key=${_w%%=*} _val=${_w#*=}
            if [ "$_key" = "$_w" ] || [ -z "$_val" ]; then
                problem "$_key= is empty; the init keeps verity on and stops the boot"
                continue
            fi
            case $_key in
            verity) _verity=$_val ;;
            roothash | systemd.verity_root_hash_hex) _rh=$_val ;;
            systemd.verity_root_data) _sdata=$_val ;;
            systemd.verity_root_hash) _shash=$_val ;;
            systemd.verity_root_options) _sopts=$_val ;;
            esac
            ;;
        root=*) V_ROOT=${_w#root=} ;;
        esac
    done
    # A locked-down image's pinned root hash turns verity on by itself.
    [ -z "$VD_PIN" ] || V_ON=1
    [ "$V_ON" = 1 ] || return 0
    if [ -n "$_verity" ] && { [ -n "$_sdata" ] || [ -n "$_shash" ]; }; then
        problem "verity= and systemd.verity_root_data=/_hash= both given; the init takes one form"
    fi
    _ifs=$IFS
    IFS=,
    set -f
    for _o in $_verity; do
        IFS=$_ifs
        [ -z "$_o" ] || vd_option "$_o" hatch
    done
    IFS=,
    for _o in $_sopts; do
        IFS=$_ifs
        [ -z "$_o" ] || vd_option "$_o" systemd
    done
    IFS=$_ifs
    set +f
    [ -z "$_sdata" ] || V_DATA=$_sdata
    [ -z "$_shash" ] || V_HASH=$_shash
    if [ -n "$V_RH_VERITY" ] && [ -n "$_rh" ] &&
        [ "$(printf '%s' "$V_RH_VERITY" | tr 'A-F' 'a-f')" != "$(printf '%s' "$_rh" | tr 'A-F' 'a-f')" ]; then
        problem "verity=...,roothash= and roothash= disagree; give the root hash once"
    fi
    V_RH=${_rh:-$V_RH_VERITY}
    if [ -n "$VD_PIN" ]; then
        if [ -n "$V_RH" ] && [ "$(printf '%s' "$V_RH" | tr 'A-F' 'a-f')" != "$VD_PIN" ]; then
            problem "the root hash on the command line ($(printf '%.16s' "$V_RH")...) is not the one $VD_IMAGE is locked to ($(printf '%.16s' "$VD_PIN")...); the init refuses it"
        fi
        V_RH=$VD_PIN
    fi
    if [ -z "$V_RH" ]; then
        problem "verity is asked for but no root hash is given; add roothash=HEX"
    elif ! vd_hex "$V_RH"; then
        problem "root hash '$V_RH' is not an even-length hex string of at most 128 digits"
        V_RH=
    else
        V_RH=$(printf '%s' "$V_RH" | tr 'A-F' 'a-f')
    fi
    if [ -n "$V_ROOT" ] && [ "$V_ROOT" != /dev/mapper/root ]; then
        problem "root=$V_ROOT conflicts with verity: the init mounts only /dev/mapper/root; drop root="
    fi
    if [ -z "$V_DATA" ] && [ -z "$V_HASH" ] && [ -n "$V_RH" ]; then
        if [ "${#V_RH}" -lt 64 ]; then
            problem "no verity data device given, and a root hash of ${#V_RH} digits derives none; add systemd.verity_root_data= and systemd.verity_root_hash="
        else
            V_DATA=PARTUUID=$(vd_uuid "$V_RH")
            V_HASH=PARTUUID=$(vd_uuid "$(printf '%s' "$V_RH" | sed 's/.*\(.\{32\}\)$/\1/')")
            V_DERIVED=1
        fi
    fi
    if [ -z "$V_DATA" ] && [ -n "$V_HASH" ]; then
        problem "a verity hash device is given but no data device; add systemd.verity_root_data="
    fi
    if [ "$V_SB" = 0 ]; then
        for _n in data-block-size hash-block-size data-blocks hash salt; do
            case " $V_NOSB_HAVE " in
            *" $_n "*) ;;
            *) problem "verity superblock=no needs $_n= (the init stops the boot)" ;;
            esac
        done
        V_ARGS="$V_ARGS --no-superblock"
    fi
    # shellcheck disable=SC2086 # one word per mode
    set -- $V_MODES
    [ $# -le 1 ] || problem "choose one of ignore-corruption, restart-on-corruption, panic-on-corruption"
    if [ -z "$V_FEC" ] && [ "$V_FOFF" != 0 ]; then
        problem "verity fec-offset= given without fec-device="
    fi
    return 0
}

# vd_uuid HEX: the UUID of the first 32 digits of HEX, lowercase.
vd_uuid() {
    printf '%s\n' "$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/'
}

# --- the disk -----------------------------------------------------------------
# vd_table: DISK's partitions to $WORK/vd.parts, "N START SIZE PARTUUID
# TYPE NOAUTO PARTLABEL" (bytes; PARTUUID and TYPE lowercase, "-" when none;
# NOAUTO 1 with the GPT no-auto flag, 63; PARTLABEL last, as it may hold
# spaces); none when DISK has no partition table.
vd_table() {
    : >"$WORK/vd.parts"
    find_tool sfdisk || { problem "sfdisk is not installed (apt install fdisk): cannot read the partition table"; return 1; }
    _sf=$TOOL
    "$_sf" -d -- "$DISK" >"$WORK/vd.dump" 2>/dev/null || return 0
    _ss=$(sed -n 's/^sector-size: *//p' "$WORK/vd.dump")
    _ss=${_ss:-512}
    _lid=$(sed -n 's/^label-id: *0x//p' "$WORK/vd.dump" | tr 'A-F' 'a-f')
    awk -v ss="$_ss" -v lid="$_lid" '
        / : start=/ {
            dev = $1; n = dev; sub(/.*[^0-9]/, "", n)
            start = $0; sub(/.*start= */, "", start); sub(/,.*/, "", start)
            size = $0; sub(/.*size= */, "", size); sub(/,.*/, "", size)
            uuid = "-"
            if ($0 ~ /uuid=/) { uuid = $0; sub(/.*uuid=/, "", uuid); sub(/,.*/, "", uuid); uuid = tolower(uuid) }
            else if (lid != "") uuid = sprintf("%s-%02x", lid, n)
            type = "-"
            if ($0 ~ /type=/) { type = $0; sub(/.*type= */, "", type); sub(/,.*/, "", type); type = tolower(type) }
            noauto = $0 ~ /attrs="[^"]*GUID:[0-9,]*63/ ? 1 : 0
            name = ""
            if ($0 ~ /name="/) { name = $0; sub(/.*name="/, "", name); sub(/".*/, "", name) }
            print n, start * ss, size * ss, uuid, type, noauto, name
        }' "$WORK/vd.dump" >"$WORK/vd.parts"
}

# vd_probe N TAG: the filesystem TAG (UUID, LABEL) of partition N (0: the
# whole disk), as blkid probes it.
vd_probe() {
    find_tool blkid || return 1
    _b=$TOOL
    if [ "$1" = 0 ]; then
        "$_b" -p -s "$2" -o value -- "$DISK" 2>/dev/null
    else
        # shellcheck disable=SC2046 # START SIZE
        set -- $(awk -v n="$1" '$1 == n { print $2, $3 }' "$WORK/vd.parts") "$2"
        "$_b" -p -O "$1" -S "$2" -s "$3" -o value -- "$DISK" 2>/dev/null
    fi
}

# vd_dps_type ROLE [name]: the Discoverable Partitions type GUID (or its
# name) of the verity data or hash partition, for this machine's
# architecture (the init's, when it is built here).
vd_dps_type() {
    case $(uname -m) in
    x86_64) _a=x86-64 _t="4f68bce3-e8cd-4db1-96e7-fbcaf984b709 2c7357ed-ebd2-46d9-aec1-23d437ec2bf5" ;;
    aarch64) _a=arm64 _t="b921b045-1df0-41c3-af44-4c6f280d3fae df3300ce-d69f-4c92-978c-9bfb0f38d820" ;;
    i?86) _a=x86 _t="44479540-f297-41b2-9af7-d131d5f0458a d13c5d3b-b5d1-422a-b29f-9454fdc89d76" ;;
    riscv64) _a=riscv64 _t="72ec70a6-cf74-40e6-bd49-4bda08e8f224 b6ed5582-440b-4209-b8da-5ff7c419ea3d" ;;
    *) return 0 ;;
    esac
    # shellcheck disable=SC2086 # two GUIDs
    set -- "$1" "${2:-}" $_t
    case $1 in
    "verity data device") [ -n "$2" ] && echo "root-$_a" || echo "$3" ;;
    "verity hash device") [ -n "$2" ] && echo "root-$_a-verity" || echo "$4" ;;
    esac
}

# vd_resolve SPEC ROLE: VD_N, the partition (0: the whole disk) SPEC names
# on DISK, as the init would find it; a problem and failure when none or
# more than one does. (Not in a subshell: problem counts.)
vd_resolve() {
    _spec=$1 _role=$2
    case $_spec in
    /dev/disk/by-uuid/*) _spec=UUID=${_spec#/dev/disk/by-uuid/} ;;
    /dev/disk/by-label/*) _spec=LABEL=${_spec#/dev/disk/by-label/} ;;
    /dev/disk/by-partuuid/*) _spec=PARTUUID=${_spec#/dev/disk/by-partuuid/} ;;
    /dev/disk/by-partlabel/*) _spec=PARTLABEL=${_spec#/dev/disk/by-partlabel/} ;;
    esac
    _tag=$(printf '%s' "${_spec%%=*}" | tr '[:lower:]' '[:upper:]') _val=${_spec#*=}
    case $_spec in
    /dev/*) _tag=$_spec ;;
    esac
    _val=${_val#\"}
    _val=${_val%\"}
    _off=0 _type=
    case $_tag in
    PARTUUID)
        case $_val in
        */PARTNROFF=*) _off=${_val#*/PARTNROFF=} _val=${_val%%/*} ;;
        esac
        _val=$(printf '%s' "$_val" | tr 'A-F' 'a-f')
        _hits=$(awk -v u="$_val" '$4 == u { print $1 }' "$WORK/vd.parts")
        # As the init: no partition with the PARTUUID derived from the
        # hash, then the one of the Discoverable Partitions type.
        [ -n "$_hits" ] || [ "$V_DERIVED" = 0 ] || _type=$(vd_dps_type "$_role")
        [ -z "$_type" ] ||
            _hits=$(awk -v t="$_type" '$5 == t && $6 == 0 { print $1 }' "$WORK/vd.parts")
        ;;
    PARTLABEL)
        _hits=$(awk -v l="$_val" '{ n = $0; sub(/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]* [^ ]* /, "", n) } n == l { print $1 }' "$WORK/vd.parts")
        ;;
    UUID | LABEL)
        _hits=
        for _n in $(awk '{ print $1 }' "$WORK/vd.parts") 0; do
            [ "$_n" != 0 ] || [ -z "$_hits" ] || break
            _got=$(vd_probe "$_n" "$_tag") || continue
            if [ "$_tag" = UUID ]; then
                [ "$(printf '%s' "$_got" | tr 'A-F' 'a-f')" = "$(printf '%s' "$_val" | tr 'A-F' 'a-f')" ] || continue
            else
                [ "$_got" = "$_val" ] || continue
            fi
            _hits="$_hits $_n"
        done
        ;;
    /dev/mapper/*)
        problem "the $_role $_spec is a device-mapper device; it cannot be on $DISK"
        return 1
        ;;
    /dev/*)
        # A kernel name depends on the machine; its partition number does not.
        _n=$(printf '%s' "$_spec" | sed -n 's|^/dev/[a-z0-9]*[a-z]p\{0,1\}\([0-9][0-9]*\)$|\1|p')
        if [ -z "$_n" ] && [ ! -s "$WORK/vd.parts" ]; then
            _hits=0
        elif [ -n "$_n" ] && grep -q "^$_n " "$WORK/vd.parts"; then
            note "the $_role $_spec is taken as partition $_n of $DISK (a kernel name depends on the machine)"
            _hits=$_n
        else
            problem "the $_role $_spec is not a partition of $DISK"
            return 1
        fi
        ;;
    *)
        problem "the $_role $_spec cannot be checked offline (give UUID=, LABEL=, PARTUUID= or PARTLABEL=)"
        return 1
        ;;
    esac
    # shellcheck disable=SC2086 # the partition numbers
    set -- $_hits
    if [ $# -eq 0 ]; then
        _why=
        [ "$V_DERIVED" = 0 ] || case $_role in
        "verity data device" | "verity hash device")
            _why=" (derived from roothash=, as systemd's Discoverable Partitions convention: the data partition's PARTUUID is the first 128 bits of the root hash, the hash partition's the last 128), nor a partition of type $(vd_dps_type "$_role" name); is roothash= this disk's, or name the devices with systemd.verity_root_data=/_hash=?" ;;
        esac
        problem "no partition of $DISK is the $_role $_spec$_why"
        return 1
    fi
    if [ $# -gt 1 ]; then
        [ -z "$_type" ] || _spec="$_spec or a $(vd_dps_type "$_role" name) partition"
        problem "the $_role $_spec is ambiguous on $DISK: partitions $* match; the init refuses it"
        return 1
    fi
    if [ "$_off" != 0 ]; then
        _n=$(($1 + _off))
        grep -q "^$_n " "$WORK/vd.parts" || { problem "the $_role $_spec: $DISK has no partition $_n"; return 1; }
        VD_N=$_n
        return 0
    fi
    VD_N=$1
}

# vd_path N: VD_P, a path to partition N (0: DISK) that veritysetup can
# read: the partition's node of a block device, a read-only loop device over
# an image (as root; detached on exit), else a copy in WORK.
vd_path() {
    VD_P=$DISK
    [ "$1" != 0 ] || return 0
    # shellcheck disable=SC2046 # START SIZE
    set -- "$1" $(awk -v n="$1" '$1 == n { print $2, $3 }' "$WORK/vd.parts")
    if [ -b "$DISK" ]; then
        _node=$(awk -v n="$1" '/ : start=/ { d = $1; m = d; sub(/.*[^0-9]/, "", m); if (m == n) print d }' "$WORK/vd.dump")
        if [ -b "$_node" ]; then
            VD_P=$_node
            return 0
        fi
    fi
    if [ -z "${HATCH_VERIFY_NOLOOP:-}" ] && find_tool losetup && _lo=$TOOL &&
        _l=$("$_lo" -r -f --show -o "$2" --sizelimit "$3" -- "$DISK" 2>/dev/null) && [ -b "$_l" ]; then
        LOOPS="$LOOPS $_l"
        VD_P=$_l
        return 0
    fi
    note "copying partition $1 of $DISK ($3 bytes) to $WORK: no loop device (needs root)"
    dd if="$DISK" of="$WORK/part$1" bs=512 skip=$(($2 / 512)) count=$(($3 / 512)) 2>/dev/null ||
        { problem "cannot copy partition $1 of $DISK to $WORK"; return 1; }
    VD_P=$WORK/part$1
}

# --- the check ------------------------------------------------------------------
# verify_disk: --verify-disk; returns 0 (fine) or 1 (problems).
verify_disk() {
    [ -e "$DISK" ] || vd_usage "--verify-disk: no such disk or image: $DISK"
    [ -f "$DISK" ] || [ -b "$DISK" ] || vd_usage "--verify-disk: $DISK is neither a disk image nor a block device"
    [ -r "$DISK" ] || vd_usage "--verify-disk: cannot read $DISK"
    if [ -n "$VD_IMAGE" ]; then
        [ -f "$VD_IMAGE" ] || vd_usage "--image: no such image: $VD_IMAGE"
    fi
    setup_cleanup
    make_workdir
    LOOPS=
    NPROBLEMS=0
    VD_OK='' VD_PIN=''
    if [ -n "$VD_IMAGE" ]; then
        IMAGE=$VD_IMAGE
        image_open "$VD_IMAGE"
        VD_PIN=$(sed -n 's/^roothash=//p' "$WORK/img/etc/hatch/policy" 2>/dev/null) || VD_PIN=''
    fi
    IMAGE=$DISK
    vd_parse "$CHECK_CMDLINE"
    if [ "$V_ON" = 0 ]; then
        problem "the command line asks for no dm-verity root (no roothash=, verity= or systemd.verity_root_*=)"
        return 1
    fi
    vd_table || return 1
    _dn='' _hn='' _fn=''
    if [ -n "$V_DATA" ] && vd_resolve "$V_DATA" "verity data device"; then
        _dn=$VD_N
    fi
    if [ -z "$V_HASH" ]; then
        _hn=$_dn
    elif vd_resolve "$V_HASH" "verity hash device"; then
        _hn=$VD_N
    fi
    if [ -n "$V_FEC" ] && vd_resolve "$V_FEC" "verity FEC device"; then
        _fn=$VD_N
    fi
    find_tool veritysetup || { problem "veritysetup is not installed (apt install cryptsetup-bin): the root hash cannot be checked"; return 1; }
    _vs=$TOOL
    if [ -n "$V_RH" ] && [ -n "$_dn" ] && [ -n "$_hn" ] && { [ -z "$V_FEC" ] || [ -n "$_fn" ]; }; then
        vd_path "$_dn" || return 1
        _dp=$VD_P
        vd_path "$_hn" || return 1
        _hp=$VD_P
        set -f
        # shellcheck disable=SC2086 # veritysetup's options
        set -- $V_ARGS --hash-offset="$V_HOFF"
        set +f
        if [ -n "$_fn" ]; then
            vd_path "$_fn" || return 1
            set -- "$@" --fec-device="$VD_P" --fec-offset="$V_FOFF"
        fi
        _rh16=${V_RH%"${V_RH#????????????????}"} _where="data: partition $_dn, hash: partition $_hn"
        if _e=$("$_vs" verify "$@" -- "$_dp" "$_hp" "$V_RH" 2>&1); then
            VD_OK="root hash $_rh16... matches the hash tree ($_where)"
            # FEC repaired what it read: the boot works, the disk is damaged.
            _fix=$(printf '%s\n' "$_e" | sed -n 's/^Found \([0-9]*\) repairable errors.*/\1/p')
            [ -z "$_fix" ] || problem "the data of $DISK has $_fix block(s) that do not match its hash tree ($_where); FEC repairs them at each read, but the disk is damaged: write it again"
        else
            _last=$(printf '%s\n' "$_e" | grep . | tail -n 1 | sed -e 's/\.$//' -e "s|Device $_hp|the hash partition|")
            case $_last in
            *'of root hash failed'*)
                problem "root hash $_rh16... does not match the hash tree on $DISK ($_where): veritysetup verify: $_last; the init would refuse this root: is roothash= this disk's?" ;;
            *'of data area failed'*)
                problem "the data of $DISK does not match its hash tree ($_where): veritysetup verify: $(printf '%s\n' "$_e" | grep -m 1 'failed at position' | sed 's/\.$//'); reading those blocks fails at boot (EIO, or a restart or panic with restart-/panic-on-corruption): write the disk again" ;;
            *)
                problem "veritysetup verify on $DISK ($_where): $_last; the init would refuse this root" ;;
            esac
        fi
        if [ -z "$V_ALG" ] && [ "$V_SB" = 1 ]; then
            V_ALG=$("$_vs" dump --hash-offset="$V_HOFF" -- "$_hp" 2>/dev/null | sed -n 's/^Hash algorithm:[[:space:]]*//p')
        fi
    fi
    [ -z "$VD_IMAGE" ] || vd_image
    [ -z "$V_RH" ] || vd_signature
    if [ "$NPROBLEMS" -gt 0 ]; then
        return 1
    fi
    printf '%s: ok: %s\n' "$DISK" "$VD_OK"
    return 0
}

# vd_signature: the root hash signature the boot would use (the command
# line's, else --image's etc/hatch/roothash.p7s) is over this root hash, as
# far as can be told offline: openssl checks the signature with the
# certificate it carries; whether the kernel trusts that signer is the
# kernel's to say.
vd_signature() {
    _sf=$WORK/sig.der _src=
    case $V_SIG in
    base64:*)
        _src="root-hash-signature=base64:..."
        printf '%s' "${V_SIG#base64:}" | base64 -d >"$_sf" 2>/dev/null ||
            { problem "root-hash-signature=base64:... is not base64; the init stops the boot"; return 0; }
        ;;
    /*)
        _src=$V_SIG
        if [ -z "$VD_IMAGE" ]; then
            note "root-hash-signature=$V_SIG is a file in the initramfs: give --image to check it"
            return 0
        fi
        "$CPIO" -i --quiet --to-stdout "${V_SIG#/}" <"$WORK/main.cpio" >"$_sf" 2>/dev/null && [ -s "$_sf" ] || return 0
        ;;
    '')
        [ -n "$VD_IMAGE" ] && [ -f "$WORK/img/etc/hatch/roothash.p7s" ] || return 0
        _src="the image's /etc/hatch/roothash.p7s"
        cp "$WORK/img/etc/hatch/roothash.p7s" "$_sf"
        ;;
    esac
    find_tool openssl || { note "openssl is not installed: the root hash signature is not checked"; return 0; }
    _os=$TOOL
    printf '%s' "$V_RH" >"$WORK/sig.content"
    _rc=0
    _e=$("$_os" cms -verify -binary -inform der -in "$_sf" -content "$WORK/sig.content" -noverify -out /dev/null 2>&1) || _rc=$?
    _rh16=${V_RH%"${V_RH#????????????????}"}
    if [ "$_rc" = 0 ]; then
        VD_OK="$VD_OK; the root hash signature ($_src) is over it (whether the kernel trusts its signer is the kernel's to say)"
    elif printf '%s' "$_e" | grep -q 'signer certificate not found'; then
        note "the root hash signature ($_src) carries no certificate: it cannot be checked offline"
    elif printf '%s' "$_e" | grep -q -e 'content verify error' -e 'verification failure'; then
        problem "the root hash signature ($_src) is not over root hash $_rh16...: the kernel would refuse it (EKEYREJECTED); sign this root hash"
    else
        problem "the root hash signature ($_src) is not a DER PKCS#7 message openssl can read: the kernel would refuse it (EBADMSG)"
    fi
}

# vd_image: --image (opened by verify_disk, whose root hash a lockdown
# policy may pin): the modules the table needs, and a signature file the
# command line names, are in the image.
vd_image() {
    _disk=$DISK
    IMAGE=$VD_IMAGE
    mkdir -p "$WORK/empty.d"
    MISSING=
    if [ -z "$IMG_KVER" ] || [ ! -f "$WORK/img/lib/modules/$IMG_KVER/modules.dep" ]; then
        problem "no lib/modules/KVER/modules.dep: the init cannot load dm_mod and dm_verity"
    else
        cli_basedir
        KVER=$IMG_KVER
        MODDIR=$ROOT/lib/modules/$KVER
        HOST_MODS=0
        if [ -f "$MODDIR/modules.dep" ]; then
            HOST_MODS=1
            merge_modconf
        fi
        need_alias dm_mod "the dm-verity table" 1
        need_alias dm_verity "the dm-verity table" 1
        if [ -n "$V_ALG" ]; then
            need_alias "crypto-$V_ALG" "the dm-verity hash $V_ALG" 1
        else
            note "the hash algorithm is unknown (the superblock could not be read): its module is not checked"
        fi
    fi
    case $V_SIG in
    /*)
        grep -qxF "${V_SIG#/}" "$WORK/img.list" ||
            problem "root-hash-signature=$V_SIG is not in the image; add it (--roothash-sig or --include) or the init stops the boot"
        ;;
    esac
    if [ -f "$WORK/img/etc/hatch/policy" ] && grep -qx 'signature=required' "$WORK/img/etc/hatch/policy" && [ -n "$V_SIG" ]; then
        problem "the image is locked down with its own root hash signature: the init refuses root-hash-signature= on the command line"
    fi
    IMAGE=$_disk
}
