#!/bin/sh
# mkinitramfs.sh - build a hatch initramfs image.
#
# POSIX sh (dash, busybox ash). Needs no root privileges: the image is staged
# in a temporary directory and archived with GNU cpio (-R 0:0 --reproducible),
# so owners, inode numbers and mtimes never come from the host.
#
# Layout of the image (the init relies on it):
#   /init                         the static init binary (hook base)
#   /etc/hatch/kver               kernel release the image was built for
#   /etc/hatch/modules            modules the init loads unconditionally
#   /etc/hatch/policy             lockdown policy, only with --lockdown
#   /lib/modules/KVER/            module closure + depmod output for the subset
#   /lib/firmware/...             firmware the included modules declare
#   /etc/modprobe.d/*.conf        module options and blacklists (hook base)
#   /bin/busybox, /bin/sh         rescue shell (hook busybox; never with
#                                 --lockdown)
# and, in front of the compressed archive, an uncompressed cpio with
# kernel/x86/microcode/*.bin when microcode is present (hook microcode).
#
# Hooks are POSIX sh files defining help() and build(); build() runs in a
# subshell with `set -e` and uses the API below (add_module, force_load,
# add_file, add_binary, add_dir, add_symlink, add_firmware, add_early).
#
# Test seam (not a user option): HATCH_SYSROOT prefixes /proc and /sys when
# --host-only inspects the machine.
set -eu

PROG=mkinitramfs
LC_ALL=C
export LC_ALL
umask 022
# modprobe and depmod live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
export PATH

DEFAULT_HOOKS="base modules verity busybox microcode"
# --lockdown: no rescue shell.
LOCKDOWN_HOOKS="base modules verity microcode"
# Names that are a shell wherever they appear in bin, sbin, usr/bin or
# usr/sbin; a locked-down image holds none of them.
SHELL_NAMES="sh ash bash dash busybox"
SYSCONF_HOOKDIR=/etc/hatch/hooks

# --- messages ---------------------------------------------------------------
# Every error is one line on stderr and a non-zero exit.
die() {
    printf 'hatch: %s: %s\n' "$PROG" "$*" >&2
    exit 1
}
# reason MSG: the cause at the end of a tool's first error line
# ("cp: cannot create regular file 'x': No space left on device").
reason() {
    printf '%s\n' "$1" | sed -n -e '1s/.*: //' -e '1s/[[:space:]]*$//' -e 1p
}
warn() {
    printf 'hatch: %s: warning: %s\n' "$PROG" "$*" >&2
}
note() {
    if [ "$VERBOSE" = 1 ]; then
        printf 'hatch: %s: %s\n' "$PROG" "$*" >&2
    fi
    return 0
}

usage() {
    cat <<EOF
usage: ${0##*/} [options]

Build a hatch initramfs for one kernel.

  -k KVER        kernel release (default: the running kernel, \`uname -r\`)
  -b BASEDIR     root holding lib/modules/KVER, lib/firmware, etc/modprobe.d
                 and boot/config-KVER, like \`depmod -b\` (default: /)
  -o OUT         output file (default: /boot/hatch-initrd.img-KVER, a name
                 of its own so that trying hatch never replaces the
                 distribution's /boot/initrd.img-KVER; the kernel hook
                 writes that one). Written to a temporary file next to OUT
                 and renamed, so OUT is never left half-written; the
                 directory must take a file and have room, checked first
  -c COMP        gzip | zstd | xz | lz4 | none (default: zstd when the
                 kernel's config has CONFIG_RD_ZSTD=y, else gzip)
  -H HOOK,...    hooks to run, replacing the default list
                 ($DEFAULT_HOOKS;
                 with --lockdown: $LOCKDOWN_HOOKS);
                 a list starting with + is added to the default list
  -m MODULE,...  also include these modules (with dependencies) and load
                 them at boot
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
                 implies --check-root
  --check-root   refuse (exit status 3, no image written) when this
                 machine's root is on a layer the init cannot set up yet:
                 dm-crypt/LUKS, LVM, mdraid, multipath, btrfs over several
                 devices, any device-mapper target but dm-verity. For images
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
  --list         print what would go in the image and write nothing (no
                 -o); directories end in /, symlinks show -> TARGET, entries
                 of the early microcode archive start with early:
  --list-hooks   print the hooks found and what they do
  -v             verbose
  -h, --help     this help
  --version      hatch's version (from VERSION beside the script, or
                 SCRIPTDIR/../lib/hatch/VERSION when installed)

Options taking an argument also take it as --opt=VALUE.

Hooks are sh files defining help() and build(); build() runs in a subshell
with set -e and may call
  add_module [--load] [--optional] NAME...  force_load NAME...
  add_file SRC [DEST [MODE]]  add_binary SRC [DEST]  add_dir DIR [MODE]
  add_symlink LINK TARGET  add_firmware NAME...  add_early PATH FILE...
  note MSG  warn MSG  error MSG
and read KVER BASEDIR MODDIR FWDIR INIT STAGE HOST_ONLY HOST_MODULES
HOST_CPU_VENDOR LOCKDOWN. A hook fails when build() returns non-zero, calls
exit N (N > 0) or an API call fails, and when the file does not load or
calls exit before build() runs; exit 0 in build() is success. Failures are
counted, reported, and no image is written. A hook's output goes to stderr.

Environment: SOURCE_DATE_EPOCH sets every mtime in the image (default 0);
the same inputs give the same bytes. TMPDIR holds the staging directory
(hatch-mkinitramfs.PID.*); leftovers of a killed run (there and next to
OUT) are removed by the next run once their process is gone.
/etc/default/hatch is read by the Debian kernel hook only, not here.

Exit status: 0 done, 3 this machine's root is on a layer the init cannot
set up (--host-only, --check-root), 1 any other error.
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
LOCKDOWN_ACTION=halt
LOCKDOWN_ACTION_SET=0
VERBOSE=0

ARG_OPTS="-k -b -o -c -H -m -i --hookdir --roothash --lockdown-action"
FLAG_OPTS="--host-only --check-root --lockdown --list --list-hooks -v -h --help --version --"
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
    --host-only) HOST_ONLY=1; shift ;;
    --check-root) CHECK_ROOT=1; shift ;;
    --lockdown) LOCKDOWN=1; shift ;;
    --roothash) need_arg "$1" $# "${2-}"; ROOTHASH=$2; ROOTHASH_SET=1; shift 2 ;;
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

# --- where we live ----------------------------------------------------------
case $0 in
*/*) SELF=$0 ;;
*) SELF=$(command -v "$0" 2>/dev/null || printf '%s' "$0") ;;
esac
SELF=$(readlink -f "$SELF" 2>/dev/null || printf '%s' "$SELF")
SCRIPTDIR=$(cd -P "$(dirname "$SELF")" && pwd) || die "cannot find the directory of $0"

if [ "$SHOW_VERSION" = 1 ]; then
    for f in "$SCRIPTDIR/VERSION" "$SCRIPTDIR/../lib/hatch/VERSION"; do
        if [ -f "$f" ]; then
            printf '%s (hatch) %s\n' "${0##*/}" "$(sed -n 1p "$f")"
            exit 0
        fi
    done
    die "no VERSION file at $SCRIPTDIR/VERSION or $SCRIPTDIR/../lib/hatch/VERSION"
fi

# Shipped hooks: source tree first, then the installed location.
SHIPPED_HOOKDIR=
for d in "$SCRIPTDIR/hooks" "$SCRIPTDIR/../lib/hatch/hooks"; do
    if [ -d "$d" ]; then
        SHIPPED_HOOKDIR=$(cd -P "$d" && pwd)
        break
    fi
done

# Hook search path, one directory per line, most important first.
HOOKPATH=$(printf '%s\n%s\n%s\n' "$HOOKDIRS_ARG" "$SYSCONF_HOOKDIR" "$SHIPPED_HOOKDIR" | sed '/^$/d')

# find_hook NAME: print the file of hook NAME, or fail.
find_hook() {
    printf '%s\n' "$HOOKPATH" | while IFS= read -r d; do
        if [ -f "$d/$1" ]; then
            printf '%s\n' "$d/$1"
            break
        fi
    done
}

if [ "$LIST_HOOKS" = 1 ]; then
    printf '%s\n' "$HOOKPATH" | while IFS= read -r d; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            h=${f##*/}
            # A hook shadowed by an earlier directory is not listed again.
            [ "$(find_hook "$h")" = "$f" ] || continue
            # shellcheck source=/dev/null
            line=$( (trap - EXIT; . "$f" && help) 2>/dev/null | sed -n 1p) || line=
            printf '%-12s %s (%s)\n' "$h" "${line:-(no help)}" "$d"
        done
    done
    exit 0
fi

# --- inputs -----------------------------------------------------------------
[ -n "$KVER" ] || KVER=$(uname -r) || die "cannot determine the running kernel (use -k KVER)"
case $KVER in
'' | */* | .*) die "invalid kernel version '$KVER'" ;;
esac

[ -d "$BASEDIR" ] || die "no such directory: $BASEDIR (-b)"
BASEDIR=$(cd -P -- "$BASEDIR" && pwd) || die "cannot enter $BASEDIR"
ROOT=${BASEDIR%/}
MODDIR=$ROOT/lib/modules/$KVER
FWDIR=$ROOT/lib/firmware
[ -d "$MODDIR" ] || die "no module directory $MODDIR (is kernel $KVER installed? see -k and -b)"
[ -f "$MODDIR/modules.dep" ] || die "no modules.dep in $MODDIR (run: depmod -b $BASEDIR $KVER)"

# Tools. Compressors are checked once the compression is known.
# find_tool NAME: the first executable file NAME in PATH. External tools are
# run by absolute path: busybox ash would otherwise prefer its own applets
# (cpio, modprobe, gzip, ...), which lack the options used here.
find_tool() {
    _ifs=$IFS
    IFS=:
    set -f
    for _d in $PATH; do
        if [ -n "$_d" ] && [ -f "$_d/$1" ] && [ -x "$_d/$1" ]; then
            IFS=$_ifs
            set +f
            printf '%s\n' "$_d/$1"
            return 0
        fi
    done
    IFS=$_ifs
    set +f
    return 1
}
need_tool() { # NAME [HINT]
    find_tool "$1" || die "missing tool: $1${2:+ ($2)}"
}
CPIO=$(need_tool cpio "install GNU cpio")
MODPROBE=$(need_tool modprobe "install kmod")
DEPMOD=$(need_tool depmod "install kmod")
MODINFO=$(need_tool modinfo "install kmod")
for t in od awk sed sort find mktemp touch xargs; do
    command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
done
"$CPIO" --help 2>&1 | grep -q -e --reproducible ||
    die "missing tool: GNU cpio 2.12 or later ($CPIO has no --reproducible)"

EPOCH=${SOURCE_DATE_EPOCH:-0}
case $EPOCH in
'' | *[!0-9]*) die "SOURCE_DATE_EPOCH must be a number of seconds, not '$EPOCH'" ;;
esac

# elf_kind FILE: print "static" or "dynamic" (has a PT_INTERP program
# header), or "none" when FILE is not an ELF executable. Reads the headers
# with od, so it needs neither file(1) nor readelf(1).
elf_kind() {
    if [ ! -f "$1" ] || [ ! -r "$1" ]; then
        echo none
        return 0
    fi
    _geo=$(od -An -v -tu1 -N 64 "$1" 2>/dev/null | tr -s ' \n' '  ' | awk '
        function rd(o, n,   v, k) {
            v = 0
            for (k = 0; k < n; k++) v = v * 256 + (be ? $(o + k + 1) : $(o + n - k))
            return v
        }
        {
            if (NF < 52 || $1 != 127 || $2 != 69 || $3 != 76 || $4 != 70) { print "none"; exit }
            be = ($6 == 2)
            if ($5 == 2 && NF >= 58) print rd(32, 8), rd(54, 2), rd(56, 2), be
            else if ($5 == 1) print rd(28, 4), rd(42, 2), rd(44, 2), be
            else print "none"
        }')
    # shellcheck disable=SC2086 # word splitting of the four numbers is intended
    set -- "$1" $_geo
    if [ $# -ne 5 ]; then
        echo none
        return 0
    fi
    if [ "$4" -eq 0 ] || [ "$3" -lt 8 ]; then
        echo static
        return 0
    fi
    od -An -v -tu1 -j "$2" -N $(($3 * $4)) "$1" 2>/dev/null | tr -s ' \n' '  ' |
        awk -v es="$3" -v n="$4" -v be="$5" '
        function rd(o, c,   v, k) {
            v = 0
            for (k = 0; k < c; k++) v = v * 256 + (be ? $(o + k + 1) : $(o + c - k))
            return v
        }
        {
            for (i = 0; i < n; i++) if ((i + 1) * es <= NF && rd(i * es, 4) == 3) { print "dynamic"; exit }
            print "static"
        }'
}

# The init.
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

# Compression: what the kernel can unpack comes from its config.
KCONFIG=
for f in "$ROOT/boot/config-$KVER" "$MODDIR/build/.config"; do
    if [ -f "$f" ]; then
        KCONFIG=$f
        break
    fi
done
comp_opt() {
    case $1 in
    gzip) echo CONFIG_RD_GZIP ;;
    zstd) echo CONFIG_RD_ZSTD ;;
    xz) echo CONFIG_RD_XZ ;;
    lz4) echo CONFIG_RD_LZ4 ;;
    esac
}
kernel_unpacks() { # COMP: true when the kernel config allows it (or is unknown)
    [ "$1" = none ] && return 0
    [ -n "$KCONFIG" ] || return 0
    grep -q "^$(comp_opt "$1")=y" "$KCONFIG"
}
COMPRESSOR=
if [ -n "$COMP" ]; then
    case $COMP in
    gzip | zstd | xz | lz4 | none) ;;
    *) die "unknown compression '$COMP' (use gzip, zstd, xz, lz4 or none)" ;;
    esac
    kernel_unpacks "$COMP" || die "kernel $KVER cannot unpack a $COMP initramfs ($(comp_opt "$COMP") is not set in $KCONFIG)"
    [ "$COMP" = none ] || COMPRESSOR=$(need_tool "$COMP")
else
    COMP=
    if [ -n "$KCONFIG" ]; then
        for c in zstd gzip xz lz4; do
            if kernel_unpacks "$c" && find_tool "$c" >/dev/null; then
                COMP=$c
                break
            fi
        done
        [ -n "$COMP" ] || COMP=none
    else
        COMP=gzip
        find_tool gzip >/dev/null || COMP=none
    fi
    note "compression $COMP (kernel config: ${KCONFIG:-unknown})"
    [ "$COMP" = none ] || COMPRESSOR=$(find_tool "$COMP")
fi

# Modules from -m.
MODULES=$(printf '%s' "$MODULES_ARG" | tr ',' ' ')
for m in $MODULES; do
    case $m in
    *[!A-Za-z0-9_.:-]*) die "invalid module name '$m' (-m)" ;;
    esac
done

# Hooks.
if [ "$LOCKDOWN" = 1 ]; then
    DEFAULT_HOOKS=$LOCKDOWN_HOOKS
fi
# Your own hooks (--hookdir, /etc/hatch/hooks) run after the default ones,
# in name order, like initramfs-tools' hooks directory: those named with
# letters, digits, - and _ only (no backups such as x.dpkg-old or x~), and
# not named like a shipped hook (such a hook replaces the shipped one in
# its place). An explicit -H list (without +) runs exactly what it names.
user_hooks() {
    printf '%s\n%s\n' "$HOOKDIRS_ARG" "$SYSCONF_HOOKDIR" | sed '/^$/d' | while IFS= read -r d; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            n=${f##*/}
            case $n in
            *[!A-Za-z0-9_-]*) continue ;;
            esac
            [ -z "$SHIPPED_HOOKDIR" ] || [ ! -f "$SHIPPED_HOOKDIR/$n" ] || continue
            printf '%s\n' "$n"
        done
    done | sort -u | tr '\n' ' '
}
case $HOOKS_ARG in
'') HOOKS="$DEFAULT_HOOKS $(user_hooks)" ;;
+*) HOOKS="$DEFAULT_HOOKS $(user_hooks) $(printf '%s' "${HOOKS_ARG#+}" | tr ',' ' ')" ;;
*) HOOKS=$(printf '%s' "$HOOKS_ARG" | tr ',' ' ') ;;
esac
HOOK_FILES=
seen=' '
for h in $HOOKS; do
    case $h in
    *[!A-Za-z0-9_.-]* | .*) die "invalid hook name '$h'" ;;
    esac
    # Each hook runs once (-H +busybox names a default hook again).
    case $seen in
    *" $h "*) continue ;;
    esac
    seen="$seen$h "
    f=$(find_hook "$h")
    [ -n "$f" ] || die "unknown hook '$h' (searched: $(printf '%s' "$HOOKPATH" | tr '\n' ' '))"
    HOOK_FILES="$HOOK_FILES
$h $f"
done
# --lockdown: no rescue shell, and dm-verity, the only root the init accepts.
if [ "$LOCKDOWN" = 1 ]; then
    with_verity=0
    for h in $HOOKS; do
        case $h in
        busybox) die "--lockdown: the hook list names busybox, a shell; a locked-down image holds no shell" ;;
        verity) with_verity=1 ;;
        esac
    done
    [ "$with_verity" = 1 ] || die "--lockdown: the hook list lacks verity; a locked-down image boots only a dm-verity root"
fi

# Output.
if [ "$LIST" = 0 ]; then
    [ -n "$OUT" ] || OUT=/boot/hatch-initrd.img-$KVER
    case $OUT in
    */) die "output $OUT is a directory name" ;;
    esac
    [ ! -d "$OUT" ] || die "output $OUT is a directory"
    case $OUT in
    -*) OUT=./$OUT ;;
    esac
    case $OUT in
    */*) OUTDIR=${OUT%/*} ;;
    *) OUTDIR=. ;;
    esac
    [ -n "$OUTDIR" ] || OUTDIR=/
    [ -d "$OUTDIR" ] || die "output directory $OUTDIR does not exist"
fi

# --- temporary files, removed on every exit path ----------------------------
WORK=
OUT_TMP=
cleanup() {
    if [ -n "$OUT_TMP" ]; then
        rm -f "$OUT_TMP"
    fi
    if [ -n "$WORK" ]; then
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# pid_gone PID: no process PID exists (on this machine).
pid_gone() {
    if [ -d /proc/self ]; then
        [ ! -d "/proc/$1" ]
    elif kill -0 "$1" 2>/dev/null; then
        return 1
    fi
}
# Leftovers of runs killed outright (SIGKILL, power loss: no trap ran):
# OUT's temporary files and staging directories in TMPDIR named after a
# process that is gone.
clean_stale() { # GLOB-PREFIX: files or directories PREFIX.PID[.*]
    for _s in "$1"*; do
        [ -e "$_s" ] || continue
        _pid=${_s#"$1"}
        _pid=${_pid%%.*}
        case $_pid in
        '' | *[!0-9]*) continue ;;
        esac
        if [ "$_pid" != $$ ] && pid_gone "$_pid"; then
            note "removing $_s (left by process $_pid, which is gone)"
            rm -rf "$_s" 2>/dev/null || true
        fi
    done
}

# The output directory takes a file (checked before any work, with the
# temporary file the image is later written to).
if [ "$LIST" = 0 ]; then
    clean_stale "$OUTDIR/.${OUT##*/}.hatch-tmp."
    OUT_TMP=$OUTDIR/.${OUT##*/}.hatch-tmp.$$
    if ! err=$( (: >"$OUT_TMP") 2>&1); then
        OUT_TMP=
        die "cannot create a file in $OUTDIR (${err##*: }); choose another -o"
    fi
fi
TMPD=${TMPDIR:-/tmp}
case $TMPD in
-*) TMPD=./$TMPD ;;
esac
[ -d "$TMPD" ] || die "TMPDIR $TMPD is not a directory; set TMPDIR to a writable directory"
clean_stale "$TMPD/hatch-mkinitramfs."
WORK=$(mktemp -d "$TMPD/hatch-mkinitramfs.$$.XXXXXX" 2>/dev/null) ||
    die "cannot create a temporary directory in $TMPD; set TMPDIR to a writable directory"
# Absolute: parts of the build run in other directories.
WORK=$(cd -P -- "$WORK" && pwd) || die "cannot enter $WORK"
STAGE=$WORK/root
EARLY=$WORK/early
mkdir "$STAGE" "$EARLY" "$WORK/modprobe.d" "$WORK/depmod.d"
: >"$WORK/mods"
: >"$WORK/fw"
: >"$WORK/modes"
: >"$WORK/errors"

# Module configuration of BASEDIR, merged the way kmod reads it: a file in
# etc/ overrides one of the same name in lib/. Used for modprobe and depmod
# here, and copied into the image by the base hook.
for sub in lib usr/lib etc; do
    for kind in modprobe.d depmod.d; do
        for f in "$ROOT/$sub/$kind"/*.conf; do
            if [ -f "$f" ]; then
                cp "$f" "$WORK/$kind/"
            fi
        done
    done
done
MODPROBE_D=$WORK/modprobe.d

kmodprobe() {
    "$MODPROBE" -d "$BASEDIR" -S "$KVER" -C "$MODPROBE_D" "$@"
}

# --- host-only detection ----------------------------------------------------
SYSROOT=${HATCH_SYSROOT:-}
HOST_MODULES=
HOST_CPU_VENDOR=

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
# set up (it sets up dm-verity only).
unsupported() {
    printf '%s on %s\n' "$1" "$2" >>"$WORK/host.unsupported"
}

# dm_verity_table NAME: true when every target of dm device NAME is verity.
# Reading a table needs root and dmsetup; without them it is unknown (false).
dm_verity_table() {
    [ -z "$SYSROOT" ] && [ -n "$1" ] || return 1
    _ds=$(find_tool dmsetup) || return 1
    _t=$("$_ds" table -- "$1" 2>/dev/null) || return 1
    [ -n "$_t" ] && [ -z "$(printf '%s\n' "$_t" | awk '$3 != "verity"')" ]
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
        CRYPT-LUKS1-*) unsupported "dm-crypt (LUKS1)" "$_dev" ;;
        CRYPT-LUKS2-*) unsupported "dm-crypt (LUKS2)" "$_dev" ;;
        CRYPT-PLAIN-*) unsupported "dm-crypt (plain)" "$_dev" ;;
        CRYPT-BITLK-*) unsupported "dm-crypt (BitLocker)" "$_dev" ;;
        CRYPT-TCRYPT-*) unsupported "dm-crypt (TrueCrypt)" "$_dev" ;;
        CRYPT-INTEGRITY-*) unsupported "dm-integrity" "$_dev" ;;
        CRYPT-*) _k=${_u#CRYPT-} && unsupported "dm-crypt (${_k%%-*})" "$_dev" ;;
        LVM-*) unsupported "LVM" "$_dev" ;;
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
        unsupported "mdraid ($(cat "$1/md/level" 2>/dev/null || echo md))" "/dev/$_bn"
    elif [ -e "$1/partition" ] && [ -d "${1%/*}/md" ]; then
        _p=${1%/*}
        unsupported "mdraid ($(cat "$_p/md/level" 2>/dev/null || echo md))" "/dev/${_p##*/} (partition $_bn)"
    fi
    walk_up "$1"
}

# host_fail MSG: --host-only cannot go on; --check-root alone skips the
# check (an image is not tied to this machine's root when / is not on a
# block device, e.g. in a container or chroot).
host_fail() {
    [ "$HOST_ONLY" = 1 ] || { note "--check-root: $*; root not checked"; return 0; }
    die "--host-only: $*"
}

# root_layers DEV FSTYPE: refuse (exit status 3) when the root's chain holds
# a layer the init cannot set up. Reads $WORK/host.unsupported from
# walk_block and adds a btrfs spanning more than one device.
root_layers() {
    if [ "$2" = btrfs ]; then
        for _bd in "$SYSROOT"/sys/fs/btrfs/*/devices; do
            [ -e "$_bd/${1##*/}" ] || continue
            _nd=$(find "$_bd" -mindepth 1 -maxdepth 1 | wc -l)
            if [ "$_nd" -gt 1 ]; then
                _bu=${_bd%/devices}
                unsupported "btrfs over $_nd devices (filesystem ${_bu##*/})" "/dev/${1##*/}"
            fi
        done
    fi
    [ -s "$WORK/host.unsupported" ] || return 0
    _layers=$(awk '!seen[$0]++ { printf "%s%s", (n++ ? ", " : ""), $0 }' "$WORK/host.unsupported")
    printf 'hatch: %s: the root filesystem is on %s: the hatch init cannot set that up yet; no image written\n' \
        "$PROG" "$_layers" >&2
    exit 3
}

host_detect() {
    mi=$SYSROOT/proc/self/mountinfo
    [ -r "$mi" ] || { host_fail "cannot read $mi"; return 0; }
    # The last mount on / is the visible one.
    rootline=$(awk '$5 == "/" { mm = $3; for (i = 7; i < NF; i++) if ($i == "-") { fs = $(i + 1); src = $(i + 2); break } }
        END { if (mm != "") print mm, fs, src }' "$mi")
    [ -n "$rootline" ] || { host_fail "no mount of / in $mi"; return 0; }
    set -f
    # shellcheck disable=SC2086 # split into MAJ:MIN FSTYPE SOURCE
    set -- $rootline
    set +f
    rmm=$1 rfs=$2 rsrc=${3:-none}
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
    [ -n "$dev" ] || { host_fail "/ is $rfs on $rsrc, not on a block device; build a generic image (without --host-only)"; return 0; }
    note "host root: $rfs on $rsrc ($dev)"
    : >"$WORK/host.unsupported"
    {
        walk_block "$dev"
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
    root_layers "$dev" "$rfs"
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

if [ "$HOST_ONLY" = 1 ] || [ "$CHECK_ROOT" = 1 ]; then
    host_detect
fi

# --- the hook API -----------------------------------------------------------
# Paths in the image are given absolute (a leading / is optional).

# api_error MSG: report a failed API call of the running hook.
api_error() {
    printf 'hatch: %s: hook %s: %s\n' "$PROG" "${HOOK:-?}" "$*" >&2
    { printf '%s\n' "${HOOK:-?}" >>"$WORK/errors"; } 2>/dev/null || true
    return 1
}
# error MSG: for hooks: report a failure of the running hook (counted, and
# returns 1, which ends build() under set -e).
error() {
    api_error "$@"
}

_rel() { # PATH -> path relative to the image root
    _r=$1
    while :; do
        case $_r in
        /*) _r=${_r#/} ;;
        *) break ;;
        esac
    done
    case /$_r/ in
    */../* | //) return 1 ;;
    esac
    printf '%s' "$_r"
}

# add_dir DIR [MODE]
add_dir() {
    [ $# -ge 1 ] || api_error "add_dir: no directory given" || return 1
    _p=$(_rel "$1") || api_error "add_dir: bad path '$1'" || return 1
    mkdir -p "$STAGE/$_p"
    if [ -n "${2:-}" ]; then
        printf '%s %s\n' "$2" "$_p" >>"$WORK/modes"
    fi
}

# add_file SRC [DEST [MODE]]: copy a file (symlinks followed); DEST
# defaults to SRC.
add_file() {
    [ $# -ge 1 ] || api_error "add_file: no file given" || return 1
    [ -f "$1" ] || api_error "add_file: no such file: $1" || return 1
    _p=$(_rel "${2:-$1}") || api_error "add_file: bad path '${2:-$1}'" || return 1
    case $_p in
    */*) [ -d "$STAGE/${_p%/*}" ] || mkdir -p "$STAGE/${_p%/*}" ;;
    esac
    rm -f "$STAGE/$_p"
    _e=$(cp -L "$1" "$STAGE/$_p" 2>&1) ||
        api_error "add_file: cannot copy $1 to $TMPD ($(reason "$_e"))" || return 1
    if [ -n "${3:-}" ]; then
        printf '%s %s\n' "$3" "$_p" >>"$WORK/modes"
    fi
}

# add_symlink LINK TARGET: create LINK pointing at TARGET (as given).
add_symlink() {
    [ $# -eq 2 ] || api_error "add_symlink: needs LINK and TARGET" || return 1
    _p=$(_rel "$1") || api_error "add_symlink: bad path '$1'" || return 1
    case $_p in
    */*) [ -d "$STAGE/${_p%/*}" ] || mkdir -p "$STAGE/${_p%/*}" ;;
    esac
    ln -sfn "$2" "$STAGE/$_p"
}

# add_binary SRC [DEST]: copy an executable (SRC may be a name looked up in
# PATH) to DEST (default /bin/NAME) and, when it is dynamically linked, its
# ELF interpreter and libraries under their own paths.
add_binary() {
    [ $# -ge 1 ] || api_error "add_binary: no binary given" || return 1
    case $1 in
    */*) _b=$1 ;;
    *) _b=$(find_tool "$1") || _b= ;;
    esac
    case $_b in
    /* | ./* | ../* | */*) ;;
    *) _b= ;;
    esac
    [ -n "$_b" ] && [ -f "$_b" ] || api_error "add_binary: no such binary: $1" || return 1
    add_file "$_b" "${2:-/bin/${1##*/}}" 0755 || return 1
    [ "$(elf_kind "$_b")" = dynamic ] || return 0
    _ldd=$(find_tool ldd) || api_error "add_binary: $_b is dynamically linked and ldd is missing" || return 1
    _libs=$("$_ldd" "$_b" 2>/dev/null) || api_error "add_binary: ldd $_b failed" || return 1
    _miss=$(printf '%s\n' "$_libs" | awk '/=> not found/ { print $1 }' | tr '\n' ' ')
    [ -z "$_miss" ] || api_error "add_binary: $_b needs missing libraries: $_miss" || return 1
    for _l in $(printf '%s\n' "$_libs" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        add_file "$_l" "$_l" 0755 || return 1
    done
}

# add_module [--load] [--optional] NAME...: include modules (names or
# aliases) with their dependencies and soft dependencies. --load also lists
# them in /etc/hatch/modules; --optional skips a module the kernel lacks.
add_module() {
    _load=inc _opt=req
    while [ $# -gt 0 ]; do
        case $1 in
        --load) _load=load ;;
        --optional) _opt=opt ;;
        --) shift; break ;;
        -*) api_error "add_module: unknown option $1"; return 1 ;;
        *) break ;;
        esac
        shift
    done
    for _m in "$@"; do
        case $_m in
        '' | *[!A-Za-z0-9_.:*?,-]*) api_error "add_module: invalid module name '$_m'" || return 1 ;;
        esac
        printf '%s %s %s %s\n' "$_load" "$_opt" "$_m" "${HOOK:-?}" >>"$WORK/mods"
    done
}

# force_load NAME...: add_module --load.
force_load() {
    add_module --load "$@"
}

# add_firmware NAME...: include firmware files (paths relative to
# lib/firmware) when present.
add_firmware() {
    for _f in "$@"; do
        printf '%s\n' "$_f" >>"$WORK/fw"
    done
}

# add_early PATH SRC...: append the SRC files to PATH in the early
# (uncompressed) archive placed before the main one.
add_early() {
    [ $# -ge 2 ] || api_error "add_early: needs PATH and at least one file" || return 1
    _p=$(_rel "$1") || api_error "add_early: bad path '$1'" || return 1
    shift
    case $_p in
    */*) mkdir -p "$EARLY/${_p%/*}" ;;
    esac
    cat "$@" >>"$EARLY/$_p" || api_error "add_early: cannot read $*" || return 1
}

export KVER BASEDIR MODDIR FWDIR HOST_ONLY HOST_MODULES HOST_CPU_VENDOR INIT MODPROBE_D STAGE LOCKDOWN

# find_shell: print the first shell staged in bin, sbin, usr/bin or usr/sbin
# of the image or of the early archive (/PATH, or /PATH in the early
# archive), or fail. Dangling symlinks count: the name alone is refused.
find_shell() {
    for _root in "$STAGE" "$EARLY"; do
        for _sd in bin sbin usr/bin usr/sbin; do
            for _sn in $SHELL_NAMES; do
                if [ -e "$_root/$_sd/$_sn" ] || [ -L "$_root/$_sd/$_sn" ]; then
                    if [ "$_root" = "$EARLY" ]; then
                        printf '/%s/%s in the early archive\n' "$_sd" "$_sn"
                    else
                        printf '/%s/%s\n' "$_sd" "$_sn"
                    fi
                    return 0
                fi
            done
        done
    done
    return 1
}

# --- run the hooks ----------------------------------------------------------
FAILED=
NFAILED=0
SHELL_PATH=
SHELL_HOOK=
while read -r HOOK HOOK_FILE; do
    [ -n "$HOOK" ] || continue
    note "hook $HOOK ($HOOK_FILE)"
    rm -f "$WORK/hook.loaded"
    set +e
    # A hook's output goes to stderr (--list prints on stdout). build() may
    # end with exit 0 (success) or exit N (failure) like a script; an exit
    # while the file is loaded, before build() could run, is a failure.
    (
        trap - EXIT HUP INT TERM
        set -e
        unset -f build help 2>/dev/null || true
        # shellcheck source=/dev/null
        . "$HOOK_FILE" 2>"$WORK/hook.err"
        : >"$WORK/hook.loaded"
        cat "$WORK/hook.err"
        command -v build >/dev/null 2>&1 || api_error "$HOOK_FILE defines no build()" || exit 1
        build
    ) </dev/null >&2
    rc=$?
    set -e
    if [ ! -e "$WORK/hook.loaded" ]; then
        if [ "$rc" -eq 0 ]; then
            why="$HOOK_FILE calls exit while being loaded, so build() never ran (a hook defines help() and build() and exits nowhere else)"
        elif [ -s "$WORK/hook.err" ]; then
            why="cannot load $HOOK_FILE: $(sed -n 1p "$WORK/hook.err")"
        else
            why="cannot load $HOOK_FILE (exit status $rc)"
        fi
        printf 'hatch: %s: hook %s: %s\n' "$PROG" "$HOOK" "$why" >&2
        FAILED="$FAILED $HOOK"
        NFAILED=$((NFAILED + 1))
    elif [ "$rc" -ne 0 ] || grep -qxF "$HOOK" "$WORK/errors"; then
        # One line per failure: the API already reported its own errors.
        if ! grep -qxF "$HOOK" "$WORK/errors"; then
            printf 'hatch: %s: hook %s failed (exit status %s)\n' "$PROG" "$HOOK" "$rc" >&2
        fi
        FAILED="$FAILED $HOOK"
        NFAILED=$((NFAILED + 1))
    fi
    # --lockdown: remember which hook first staged a shell.
    if [ "$LOCKDOWN" = 1 ] && [ -z "$SHELL_PATH" ] && SHELL_PATH=$(find_shell); then
        SHELL_HOOK=$HOOK
    fi
done <<EOF
$HOOK_FILES
EOF

# Modules from the command line are loaded at boot.
HOOK=-m
for m in $MODULES; do
    add_module --load "$m"
done
HOOK=

if [ "$NFAILED" -gt 0 ]; then
    if [ "$LIST" = 1 ]; then
        die "$NFAILED hook(s) failed:$FAILED"
    fi
    die "$NFAILED hook(s) failed:$FAILED; $OUT not written"
fi

# --lockdown: the staged image holds no shell.
if [ "$LOCKDOWN" = 1 ] && sh_path=$(find_shell); then
    if [ "$sh_path" = "$SHELL_PATH" ]; then
        die "--lockdown: hook $SHELL_HOOK put a shell in the image ($sh_path); a locked-down image holds no shell"
    fi
    die "--lockdown: the image holds a shell ($sh_path); a locked-down image holds no shell"
fi

# --- module closure ---------------------------------------------------------
KSTAGE=$STAGE/lib/modules/$KVER
mkdir -p "$KSTAGE" "$STAGE/etc/hatch"
awk '!seen[$3]++ { print $3 }' "$WORK/mods" >"$WORK/names"
: >"$WORK/closure"
if [ -s "$WORK/names" ]; then
    set -f
    # shellcheck disable=SC2046 # one argument per module name
    kmodprobe --show-depends -a $(cat "$WORK/names") >"$WORK/closure" 2>"$WORK/closure.err" || true
    set +f
    # Unknown names: an error unless every request for them is optional.
    sed -n 's/^modprobe: WARNING: Module \(.*\) not found in directory .*/\1/p' "$WORK/closure.err" >"$WORK/unknown"
    bad=$(awk 'FILENAME == ARGV[1] { u[$0] = 1; next } ($3 in u) && $2 == "req" && !seen[$3]++ { print $3 " " $4 }' \
        "$WORK/unknown" "$WORK/mods")
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" | while read -r m h; do
            if [ "$h" = -m ]; then
                printf "hatch: %s: unknown module '%s' (-m): not in %s\n" "$PROG" "$m" "$MODDIR" >&2
            else
                printf "hatch: %s: unknown module '%s' (hook %s): not in %s\n" "$PROG" "$m" "$h" "$MODDIR" >&2
            fi
        done
        exit 1
    fi
    if [ -s "$WORK/unknown" ]; then
        note "optional modules not in $KVER: $(tr '\n' ' ' <"$WORK/unknown")"
    fi
    other=$(grep -v 'not found in directory' "$WORK/closure.err" | sed -n 1p) || true
    [ -z "$other" ] || die "modprobe: $other"
fi
# insmod PATH [OPTIONS]: PATH may hold spaces (BASEDIR), module options
# follow the first space after lib/modules/KVER/.
sed -n 's/^insmod //p' "$WORK/closure" | awk '!seen[$0]++' >"$WORK/paths"
awk '$1 == "builtin" { print $2 }' "$WORK/closure" | sort -u >"$WORK/builtin"
: >"$WORK/rel"
while IFS= read -r p; do
    case $p in
    */lib/modules/"$KVER"/*)
        r=${p#*/lib/modules/"$KVER"/}
        printf '%s\n' "${r%% *}" >>"$WORK/rel"
        ;;
    *) die "module $p is outside $MODDIR" ;;
    esac
done <"$WORK/paths"
sort -u -o "$WORK/rel" "$WORK/rel"
if [ -s "$WORK/rel" ]; then
    e=$( (cd "$MODDIR" && "$CPIO" -pdLu --quiet "$KSTAGE" <"$WORK/rel") 2>&1) ||
        die "cannot copy modules from $MODDIR to $TMPD ($(reason "$e"))"
fi
NMODS=$(wc -l <"$WORK/rel" | tr -d ' ')

# Index files depmod needs; modules.order keeps only the included modules.
sed -e 's/\.xz$//' -e 's/\.zst$//' -e 's/\.gz$//' "$WORK/rel" >"$WORK/rel.plain"
if [ -f "$MODDIR/modules.order" ]; then
    awk 'FILENAME == ARGV[1] { w[$0] = 1; next } ($0 in w)' "$WORK/rel.plain" "$MODDIR/modules.order" >"$KSTAGE/modules.order"
else
    : >"$KSTAGE/modules.order"
fi
for f in modules.builtin modules.builtin.modinfo; do
    if [ -f "$MODDIR/$f" ]; then
        cp "$MODDIR/$f" "$KSTAGE/$f"
    else
        : >"$KSTAGE/$f"
    fi
done

# Firmware the modules declare, plus add_firmware requests. The kernel looks
# in updates/KVER, updates, KVER and the top level, and takes compressed
# .xz/.zst files; the first present is copied.
if [ -s "$WORK/rel" ]; then
    (cd "$KSTAGE" && sed 's|^|./|' "$WORK/rel" | xargs "$MODINFO" -F firmware) >>"$WORK/fw" 2>/dev/null ||
        die "modinfo cannot read the modules in $MODDIR"
fi
NFW=0
sort -u "$WORK/fw" | sed '/^$/d' >"$WORK/fw.sorted"
while IFS= read -r fw; do
    found=
    for sub in "updates/$KVER/" updates/ "$KVER/" ""; do
        for ext in "" .zst .xz; do
            if [ -f "$FWDIR/$sub$fw$ext" ]; then
                found=$sub$fw$ext
                break 2
            fi
        done
    done
    if [ -n "$found" ]; then
        mkdir -p "$STAGE/lib/firmware/$(dirname "$found")"
        cp -L "$FWDIR/$found" "$STAGE/lib/firmware/$found"
        NFW=$((NFW + 1))
    else
        note "firmware $fw not found in $FWDIR"
    fi
done <"$WORK/fw.sorted"

e=$("$DEPMOD" -b "$STAGE" -C "$WORK/depmod.d" "$KVER" 2>&1) ||
    die "depmod failed on the staged modules in $TMPD: $(printf '%s\n' "$e" | sed -n 1p)"

# /etc/hatch: kernel release, the lockdown policy (--lockdown only; the init
# parses exactly these lines) and the modules to load at boot (real names,
# in request order, built-in ones left out).
printf '%s\n' "$KVER" >"$STAGE/etc/hatch/kver"
if [ "$LOCKDOWN" = 1 ]; then
    rm -rf "$STAGE/etc/hatch/policy"
    {
        printf '# hatch lockdown policy (mkinitramfs.sh --lockdown); the init refuses what it forbids\n'
        printf 'lockdown=1\n'
        printf 'action=%s\n' "$LOCKDOWN_ACTION"
        if [ -n "$ROOTHASH" ]; then
            printf 'roothash=%s\n' "$ROOTHASH"
        fi
    } >"$STAGE/etc/hatch/policy"
fi
awk '$1 == "load" && !seen[$3]++ { print $3 }' "$WORK/mods" >"$WORK/load"
: >"$STAGE/etc/hatch/modules"
if [ -s "$WORK/load" ]; then
    set -f
    # shellcheck disable=SC2046 # one argument per module name
    kmodprobe -q -R -a $(cat "$WORK/load") 2>/dev/null |
        awk 'FILENAME == ARGV[1] { b[$0] = 1; next } !($0 in b) && !seen[$0]++' "$WORK/builtin" - >"$STAGE/etc/hatch/modules" || true
    set +f
fi

[ -f "$STAGE/init" ] || die "the image has no /init: the hook list must include base"

# --- normalize and archive --------------------------------------------------
find "$STAGE" "$EARLY" -type d -exec chmod 0755 {} +
find "$STAGE" "$EARLY" -type f -perm -u+x -exec chmod 0755 {} +
find "$STAGE" "$EARLY" -type f ! -perm -u+x -exec chmod 0644 {} +
while read -r mode p; do
    chmod "$mode" "$STAGE/$p"
done <"$WORK/modes"
find "$STAGE" "$EARLY" -exec touch -h -d "@$EPOCH" {} +

# entries DIR: the archive's member names, parents before children.
entries() {
    (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort)
}

if [ "$LIST" = 1 ]; then
    # list_tree DIR PREFIX: entries of DIR, directories ending in /.
    list_tree() {
        entries "$1" | while IFS= read -r e; do
            if [ -L "$1/$e" ]; then
                printf '%s%s -> %s\n' "$2" "$e" "$(readlink "$1/$e")"
            elif [ -d "$1/$e" ]; then
                printf '%s%s/\n' "$2" "$e"
            else
                printf '%s%s\n' "$2" "$e"
            fi
        done
    }
    list_tree "$EARLY" early:
    list_tree "$STAGE" ""
    exit 0
fi

mkcpio() { # DIR OUTFILE
    entries "$1" >"$WORK/list"
    _e=$( (cd "$1" && "$CPIO" -o -H newc -R 0:0 --reproducible --quiet <"$WORK/list") 2>&1 >"$2") ||
        die "cpio failed writing in $TMPD ($(reason "$_e")); no image written"
}

: >"$WORK/early.cpio"
if [ -n "$(ls -A "$EARLY")" ]; then
    mkcpio "$EARLY" "$WORK/early.cpio"
fi
mkcpio "$STAGE" "$WORK/main.cpio"

# The image is put together in the staging directory, then copied next to
# OUT once it is known to fit, and renamed over OUT.
e=$(cp "$WORK/early.cpio" "$WORK/image" 2>&1) || die "cannot write in $TMPD ($(reason "$e")); no image written"
# Single-threaded compressors with fixed settings: deterministic output. The
# kernel wants xz with CRC32 and lz4 in the legacy frame format.
e=$(case $COMP in
gzip) "$COMPRESSOR" -n -6 -c <"$WORK/main.cpio" >>"$WORK/image" ;;
zstd) "$COMPRESSOR" -q -c -T1 -9 <"$WORK/main.cpio" >>"$WORK/image" ;;
xz) "$COMPRESSOR" -q -c -T1 --check=crc32 -6 <"$WORK/main.cpio" >>"$WORK/image" ;;
lz4) "$COMPRESSOR" -q -c -l -9 <"$WORK/main.cpio" >>"$WORK/image" ;;
none) cat "$WORK/main.cpio" >>"$WORK/image" ;;
esac 2>&1) || die "$COMP failed writing in $TMPD ($(reason "$e")); no image written"
SIZE=$(wc -c <"$WORK/image" | tr -d ' ')
# Room next to OUT (where df can tell; the old OUT stays until the rename).
need_k=$(((SIZE + 1023) / 1024))
free_k=$(df -Pk "$OUTDIR" 2>/dev/null | awk 'NR == 2 && $4 ~ /^[0-9]+$/ { print $4 }') || free_k=
if [ -n "$free_k" ] && [ "$free_k" -lt "$need_k" ]; then
    die "no room for the image in $OUTDIR ($need_k KiB needed, $free_k KiB free); free some space or choose another -o; no image written"
fi
e=$(cp "$WORK/image" "$OUT_TMP" 2>&1) ||
    die "cannot write the image in $OUTDIR ($(reason "$e")); no image written"
chmod 0644 "$OUT_TMP"
e=$(mv -f "$OUT_TMP" "$OUT" 2>&1) ||
    die "cannot rename the image to $OUT ($(reason "$e")); no image written"
OUT_TMP=
printf 'hatch: %s: wrote %s (kernel %s, %s modules, %s firmware files, %s, %s bytes)\n' \
    "$PROG" "$OUT" "$KVER" "$NMODS" "$NFW" "$COMP" "$SIZE" >&2
