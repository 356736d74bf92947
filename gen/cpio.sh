# gen/cpio.sh - compression, the output file, staging of modules and
# firmware, depmod, /etc/hatch, and the cpio archive with the early
# microcode in front, written atomically (sourced, not run).
# shellcheck shell=sh
# shellcheck disable=SC2034 # sets globals the other parts read

# comp_opt COMP: RET, the kernel config option that lets the kernel unpack
# COMP.
comp_opt() {
    case $1 in
    gzip) RET=CONFIG_RD_GZIP ;;
    zstd) RET=CONFIG_RD_ZSTD ;;
    xz) RET=CONFIG_RD_XZ ;;
    lz4) RET=CONFIG_RD_LZ4 ;;
    *) RET= ;;
    esac
}
kernel_unpacks() { # COMP: true when the kernel config allows it (or is unknown)
    [ "$1" = none ] && return 0
    [ -n "$KCONFIG" ] || return 0
    comp_opt "$1"
    grep -q "^$RET=y" "$KCONFIG"
}

# choose_compression: COMP and its COMPRESSOR; what the kernel can unpack
# comes from its config.
choose_compression() {
    KCONFIG=
    for f in "$ROOT/boot/config-$KVER" "$MODDIR/build/.config"; do
        if [ -f "$f" ]; then
            KCONFIG=$f
            break
        fi
    done
    COMPRESSOR=
    if [ -n "$COMP" ]; then
        case $COMP in
        gzip | zstd | xz | lz4 | none) ;;
        *) die "unknown compression '$COMP' (use gzip, zstd, xz, lz4 or none)" ;;
        esac
        kernel_unpacks "$COMP" || die "kernel $KVER cannot unpack a $COMP initramfs ($RET is not set in $KCONFIG)"
        if [ "$COMP" != none ]; then
            need_tool "$COMP"
            COMPRESSOR=$TOOL
        fi
    else
        COMP=
        if [ -n "$KCONFIG" ]; then
            for c in zstd gzip xz lz4; do
                if kernel_unpacks "$c" && find_tool "$c"; then
                    COMP=$c
                    break
                fi
            done
            [ -n "$COMP" ] || COMP=none
        else
            COMP=gzip
            find_tool gzip || COMP=none
        fi
        note "compression $COMP (kernel config: ${KCONFIG:-unknown})"
        if [ "$COMP" != none ] && find_tool "$COMP"; then
            COMPRESSOR=$TOOL
        fi
    fi
}

# out_check: OUT (-o) names a file in an existing directory (OUTDIR).
out_check() {
    [ -n "$OUT" ] || OUT=$ROOT/boot/hatch-initrd.img-$KVER
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
}

# out_reserve: the output directory takes a file (checked before any work,
# with the temporary file the image is later written to).
out_reserve() {
    clean_stale "$OUTDIR/.${OUT##*/}.hatch-tmp."
    OUT_TMP=$OUTDIR/.${OUT##*/}.hatch-tmp.$$
    if ! err=$( (: >"$OUT_TMP") 2>&1); then
        OUT_TMP=
        die "cannot create a file in $OUTDIR (${err##*: }); choose another -o"
    fi
}

# AWK_MODREL: an awk function, modrel(P): the path of modprobe's "insmod P"
# (which may hold spaces, BASEDIR's; module options follow the first space
# after it) relative to lib/modules/KVER/, ENVIRON["K"]; empty when P is
# not under it.
AWK_MODREL='function modrel(p,   i, r) {
        if (!(i = index(p, ENVIRON["K"]))) return ""
        r = substr(p, i + length(ENVIRON["K"])); sub(/ .*/, "", r); return r }'

# stage_modules: the module closure of the requests (modprobe --show-depends)
# and the index files depmod needs.
stage_modules() {
    # shellcheck disable=SC2153 # STAGE is set by make_workdir (common.sh)
    KSTAGE=$STAGE/lib/modules/$KVER
    mkdir -p "$KSTAGE" "$STAGE/etc/hatch"
    awk '!seen[$3]++ { print $3 }' "$WORK/mods" >"$WORK/names"
    : >"$WORK/closure"
    : >"$WORK/closure.err"
    if [ -s "$WORK/names" ]; then
        lines_as_args "$WORK/names" kmodprobe --show-depends -a >"$WORK/closure" 2>"$WORK/closure.err" || true
    fi
    if [ -s "$WORK/closure.err" ]; then
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
    # rel: the closure's paths relative to MODDIR; builtin: the built-in
    # modules; outside: a path that is not under MODDIR.
    K="/lib/modules/$KVER/" W=$WORK awk "$AWK_MODREL"'
        BEGIN { w = ENVIRON["W"]; printf "" > (w "/rel"); printf "" > (w "/builtin"); printf "" > (w "/outside") }
        $1 == "builtin" { print $2 > (w "/builtin"); next }
        !/^insmod / { next }
        { p = substr($0, 8); if (seen[p]++) next
          if ((r = modrel(p)) == "") print p > (w "/outside"); else print r > (w "/rel") }' "$WORK/closure"
    if [ -s "$WORK/outside" ]; then
        die "module $(sed -n 1p "$WORK/outside") is outside $MODDIR"
    fi
    sort -u -o "$WORK/rel" "$WORK/rel"
    omit_modules
    count_lines "$WORK/rel"
    NMODS=$RET
    plan_compression
    # The modules stored plain are copied; the others are written straight
    # from MODDIR as .ko.zst, never copied first.
    awk 'FILENAME == ARGV[1] { z[$0] = 1; next } !($0 in z)' "$WORK/squeeze" "$WORK/rel" >"$WORK/copy"
    if [ -s "$WORK/copy" ]; then
        e=$( (cd "$MODDIR" && "$CPIO" -pdLu --quiet "$KSTAGE" <"$WORK/copy") 2>&1) ||
            die "cannot copy modules from $MODDIR to $TMPD ($(reason "$e"))"
    fi
    zstd_into "$MODDIR" "$WORK/squeeze"
    expand_modules

    # Index files depmod needs; modules.order keeps only the included modules.
    if [ -f "$MODDIR/modules.order" ]; then
        awk 'FILENAME == ARGV[1] { sub(/\.(xz|zst|gz)$/, ""); w[$0] = 1; next } ($0 in w)' \
            "$WORK/rel" "$MODDIR/modules.order" >"$KSTAGE/modules.order"
    else
        : >"$KSTAGE/modules.order"
    fi
    set --
    for f in modules.builtin modules.builtin.modinfo; do
        if [ -f "$MODDIR/$f" ]; then
            set -- "$@" "$MODDIR/$f"
        else
            : >"$KSTAGE/$f"
        fi
    done
    [ $# -eq 0 ] || cp "$@" "$KSTAGE/"
}

# plan_compression: $WORK/squeeze, the modules a boot may not load, which
# are stored compressed with zstd; the init's libkmod expands one only when
# it loads it. The kernel unpacks the whole archive before /init runs, so
# every byte it unpacks is boot time; the modules loaded at every boot (the
# load list and its dependencies) stay plain, since they are expanded
# anyway. Needs zstd, and a depmod that reads .ko.zst; without them modules
# stay plain. xz and gzip modules are left to expand_modules.
plan_compression() {
    NMODZ=0
    ZSTD=
    : >"$WORK/squeeze"
    [ "${MODULE_COMP:-zstd}" = zstd ] && [ -s "$WORK/rel" ] || return 0
    ZSTD=$ZSTD_TOOL
    if [ -z "$ZSTD" ]; then
        note "zstd not found: modules stored uncompressed (install zstd)"
        return 0
    fi
    if ! "$DEPMOD" --version 2>/dev/null | grep -q '+ZSTD'; then
        note "this depmod cannot read zstd-compressed modules: modules stored uncompressed"
        ZSTD=
        return 0
    fi
    awk '($1 == "load" || $1 == "first" || $1 == "ifp") && !seen[$3]++ { print $3 }' "$WORK/mods" >"$WORK/load.req"
    : >"$WORK/load.closure"
    if [ -s "$WORK/load.req" ]; then
        lines_as_args "$WORK/load.req" kmodprobe --show-depends -a >"$WORK/load.closure" 2>/dev/null || true
    fi
    # squeeze.all: rel less the load closure's paths; squeeze: those of them
    # that are plain .ko.
    K="/lib/modules/$KVER/" W=$WORK awk "$AWK_MODREL"'
        BEGIN { w = ENVIRON["W"]; printf "" > (w "/squeeze.all"); printf "" > (w "/squeeze") }
        FILENAME == ARGV[1] { if (sub(/^insmod /, "") && (r = modrel($0)) != "") p[r] = 1; next }
        !($0 in p) { print > (w "/squeeze.all"); if ($0 ~ /\.ko$/) print > (w "/squeeze") }' \
        "$WORK/load.closure" "$WORK/rel"
}

# zstd_into DIR LIST: the modules of LIST (paths relative to DIR) written
# to KSTAGE as .ko.zst, in two batches side by side (zstd compresses one
# file at a time). DIR may be KSTAGE itself: the plain files are removed.
zstd_into() {
    [ -s "$2" ] && [ -n "$ZSTD" ] || return 0
    _rm=
    [ "$1" != "$KSTAGE" ] || _rm=1
    # The files expanded here are new at every build: not cached.
    ZCACHE_KEY=
    if [ -z "$_rm" ] && zcache_modules_get "$1" "$2" "$STORED_ZLEVEL"; then
        count_lines "$2"
        NMODZ=$((NMODZ + RET))
        return 0
    fi
    # Two batches of about the same bytes: the biggest file first, each to
    # the lighter batch (xfs and btrfs are a third of the generic image's).
    e=$( (cd "$1" && xargs stat -L -c '%s %n' <"$2") 2>&1 >"$WORK/zb.sizes") ||
        die "cannot read the modules to compress in $1 ($(reason "$e"))"
    sort -rn "$WORK/zb.sizes" | awk -v w="$WORK/zb" '
        BEGIN { printf "" > (w 0); printf "" > (w 1) }
        { b = (s[0] <= s[1]) ? 0 : 1; s[b] += $1; print $2 > (w b) }'
    for _b in 0 1; do
        if [ -s "$WORK/zb$_b" ]; then
            bg_start "zb$_b" zstd_batch "$1" "$WORK/zb$_b" "$_rm"
        fi
    done
    e=
    for _b in 0 1; do
        [ -s "$WORK/zb$_b" ] || continue
        bg_wait "zb$_b" || [ -s "$WORK/zb$_b.out" ] || echo "zstd exited $BG_STATUS" >>"$WORK/zb$_b.out"
        e=$e$(cat "$WORK/zb$_b.out")
    done
    rm -f "$WORK/zb0" "$WORK/zb1"
    [ -z "$e" ] || die "zstd could not compress the modules from $1 in $TMPD ($(reason "$e"))"
    zcache_modules_put "$2" "$STORED_ZLEVEL"
    count_lines "$2"
    NMODZ=$((NMODZ + RET))
}

# zstd_batch DIR LIST [RM]: the modules of LIST (paths relative to DIR)
# compressed into KSTAGE, the plain files removed when RM is set. Module
# paths are kernel/... names without blanks or quotes.
zstd_batch() {
    cd "$1" && xargs "$ZSTD" -q -f -"$STORED_ZLEVEL" ${3:+--rm} --output-dir-mirror "$KSTAGE" <"$2"
}

# expand_modules: the init's libkmod reads plain and zstd modules only: xz
# and gzip ones (other distributions' kernels) are expanded here, and those
# outside the load closure compressed again with zstd.
expand_modules() {
    : >"$WORK/unz"
    while IFS= read -r r; do
        case $r in
        *.ko.xz | *.ko.gz) printf '%s\n' "$r" >>"$WORK/unz" ;;
        esac
    done <"$WORK/rel"
    [ -s "$WORK/unz" ] || return 0
    while IFS= read -r r; do
        case $r in
        *.xz) find_tool xz || die "module $r is xz-compressed and xz is missing (install xz-utils)" ;;
        *) find_tool gzip || die "module $r is gzip-compressed and gzip is missing" ;;
        esac
        t=$TOOL
        e=$("$t" -dqf "$KSTAGE/$r" 2>&1) ||
            die "cannot expand the module $r in $TMPD ($(reason "$e"))"
    done <"$WORK/unz"
    sed -E 's/\.ko\.(xz|gz)$/.ko/' "$WORK/rel" >"$WORK/rel.new" && mv "$WORK/rel.new" "$WORK/rel"
    if [ -n "$ZSTD" ]; then
        grep -E '\.ko\.(xz|gz)$' "$WORK/squeeze.all" | sed -E 's/\.(xz|gz)$//' >"$WORK/squeeze.x" || true
        zstd_into "$KSTAGE" "$WORK/squeeze.x"
    fi
}

# modname PATH...: the module names of module files (- as _).
modname() {
    printf '%s\n' "$@" | sed -e 's|.*/||' -e 's/\.ko\.xz$//' -e 's/\.ko\.zst$//' -e 's/\.ko\.gz$//' -e 's/\.ko$//' -e 's/-/_/g'
}

# omit_modules: --omit-module and omit_modules= take modules out of the
# closure ($WORK/rel), unless a module that stays depends on one.
omit_modules() {
    [ -n "$OMIT_MODULES" ] || return 0
    # shellcheck disable=SC2086 # one name per word
    printf '%s\n' $OMIT_MODULES | sed 's/-/_/g' | sort -u >"$WORK/omit"
    : >"$WORK/rel.kept"
    : >"$WORK/rel.omitted"
    while IFS= read -r r; do
        if grep -qxF "$(modname "$r")" "$WORK/omit"; then
            printf '%s\n' "$r" >>"$WORK/rel.omitted"
        else
            printf '%s\n' "$r" >>"$WORK/rel.kept"
        fi
    done <"$WORK/rel"
    [ -s "$WORK/rel.omitted" ] || { note "--omit-module: none of $OMIT_MODULES is in the image"; return 0; }
    # modules.dep: "path: dep dep ..."; a kept module needing an omitted one.
    _need=$(awk 'FILENAME == ARGV[1] { o[$0] = 1; next } FILENAME == ARGV[2] { k[$0] = 1; next }
        { m = $1; sub(/:$/, "", m); if (!(m in k)) next
          for (i = 2; i <= NF; i++) if ($i in o) { print m " " $i; exit } }' \
        "$WORK/rel.omitted" "$WORK/rel.kept" "$MODDIR/modules.dep")
    if [ -n "$_need" ]; then
        # shellcheck disable=SC2086 # two words: the kept module, the omitted one
        set -- $_need
        die "--omit-module $(modname "$2"): module $(modname "$1"), which stays in the image, needs it; omit $(modname "$1") too or keep it"
    fi
    note "left out: $(sed -e 's|.*/||' "$WORK/rel.omitted" | tr '\n' ' ' | sed 's/ $//')"
    mv "$WORK/rel.kept" "$WORK/rel"
}

# stage_firmware: firmware the modules declare, plus add_firmware requests.
# The kernel looks in updates/KVER, updates, KVER and the top level, and
# takes compressed .xz/.zst files; the first present is copied.
stage_firmware() {
    if [ -s "$WORK/rel" ]; then
        (cd "$MODDIR" && sed 's|^|./|' "$WORK/copy" "$WORK/squeeze" | xargs "$MODINFO" -F firmware) >>"$WORK/fw" 2>/dev/null ||
            die "modinfo cannot read the modules in $MODDIR"
    fi
    NFW=0
    sort -u "$WORK/fw" >"$WORK/fw.sorted"
    while IFS= read -r fw; do
        [ -n "$fw" ] || continue
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
}

# run_depmod: depmod output for the staged subset, started in the
# background (it expands every stored module to read its symbols, while
# firmware and /etc/hatch need only the other core); depmod_wait ends it.
run_depmod() {
    bg_start depmod "$DEPMOD" -b "$STAGE" -C "$WORK/depmod.d" "$KVER"
}
depmod_wait() {
    if ! bg_wait depmod; then
        e=$(sed -n 1p "$WORK/depmod.out")
        die "depmod failed on the staged modules in $TMPD: ${e:-exit status $BG_STATUS}"
    fi
    # The kernel unpacks every byte at every boot: the image keeps the
    # index files the init's libkmod reads (the .bin ones, modules.softdep)
    # and modules.dep (the rescue shell's modinfo, and --check). The rest
    # only depmod reads; modules.builtin.modinfo alone is 46 KB, which
    # libkmod reads only for a built-in module's modinfo.
    rm -f "$KSTAGE/modules.alias" "$KSTAGE/modules.symbols" "$KSTAGE/modules.builtin" \
        "$KSTAGE/modules.builtin.modinfo" "$KSTAGE/modules.order" "$KSTAGE/modules.devname"
}

# load_list MARK FILE [EXCEPT]: the modules add_module marked MARK (load,
# first, ifp), by their real names, in request order, built-in and omitted
# ones and those listed in the file EXCEPT left out.
load_list() {
    awk -v m="$1" '$1 == m && !seen[$3]++ { print $3 }' "$WORK/mods" >"$WORK/load"
    : >"$2"
    [ -s "$WORK/load" ] || return 0
    [ -f "$WORK/omit" ] || : >"$WORK/omit"
    lines_as_args "$WORK/load" kmodprobe -q -R -a 2>/dev/null |
        awk 'FILENAME == ARGV[1] || FILENAME == ARGV[3] { b[$0] = 1; next }
            FILENAME == ARGV[2] { o[$0] = 1; next }
            { n = $0; gsub(/-/, "_", n) } !($0 in b) && !(n in o) && !seen[$0]++' \
            "$WORK/builtin" "$WORK/omit" "${3:-/dev/null}" - >"$2" || true
}

# /etc/hatch: kernel release, the lockdown policy (--lockdown only; the init
# parses exactly these lines) and the modules to load at boot (real names,
# in request order, built-in ones left out).
# Dies when no hook staged /init.
write_etc_hatch() {
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
            if [ -n "$ROOTHASH_SIG" ]; then
                printf 'signature=required\n'
            fi
        } >"$STAGE/etc/hatch/policy"
    fi
    if [ -n "$ROOTHASH_SIG" ]; then
        rm -rf "$STAGE/etc/hatch/roothash.p7s"
        cp "$ROOTHASH_SIG" "$STAGE/etc/hatch/roothash.p7s" ||
            die "cannot copy $ROOTHASH_SIG into the image (--roothash-sig)"
        chmod 0644 "$STAGE/etc/hatch/roothash.p7s"
    fi
    load_list first "$STAGE/etc/hatch/modules.first"
    [ -s "$STAGE/etc/hatch/modules.first" ] || rm -f "$STAGE/etc/hatch/modules.first"
    load_list load "$STAGE/etc/hatch/modules"
    # A module the list loads anyway is no condition.
    load_list ifp "$STAGE/etc/hatch/modules.if-present" "$STAGE/etc/hatch/modules"
    [ -s "$STAGE/etc/hatch/modules.if-present" ] || rm -f "$STAGE/etc/hatch/modules.if-present"

    [ -f "$STAGE/init" ] || die "the image has no /init: the hook list must include base"
}

# normalize: modes and mtimes of every staged file.
normalize() {
    # One walk: chmod leaves mtimes alone, so the order does not matter.
    find "$STAGE" "$EARLY" -exec touch -h -d "@$EPOCH" {} + \
        \( -type d -o -type f -perm -u+x \) -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
    while read -r mode p; do
        chmod "$mode" "$STAGE/$p"
    done <"$WORK/modes"
}

# entries DIR: the archive's member names, parents before children.
entries() {
    (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort)
}

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

# list_image: --list prints what would go in the image and exits.
list_image() {
    list_tree "$EARLY" early:
    list_tree "$STAGE" ""
    exit 0
}

mkcpio() { # DIR OUTFILE [LIST]: the entries of DIR (or those LIST names)
    [ $# -ge 3 ] || { entries "$1" >"$WORK/list" && set -- "$1" "$2" "$WORK/list"; }
    _e=$( (cd "$1" && "$CPIO" -o -H newc -R 0:0 --reproducible --quiet <"$3") 2>&1 >"$2") ||
        die "cpio failed writing in $TMPD ($(reason "$_e")); no image written"
}

# split_stored: $WORK/stored.list and $WORK/main.list, the entries of STAGE
# split. The files already zstd-compressed (modules outside the load
# closure, the rescue shell) gain nothing from the image's compression and
# took most of its time: they go, with their directories, in an
# uncompressed archive of their own in front of the compressed one (the
# kernel unpacks the archives in turn). With -c none, or nothing
# compressed, stored.list is empty and main.list has everything.
split_stored() {
    entries "$STAGE" >"$WORK/all.list"
    # Two passes over the sorted list: the .zst files and their parents, then
    # each entry to its archive, in the list's order (parents first).
    _s=1
    [ "$COMP" != none ] || _s=
    W=$WORK S=$_s awk '
        BEGIN { w = ENVIRON["W"]; printf "" > (w "/stored.list"); printf "" > (w "/main.list") }
        FNR == NR { if (ENVIRON["S"] && /\.zst$/) { z[$0] = 1; p = $0; while (sub(/\/[^\/]*$/, "", p)) d[p] = 1 }; next }
        { if ($0 in z || $0 in d) print > (w "/stored.list"); if (!($0 in z)) print > (w "/main.list") }' \
        "$WORK/all.list" "$WORK/all.list"
}

# write_image: the early and main archives, compressed, copied next to OUT
# and renamed over it.
write_image() {
    : >"$WORK/early.cpio"
    for _e in "$EARLY"/* "$EARLY"/.[!.]* "$EARLY"/..?*; do
        if [ -e "$_e" ] || [ -L "$_e" ]; then
            mkcpio "$EARLY" "$WORK/early.cpio"
            break
        fi
    done
    split_stored
    # The stored archive is written on the other core while the main one is
    # compressed.
    : >"$WORK/stored.cpio"
    if [ -s "$WORK/stored.list" ]; then
        bg_start stored mkcpio "$STAGE" "$WORK/stored.cpio" "$WORK/stored.list"
    fi
    mkcpio "$STAGE" "$WORK/main.cpio" "$WORK/main.list"
    # Single-threaded compressors with fixed settings: deterministic output. The
    # kernel wants xz with CRC32 and lz4 in the legacy frame format.
    e=$(case $COMP in
    gzip) "$COMPRESSOR" -n -6 -c <"$WORK/main.cpio" >"$WORK/main.z" ;;
    # zstd -8: 0.03 s sooner than -9 on the generic image, 1.3 KB bigger.
    zstd) "$COMPRESSOR" -q -c -T1 -8 <"$WORK/main.cpio" >"$WORK/main.z" ;;
    xz) "$COMPRESSOR" -q -c -T1 --check=crc32 -6 <"$WORK/main.cpio" >"$WORK/main.z" ;;
    lz4) "$COMPRESSOR" -q -c -l -9 <"$WORK/main.cpio" >"$WORK/main.z" ;;
    none) cat "$WORK/main.cpio" >"$WORK/main.z" ;;
    esac 2>&1) || die "$COMP failed writing in $TMPD ($(reason "$e")); no image written"
    if [ -s "$WORK/stored.list" ] && ! bg_wait stored; then
        # mkcpio said why, as one of our lines.
        e=$(sed -n 's/^hatch: [^:]*: //p' "$WORK/stored.out" | sed -n 1p)
        die "${e:-cpio failed writing the stored archive in $TMPD; no image written}"
    fi

    # The image is put together in the staging directory, then copied next to
    # OUT once it is known to fit, and renamed over OUT.
    e=$(cat "$WORK/early.cpio" "$WORK/stored.cpio" "$WORK/main.z" 2>&1 >"$WORK/image") ||
        die "cannot write in $TMPD ($(reason "$e")); no image written"
    SIZE=$(($(wc -c <"$WORK/image")))
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
    printf 'hatch: %s: wrote %s (kernel %s, %s modules (%s stored zstd-compressed), %s firmware files, %s, %s bytes)\n' \
        "$PROG" "$OUT" "$KVER" "$NMODS" "$NMODZ" "$NFW" "$COMP" "$SIZE" >&2
}
