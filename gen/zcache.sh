# gen/zcache.sh - the cache of zstd output between builds (sourced, not run).
#
# Compressing the modules outside the load list and the rescue shell's
# busybox is most of a build's own work, and a rebuild for the same kernel
# (a hook or a setting changed, a package updated) compresses the same
# bytes again. The cache keeps zstd's output keyed by what went in: each
# file's name, size, inode, and modification and change times (the change
# time moves with every write, and no one can set it back), the level and
# zstd's version. A hit gives the bytes a fresh run would, so an image
# built from the cache is the image built without it. Hashing the inputs
# instead would cost as much as compressing them. An entry is written to a
# temporary name and renamed to a name that ends in its own SHA-256; a hit
# whose bytes do not match that is not used, and is compressed again.
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

ZCACHE_KEEP=8 # entries of each kind kept: module sets (about 5 MB each for
              # the generic image) and files (busybox: 1 MB)

# zcache_setup: ZSTD_TOOL, the zstd every part of the build uses (empty:
# none), and ZCACHE, the directory for its output, or empty (--no-cache,
# no zstd or sha256sum, or a directory that cannot be made: said, and the
# build goes on without). The default directory is XDG_CACHE_HOME/hatch,
# else HOME/.cache/hatch.
zcache_setup() {
    ZCACHE=
    ZCACHE_PUT=
    find_tool zstd || :
    ZSTD_TOOL=$TOOL
    [ "$CACHE_DIR" != none ] || return 0
    # Without zstd nothing is compressed, and nothing cached.
    [ -n "$ZSTD_TOOL" ] || return 0
    find_tool sha256sum || { zcache_off "no cache: sha256sum is missing"; return 0; }
    ZCACHE_SHA=$TOOL
    _d=$CACHE_DIR
    if [ -z "$_d" ]; then
        if [ -n "${XDG_CACHE_HOME:-}" ]; then
            _d=$XDG_CACHE_HOME/hatch
        elif [ -n "${HOME:-}" ]; then
            _d=$HOME/.cache/hatch
        else
            zcache_off "no cache: neither HOME nor XDG_CACHE_HOME is set"
            return 0
        fi
    fi
    _v=$("$ZSTD_TOOL" -V 2>/dev/null | sed -n 's/.* v\([0-9][0-9.]*\).*/\1/p')
    [ -n "$_v" ] || { zcache_off "no cache: cannot tell the version of $ZSTD_TOOL"; return 0; }
    if [ ! -d "$_d/zstd-$_v" ] && ! _e=$(mkdir -p "$_d/zstd-$_v" 2>&1); then
        zcache_off "cannot create the cache $_d ($(reason "$_e"))"
        return 0
    fi
    # What others can write there could end up in the image.
    if ! _e=$(find "$_d" "$_d/zstd-$_v" -prune \( -perm -0020 -o -perm -0002 -o ! -user "$(id -u)" \) -print 2>&1); then
        zcache_off "cannot check who may write to the cache $_d ($(reason "$_e"))"
        return 0
    fi
    if [ -n "$_e" ]; then
        zcache_off "the cache directory $(printf '%s' "$_e" | sed -n 1p) is writable by others, or not yours"
        return 0
    fi
    ZCACHE=$_d/zstd-$_v
}

# zcache_key LEVEL DIR FILE...: the key of the FILEs (relative to DIR)
# compressed at LEVEL.
zcache_key() {
    _kl=$1 _kd=$2
    shift 2
    _k=$( (cd "$_kd" && stat -L -c '%n %s %d %i %y %z' -- "$@" && echo "level $_kl") | "$ZCACHE_SHA") || return 1
    printf '%s\n' "${_k%% *}"
}

# zcache_find KIND LEVEL KEY: the intact entry for KEY, or fail; a damaged
# one is removed.
zcache_find() {
    for _f in "$ZCACHE/$1-$2-$3"-*; do
        [ -f "$_f" ] || continue
        _s=$("$ZCACHE_SHA" <"$_f") || _s=
        _n=${_f##*-}
        if [ "${_s%% *}" = "${_n%.*}" ]; then
            printf '%s\n' "$_f"
            return 0
        fi
        note "cache entry $_f is damaged: compressing again"
        rm -f "$_f"
    done
    return 1
}

# zcache_put SRC KIND LEVEL KEY EXT: SRC cached as the entry for KEY.
zcache_put() {
    _t=$ZCACHE/.new.$$.$2 # a module set and a file may be put side by side
    if ! { cp "$1" "$_t" 2>/dev/null && zcache_commit "$_t" "$2" "$3" "$4" "$5"; }; then
        zcache_drop "$_t"
    fi
}

# zcache_commit TMP KIND LEVEL KEY EXT: TMP, written in the cache, becomes
# the entry for KEY, or fails; the oldest entries of KIND beyond
# ZCACHE_KEEP are removed (counted first: listing them costs four
# processes).
zcache_commit() {
    _s=$("$ZCACHE_SHA" <"$1") && mv -f "$1" "$ZCACHE/$2-$3-$4-${_s%% *}.$5" 2>/dev/null || return 1
    _ck=$2 _ce=$5
    set -- "$ZCACHE/$_ck"-[0-9]*-*."$_ce"
    [ $# -gt "$ZCACHE_KEEP" ] || return 0
    # shellcheck disable=SC2012 # names made here: KIND-LEVEL-HEX-HEX.EXT
    ls -t "$ZCACHE" | sed -n "/^$_ck-[0-9]*-[0-9a-f]*-[0-9a-f]*\.$_ce\$/p" | sed "1,${ZCACHE_KEEP}d" |
        (cd "$ZCACHE" && xargs rm -f)
    return 0
}

# zcache_drop TMP: an entry that could not be written or committed.
zcache_drop() {
    rm -f "$1"
    note "cannot write to the cache $ZCACHE"
}

# zcache_off WHY: no cache: a warning for a --cache directory, a note for
# the default one.
zcache_off() {
    if [ -n "$CACHE_DIR" ]; then
        warn "$1; building without it"
    else
        note "$1; building without it"
    fi
}

# zcache_file SRC DEST LEVEL [ORIGIN]: DEST, SRC compressed with zstd
# -LEVEL (ZSTD_TOOL, which the caller checked); with ORIGIN, a file with
# SRC's bytes that the key is made of (a relative path is from here), from
# the cache when it holds it (else compressed and cached). zstd's errors
# are in $WORK/zc.err.
zcache_file() {
    : >"$WORK/zc.err"
    if [ -n "$ZCACHE" ] && [ -n "${4:-}" ] && _k=$(zcache_key "$3" . "$4"); then
        if _c=$(zcache_find file "$3" "$_k") && cp "$_c" "$2"; then
            note "$4 compressed: from the cache"
            return 0
        fi
        "$ZSTD_TOOL" -q -"$3" -f "$1" -o "$2" 2>"$WORK/zc.err" || return 1
        zcache_put "$2" file "$3" "$_k" zst
        return 0
    fi
    "$ZSTD_TOOL" -q -"$3" -f "$1" -o "$2" 2>"$WORK/zc.err"
}

# zcache_modules_get DIR LIST LEVEL: the .zst files of LIST (paths
# relative to DIR) in KSTAGE from the cache; fails, with nothing staged, on
# a miss. Sets ZCACHE_KEY for zcache_modules_put. The cache's archives are
# read and written in 64 KiB blocks (-C): in cpio's default 512-byte ones,
# the generic set's 5 MB took 10,000 system calls each way. Only the
# archive's zero padding at the end grows, which the image never sees.
zcache_modules_get() {
    ZCACHE_KEY=
    [ -n "$ZCACHE" ] || return 1
    ZCACHE_KEY=$(lines_as_args "$2" zcache_key "$3" "$1") || { ZCACHE_KEY=; return 1; }
    _c=$(zcache_find modules "$3" "$ZCACHE_KEY") || return 1
    if (cd "$KSTAGE" && "$CPIO" -idu -C 65536 --no-absolute-filenames --quiet <"$_c") 2>/dev/null; then
        note "the stored modules compressed: from the cache ($_c)"
        return 0
    fi
    sed 's/$/.zst/' "$2" | (cd "$KSTAGE" && xargs rm -f)
    return 1
}

# zcache_modules_put LIST LEVEL: the .zst files of LIST just written to
# KSTAGE, cached as one archive, on the other core while depmod reads them
# (0.1 s in line, of a first build's 1.4); zcache_wait ends it.
zcache_modules_put() {
    [ -n "${ZCACHE_KEY:-}" ] || return 0
    ZCACHE_PUT=1
    bg_start zput zcache_modules_write "$1" "$2"
}
zcache_modules_write() {
    _t=$ZCACHE/.new.$$.modules
    if ! { sed 's/$/.zst/' "$1" | (cd "$KSTAGE" && "$CPIO" -o -H newc -C 65536 --quiet >"$_t") 2>/dev/null &&
        zcache_commit "$_t" modules "$2" "$ZCACHE_KEY" cpio; }; then
        zcache_drop "$_t"
    fi
}
zcache_wait() {
    [ -n "${ZCACHE_PUT:-}" ] || return 0
    ZCACHE_PUT=
    bg_wait zput || :
    cat "$WORK/zput.out" >&2
}
