# gen/common.sh - messages, tools, ELF check, temporary files and module
# configuration shared by the parts of mkinitramfs.sh (sourced, not run).
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

# Where hatch's own configuration lives (hooks, hatch.conf). Test seam (not
# a user option): HATCH_SYSCONFDIR replaces /etc.
SYSCONFDIR=${HATCH_SYSCONFDIR:-/etc}
SYSCONF_CONFIG=$SYSCONFDIR/hatch/hatch.conf

# --- messages ---------------------------------------------------------------
# Every error is one line on stderr and a non-zero exit.
die() {
    printf 'hatch: %s: %s\n' "$PROG" "$*" >&2
    exit "${DIE_STATUS:-1}"
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

# --- tools ------------------------------------------------------------------
# Helpers that compute a value set a variable instead of printing it: a
# command substitution forks the shell, 1.5 ms each on a small VM, and a
# build used to make some thirty of them.
#
# find_tool NAME: TOOL, the first executable file NAME in PATH; fails
# without one. External tools are run by absolute path: busybox ash would
# otherwise prefer its own applets (cpio, modprobe, gzip, ...), which lack
# the options used here.
find_tool() {
    TOOL=
    _ifs=$IFS
    IFS=:
    set -f
    for _d in $PATH; do
        if [ -n "$_d" ] && [ -f "$_d/$1" ] && [ -x "$_d/$1" ]; then
            IFS=$_ifs
            set +f
            TOOL=$_d/$1
            return 0
        fi
    done
    IFS=$_ifs
    set +f
    return 1
}
# commas LIST: RET, LIST with each comma a blank.
commas() {
    RET=$1
    while :; do
        case $RET in
        *,*) RET="${RET%%,*} ${RET#*,}" ;;
        *) break ;;
        esac
    done
}
# count_lines FILE: RET, the number of lines of FILE, without starting wc.
count_lines() {
    RET=0
    while IFS= read -r _cll || [ -n "$_cll" ]; do
        RET=$((RET + 1))
    done <"$1"
}
# lines_as_args FILE CMD...: CMD with the lines of FILE (module names,
# without blanks) as its last arguments, without starting cat.
lines_as_args() {
    _laf=$1
    shift
    while IFS= read -r _lal; do
        [ -z "$_lal" ] || set -- "$@" "$_lal"
    done <"$_laf"
    "$@"
}
need_tool() { # NAME [HINT]: TOOL, as find_tool, or the build ends
    find_tool "$1" || die "missing tool: $1${2:+ ($2)}"
}

# check_tools: the external tools every build needs. Compressors are checked
# once the compression is known (choose_compression).
check_tools() {
    need_tool cpio "install GNU cpio"
    CPIO=$TOOL
    need_tool modprobe "install kmod"
    MODPROBE=$TOOL
    need_tool depmod "install kmod"
    DEPMOD=$TOOL
    need_tool modinfo "install kmod"
    MODINFO=$TOOL
    for t in od awk sed sort find mktemp touch xargs; do
        command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
    done
    "$CPIO" --help 2>&1 | grep -q -e --reproducible ||
        die "missing tool: GNU cpio 2.12 or later ($CPIO has no --reproducible)"
}

# elf_kind FILE: print "static" or "dynamic" (has a PT_INTERP program
# header), or "none" when FILE is not an ELF executable. Reads the headers
# with od, so it needs neither file(1) nor readelf(1).
elf_kind() {
    if [ ! -f "$1" ] || [ ! -r "$1" ]; then
        echo none
        return 0
    fi
    # One read of the first 4 KiB holds the program headers of nearly every
    # executable; the rare one beyond is read where its header says.
    _k=$(od -An -v -tu1 -N 4096 "$1" 2>/dev/null | awk '
        function rd(o, c,   v, k) {
            v = 0
            for (k = 0; k < c; k++) v = v * 256 + (be ? b[o + k] : b[o + c - 1 - k])
            return v
        }
        { for (i = 1; i <= NF; i++) b[n++] = $i }
        END {
            if (n < 52 || b[0] != 127 || b[1] != 69 || b[2] != 76 || b[3] != 70) { print "none"; exit }
            be = (b[5] == 2)
            if (b[4] == 2 && n >= 58) { ph = rd(32, 8); es = rd(54, 2); pn = rd(56, 2) }
            else if (b[4] == 1) { ph = rd(28, 4); es = rd(42, 2); pn = rd(44, 2) }
            else { print "none"; exit }
            if (pn == 0 || es < 8) { print "static"; exit }
            if (ph + pn * es > n) { print ph, es, pn, be; exit }
            for (i = 0; i < pn; i++) if (rd(ph + i * es, 4) == 3) { print "dynamic"; exit }
            print "static"
        }')
    case $_k in
    none | static | dynamic) echo "$_k"; return 0 ;;
    esac
    # shellcheck disable=SC2086 # word splitting of the four numbers is intended
    set -- "$1" $_k
    [ $# -eq 5 ] || { echo none; return 0; }
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

# --- temporary files, removed on every exit path ----------------------------
WORK=
OUT_TMP=
cleanup() {
    if [ -n "$OUT_TMP" ]; then
        rm -f "$OUT_TMP"
    fi
    # --verify-disk's read-only loop devices
    for _l in ${LOOPS:-}; do
        losetup -d "$_l" 2>/dev/null || true
    done
    # A job still writing in WORK (bg_start; a tenth of a second at most)
    # ends first. Killed, its subshell would leave the tool it runs writing
    # there.
    for _j in ${BG_JOBS:-}; do
        wait "$_j" 2>/dev/null || true
    done
    if [ -n "$WORK" ]; then
        rm -rf "$WORK"
    fi
}

# bg_start NAME CMD...: run CMD on the other core, its output in
# $WORK/NAME.out; bg_wait NAME waits for it and fails as CMD did (its exit
# status in BG_STATUS).
bg_start() {
    _bn=$1
    shift
    (trap - EXIT && "$@") >"$WORK/$_bn.out" 2>&1 &
    eval "BG_PID_$_bn=\$!"
    BG_JOBS="${BG_JOBS:-} $!"
}
bg_wait() {
    _bp=
    eval "_bp=\$BG_PID_$1"
    BG_STATUS=0
    wait "$_bp" || BG_STATUS=$?
    _bj=
    for _j in $BG_JOBS; do
        [ "$_j" = "$_bp" ] || _bj="$_bj $_j"
    done
    BG_JOBS=$_bj
    return "$BG_STATUS"
}

# setup_cleanup: remove the temporary files on every exit path.
setup_cleanup() {
    trap cleanup EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

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

# make_workdir: the staging directory in TMPDIR (WORK, STAGE, EARLY).
make_workdir() {
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
    : >"$WORK/sources"
}

# merge_modconf: module configuration of BASEDIR, merged the way kmod reads
# it: a file in etc/ overrides one of the same name in lib/. Used for
# modprobe and depmod here, and copied into the image by the base hook.
merge_modconf() {
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
}

# kmodprobe ARG...: modprobe on the target kernel's modules in BASEDIR, with
# the merged configuration.
kmodprobe() {
    "$MODPROBE" -d "$BASEDIR" -S "$KVER" -C "$MODPROBE_D" "$@"
}
