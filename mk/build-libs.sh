#!/bin/sh
# Build libblkid (util-linux), libkmod (kmod, with zstd-compressed modules
# through libzstd), libdevmapper (lvm2) and libcryptsetup (cryptsetup, with
# json-c and libuuid from util-linux) as static musl archives, and mdadm and
# lvm (lvm2, with libaio) as static musl programs for the mdraid and lvm
# hooks, from Debian's source packages, into DIR (default build/deps).
# Sources come through a private deb-src list handed to apt-get with -o
# options, so /etc/apt is never touched. Each is built once: a stamp file
# per build makes re-runs free.
#
# Layout under DIR:  apt/ (private sources + lists)  src/ (unpacked sources)
#                    inc/ (kernel header links)      prefix/ (installed libs)
#                    log/ (one log per build)
set -eu

DIR=${1:-build/deps}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
APT="$DIR/apt"
SRC="$DIR/src"
INC="$DIR/inc"
PREFIX="$DIR/prefix"
JOBS=$(nproc 2>/dev/null || echo 2)

die() { echo "hatch: build-libs: $*" >&2; exit 1; }

STAMPS=".blkid-done .zstd-small-done .kmod-zstd-done .dm-done .uuid-done .jsonc-done .cryptsetup-done
    .mdadm-done .aio-done .lvm-done"
all_done() {
    for s in $STAMPS; do
        [ -f "$PREFIX/$s" ] || return 1
    done
}
if all_done; then
    exit 0
fi

command -v musl-gcc >/dev/null || die "musl-gcc not found; run 'make deps'"

# --- sources -----------------------------------------------------------------
# The archive URI is taken from the machine's own apt configuration, so this
# works behind whatever mirror the machine already uses.
archive_uri() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' "$f"
    done | head -n 1
    [ -f /etc/apt/sources.list ] &&
        awk '$1=="deb" && $0 ~ / bookworm / && $0 ~ / main/ {print $2; exit}' /etc/apt/sources.list
    return 0
}

fetch_sources() { # $@ = source packages
    mkdir -p "$APT/lists/partial" "$SRC"
    uri=$(archive_uri | head -n 1)
    [ -n "$uri" ] || die "no Debian bookworm archive found in /etc/apt to take sources from"
    cat >"$APT/hatch-src.sources" <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    pkgs="$*"
    set -- -o "Dir::Etc::sourcelist=$APT/hatch-src.sources" \
           -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$APT/lists" \
           -o Debug::NoLocking=1
    apt-get "$@" -q update >"$APT/update.log" 2>&1 ||
        die "apt-get update of the private deb-src list failed (see $APT/update.log)"
    # shellcheck disable=SC2086 # a list of package names, split on purpose
    (cd "$SRC" && apt-get "$@" -q source --download-only $pkgs >"$APT/source.log" 2>&1) ||
        die "apt-get source $pkgs failed (see $APT/source.log)"
}

unpack() { # $1 = source package; prints the unpacked directory
    d=$(find "$SRC" -maxdepth 1 -type d -name "$1-*" | head -n 1)
    if [ -z "$d" ]; then
        dsc=$(find "$SRC" -maxdepth 1 -name "${1}_*.dsc" | head -n 1)
        [ -n "$dsc" ] || die "no $1 source package in $SRC"
        (cd "$SRC" && dpkg-source -x "$(basename "$dsc")" >/dev/null 2>&1) ||
            die "dpkg-source -x $dsc failed"
        d=$(find "$SRC" -maxdepth 1 -type d -name "$1-*" | head -n 1)
    fi
    echo "$d"
}

# --- toolchain ---------------------------------------------------------------
# Debian's musl-gcc searches only musl's own headers; libdevmapper.h and the
# libraries need <linux/...> and <asm/...>, so link the kernel headers in.
mkdir -p "$INC"
for h in linux asm-generic; do
    [ -e "$INC/$h" ] || ln -s "/usr/include/$h" "$INC/$h"
done
[ -e "$INC/asm" ] || ln -s "/usr/include/$(gcc -print-multiarch)/asm" "$INC/asm"

export CC=musl-gcc
export CFLAGS="-Os -ffunction-sections -fdata-sections -isystem $INC"
export CPPFLAGS="-isystem $INC -I$PREFIX/include"
export LDFLAGS="-static"
# Never hand glibc's .pc files to a musl build.
export PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig"
export PKG_CONFIG_PATH=""
mkdir -p "$PREFIX/lib" "$PREFIX/include"

# Only what is missing is fetched: an existing build/deps gets the newer
# libraries' sources without downloading the others again.
need=""
for p in util-linux libzstd kmod lvm2 cryptsetup json-c mdadm libaio; do
    ls "$SRC/${p}_"*.dsc >/dev/null 2>&1 || need="$need $p"
done
# shellcheck disable=SC2086
[ -z "$need" ] || fetch_sources $need

log() { echo "hatch: build-libs: $*"; }

# --- the builds ----------------------------------------------------------------
# Each build is a function run by build(), once: its stamp in PREFIX marks
# it done, its output goes to DIR/log/NAME.log.
mkdir -p "$DIR/log"

# build STAMP WHAT FUNCTION
build() {
    [ ! -f "$PREFIX/$1" ] || return 0
    log "$2"
    # Started with &, so set -e stops FUNCTION at its first failing command:
    # inside "( ... ) || die" it would be off, and a failed make followed by
    # a cp that works would count as a build.
    ("$3") >"$DIR/log/$3.log" 2>&1 &
    wait $! || die "$2: the build failed (see $DIR/log/$3.log)"
    touch "$PREFIX/$1"
}

# util-linux's configure, for libblkid and libuuid alike.
configure_util_linux() {
    ./configure --host=x86_64-linux-musl --prefix="$PREFIX" \
        --disable-all-programs --enable-libblkid --enable-libuuid \
        --disable-shared --enable-static \
        --disable-nls --without-udev --without-systemd --without-python \
        --without-readline --without-ncursesw --without-tinfo --without-libmagic \
        --without-econf --without-btrfs --without-selinux --without-audit
}

# pc NAME DESCRIPTION VERSION LIBS CFLAGS: a pkg-config file in the prefix,
# for configure scripts that look only there.
pc() {
    mkdir -p "$PREFIX/lib/pkgconfig"
    printf '%s\n' "prefix=$PREFIX" "Name: $1" "Description: $2" "Version: $3" "Libs: $4" \
        "Cflags: $5" >"$PREFIX/lib/pkgconfig/$1.pc"
}

build_blkid() {
    d=$(unpack util-linux)
    cd "$d"
    [ -f Makefile ] || configure_util_linux
    make -j"$JOBS" libblkid.la
    cp .libs/libblkid.a "$PREFIX/lib/"
    mkdir -p "$PREFIX/include/blkid"
    cp libblkid/src/blkid.h "$PREFIX/include/blkid/"
}

# For modules stored zstd-compressed in the image: the generic image keeps
# the modules a boot rarely needs compressed, and libkmod expands one only
# when it is loaded. Decompression only: the init never compresses. One
# Huffman decoder and the short-offset sequence decoder only (zstd's own
# size options, lib/README.md): the init is 24.5 KB smaller, and xfs.ko
# (4.2 MB, zstd -6) expands as fast (9.6 against 10.4 ms, host, best of 3).
# ZSTD_NO_INLINE would save 16 KB more at 30 % slower; the error strings
# stay, for libkmod's message on a damaged module.
build_zstd() {
    d=$(unpack libzstd)
    cd "$d/lib"
    make clean
    make -j"$JOBS" libzstd.a-nomt ZSTD_LIB_COMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 \
        ZSTD_LIB_DEPRECATED=0 ZSTD_LEGACY_SUPPORT=0 ZSTD_NO_ASM=1 \
        CC=musl-gcc CFLAGS="$CFLAGS -DHUF_FORCE_DECOMPRESS_X1 -DZSTD_FORCE_DECOMPRESS_SEQUENCES_SHORT"
    cp libzstd.a "$PREFIX/lib/"
    cp zstd.h zstd_errors.h "$PREFIX/include/"
    v=$(sed -n 's/^#define ZSTD_VERSION_\(MAJOR\|MINOR\|RELEASE\) *\([0-9]*\).*/\2/p' zstd.h |
        paste -sd.)
    pc libzstd "zstd decompression" "$v" "-L$PREFIX/lib -lzstd" "-I$PREFIX/include"
}

build_kmod() {
    d=$(unpack kmod)
    # A tree configured without zstd (before it was used) starts over.
    if [ -f "$d/Makefile" ] && ! grep -q '^#define ENABLE_ZSTD 1' "$d/config.h"; then
        rm -rf "$d"
        d=$(unpack kmod)
    fi
    cd "$d"
    if [ ! -f Makefile ]; then
        # autogen.sh wants gtkdocize; an empty gtk-doc.make is all automake needs.
        mkdir -p libkmod/docs && touch libkmod/docs/gtk-doc.make
        autoreconf -fi
        # --sysconfdir=/etc: modprobe.d paths must be the target's, not the prefix's.
        ./configure --host=x86_64-linux-musl --prefix="$PREFIX" --sysconfdir=/etc \
            --disable-tools --disable-manpages --disable-test-modules \
            --with-zstd --without-xz --without-zlib --without-openssl
    fi
    # configure refuses --enable-static; the libtool convenience library is
    # the same objects as an archive.
    make -j"$JOBS" libkmod/libkmod-internal.la
    cp libkmod/.libs/libkmod-internal.a "$PREFIX/lib/libkmod.a"
    cp libkmod/libkmod.h "$PREFIX/include/"
}

build_devmapper() {
    d=$(unpack lvm2)
    cd "$d"
    [ -f make.tmpl ] || ./configure --host=x86_64-linux-musl --prefix="$PREFIX" \
        --enable-static_link --with-symvers=no --disable-udev_sync \
        --disable-udev_rules --disable-selinux --disable-readline \
        --disable-blkid_wiping --disable-systemd-journal --disable-nls
    make -j"$JOBS" -C libdm ioctl/libdevmapper.a
    cp libdm/ioctl/libdevmapper.a "$PREFIX/lib/"
    cp libdm/libdevmapper.h "$PREFIX/include/"
}

# For libcryptsetup, from the same util-linux tree as libblkid; a tree
# configured before libuuid was wanted is configured again with it.
build_uuid() {
    d=$(unpack util-linux)
    cd "$d"
    grep -q '^libuuid_la_SOURCES' Makefile 2>/dev/null || configure_util_linux
    make -j"$JOBS" libuuid.la
    cp .libs/libuuid.a "$PREFIX/lib/"
    mkdir -p "$PREFIX/include/uuid"
    cp libuuid/src/uuid.h "$PREFIX/include/uuid/"
    v=$(sed -n 's/^PACKAGE_VERSION=.\(.*\).$/\1/p' configure | head -n 1)
    pc uuid "libuuid (util-linux)" "$v" "-L$PREFIX/lib -luuid" "-I$PREFIX/include/uuid"
}

# For libcryptsetup's LUKS2 metadata.
build_jsonc() {
    command -v cmake >/dev/null || die "cmake not found; run 'make deps'"
    d=$(unpack json-c)
    mkdir -p "$d/hatch-build"
    cd "$d/hatch-build"
    cmake .. -DCMAKE_C_COMPILER=musl-gcc -DCMAKE_INSTALL_PREFIX="$PREFIX" \
        -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DDISABLE_EXTRA_LIBS=ON \
        -DBUILD_TESTING=OFF -DBUILD_APPS=OFF
    make -j"$JOBS"
    make install
}

# The kernel crypto backend (AF_ALG: no OpenSSL in the init) and cryptsetup's
# own argon2; no tools, tokens, reencryption, blkid or udev.
build_cryptsetup() {
    # configure finds libdevmapper through pkg-config only.
    dmv=$(sed 's/ .*//' "$(find "$SRC" -maxdepth 2 -name VERSION_DM | head -n 1)")
    pc devmapper "libdevmapper (lvm2)" "$dmv" "-L$PREFIX/lib -ldevmapper -lpthread -lm" \
        "-I$PREFIX/include"
    d=$(unpack cryptsetup)
    cd "$d"
    if [ ! -f Makefile ]; then
        autoreconf -fi
        # configure insists on popt, which only the tools use.
        ac_cv_lib_popt_poptConfigFileToString=yes \
        LDFLAGS="-static -L$PREFIX/lib" \
        ./configure --host=x86_64-linux-musl --prefix="$PREFIX" \
            --disable-shared --enable-static --with-crypto_backend=kernel \
            --enable-internal-argon2 --disable-libargon2 --disable-blkid \
            --disable-cryptsetup --disable-veritysetup --disable-integritysetup \
            --disable-ssh-token --disable-external-tokens \
            --disable-luks2-reencryption --disable-nls --disable-selinux \
            --disable-udev --disable-asciidoc
    fi
    make -j"$JOBS" libcryptsetup.la
    cp .libs/libcryptsetup.a "$PREFIX/lib/"
    cp lib/libcryptsetup.h "$PREFIX/include/"
    sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' config.h >"$PREFIX/cryptsetup.version"
}

# For the mdraid hook: a program, not a library; the init runs it (mdadm
# --incremental) as md members appear. No libudev, corosync or dlm;
# stripped into prefix/sbin.
build_mdadm() {
    d=$(unpack mdadm)
    cd "$d"
    # CHECK_RUN_DIR=0: /run/mdadm is the target's, made at run time.
    make -j"$JOBS" mdadm.static CC=musl-gcc \
        CXFLAGS="-Os -ffunction-sections -fdata-sections -DNO_LIBUDEV -DNO_COROSYNC -DNO_DLM -isystem $INC" \
        LDFLAGS="-Wl,--gc-sections" LDLIBS= CHECK_RUN_DIR=0
    mkdir -p "$PREFIX/sbin"
    strip -o "$PREFIX/sbin/mdadm" mdadm.static
    ./mdadm.static --version 2>&1 | sed -n 's/^mdadm - v\([^ ]*\).*/\1/p' >"$PREFIX/mdadm.version"
}

# For the lvm hook: lvm2's bcache includes libaio.h unconditionally.
build_aio() {
    d=$(unpack libaio)
    cd "$d/src"
    make -j"$JOBS" libaio.a ENABLE_SHARED=0 CC=musl-gcc CFLAGS="$CFLAGS"
    cp libaio.a "$PREFIX/lib/"
    cp libaio.h "$PREFIX/include/"
}

# The static lvm tool, in its own copy of the lvm2 tree, configured with
# libaio visible, so the tree that gave libdevmapper.a is left as it was.
# Three musl fixes, all in glibc-only code: mallinfo() in memlock.c, and
# assignments to stdin/stdout/stderr (read-only in musl) in lvmcmdline.c and
# toolcontext.c.
build_lvm() {
    t="$SRC/lvm2-tool"
    if [ ! -f "$t/make.tmpl" ]; then
        rm -rf "$t"
        dsc=$(find "$SRC" -maxdepth 1 -name 'lvm2_*.dsc' | head -n 1)
        (cd "$SRC" && dpkg-source -x "$(basename "$dsc")" lvm2-tool)
    fi
    cd "$t"
    # configure and make both: the tool links libaio from the prefix.
    export LDFLAGS="-static -L$PREFIX/lib"
    if [ ! -f make.tmpl ]; then
        g='#if !defined(VALGRIND_POOL) \&\& defined(__GLIBC__)'
        sed -i "0,/^#ifndef VALGRIND_POOL\$/s//$g/" lib/mm/memlock.c
        sed -i "s/^#ifndef VALGRIND_POOL\$/$g/" lib/commands/toolcontext.c
        sed -i -E 's/!\((stdin|stdout|stderr) = fopen\(_PATH_DEVNULL, ("[rw]")\)\)/!freopen(_PATH_DEVNULL, \2, \1)/' \
            tools/lvmcmdline.c
        ./configure --host=x86_64-linux-musl --prefix=/usr --sysconfdir=/etc \
            --localstatedir=/var --enable-static_link --with-symvers=no \
            --disable-udev_sync --disable-udev_rules --disable-selinux \
            --disable-readline --disable-blkid_wiping --disable-systemd-journal \
            --disable-nls --disable-lvmpolld --disable-dmeventd --disable-notify-dbus \
            --disable-app-machineid --disable-fsadm --disable-lvmimportvdo \
            --disable-cmdlib --with-default-run-dir=/run/lvm \
            --with-default-locking-dir=/run/lock/lvm --with-default-pid-dir=/run \
            --with-default-dm-run-dir=/run
    fi
    grep -q '^#define HAVE_LIBAIO_H 1' include/configure.h
    make -j"$JOBS" tools
    mkdir -p "$PREFIX/sbin"
    strip -o "$PREFIX/sbin/lvm" tools/lvm.static
}

build .blkid-done "libblkid (util-linux)" build_blkid
build .zstd-small-done "libzstd (decompression only)" build_zstd
build .kmod-zstd-done "libkmod (kmod)" build_kmod
build .dm-done "libdevmapper (lvm2)" build_devmapper
build .uuid-done "libuuid (util-linux)" build_uuid
build .jsonc-done "json-c" build_jsonc
build .cryptsetup-done "libcryptsetup (cryptsetup)" build_cryptsetup
build .mdadm-done "mdadm (static)" build_mdadm
build .aio-done "libaio" build_aio
build .lvm-done "lvm (static tool, lvm2)" build_lvm

all_done || die "a library is missing a stamp in $PREFIX"
touch "$PREFIX/.all-done"
log "done: $(cd "$PREFIX/lib" && echo *.a) sbin/mdadm sbin/lvm"
