#!/bin/sh
# Build libblkid (util-linux), libkmod (kmod, with zstd-compressed modules
# through libzstd), libdevmapper (lvm2) and libcryptsetup (cryptsetup, with
# json-c and libuuid from util-linux) as static musl archives, and mdadm as a
# static musl program (for the mdraid hook), from Debian's
# source packages, into DIR (default build/deps). Sources come through a private deb-src list handed to apt-get
# with -o options, so /etc/apt is never touched. Each library is built once:
# a stamp file per library makes re-runs free.
#
# Layout under DIR:  apt/ (private sources + lists)  src/ (unpacked sources)
#                    inc/ (kernel header links)      prefix/ (installed libs)
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

STAMPS=".blkid-done .zstd-done .kmod-zstd-done .dm-done .uuid-done .jsonc-done .cryptsetup-done
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

# --- libblkid ----------------------------------------------------------------
if [ ! -f "$PREFIX/.blkid-done" ]; then
    log "libblkid (util-linux)"
    d=$(unpack util-linux)
    (
        cd "$d"
        [ -f Makefile ] || ./configure --host=x86_64-linux-musl --prefix="$PREFIX" \
            --disable-all-programs --enable-libblkid --enable-libuuid \
            --disable-shared --enable-static \
            --disable-nls --without-udev --without-systemd --without-python \
            --without-readline --without-ncursesw --without-tinfo --without-libmagic \
            --without-econf --without-btrfs --without-selinux --without-audit \
            >build.log 2>&1
        make -j"$JOBS" libblkid.la >>build.log 2>&1
        cp .libs/libblkid.a "$PREFIX/lib/"
        mkdir -p "$PREFIX/include/blkid"
        cp libblkid/src/blkid.h "$PREFIX/include/blkid/"
    ) || die "libblkid build failed (see $d/build.log)"
    touch "$PREFIX/.blkid-done"
fi

# --- libzstd ------------------------------------------------------------------
# For modules stored zstd-compressed in the image: the generic image keeps
# the modules a boot rarely needs compressed, and libkmod expands one only
# when it is loaded. Decompression only: the init never compresses.
if [ ! -f "$PREFIX/.zstd-done" ]; then
    log "libzstd (decompression only)"
    d=$(unpack libzstd)
    (
        cd "$d/lib"
        make -j"$JOBS" libzstd.a-nomt ZSTD_LIB_COMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 \
            ZSTD_LIB_DEPRECATED=0 ZSTD_LEGACY_SUPPORT=0 ZSTD_NO_ASM=1 \
            CC=musl-gcc CFLAGS="$CFLAGS" >build.log 2>&1
        cp libzstd.a "$PREFIX/lib/"
        cp zstd.h zstd_errors.h "$PREFIX/include/"
        v=$(sed -n 's/^#define ZSTD_VERSION_\(MAJOR\|MINOR\|RELEASE\) *\([0-9]*\).*/\2/p' zstd.h |
            paste -sd.)
        mkdir -p "$PREFIX/lib/pkgconfig"
        printf '%s\n' "prefix=$PREFIX" "Name: libzstd" "Description: zstd decompression" \
            "Version: $v" "Libs: -L$PREFIX/lib -lzstd" "Cflags: -I$PREFIX/include" \
            >"$PREFIX/lib/pkgconfig/libzstd.pc"
    ) || die "libzstd build failed (see $d/lib/build.log)"
    touch "$PREFIX/.zstd-done"
fi

# --- libkmod -----------------------------------------------------------------
if [ ! -f "$PREFIX/.kmod-zstd-done" ]; then
    log "libkmod (kmod)"
    d=$(unpack kmod)
    # A tree configured without zstd (before it was used) starts over.
    if [ -f "$d/Makefile" ] && ! grep -q '^#define ENABLE_ZSTD 1' "$d/config.h" 2>/dev/null; then
        rm -rf "$d"
        d=$(unpack kmod)
    fi
    (
        cd "$d"
        if [ ! -f Makefile ]; then
            # autogen.sh wants gtkdocize; an empty gtk-doc.make is all automake needs.
            mkdir -p libkmod/docs && touch libkmod/docs/gtk-doc.make
            autoreconf -fi >build.log 2>&1
            # --sysconfdir=/etc: modprobe.d paths must be the target's, not the prefix's.
            ./configure --host=x86_64-linux-musl --prefix="$PREFIX" --sysconfdir=/etc \
                --disable-tools --disable-manpages --disable-test-modules \
                --with-zstd --without-xz --without-zlib --without-openssl \
                >>build.log 2>&1
        fi
        # configure refuses --enable-static; the libtool convenience library is
        # the same objects as an archive.
        make -j"$JOBS" libkmod/libkmod-internal.la >>build.log 2>&1
        cp libkmod/.libs/libkmod-internal.a "$PREFIX/lib/libkmod.a"
        cp libkmod/libkmod.h "$PREFIX/include/"
    ) || die "libkmod build failed (see $d/build.log)"
    touch "$PREFIX/.kmod-zstd-done"
fi

# --- libdevmapper ------------------------------------------------------------
if [ ! -f "$PREFIX/.dm-done" ]; then
    log "libdevmapper (lvm2)"
    d=$(unpack lvm2)
    (
        cd "$d"
        [ -f make.tmpl ] || ./configure --host=x86_64-linux-musl --prefix="$PREFIX" \
            --enable-static_link --with-symvers=no --disable-udev_sync \
            --disable-udev_rules --disable-selinux --disable-readline \
            --disable-blkid_wiping --disable-systemd-journal --disable-nls \
            >build.log 2>&1
        make -j"$JOBS" -C libdm ioctl/libdevmapper.a >>build.log 2>&1
        cp libdm/ioctl/libdevmapper.a "$PREFIX/lib/"
        cp libdm/libdevmapper.h "$PREFIX/include/"
    ) || die "libdevmapper build failed (see $d/build.log)"
    touch "$PREFIX/.dm-done"
fi

# --- libuuid (for libcryptsetup) ---------------------------------------------
# From the same util-linux tree as libblkid; a tree configured before libuuid
# was wanted is configured again with it.
if [ ! -f "$PREFIX/.uuid-done" ]; then
    log "libuuid (util-linux)"
    d=$(unpack util-linux)
    (
        cd "$d"
        if ! grep -q '^libuuid_la_SOURCES' Makefile 2>/dev/null; then
            ./configure --host=x86_64-linux-musl --prefix="$PREFIX" \
                --disable-all-programs --enable-libblkid --enable-libuuid \
                --disable-shared --enable-static \
                --disable-nls --without-udev --without-systemd --without-python \
                --without-readline --without-ncursesw --without-tinfo --without-libmagic \
                --without-econf --without-btrfs --without-selinux --without-audit \
                >build-uuid.log 2>&1
        fi
        make -j"$JOBS" libuuid.la >>build-uuid.log 2>&1
        cp .libs/libuuid.a "$PREFIX/lib/"
        mkdir -p "$PREFIX/include/uuid" "$PREFIX/lib/pkgconfig"
        cp libuuid/src/uuid.h "$PREFIX/include/uuid/"
        v=$(sed -n 's/^PACKAGE_VERSION=.\(.*\).$/\1/p' configure | head -n 1)
        printf '%s\n' "prefix=$PREFIX" "Name: uuid" "Description: libuuid (util-linux)" \
            "Version: $v" "Libs: -L$PREFIX/lib -luuid" "Cflags: -I$PREFIX/include/uuid" \
            >"$PREFIX/lib/pkgconfig/uuid.pc"
    ) || die "libuuid build failed (see $d/build-uuid.log)"
    touch "$PREFIX/.uuid-done"
fi

# --- json-c (for libcryptsetup's LUKS2 metadata) --------------------------------
if [ ! -f "$PREFIX/.jsonc-done" ]; then
    log "json-c"
    command -v cmake >/dev/null || die "cmake not found; run 'make deps'"
    d=$(unpack json-c)
    (
        cd "$d"
        mkdir -p hatch-build
        cd hatch-build
        cmake .. -DCMAKE_C_COMPILER=musl-gcc -DCMAKE_INSTALL_PREFIX="$PREFIX" \
            -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_BUILD_TYPE=MinSizeRel \
            -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DDISABLE_EXTRA_LIBS=ON \
            -DBUILD_TESTING=OFF -DBUILD_APPS=OFF >build.log 2>&1
        make -j"$JOBS" >>build.log 2>&1
        make install >>build.log 2>&1
    ) || die "json-c build failed (see $d/hatch-build/build.log)"
    touch "$PREFIX/.jsonc-done"
fi

# --- libcryptsetup -------------------------------------------------------------
# The kernel crypto backend (AF_ALG: no OpenSSL in the init) and cryptsetup's
# own argon2; no tools, tokens, reencryption, blkid or udev.
if [ ! -f "$PREFIX/.cryptsetup-done" ]; then
    log "libcryptsetup (cryptsetup)"
    d=$(unpack cryptsetup)
    # configure finds libdevmapper through pkg-config only.
    dmv=$(sed 's/ .*//' "$(find "$SRC" -maxdepth 2 -name VERSION_DM | head -n 1)")
    printf '%s\n' "prefix=$PREFIX" "Name: devmapper" "Description: libdevmapper (lvm2)" \
        "Version: $dmv" "Libs: -L$PREFIX/lib -ldevmapper -lpthread -lm" \
        "Cflags: -I$PREFIX/include" >"$PREFIX/lib/pkgconfig/devmapper.pc"
    (
        cd "$d"
        if [ ! -f Makefile ]; then
            autoreconf -fi >build.log 2>&1
            # configure insists on popt, which only the tools use.
            ac_cv_lib_popt_poptConfigFileToString=yes \
            LDFLAGS="-static -L$PREFIX/lib" \
            ./configure --host=x86_64-linux-musl --prefix="$PREFIX" \
                --disable-shared --enable-static --with-crypto_backend=kernel \
                --enable-internal-argon2 --disable-libargon2 --disable-blkid \
                --disable-cryptsetup --disable-veritysetup --disable-integritysetup \
                --disable-ssh-token --disable-external-tokens \
                --disable-luks2-reencryption --disable-nls --disable-selinux \
                --disable-udev --disable-asciidoc >>build.log 2>&1
        fi
        make -j"$JOBS" libcryptsetup.la >>build.log 2>&1
        cp .libs/libcryptsetup.a "$PREFIX/lib/"
        cp lib/libcryptsetup.h "$PREFIX/include/"
        sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' config.h >"$PREFIX/cryptsetup.version"
    ) || die "libcryptsetup build failed (see $d/build.log)"
    touch "$PREFIX/.cryptsetup-done"
fi

# --- mdadm (for the mdraid hook) -----------------------------------------------
# A program, not a library: the init runs it (mdadm --incremental) as md
# members appear. No libudev, corosync or dlm; stripped into prefix/sbin.
if [ ! -f "$PREFIX/.mdadm-done" ]; then
    log "mdadm (static)"
    d=$(unpack mdadm)
    (
        cd "$d"
        # CHECK_RUN_DIR=0: /run/mdadm is the target's, made at run time.
        make -j"$JOBS" mdadm.static CC=musl-gcc \
            CXFLAGS="-Os -ffunction-sections -fdata-sections -DNO_LIBUDEV -DNO_COROSYNC -DNO_DLM -isystem $INC" \
            LDFLAGS="-Wl,--gc-sections" LDLIBS= CHECK_RUN_DIR=0 >build.log 2>&1
        mkdir -p "$PREFIX/sbin"
        strip -o "$PREFIX/sbin/mdadm" mdadm.static
        ./mdadm.static --version 2>&1 | sed -n 's/^mdadm - v\([^ ]*\).*/\1/p' >"$PREFIX/mdadm.version"
    ) || die "mdadm build failed (see $d/build.log)"
    touch "$PREFIX/.mdadm-done"
fi

# --- libaio and the static lvm tool (for the lvm hook) -------------------------
# lvm2's bcache includes libaio.h unconditionally. The tool is built in its own
# copy of the lvm2 tree, configured with libaio visible, so the tree that gave
# libdevmapper.a is left as it was. Three musl fixes, all in glibc-only code:
# mallinfo() in memlock.c, and assignments to stdin/stdout/stderr (read-only
# in musl) in lvmcmdline.c and toolcontext.c.
if [ ! -f "$PREFIX/.aio-done" ]; then
    log "libaio"
    d=$(unpack libaio)
    (
        cd "$d/src"
        make -j"$JOBS" libaio.a ENABLE_SHARED=0 CC=musl-gcc CFLAGS="$CFLAGS" >build.log 2>&1
        cp libaio.a "$PREFIX/lib/"
        cp libaio.h "$PREFIX/include/"
    ) || die "libaio build failed (see $d/src/build.log)"
    touch "$PREFIX/.aio-done"
fi

if [ ! -f "$PREFIX/.lvm-done" ]; then
    log "lvm (static tool, lvm2)"
    t="$SRC/lvm2-tool"
    if [ ! -f "$t/make.tmpl" ]; then
        rm -rf "$t"
        dsc=$(find "$SRC" -maxdepth 1 -name 'lvm2_*.dsc' | head -n 1)
        (cd "$SRC" && dpkg-source -x "$(basename "$dsc")" lvm2-tool >/dev/null 2>&1) ||
            die "dpkg-source -x $dsc (lvm2-tool) failed"
    fi
    (
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
                --with-default-dm-run-dir=/run >build.log 2>&1
        fi
        grep -q '^#define HAVE_LIBAIO_H 1' include/configure.h
        make -j"$JOBS" tools >>build.log 2>&1
        mkdir -p "$PREFIX/sbin"
        strip -o "$PREFIX/sbin/lvm" tools/lvm.static
    ) || die "lvm build failed (see $t/build.log)"
    touch "$PREFIX/.lvm-done"
fi

all_done || die "a library is missing a stamp in $PREFIX"
touch "$PREFIX/.all-done"
log "done: $(cd "$PREFIX/lib" && echo *.a) sbin/mdadm"
