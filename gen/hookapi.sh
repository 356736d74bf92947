# gen/hookapi.sh - finding and running the hooks, and the API they call
# (add_module, add_file, add_binary, ...) (sourced, not run).
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

DEFAULT_HOOKS="base modules verity busybox microcode"
# --lockdown: no rescue shell.
LOCKDOWN_HOOKS="base modules verity microcode"
# Names that are a shell wherever they appear in bin, sbin, usr/bin or
# usr/sbin; a locked-down image holds none of them.
SHELL_NAMES="sh ash bash dash busybox busybox.zst"
SYSCONF_HOOKDIR=$SYSCONFDIR/hatch/hooks

# hooks_locate: the shipped hooks (source tree first, then the installed
# location) and the hook search path (HOOKPATH).
hooks_locate() {
    SHIPPED_HOOKDIR=
    for d in "$SCRIPTDIR/hooks" "$SCRIPTDIR/../lib/hatch/hooks"; do
        if [ -d "$d" ]; then
            SHIPPED_HOOKDIR=$(cd -P "$d" && pwd)
            break
        fi
    done

    # Hook search path, one directory per line, most important first.
    HOOKPATH=
    while IFS= read -r d; do
        [ -z "$d" ] || HOOKPATH="$HOOKPATH${HOOKPATH:+
}$d"
    done <<EOF
$HOOKDIRS_ARG
$SYSCONF_HOOKDIR
$SHIPPED_HOOKDIR
EOF
}

# hook_file NAME: HOOK_FILE_FOUND, the file of hook NAME (empty: none),
# without a subshell; find_hook NAME prints it.
hook_file() {
    HOOK_FILE_FOUND=
    while IFS= read -r _hd; do
        if [ -f "$_hd/$1" ]; then
            HOOK_FILE_FOUND=$_hd/$1
            break
        fi
    done <<EOF
$HOOKPATH
EOF
}
find_hook() {
    hook_file "$1"
    [ -z "$HOOK_FILE_FOUND" ] || printf '%s\n' "$HOOK_FILE_FOUND"
}

# hooks_list: --list-hooks prints the hooks found and exits.
hooks_list() {
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
}

# Your own hooks (--hookdir, /etc/hatch/hooks) run after the default ones,
# in name order, like initramfs-tools' hooks directory: those named with
# letters, digits, - and _ only (no backups such as x.dpkg-old or x~), and
# not named like a shipped hook (such a hook replaces the shipped one in
# its place). An explicit -H list (without +) runs exactly what it names.
# user_hooks: RET, their names, blank-separated.
user_hooks() {
    _uh=
    while IFS= read -r d; do
        if [ -z "$d" ] || [ ! -d "$d" ]; then
            continue
        fi
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            n=${f##*/}
            case $n in
            *[!A-Za-z0-9_-]*) continue ;;
            esac
            [ -z "$SHIPPED_HOOKDIR" ] || [ ! -f "$SHIPPED_HOOKDIR/$n" ] || continue
            _uh="$_uh$n
"
        done
    done <<EOF
$HOOKDIRS_ARG
$SYSCONF_HOOKDIR
EOF
    # Most builds have none: no processes then.
    RET=
    [ -n "$_uh" ] || return 0
    RET=$(printf '%s' "$_uh" | sort -u | tr '\n' ' ')
}

# hooks_resolve: the hooks to run, in order (HOOK_FILES: NAME FILE lines).
hooks_resolve() {
    if [ "$LOCKDOWN" = 1 ]; then
        DEFAULT_HOOKS=$LOCKDOWN_HOOKS
    fi
    case $HOOKS_ARG in
    '')
        user_hooks
        HOOKS="$DEFAULT_HOOKS $RET"
        ;;
    # each name of an added list may carry its own + (-H +luks,+lvm)
    +*)
        user_hooks
        HOOKS="$DEFAULT_HOOKS $RET $(printf '%s' "${HOOKS_ARG#+}" | tr ',' ' ' | sed 's/\(^\| \)+/\1/g')"
        ;;
    *)
        commas "$HOOKS_ARG"
        HOOKS=$RET
        ;;
    esac
    # --omit and omit=: names of hooks that exist, left out of the list.
    for h in $OMIT; do
        case $h in
        *[!A-Za-z0-9_.-]* | .*) die "invalid hook name '$h' (--omit)" ;;
        esac
        [ -n "$(find_hook "$h")" ] || die "unknown hook '$h' (--omit; searched: $(printf '%s' "$HOOKPATH" | tr '\n' ' '))"
    done
    HOOK_FILES=
    seen=' '
    for h in $OMIT; do
        seen="$seen$h "
    done
    for h in $HOOKS; do
        case $h in
        *[!A-Za-z0-9_.-]* | .*) die "invalid hook name '$h'" ;;
        esac
        # Each hook runs once (-H +busybox names a default hook again).
        case $seen in
        *" $h "*) continue ;;
        esac
        seen="$seen$h "
        hook_file "$h"
        f=$HOOK_FILE_FOUND
        [ -n "$f" ] || die "unknown hook '$h' (searched: $(printf '%s' "$HOOKPATH" | tr '\n' ' '))"
        HOOK_FILES="$HOOK_FILES
$h $f"
    done
    # --lockdown: no rescue shell, and dm-verity, the only root the init accepts.
    if [ "$LOCKDOWN" = 1 ]; then
        with_verity=0
        for h in $(printf '%s\n' "$HOOK_FILES" | awk '{ print $1 }'); do
            case $h in
            busybox) die "--lockdown: the hook list names busybox, a shell; a locked-down image holds no shell" ;;
            verity) with_verity=1 ;;
            esac
        done
        [ "$with_verity" = 1 ] || die "--lockdown: the hook list lacks verity; a locked-down image boots only a dm-verity root"
    fi
}

# hooks_add_host: --host-only found a root on LUKS, mdraid or LVM: the
# luks, mdraid or lvm hook runs too (last, unless the list has it or --omit
# names it).
hooks_add_host() {
    [ "$HOST_ONLY" = 1 ] || return 0
    [ -z "${HOST_LUKS:-}" ] || host_hook luks LUKS "what unlocks it"
    [ -z "${HOST_MD:-}" ] || host_hook mdraid mdraid "what assembles it"
    [ -z "${HOST_LVM:-}" ] || host_hook lvm LVM "what activates it"
}

# host_hook HOOK LAYER WHAT: add HOOK for a root on LAYER.
host_hook() {
    case " $OMIT " in
    *" $1 "*) warn "the root is on $2, but --omit $1 leaves out $3"; return 0 ;;
    esac
    printf '%s\n' "$HOOK_FILES" | awk -v h="$1" '$1 == h { f = 1 } END { exit !f }' && return 0
    _f=$(find_hook "$1")
    [ -n "$_f" ] || die "--host-only: the root is on $2 and no $1 hook was found (searched: $(printf '%s' "$HOOKPATH" | tr '\n' ' '))"
    note "root is on $2: adding the $1 hook"
    HOOK_FILES="$HOOK_FILES
$1 $_f"
}

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

_rel() { # PATH: _r, PATH relative to the image root; fails on a ".."
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
    return 0
}

# add_dir DIR [MODE] | add_dir DIR DIR DIR...: three or more arguments are
# all directories, made by one mkdir.
add_dir() {
    [ $# -ge 1 ] || api_error "add_dir: no directory given" || return 1
    if [ $# -le 2 ]; then
        _rel "$1" || api_error "add_dir: bad path '$1'" || return 1
        _p=$_r
        mkdir -p "$STAGE/$_p"
        if [ -n "${2:-}" ]; then
            printf '%s %s\n' "$2" "$_p" >>"$WORK/modes"
        fi
        return 0
    fi
    _n=$#
    while [ "$_n" -gt 0 ]; do
        _rel "$1" || api_error "add_dir: bad path '$1'" || return 1
        _p=$_r
        set -- "$@" "$STAGE/$_p"
        shift
        _n=$((_n - 1))
    done
    mkdir -p "$@"
}

# add_file SRC [DEST [MODE]]: copy a file (symlinks followed); DEST
# defaults to SRC.
add_file() {
    [ $# -ge 1 ] || api_error "add_file: no file given" || return 1
    [ -f "$1" ] || api_error "add_file: no such file: $1" || return 1
    _rel "${2:-$1}" || api_error "add_file: bad path '${2:-$1}'" || return 1
    _p=$_r
    case $_p in
    */*) [ -d "$STAGE/${_p%/*}" ] || mkdir -p "$STAGE/${_p%/*}" ;;
    esac
    if [ -e "$STAGE/$_p" ] || [ -L "$STAGE/$_p" ]; then
        rm -f "$STAGE/$_p"
    fi
    _e=$(cp -L "$1" "$STAGE/$_p" 2>&1) ||
        api_error "add_file: cannot copy $1 to $TMPD ($(reason "$_e"))" || return 1
    # Where it came from, for pack_file's cache.
    printf '%s\n%s\n' "$_p" "$1" >>"$WORK/sources"
    if [ -n "${3:-}" ]; then
        printf '%s %s\n' "$3" "$_p" >>"$WORK/modes"
    fi
}

# add_symlink LINK TARGET: create LINK pointing at TARGET (as given).
add_symlink() {
    [ $# -eq 2 ] || api_error "add_symlink: needs LINK and TARGET" || return 1
    _rel "$1" || api_error "add_symlink: bad path '$1'" || return 1
    _p=$_r
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
    *)
        find_tool "$1" || :
        _b=$TOOL
        ;;
    esac
    case $_b in
    /* | ./* | ../* | */*) ;;
    *) _b= ;;
    esac
    [ -n "$_b" ] && [ -f "$_b" ] || api_error "add_binary: no such binary: $1" || return 1
    add_file "$_b" "${2:-/bin/${1##*/}}" 0755 || return 1
    [ "$(elf_kind "$_b")" = dynamic ] || return 0
    find_tool ldd || api_error "add_binary: $_b is dynamically linked and ldd is missing" || return 1
    _ldd=$TOOL
    _libs=$("$_ldd" "$_b" 2>/dev/null) || api_error "add_binary: ldd $_b failed" || return 1
    _miss=$(printf '%s\n' "$_libs" | awk '/=> not found/ { print $1 }' | tr '\n' ' ')
    [ -z "$_miss" ] || api_error "add_binary: $_b needs missing libraries: $_miss" || return 1
    for _l in $(printf '%s\n' "$_libs" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        add_file "$_l" "$_l" 0755 || return 1
    done
}

# pack_file DEST: store the staged DEST zstd-compressed as DEST.zst, for
# what most boots never use (the init expands it when first wanted; only
# the rescue shell's busybox is expanded that way today). Without zstd the
# file stays as it is. The file is compressed after the hooks, on the
# other core while the modules are staged (pack_start, pack_wait): until
# then the staged DEST is the plain file.
pack_file() {
    [ $# -eq 1 ] || api_error "pack_file: needs one staged path" || return 1
    _rel "$1" || api_error "pack_file: bad path '$1'" || return 1
    _p=$_r
    [ -f "$STAGE/$_p" ] || api_error "pack_file: $1 is not in the image" || return 1
    [ -n "$ZSTD_TOOL" ] || { note "zstd not found: $1 stored uncompressed"; return 0; }
    # Packed twice, zstd would fail on the second only after the hooks.
    if [ -f "$WORK/packs" ]; then
        while IFS= read -r _h && IFS= read -r _d && IFS= read -r _s; do
            [ "$_d" != "$_p" ] || api_error "pack_file: $1 is packed already (by hook $_h)" || return 1
        done <"$WORK/packs"
    fi
    # The cache knows files by their source, and only a copy still equal to
    # it is the same bytes.
    _src=
    if [ -n "$ZCACHE" ]; then
        while IFS= read -r _d && IFS= read -r _s; do
            [ "$_d" != "$_p" ] || _src=$_s
        done <"$WORK/sources"
        if [ -n "$_src" ] && ! cmp -s "$_src" "$STAGE/$_p" 2>/dev/null; then
            _src=
        fi
    fi
    printf '%s\n%s\n%s\n' "${HOOK:-?}" "$_p" "$_src" >>"$WORK/packs"
    # Its mode was for the expanded file; the packed one is data.
    _m=
    while IFS= read -r _l; do
        [ "${_l#* }" = "$_p" ] || _m="$_m$_l
"
    done <"$WORK/modes"
    printf '%s' "$_m" >"$WORK/modes"
}

# pack_start: the files pack_file named compressed in the background;
# pack_wait waits for them (and says what went wrong, naming the hook).
pack_start() {
    [ -s "$WORK/packs" ] || return 0
    bg_start packs pack_all
}
pack_all() {
    while IFS= read -r _h && IFS= read -r _p && IFS= read -r _src; do
        if ! zcache_file "$STAGE/$_p" "$STAGE/$_p.zst" "$STORED_ZLEVEL" "$_src"; then
            printf 'hatch: %s: hook %s: pack_file: zstd could not compress /%s (%s)\n' \
                "$PROG" "$_h" "$_p" "$(reason "$(cat "$WORK/zc.err")")" >&2
            printf '%s\n' "$_h" >"$WORK/packs.failed"
            return 1
        fi
        rm -f "$STAGE/$_p"
    done <"$WORK/packs"
}
pack_wait() {
    [ -s "$WORK/packs" ] || return 0
    _pw=0
    bg_wait packs || _pw=1
    cat "$WORK/packs.out" >&2
    [ "$_pw" = 0 ] && return 0
    _h=$(cat "$WORK/packs.failed" 2>/dev/null) || _h='?'
    [ "$LIST" = 1 ] && die "1 hook(s) failed: $_h"
    die "1 hook(s) failed: $_h; $OUT not written"
}

# add_module [--load | --first | --if-present] [--optional] NAME...: include
# modules (names or aliases) with their dependencies and soft dependencies.
# --load also lists them in /etc/hatch/modules (loaded side by side at
# boot); --first in /etc/hatch/modules.first, loaded one after another
# before those: for what makes the other loads faster; --if-present in
# /etc/hatch/modules.if-present: the drivers of the machine the image most
# likely boots, all loaded with the list when a device present needs one
# of them, none otherwise (the init then loads the drivers of the devices
# present at once). --optional skips a module the kernel lacks.
add_module() {
    _load=inc _opt=req
    while [ $# -gt 0 ]; do
        case $1 in
        --load) _load=load ;;
        --first) _load=first ;;
        --if-present) _load=ifp ;;
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

# kernel_config NAME: the value of the kernel's CONFIG_NAME (y, m, a
# number, a string without its quotes); nothing when it is unset or the
# kernel's config is not known.
kernel_config() {
    [ -n "${KCONFIG:-}" ] || return 0
    sed -n "/^CONFIG_$1=/{s/^CONFIG_$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p;q;}" "$KCONFIG"
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
    _rel "$1" || api_error "add_early: bad path '$1'" || return 1
    _p=$_r
    shift
    case $_p in
    */*) mkdir -p "$EARLY/${_p%/*}" ;;
    esac
    cat "$@" >>"$EARLY/$_p" || api_error "add_early: cannot read $*" || return 1
}



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


# add_includes: the files and directories of --include and include=.
add_includes() {
    while IFS= read -r _i; do
        [ -n "$_i" ] || continue
        _src=${_i%%:*} _dst=${_i#*:}
        _rel "$_dst" || die "--include: bad destination '$_dst' in the image"
        _p=$_r
        note "include $_src as /$_p"
        if [ -d "$_src" ]; then
            mkdir -p "$STAGE/$_p"
            _e=$( (cd "$_src" && find . -mindepth 1 | "$CPIO" -pdL --quiet "$STAGE/$_p") 2>&1) ||
                die "--include: cannot copy $_src to $TMPD ($(reason "$_e"))"
        else
            case $_p in
            */*) mkdir -p "$STAGE/${_p%/*}" ;;
            esac
            rm -rf "${STAGE:?}/$_p"
            _e=$(cp -L "$_src" "$STAGE/$_p" 2>&1) ||
                die "--include: cannot copy $_src to $TMPD ($(reason "$_e"))"
        fi
    done <<EOF
$INCLUDES
EOF
}

# run_hooks: run every hook of HOOK_FILES, then add the modules of -m;
# dies when a hook failed or, with --lockdown, when the image holds a
# shell.
run_hooks() {
    export KVER BASEDIR MODDIR FWDIR HOST_ONLY HOST_MODULES HOST_CPU_VENDOR HOST_LUKS HOST_CRYPTTAB HOST_MD INIT MODPROBE_D STAGE LOCKDOWN

    FAILED=
    NFAILED=0
    SHELL_PATH=
    SHELL_HOOK=
    while read -r HOOK HOOK_FILE; do
        [ -n "$HOOK" ] || continue
        note "hook $HOOK ($HOOK_FILE)"
        # A marker of its own for each hook run (no rm: processes cost time).
        NHOOK=$((${NHOOK:-0} + 1))
        HOOK_MARK=$WORK/hook.loaded.$NHOOK
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
            : >"$HOOK_MARK"
            [ ! -s "$WORK/hook.err" ] || cat "$WORK/hook.err"
            command -v build >/dev/null 2>&1 || api_error "$HOOK_FILE defines no build()" || exit 1
            build
        ) </dev/null >&2
        rc=$?
        set -e
        if [ ! -e "$HOOK_MARK" ]; then
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
        elif [ "$rc" -ne 0 ] || { [ -s "$WORK/errors" ] && grep -qxF "$HOOK" "$WORK/errors"; }; then
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
    add_includes

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
}
