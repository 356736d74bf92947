#!/bin/sh
# Tests for the generator (mkinitramfs.sh), its hooks, mk/install.sh and the
# Debian kernel hooks. No QEMU: images are checked by listing and unpacking.
#
# usage: tests/gen/run.sh
# Needs the test kernel (qemu/fetch-kernel.sh; fetched when missing, or set
# HATCH_TEST_KERNEL_DIR to a directory holding kver and root/). Prints one
# "ok - NAME" / "not ok - NAME" line per case and ends with "N passed, N
# failed"; exits non-zero on any failure.
# Helpers are called through check(), which ShellCheck cannot follow:
# shellcheck disable=SC2317
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
GEN=$TOP/mkinitramfs.sh
T=$TOP/build/gen-test
W=$T/run
KDIR=${HATCH_TEST_KERNEL_DIR:-$TOP/build/kernel}

PASS=0
FAIL=0
ok() {
    PASS=$((PASS + 1))
    echo "ok - $1"
}
nok() {
    FAIL=$((FAIL + 1))
    echo "not ok - $1"
    shift
    for l in "$@"; do
        printf '#   %s\n' "$l"
    done
}
finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}
# check NAME CMD...: ok when CMD succeeds.
check() {
    _n=$1
    shift
    if "$@"; then ok "$_n"; else nok "$_n" "failed: $*"; fi
}

# --- fixtures ---------------------------------------------------------------
if [ ! -s "$KDIR/kver" ]; then
    sh "$TOP/qemu/fetch-kernel.sh" "$KDIR" >/dev/null 2>&1 || true
fi
if [ ! -s "$KDIR/kver" ] || [ ! -d "$KDIR/root/lib/modules" ]; then
    nok "test kernel available in $KDIR (run qemu/fetch-kernel.sh)"
    finish
fi
KVER=$(cat "$KDIR/kver")
KROOT=$(cd "$KDIR/root" && pwd)
KMOD=$KROOT/lib/modules/$KVER

rm -rf "$W"
mkdir -p "$W/tmp" "$T"
# All generator runs use a private TMPDIR, so leftovers can be detected.
TMPDIR=$W/tmp
export TMPDIR
# hatch's /etc (hooks, hatch.conf) is an empty directory of the tests', so
# the machine's /etc/hatch changes nothing here.
HATCH_SYSCONFDIR=$W/etc
export HATCH_SYSCONFDIR
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
# The cache of compressed files is the tests' own too.
XDG_CACHE_HOME=$W/cache
export XDG_CACHE_HOME

# Stand-in inits: a static one, a dynamic one, a non-ELF one.
INIT=$T/init-static
# The luks hook's program: the stand-in init stands in for it (as for lvm
# and mdadm below).
HATCH_LUKS_UNLOCK=$INIT
export HATCH_LUKS_UNLOCK
if [ ! -x "$INIT" ]; then
    printf 'int main(void) { return 0; }\n' >"$T/init.c"
    if command -v musl-gcc >/dev/null 2>&1; then
        musl-gcc -static -Os -o "$INIT" "$T/init.c"
    else
        cc -static -Os -o "$INIT" "$T/init.c"
    fi
fi
DYN_INIT=$T/init-dynamic
if [ ! -x "$DYN_INIT" ]; then
    printf 'int main(void) { return 0; }\n' >"$T/init.c"
    cc -Os -o "$DYN_INIT" "$T/init.c" 2>/dev/null || cp "$(command -v dash || command -v sh)" "$DYN_INIT"
fi
TXT_INIT=$W/init.txt
printf '#!/bin/sh\necho not an ELF\n' >"$TXT_INIT"

# gen ARGS...: the generator for the test kernel with the static init.
gen() {
    sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" "$@"
}
# listing IMAGE: member names of the main archive (after any early one).
listing() { # (the stored files' directories are in both archives)
    payload "$1" >"$W/payload.cpio" && cpio -t --quiet <"$W/payload.cpio" 2>/dev/null | LC_ALL=C sort -u
}
# split_image IMAGE: $W/payload.raw, the main archive as the image holds it
# (after any early microcode and the stored part), and $W/payload.stored,
# the stored part's entries without its trailer (the files already
# zstd-compressed, in an uncompressed archive of their own in front of the
# main one), empty when there is none.
split_image() {
    _off=0
    if [ "$(head -c 6 "$1")" = 070701 ] && cpio -t --quiet <"$1" 2>/dev/null | grep -q '^kernel/x86/microcode'; then
        _blocks=$(cpio -t <"$1" 2>&1 >/dev/null | awk '/block/ { print $1 }')
        _off=$((_blocks * 512))
    fi
    tail -c +$((_off + 1)) "$1" >"$W/payload.raw"
    : >"$W/payload.stored"
    if [ "$(magic "$W/payload.raw")" = none ]; then
        _blocks=$(cpio -t <"$W/payload.raw" 2>&1 >/dev/null | awk '/block/ { print $1 }')
        if [ "$(wc -c <"$W/payload.raw")" -gt $((_blocks * 512)) ]; then
            _t=$(grep -obUa 'TRAILER!!!' "$W/payload.raw" | sed -n '1s/:.*//p')
            head -c $((_t - 110)) "$W/payload.raw" >"$W/payload.stored"
            tail -c +$((_blocks * 512 + 1)) "$W/payload.raw" >"$W/payload.rest"
            mv "$W/payload.rest" "$W/payload.raw"
        fi
    fi
}
# main_magic IMAGE: the compression of its main archive.
main_magic() {
    split_image "$1" && magic "$W/payload.raw"
}
# payload IMAGE: the decompressed main archive, preceded by the stored
# part's entries: one newc stream, as the kernel takes them in.
payload() {
    split_image "$1" || return 1
    cat "$W/payload.stored"
    case $(magic "$W/payload.raw") in
    gzip) gzip -dc "$W/payload.raw" ;;
    zstd) zstd -dc "$W/payload.raw" ;;
    xz) xz -dc "$W/payload.raw" ;;
    lz4) lz4 -dc "$W/payload.raw" ;;
    none) cat "$W/payload.raw" ;;
    *) return 1 ;;
    esac
}
# magic FILE: the compression its first bytes announce.
magic() {
    _m=$(od -An -tx1 -N 6 "$1" | tr -d ' \n')
    case $_m in
    1f8b*) echo gzip ;;
    28b52ffd*) echo zstd ;;
    fd377a585a00) echo xz ;;
    02214c18*) echo lz4 ;;
    303730373031) echo none ;;
    *) echo "unknown:$_m" ;;
    esac
}
# unpack IMAGE DIR
unpack() {
    rm -rf "$2" && mkdir -p "$2" && payload "$1" >"$W/unpack.cpio" &&
        (cd "$2" && cpio -idm --quiet <"$W/unpack.cpio" 2>/dev/null)
}
has() { # LISTFILE ENTRY...
    _f=$1
    shift
    _missing=
    for _e in "$@"; do
        grep -qFx -e "$_e" "$_f" || _missing="$_missing $_e"
    done
    if [ -n "$_missing" ]; then
        echo "missing:$_missing" >&2
        return 1
    fi
}
# rcgrep RC WANT FILE PATTERN...: RC is WANT and FILE has every PATTERN.
rcgrep() {
    [ "$1" -eq "$2" ] || return 1
    _rf=$3
    shift 3
    for _rp in "$@"; do
        grep -q -e "$_rp" "$_rf" || return 1
    done
}
lacks() { # FILE PATTERN...: no line of FILE matches any PATTERN
    _f=$1
    shift
    for _p in "$@"; do
        ! grep -q -e "$_p" "$_f" || return 1
    done
}
tmp_clean() {
    [ -z "$(find "$TMPDIR" -mindepth 1 -maxdepth 1)" ]
}
# expect_error NAME EXPECTED-LINE CMD...: CMD fails, prints exactly that one
# line on stderr, nothing on stdout, creates no $W/err.img, leaves no
# temporary files.
expect_error() {
    _n=$1 _want=$2
    shift 2
    rm -f "$W/err.img"
    "$@" >"$W/err.out" 2>"$W/err.err"
    _rc=$?
    _got=$(cat "$W/err.err")
    if [ "$_rc" -ne 0 ] && [ "$_got" = "$_want" ] && [ ! -s "$W/err.out" ] &&
        [ ! -e "$W/err.img" ] && tmp_clean; then
        ok "$_n"
    else
        nok "$_n" "exit status $_rc" "want: $_want" "got:  $_got" "tmp: $(find "$TMPDIR" -mindepth 1 -maxdepth 1)"
        rm -rf "${TMPDIR:?}"/*
    fi
}

# --- ShellCheck -------------------------------------------------------------
if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck -s sh: generator and its parts, hooks, install, kernel hooks, man/md2man.sh, tests" \
        shellcheck -x -s sh "$GEN" gen/*.sh hooks/* mk/install.sh mk/kernel-postinst-hatch \
        mk/kernel-postrm-hatch man/md2man.sh tests/gen/run.sh tests/gen/boot.sh
else
    nok "shellcheck installed"
fi

# --- help -------------------------------------------------------------------
out=$(sh "$GEN" --help 2>&1)
case $out in
"usage: mkinitramfs.sh [options]"*) ok "--help prints the usage" ;;
*) nok "--help prints the usage" "$out" ;;
esac
case $out in
*"  --lockdown "*"  --roothash HEX"*"  --lockdown-action halt|reboot|poweroff"*) ok "--help names --lockdown, --roothash, --lockdown-action" ;;
*) nok "--help names --lockdown, --roothash, --lockdown-action" "$out" ;;
esac

# --- the default (generic) image --------------------------------------------
if gen -o "$W/generic.img" 2>"$W/generic.err"; then
    ok "default generic image builds"
else
    nok "default generic image builds" "$(cat "$W/generic.err")"
fi
check "default compression is zstd (kernel has CONFIG_RD_ZSTD=y)" [ "$(main_magic "$W/generic.img")" = zstd ]
split_image "$W/generic.img"
check "zstd -t accepts the image's main archive" zstd -q -t "$W/payload.raw"
listing "$W/generic.img" >"$W/generic.list"
M=lib/modules/$KVER/kernel
check "layout: /init, /etc/hatch, directories, busybox" has "$W/generic.list" \
    init etc/hatch/kver etc/hatch/modules bin/busybox.zst bin/sh dev proc sys run newroot tmp etc bin
check "module closure: virtio, ext4 and its dependencies" has "$W/generic.list" \
    "$M/drivers/block/virtio_blk.ko" "$M/drivers/virtio/virtio_pci.ko" "$M/drivers/virtio/virtio_ring.ko" \
    "$M/drivers/virtio/virtio.ko" "$M/fs/ext4/ext4.ko" "$M/fs/jbd2/jbd2.ko" "$M/fs/mbcache.ko" "$M/lib/crc16.ko"
check "module closure: softdeps (crc32c for ext4 and jbd2)" has "$W/generic.list" \
    "$M/crypto/crc32c_generic.ko" "$M/arch/x86/crypto/crc32c-intel.ko"
check "module closure: dm-verity with dm-bufio, dm-mod" has "$W/generic.list" \
    "$M/drivers/md/dm-verity.ko.zst" "$M/drivers/md/dm-bufio.ko.zst" "$M/drivers/md/dm-mod.ko.zst" "$M/lib/reed_solomon/reed_solomon.ko.zst"
check "generic set: NVMe, AHCI, SCSI disk, USB storage, virtio-scsi" has "$W/generic.list" \
    "$M/drivers/nvme/host/nvme.ko.zst" "$M/drivers/ata/ahci.ko.zst" "$M/drivers/scsi/sd_mod.ko.zst" \
    "$M/drivers/usb/storage/usb-storage.ko.zst" "$M/drivers/usb/storage/uas.ko.zst" "$M/drivers/scsi/virtio_scsi.ko.zst"
check "generic set: xfs, btrfs, erofs, squashfs" has "$W/generic.list" \
    "$M/fs/xfs/xfs.ko.zst" "$M/fs/btrfs/btrfs.ko.zst" "$M/fs/erofs/erofs.ko.zst" "$M/fs/squashfs/squashfs.ko.zst"
check "depmod indexes for the subset" has "$W/generic.list" \
    "lib/modules/$KVER/modules.dep" "lib/modules/$KVER/modules.dep.bin" "lib/modules/$KVER/modules.alias.bin" \
    "lib/modules/$KVER/modules.softdep" "lib/modules/$KVER/modules.symbols.bin" \
    "lib/modules/$KVER/modules.builtin.bin" "lib/modules/$KVER/modules.builtin.alias.bin"
unpack "$W/generic.img" "$W/g"
check "/etc/hatch/kver is the kernel release" [ "$(cat "$W/g/etc/hatch/kver")" = "$KVER" ]
check "/etc/hatch/modules is ext4" [ "$(cat "$W/g/etc/hatch/modules")" = ext4 ]
check "/etc/hatch/modules.if-present is virtio_pci virtio_blk" \
    [ "$(tr '\n' ' ' <"$W/g/etc/hatch/modules.if-present")" = "virtio_pci virtio_blk " ]
# The kernel signs its modules with sha256: the CPU's code for it first.
check "/etc/hatch/modules.first is sha256_ssse3 (CONFIG_MODULE_SIG_HASH=\"sha256\")" \
    [ "$(cat "$W/g/etc/hatch/modules.first" 2>&1)" = sha256_ssse3 ]
# The staged modules.dep names only modules that are in the image, and kmod
# resolves from it alone.
bad=$(sed 's/:.*//' "$W/g/lib/modules/$KVER/modules.dep" | while read -r p; do
    [ -f "$W/g/lib/modules/$KVER/$p" ] || echo "$p"
done)
check "staged modules.dep lists only included modules" [ -z "$bad" ]
n_dep=$(grep -c . "$W/g/lib/modules/$KVER/modules.dep")
n_ko=$(grep -Ec '\.ko(\.zst)?$' "$W/generic.list")
# The modules every boot loads are stored plain (the kernel unpacks them
# anyway); the others zstd-compressed, expanded only when loaded.
n_plain=$(grep -c '\.ko$' "$W/generic.list")
# shellcheck disable=SC2046 # one argument per module name
plain_load=$(modprobe -d "$W/g" -S "$KVER" -C "$W/tmp" --show-depends -a $(cat "$W/g/etc/hatch/modules" "$W/g/etc/hatch/modules.first" "$W/g/etc/hatch/modules.if-present") 2>&1 |
    awk '$1 == "insmod" { print $2 }' | sed -e 's|.*/||' -e 's/\.ko$//' -e 's/-/_/g' | sort -u | tr '\n' ' ')
plain_have=$(grep '\.ko$' "$W/generic.list" | sed -e 's|.*/||' -e 's/\.ko$//' -e 's/-/_/g' | sort | tr '\n' ' ')
check "plain modules are exactly the load list ($n_plain of $n_ko)" [ "$plain_load" = "$plain_have" ]
check "every included module is in modules.dep ($n_ko)" [ "$n_dep" -eq "$n_ko" ]
out=$(modprobe -d "$W/g" -S "$KVER" -C "$W/tmp" --show-depends ext4 2>&1 | awk '{ print $2 }' | sed 's|.*/||' | tr '\n' ' ')
case $out in
*crc32c_generic.ko*jbd2.ko*mbcache.ko*crc16.ko*ext4.ko*) ok "modprobe resolves ext4 with softdeps from the image alone" ;;
*) nok "modprobe resolves ext4 with softdeps from the image alone" "$out" ;;
esac
check "modules.softdep in the image has ext4's crc32c" grep -q '^softdep ext4 pre: crypto-crc32c' "$W/g/lib/modules/$KVER/modules.softdep"
owners=$(payload "$W/generic.img" | cpio -tv --numeric-uid-gid --quiet 2>/dev/null | awk '$3 != 0 || $4 != 0' | wc -l)
check "every entry is owned by 0:0" [ "$owners" -eq 0 ]
# Files unpacked keep their mtime exactly; directories are compared through
# the listing (every entry shows the same date).
mtimes=$(find "$W/g" -type f -exec stat -c %Y {} + | sort -u | tr '\n' ' ')
dates=$(payload "$W/generic.img" | TZ=UTC cpio -tv --quiet 2>/dev/null | awk '{ print $6, $7, $8 }' | sort -u | wc -l)
if [ "$mtimes" = "$SOURCE_DATE_EPOCH " ] && [ "$dates" -eq 1 ]; then ok "every mtime is SOURCE_DATE_EPOCH"; else nok "every mtime is SOURCE_DATE_EPOCH" "failed"; fi
check "no temporary files left" tmp_clean

# --- reproducibility --------------------------------------------------------
gen -o "$W/generic2.img" 2>/dev/null
check "build twice: byte-identical" cmp -s "$W/generic.img" "$W/generic2.img"
TMPDIR=$W/tmp/other
mkdir -p "$TMPDIR"
gen -o "$W/generic3.img" 2>/dev/null
TMPDIR=$W/tmp
rmdir "$W/tmp/other"
check "another staging directory: byte-identical" cmp -s "$W/generic.img" "$W/generic3.img"
SOURCE_DATE_EPOCH=1 gen -o "$W/epoch.img" 2>/dev/null
differs() { ! cmp -s "$1" "$2"; }
check "another SOURCE_DATE_EPOCH: different bytes" differs "$W/generic.img" "$W/epoch.img"
rm -f "$W/generic2.img" "$W/generic3.img" "$W/epoch.img"

# --- other shells -----------------------------------------------------------
SMALL="-H base,verity -m ext4,virtio_blk"
# shellcheck disable=SC2086 # SMALL is a list of options
gen $SMALL -o "$W/small-sh.img" 2>/dev/null
listing "$W/small-sh.img" >"$W/small-sh.list"
check "without the modules hook no etc/hatch/modules.if-present" lacks "$W/small-sh.list" 'modules\.if-present'
if command -v dash >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    dash "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" $SMALL -o "$W/small-dash.img" 2>/dev/null
    check "runs under dash, same bytes" cmp -s "$W/small-sh.img" "$W/small-dash.img"
else
    nok "dash installed"
fi
if command -v busybox >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    busybox ash "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" $SMALL -o "$W/small-ash.img" 2>"$W/ash.err"
    check "runs under busybox ash, same bytes" cmp -s "$W/small-sh.img" "$W/small-ash.img"
else
    nok "busybox installed"
fi

# --- compressions -----------------------------------------------------------
valid() { # COMP FILE: the compressor's own integrity test
    case $1 in
    gzip) gzip -t "$2" ;;
    zstd) zstd -q -t "$2" ;;
    xz) xz -t "$2" ;;
    lz4) lz4 -q -t "$2" ;;
    none) cpio -t --quiet <"$2" >/dev/null 2>&1 ;;
    esac
}
for c in gzip zstd xz lz4 none; do
    # shellcheck disable=SC2086
    if gen $SMALL -c "$c" -o "$W/c-$c.img" 2>"$W/c.err" && split_image "$W/c-$c.img" &&
        [ "$(magic "$W/payload.raw")" = "$c" ]; then
        if valid "$c" "$W/payload.raw" && listing "$W/c-$c.img" | grep -qx init; then
            ok "-c $c: right magic, valid, cpio lists /init"
        else
            nok "-c $c: right magic, valid, cpio lists /init"
        fi
    else
        nok "-c $c: builds with the right magic" "$(cat "$W/c.err")"
    fi
done
payload "$W/c-zstd.img" | cpio -tv --quiet 2>/dev/null | sort -u >"$W/p1"
payload "$W/c-none.img" | cpio -tv --quiet 2>/dev/null | sort -u >"$W/p2"
check "all compressions carry the same entries" cmp -s "$W/p1" "$W/p2"
# The files already compressed go in an uncompressed archive in front of
# the compressed one: the main archive has none of them, and -c none one
# archive only.
# stored_size IMAGE [OFFSET]: the bytes of the uncompressed cpio at OFFSET,
# padded to its blocks as cpio writes it.
stored_size() {
    tail -c +$((${2:-0} + 1)) "$1" | cpio -t 2>&1 >/dev/null | awk '/block/ { print $1 * 512 }'
}
stored_first() { # IMAGE: an uncompressed archive of .zst files comes first
    [ "$(head -c 6 "$1")" = 070701 ] && cpio -t --quiet <"$1" 2>/dev/null | grep -q '/dm-verity.ko.zst$' &&
        ! cpio -t --quiet <"$1" 2>/dev/null | grep -qx init
}
check "zstd: the .zst files are stored in front, uncompressed (dm_verity's), without /init" \
    stored_first "$W/c-zstd.img"
check "-c none: one archive" [ "$(stored_size "$W/c-none.img")" = "$(wc -c <"$W/c-none.img" | tr -d ' ')" ]

# A kernel whose config only allows gzip.
FAKEK=$W/gzip-only
mkdir -p "$FAKEK/lib/modules" "$FAKEK/boot"
ln -s "$KMOD" "$FAKEK/lib/modules/$KVER"
printf 'CONFIG_RD_GZIP=y\n# CONFIG_RD_ZSTD is not set\n' >"$FAKEK/boot/config-$KVER"
sh "$GEN" -i "$INIT" -k "$KVER" -b "$FAKEK" -H base -o "$W/gz.img" 2>/dev/null
check "default compression follows the kernel config (gzip only)" [ "$(main_magic "$W/gz.img")" = gzip ]
expect_error "zstd refused for a kernel without CONFIG_RD_ZSTD" \
    "hatch: mkinitramfs: kernel $KVER cannot unpack a zstd initramfs (CONFIG_RD_ZSTD is not set in $FAKEK/boot/config-$KVER)" \
    sh "$GEN" -i "$INIT" -k "$KVER" -b "$FAKEK" -H base -c zstd -o "$W/err.img"

# --- --list -----------------------------------------------------------------
gen --list >"$W/list.out" 2>/dev/null
expect_error "--list with -o refused (it writes no image)" \
    "hatch: mkinitramfs: --list writes no image; leave out -o $W/err.img" \
    gen --list -o "$W/err.img"
check "--list shows files, directories and symlinks" has "$W/list.out" \
    init etc/hatch/kver bin/ "bin/sh -> busybox" "lib/modules/$KVER/kernel/fs/ext4/ext4.ko"
sed -e 's|/$||' -e 's| -> .*||' "$W/list.out" | LC_ALL=C sort >"$W/list.names"
check "--list matches the image's contents" cmp -s "$W/list.names" "$W/generic.list"

# --- errors: one line, non-zero, no output file, no temporary files ---------
expect_error "missing module directory" \
    "hatch: mkinitramfs: no module directory $KROOT/lib/modules/0.0.0-none (is kernel 0.0.0-none installed? see -k and -b)" \
    sh "$GEN" -i "$INIT" -k 0.0.0-none -b "$KROOT" -o "$W/err.img"
expect_error "missing base directory" \
    "hatch: mkinitramfs: no such directory: $W/nowhere (-b)" \
    sh "$GEN" -i "$INIT" -k "$KVER" -b "$W/nowhere" -o "$W/err.img"
expect_error "unknown module (-m)" \
    "hatch: mkinitramfs: unknown module 'no_such_module' (-m): not in $KMOD" \
    gen -H base -m ext4,no_such_module -o "$W/err.img"
expect_error "invalid module name (-m)" \
    "hatch: mkinitramfs: invalid module name 'a/b' (-m)" \
    gen -m 'a/b' -o "$W/err.img"
expect_error "non-static init" \
    "hatch: mkinitramfs: init $DYN_INIT is dynamically linked (it has an ELF interpreter); hatch needs a static init" \
    sh "$GEN" -i "$DYN_INIT" -k "$KVER" -b "$KROOT" -o "$W/err.img"
expect_error "init that is not ELF" \
    "hatch: mkinitramfs: init $TXT_INIT is not an ELF executable" \
    sh "$GEN" -i "$TXT_INIT" -k "$KVER" -b "$KROOT" -o "$W/err.img"
expect_error "missing init" \
    "hatch: mkinitramfs: no such init: $W/no-init (-i)" \
    sh "$GEN" -i "$W/no-init" -k "$KVER" -b "$KROOT" -o "$W/err.img"
expect_error "unknown hook" \
    "hatch: mkinitramfs: unknown hook 'nosuchhook' (searched: $W/etc/hatch/hooks $TOP/hooks)" \
    gen -H base,nosuchhook -o "$W/err.img"
expect_error "unknown compression" \
    "hatch: mkinitramfs: unknown compression 'bzip2' (use gzip, zstd, xz, lz4 or none)" \
    gen -c bzip2 -o "$W/err.img"
expect_error "unknown option" \
    "hatch: mkinitramfs: unknown option '--frobnicate' (see --help)" \
    gen --frobnicate -o "$W/err.img"
expect_error "option without its argument" \
    "hatch: mkinitramfs: option -o needs an argument (see --help)" \
    gen -o
expect_error "stray argument" \
    "hatch: mkinitramfs: unexpected argument 'extra' (see --help)" \
    gen -o "$W/err.img" extra
expect_error "bad SOURCE_DATE_EPOCH" \
    "hatch: mkinitramfs: SOURCE_DATE_EPOCH must be a number of seconds, not 'yesterday'" \
    env SOURCE_DATE_EPOCH=yesterday sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -o "$W/err.img"
expect_error "output directory missing" \
    "hatch: mkinitramfs: output directory $W/no/such does not exist" \
    gen -o "$W/no/such/err.img"

# Missing tools: a PATH of links to everything except the tool.
FAKEPATH=$W/path
mkdir -p "$FAKEPATH"
for d in /usr/local/bin /usr/bin /bin /usr/sbin /sbin; do
    [ -d "$d" ] || continue
    for f in "$d"/*; do
        [ -e "$FAKEPATH/${f##*/}" ] || ln -s "$f" "$FAKEPATH/${f##*/}"
    done
done
rm -f "$FAKEPATH/lz4" "$FAKEPATH/cpio"
mkdir -p "$W/nolz4"
for f in "$FAKEPATH"/*; do ln -s "$f" "$W/nolz4/"; done
ln -s "$(command -v cpio)" "$W/nolz4/cpio"
expect_error "missing tool (lz4)" \
    "hatch: mkinitramfs: missing tool: lz4" \
    env PATH="$W/nolz4" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -c lz4 -o "$W/err.img"
expect_error "missing tool (cpio)" \
    "hatch: mkinitramfs: missing tool: cpio (install GNU cpio)" \
    env PATH="$FAKEPATH" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -o "$W/err.img"
if command -v busybox >/dev/null 2>&1; then
    mkdir -p "$W/bbcpio"
    ln -s "$(command -v busybox)" "$W/bbcpio/cpio"
    expect_error "cpio without --reproducible refused" \
        "hatch: mkinitramfs: missing tool: GNU cpio 2.12 or later ($W/bbcpio/cpio has no --reproducible)" \
        env PATH="$W/bbcpio:$FAKEPATH" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -o "$W/err.img"
fi

# An existing OUT survives a failed build untouched.
echo previous >"$W/keep.img"
gen -H base -m no_such_module -o "$W/keep.img" 2>/dev/null
check "failed build leaves an existing OUT untouched" [ "$(cat "$W/keep.img")" = previous ]

# --- hooks ------------------------------------------------------------------
HD=$W/hooks
mkdir -p "$HD" "$W/bad-hooks"
echo "hello from a hook" >"$W/payload.txt"
cat >"$HD/testfile" <<EOF
help() { echo "test hook"; }
build() {
    add_file "$W/payload.txt" /etc/test.txt
    add_file "$W/payload.txt" /etc/secret 0600
    add_dir /opt/x
    add_dir /opt/a opt/b /opt/c/d
    add_symlink /etc/link test.txt
    add_binary dash /bin/dash
    add_module loop
    force_load squashfs
    force_load --if-present nvme squashfs
    add_module --first crc16
    kernel_config MODULE_SIG_HASH >"$W/kconfig.out"
}
EOF
cat >"$W/bad-hooks/bad1" <<'EOF'
help() { echo "fails through the API"; }
build() { add_file /no/such/file /x; }
EOF
cat >"$W/bad-hooks/bad2" <<'EOF'
help() { echo "returns non-zero"; }
build() { return 3; }
EOF
printf 'help() { echo "no build"; }\n' >"$W/bad-hooks/bad3"
cat >"$W/bad-hooks/badmod" <<'EOF'
build() { add_module no_such_module; }
EOF
cat >"$W/bad-hooks/slow" <<'EOF'
build() { sleep 1; }
EOF

gen --hookdir "$HD" -H base,testfile -o "$W/hook.img" 2>"$W/hook.err"
listing "$W/hook.img" >"$W/hook.list"
check "user hook dir: add_file, add_dir, add_symlink" has "$W/hook.list" etc/test.txt etc/secret opt/x etc/link
check "user hook dir: add_dir with three directories makes each" has "$W/hook.list" opt/a opt/b opt/c opt/c/d
check "user hook: add_module and force_load" has "$W/hook.list" \
    "$M/drivers/block/loop.ko.zst" "$M/fs/squashfs/squashfs.ko"
unpack "$W/hook.img" "$W/h"
check "user hook: force_load lists only squashfs" [ "$(cat "$W/h/etc/hatch/modules")" = squashfs ]
check "user hook: force_load --if-present lists nvme, not squashfs (loaded anyway)" \
    [ "$(cat "$W/h/etc/hatch/modules.if-present")" = nvme ]
check "user hook: an --if-present module is stored plain, as the list's" has "$W/hook.list" \
    "$M/drivers/nvme/host/nvme.ko" "$M/drivers/nvme/host/nvme-core.ko"
check "user hook: add_module --first lists only crc16 first" [ "$(cat "$W/h/etc/hatch/modules.first")" = crc16 ]
check "user hook: kernel_config MODULE_SIG_HASH is sha256" [ "$(cat "$W/kconfig.out")" = sha256 ]
check "add_file MODE is kept" [ "$(stat -c %a "$W/h/etc/secret")" = 600 ]
check "add_symlink target" [ "$(readlink "$W/h/etc/link")" = test.txt ]
ldd "$(command -v dash)" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    sed 's|^/||' >"$W/dash.libs"
has_libs() { # LIST: every library of dash is in LIST
    while read -r l; do has "$1" "$l" || return 1; done <"$W/dash.libs"
    [ -s "$W/dash.libs" ]
}
check "add_binary copies a dynamic binary's interpreter and libraries" has_libs "$W/hook.list"
check "add_binary puts the binary at DEST" has "$W/hook.list" bin/dash
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null 2>&1; then
    out=$(chroot "$W/h" /bin/dash -c 'echo works' 2>&1)
    check "add_binary result runs in the image root (chroot)" [ "$out" = works ]
fi
gen --hookdir "$HD" -H +testfile --list 2>/dev/null >"$W/plus.list"
check "-H +HOOK adds to the default hooks" has "$W/plus.list" etc/test.txt bin/busybox.zst

expect_error "hook failures counted and reported" \
    "hatch: mkinitramfs: hook bad1: add_file: no such file: /no/such/file
hatch: mkinitramfs: hook bad2 failed (exit status 3)
hatch: mkinitramfs: hook bad3: $W/bad-hooks/bad3 defines no build()
hatch: mkinitramfs: 3 hook(s) failed: bad1 bad2 bad3; $W/err.img not written" \
    gen --hookdir "$W/bad-hooks" -H base,bad1,bad2,bad3 -o "$W/err.img"
printf 'help() { echo x; }\nbuild() { add_dir /ok1 /ok2 ../x; }\n' >"$W/bad-hooks/baddir"
expect_error "add_dir with several directories, one of them bad" \
    "hatch: mkinitramfs: hook baddir: add_dir: bad path '../x'
hatch: mkinitramfs: 1 hook(s) failed: baddir; $W/err.img not written" \
    gen --hookdir "$W/bad-hooks" -H base,baddir -o "$W/err.img"
expect_error "unknown module from a hook" \
    "hatch: mkinitramfs: unknown module 'no_such_module' (hook badmod): not in $KMOD" \
    gen --hookdir "$W/bad-hooks" -H base,badmod -o "$W/err.img"
expect_error "the image needs the base hook" \
    "hatch: mkinitramfs: the image has no /init: the hook list must include base" \
    gen -H verity -o "$W/err.img"
sh "$GEN" --hookdir "$HD" --list-hooks 2>&1 | awk '{ print $1 }' >"$W/hooks.out"
check "--list-hooks shows shipped and user hooks" has "$W/hooks.out" base modules verity busybox microcode testfile

# Interrupted: TERM while a hook runs leaves neither OUT nor temporary files.
sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --hookdir "$W/bad-hooks" -H base,slow -o "$W/err.img" 2>/dev/null &
pid=$!
sleep 0.3
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
sleep 1
leftover=$(find "$W" -maxdepth 1 -name '.*hatch-tmp*')
if [ "$rc" -ne 0 ] && [ ! -e "$W/err.img" ] && tmp_clean && [ -z "$leftover" ]; then
    ok "SIGTERM: non-zero exit, no OUT, no temporary files"
else
    nok "SIGTERM: non-zero exit, no OUT, no temporary files" "exit $rc; tmp: $(find "$TMPDIR" -mindepth 1 -maxdepth 1) $leftover"
fi

# Killed outright (SIGKILL: no trap runs): the leftovers stay, and the next
# run with the same OUT and TMPDIR removes them (their process is gone).
sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --hookdir "$W/bad-hooks" -H base,slow -o "$W/kill.img" 2>/dev/null &
pid=$!
# leftovers PID: how many of its staging directory and OUT's temporary file exist.
leftovers() {
    find "$TMPDIR" "$W" -maxdepth 1 \( -name "hatch-mkinitramfs.$1.*" -o -name ".kill.img.hatch-tmp.$1" \) | wc -l
}
i=0
while [ "$(leftovers "$pid")" -lt 2 ] && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
sleep 1.2
n_left=$(leftovers "$pid")
check "SIGKILL leaves a staging directory and OUT's temporary file ($n_left)" [ "$n_left" -eq 2 ]
mkdir "$TMPDIR/hatch-mkinitramfs.$$.alive"
gen -H base -o "$W/kill.img" 2>/dev/null
n_left=$(leftovers "$pid")
if [ "$n_left" -eq 0 ] && [ -s "$W/kill.img" ]; then ok "the next run removes the leftovers of the killed one"; else nok "the next run removes the leftovers of the killed one" "failed"; fi
check "... but not those of a live process" [ -d "$TMPDIR/hatch-mkinitramfs.$$.alive" ]
rmdir "$TMPDIR/hatch-mkinitramfs.$$.alive"
rm -f "$W/kill.img"

# Hooks: --hookdir hooks run with the default list, once each; -H LIST runs
# exactly LIST; exit in and around build(); output kept out of --list.
AH=$W/auto-hooks
mkdir -p "$AH"
printf 'build() { add_file "%s" /etc/auto.txt; echo LEAKED; }\n' "$W/payload.txt" >"$AH/auto"
printf 'build() { add_file "%s" /etc/backup.txt; }\n' "$W/payload.txt" >"$AH/auto.dpkg-old"
printf 'build() { echo ran >>"%s"; }\n' "$W/count.log" >"$AH/count"
gen --hookdir "$AH" --list >"$W/auto.ls" 2>"$W/auto.err"
check "--hookdir: its hooks run with the default list" has "$W/auto.ls" etc/auto.txt bin/busybox.zst
check "--hookdir: backup files (x.dpkg-old) are not run" lacks "$W/auto.ls" backup.txt
check "hook output stays out of --list (stdout)" lacks "$W/auto.ls" LEAKED
check "hook output goes to stderr" grep -qx LEAKED "$W/auto.err"
gen --hookdir "$AH" -H base --list >"$W/auto2.ls" 2>/dev/null
check "--hookdir with an explicit -H list: only the listed hooks run" lacks "$W/auto2.ls" auto.txt
gen --hookdir "$AH" -H +microcode --list >"$W/auto3.ls" 2>/dev/null
check "--hookdir with -H +LIST: its hooks still run with the default list" has "$W/auto3.ls" etc/auto.txt
rm -f "$W/count.log"
gen --hookdir "$AH" -H +count,count,busybox -v --list >/dev/null 2>"$W/dup.err"
if \
    [ "$(cat "$W/count.log")" = ran ] && [ "$(grep -c '^hatch: mkinitramfs: hook busybox ' "$W/dup.err")" -eq 1 ]; then ok "a hook named twice (or -H +busybox) runs once"; else nok "a hook named twice (or -H +busybox) runs once" "failed"; fi
rm -f "$W/count.log"
gen --hookdir "$AH" -H +count,+busybox -v --list >/dev/null 2>"$W/plus.err"
if \
    [ "$(cat "$W/count.log" 2>/dev/null)" = ran ] && [ "$(grep -c '^hatch: mkinitramfs: hook busybox ' "$W/plus.err")" -eq 1 ]; then ok "-H +a,+b: each added name may carry its own +"; else nok "-H +a,+b: each added name may carry its own +" "failed"; fi
EH=$W/exit-hooks
mkdir -p "$EH"
printf 'build() { add_file "%s" /etc/x.txt; }\nexit 0\n' "$W/payload.txt" >"$EH/toplevelexit"
printf 'build() {\n    add_file "%s" /etc/exit0.txt\n    exit 0\n}\n' "$W/payload.txt" >"$EH/exit0"
printf 'build() { exit 4; }\n' >"$EH/exit4"
printf 'build() {\n    echo x\n' >"$EH/badsyntax"
expect_error "a hook that exits while loaded (build() never ran) is a failure" \
    "hatch: mkinitramfs: hook toplevelexit: $EH/toplevelexit calls exit while being loaded, so build() never ran (a hook defines help() and build() and exits nowhere else)
hatch: mkinitramfs: 1 hook(s) failed: toplevelexit; $W/err.img not written" \
    gen --hookdir "$EH" -H base,toplevelexit -o "$W/err.img"
gen --hookdir "$EH" -H base,exit0 --list >"$W/exit0.ls" 2>"$W/exit0.err"
check "exit 0 in build() is success (what it did is kept)" has "$W/exit0.ls" etc/exit0.txt
expect_error "exit 4 in build() is a failure" \
    "hatch: mkinitramfs: hook exit4 failed (exit status 4)
hatch: mkinitramfs: 1 hook(s) failed: exit4; $W/err.img not written" \
    gen --hookdir "$EH" -H base,exit4 -o "$W/err.img"
rm -f "$W/err.img"
gen --hookdir "$EH" -H base,badsyntax -o "$W/err.img" >"$W/syn.out" 2>"$W/syn.err"
rc=$?
first=$(sed -n 1p "$W/syn.err")
if \
    [ "$rc" -ne 0 ] && [ "$(wc -l <"$W/syn.err")" -eq 2 ] && [ ! -e "$W/err.img" ] &&
    [ "${first#"hatch: mkinitramfs: hook badsyntax: cannot load $EH/badsyntax: "}" != "$first" ] &&
    [ "$(sed -n 2p "$W/syn.err")" = "hatch: mkinitramfs: 1 hook(s) failed: badsyntax; $W/err.img not written" ]; then ok "a hook with a syntax error: our line first, naming the hook and file, then the count"; else nok "a hook with a syntax error: our line first, naming the hook and file, then the count" "failed"; fi

# Options.
expect_error "-o followed by an option: the argument was forgotten" \
    "hatch: mkinitramfs: option -o needs an argument, and '-c' is an option (see --help)" \
    gen -o -c zstd
expect_error "--hookdir of a missing directory refused" \
    "hatch: mkinitramfs: no such hook directory: $W/no-hooks (--hookdir)" \
    gen --hookdir "$W/no-hooks" -o "$W/err.img"
expect_error "--flag=value refused for an option without argument" \
    "hatch: mkinitramfs: option --host-only takes no argument (see --help)" \
    gen --host-only=yes -o "$W/err.img"
gen --hookdir="$HD" -H base,testfile --list >"$W/eq.ls" 2>/dev/null
check "--hookdir=DIR accepted" has "$W/eq.ls" etc/test.txt
gen --lockdown --roothash=aB --lockdown-action=reboot -H base,verity -c none -o "$W/eq.img" 2>/dev/null
pol=$(payload "$W/eq.img" | cpio -i --quiet --to-stdout etc/hatch/policy 2>/dev/null | sed 1d | tr '\n' ' ')
check "--roothash=HEX and --lockdown-action=ACTION accepted" [ "$pol" = "lockdown=1 action=reboot roothash=ab " ]
rm -f "$W/eq.img"

# Every path with spaces and a leading dash: BASEDIR, OUT, init, hook
# directory, TMPDIR (and so every module path); same bytes as plain paths.
SP="$W/sp ace"
mkdir -p "$SP/-b ase/lib/modules" "$SP/-tmp dir" "$SP/-hook dir"
ln -s "$KMOD" "$SP/-b ase/lib/modules/$KVER"
cp "$INIT" "$SP/-in it"
printf 'build() { add_file "%s" /etc/sp.txt; }\n' "$W/payload.txt" >"$SP/-hook dir/sp"
gen --hookdir "$SP/-hook dir" -H base,verity,sp -m ext4 -c zstd -o "$W/sp-plain.img" 2>/dev/null
for shell in sh "busybox ash"; do
    command -v "${shell%% *}" >/dev/null 2>&1 || continue
    rm -f "$SP/-out put.img"
    # shellcheck disable=SC2086 # the shell and its applet
    (cd "$SP" && TMPDIR="-tmp dir" $shell "$GEN" -i "-in it" -k "$KVER" -b "-b ase" --hookdir "-hook dir" \
        -H base,verity,sp -m ext4 -c zstd -o "-out put.img" 2>"$W/sp.err")
    check "paths with spaces and a leading dash ($shell): same bytes as plain paths" \
        cmp -s "$W/sp-plain.img" "$SP/-out put.img"
    check "paths with spaces and a leading dash ($shell): the TMPDIR is left empty" \
        [ -z "$(ls -A "$SP/-tmp dir")" ]
done

# One line each, before any work where it can be known.
expect_error "TMPDIR that does not exist: one line" \
    "hatch: mkinitramfs: TMPDIR /nonexistent/tmp is not a directory; set TMPDIR to a writable directory" \
    env TMPDIR=/nonexistent/tmp sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -H base -o "$W/err.img"
gen -o /proc/hatch-test.img >"$W/proc.out" 2>"$W/proc.err"
rc=$?
case $(cat "$W/proc.err") in
"hatch: mkinitramfs: cannot create a file in /proc ("*"); choose another -o") ok "-o /proc/x.img: one line, before building" ;;
*) nok "-o /proc/x.img: one line, before building" "exit $rc" "$(cat "$W/proc.err")" ;;
esac
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
    mkdir -p "$W/full"
    # A 16 KiB filesystem, in a mount namespace of its own.
    # shellcheck disable=SC2016 # expanded by the inner sh
    unshare -m sh -c 'd=$1; shift; mount -t tmpfs -o size=16k hatch-test "$d" && echo previous >"$d/full.img" &&
        "$@" -o "$d/full.img"; echo "rc=$?"; cat "$d/full.img"; ls -A "$d"' \
        sh "$W/full" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -H base,verity >"$W/full.out" 2>"$W/full.err"
    case $(cat "$W/full.err") in
    "hatch: mkinitramfs: no room for the image in $W/full ("*" KiB needed, "*" KiB free); free some space or choose another -o; no image written")
        if [ "$(cat "$W/full.out")" = "rc=1
previous
full.img" ]; then
            ok "full output filesystem: one line, OUT untouched, no temporary file"
        else
            nok "full output filesystem: one line, OUT untouched, no temporary file" "$(cat "$W/full.out")"
        fi
        ;;
    *) nok "full output filesystem: one line" "$(cat "$W/full.err")" ;;
    esac
    # A full TMPDIR: the tools' messages are folded into one line.
    # shellcheck disable=SC2016 # expanded by the inner sh
    unshare -m sh -c 'd=$1; shift; mount -t tmpfs -o size=256k hatch-test "$d" && TMPDIR=$d "$@"; echo "rc=$?"; ls -A "$d"' \
        sh "$W/full" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -H base,modules -o "$W/err.img" >"$W/full.out" 2>"$W/full.err"
    check "full TMPDIR: one line, nothing left in TMPDIR, no image" \
        [ "$(cat "$W/full.err")" = "hatch: mkinitramfs: cannot copy modules from $KMOD to $W/full (No space left on device)" ] &&
        [ "$(cat "$W/full.out")" = rc=1 ] && [ ! -e "$W/err.img" ]
fi

# --- --lockdown -------------------------------------------------------------
POLICY_HEAD='# hatch lockdown policy (mkinitramfs.sh --lockdown); the init refuses what it forbids'
# policy_of IMAGE: the bytes of etc/hatch/policy in the image, to $W/policy.got.
policy_of() {
    rm -f "$W/policy.got"
    payload "$1" >"$W/policy.cpio" &&
        cpio -i --quiet --to-stdout etc/hatch/policy <"$W/policy.cpio" >"$W/policy.got" 2>/dev/null
}
# policy_is IMAGE LINE...: etc/hatch/policy is exactly the header and LINEs,
# each ending in a newline.
policy_is() {
    _img=$1
    shift
    printf '%s\n' "$POLICY_HEAD" "$@" >"$W/policy.want"
    if policy_of "$_img" && cmp -s "$W/policy.want" "$W/policy.got"; then
        return 0
    fi
    echo "policy: $(od -c "$W/policy.got" 2>&1 | head -8)" >&2
    return 1
}
# no_shell LISTFILE: no line names a shell in bin, sbin, usr/bin, usr/sbin.
no_shell() {
    ! grep -E '^(usr/)?s?bin/(sh|ash|bash|dash|busybox|busybox\.zst)( -> .*)?$' "$1"
}

gen --lockdown -o "$W/lock.img" 2>"$W/lock.err"
check "--lockdown: the default image builds" [ -s "$W/lock.img" ]
check "--lockdown: policy is lockdown=1, action=halt, no roothash" policy_is "$W/lock.img" lockdown=1 action=halt
mode=$(payload "$W/lock.img" | cpio -tv --quiet 2>/dev/null | awk '$NF == "etc/hatch/policy" { print $1 }')
check "--lockdown: policy mode is 0644 (got '$mode')" [ "$mode" = "-rw-r--r--" ]
listing "$W/lock.img" >"$W/lock.list"
check "--lockdown: init, policy, dm-verity and ext4 are in" has "$W/lock.list" \
    init etc/hatch/policy etc/hatch/kver "$M/drivers/md/dm-verity.ko.zst" "$M/fs/ext4/ext4.ko"
check "--lockdown: no shell in the image's listing" no_shell "$W/lock.list"
gen --lockdown --list >"$W/lock.ls" 2>/dev/null
check "--lockdown --list: shows the policy" has "$W/lock.ls" bin/ init etc/hatch/policy
check "--lockdown --list: no shell listed" no_shell "$W/lock.ls"
check "--lockdown --list: nothing names busybox" lacks "$W/lock.ls" busybox
unpack "$W/lock.img" "$W/lu"
shells=$(cd "$W/lu" && find . -name sh -o -name ash -o -name bash -o -name dash -o -name 'busybox*')
check "--lockdown: the unpacked image holds no shell ('$shells')" test -z "$shells" -a -f "$W/lu/init"
check "--lockdown: the unpacked bin/ is empty" test -d "$W/lu/bin" -a -z "$(ls -A "$W/lu/bin")"
check "without --lockdown: no etc/hatch/policy (listing)" lacks "$W/generic.list" '^etc/hatch/policy$'
check "without --lockdown: no etc/hatch/policy (unpacked)" test ! -e "$W/g/etc/hatch/policy" -a -f "$W/g/etc/hatch/kver"

HASH_UC=0123456789ABCDEFabcdef0123456789ABCDEF0123456789abcdefABCDEF0123
HASH_LC=0123456789abcdefabcdef0123456789abcdef0123456789abcdefabcdef0123
LOCKSMALL="--lockdown -H base,verity -c none"
# shellcheck disable=SC2086 # LOCKSMALL is a list of options
gen $LOCKSMALL --roothash "$HASH_UC" -o "$W/lock-hash.img" 2>/dev/null
check "--roothash: stored in lowercase after lockdown=1 and action=" \
    policy_is "$W/lock-hash.img" lockdown=1 action=halt "roothash=$HASH_LC"
for a in halt reboot poweroff; do
    # shellcheck disable=SC2086
    gen $LOCKSMALL --lockdown-action "$a" --roothash aB -o "$W/lock-$a.img" 2>/dev/null
    check "--lockdown-action $a: action=$a" policy_is "$W/lock-$a.img" lockdown=1 "action=$a" roothash=ab
done
H128=$(printf '%0128d' 0 | tr 0 F)
# shellcheck disable=SC2086
gen $LOCKSMALL --roothash "$H128" -o "$W/lock-128.img" 2>/dev/null
check "--roothash of 128 hex digits accepted" policy_is "$W/lock-128.img" lockdown=1 action=halt \
    "roothash=$(printf '%s' "$H128" | tr F f)"

# Reproducible, and the same bytes from dash and busybox ash.
gen --lockdown --roothash "$HASH_UC" --lockdown-action reboot -o "$W/lock-r1.img" 2>/dev/null
gen --lockdown --roothash "$HASH_UC" --lockdown-action reboot -o "$W/lock-r2.img" 2>/dev/null
check "--lockdown: build twice, byte-identical" cmp -s "$W/lock-r1.img" "$W/lock-r2.img"
check "--lockdown: a different policy gives different bytes" differs "$W/lock-r1.img" "$W/lock.img"
if command -v dash >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    dash "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" $LOCKSMALL --roothash "$HASH_UC" -o "$W/lock-dash.img" 2>/dev/null
    check "--lockdown under dash, same bytes" cmp -s "$W/lock-hash.img" "$W/lock-dash.img"
fi
if command -v busybox >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    busybox ash "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" $LOCKSMALL --roothash "$HASH_UC" -o "$W/lock-ash.img" 2>/dev/null
    check "--lockdown under busybox ash, same bytes" cmp -s "$W/lock-hash.img" "$W/lock-ash.img"
fi
rm -f "$W"/lock-*.img

# --- --roothash-sig ---------------------------------------------------------
# A DER file the generator takes: it checks only the DER SEQUENCE start and
# the size (the kernel checks the signature).
printf '0\202\001\000sig' >"$W/rh.p7s"
# shellcheck disable=SC2086
gen $LOCKSMALL --roothash "$HASH_UC" --roothash-sig "$W/rh.p7s" -o "$W/lock-sig.img" 2>/dev/null
check "--lockdown --roothash-sig: the policy requires the signature" \
    policy_is "$W/lock-sig.img" lockdown=1 action=halt "roothash=$HASH_LC" signature=required
payload "$W/lock-sig.img" >"$W/sig.cpio"
cpio -i --quiet --to-stdout etc/hatch/roothash.p7s <"$W/sig.cpio" >"$W/sig.got" 2>/dev/null
check "--roothash-sig: the file is etc/hatch/roothash.p7s, byte for byte" cmp -s "$W/rh.p7s" "$W/sig.got"
mode=$(cpio -tv --quiet <"$W/sig.cpio" 2>/dev/null | awk '$NF == "etc/hatch/roothash.p7s" { print $1 }')
check "--roothash-sig: mode 0644 (got '$mode')" [ "$mode" = "-rw-r--r--" ]
sh "$GEN" --show "$W/lock-sig.img" >"$W/sig.show" 2>&1
check "--show names the root hash signature" grep -qx 'root hash signature: etc/hatch/roothash.p7s (7 bytes)' "$W/sig.show"
gen -H base,verity -c none --roothash-sig "$W/rh.p7s" -o "$W/sig-open.img" 2>/dev/null
listing "$W/sig-open.img" >"$W/sig-open.list"
check "--roothash-sig without --lockdown: shipped" has "$W/sig-open.list" etc/hatch/roothash.p7s
check "--roothash-sig without --lockdown: no policy" lacks "$W/sig-open.list" '^etc/hatch/policy$'
check "without --roothash-sig: no etc/hatch/roothash.p7s" lacks "$W/generic.list" '^etc/hatch/roothash.p7s$'
gen --lockdown --list --roothash-sig "$W/rh.p7s" >"$W/sig.ls" 2>/dev/null
check "--list shows etc/hatch/roothash.p7s" has "$W/sig.ls" etc/hatch/roothash.p7s
printf -- '-----BEGIN CMS-----\nMIIB\n-----END CMS-----\n' >"$W/rh.pem"
expect_error "--roothash-sig: PEM refused" \
    "hatch: mkinitramfs: --roothash-sig: $W/rh.pem is PEM; the kernel reads DER: make it with openssl cms -sign ... -outform der" \
    gen --roothash-sig "$W/rh.pem" -o "$W/err.img"
printf 'hello' >"$W/rh.txt"
expect_error "--roothash-sig: not DER refused" \
    "hatch: mkinitramfs: --roothash-sig: $W/rh.txt is not a DER PKCS#7 signature (it does not start with a DER SEQUENCE)" \
    gen --roothash-sig "$W/rh.txt" -o "$W/err.img"
: >"$W/rh.empty"
expect_error "--roothash-sig: empty file refused" \
    "hatch: mkinitramfs: --roothash-sig: $W/rh.empty is empty" gen --roothash-sig "$W/rh.empty" -o "$W/err.img"
expect_error "--roothash-sig: missing file refused" \
    "hatch: mkinitramfs: --roothash-sig: no such file: $W/nope.p7s" gen --roothash-sig "$W/nope.p7s" -o "$W/err.img"
head -c 32768 /dev/zero | tr '\0' 0 >"$W/rh.big"
expect_error "--roothash-sig: over 32767 bytes refused" \
    "hatch: mkinitramfs: --roothash-sig: $W/rh.big has 32768 bytes; the kernel's keyring takes at most 32767 (a detached signature is about 1-2 KB)" \
    gen --roothash-sig "$W/rh.big" -o "$W/err.img"
expect_error "--roothash-sig with --show refused" \
    "hatch: mkinitramfs: --show writes no image; leave out --roothash-sig" \
    gen --show "$W/lock-sig.img" --roothash-sig "$W/rh.p7s"
rm -f "$W"/lock-sig.img "$W"/sig-open.img "$W"/sig.cpio

NOSHELL="a locked-down image holds no shell"
expect_error "--lockdown refuses -H +busybox" \
    "hatch: mkinitramfs: --lockdown: the hook list names busybox, a shell; $NOSHELL" \
    gen -H +busybox --lockdown -o "$W/err.img"
expect_error "--lockdown refuses a -H list naming busybox" \
    "hatch: mkinitramfs: --lockdown: the hook list names busybox, a shell; $NOSHELL" \
    gen --lockdown -H base,verity,busybox -o "$W/err.img"
expect_error "--lockdown refuses a hook list without verity" \
    "hatch: mkinitramfs: --lockdown: the hook list lacks verity; a locked-down image boots only a dm-verity root" \
    gen --lockdown -H base,modules -o "$W/err.img"
expect_error "--roothash without --lockdown refused" \
    "hatch: mkinitramfs: --roothash needs --lockdown (the root hash is pinned in the lockdown policy)" \
    gen --roothash "$HASH_LC" -o "$W/err.img"
expect_error "--lockdown-action without --lockdown refused" \
    "hatch: mkinitramfs: --lockdown-action needs --lockdown" \
    gen --lockdown-action halt -o "$W/err.img"
expect_error "--roothash that is not hex refused" \
    "hatch: mkinitramfs: --roothash '0123xyz9' is not a hex string (digits 0-9, a-f only)" \
    gen --lockdown --roothash 0123xyz9 -o "$W/err.img"
expect_error "--roothash with a space refused" \
    "hatch: mkinitramfs: --roothash 'ab cd' is not a hex string (digits 0-9, a-f only)" \
    gen --lockdown --roothash 'ab cd' -o "$W/err.img"
expect_error "--roothash of odd length refused" \
    "hatch: mkinitramfs: --roothash has an odd number of hex digits (3); a hash is whole bytes" \
    gen --lockdown --roothash abc -o "$W/err.img"
expect_error "--roothash of 130 digits refused" \
    "hatch: mkinitramfs: --roothash has 130 hex digits; at most 128 (a 512-bit hash)" \
    gen --lockdown --roothash "${H128}ab" -o "$W/err.img"
expect_error "empty --roothash refused" \
    "hatch: mkinitramfs: --roothash has 0 hex digits; at least 2" \
    gen --lockdown --roothash '' -o "$W/err.img"
expect_error "unknown --lockdown-action refused" \
    "hatch: mkinitramfs: unknown --lockdown-action 'shell' (use halt, reboot or poweroff)" \
    gen --lockdown --lockdown-action shell -o "$W/err.img"
expect_error "empty --lockdown-action refused" \
    "hatch: mkinitramfs: unknown --lockdown-action '' (use halt, reboot or poweroff)" \
    gen --lockdown --lockdown-action '' -o "$W/err.img"

# Hooks that stage a shell: refused under --lockdown, naming hook and path.
# Each in a directory of its own: the hooks of a --hookdir all run with the
# default list (and -H +NAME).
mkdir -p "$W/hk-addsh" "$W/hk-earlysh"
printf 'build() { add_binary dash /bin/sh; }\n' >"$W/hk-addsh/addsh"
printf 'build() { add_file "%s" /usr/sbin/bash 0755; }\n' "$W/payload.txt" >"$HD/addbash"
printf 'build() { add_early bin/sh "%s"; }\n' "$W/payload.txt" >"$W/hk-earlysh/earlysh"
expect_error "--lockdown refuses a hook that adds /bin/sh" \
    "hatch: mkinitramfs: --lockdown: hook addsh put a shell in the image (/bin/sh); $NOSHELL" \
    gen --lockdown --hookdir "$W/hk-addsh" -H +addsh -o "$W/err.img"
expect_error "--lockdown refuses a shell by name in usr/sbin" \
    "hatch: mkinitramfs: --lockdown: hook addbash put a shell in the image (/usr/sbin/bash); $NOSHELL" \
    gen --lockdown --hookdir "$HD" -H base,verity,addbash -o "$W/err.img"
expect_error "--lockdown refuses a shell in the early archive" \
    "hatch: mkinitramfs: --lockdown: hook earlysh put a shell in the image (/bin/sh in the early archive); $NOSHELL" \
    gen --lockdown --hookdir "$W/hk-earlysh" -H +earlysh -o "$W/err.img"
expect_error "--lockdown --list refuses a shell too" \
    "hatch: mkinitramfs: --lockdown: hook addsh put a shell in the image (/bin/sh); $NOSHELL" \
    gen --lockdown --hookdir "$W/hk-addsh" --list
gen --hookdir "$W/hk-addsh" -H base,verity,addsh --list >"$W/addsh.ls" 2>/dev/null
check "the same shell hook without --lockdown is fine" has "$W/addsh.ls" bin/sh
echo previous >"$W/keep.img"
gen --lockdown --hookdir "$W/hk-addsh" -H +addsh -o "$W/keep.img" 2>/dev/null
check "a refused --lockdown build leaves an existing OUT untouched" [ "$(cat "$W/keep.img")" = previous ]

# --- firmware ---------------------------------------------------------------
FW=$W/fwroot
mkdir -p "$FW/lib/modules" "$FW/lib/firmware/emi26"
ln -s "$KMOD" "$FW/lib/modules/$KVER"
echo risc >"$FW/lib/firmware/wd719x-risc.bin"
echo wcs | xz --check=crc32 >"$FW/lib/firmware/wd719x-wcs.bin.xz"
echo fw >"$FW/lib/firmware/emi26/firmware.fw"
sh "$GEN" -i "$INIT" -k "$KVER" -b "$FW" -H base -m wd719x,emi26 -o "$W/fw.img" 2>"$W/fw.err"
listing "$W/fw.img" >"$W/fw.list"
check "declared firmware copied when present (plain, .xz, subdirectory)" has "$W/fw.list" \
    lib/firmware/wd719x-risc.bin lib/firmware/wd719x-wcs.bin.xz lib/firmware/emi26/firmware.fw
check "declared firmware that is absent is skipped" lacks "$W/fw.list" emi26/loader.fw

# --- compressed modules -----------------------------------------------------
ZR=$W/zroot
ZM=$ZR/lib/modules/$KVER
mkdir -p "$ZM"
modprobe -d "$KROOT" -S "$KVER" -C "$W/tmp" --show-depends -a ext4 virtio_blk 2>/dev/null |
    awk '$1 == "insmod" { print $2 }' | sed "s|^$KMOD/||" >"$W/zlist"
(cd "$KMOD" && cpio -pd --quiet "$ZM" <"$W/zlist")
while read -r p; do
    case $p in
    */ext4.ko | */virtio_blk.ko) zstd -q --rm "$ZM/$p" ;;
    *) xz --check=crc32 "$ZM/$p" ;;
    esac
done <"$W/zlist"
cp "$KMOD/modules.order" "$KMOD/modules.builtin" "$KMOD/modules.builtin.modinfo" "$ZM/"
depmod -b "$ZR" "$KVER"
sh "$GEN" -i "$INIT" -k "$KVER" -b "$ZR" -H base -m ext4,virtio_blk -o "$W/z.img" 2>"$W/z.err"
listing "$W/z.img" >"$W/z.list"
# The init's libkmod reads plain and zstd modules: zstd ones stay, xz ones
# are expanded (and would be stored zstd-compressed if not loaded at boot).
check "compressed modules: .ko.zst kept, .ko.xz expanded" has "$W/z.list" \
    "$M/fs/ext4/ext4.ko.zst" "$M/fs/jbd2/jbd2.ko" "$M/drivers/block/virtio_blk.ko.zst" "$M/drivers/virtio/virtio.ko"
check "compressed modules: no .ko.xz left" lacks "$W/z.list" '\.ko\.xz$'
unpack "$W/z.img" "$W/zu"
check "depmod indexed the compressed modules" grep -q '^kernel/fs/ext4/ext4.ko.zst: .*jbd2.ko\( \|$\)' "$W/zu/lib/modules/$KVER/modules.dep"
gen --module-compression none -H base,modules -c none -o "$W/mcnone.img" 2>/dev/null
listing "$W/mcnone.img" >"$W/mcnone.list"
check "--module-compression none: every module plain" lacks "$W/mcnone.list" '\.ko\.zst$'
check "--module-compression none: xfs (not loaded at boot) stored plain" has "$W/mcnone.list" "$M/fs/xfs/xfs.ko"
gen --module-compression=lzma --list >/dev/null 2>"$W/mcbad.err"
check "--module-compression lzma: one line" [ "$(cat "$W/mcbad.err")" = "hatch: mkinitramfs: unknown --module-compression 'lzma' (use zstd or none)" ]
# The index files the init's libkmod reads (the .bin ones, modules.softdep)
# and modules.dep, and none that only depmod reads.
( cd "$W/zu/lib/modules/$KVER" && ls modules.* ) >"$W/zu.index"
check "index files: the ones libkmod reads, and modules.dep" has "$W/zu.index" \
    modules.dep modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin \
    modules.builtin.alias.bin modules.softdep
check "index files: none that only depmod reads" lacks "$W/zu.index" \
    '^modules\.\(alias\|symbols\|builtin\|builtin\.modinfo\|order\|devname\)$'

# --- the cache of compressed files ------------------------------------------
# A root of its own (xfs and what it needs, stored compressed; busybox
# packed), so that a module can be written to.
CR=$W/cacheroot
CM=$CR/lib/modules/$KVER
mkdir -p "$CM" "$W/chook"
modprobe -d "$KROOT" -S "$KVER" --show-depends xfs | sed -n 's|^insmod .*/lib/modules/[^/]*/\([^ ]*\).*|\1|p' >"$W/c.rel"
while IFS= read -r r; do
    mkdir -p "$CM/${r%/*}" && cp "$KMOD/$r" "$CM/$r"
done <"$W/c.rel"
cp "$KMOD/modules.order" "$KMOD/modules.builtin" "$KMOD/modules.builtin.modinfo" "$CM/"
depmod -b "$CR" "$KVER"
printf 'help() { echo xfs; }\nbuild() { add_module xfs; }\n' >"$W/chook/xfsmod"
cgen() {
    sh "$GEN" -i "$INIT" -k "$KVER" -b "$CR" -H base,busybox,xfsmod --hookdir "$W/chook" "$@"
}
# centries DIR KIND: the number of entries of KIND (modules, file) in DIR.
centries() {
    set -- "$1"/zstd-*/"$2"-*
    if [ -e "$1" ]; then echo $#; else echo 0; fi
}
# cintact DIR: every entry's name ends in its SHA-256.
cintact() {
    for _ce in "$1"/zstd-*/*-*; do
        _cs=$(sha256sum <"$_ce")
        _cn=${_ce##*-}
        [ "${_cs%% *}" = "${_cn%.*}" ] || return 1
    done
}
# chits ERRFILE KIND: the number of KIND (modules, file) cache hits -v said.
chits() {
    case $2 in
    modules) grep -c 'modules compressed: from the cache' "$1" ;;
    *) grep -c 'busybox compressed: from the cache' "$1" ;;
    esac
}
# csame N: image cN.img is the image built without the cache.
csame() { cmp -s "$W/c0.img" "$W/c$1.img"; }
C=$W/zc
cgen --no-cache -o "$W/c0.img" 2>/dev/null
cgen --cache "$C" -v -o "$W/c1.img" 2>"$W/c1.err"
cgen --cache "$C" -v -o "$W/c2.img" 2>"$W/c2.err"
check "cache: xfs's modules are stored compressed" has "$W/c.rel" kernel/fs/xfs/xfs.ko
check "cache: a first build fills it (one module set, busybox) and uses none" \
    [ "$(centries "$C" modules) $(centries "$C" file) $(chits "$W/c1.err" modules) $(chits "$W/c1.err" file)" = "1 1 0 0" ]
check "cache: a rebuild takes the modules and busybox from it" \
    [ "$(chits "$W/c2.err" modules) $(chits "$W/c2.err" file)" = "1 1" ]
check "cache: the image built with it empty is the image built without it" csame 1
check "cache: the image built from it is the image built without it" csame 2
check "cache: every entry is named by its own SHA-256" cintact "$C"
for kind in modules file; do
    set -- "$C"/zstd-*/"$kind"-*
    printf 'XXXX' | dd of="$1" bs=1 seek=600 conv=notrunc 2>/dev/null
done
cgen --cache "$C" -v -o "$W/c3.img" 2>"$W/c3.err"
check "cache: damaged entries are said and not used" \
    [ "$(grep -c 'is damaged: compressing again' "$W/c3.err") $(chits "$W/c3.err" modules) $(chits "$W/c3.err" file)" = "2 0 0" ]
check "cache: damaged entries are replaced, and the image is the same" csame 3
conegood() { [ "$(centries "$C" modules)" = 1 ] && cintact "$C"; }
check "cache: after damage, one module set, each entry named by its SHA-256" conegood
touch "$CM/kernel/fs/xfs/xfs.ko"
cgen --cache "$C" -v -o "$W/c4.img" 2>"$W/c4.err"
check "cache: a module written since (its change time moved) is compressed again" \
    [ "$(chits "$W/c4.err" modules) $(chits "$W/c4.err" file) $(centries "$C" modules)" = "0 1 2" ]
check "cache: ... and the image is the same" csame 4
XDG_CACHE_HOME='' HOME=$W/chome cgen -o "$W/c5.img" 2>/dev/null
XDG_CACHE_HOME=$W/cxdg HOME=$W/chome2 cgen -o "$W/c6.img" 2>/dev/null
if \
    [ "$(centries "$W/chome/.cache/hatch" modules) $(centries "$W/cxdg/hatch" modules) $(test -e "$W/chome2" && echo used)" = "1 1 " ]; then ok "cache: default \$XDG_CACHE_HOME/hatch, else ~/.cache/hatch"; else nok "cache: default \$XDG_CACHE_HOME/hatch, else ~/.cache/hatch" "failed"; fi
XDG_CACHE_HOME='' HOME=$W/chome3 cgen --no-cache -o "$W/c7.img" 2>/dev/null
check "--no-cache: nothing written to the cache" [ ! -e "$W/chome3" ]
check "--no-cache: the same image" csame 7
cgen --cache zc --list >/dev/null 2>"$W/c8.err"
check "--cache with a relative directory: one line" \
    [ "$(cat "$W/c8.err")" = "hatch: mkinitramfs: --cache needs an absolute directory, not 'zc'" ]
cgen --cache /proc/hatch-cache -o "$W/c9.img" 2>"$W/c9.err"
check "--cache that cannot be made: a warning" \
    grep -q '^hatch: mkinitramfs: warning: cannot create the cache /proc/hatch-cache (.*); building without it$' "$W/c9.err"
check "--cache that cannot be made: the same image" csame 9
# What others can write to could end up in an image.
mkdir -p "$W/cshared" && chmod 0777 "$W/cshared"
cgen --cache "$W/cshared" -o "$W/c10.img" 2>"$W/c10.err"
check "--cache writable by others: a warning" grep -qxF \
    "hatch: mkinitramfs: warning: the cache directory $W/cshared is writable by others, or not yours; building without it" "$W/c10.err"
check "--cache writable by others: nothing cached" [ "$(centries "$W/cshared" modules) $(centries "$W/cshared" file)" = "0 0" ]
check "--cache writable by others: the same image" csame 10
# Nine builds, each after a write to xfs.ko and to the busybox it packs:
# the oldest entries go, 8 of each kind stay.
CK=$W/zckeep
cp /usr/bin/busybox "$W/cbusybox" 2>/dev/null || cp "$(command -v busybox)" "$W/cbusybox"
for i in 1 2 3 4 5 6 7 8 9; do
    touch "$CM/kernel/fs/xfs/xfs.ko" "$W/cbusybox"
    HATCH_BUSYBOX=$W/cbusybox cgen --cache "$CK" -o "$W/ck.img" 2>/dev/null
done
check "cache: 9 builds of changed sources keep the 8 newest module sets and files" \
    [ "$(centries "$CK" modules) $(centries "$CK" file)" = "8 8" ]
# pack_file compresses after the hooks, beside the module staging: a zstd
# that fails on one file still fails the build, naming the hook.
mkdir -p "$W/pfz" "$W/pfhook"
# shellcheck disable=SC2016 # the fake zstd's own $a and $@
printf '#!/bin/sh\nfor a; do case $a in *failme*) echo "zstd: failme: injected failure" >&2; exit 1 ;; esac; done\nexec %s "$@"\n' \
    "$(command -v zstd)" >"$W/pfz/zstd"
chmod 0755 "$W/pfz/zstd"
printf 'failme\n' >"$W/failme"
printf 'help() { echo packer; }\nbuild() { add_file %s /failme; pack_file /failme; }\n' "$W/failme" >"$W/pfhook/packer"
PATH="$W/pfz:$PATH" gen --no-cache -H base,packer --hookdir "$W/pfhook" -o "$W/pf.img" 2>"$W/pf.err"
check "pack_file: zstd failing on the file fails the build, naming the hook and the file" grep -qx \
    "hatch: mkinitramfs: hook packer: pack_file: zstd could not compress /failme (injected failure)" "$W/pf.err"
pfnone() {
    [ "$(sed -n '$p' "$W/pf.err")" = "hatch: mkinitramfs: 1 hook(s) failed: packer; $W/pf.img not written" ] &&
        [ ! -e "$W/pf.img" ]
}
check "pack_file: ... then one line for the hook, and no image" pfnone
gen --no-cache -H base,packer --hookdir "$W/pfhook" -o "$W/pf2.img" 2>/dev/null
listing "$W/pf2.img" >"$W/pf2.list"
check "pack_file: the packed file is in the image as FILE.zst, not as FILE" has "$W/pf2.list" failme.zst
check "pack_file: ... and the plain file is gone" lacks "$W/pf2.list" '^failme$'
printf 'help() { echo packer; }\nbuild() { add_file %s /twice; pack_file /twice; pack_file /twice; }\n' "$W/failme" >"$W/pfhook/twice"
gen --no-cache -H base,twice --hookdir "$W/pfhook" -o "$W/pf3.img" 2>"$W/pf3.err"
check "pack_file twice on one file: the hook fails at once, saying so" grep -qx \
    "hatch: mkinitramfs: hook twice: pack_file: /twice is packed already (by hook twice)" "$W/pf3.err"

# --- early microcode --------------------------------------------------------
UC=$W/ucroot
mkdir -p "$UC/lib/modules" "$UC/lib/firmware/intel-ucode" "$UC/lib/firmware/amd-ucode"
ln -s "$KMOD" "$UC/lib/modules/$KVER"
printf 'INTEL-A' >"$UC/lib/firmware/intel-ucode/06-55-04"
printf 'INTEL-B' >"$UC/lib/firmware/intel-ucode/06-8e-09"
printf 'AMD-17' >"$UC/lib/firmware/amd-ucode/microcode_amd_fam17h.bin"
printf 'ignored' >"$UC/lib/firmware/amd-ucode/microcode_amd_fam17h.bin.asc"
sh "$GEN" -i "$INIT" -k "$KVER" -b "$UC" -H base,microcode -o "$W/uc.img" 2>"$W/uc.err"
check "microcode: the image starts with an uncompressed cpio" [ "$(head -c 6 "$W/uc.img")" = 070701 ]
cpio -t --quiet <"$W/uc.img" >"$W/uc.early" 2>/dev/null
check "microcode: early archive holds GenuineIntel.bin and AuthenticAMD.bin" has "$W/uc.early" \
    kernel/x86/microcode/GenuineIntel.bin kernel/x86/microcode/AuthenticAMD.bin
check "microcode: Intel files concatenated in order" \
    [ "$(cpio -i --quiet --to-stdout kernel/x86/microcode/GenuineIntel.bin <"$W/uc.img" 2>/dev/null)" = INTEL-AINTEL-B ]
check "microcode: AMD .bin files only" \
    [ "$(cpio -i --quiet --to-stdout kernel/x86/microcode/AuthenticAMD.bin <"$W/uc.img" 2>/dev/null)" = AMD-17 ]
listing "$W/uc.img" >"$W/uc.list"
check "microcode: the compressed main archive follows" has "$W/uc.list" init etc/hatch/kver
gen --list -H base,microcode -b "$UC" >"$W/uc.ls" 2>/dev/null
check "--list shows early entries" has "$W/uc.ls" early:kernel/x86/microcode/GenuineIntel.bin
check "--list: early directories end in / too" has "$W/uc.ls" early:kernel/ early:kernel/x86/ early:kernel/x86/microcode/

# --- --host-only ------------------------------------------------------------
# On this machine: either the root is on a block device (then an image with
# fewer modules), or one clear line.
if gen --host-only -o "$W/host.img" 2>"$W/host.err"; then
    listing "$W/host.img" >"$W/host.list"
    n_host=$(grep -Ec '\.ko(\.zst)?$' "$W/host.list")
    unpack "$W/host.img" "$W/hu"
    if [ "$n_host" -lt "$n_ko" ] && [ -s "$W/hu/etc/hatch/modules" ]; then
        ok "--host-only on this machine: $n_host modules, loads $(tr '\n' ' ' <"$W/hu/etc/hatch/modules")"
    else
        nok "--host-only on this machine keeps fewer modules" "$n_host vs $n_ko"
    fi
else
    case $(cat "$W/host.err") in
    "hatch: mkinitramfs: --host-only: "*)
        if [ "$(wc -l <"$W/host.err")" -eq 1 ] && [ ! -e "$W/host.img" ]; then
            ok "--host-only on this machine: one clear line ($(cat "$W/host.err"))"
        else
            nok "--host-only on this machine fails cleanly"
        fi
        ;;
    *) nok "--host-only on this machine" "$(cat "$W/host.err")" ;;
    esac
fi

# A fake machine: erofs on dm-verity over a virtio disk, a USB keyboard, AMD.
S=$W/sysroot
PCI=sys/devices/pci0000:00
mkdir -p "$S/proc/self" "$S/proc/bus/input" "$S/sys/dev/block" "$S/sys/class/block" \
    "$S/$PCI/0000:00:02.0/virtio1/block/vda" \
    "$S/sys/devices/virtual/block/dm-0/dm" "$S/sys/devices/virtual/block/dm-0/slaves" \
    "$S/$PCI/0000:00:14.0/usb1/1-1/1-1:1.0/0003:046D:C31C.0001/input/input5"
echo "pci:v00001AF4d00001042sv00001AF4sd00001042bc01sc80i00" >"$S/$PCI/0000:00:02.0/modalias"
echo "virtio:d00000002v00001AF4" >"$S/$PCI/0000:00:02.0/virtio1/modalias"
echo "HATCH-VERITY-root" >"$S/sys/devices/virtual/block/dm-0/dm/uuid"
ln -s ../../../../pci0000:00/0000:00:02.0/virtio1/block/vda "$S/sys/devices/virtual/block/dm-0/slaves/vda"
ln -s ../../devices/virtual/block/dm-0 "$S/sys/dev/block/253:0"
echo "pci:v00008086d0000A36Dsv00008086sd00007270bc0Csc03i30" >"$S/$PCI/0000:00:14.0/modalias"
echo "usb:v046DpC31Cd6400dc00dsc00dp00ic03isc01ip01in00" >"$S/$PCI/0000:00:14.0/usb1/1-1/1-1:1.0/modalias"
echo "hid:b0003g0001v0000046Dp0000C31C" >"$S/$PCI/0000:00:14.0/usb1/1-1/1-1:1.0/0003:046D:C31C.0001/modalias"
echo "27 1 253:0 / / ro,relatime shared:1 - erofs /dev/mapper/root ro" >"$S/proc/self/mountinfo"
cat >"$S/proc/bus/input/devices" <<'EOF'
I: Bus=0003 Vendor=046d Product=c31c Version=0110
N: Name="Logitech USB Keyboard"
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/0003:046D:C31C.0001/input/input5
H: Handlers=sysrq kbd event3 leds

I: Bus=0003 Vendor=046d Product=c077 Version=0111
N: Name="Logitech USB Mouse"
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-2/input/input6
H: Handlers=mouse0 event4
EOF
printf 'processor\t: 0\nvendor_id\t: AuthenticAMD\n' >"$S/proc/cpuinfo"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$UC" --host-only -o "$W/fake.img" 2>"$W/fake.err"
unpack "$W/fake.img" "$W/fu"
got=$(sort "$W/fu/etc/hatch/modules" 2>/dev/null | tr '\n' ' ')
check "--host-only (fake dm-verity/virtio/USB keyboard machine): loads exactly what it needs" \
    [ "$got" = "dm_mod dm_verity erofs hid_generic usbhid virtio_blk virtio_pci xhci_pci " ]
check "--host-only: no generic extras (nvme, xfs)" lacks "$W/fu/lib/modules/$KVER/modules.dep" nvme xfs
cpio -t --quiet <"$W/fake.img" >"$W/fake.early" 2>/dev/null
check "--host-only: microcode for this CPU's vendor only" \
    has "$W/fake.early" kernel/x86/microcode/AuthenticAMD.bin
check "--host-only: no microcode of the other vendor" lacks "$W/fake.early" GenuineIntel
# The same machine with ext4 straight on the virtio disk: --host-only leaves
# dm-verity out, unless --lockdown (the image then boots only a verity root).
ln -s ../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda "$S/sys/dev/block/254:0"
echo "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw" >"$S/proc/self/mountinfo"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/plain-host.ls" 2>/dev/null
check "--host-only, root not on dm-verity: no dm-verity module" lacks "$W/plain-host.ls" 'dm-verity\.ko'
check "--host-only, root not on dm-verity: ext4 and virtio_blk" has "$W/plain-host.ls" \
    "$M/fs/ext4/ext4.ko" "$M/drivers/block/virtio_blk.ko"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --lockdown --list >"$W/lock-host.ls" 2>/dev/null
check "--host-only --lockdown: dm-verity is in anyway, with the policy" has "$W/lock-host.ls" \
    "$M/drivers/md/dm-verity.ko.zst" "$M/drivers/md/dm-mod.ko.zst" "$M/fs/ext4/ext4.ko" etc/hatch/policy
check "--host-only --lockdown: no shell" no_shell "$W/lock-host.ls"
echo "27 1 0:31 / / rw,relatime - overlay overlay rw,lowerdir=/a" >"$S/proc/self/mountinfo"
expect_error "--host-only without a root block device: one line" \
    "hatch: mkinitramfs: --host-only: / is overlay on overlay, not on a block device; build a generic image (without --host-only)" \
    env HATCH_SYSROOT="$S" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -o "$W/err.img"

# Root chains the init cannot set up (it sets up dm-verity only): refused
# before anything is written, one line naming layer and device, exit status 3.
DMV=sys/devices/virtual/block
VDA=../../../../pci0000:00/0000:00:02.0/virtio1/block/vda
# fake_dm N UUID NAME SLAVE-LINK: dm-N (253:N) over the device SLAVE-LINK
# points at (relative to dm-N/slaves).
fake_dm() {
    rm -rf "${S:?}/$DMV/dm-$1"
    mkdir -p "$S/$DMV/dm-$1/dm" "$S/$DMV/dm-$1/slaves"
    if [ -n "$2" ]; then printf '%s\n' "$2" >"$S/$DMV/dm-$1/dm/uuid"; else : >"$S/$DMV/dm-$1/dm/uuid"; fi
    printf '%s\n' "$3" >"$S/$DMV/dm-$1/dm/name"
    ln -s "$4" "$S/$DMV/dm-$1/slaves/${4##*/}"
    ln -sfn "../../devices/virtual/block/dm-$1" "$S/sys/dev/block/253:$1"
    ln -sfn "../../devices/virtual/block/dm-$1" "$S/sys/class/block/dm-$1"
}
# root_on MAJ:MIN FSTYPE SOURCE: the fake machine's / is there.
root_on() {
    echo "27 1 $1 / / rw,relatime shared:1 - $2 $3 rw" >"$S/proc/self/mountinfo"
}
# refused NAME LAYERS ARGS...: the fake machine's root is on LAYERS; the
# generator refuses with one line and writes nothing.
refused() {
    _rn=$1 _rl=$2
    shift 2
    expect_error "$_rn" \
        "hatch: mkinitramfs: the root filesystem is on $_rl: the hatch init cannot set that up yet; no image written" \
        env HATCH_SYSROOT="$S" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" "$@" -o "$W/err.img"
}
ln -sfn ../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda "$S/sys/class/block/vda"
# LUKS under the root: the init unlocks it; --host-only adds the luks hook
# (dm-crypt, AF_ALG) by itself, --print-cmdline says rd.luks.uuid= (or
# rd.luks.name= for a name that is not luks-UUID).
LUKSU=01234567-89ab-cdef-0123-456789abcdef
fake_dm 1 CRYPT-LUKS2-0123456789abcdef0123456789abcdef-cryptroot cryptroot "$VDA"
root_on 253:1 ext4 /dev/mapper/cryptroot
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -v --list >"$W/luks-host.ls" 2>"$W/luks-host.err"
check "--host-only accepts a root on LUKS2 and adds the luks hook" \
    grep -q 'root is on LUKS: adding the luks hook' "$W/luks-host.err"
# dm-crypt is loaded at boot (stored as is); the AF_ALG modules when the
# init asks for them (stored compressed).
check "--host-only on LUKS2: dm-crypt and the disk's driver" has "$W/luks-host.ls" \
    "$M/drivers/md/dm-crypt.ko" "$M/drivers/block/virtio_blk.ko"
check "--host-only on LUKS2: AF_ALG" has "$W/luks-host.ls" "$M/crypto/af_alg.ko.zst" \
    "$M/crypto/algif_hash.ko.zst" "$M/crypto/algif_skcipher.ko.zst"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -o "$W/luks.img" 2>/dev/null
unpack "$W/luks.img" "$W/lu"
check "--host-only on LUKS2: the image loads dm_crypt and virtio_blk at boot" \
    has "$W/lu/etc/hatch/modules" dm_crypt virtio_blk
check "--host-only on LUKS2: the image's /etc/crypttab names the root's volume ($(cat "$W/lu/etc/crypttab" 2>/dev/null))" \
    [ "$(cat "$W/lu/etc/crypttab" 2>/dev/null)" = "cryptroot UUID=$LUKSU none luks" ]
# The host's own crypttab line for it: its key file and options, the
# device by its UUID whatever the host calls it.
mkdir -p "$S/etc"
printf '# host\ncryptroot /dev/vda1 /etc/keys/root.key luks,discard\n' >"$S/etc/crypttab"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -o "$W/luks-tab.img" 2>"$W/luks-tab.err"
unpack "$W/luks-tab.img" "$W/lut"
check "--host-only on LUKS2: the host's crypttab line, by UUID ($(cat "$W/lut/etc/crypttab" 2>/dev/null))" \
    [ "$(cat "$W/lut/etc/crypttab" 2>/dev/null)" = "cryptroot UUID=$LUKSU /etc/keys/root.key luks,discard" ]
check "--host-only on LUKS2: a key file of the host's crypttab is named, not copied" \
    grep -q "gives cryptroot the key file /etc/keys/root.key, which is not put in the image: add it with --include /etc/keys/root.key" "$W/luks-tab.err"
rm -f "$S/etc/crypttab"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --omit luks --list >/dev/null 2>"$W/luks-omit.err"
check "--host-only --omit luks on a LUKS root: warned" \
    grep -q "the root is on LUKS, but --omit luks leaves out what unlocks it" "$W/luks-omit.err"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --check-root -H base --list >"$W/luks-cr.ls" 2>/dev/null
check "--check-root (generic image) accepts a root on LUKS2" [ -s "$W/luks-cr.ls" ]
HATCH_SYSROOT=$S sh "$GEN" -k "$KVER" --print-cmdline >"$W/luks-pc.out" 2>"$W/luks-pc.err"
check "--print-cmdline on LUKS2 named cryptroot: rd.luks.name=UUID=cryptroot ($(cat "$W/luks-pc.out"))" \
    grep -q " rd.luks.name=$LUKSU=cryptroot\$" "$W/luks-pc.out"
fake_dm 1 "CRYPT-LUKS1-0123456789abcdef0123456789abcdef-luks-$LUKSU" "luks-$LUKSU" "$VDA"
root_on 253:1 ext4 "/dev/mapper/luks-$LUKSU"
HATCH_SYSROOT=$S sh "$GEN" -k "$KVER" --print-cmdline >"$W/luks-pc1.out" 2>/dev/null
check "--print-cmdline on LUKS1 with the default name: rd.luks.uuid= ($(cat "$W/luks-pc1.out"))" \
    grep -q " rd.luks.uuid=$LUKSU\$" "$W/luks-pc1.out"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/luks1.ls" 2>/dev/null
check "--host-only accepts a root on LUKS1" has "$W/luks1.ls" "$M/drivers/md/dm-crypt.ko"
# A dm uuid without the LUKS UUID cannot be given as rd.luks.uuid=.
fake_dm 1 CRYPT-LUKS2-0123-cryptroot cryptroot "$VDA"
root_on 253:1 ext4 /dev/mapper/cryptroot
LUKS="dm-crypt (LUKS, but its dm uuid holds no LUKS UUID) on dm-1 (/dev/mapper/cryptroot)"
refused "--host-only refuses a LUKS device whose dm uuid has no UUID" "$LUKS" --host-only
if command -v busybox >/dev/null 2>&1; then
    expect_error "--host-only refuses it (busybox ash)" \
        "hatch: mkinitramfs: the root filesystem is on $LUKS: the hatch init cannot set that up yet; no image written" \
        env HATCH_SYSROOT="$S" busybox ash "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -o "$W/err.img"
fi
echo previous >"$W/keep.img"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -o "$W/keep.img" 2>/dev/null
rc=$?
if \
    [ "$rc" -eq 3 ] && [ "$(cat "$W/keep.img")" = previous ]; then ok "refused root: exit status 3 and an existing OUT untouched (rc $rc)"; else nok "refused root: exit status 3 and an existing OUT untouched (rc $rc)" "failed"; fi
refused "--check-root (generic image) refuses it too" "$LUKS" --check-root
expect_error "--host-only --list refuses it too" \
    "hatch: mkinitramfs: the root filesystem is on $LUKS: the hatch init cannot set that up yet; no image written" \
    env HATCH_SYSROOT="$S" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list
fake_dm 1 CRYPT-PLAIN-cryptroot cryptroot "$VDA"
refused "--host-only refuses a root on plain dm-crypt" "dm-crypt (plain) on dm-1 (/dev/mapper/cryptroot)" --host-only
fake_dm 1 CRYPT-LUKS2-0123456789abcdef0123456789abcdef-cryptroot cryptroot "$VDA"
fake_dm 2 LVM-Xy7abcDEFghiJKLmnoPQRstuVWXyz012345678abcdefghijklmnopqrstuvw vg-root ../../dm-1
root_on 253:2 ext4 /dev/mapper/vg-root
# LVM: the init activates it with the lvm hook's static lvm (HATCH_LVM: the
# stand-in init, a static ELF, is lvm enough for the generator).
HATCH_LVM=$INIT HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -v --list >"$W/lvm-luks.ls" 2>"$W/lvm-luks.err"
if \
    grep -q 'root is on LVM: adding the lvm hook' "$W/lvm-luks.err" &&
    grep -q 'root is on LUKS: adding the luks hook' "$W/lvm-luks.err"; then ok "--host-only accepts LVM on LUKS, adding the lvm and luks hooks"; else nok "--host-only accepts LVM on LUKS, adding the lvm and luks hooks" "failed"; fi
check "--host-only on LVM on LUKS: /sbin/lvm, its lvm.conf and dm-crypt" has "$W/lvm-luks.ls" \
    sbin/lvm etc/lvm/lvm.conf "$M/drivers/md/dm-crypt.ko"
fake_dm 2 LVM-Xy7abc vg-root "$VDA"
HATCH_LVM=$INIT HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -v --list >"$W/lvm.ls" 2>"$W/lvm.err"
if \
    grep -q 'host root is on LVM: vg-root' "$W/lvm.err" && has "$W/lvm.ls" sbin/lvm "$M/drivers/md/dm-mod.ko"; then ok "--host-only accepts a root on LVM, with /sbin/lvm and dm-mod"; else nok "--host-only accepts a root on LVM, with /sbin/lvm and dm-mod" "failed"; fi
HATCH_LVM=$INIT HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --omit lvm --list >/dev/null 2>"$W/lvm-omit.err"
check "--host-only --omit lvm on an LVM root: warned" \
    grep -q "the root is on LVM, but --omit lvm leaves out what activates it" "$W/lvm-omit.err"
fake_dm 3 "" mylinear "$VDA"
root_on 253:3 ext4 /dev/mapper/mylinear
refused "--host-only refuses a dm device that is not dm-verity (no uuid)" \
    "device-mapper (not dm-verity) on dm-3 (/dev/mapper/mylinear)" --host-only
fake_dm 3 mpath-3600508b400105e210000900000490000 mpatha "$VDA"
refused "--host-only refuses a root on multipath" "multipath on dm-3 (/dev/mapper/mpatha)" --host-only
fake_dm 4 HATCH-VERITY-root root ../../dm-1
root_on 253:4 erofs /dev/mapper/root
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/vl.ls" 2>/dev/null
check "--host-only accepts dm-verity over LUKS, with both" has "$W/vl.ls" \
    "$M/drivers/md/dm-verity.ko" "$M/drivers/md/dm-crypt.ko"
fake_dm 4 CRYPT-VERITY-0123456789abcdef-root root "$VDA"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/cv.ls" 2>"$W/cv.err"
check "--host-only accepts systemd's dm-verity (CRYPT-VERITY-)" has "$W/cv.ls" "$M/drivers/md/dm-verity.ko"
# mdraid: the array, and a partition of it.
mkdir -p "$S/$DMV/md0/md" "$S/$DMV/md0/slaves" "$S/$DMV/md0/md0p1"
echo raid1 >"$S/$DMV/md0/md/level"
ln -sfn "$VDA" "$S/$DMV/md0/slaves/vda"
echo 1 >"$S/$DMV/md0/md0p1/partition"
ln -sfn ../../devices/virtual/block/md0 "$S/sys/dev/block/9:0"
ln -sfn ../../devices/virtual/block/md0/md0p1 "$S/sys/dev/block/259:0"
# The init assembles md arrays with the mdraid hook's mdadm: --host-only
# adds the hook, md_mod and the array's personality (loaded at boot). The
# stand-in init stands in for mdadm too (HATCH_MDADM).
root_on 9:0 ext4 /dev/md0
HATCH_MDADM=$INIT
export HATCH_MDADM
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -v --list >"$W/md-host.ls" 2>"$W/md-host.err"
check "--host-only accepts a root on mdraid and adds the mdraid hook" \
    grep -q 'root is on mdraid: adding the mdraid hook' "$W/md-host.err"
check "--host-only on mdraid: mdadm, md_mod, raid1 and the members' driver" has "$W/md-host.ls" \
    sbin/mdadm "$M/drivers/md/md-mod.ko" "$M/drivers/md/raid1.ko" "$M/drivers/block/virtio_blk.ko"
check "--host-only on mdraid: says which array" grep -q 'host root is on mdraid: md0 (raid1)' "$W/md-host.err"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -o "$W/md.img" 2>/dev/null
unpack "$W/md.img" "$W/mdu"
check "--host-only on mdraid: the image loads md_mod, raid1 and virtio_blk at boot" \
    has "$W/mdu/etc/hatch/modules" md_mod raid1 virtio_blk
file -b "$W/mdu/sbin/mdadm" >"$W/mdadm.file" 2>&1
check "--host-only on mdraid: /sbin/mdadm is a static ELF" grep -q "statically linked" "$W/mdadm.file"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --omit mdraid --list >/dev/null 2>"$W/md-omit.err"
check "--host-only --omit mdraid on an md root: warned" \
    grep -q "the root is on mdraid, but --omit mdraid leaves out what assembles it" "$W/md-omit.err"
echo 2f8e6c4a-1b3d-4e5f-8a9b-0c1d2e3f4a5b >"$S/$DMV/md0/md/uuid"
HATCH_SYSROOT=$S sh "$GEN" -k "$KVER" --print-cmdline >"$W/md-pc.out" 2>/dev/null
check "--print-cmdline on md: rd.md.uuid= ($(cat "$W/md-pc.out"))" \
    grep -q " rd.md.uuid=2f8e6c4a-1b3d-4e5f-8a9b-0c1d2e3f4a5b\$" "$W/md-pc.out"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --check-root -H base --list >"$W/md-cr.ls" 2>/dev/null
check "--check-root (generic image) accepts a root on mdraid" [ -s "$W/md-cr.ls" ]
HATCH_SYSROOT=$S sh "$GEN" --check "$W/md.img" >"$W/md-check.out" 2>&1
check "--check of the --host-only md image on the md machine: mdadm is there" \
    lacks "$W/md-check.out" "mdadm"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -o "$W/md-generic.img" 2>/dev/null
HATCH_SYSROOT=$S sh "$GEN" --check "$W/md-generic.img" >"$W/md-check2.out" 2>&1
check "--check of a generic image on the md machine: no /sbin/mdadm, add -H +mdraid" \
    grep -q "no /sbin/mdadm, for this machine's root on md (md0); add the mdraid hook with -H +mdraid" "$W/md-check2.out"
root_on 259:0 ext4 /dev/md0p1
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only -v --list >"$W/mdp-host.ls" 2>"$W/mdp-host.err"
check "--host-only on a partition of an md array: the mdraid hook and the members' driver" \
    has "$W/mdp-host.ls" sbin/mdadm "$M/drivers/md/raid1.ko" "$M/drivers/block/virtio_blk.ko"
echo raid6 >"$S/$DMV/md0/md/level"
root_on 9:0 ext4 /dev/md0
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/md6.ls" 2>/dev/null
check "--host-only on a raid6 array: raid456" has "$W/md6.ls" "$M/drivers/md/raid456.ko"
# An md array over LVM: both layers are set up by the init, so both hooks.
fake_dm 5 LVM-abc vg-lv "$VDA"
rm -f "$S/$DMV/md0/slaves/vda"
ln -sfn "$S/$DMV/dm-5" "$S/$DMV/md0/slaves/dm-5"
HATCH_LVM=$INIT HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/md-lvm.ls" 2>"$W/md-lvm.err"
check "--host-only on md over LVM: the mdraid and the lvm hooks" has "$W/md-lvm.ls" sbin/mdadm sbin/lvm
# Over a layer the init cannot set up (multipath), md is still refused.
fake_dm 5 mpath-abc mpatha "$VDA"
refused "--host-only refuses md over multipath" "multipath on dm-5 (/dev/mapper/mpatha)" --host-only
rm -f "$S/$DMV/md0/slaves/dm-5"
ln -sfn "$VDA" "$S/$DMV/md0/slaves/vda"
unset HATCH_MDADM
# No mdadm beside the init: the hook says where it looked and what to do.
expect_error "-H +mdraid without a static mdadm: one line naming what to do" \
    "hatch: mkinitramfs: hook mdraid: no static mdadm found beside the init ($INIT): run make (it builds one into build/deps/prefix/sbin), or set HATCH_MDADM=FILE
hatch: mkinitramfs: 1 hook(s) failed: mdraid; $W/err.img not written" \
    sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -H +mdraid -o "$W/err.img"
# btrfs: an anonymous device number; the source names the device.
BFS=sys/fs/btrfs/5b1e2c6e-0c2d-4a57-9f0e-0123456789ab
mkdir -p "$S/$BFS/devices"
ln -sfn ../../../../devices/pci0000:00/0000:00:02.0/virtio1/block/vda "$S/$BFS/devices/vda"
root_on 0:33 btrfs /dev/vda
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/b1.ls" 2>"$W/b1.err"
check "--host-only accepts a single-device btrfs" has "$W/b1.ls" "$M/fs/btrfs/btrfs.ko"
# A btrfs over two devices, the other on an NVMe: the init waits for every
# member, so --host-only carries the drivers of both chains.
mkdir -p "$S/$PCI/0000:00:04.0/nvme/nvme0/nvme0n1"
echo "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02" >"$S/$PCI/0000:00:04.0/modalias"
ln -sfn ../../../../devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1 "$S/$BFS/devices/nvme0n1"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --host-only --list >"$W/b2.ls" 2>"$W/b2.err"
check "--host-only accepts a btrfs over two devices, with the drivers of both" \
    grep -q '/drivers/nvme/host/nvme\.ko' "$W/b2.ls"
check "--host-only: ... and btrfs itself" has "$W/b2.ls" "$M/fs/btrfs/btrfs.ko"
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --check-root -H base --list >"$W/b3.ls" 2>"$W/b3.err"
check "--check-root accepts a btrfs over two devices" [ -s "$W/b3.ls" ]
# A member on a layer the init cannot set up is refused like the root's own.
fake_dm 7 mpath-3600508b400105e210000900000490007 cm "../../../../pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1"
ln -sfn ../../../../devices/virtual/block/dm-7 "$S/$BFS/devices/dm-7"
rm -f "$S/$BFS/devices/nvme0n1"
refused "--host-only refuses a btrfs with a member on multipath" "multipath on dm-7 (/dev/mapper/cm)" --host-only
rm -rf "${S:?}/sys/fs/btrfs" "${S:?}/$DMV/dm-7"
root_on 0:31 overlay overlay
HATCH_SYSROOT=$S sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --check-root -H base --list >"$W/cr.ls" 2>"$W/cr.err"
if \
    [ -s "$W/cr.ls" ] && [ ! -s "$W/cr.err" ]; then ok "--check-root with / not on a block device (container): builds, silently"; else nok "--check-root with / not on a block device (container): builds, silently" "failed"; fi
HATCH_SYSROOT=$S gen --check-root -H base,modules -o "$W/cro.img" 2>/dev/null
unpack "$W/cro.img" "$W/cro"
check "--check-root in a container: the list loads ext4, virtio if present" \
    [ "$(cat "$W/cro/etc/hatch/modules" "$W/cro/etc/hatch/modules.if-present" | tr '\n' ' ')" = "ext4 virtio_pci virtio_blk " ]
# An image for this machine loads its root's filesystem, not ext4 (which
# stays in the image).
root_on 254:0 xfs /dev/vda
HATCH_SYSROOT=$S gen --check-root -H base,modules -o "$W/crx.img" 2>/dev/null
unpack "$W/crx.img" "$W/crx"
listing "$W/crx.img" >"$W/crx.list"
check "--check-root, this machine's root on xfs: the list loads xfs, not ext4" \
    [ "$(tr '\n' ' ' <"$W/crx/etc/hatch/modules")" = "xfs " ]
check "--check-root, root on xfs: xfs stored plain, ext4 compressed" has "$W/crx.list" \
    "$M/fs/xfs/xfs.ko" "$M/fs/ext4/ext4.ko.zst"
root_on 254:0 ext4 /dev/vda
HATCH_SYSROOT=$S gen --check-root -H base,modules -o "$W/cre.img" 2>/dev/null
unpack "$W/cre.img" "$W/cre"
check "--check-root, root on ext4: the list loads ext4" \
    [ "$(tr '\n' ' ' <"$W/cre/etc/hatch/modules")" = "ext4 " ]

# --- the configuration file, --omit, --omit-module, --include ----------------
CE=$W/etc-conf
mkdir -p "$CE/hatch" "$W/incdir/sub"
echo inc >"$W/incdir/sub/f.txt"
cat >"$CE/hatch/hatch.conf" <<CONF
# hatch.conf for the tests
  hooks=base,modules,busybox
modules=loop
compression=gzip
omit_modules="xfs,virtio_blk"

include="$W/payload.txt:/etc/from-conf.txt"
include='$W/incdir:/opt/inc'
CONF
# confgen ARGS...: the generator with the test configuration directory.
confgen() {
    HATCH_SYSCONFDIR=$CE sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" "$@"
}
confgen -o "$W/conf.img" 2>"$W/conf.err"
check "hatch.conf: compression=gzip" [ "$(main_magic "$W/conf.img")" = gzip ]
listing "$W/conf.img" >"$W/conf.list"
check "hatch.conf: hooks=, modules=, include= (file and directory)" has "$W/conf.list" \
    "$M/drivers/block/loop.ko" bin/busybox.zst etc/from-conf.txt opt/inc/sub/f.txt
check "hatch.conf: hooks= replaces the default list (no verity)" lacks "$W/conf.list" 'dm-verity\.ko'
check "hatch.conf: omit_modules= leaves modules out" lacks "$W/conf.list" '/xfs\.ko' '/virtio_blk\.ko'
unpack "$W/conf.img" "$W/cu"
check "omitted modules are not loaded at boot either ($(cat "$W/cu/etc/hatch/modules" "$W/cu/etc/hatch/modules.if-present" | tr '\n' ' '))" \
    [ "$(cat "$W/cu/etc/hatch/modules" "$W/cu/etc/hatch/modules.if-present" | tr '\n' ' ')" = "ext4 loop virtio_pci " ]
check "included files keep their bytes" cmp -s "$W/cu/etc/from-conf.txt" "$W/payload.txt"
confgen -c zstd -H base --list >"$W/conf2.ls" 2>/dev/null
check "the command line wins over hatch.conf (-H base: no busybox)" lacks "$W/conf2.ls" busybox
check "... and the file's lists still add up (loop, the include)" has "$W/conf2.ls" etc/from-conf.txt "$M/drivers/block/loop.ko"
confgen -c zstd -H base -o "$W/conf3.img" 2>/dev/null
check "the command line wins over hatch.conf (-c zstd)" [ "$(main_magic "$W/conf3.img")" = zstd ]
printf 'compression=none\n' >"$W/other.conf"
confgen --config "$W/other.conf" -H base -o "$W/conf4.img" 2>/dev/null
listing "$W/conf4.img" >"$W/conf4.list"
if [ "$(main_magic "$W/conf4.img")" = none ] &&
    lacks "$W/conf4.list" from-conf.txt; then ok "--config FILE is read instead of hatch.conf"; else nok "--config FILE is read instead of hatch.conf" "failed"; fi
gen -H base --list >"$W/noconf.ls" 2>/dev/null
check "without a hatch.conf nothing of it applies" lacks "$W/noconf.ls" from-conf.txt
# conf_error NAME LINE-CONTENT MESSAGE: a file of one bad line is refused in
# one line naming FILE:LINE.
conf_error() {
    printf '# first\n%s\n' "$2" >"$W/bad.conf"
    expect_error "$1" "hatch: mkinitramfs: $W/bad.conf:2: $3" gen --config "$W/bad.conf" -o "$W/err.img"
}
conf_error "hatch.conf: an unknown key" 'compresion=gzip' \
    "unknown key 'compresion' (known: hooks, modules, omit, omit_modules, compression, module_compression, host_only, include)"
conf_error "hatch.conf: spaces around =" 'hooks = base' "not a key=value line (no spaces around =)"
conf_error "hatch.conf: a command is not run" "touch $W/pwned" "not a key=value line (no spaces around =)"
conf_error "hatch.conf: \$(...) is not expanded" "modules=\"\$(touch $W/pwned)\"" \
    'the value of modules holds $, ` or \ (not expanded here; leave them out)'
check "hatch.conf: nothing in it ran" [ ! -e "$W/pwned" ]
conf_error "hatch.conf: a value with spaces needs quotes" 'include=/a b' \
    'the value of include needs quotes ("...") for its spaces or special characters'
conf_error "hatch.conf: an unclosed quote" 'hooks="base' 'the value of hooks opens a quote it does not close'
conf_error "hatch.conf: a bad compression" 'compression=bzip2' 'compression=bzip2: use gzip, zstd, xz, lz4 or none'
conf_error "hatch.conf: a bad host_only" 'host_only=maybe' 'host_only=maybe: use yes or no'
conf_error "hatch.conf: a bad module name" 'modules=a/b' \
    "modules=a/b: module names are letters, digits, '.', ':', '-' and '_', separated by commas"
conf_error "hatch.conf: an include that does not exist" "include=$W/no-such-file" \
    "include=$W/no-such-file: no such file or directory: $W/no-such-file"
expect_error "--config of a missing file" \
    "hatch: mkinitramfs: no such configuration file: $W/no.conf (--config)" \
    gen --config "$W/no.conf" -o "$W/err.img"
printf 'host_only=yes\nhooks=base,modules\n' >"$W/host.conf"
HATCH_SYSROOT=$S gen --config "$W/host.conf" --list >"$W/hc.ls" 2>/dev/null
HATCH_SYSROOT=$S gen --config "$W/host.conf" --no-host-only --list >"$W/hc2.ls" 2>/dev/null
if \
    lacks "$W/hc.ls" 'nvme\.ko' && has "$W/hc2.ls" "$M/drivers/nvme/host/nvme.ko.zst"; then ok "host_only=yes in the file; --no-host-only on the command line wins"; else nok "host_only=yes in the file; --no-host-only on the command line wins" "failed"; fi

gen --omit busybox,microcode --list >"$W/omit.ls" 2>/dev/null
check "--omit HOOK,HOOK: those hooks do not run" lacks "$W/omit.ls" busybox
gen --omit busybox --omit verity --list >"$W/omit2.ls" 2>/dev/null
check "--omit is repeatable" lacks "$W/omit2.ls" busybox 'dm-verity\.ko'
expect_error "--omit of an unknown hook" \
    "hatch: mkinitramfs: unknown hook 'nosuch' (--omit; searched: $W/etc/hatch/hooks $TOP/hooks)" \
    gen --omit nosuch -o "$W/err.img"
expect_error "--omit base: no /init" \
    "hatch: mkinitramfs: the image has no /init: the hook list must include base" \
    gen --omit base -o "$W/err.img"
expect_error "--lockdown --omit verity refused" \
    "hatch: mkinitramfs: --lockdown: the hook list lacks verity; a locked-down image boots only a dm-verity root" \
    gen --lockdown --omit verity -o "$W/err.img"
gen --omit-module xfs,btrfs --list >"$W/om.ls" 2>/dev/null
if lacks "$W/om.ls" '/xfs\.ko' '/btrfs\.ko' && has "$W/om.ls" "$M/fs/ext4/ext4.ko"; then ok "--omit-module M,M: left out"; else nok "--omit-module M,M: left out" "failed"; fi
expect_error "--omit-module of a module another one needs" \
    "hatch: mkinitramfs: --omit-module jbd2: module ext4, which stays in the image, needs it; omit ext4 too or keep it" \
    gen --omit-module jbd2 -o "$W/err.img"
gen --omit-module jbd2,ext4 --list >"$W/om2.ls" 2>/dev/null
check "--omit-module of a module and all that need it" lacks "$W/om2.ls" 'jbd2\.ko' 'ext4\.ko'
expect_error "--omit-module with a bad name" \
    "hatch: mkinitramfs: invalid module name 'a/b' (--omit-module)" \
    gen --omit-module a/b -o "$W/err.img"
gen -H base --include "$W/payload.txt:/etc/inc.txt" --include "$W/incdir" --list >"$W/inc.ls" 2>/dev/null
check "--include SRC:DST and --include DIR (same path)" has "$W/inc.ls" etc/inc.txt "${W#/}/incdir/sub/f.txt"
expect_error "--include of a missing file" \
    "hatch: mkinitramfs: --include $W/nope: no such file or directory: $W/nope" \
    gen --include "$W/nope" -o "$W/err.img"
echo rel >"$W/rel.txt"
# shellcheck disable=SC2016 # expanded by the inner sh
expect_error "--include of a relative path without a destination" \
    "hatch: mkinitramfs: --include rel.txt: a relative source needs a destination in the image; use SRC:DST" \
    sh -c 'cd "$1" && shift && "$@"' sh "$W" sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" --include rel.txt -o "$W/err.img"
expect_error "--include into .. refused" \
    "hatch: mkinitramfs: --include $W/payload.txt:/etc/../../x: bad destination '/etc/../../x' in the image" \
    gen --include "$W/payload.txt:/etc/../../x" -o "$W/err.img"
if command -v busybox >/dev/null 2>&1; then
    HATCH_SYSCONFDIR=$CE busybox ash "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -o "$W/conf-ash.img" 2>/dev/null
    check "hatch.conf under busybox ash: same bytes" cmp -s "$W/conf.img" "$W/conf-ash.img"
fi
if command -v dash >/dev/null 2>&1; then
    HATCH_SYSCONFDIR=$CE dash "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -o "$W/conf-dash.img" 2>/dev/null
    check "hatch.conf under dash: same bytes" cmp -s "$W/conf.img" "$W/conf-dash.img"
fi

# --- -k all (--all) -----------------------------------------------------------
AB=$W/allbase
mkdir -p "$AB/lib/modules" "$AB/boot"
ln -s "$KMOD" "$AB/lib/modules/$KVER"
ln -s "$KMOD" "$AB/lib/modules/9.9.9-other"
mkdir -p "$AB/lib/modules/7.0.0-nokernel"
: >"$AB/boot/vmlinuz-$KVER"
: >"$AB/boot/vmlinuz-9.9.9-other"
gen -b "$AB" -k all -H base -c none >"$W/all.out" 2>"$W/all.err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$W/all.out" ] &&
    [ "$(grep -c '^hatch: mkinitramfs: wrote ' "$W/all.err")" -eq 2 ] && [ "$(wc -l <"$W/all.err")" -eq 2 ]; then ok "-k all: exit 0, one line per kernel built"; else nok "-k all: exit 0, one line per kernel built" "failed"; fi
if \
    [ "$(cd "$AB/boot" && printf '%s ' hatch-*)" = "hatch-initrd.img-$KVER hatch-initrd.img-9.9.9-other " ]; then ok "-k all: each kernel with a vmlinuz has its image at the default path, no other"; else nok "-k all: each kernel with a vmlinuz has its image at the default path, no other" "failed"; fi
sh "$GEN" --show "$AB/boot/hatch-initrd.img-9.9.9-other" >"$W/all.show" 2>&1
check "-k all: each image is for its kernel" grep -qx 'kernel: 9.9.9-other' "$W/all.show"
rm -f "$AB"/boot/hatch-*
mkdir -p "$AB/lib/modules/8.0.0-broken"
: >"$AB/boot/vmlinuz-8.0.0-broken"
busybox ash "$GEN" -i "$INIT" -b "$AB" --all -H base -c none >"$W/all.out" 2>"$W/all.err"
rc=$?
if \
    [ "$rc" -eq 1 ] && [ "$(cat "$W/all.err")" = "hatch: mkinitramfs: wrote $AB/boot/hatch-initrd.img-$KVER (kernel $KVER, 0 modules (0 stored zstd-compressed), 0 firmware files, none, $(wc -c <"$AB/boot/hatch-initrd.img-$KVER" | tr -d ' ') bytes)
hatch: mkinitramfs: no modules.dep in $AB/lib/modules/8.0.0-broken (run: depmod -b $AB 8.0.0-broken)
hatch: mkinitramfs: wrote $AB/boot/hatch-initrd.img-9.9.9-other (kernel 9.9.9-other, 0 modules (0 stored zstd-compressed), 0 firmware files, none, $(wc -c <"$AB/boot/hatch-initrd.img-9.9.9-other" | tr -d ' ') bytes)
hatch: mkinitramfs: -k all: built 2 of 3 kernels; failed: 8.0.0-broken" ]; then ok "--all with a broken kernel: the others are built, exit 1, one line for each (busybox ash)"; else nok "--all with a broken kernel: the others are built, exit 1, one line for each (busybox ash)" "failed"; fi
check "--all: no temporary files left" tmp_clean
expect_error "-k all with -o refused" \
    "hatch: mkinitramfs: -k all (--all) writes one image per kernel, each at its default path; leave out -o $W/err.img" \
    gen -b "$AB" -k all -o "$W/err.img"
expect_error "--all with --list refused" \
    "hatch: mkinitramfs: --list shows one kernel's image; name it with -k KVER instead of -k all (--all)" \
    gen -b "$AB" --all --list
mkdir -p "$W/nokernels/lib/modules/1.0"
expect_error "-k all without an installed kernel" \
    "hatch: mkinitramfs: -k all: no installed kernel in $W/nokernels (a lib/modules/KVER with a boot/vmlinuz-KVER)" \
    gen -b "$W/nokernels" -k all

# --- --show IMAGE -------------------------------------------------------------
if sh "$GEN" --show "$W/generic.img" >"$W/show.out" 2>"$W/show.err" && [ ! -s "$W/show.err" ]; then ok "--show: exit 0, nothing on stderr"; else nok "--show: exit 0, nothing on stderr" "failed"; fi
check "--show (zstd, no microcode): two parts, the kernel, /init, loaded modules, policy" has "$W/show.out" \
    "$W/generic.img: $(wc -c <"$W/generic.img" | tr -d ' ') bytes, 2 part(s)" "kernel: $KVER" \
    "init: /init, static ELF, $(wc -c <"$INIT" | tr -d ' ') bytes" "loaded at boot: ext4" "loaded at boot if a device present needs one: virtio_pci virtio_blk" \
    "policy: none (not locked down)" "modules: $n_ko" "  ext4" "  virtio_blk" "  crc32c_intel" "shell: bin/busybox.zst bin/sh"
SGSIZE=$(stored_size "$W/generic.img")
check "--show: part 1 is the stored files, read with the main archive" \
    grep -q "^part 1: uncompressed cpio, bytes 0-[0-9]* ([0-9]* bytes): files already zstd-compressed, read with the main archive$" "$W/show.out"
check "--show: part 2 is the zstd main archive" \
    grep -q "^part 2: zstd, bytes $SGSIZE-$(($(wc -c <"$W/generic.img") - 1)) (.* unpacked): the main archive$" "$W/show.out"
check "--show: the module list is the image's" \
    [ "$(sed -n '/^modules:/,/^loaded/p' "$W/show.out" | grep -c '^  ')" -eq "$n_ko" ]
UCSIZE=$(cpio -t <"$W/uc.img" 2>&1 >/dev/null | awk '/block/ { print $1 * 512 }')
# The early archive ends after its trailer's name, on a multiple of 4.
UCEND=$(grep -obUa 'TRAILER!!!' "$W/uc.img" | sed -n '1s/:.*//p')
UCEND=$(((UCEND + 11 + 3) / 4 * 4))
UCPART="part 1: uncompressed cpio, bytes 0-$((UCEND - 1)) ($UCEND bytes): early microcode"
for c in zstd gzip xz lz4 none; do
    sh "$GEN" -i "$INIT" -k "$KVER" -b "$UC" -H base,microcode,verity -c "$c" -o "$W/ucs-$c.img" 2>/dev/null
    sh "$GEN" --show "$W/ucs-$c.img" >"$W/ucs.out" 2>&1
    # Compressed, the .zst modules (dm_verity's) come between the two.
    if [ "$c" = none ]; then kind="uncompressed cpio" np=2 at=$UCSIZE; else
        kind=$c np=3 at=$((UCSIZE + $(stored_size "$W/ucs-$c.img" "$UCSIZE")))
    fi
    check "--show, microcode in front of a $c archive: all parts, the microcode files with sizes" has "$W/ucs.out" \
        "$W/ucs-$c.img: $(wc -c <"$W/ucs-$c.img" | tr -d ' ') bytes, $np part(s)" \
        "$UCPART" "  kernel/x86/microcode/GenuineIntel.bin (14 bytes)" "  kernel/x86/microcode/AuthenticAMD.bin (6 bytes)" \
        "kernel: $KVER" "  dm_verity"
    check "--show, microcode in front of a $c archive: part $np is $kind at byte $at" \
        grep -q "^part $np: $kind, bytes $at-" "$W/ucs.out"
done
# One uncompressed archive, cut where its trailer ends: nothing after it.
sh "$GEN" -i "$INIT" -k "$KVER" -b "$UC" -H base -c none -o "$W/shownone.img" 2>/dev/null
NEND=$(grep -obUa 'TRAILER!!!' "$W/shownone.img" | sed -n '1s/:.*//p')
NEND=$(((NEND + 11 + 3) / 4 * 4))
head -c "$NEND" "$W/shownone.img" >"$W/shownone-cut.img"
sh "$GEN" --show "$W/shownone-cut.img" >"$W/shownone.out" 2>&1
check "--show of a -c none image that ends with its trailer: one part, the kernel" has "$W/shownone.out" \
    "part 1: uncompressed cpio, bytes 0-$((NEND - 1)) ($NEND bytes): the main archive" "kernel: $KVER"
STSIZE=$(stored_size "$W/ucs-gzip.img" "$UCSIZE")
# The early archive padded to another size with zeros, and nothing after the
# main archive: the kernel takes both.
{ head -c "$UCEND" "$W/ucs-gzip.img" && head -c 3000 /dev/zero && tail -c +"$((UCSIZE + 1))" "$W/ucs-gzip.img"; } >"$W/ucs-pad.img"
sh "$GEN" --show "$W/ucs-pad.img" >"$W/ucs.out" 2>&1
check "--show: zeros of any length after the early archive are skipped" has "$W/ucs.out" \
    "$UCPART" "loaded at boot: none"
check "--show: ... and the stored part and the main archive are found after them" \
    grep -q "^part 3: gzip, bytes $((UCEND + 3000 + STSIZE))-" "$W/ucs.out"
# shellcheck disable=SC2086 # LOCKSMALL is a list of options
gen $LOCKSMALL --roothash "$HASH_UC" -o "$W/lock-show.img" 2>/dev/null
dash "$GEN" --show "$W/lock-show.img" >"$W/ls.out" 2>&1
check "--show (dash): the lockdown policy, no shell" has "$W/ls.out" \
    "policy (etc/hatch/policy): lockdown=1 action=halt roothash=$HASH_LC" "shell: none"
head -c 600 "$W/ucs-gzip.img" >"$W/cut.img"
expect_error "--show of a cut early archive" \
    "hatch: mkinitramfs: $W/cut.img: part 1 (an uncompressed cpio at byte 0) is damaged or cut short" \
    sh "$GEN" --show "$W/cut.img"
expect_error "--show of a file that is not an image" \
    "hatch: mkinitramfs: $W/payload.txt is not an initramfs (no cpio archive or known compression at its start)" \
    sh "$GEN" --show "$W/payload.txt"
expect_error "--show of a missing file" "hatch: mkinitramfs: no such image: $W/nope.img" sh "$GEN" --show "$W/nope.img"
expect_error "--show with -o refused" "hatch: mkinitramfs: --show writes no image; leave out -o $W/err.img" \
    sh "$GEN" --show "$W/generic.img" -o "$W/err.img"
expect_error "--show and --check together refused" "hatch: mkinitramfs: --check and --show go alone; give one of them" \
    sh "$GEN" --show "$W/generic.img" --check "$W/generic.img"

# --- --check IMAGE --------------------------------------------------------------
# On the fake machine: ext4 on the virtio disk vda.
root_on 254:0 ext4 /dev/vda
# fcheck ARGS...: --check on the fake machine; output in $W/chk.out, status in rc.
fcheck() {
    HATCH_SYSROOT=$S sh "$GEN" -b "$KROOT" --check "$@" >"$W/chk.out" 2>"$W/chk.err"
    rc=$?
}
fcheck "$W/generic.img"
if [ "$rc" -eq 0 ] &&
    [ "$(cat "$W/chk.out")" = "$W/generic.img: ok for this machine (kernel $KVER, $n_ko modules, zstd)" ]; then ok "--check, generic image, this (fake) machine: ok, exit 0"; else nok "--check, generic image, this (fake) machine: ok, exit 0" "failed"; fi
gen -H base -m ext4 -o "$W/noblk.img" 2>/dev/null
fcheck "$W/noblk.img"
if [ "$rc" -eq 1 ] &&
    [ "$(cat "$W/chk.out")" = "$W/noblk.img: module virtio_blk, for this machine's root device chain, is not in the image; add it with -m virtio_blk
$W/noblk.img: module virtio_pci, for this machine's root device chain, is not in the image; add it with -m virtio_pci" ]; then ok "--check, image without the disk's drivers: one line each, exit 1"; else nok "--check, image without the disk's drivers: one line each, exit 1" "failed"; fi
# The disk's driver bound (driver/module links): named by its modalias and by
# the driver, still one line.
mkdir -p "$S/sys/bus/virtio/drivers/virtio_blk" "$S/sys/module/virtio_blk"
ln -sfn ../../../../module/virtio_blk "$S/sys/bus/virtio/drivers/virtio_blk/module"
ln -sfn ../../../../bus/virtio/drivers/virtio_blk "$S/$PCI/0000:00:02.0/virtio1/driver"
cp "$W/chk.out" "$W/chk1.out"
fcheck "$W/noblk.img"
if [ "$rc" -eq 1 ] && cmp -s "$W/chk.out" "$W/chk1.out"; then ok "--check: a module named twice in the chain is reported once"; else nok "--check: a module named twice in the chain is reported once" "failed"; fi
rm -f "$S/$PCI/0000:00:02.0/virtio1/driver"
gen -H base -m virtio_pci,virtio_blk -o "$W/nofs.img" 2>/dev/null
fcheck "$W/nofs.img"
if [ "$rc" -eq 1 ] &&
    [ "$(cat "$W/chk.out")" = "$W/nofs.img: module ext4, for the root filesystem ext4, is not in the image; add it with -m ext4" ]; then ok "--check, image without the root filesystem's module"; else nok "--check, image without the root filesystem's module" "failed"; fi
fcheck "$W/noblk.img" --cmdline "root=UUID=0123 rootfstype=xfs ro"
if [ "$rc" -eq 1 ] &&
    [ "$(cat "$W/chk.out")" = "$W/noblk.img: module xfs, for the root filesystem xfs (rootfstype=), is not in the image; add it with -m xfs" ]; then ok "--check --cmdline: the filesystem of rootfstype=, not this machine's disk"; else nok "--check --cmdline: the filesystem of rootfstype=, not this machine's disk" "failed"; fi
fcheck "$W/noblk.img" --cmdline "verity=data=PARTUUID=1,roothash=ab rootfstype=ext4"
if [ "$rc" -eq 1 ] && has "$W/chk.out" \
    "$W/noblk.img: module dm_mod, for dm-verity (the command line asks for it), is not in the image; add it with -m dm_mod" \
    "$W/noblk.img: module dm_verity, for dm-verity (the command line asks for it), is not in the image; add it with -m dm_verity"; then ok "--check --cmdline asking for dm-verity"; else nok "--check --cmdline asking for dm-verity" "failed"; fi
fcheck "$W/noblk.img" --cmdline "rootfstype=nosuchfs"
if [ "$rc" -eq 1 ] &&
    [ "$(cat "$W/chk.out")" = "$W/noblk.img: no module fs-nosuchfs, for the root filesystem nosuchfs (rootfstype=), in the image nor in kernel $KVER; check the name, or add the module with -m" ]; then ok "--check --cmdline with a filesystem nobody has"; else nok "--check --cmdline with a filesystem nobody has" "failed"; fi
fcheck "$W/ucs-none.img" --cmdline "root=/dev/vda rootfstype=ext4 roothash=ab"
if [ "$rc" -eq 1 ] && has "$W/chk.out" \
    "$W/ucs-none.img: module ext4, for the root filesystem ext4 (rootfstype=), is not in the image; add it with -m ext4"; then ok "--check of an image with microcode in front"; else nok "--check of an image with microcode in front" "failed"; fi
# A foreign image: a dynamic /init, no modules.
mkdir -p "$W/foreign/etc"
cp "$DYN_INIT" "$W/foreign/init"
(cd "$W/foreign" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc --quiet | gzip -n) >"$W/foreign.img"
fcheck "$W/foreign.img"
if [ "$rc" -eq 1 ] &&
    [ "$(cat "$W/chk.out")" = "$W/foreign.img: /init is dynamically linked; the initramfs has no libraries for it (rebuild with a static init)
$W/foreign.img: no kernel version: no etc/hatch/kver and no lib/modules/KVER" ]; then ok "--check of a foreign image: dynamic /init, no kernel version"; else nok "--check of a foreign image: dynamic /init, no kernel version" "failed"; fi
# Another generator's layout: the modules in usr/lib/modules.
mkdir -p "$W/foreign/usr/lib/modules/9.9.9-x/kernel/fs/foo"
: >"$W/foreign/usr/lib/modules/9.9.9-x/kernel/fs/foo/foo-bar.ko.zst"
(cd "$W/foreign" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc --quiet | xz --check=crc32) >"$W/foreign2.img"
sh "$GEN" --show "$W/foreign2.img" >"$W/f2.out" 2>&1
check "--show of an image with usr/lib/modules: its kernel and modules" has "$W/f2.out" \
    "kernel: 9.9.9-x" "modules: 1" "  foo_bar" "init: /init, dynamic ELF, $(wc -c <"$DYN_INIT" | tr -d ' ') bytes" "policy: none (not locked down)"
fake_dm 1 CRYPT-LUKS2-0123456789abcdef0123456789abcdef-cryptroot cryptroot "$VDA"
root_on 253:1 ext4 /dev/mapper/cryptroot
HATCH_SYSROOT=$S sh "$GEN" -b "$KROOT" --check "$W/generic.img" >"$W/chk-luks.out" 2>&1
rc=$?
check "--check, this machine's root on LUKS, an image without the luks hook: dm_crypt, AF_ALG and luks-unlock missing (rc $rc)" \
    rcgrep "$rc" 1 "$W/chk-luks.out" "module dm_crypt, for this machine's root device chain, is not in the image" \
    "module af_alg, for this machine's LUKS root (the luks hook), is not in the image" \
    "no /lib/hatch/luks-unlock in the image, for this machine's root on LUKS; build it with the luks hook (-H +luks)"
sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -H +luks -o "$W/luks-generic.img" 2>/dev/null
listing "$W/luks-generic.img" >"$W/luks-generic.list"
check "the luks hook puts luks-unlock in the image" has "$W/luks-generic.list" lib/hatch/luks-unlock
HATCH_LUKS_UNLOCK=$W/no-luks-unlock sh "$GEN" -i "$INIT" -k "$KVER" -b "$KROOT" -H base,luks --list >/dev/null 2>"$W/luks-nohelper.err"
check "the luks hook without luks-unlock: one line saying where it looked" grep -qxF \
    "hatch: mkinitramfs: hook luks: no luks-unlock at $W/no-luks-unlock (run make, or set HATCH_LUKS_UNLOCK=FILE)" "$W/luks-nohelper.err"
HATCH_SYSROOT=$S sh "$GEN" -b "$KROOT" --check "$W/luks-generic.img" >"$W/chk-luks2.out" 2>&1
rc=$?
check "--check, root on LUKS, an image with the luks hook: passes (rc $rc)" [ "$rc" -eq 0 ]
sh "$GEN" -b "$KROOT" --check "$W/generic.img" --cmdline "root=UUID=x rd.luks.uuid=$LUKSU" >"$W/chk-luks3.out" 2>&1
rc=$?
check "--check --cmdline rd.luks.uuid=: an image without the luks hook lacks dm_crypt and luks-unlock (rc $rc)" \
    rcgrep "$rc" 1 "$W/chk-luks3.out" "module dm_crypt, for LUKS (the command line asks for it), is not in the image" \
    "no /lib/hatch/luks-unlock in the image, for LUKS (rd.luks.uuid=/rd.luks.name= ask for it); build it with the luks hook (-H +luks)"
sh "$GEN" -b "$KROOT" --check "$W/generic.img" --cmdline "root=/dev/mapper/vg0-root rd.lvm.lv=vg0/root" >"$W/chk-lvm2.out" 2>&1
rc=$?
check "--check --cmdline rd.lvm.lv=: an image without the lvm hook lacks /sbin/lvm (rc $rc)" \
    rcgrep "$rc" 1 "$W/chk-lvm2.out" "no /sbin/lvm in the image, for LVM (rd.lvm.vg=/rd.lvm.lv= ask for it); build it with the lvm hook (-H +lvm)"
fake_dm 2 LVM-Xy7abc vg-root "$VDA"
root_on 253:2 ext4 /dev/mapper/vg-root
HATCH_SYSROOT=$S sh "$GEN" -b "$KROOT" --check "$W/generic.img" >"$W/chk-lvm.out" 2>&1
rc=$?
if \
    [ "$rc" -eq 1 ] && grep -q "no /sbin/lvm in the image, for this machine's root on LVM (vg-root); build it with the lvm hook (-H +lvm)" "$W/chk-lvm.out"; then ok "--check, root on LVM, an image without the lvm hook: no /sbin/lvm (rc $rc)"; else nok "--check, root on LVM, an image without the lvm hook: no /sbin/lvm (rc $rc)" "failed"; fi
fake_dm 2 mpath-3600508b400105e210000900000490002 mpatha "$VDA"
root_on 253:2 ext4 /dev/mapper/mpatha
expect_error "--check, this machine's root on multipath: one line, exit status 3" \
    "hatch: mkinitramfs: the root filesystem is on multipath on dm-2 (/dev/mapper/mpatha): the hatch init cannot set that up yet; no image can boot this machine yet" \
    env HATCH_SYSROOT="$S" sh "$GEN" -b "$KROOT" --check "$W/generic.img"
HATCH_SYSROOT=$S sh "$GEN" -b "$KROOT" --check "$W/generic.img" >/dev/null 2>&1
check "--check, root on multipath: exit status 3" [ $? -eq 3 ]
root_on 254:0 ext4 /dev/vda
expect_error "--boot without --check refused" "hatch: mkinitramfs: --boot goes with --check IMAGE" gen --boot
expect_error "--cmdline without --check refused" "hatch: mkinitramfs: --cmdline goes with --check IMAGE or --verify-disk DISK" gen --cmdline ro

# --check --boot without QEMU: one problem line (the boot itself is in
# tests/gen/boot.sh).
mkdir -p "$W/noqemu"
for f in "$FAKEPATH"/*; do
    case ${f##*/} in
    qemu-system-*) ;;
    *) ln -s "$f" "$W/noqemu/" ;;
    esac
done
ln -sf "$(command -v cpio)" "$W/noqemu/cpio"
env PATH="$W/noqemu" HATCH_SYSROOT="$S" sh "$GEN" -b "$KROOT" --check "$W/generic.img" --boot >"$W/chk.out" 2>"$W/chk.err"
rc=$?
if [ "$rc" -eq 1 ] &&
    [ "$(cat "$W/chk.out")" = "$W/generic.img: --boot: qemu-system-x86_64 is not installed (apt install qemu-system-x86)" ]; then ok "--check --boot without qemu-system-x86_64: one problem line, exit 1"; else nok "--check --boot without qemu-system-x86_64: one problem line, exit 1" "failed"; fi
# shellcheck disable=SC2016 # a command substitution the hook must not run
printf 'HATCH_ARGS="$(touch %s/pwned)"\n' "$W" >"$W/default-bad"
HATCH_MKINITRAMFS=/bin/false HATCH_BOOTDIR=$W/boot HATCH_CONFIG=$W/default-bad \
    sh mk/kernel-postinst-hatch "$KVER" >/dev/null 2>"$W/hookbad.err"
rc=$?
if \
    [ "$rc" -eq 1 ] && [ ! -e "$W/pwned" ] && [ "$(wc -l <"$W/hookbad.err")" -eq 1 ] &&
    grep -q "^hatch: kernel postinst hook: $W/default-bad: HATCH_ARGS must be plain options" "$W/hookbad.err"; then ok "kernel hook: /etc/default/hatch is parsed, not run (exit 1, one line, nothing ran)"; else nok "kernel hook: /etc/default/hatch is parsed, not run (exit 1, one line, nothing ran)" "failed"; fi

# --- --print-cmdline ------------------------------------------------------------
mkdir -p "$S/dev/disk/by-uuid" "$S/dev/disk/by-partuuid"
ln -sfn ../../vda "$S/dev/disk/by-uuid/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"
ln -sfn ../../vdb "$S/dev/disk/by-uuid/ffffffff-0000-0000-0000-000000000000"
ln -sfn ../../vda "$S/dev/disk/by-partuuid/11111111-01"
# pcl MOUNTINFO-LINE: --print-cmdline on the fake machine with that / mount.
pcl() {
    printf '%s\n' "$1" >"$S/proc/self/mountinfo"
    HATCH_SYSROOT=$S sh "$GEN" --print-cmdline >"$W/pcl.out" 2>"$W/pcl.err"
    rc=$?
}
pcl "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw"
if [ "$rc" -eq 0 ] && [ ! -s "$W/pcl.err" ] &&
    [ "$(cat "$W/pcl.out")" = "root=UUID=0b1c2d3e-aaaa-bbbb-cccc-0123456789ab rootfstype=ext4 rw" ]; then ok "--print-cmdline: root=UUID=, rootfstype=, rw as mounted"; else nok "--print-cmdline: root=UUID=, rootfstype=, rw as mounted" "failed"; fi
pcl "27 1 254:0 / / ro,relatime shared:1 - xfs /dev/vda rw"
check "--print-cmdline: ro as mounted" [ "$(cat "$W/pcl.out")" = "root=UUID=0b1c2d3e-aaaa-bbbb-cccc-0123456789ab rootfstype=xfs ro" ]
pcl "27 1 0:33 /@root / rw,relatime shared:1 - btrfs /dev/vda rw,subvol=/@root"
check "--print-cmdline: a btrfs subvolume gives rootflags=subvol=" \
    [ "$(cat "$W/pcl.out")" = "root=UUID=0b1c2d3e-aaaa-bbbb-cccc-0123456789ab rootfstype=btrfs rootflags=subvol=@root rw" ]
rm -f "$S/dev/disk/by-uuid/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"
pcl "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw"
check "--print-cmdline: PARTUUID= when there is no UUID" [ "$(cat "$W/pcl.out")" = "root=PARTUUID=11111111-01 rootfstype=ext4 rw" ]
rm -f "$S/dev/disk/by-partuuid/11111111-01"
pcl "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw"
if \
    [ "$(cat "$W/pcl.out")" = "root=/dev/vda rootfstype=ext4 rw" ] &&
    [ "$(cat "$W/pcl.err")" = "hatch: mkinitramfs: warning: /dev/vda has no UUID or PARTUUID that can be read here; its name may change between boots" ]; then ok "--print-cmdline: the device name, with one warning line, when it has neither"; else nok "--print-cmdline: the device name, with one warning line, when it has neither" "failed"; fi
ln -sfn ../../vda "$S/dev/disk/by-partuuid/11111111-01"
fake_dm 4 CRYPT-VERITY-0123456789abcdef-root root "$VDA"
pcl "27 1 253:4 / / ro,relatime shared:1 - erofs /dev/mapper/root ro"
if [ "$rc" -eq 0 ] &&
    [ "$(cat "$W/pcl.out")" = "rootfstype=erofs ro verity=data=PARTUUID=11111111-01" ] &&
    [ "$(cat "$W/pcl.err")" = "hatch: mkinitramfs: warning: cannot read the table of /dev/mapper/root (run as root, with dmsetup): add roothash=HEX and hash-offset=BYTES, as given to veritysetup" ]; then ok "--print-cmdline, dm-verity root: verity=data=, and one line on what it cannot read"; else nok "--print-cmdline, dm-verity root: verity=data=, and one line on what it cannot read" "failed"; fi
fake_dm 1 CRYPT-LUKS2-0123456789abcdef0123456789abcdef-cryptroot cryptroot "$VDA"
pcl "27 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/cryptroot rw"
if [ "$rc" -eq 0 ] &&
    [ "$(cat "$W/pcl.out")" = "root=/dev/dm-1 rootfstype=ext4 rw rd.luks.name=$LUKSU=cryptroot" ]; then ok "--print-cmdline, root on LUKS: root= and rd.luks.name= ($(cat "$W/pcl.out"))"; else nok "--print-cmdline, root on LUKS: root= and rd.luks.name= ($(cat "$W/pcl.out"))" "failed"; fi
fake_dm 2 mpath-3600508b400105e210000900000490002 mpatha "$VDA"
printf '27 1 253:2 / / rw,relatime shared:1 - ext4 /dev/mapper/mpatha rw\n' >"$S/proc/self/mountinfo"
expect_error "--print-cmdline, root on multipath: one line" \
    "hatch: mkinitramfs: the root filesystem is on multipath on dm-2 (/dev/mapper/mpatha): the hatch init cannot set that up yet; no command line to print" \
    env HATCH_SYSROOT="$S" busybox ash "$GEN" --print-cmdline
printf '27 1 0:31 / / rw,relatime - overlay overlay rw,lowerdir=/a\n' >"$S/proc/self/mountinfo"
expect_error "--print-cmdline, / not on a block device: one line" \
    "hatch: mkinitramfs: --print-cmdline: / is overlay on overlay, not on a block device: there is no root= to give" \
    env HATCH_SYSROOT="$S" sh "$GEN" --print-cmdline
root_on 254:0 ext4 /dev/vda

# --- --verify-disk DISK --cmdline "..." [--image IMAGE] ------------------------
# Disks made here with stock veritysetup and sfdisk: random data (verity
# hashes any bytes), its hash tree in a partition of its own, GPT with the
# PARTUUIDs systemd derives from the root hash; no root needed to make them.
VD=$W/vd
mkdir -p "$VD"
# vd_disk NAME [veritysetup options]: $VD/NAME.img, its root hash in RH_NAME
# form: printed.
vd_disk() {
    _nm=$1
    shift
    head -c 4194304 /dev/urandom >"$VD/$_nm.data"
    veritysetup format "$@" "$VD/$_nm.data" "$VD/$_nm.hash" >"$VD/$_nm.fmt" 2>&1 || return 1
    _rh=$(sed -n 's/^Root hash:[[:space:]]*//p' "$VD/$_nm.fmt")
    _du=$(printf '%s' "$_rh" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/')
    _hu=$(printf '%s' "$_rh" | sed 's/.*\(.\{32\}\)$/\1/;s/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/')
    rm -f "$VD/$_nm.img"
    truncate -s 8M "$VD/$_nm.img"
    printf 'label: gpt\nstart=2048, size=8192, uuid=%s, name="vroot"\nstart=10240, size=2048, uuid=%s, name="vhash"\n' \
        "$_du" "$_hu" | sfdisk -q "$VD/$_nm.img" >/dev/null 2>&1 || return 1
    dd if="$VD/$_nm.data" of="$VD/$_nm.img" bs=512 seek=2048 conv=notrunc 2>/dev/null &&
        dd if="$VD/$_nm.hash" of="$VD/$_nm.img" bs=512 seek=10240 conv=notrunc 2>/dev/null || return 1
    rm -f "$VD/$_nm.data" "$VD/$_nm.hash"
    printf '%s\n' "$_rh"
}
# vd_fec_disk NAME: $VD/NAME.img, data, hash tree and FEC parity (2 roots)
# in partitions 1-3, the hash partition exactly the size the parity was
# computed for; its root hash printed.
vd_fec_disk() {
    head -c 4194304 /dev/urandom >"$VD/$1.data"
    veritysetup format --fec-device="$VD/$1.fec" --fec-roots=2 "$VD/$1.data" "$VD/$1.hash" \
        >"$VD/$1.fmt" 2>&1 || return 1
    _hs=$(($(wc -c <"$VD/$1.hash") / 512)) _fs=$((($(wc -c <"$VD/$1.fec") + 511) / 512))
    rm -f "$VD/$1.img"
    truncate -s 8M "$VD/$1.img"
    printf 'label: gpt\nstart=2048, size=8192, name="vroot"\nstart=10240, size=%s, name="vhash"\nstart=12288, size=%s, name="vfec"\n' \
        "$_hs" "$_fs" | sfdisk -q "$VD/$1.img" >/dev/null 2>&1 || return 1
    dd if="$VD/$1.data" of="$VD/$1.img" bs=512 seek=2048 conv=notrunc 2>/dev/null &&
        dd if="$VD/$1.hash" of="$VD/$1.img" bs=512 seek=10240 conv=notrunc 2>/dev/null &&
        dd if="$VD/$1.fec" of="$VD/$1.img" bs=512 seek=12288 conv=notrunc 2>/dev/null || return 1
    rm -f "$VD/$1.data" "$VD/$1.hash" "$VD/$1.fec"
    sed -n 's/^Root hash:[[:space:]]*//p' "$VD/$1.fmt"
}
# vd NAME CMDLINE [options]: --verify-disk on $VD/NAME.img; stdout to
# $VD/out, stderr to $VD/err, the exit status in VRC.
vd() {
    _d=$1 _c=$2
    shift 2
    gen --verify-disk "$VD/$_d.img" --cmdline "$_c" "$@" >"$VD/out" 2>"$VD/err"
    VRC=$?
}
# vd_is RC LINE...: the exit status, and stdout exactly LINEs.
vd_is() {
    _want_rc=$1
    shift
    printf '%s\n' "$@" >"$VD/want"
    [ "$VRC" = "$_want_rc" ] && cmp -s "$VD/want" "$VD/out" && return 0
    echo "exit status $VRC; stdout: $(cat "$VD/out"); stderr: $(cat "$VD/err")" >&2
    return 1
}
if command -v veritysetup >/dev/null 2>&1 && command -v sfdisk >/dev/null 2>&1 &&
    RH=$(vd_disk d1) && RH5=$(vd_disk d5 --hash=sha512); then
    D1=$VD/d1.img
    OKL="$D1: ok: root hash $(printf '%.16s' "$RH")... matches the hash tree (data: partition 1, hash: partition 2)"
    VSYSD="systemd.verity_root_data=PARTLABEL=vroot systemd.verity_root_hash=PARTLABEL=vhash"
    BAD=$(printf '%s' "$RH" | sed 's/.$//')$(printf '%s' "$RH" | sed 's/.*\(.\)$/\1/' | tr 0-9a-f 1-9a-f0)
    vd d1 "roothash=$RH quiet"
    check "--verify-disk: roothash= alone, the PARTUUIDs derived from it: ok, exit 0" vd_is 0 "$OKL"
    vd d1 "roothash=$(printf '%s' "$RH" | tr a-f A-F) $VSYSD systemd.verity_root_options=hash=sha256"
    check "--verify-disk: named devices, an upper-case hash and hash=: ok" vd_is 0 "$OKL"
    vd d1 "verity=data=PARTUUID=$(printf '%s' "$RH" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/'),hashdev=PARTLABEL=vhash,roothash=$RH"
    check "--verify-disk: hatch's verity= form: ok" vd_is 0 "$OKL"
    HATCH_VERIFY_NOLOOP=1 gen --verify-disk "$D1" --cmdline "roothash=$RH" >"$VD/out" 2>"$VD/err"
    VRC=$?
    check "--verify-disk: without loop devices (partitions copied): ok" vd_is 0 "$OKL"
    vd d1 "roothash=$BAD"
    check "--verify-disk: another root hash: its derived hash PARTUUID is not on the disk (one line)" \
        vd_is 1 "$D1: no partition of $D1 is the verity hash device PARTUUID=$(printf '%s' "$BAD" | sed 's/.*\(.\{32\}\)$/\1/;s/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/') (derived from roothash=, as systemd's Discoverable Partitions convention: the data partition's PARTUUID is the first 128 bits of the root hash, the hash partition's the last 128), nor a partition of type root-x86-64-verity; is roothash= this disk's, or name the devices with systemd.verity_root_data=/_hash=?"
    # The Discoverable Partitions types instead of the derived PARTUUIDs,
    # as the init takes them: by type, never a no-auto one, never two.
    cp "$D1" "$VD/dt.img"
    sfdisk -q --part-uuid "$VD/dt.img" 1 5ca1ab1e-0d01-4000-8000-000000000001 &&
        sfdisk -q --part-uuid "$VD/dt.img" 2 5ca1ab1e-0d01-4000-8000-000000000002 &&
        sfdisk -q --part-type "$VD/dt.img" 1 4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709 &&
        sfdisk -q --part-type "$VD/dt.img" 2 2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5 >/dev/null 2>&1
    vd dt "roothash=$RH"
    check "--verify-disk: roothash= alone, partitions of the root and root-verity types: ok" \
        vd_is 0 "$VD/dt.img: ok: root hash $(printf '%.16s' "$RH")... matches the hash tree (data: partition 1, hash: partition 2)"
    printf 'start=12288, size=2048, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, attrs="GUID:63"\n' |
        sfdisk -q --append "$VD/dt.img" >/dev/null 2>&1
    vd dt "roothash=$RH"
    check "--verify-disk: a no-auto partition of the root type is not a candidate" vd_is 0 \
        "$VD/dt.img: ok: root hash $(printf '%.16s' "$RH")... matches the hash tree (data: partition 1, hash: partition 2)"
    sfdisk -q --part-attrs "$VD/dt.img" 3 "" >/dev/null 2>&1
    vd dt "roothash=$RH"
    check "--verify-disk: two partitions of the root type: ambiguous, as the init refuses it" vd_is 1 \
        "$VD/dt.img: the verity data device PARTUUID=$(printf '%s' "$RH" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\).*/\1-\2-\3-\4-\5/') or a root-x86-64 partition is ambiguous on $VD/dt.img: partitions 1 3 match; the init refuses it"
    vd d1 "roothash=$BAD $VSYSD"
    check "--verify-disk: another root hash on named devices: does not match (veritysetup's verdict)" \
        vd_is 1 "$D1: root hash $(printf '%.16s' "$BAD")... does not match the hash tree on $D1 (data: partition 1, hash: partition 2): veritysetup verify: Verification of root hash failed; the init would refuse this root: is roothash= this disk's?"
    cp "$D1" "$VD/d1c.img"
    printf 'X' | dd of="$VD/d1c.img" bs=1 seek=$((2048 * 512 + 300000)) conv=notrunc 2>/dev/null
    vd d1c "roothash=$RH"
    check "--verify-disk: a changed data byte: the data does not match its hash tree" \
        grep -q "^$VD/d1c.img: the data of $VD/d1c.img does not match its hash tree (data: partition 1, hash: partition 2): veritysetup verify: Verification failed at position 299008; reading those blocks fails at boot" "$VD/out"
    check "--verify-disk: a changed data byte: exit 1, one line" test "$VRC" = 1 -a "$(wc -l <"$VD/out")" -eq 1
    cp "$D1" "$VD/d1s.img"
    printf 'X' | dd of="$VD/d1s.img" bs=1 seek=$((10240 * 512)) conv=notrunc 2>/dev/null
    vd d1s "roothash=$RH"
    check "--verify-disk: a damaged verity superblock" vd_is 1 \
        "$VD/d1s.img: veritysetup verify on $VD/d1s.img (data: partition 1, hash: partition 2): the hash partition is not a valid VERITY device; the init would refuse this root"
    vd d1 "roothash=$RH systemd.verity_root_data=PARTLABEL=nope systemd.verity_root_hash=PARTLABEL=vhash"
    check "--verify-disk: a data device not on the disk" vd_is 1 "$D1: no partition of $D1 is the verity data device PARTLABEL=nope"
    vd d1 "roothash=xyz verity=data=PARTLABEL=vroot,foo=1,hash-offset=7 root=/dev/vda1 systemd.verity_root_options=ignore-corruption,restart-on-corruption"
    check "--verify-disk: a malformed request: one line per problem, as the init refuses them" vd_is 1 \
        "$D1: verity option 'foo' is unknown (the init stops the boot)" \
        "$D1: verity option hash-offset=7: expected bytes, a multiple of 512" \
        "$D1: root hash 'xyz' is not an even-length hex string of at most 128 digits" \
        "$D1: root=/dev/vda1 conflicts with verity: the init mounts only /dev/mapper/root; drop root=" \
        "$D1: choose one of ignore-corruption, restart-on-corruption, panic-on-corruption"
    vd d1 "roothash=$RH roothash="
    check "--verify-disk: an empty verity option" vd_is 1 "$D1: roothash= is empty; the init keeps verity on and stops the boot"
    vd d1 "root=/dev/vda1 rw"
    check "--verify-disk: a command line without verity" \
        vd_is 1 "$D1: the command line asks for no dm-verity root (no roothash=, verity= or systemd.verity_root_*=)"
    # --image: what the table needs
    gen -H base,verity -c none -o "$VD/v.cpio" 2>/dev/null
    gen -H base -c none -o "$VD/nov.cpio" 2>/dev/null
    vd d1 "roothash=$RH" --image "$VD/v.cpio"
    check "--verify-disk --image: the verity hook's image holds what the table needs" vd_is 0 "$OKL"
    vd d1 "roothash=$RH systemd.verity_root_options=root-hash-signature=/etc/x.p7s" --image "$VD/nov.cpio"
    check "--verify-disk --image: dm_mod, dm_verity and a signature file missing" vd_is 1 \
        "$VD/nov.cpio: module dm_mod, for the dm-verity table, is not in the image; add it with -m dm_mod" \
        "$VD/nov.cpio: module dm_verity, for the dm-verity table, is not in the image; add it with -m dm_verity" \
        "$VD/nov.cpio: root-hash-signature=/etc/x.p7s is not in the image; add it (--roothash-sig or --include) or the init stops the boot"
    vd d5 "roothash=$RH5" --image "$VD/v.cpio"
    check "--verify-disk --image: a sha512 tree needs sha512's module (from the superblock)" \
        grep -q "^$VD/v.cpio: module sha512_generic, for the dm-verity hash sha512, is not in the image; add it with -m sha512_generic" "$VD/out"
    gen -H base,verity -m sha512_generic -c none -o "$VD/v5.cpio" 2>/dev/null
    vd d5 "roothash=$RH5" --image "$VD/v5.cpio"
    check "--verify-disk --image: with sha512_generic: ok" [ "$VRC" = 0 ]
    # The root hash signature, checked offline with the certificate it
    # carries (a throwaway key: the kernel's trust is not checked here).
    if command -v openssl >/dev/null 2>&1 &&
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$VD/key.pem" -out "$VD/cert.pem" \
            -subj /CN=hatch-gen-test -days 2 >/dev/null 2>&1; then
        vsign() { # HASH OUT [options]
            _h=$1 _o=$2
            shift 2
            printf '%s' "$_h" | openssl cms -sign -binary -outform der -noattr \
                -signer "$VD/cert.pem" -inkey "$VD/key.pem" -out "$_o" "$@"
        }
        vsign "$RH" "$VD/good.p7s" && vsign "$BAD" "$VD/bad.p7s" && vsign "$BAD" "$VD/nocerts.p7s" -nocerts
        gen -H base,verity -c none --roothash-sig "$VD/good.p7s" --include "$VD/bad.p7s:/etc/bad.p7s" \
            -o "$VD/sig.cpio" 2>/dev/null
        vd d1 "roothash=$RH" --image "$VD/sig.cpio"
        check "--verify-disk --image: the image's roothash.p7s is over the root hash" vd_is 0 \
            "$OKL; the root hash signature (the image's /etc/hatch/roothash.p7s) is over it (whether the kernel trusts its signer is the kernel's to say)"
        vd d1 "roothash=$RH systemd.verity_root_options=root-hash-signature=/etc/bad.p7s" --image "$VD/sig.cpio"
        check "--verify-disk --image: a signature file over another root hash" vd_is 1 \
            "$D1: the root hash signature (/etc/bad.p7s) is not over root hash $(printf '%.16s' "$RH")...: the kernel would refuse it (EKEYREJECTED); sign this root hash"
        vd d1 "roothash=$RH systemd.verity_root_options=root-hash-signature=base64:$(base64 -w0 "$VD/bad.p7s")"
        check "--verify-disk: a base64 signature over another root hash" vd_is 1 \
            "$D1: the root hash signature (root-hash-signature=base64:...) is not over root hash $(printf '%.16s' "$RH")...: the kernel would refuse it (EKEYREJECTED); sign this root hash"
        vd d1 "roothash=$RH systemd.verity_root_options=root-hash-signature=base64:$(printf 'xyz' | base64 -w0)"
        check "--verify-disk: a base64 signature that is not PKCS#7" vd_is 1 \
            "$D1: the root hash signature (root-hash-signature=base64:...) is not a DER PKCS#7 message openssl can read: the kernel would refuse it (EBADMSG)"
        vd d1 "roothash=$RH systemd.verity_root_options=root-hash-signature=base64:$(base64 -w0 "$VD/nocerts.p7s")"
        check "--verify-disk: a signature without its certificate cannot be checked offline: ok" vd_is 0 "$OKL"
    else
        nok "--verify-disk: a throwaway signing key (openssl)"
    fi
    # A locked-down image's pinned root hash: used when the command line
    # gives none, and a different one is refused, as the init does.
    gen --lockdown -H base,verity -c none --roothash "$RH" -o "$VD/lock.cpio" 2>/dev/null
    vd d1 "$VSYSD" --image "$VD/lock.cpio"
    check "--verify-disk --image: a locked-down image's pinned root hash, no roothash=: ok" vd_is 0 "$OKL"
    vd d1 "roothash=$BAD $VSYSD" --image "$VD/lock.cpio"
    check "--verify-disk --image: another roothash= than the pinned one" vd_is 1 \
        "$D1: the root hash on the command line ($(printf '%.16s' "$BAD")...) is not the one $VD/lock.cpio is locked to ($(printf '%.16s' "$RH")...); the init refuses it"
    # FEC: a damaged block it repairs boots, but is still named.
    if RHF=$(vd_fec_disk df); then
        VFEC="roothash=$RHF $VSYSD systemd.verity_root_options=fec-device=PARTLABEL=vfec"
        vd df "$VFEC"
        check "--verify-disk: FEC parity on a partition of its own: ok" \
            vd_is 0 "$VD/df.img: ok: root hash $(printf '%.16s' "$RHF")... matches the hash tree (data: partition 1, hash: partition 2)"
        # The data is random: a constant byte is already there once in 256
        # runs, so the byte is inverted.
        _fo=$((2048 * 512 + 300000))
        _fb=$(od -An -tu1 -j "$_fo" -N1 "$VD/df.img" | tr -d ' ')
        # shellcheck disable=SC2059 # an octal escape made here
        printf "\\$(printf '%03o' $((255 - _fb)))" | dd of="$VD/df.img" bs=1 seek="$_fo" conv=notrunc 2>/dev/null
        vd df "$VFEC"
        check "--verify-disk: a block FEC repairs is still a problem" vd_is 1 \
            "$VD/df.img: the data of $VD/df.img has 1 block(s) that do not match its hash tree (data: partition 1, hash: partition 2); FEC repairs them at each read, but the disk is damaged: write it again"
    else
        nok "--verify-disk: a test disk with FEC parity (veritysetup format --fec-device)"
    fi
    # usage: exit status 2
    gen --verify-disk "$D1" >"$VD/out" 2>"$VD/err"
    VRC=$?
    check "--verify-disk without --cmdline: exit 2, one line" \
        test "$VRC" = 2 -a "$(cat "$VD/err")" = 'hatch: mkinitramfs: --verify-disk needs --cmdline "...": the command line the disk is to boot with'
    vd nope "roothash=$RH"
    check "--verify-disk: no such disk: exit 2" \
        test "$VRC" = 2 -a "$(cat "$VD/err")" = "hatch: mkinitramfs: --verify-disk: no such disk or image: $VD/nope.img"
    gen --verify-disk "$D1" --cmdline x --bogus >"$VD/out" 2>"$VD/err"
    VRC=$?
    check "--verify-disk with an unknown option: exit 2" [ "$VRC" = 2 ]
    expect_error "--image without --verify-disk refused" \
        "hatch: mkinitramfs: --image goes with --verify-disk DISK" gen --image "$VD/v.cpio" -o "$W/err.img"
    # shellcheck disable=SC2016 # the inner shell expands it
    check "--verify-disk: no loop device left behind" sh -c '! losetup -a 2>/dev/null | grep -q "$1"' - "$VD/"
else
    nok "--verify-disk: test disks made with veritysetup and sfdisk (install cryptsetup-bin, fdisk)"
fi
rm -rf "$VD"

# --- install and the Debian kernel hooks ------------------------------------
D=$W/dest
DESTDIR=$D PREFIX=/usr INIT=$INIT sh mk/install.sh --kernel-hook >/dev/null 2>"$W/install.err"
(cd "$D" && find . -type f | sed 's|^\./||' | sort) >"$W/installed"
check "install into DESTDIR with PREFIX=/usr: generator, init, hooks, kernel hooks" has "$W/installed" \
    usr/sbin/hatch-mkinitramfs usr/lib/hatch/init usr/lib/hatch/hooks/base usr/lib/hatch/hooks/modules \
    usr/lib/hatch/hooks/verity usr/lib/hatch/hooks/busybox usr/lib/hatch/hooks/microcode \
    etc/kernel/postinst.d/zz-hatch etc/kernel/postrm.d/zz-hatch
check "installed: executables are executable" \
    test -x "$D/usr/sbin/hatch-mkinitramfs" -a -x "$D/usr/lib/hatch/init" -a -x "$D/etc/kernel/postinst.d/zz-hatch"
check "installed kernel hook calls the installed generator" \
    grep -q 'HATCH_MKINITRAMFS:-/usr/sbin/hatch-mkinitramfs}' "$D/etc/kernel/postinst.d/zz-hatch"
"$D/usr/sbin/hatch-mkinitramfs" -k "$KVER" -b "$KROOT" -H base,verity -o "$W/inst.img" 2>/dev/null
listing "$W/inst.img" >"$W/inst.list" 2>/dev/null
check "installed generator finds its init and hooks (../lib/hatch)" has "$W/inst.list" init "$M/drivers/md/dm-verity.ko.zst"
out=$("$D/usr/sbin/hatch-mkinitramfs" --help 2>&1 | sed -n 1p)
check "installed --help names the command it was called by ('$out')" [ "$out" = "usage: hatch-mkinitramfs [options]" ]
VER=$(cat "$TOP/VERSION")
out=$("$D/usr/sbin/hatch-mkinitramfs" --version 2>&1)
check "installed --version reads lib/hatch/VERSION ('$out')" [ "$out" = "hatch-mkinitramfs (hatch) $VER" ]
out=$(sh "$GEN" --version 2>&1)
check "--version in the source tree reads VERSION ('$out')" [ "$out" = "mkinitramfs.sh (hatch) $VER" ]
out=$(make -s -n install DESTDIR="$W/dest-n" 2>&1)
case $out in
*"sh mk/install.sh"*) if printf '%s\n' "$out" | grep -qE '(^|[ /])(musl-gcc|gcc|cc|clang)( |$)|build-libs'; then
    nok "make install only installs (no compiler run)" "$out"
else
    ok "make install only installs (no compiler run)"
fi ;;
*) nok "make install only installs (no compiler run)" "$out" ;;
esac
expect_error "install without a built init: one clear line" \
    "hatch: install: no init at $W/no-init (run make first, or set INIT=FILE)" \
    env DESTDIR="$W/dest-x" INIT="$W/no-init" sh mk/install.sh
D3=$W/dest3
DESTDIR=$D3 PREFIX=/usr INIT=$INIT sh mk/install.sh --kernel-hook >/dev/null 2>&1
n_inst=$(find "$D3" ! -type d | wc -l)
make -s uninstall DESTDIR="$D3" PREFIX=/usr >/dev/null 2>&1
if \
    [ "$n_inst" -ge 9 ] && [ -z "$(find "$D3" ! -type d)" ] && [ ! -e "$D3/usr/lib/hatch" ]; then ok "install --kernel-hook then make uninstall: no file left, no lib/hatch ($n_inst installed)"; else nok "install --kernel-hook then make uninstall: no file left, no lib/hatch ($n_inst installed)" "failed"; fi
mkdir -p "$D3/etc/kernel/postinst.d"
echo mine >"$D3/etc/kernel/postinst.d/zz-hatch"
make -s uninstall DESTDIR="$D3" PREFIX=/usr >/dev/null 2>&1
check "make uninstall leaves a zz-hatch that is not hatch's" [ "$(cat "$D3/etc/kernel/postinst.d/zz-hatch")" = mine ]
DESTDIR=$W/dest2 PREFIX=/opt/hatch INIT=$INIT sh mk/install.sh >/dev/null 2>&1
check "PREFIX honoured" test -f "$W/dest2/opt/hatch/sbin/hatch-mkinitramfs" -a -f "$W/dest2/opt/hatch/lib/hatch/init"
check "kernel hooks installed only on request" test ! -e "$W/dest2/etc/kernel"
mkdir -p "$W/boot"
printf 'HATCH_ARGS="-b %s -H base,verity -c gzip"\n' "$KROOT" >"$W/default-hatch"
HATCH_MKINITRAMFS=$D/usr/sbin/hatch-mkinitramfs HATCH_BOOTDIR=$W/boot HATCH_CONFIG=$W/default-hatch \
    HATCH_SYSROOT=$S DEB_MAINT_PARAMS="configure 1.0" "$D/etc/kernel/postinst.d/zz-hatch" "$KVER" "/boot/vmlinuz-$KVER" 2>/dev/null
check "postinst.d hook writes /boot/initrd.img-KVER (config honoured: gzip)" \
    [ "$(main_magic "$W/boot/initrd.img-$KVER")" = gzip ]
# This machine's root on multipath: the generator refuses, the existing initrd
# (initramfs-tools') stays, and the kernel package still installs.
root_on 253:2 ext4 /dev/mapper/mpatha
echo initramfs-tools >"$W/boot/initrd.img-$KVER"
HATCH_MKINITRAMFS=$D/usr/sbin/hatch-mkinitramfs HATCH_BOOTDIR=$W/boot HATCH_CONFIG=$W/default-hatch \
    HATCH_SYSROOT=$S DEB_MAINT_PARAMS="configure 1.0" "$D/etc/kernel/postinst.d/zz-hatch" "$KVER" 2>"$W/hook-luks.err"
rc=$?
if \
    [ "$rc" -eq 0 ] && [ "$(cat "$W/boot/initrd.img-$KVER")" = initramfs-tools ] && [ "$(ls -A "$W/boot")" = "initrd.img-$KVER" ]; then ok "postinst.d hook, root on multipath: exit 0, existing initrd untouched, nothing else in /boot"; else nok "postinst.d hook, root on multipath: exit 0, existing initrd untouched, nothing else in /boot" "failed"; fi
check "postinst.d hook, root on multipath: says why and that the initrd was kept" \
    grep -q "the root filesystem is on multipath on dm-2 (/dev/mapper/mpatha)" "$W/hook-luks.err"
rm -f "$W/boot/initrd.img-$KVER"
HATCH_MKINITRAMFS=$D/usr/sbin/hatch-mkinitramfs HATCH_BOOTDIR=$W/boot HATCH_CONFIG=$W/default-hatch \
    HATCH_SYSROOT=$S DEB_MAINT_PARAMS="configure 1.0" "$D/etc/kernel/postinst.d/zz-hatch" "$KVER" 2>/dev/null
rc=$?
if \
    [ "$rc" -eq 3 ] && [ -z "$(ls -A "$W/boot")" ]; then ok "postinst.d hook, root on multipath, no initrd to keep: fails (exit $rc), writes nothing"; else nok "postinst.d hook, root on multipath, no initrd to keep: fails (exit $rc), writes nothing" "failed"; fi
root_on 254:0 ext4 /dev/vda
rm -f "$W/boot/initrd.img-$KVER"
HATCH_MKINITRAMFS=$D/usr/sbin/hatch-mkinitramfs HATCH_BOOTDIR=$W/boot HATCH_CONFIG=$W/default-hatch \
    DEB_MAINT_PARAMS="abort-upgrade 1.0" "$D/etc/kernel/postinst.d/zz-hatch" "$KVER" 2>/dev/null
check "postinst.d hook does nothing on abort-upgrade" [ ! -e "$W/boot/initrd.img-$KVER" ]
echo x >"$W/boot/initrd.img-$KVER"
HATCH_BOOTDIR=$W/boot DEB_MAINT_PARAMS="remove" "$D/etc/kernel/postrm.d/zz-hatch" "$KVER"
check "postrm.d hook removes the image" [ ! -e "$W/boot/initrd.img-$KVER" ]

# The kernel hook and manual runs read the same hatch.conf.
KE=$W/etc-hook
mkdir -p "$KE/hatch"
printf 'compression=xz\nhooks=base,verity\n' >"$KE/hatch/hatch.conf"
printf 'HATCH_ARGS="-b %s"\n' "$KROOT" >"$W/default-hatch2"
rm -f "$W/boot/initrd.img-$KVER"
HATCH_SYSCONFDIR=$KE HATCH_MKINITRAMFS=$D/usr/sbin/hatch-mkinitramfs HATCH_BOOTDIR=$W/boot HATCH_CONFIG=$W/default-hatch2 \
    HATCH_SYSROOT=$S DEB_MAINT_PARAMS="configure 1.0" "$D/etc/kernel/postinst.d/zz-hatch" "$KVER" 2>/dev/null
check "postinst.d hook: hatch.conf is read (compression=xz)" [ "$(main_magic "$W/boot/initrd.img-$KVER")" = xz ]
rm -f "$W/boot/initrd.img-$KVER"

# make install / make uninstall: the manual pages and the QEMU runner too.
D4=$W/dest4
make -s install DESTDIR="$D4" PREFIX=/usr INSTALL_INIT="$INIT" >/dev/null 2>"$W/make-install.err"
(cd "$D4" && find . ! -type d | sed 's|^\./||' | sort) >"$W/installed4"
check "make install: manual pages and the QEMU runner with the generator" has "$W/installed4" \
    usr/sbin/hatch-mkinitramfs usr/lib/hatch/init usr/lib/hatch/gen/inspect.sh usr/lib/hatch/gen/config.sh \
    usr/share/man/man8/hatch-mkinitramfs.8 usr/share/man/man7/hatch-cmdline.7 usr/lib/hatch/qemu/boot.sh
check "make install: the QEMU runner is executable, the pages are not" \
    test -x "$D4/usr/lib/hatch/qemu/boot.sh" -a ! -x "$D4/usr/share/man/man8/hatch-mkinitramfs.8"
"$D4/usr/sbin/hatch-mkinitramfs" --show "$W/generic.img" >"$W/inst-show.out" 2>&1
check "the installed generator finds its parts (--show)" grep -qx "kernel: $KVER" "$W/inst-show.out"
n4=$(wc -l <"$W/installed4")
make -s uninstall DESTDIR="$D4" PREFIX=/usr >/dev/null 2>&1
if \
    [ "$n4" -ge 18 ] && [ -z "$(find "$D4" ! -type d)" ] && [ ! -e "$D4/usr/lib/hatch" ]; then ok "make install then make uninstall: no file left ($n4 installed), no lib/hatch"; else nok "make install then make uninstall: no file left ($n4 installed), no lib/hatch" "failed"; fi
make -s install DESTDIR="$D4" PREFIX=/usr MANDIR=/usr/man INSTALL_INIT="$INIT" >/dev/null 2>&1
check "MANDIR honoured" test -f "$D4/usr/man/man7/hatch-cmdline.7"
make -s uninstall DESTDIR="$D4" PREFIX=/usr MANDIR=/usr/man >/dev/null 2>&1
check "make uninstall with the same MANDIR: no file left" [ -z "$(find "$D4" ! -type d)" ]

# --- manual pages ---------------------------------------------------------------
sh man/md2man.sh cmdline-spec.md "$VER" >"$W/hatch-cmdline.7" 2>"$W/md2man.err"
if [ -s "$W/hatch-cmdline.7" ] && [ ! -s "$W/md2man.err" ]; then ok "man/md2man.sh makes hatch-cmdline.7 from cmdline-spec.md"; else nok "man/md2man.sh makes hatch-cmdline.7 from cmdline-spec.md" "failed"; fi
if command -v groff >/dev/null 2>&1; then
    for page in man/hatch-mkinitramfs.8 "$W/hatch-cmdline.7"; do
        out=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1)
        check "groff renders ${page##*/} without a warning" [ -z "$out" ]
    done
    groff -k -man -Tascii -P-cbou "$W/hatch-cmdline.7" 2>/dev/null >"$W/cmdline.txt"
    groff -k -man -Tascii -P-cbou man/hatch-mkinitramfs.8 2>/dev/null >"$W/mkinitramfs.txt"
    # Every option the specification names in code (rd.timeout=, roothash=, ...)
    # is in the page, and every section heading.
    missing=$(grep -o '`[a-z][a-z._]*=' cmdline-spec.md | tr -d '`' | sort -u | while read -r o; do
        grep -qF -- "$o" "$W/cmdline.txt" || printf '%s ' "$o"
    done)
    check "hatch-cmdline.7 names every option of cmdline-spec.md${missing:+ (missing: $missing)}" [ -z "$missing" ]
    missing=$(sed -n 's/^##* //p' cmdline-spec.md | sed 1d | while IFS= read -r h; do
        grep -qiF -- "$h" "$W/cmdline.txt" || printf '%s; ' "$h"
    done)
    check "hatch-cmdline.7 has every heading of cmdline-spec.md${missing:+ (missing: $missing)}" [ -z "$missing" ]
    # The generator's page and --help name the same long options, and the page
    # every short one.
    sh "$GEN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$W/help.opts"
    grep -o -- '--[a-z][a-z-]*' "$W/mkinitramfs.txt" | sort -u >"$W/man.opts"
    check "hatch-mkinitramfs.8 and --help name the same long options ($(wc -l <"$W/help.opts") each)" \
        cmp -s "$W/help.opts" "$W/man.opts"
    missing=$(sh "$GEN" --help | grep -oE -- '^  -[a-zA-Z]' | while read -r o; do
        grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$W/mkinitramfs.txt" || printf '%s ' "$o"
    done)
    check "hatch-mkinitramfs.8 names every short option${missing:+ (missing: $missing)}" [ -z "$missing" ]
    if command -v man >/dev/null 2>&1; then
        out=$(man -l man/hatch-mkinitramfs.8 2>&1 >/dev/null; man -l "$W/hatch-cmdline.7" 2>&1 >/dev/null)
        check "man -l shows both pages without complaint" [ -z "$out" ]
    fi
else
    nok "groff installed (to check the manual pages)"
fi
# shellcheck disable=SC2016 # expanded by the inner sh
check "--help names every new option" sh -c '"$@" --help | grep -q -- "--show IMAGE" &&
    "$@" --help | grep -q -- "--check IMAGE" && "$@" --help | grep -q -- "--print-cmdline" &&
    "$@" --help | grep -q -- "--all " && "$@" --help | grep -q -- "--config FILE" &&
    "$@" --help | grep -q -- "--omit-module" && "$@" --help | grep -q -- "--include SRC"' sh sh "$GEN"

# --- figures ----------------------------------------------------------------
echo "# generic image (zstd): $(wc -c <"$W/generic.img") bytes, $n_ko modules"

check "no temporary files left at the end" tmp_clean
finish
