# gen/cli.sh - usage, option parsing and the checks of the inputs of
# mkinitramfs.sh (sourced, not run).
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

usage() {
    cat <<EOF
usage: ${0##*/} [options]
       ${0##*/} --show IMAGE
       ${0##*/} --check IMAGE [--cmdline "..."] [--boot]
       ${0##*/} --print-cmdline
       ${0##*/} --verify-disk DISK --cmdline "..." [--image IMAGE]

Build a hatch initramfs for one kernel (or every installed one), show or
check an image, print the root= this machine needs, or check a verity
disk against a command line before booting it.

  -k KVER        kernel release (default: the running kernel, \`uname -r\`);
                 -k all: every installed kernel (see --all)
  --all          build for every installed kernel: each BASEDIR/lib/modules/
                 KVER that has a BASEDIR/boot/vmlinuz-KVER, each image at
                 its default path (no -o); one line per kernel built, exit
                 status 1 if any failed
  -b BASEDIR     root holding lib/modules/KVER, lib/firmware, etc/modprobe.d
                 and boot/config-KVER, like \`depmod -b\` (default: /)
  -o OUT         output file (default: BASEDIR/boot/hatch-initrd.img-KVER,
                 a name of its own so that trying hatch never replaces the
                 distribution's /boot/initrd.img-KVER; the kernel hook
                 writes that one). Written to a temporary file next to OUT
                 and renamed, so OUT is never left half-written; the
                 directory must take a file and have room, checked first
  -c COMP        gzip | zstd | xz | lz4 | none (default: zstd when the
                 kernel's config has CONFIG_RD_ZSTD=y, else gzip)
  --module-compression zstd|none
                 how modules outside the boot's load list are stored
                 (default zstd: each expanded only when loaded, since the
                 kernel unpacks all of the image before /init runs; none:
                 as they are). Needs the zstd tool and a depmod with +ZSTD,
                 else none
  --cache DIR    keep zstd's output for the next build in DIR (default:
                 \$XDG_CACHE_HOME/hatch, else ~/.cache/hatch): a rebuild
                 reuses the compressed modules and busybox, each used only
                 when it expands to its source's exact bytes, so the image
                 is the same as without the cache. Keeps the last 8 module
                 sets; not used when others can write to DIR
  --no-cache     compress everything afresh and keep nothing
  -H HOOK,...    hooks to run, replacing the default list
                 ($DEFAULT_HOOKS;
                 with --lockdown: $LOCKDOWN_HOOKS);
                 a list starting with + is added to the default list
                 (-H +luks,lvm or -H +luks,+lvm)
  -m MODULE,...  also include these modules (with dependencies) and load
                 them at boot
  --omit HOOK,...
                 do not run these hooks (repeatable)
  --omit-module MODULE,...
                 leave these modules out, even when a hook or -m asks for
                 them (repeatable); refused when a module kept in the image
                 depends on one
  --include SRC[:DST]
                 copy the file or directory SRC into the image at DST
                 (default: the same path; SRC absolute then); repeatable.
                 SRC cannot hold a colon
  --config FILE  read FILE instead of $SYSCONF_CONFIG (see
                 Configuration below)
  -i FILE        the init binary; it must be statically linked. Default: the
                 first that exists of SCRIPTDIR/build/init (source tree) and
                 SCRIPTDIR/../lib/hatch/init (installed)
  --hookdir DIR  look for hooks in DIR first (repeatable, must exist); then
                 in $SYSCONF_HOOKDIR, then the shipped hooks (SCRIPTDIR/hooks
                 or SCRIPTDIR/../lib/hatch/hooks). The hooks of DIR and
                 $SYSCONF_HOOKDIR run after the default list, in name
                 order (names of letters, digits, - and _ only); one named
                 like a shipped hook replaces it. -H LIST without + runs
                 exactly LIST. Each hook runs once
  --host-only    only what this machine's root device, root filesystem and
                 keyboard need (fails if / is not on a block device);
                 implies --check-root. A root on LUKS adds the luks hook
                 (dm-crypt, AF_ALG and the volume's cipher), a root on md
                 the mdraid hook (mdadm, md_mod and the array's level), one
                 on LVM the lvm hook (a static lvm, device-mapper targets)
  --no-host-only a generic image even when the configuration file says
                 host_only=yes
  --check-root   refuse (exit status 3, no image written) when this
                 machine's root is on a layer the init cannot set up yet:
                 LVM, multipath, dm-crypt but LUKS, any other
                 device-mapper target but dm-verity (for a btrfs: on any
                 member). For images
                 meant to boot this machine; the kernel hook passes it.
                 Does nothing when / is not on a block device (container)
  --lockdown     a locked-down image for verified boot: writes
                 /etc/hatch/policy, which makes the init refuse any boot
                 without dm-verity and any option that loosens it; leaves
                 the busybox hook out (refuses -H lists naming it), needs
                 the verity hook, and refuses an image holding a shell
  --roothash HEX
                 with --lockdown: pin the dm-verity root hash, the only one
                 the init accepts (2 to 128 hex digits, an even number;
                 stored in lowercase)
  --lockdown-action halt|reboot|poweroff
                 with --lockdown: what the init does on any failure
                 (default: halt)
  --roothash-sig FILE
                 ship FILE, a detached PKCS#7 signature (DER) of the
                 dm-verity root hash hex string, as /etc/hatch/roothash.p7s:
                 the init hands it to the kernel, which checks it against
                 its trusted keys, for every verity boot whose command line
                 gives no root-hash-signature=. With --lockdown the
                 signature is required and the command line cannot replace
                 it. Make it with: printf %s HASH | openssl cms -sign
                 -binary -outform der -noattr -signer CERT -inkey KEY
  --list         print what would go in the image and write nothing (no
                 -o); directories end in /, symlinks show -> TARGET, entries
                 of the early microcode archive start with early:
  --list-hooks   print the hooks found and what they do
  --show IMAGE   describe an existing image (no root needed): its parts
                 (uncompressed cpio archives in front, main archive:
                 compression found by magic, sizes), the kernel version,
                 /init, the modules,
                 those loaded at boot, the lockdown policy
  --check IMAGE  check that IMAGE can boot this machine: /init is a static
                 ELF, lib/modules/KVER has modules.dep, the module of the
                 root filesystem and of this machine's root device chain
                 are in it (or built into KVER: kernel KVER's modules in
                 BASEDIR, see -b, are asked). One line per problem;
                 exit status 0 fine, 1 a problem found, 3 this machine's
                 root is on a layer the init cannot set up
  --cmdline "..."
                 with --check: check for this kernel command line instead
                 of this machine (the filesystem of its rootfstype=,
                 dm-verity when it asks for it, dm-crypt and AF_ALG
                 when it names a LUKS volume); with --verify-disk: the
                 command line whose dm-verity root DISK must be
  --boot         with --check: also boot IMAGE under QEMU (when
                 qemu-system-x86_64 and bash are there) with the kernel
                 BASEDIR/boot/vmlinuz-KVER and no disk: passes when /init
                 runs and the machine powers off (rd.emergency=poweroff)
  --print-cmdline
                 print the root= options this machine needs (root=UUID=...,
                 rootfstype=, rootflags=subvol= for a btrfs subvolume, ro
                 or rw as mounted; verity= for a dm-verity root;
                 rd.luks.uuid=UUID for each LUKS volume under it, or
                 rd.luks.name=UUID=NAME when its name is not luks-UUID;
                 rd.md.uuid=UUID for each md array under it);
                 exit status 3 when the root is on a layer the init
                 cannot set up (LVM, multipath, ...)
  --verify-disk DISK
                 before a reboot, check DISK (a disk image or a block
                 device) against the dm-verity request of --cmdline: the
                 request parses as the init parses it; its data, hash and
                 FEC devices are partitions of DISK (PARTUUID=, PARTLABEL=,
                 UUID=, LABEL=; with roothash= alone, the PARTUUIDs derived
                 from the hash, else the partitions of the root and
                 root-verity types); the root hash matches DISK's superblock and
                 hash tree (veritysetup verify, from cryptsetup-bin, computes
                 it with the disk's own parameters). As root, partitions of
                 an image are read through read-only loop devices, else
                 copied to TMPDIR. A root hash signature (the command
                 line's, else --image's roothash.p7s) must be over the root
                 hash (openssl, with the certificate it carries; the
                 kernel's trust in the signer is not checked). One line per
                 problem on stdout; exit status 0 ok, 1 problems, 2 usage
  --image IMAGE  with --verify-disk: also check that IMAGE holds what the
                 table needs: dm_mod, dm_verity, the hash algorithm's
                 module (or built into the kernel), and a
                 root-hash-signature= file the command line names; the
                 root hash a locked-down IMAGE pins is used when the
                 command line gives none
  -v             verbose
  -h, --help     this help
  --version      hatch's version (from VERSION beside the script, or
                 SCRIPTDIR/../lib/hatch/VERSION when installed)

Options taking an argument also take it as --opt=VALUE.

Configuration: $SYSCONF_CONFIG (or --config FILE), read by every
run, the kernel hook's too. Lines key=value (no spaces around =; a value
with spaces in "..." or '...', without \$, \` or \\), # comments. Keys:
  hooks=LIST         as -H (a LIST starting with + adds to the default)
  modules=LIST       as -m          omit=LIST          as --omit
  omit_modules=LIST  as --omit-module
  compression=COMP   as -c          host_only=yes|no   as --host-only
  include=SRC[:DST]  as --include (repeatable)
LIST is comma-separated. The command line wins over hooks, compression
and host_only; modules, omit, omit_modules and include add up. An unknown
key or a bad value is refused in one line naming FILE:LINE. The file is
parsed, never run.

Hooks are sh files defining help() and build(); build() runs in a subshell
with set -e and may call
  add_module [--load | --first | --if-present] [--optional] NAME...
  force_load NAME... (--load: loaded at boot, side by side; --first: before
    those, one by one; --if-present: with those when a device present needs
    one of them, else the drivers of the devices present load at once)
  add_file SRC [DEST [MODE]]  add_binary SRC [DEST]  add_dir DIR [MODE]
  add_symlink LINK TARGET  add_firmware NAME...  add_early PATH FILE...
  pack_file DEST  kernel_config NAME (the kernel's CONFIG_NAME)
  note MSG  warn MSG  error MSG
and read KVER BASEDIR MODDIR FWDIR INIT STAGE HOST_ONLY HOST_MODULES
HOST_CPU_VENDOR HOST_ROOT_FS (with --host-only or --check-root) LOCKDOWN. A hook fails when build() returns non-zero, calls
exit N (N > 0) or an API call fails, and when the file does not load or
calls exit before build() runs; exit 0 in build() is success. Failures are
counted, reported, and no image is written. A hook's output goes to stderr.

Environment: SOURCE_DATE_EPOCH sets every mtime in the image (default 0);
the same inputs give the same bytes. TMPDIR holds the staging directory
(hatch-mkinitramfs.PID.*); leftovers of a killed run (there and next to
OUT) are removed by the next run once their process is gone.
/etc/default/hatch (HATCH_ARGS) is still read by the Debian kernel hook,
for compatibility; put settings in $SYSCONF_CONFIG instead.

Exit status: 0 done, 3 this machine's root is on a layer the init cannot
set up (--host-only, --check-root, --check, --print-cmdline), 1 any other
error (--check, --verify-disk: a problem found), 2 a usage error of
--verify-disk.
EOF
}

# --- option parsing ---------------------------------------------------------
KVER=
BASEDIR=/
OUT=
COMP=
HOOKS_ARG=
MODULES_ARG=
INIT_ARG=
HOOKDIRS_ARG=
HOST_ONLY=0
CHECK_ROOT=0
LIST=0
LIST_HOOKS=0
LOCKDOWN=0
ROOTHASH=
ROOTHASH_SET=0
ROOTHASH_SIG=
LOCKDOWN_ACTION=halt
LOCKDOWN_ACTION_SET=0
VERBOSE=0
MODULE_COMP=
# zstd's level for the files stored compressed (modules, busybox): -9
# gave busybox 0.9 % less for 56 % more time.
STORED_ZLEVEL=6
# --cache DIR; none: --no-cache; empty: the default directory.
CACHE_DIR=
HOST_ONLY_SET=0
CONFIG_ARG=
OMIT_ARG=
OMIT_MODULES_ARG=
# --include and include=: one SRC:DST per line.
INCLUDES=
# build (the default), show, check or cmdline.
MODE=build
IMAGE=
CHECK_CMDLINE=
CHECK_CMDLINE_SET=0
CHECK_BOOT=0
DISK=
VD_IMAGE=
VD_IMAGE_SET=0

ARG_OPTS="-k -b -o -c -H -m -i --hookdir --roothash --roothash-sig --lockdown-action --config --omit --omit-module"
ARG_OPTS="$ARG_OPTS --include --show --check --cmdline --module-compression --verify-disk --image --cache"
FLAG_OPTS="--host-only --no-host-only --check-root --lockdown --list --list-hooks -v -h --help --version"
FLAG_OPTS="$FLAG_OPTS --all --boot --print-cmdline --no-cache --"
SHOW_VERSION=0
# need_arg OPTION ARGC VALUE: OPTION has its argument VALUE. A VALUE that is
# itself an option means the argument was forgotten (-o -c zstd), unless it
# was attached (--hookdir=-c).
need_arg() {
    [ "$2" -ge 2 ] || die "option $1 needs an argument (see --help)"
    [ "$ATTACHED" = 0 ] || return 0
    for _o in $ARG_OPTS $FLAG_OPTS; do
        [ "$3" != "$_o" ] || die "option $1 needs an argument, and '$3' is an option (see --help)"
    done
}

# cli_parse ARG...: set the option variables above, or die.
cli_parse() {
    # --verify-disk's usage errors are exit status 2 (1: problems found).
    for _a in "$@"; do
        case $_a in
        --verify-disk | --verify-disk=*) DIE_STATUS=2 ;;
        esac
    done
    while [ $# -gt 0 ]; do
        ATTACHED=0
        # --opt=value is --opt value, for the options that take one.
        case $1 in
        --*=*)
            opt=${1%%=*} val=${1#*=}
            shift
            case " $ARG_OPTS " in
            *" $opt "*) set -- "$opt" "$val" "$@"; ATTACHED=1 ;;
            *)
                case " $FLAG_OPTS " in
                *" $opt "*) die "option $opt takes no argument (see --help)" ;;
                *) die "unknown option '$opt' (see --help)" ;;
                esac
                ;;
            esac
            ;;
        esac
        case $1 in
        -k) need_arg "$1" $# "${2-}"; KVER=$2; shift 2 ;;
        -b) need_arg "$1" $# "${2-}"; BASEDIR=$2; shift 2 ;;
        -o) need_arg "$1" $# "${2-}"; OUT=$2; shift 2 ;;
        -c) need_arg "$1" $# "${2-}"; COMP=$2; shift 2 ;;
        --module-compression)
            need_arg "$1" $# "${2-}"
            case $2 in
            zstd | none) MODULE_COMP=$2 ;;
            *) die "unknown --module-compression '$2' (use zstd or none)" ;;
            esac
            shift 2
            ;;
        -H) need_arg "$1" $# "${2-}"; HOOKS_ARG=$2; shift 2 ;;
        -m) need_arg "$1" $# "${2-}"; MODULES_ARG="$MODULES_ARG,$2"; shift 2 ;;
        -i) need_arg "$1" $# "${2-}"; INIT_ARG=$2; shift 2 ;;
        --hookdir)
            need_arg "$1" $# "${2-}"
            d=$2
            case $d in
            -*) d=./$d ;;
            esac
            [ -d "$d" ] || die "no such hook directory: $2 (--hookdir)"
            HOOKDIRS_ARG="$HOOKDIRS_ARG
$d"
            shift 2
            ;;
        --host-only) HOST_ONLY=1; HOST_ONLY_SET=1; shift ;;
        --no-host-only) HOST_ONLY=0; HOST_ONLY_SET=1; shift ;;
        --all) KVER=all; shift ;;
        --cache)
            need_arg "$1" $# "${2-}"
            case $2 in
            /*) CACHE_DIR=$2 ;;
            *) die "--cache needs an absolute directory, not '$2'" ;;
            esac
            shift 2
            ;;
        --no-cache) CACHE_DIR=none; shift ;;
        --config) need_arg "$1" $# "${2-}"; CONFIG_ARG=$2; shift 2 ;;
        --omit) need_arg "$1" $# "${2-}"; OMIT_ARG="$OMIT_ARG,$2"; shift 2 ;;
        --omit-module) need_arg "$1" $# "${2-}"; OMIT_MODULES_ARG="$OMIT_MODULES_ARG,$2"; shift 2 ;;
        --include)
            need_arg "$1" $# "${2-}"
            include_arg "$2" "--include $2"
            shift 2
            ;;
        --show | --check)
            need_arg "$1" $# "${2-}"
            [ "$MODE" = build ] || [ "$MODE" = "${1#--}" ] || die "$1 and --$MODE go alone; give one of them"
            MODE=${1#--} IMAGE=$2
            shift 2
            ;;
        --verify-disk)
            need_arg "$1" $# "${2-}"
            [ "$MODE" = build ] || [ "$MODE" = verify-disk ] || die "--verify-disk and --$MODE go alone; give one of them"
            MODE=verify-disk DISK=$2
            shift 2
            ;;
        --image) need_arg "$1" $# "${2-}"; VD_IMAGE=$2; VD_IMAGE_SET=1; shift 2 ;;
        --print-cmdline)
            [ "$MODE" = build ] || [ "$MODE" = cmdline ] || die "--print-cmdline and --$MODE go alone; give one of them"
            MODE=cmdline
            shift
            ;;
        --cmdline) need_arg "$1" $# "${2-}"; CHECK_CMDLINE=$2; CHECK_CMDLINE_SET=1; shift 2 ;;
        --boot) CHECK_BOOT=1; shift ;;
        --check-root) CHECK_ROOT=1; shift ;;
        --lockdown) LOCKDOWN=1; shift ;;
        --roothash) need_arg "$1" $# "${2-}"; ROOTHASH=$2; ROOTHASH_SET=1; shift 2 ;;
        --roothash-sig) need_arg "$1" $# "${2-}"; ROOTHASH_SIG=$2; shift 2 ;;
        --lockdown-action) need_arg "$1" $# "${2-}"; LOCKDOWN_ACTION=$2; LOCKDOWN_ACTION_SET=1; shift 2 ;;
        --list) LIST=1; shift ;;
        --list-hooks) LIST_HOOKS=1; shift ;;
        -v) VERBOSE=1; shift ;;
        -h | --help) usage; exit 0 ;;
        --version) SHOW_VERSION=1; shift ;;
        --) shift; break ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) die "unexpected argument '$1' (see --help)" ;;
        esac
    done
    [ $# -eq 0 ] || die "unexpected argument '$1' (see --help)"
    [ "$LIST" = 0 ] || [ -z "$OUT" ] || die "--list writes no image; leave out -o $OUT"
    if [ "$MODE" != check ] && [ "$MODE" != verify-disk ]; then
        [ "$CHECK_CMDLINE_SET" = 0 ] || die "--cmdline goes with --check IMAGE or --verify-disk DISK"
    fi
    [ "$MODE" = check ] || [ "$CHECK_BOOT" = 0 ] || die "--boot goes with --check IMAGE"
    [ "$MODE" = verify-disk ] || [ "$VD_IMAGE_SET" = 0 ] || die "--image goes with --verify-disk DISK"
    if [ "$MODE" = verify-disk ]; then
        [ "$CHECK_CMDLINE_SET" = 1 ] || die "--verify-disk needs --cmdline \"...\": the command line the disk is to boot with"
        case $DISK in
        -*) DISK=./$DISK ;;
        esac
        case $VD_IMAGE in
        -*) VD_IMAGE=./$VD_IMAGE ;;
        esac
    fi
    if [ "$MODE" != build ]; then
        _m=--$MODE
        [ "$MODE" != cmdline ] || _m=--print-cmdline
        [ -z "$OUT" ] || die "$_m writes no image; leave out -o $OUT"
        [ "$LIST" = 0 ] || die "$_m and --list go alone; give one of them"
        [ "$KVER" != all ] || die "$_m works on one image or machine; leave out -k all (--all)"
        [ -z "$ROOTHASH_SIG" ] || die "$_m writes no image; leave out --roothash-sig"
        case $IMAGE in
        -*) IMAGE=./$IMAGE ;;
        esac
    elif [ "$KVER" = all ]; then
        [ -z "$OUT" ] || die "-k all (--all) writes one image per kernel, each at its default path; leave out -o $OUT"
        [ "$LIST" = 0 ] || die "--list shows one kernel's image; name it with -k KVER instead of -k all (--all)"
    fi

    # --lockdown and its options.
    if [ "$LOCKDOWN" = 0 ]; then
        [ "$ROOTHASH_SET" = 0 ] || die "--roothash needs --lockdown (the root hash is pinned in the lockdown policy)"
        [ "$LOCKDOWN_ACTION_SET" = 0 ] || die "--lockdown-action needs --lockdown"
    fi
    case $LOCKDOWN_ACTION in
    halt | reboot | poweroff) ;;
    *) die "unknown --lockdown-action '$LOCKDOWN_ACTION' (use halt, reboot or poweroff)" ;;
    esac
    if [ "$ROOTHASH_SET" = 1 ]; then
        case $ROOTHASH in
        *[!0-9A-Fa-f]*) die "--roothash '$ROOTHASH' is not a hex string (digits 0-9, a-f only)" ;;
        esac
        [ $((${#ROOTHASH} % 2)) -eq 0 ] || die "--roothash has an odd number of hex digits (${#ROOTHASH}); a hash is whole bytes"
        [ "${#ROOTHASH}" -le 128 ] || die "--roothash has ${#ROOTHASH} hex digits; at most 128 (a 512-bit hash)"
        [ "${#ROOTHASH}" -ge 2 ] || die "--roothash has ${#ROOTHASH} hex digits; at least 2"
        ROOTHASH=$(printf '%s' "$ROOTHASH" | tr 'A-F' 'a-f')
    fi
    DIE_STATUS=1
}

# cli_roothash_sig: --roothash-sig names a DER signature the kernel's
# keyring takes (a "user" key holds at most 32767 bytes).
cli_roothash_sig() {
    [ -n "$ROOTHASH_SIG" ] || return 0
    case $ROOTHASH_SIG in
    -*) ROOTHASH_SIG=./$ROOTHASH_SIG ;;
    esac
    [ -e "$ROOTHASH_SIG" ] || die "--roothash-sig: no such file: $ROOTHASH_SIG"
    if [ ! -f "$ROOTHASH_SIG" ] || [ ! -r "$ROOTHASH_SIG" ]; then
        die "--roothash-sig: $ROOTHASH_SIG is not a readable file"
    fi
    _sz=$(wc -c <"$ROOTHASH_SIG" | tr -d ' ')
    [ "$_sz" -gt 0 ] || die "--roothash-sig: $ROOTHASH_SIG is empty"
    [ "$_sz" -le 32767 ] || die "--roothash-sig: $ROOTHASH_SIG has $_sz bytes; the kernel's keyring takes at most 32767 (a detached signature is about 1-2 KB)"
    case $(od -An -tx1 -N1 "$ROOTHASH_SIG" | tr -d ' \n') in
    30) ;;
    *)
        if head -c 11 "$ROOTHASH_SIG" | grep -q -e '-----BEGIN'; then
            die "--roothash-sig: $ROOTHASH_SIG is PEM; the kernel reads DER: make it with openssl cms -sign ... -outform der"
        fi
        die "--roothash-sig: $ROOTHASH_SIG is not a DER PKCS#7 signature (it does not start with a DER SEQUENCE)"
        ;;
    esac
}

# include_arg SRC[:DST] WHERE: one --include or include= (WHERE names it
# in errors), checked and added to INCLUDES.
include_arg() {
    case $1 in
    *:*) _src=${1%%:*} _dst=${1#*:} ;;
    *) _src=$1 _dst= ;;
    esac
    [ -n "$_src" ] || die "$2: no source file; use SRC[:DST]"
    [ -e "$_src" ] || die "$2: no such file or directory: $_src"
    [ -f "$_src" ] || [ -d "$_src" ] || die "$2: $_src is neither a file nor a directory"
    if [ -z "$_dst" ]; then
        case $_src in
        /*) _dst=$_src ;;
        *) die "$2: a relative source needs a destination in the image; use SRC:DST" ;;
        esac
    fi
    case /$_dst/ in
    */../* | //) die "$2: bad destination '$_dst' in the image" ;;
    esac
    case $_src in
    /*) ;;
    *) _src=$(cd -P -- "$(dirname -- "$_src")" && pwd)/${_src##*/} || die "$2: cannot enter the directory of $_src" ;;
    esac
    INCLUDES="$INCLUDES
$_src:$_dst"
}

# cli_version: --version prints the version and exits.
cli_version() {
    for f in "$SCRIPTDIR/VERSION" "$SCRIPTDIR/../lib/hatch/VERSION"; do
        if [ -f "$f" ]; then
            printf '%s (hatch) %s\n' "${0##*/}" "$(sed -n 1p "$f")"
            exit 0
        fi
    done
    die "no VERSION file at $SCRIPTDIR/VERSION or $SCRIPTDIR/../lib/hatch/VERSION"
}

# cli_basedir: -b names a directory (BASEDIR absolute, ROOT without the
# trailing /).
cli_basedir() {
    [ -d "$BASEDIR" ] || die "no such directory: $BASEDIR (-b)"
    BASEDIR=$(cd -P -- "$BASEDIR" && pwd) || die "cannot enter $BASEDIR"
    ROOT=${BASEDIR%/}
}

# installed_kernels: the KVERs of BASEDIR/lib/modules that have a
# BASEDIR/boot/vmlinuz-KVER, one a line, in version order.
installed_kernels() {
    for _k in "$ROOT"/lib/modules/*; do
        if [ -d "$_k" ] && [ -f "$ROOT/boot/vmlinuz-${_k##*/}" ]; then
            printf '%s\n' "${_k##*/}"
        fi
    done | sort -V 2>/dev/null
}

# cli_kernel: -k and -b name an installed kernel (KVER, BASEDIR, ROOT,
# MODDIR, FWDIR).
cli_kernel() {
    [ -n "$KVER" ] || KVER=$(uname -r) || die "cannot determine the running kernel (use -k KVER)"
    case $KVER in
    '' | */* | .*) die "invalid kernel version '$KVER'" ;;
    esac

    cli_basedir
    MODDIR=$ROOT/lib/modules/$KVER
    FWDIR=$ROOT/lib/firmware
    [ -d "$MODDIR" ] || die "no module directory $MODDIR (is kernel $KVER installed? see -k and -b)"
    [ -f "$MODDIR/modules.dep" ] || die "no modules.dep in $MODDIR (run: depmod -b $BASEDIR $KVER)"
}

# cli_epoch: SOURCE_DATE_EPOCH, every mtime in the image (EPOCH).
cli_epoch() {
    EPOCH=${SOURCE_DATE_EPOCH:-0}
    case $EPOCH in
    '' | *[!0-9]*) die "SOURCE_DATE_EPOCH must be a number of seconds, not '$EPOCH'" ;;
    esac
}

# cli_init: the init (-i, or the one beside the script), statically linked.
cli_init() {
    if [ -n "$INIT_ARG" ]; then
        INIT=$INIT_ARG
        # A path starting with - would be taken for an option by od and cp.
        case $INIT in
        -*) INIT=./$INIT ;;
        esac
        [ -f "$INIT" ] || die "no such init: $INIT (-i)"
    else
        INIT=
        for f in "$SCRIPTDIR/build/init" "$SCRIPTDIR/../lib/hatch/init"; do
            if [ -f "$f" ]; then
                INIT=$f
                break
            fi
        done
        [ -n "$INIT" ] || die "no init found at $SCRIPTDIR/build/init or $SCRIPTDIR/../lib/hatch/init (run make, or use -i FILE)"
    fi
    case $(elf_kind "$INIT") in
    static) ;;
    dynamic) die "init $INIT is dynamically linked (it has an ELF interpreter); hatch needs a static init" ;;
    *) die "init $INIT is not an ELF executable" ;;
    esac
}

# cli_modules: the modules of -m and modules= (MODULES), of --omit-module
# and omit_modules= (OMIT_MODULES), the hooks of --omit and omit= (OMIT).
cli_modules() {
    commas "$MODULES_ARG"
    MODULES=$RET
    for m in $MODULES; do
        case $m in
        *[!A-Za-z0-9_.:-]*) die "invalid module name '$m' (-m)" ;;
        esac
    done
    commas "$OMIT_MODULES_ARG"
    OMIT_MODULES=$RET
    for m in $OMIT_MODULES; do
        case $m in
        *[!A-Za-z0-9_-]*) die "invalid module name '$m' (--omit-module)" ;;
        esac
    done
    commas "$OMIT_ARG"
    OMIT=$RET
}
