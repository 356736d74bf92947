#!/bin/sh
# Install the hatch generator, its hooks and the init.
#
# usage: mk/install.sh [--kernel-hook]
#        mk/install.sh --uninstall
#
# Environment (as make passes them):
#   DESTDIR     staging root prepended to every path (default: empty)
#   PREFIX      default /usr/local
#   SYSCONFDIR  default /etc (kernel hooks, /etc/default/hatch)
#   INIT        the init binary to install (default: build/init)
#
# Installs
#   PREFIX/sbin/hatch-mkinitramfs        the generator (mkinitramfs.sh)
#   PREFIX/lib/hatch/gen/*.sh            the parts it sources (gen/)
#   PREFIX/lib/hatch/init                the static init
#   PREFIX/lib/hatch/luks-unlock         the init's LUKS program (luks hook), when built
#   PREFIX/lib/hatch/mdadm               the static mdadm (mdraid hook), when built
#   PREFIX/lib/hatch/lvm                 the static lvm for the lvm hook (when built)
#   PREFIX/lib/hatch/hooks/*             the shipped hooks
#   PREFIX/lib/hatch/VERSION             hatch's version (hatch-mkinitramfs --version)
# and with --kernel-hook (Debian kernel hooks, run by the kernel packages):
#   SYSCONFDIR/kernel/postinst.d/zz-hatch  regenerates /boot/initrd.img-KVER
#   SYSCONFDIR/kernel/postrm.d/zz-hatch    removes it with the kernel
# The generator finds its parts, init and hooks relative to itself
# (../lib/hatch), so the tree works from DESTDIR too; the kernel hooks get
# the final paths.
# It installs what is built: it never compiles (run make first).
#
# --uninstall removes exactly those files (the parts and hooks by the names
# shipped in this tree, the kernel hooks when they are hatch's) from the same
# DESTDIR, PREFIX and SYSCONFDIR, and the directories hatch owns
# (PREFIX/lib/hatch, its gen/ and hooks/) once empty; shared directories
# (sbin, etc/kernel/...) stay.
set -eu

die() {
    echo "hatch: install: $*" >&2
    exit 1
}

KERNEL_HOOK=0
UNINSTALL=0
for a in "$@"; do
    case $a in
    --kernel-hook) KERNEL_HOOK=1 ;;
    --uninstall) UNINSTALL=1 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$a' (usage: mk/install.sh [--kernel-hook] | --uninstall)" ;;
    esac
done

TOP=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
INIT=${INIT:-$TOP/build/init}

case $PREFIX in
/*) ;;
*) die "PREFIX must be an absolute path, not '$PREFIX'" ;;
esac
case $SYSCONFDIR in
/*) ;;
*) die "SYSCONFDIR must be an absolute path, not '$SYSCONFDIR'" ;;
esac
SBINDIR=$PREFIX/sbin
LIBDIR=$PREFIX/lib/hatch

if [ "$UNINSTALL" = 1 ]; then
    rm -f "$DESTDIR$SBINDIR/hatch-mkinitramfs" "$DESTDIR$LIBDIR/init" "$DESTDIR$LIBDIR/VERSION" \
        "$DESTDIR$LIBDIR/mdadm" "$DESTDIR$LIBDIR/lvm" "$DESTDIR$LIBDIR/luks-unlock"
    for h in "$TOP"/hooks/*; do
        [ -f "$h" ] || continue
        rm -f "$DESTDIR$LIBDIR/hooks/${h##*/}"
    done
    for g in "$TOP"/gen/*.sh; do
        [ -f "$g" ] || continue
        rm -f "$DESTDIR$LIBDIR/gen/${g##*/}"
    done
    for kind in postinst postrm; do
        k=$DESTDIR$SYSCONFDIR/kernel/$kind.d/zz-hatch
        if [ -f "$k" ] && grep -q '^# hatch: Debian kernel hook' "$k"; then
            rm -f "$k"
        fi
    done
    for d in "$DESTDIR$LIBDIR/hooks" "$DESTDIR$LIBDIR/gen" "$DESTDIR$LIBDIR"; do
        if [ -d "$d" ] && [ -z "$(ls -A "$d")" ]; then
            rmdir "$d"
        fi
    done
    echo "hatch: install: uninstalled from ${DESTDIR:-/} (PREFIX=$PREFIX)"
    exit 0
fi

[ -f "$INIT" ] || die "no init at $INIT (run make first, or set INIT=FILE)"
[ -f "$TOP/VERSION" ] || die "no VERSION file at $TOP/VERSION"

# put SRC DEST MODE: copy through a temporary name, so DEST is never partial.
put() {
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2.tmp.$$"
    chmod "$3" "$2.tmp.$$"
    mv -f "$2.tmp.$$" "$2"
}

put "$TOP/mkinitramfs.sh" "$DESTDIR$SBINDIR/hatch-mkinitramfs" 0755
put "$INIT" "$DESTDIR$LIBDIR/init" 0755
# The init's LUKS program, built beside it, for the luks hook.
LUKS_UNLOCK=${LUKS_UNLOCK:-$(dirname "$INIT")/luks-unlock}
[ ! -f "$LUKS_UNLOCK" ] || put "$LUKS_UNLOCK" "$DESTDIR$LIBDIR/luks-unlock" 0755
# The static mdadm built with the libraries, for the mdraid hook.
MDADM=${MDADM:-$TOP/build/deps/prefix/sbin/mdadm}
[ ! -f "$MDADM" ] || put "$MDADM" "$DESTDIR$LIBDIR/mdadm" 0755
put "$TOP/VERSION" "$DESTDIR$LIBDIR/VERSION" 0644
# The static lvm for the lvm hook, found beside the init (see hooks/lvm).
LVM=${LVM:-$(dirname "$INIT")/deps/prefix/sbin/lvm}
[ ! -f "$LVM" ] || put "$LVM" "$DESTDIR$LIBDIR/lvm" 0755
for h in "$TOP"/hooks/*; do
    [ -f "$h" ] || continue
    put "$h" "$DESTDIR$LIBDIR/hooks/${h##*/}" 0644
done
for g in "$TOP"/gen/*.sh; do
    [ -f "$g" ] || continue
    put "$g" "$DESTDIR$LIBDIR/gen/${g##*/}" 0644
done

if [ "$KERNEL_HOOK" = 1 ]; then
    for kind in postinst postrm; do
        dest=$DESTDIR$SYSCONFDIR/kernel/$kind.d/zz-hatch
        mkdir -p "$(dirname "$dest")"
        sed -e "s|@SBINDIR@|$SBINDIR|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" \
            "$TOP/mk/kernel-$kind-hatch" >"$dest.tmp.$$"
        chmod 0755 "$dest.tmp.$$"
        mv -f "$dest.tmp.$$" "$dest"
    done
fi
echo "hatch: install: installed into ${DESTDIR:-/} (PREFIX=$PREFIX$([ "$KERNEL_HOOK" = 1 ] && echo ", kernel hooks in $SYSCONFDIR/kernel"))"
