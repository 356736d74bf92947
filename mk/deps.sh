#!/bin/sh
# Install the Debian packages hatch needs to build, test and demo itself.
# Only packages that are missing are installed, so a ready machine pays
# one dpkg-query and nothing else.
set -eu

# Each entry: package name. Kept in one list so README and this script agree.
# cmake builds json-c (libcryptsetup's LUKS2 metadata parser).
# clang and libclang-rt-14-dev (libclang_rt.fuzzer) build the libFuzzer
# targets (make fuzz). xfsprogs, btrfs-progs, erofs-utils, squashfs-tools,
# f2fs-tools, dosfstools and mtools make the e2e reach cases' root
# filesystems (qemu/mkdisk.sh -f).
PKGS="musl-tools gcc make autoconf automake autopoint libtool pkg-config
dpkg-dev cpio kmod qemu-system-x86 e2fsprogs fdisk cryptsetup-bin zstd
xz-utils lz4 gzip busybox-static shellcheck dash socat file binutils
ca-certificates gawk gettext cmake clang libclang-rt-14-dev xfsprogs btrfs-progs
erofs-utils squashfs-tools f2fs-tools dosfstools mtools lvm2"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "hatch: deps: missing packages:$missing; run 'make deps' as root or install them with apt-get" >&2
    exit 1
fi

echo "hatch: deps: installing$missing"

export DEBIAN_FRONTEND=noninteractive
set -f  # the package list is split on spaces, never globbed
# shellcheck disable=SC2086
# apt-get install needs package lists; a fresh machine may have none.
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    if ! apt-get install -y -q --no-install-recommends $missing; then
        echo "hatch: deps: could not install:$missing (check apt sources and network)" >&2
        exit 1
    fi
fi
