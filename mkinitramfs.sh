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
#   /etc/hatch/modules.first      loaded one by one before those (hooks: add_module --first)
#   /etc/hatch/modules.if-present loaded with those when a device present needs
#                                 one of them (hooks: add_module --if-present)
#   /etc/hatch/policy             lockdown policy, only with --lockdown
#   /etc/hatch/roothash.p7s       dm-verity root hash signature, only with
#                                 --roothash-sig
#   /lib/modules/KVER/            module closure + depmod output for the subset
#   /lib/firmware/...             firmware the included modules declare
#   /etc/modprobe.d/*.conf        module options and blacklists (hook base)
#   /bin/busybox, /bin/sh         rescue shell (hook busybox; never with
#                                 --lockdown)
# and, in front of the compressed archive, an uncompressed cpio with
# kernel/x86/microcode/*.bin when microcode is present (hook microcode).
#
# Hooks are POSIX sh files defining help() and build(); build() runs in a
# subshell with `set -e` and uses the API of gen/hookapi.sh (add_module,
# force_load, add_file, add_binary, add_dir, add_symlink, add_firmware,
# add_early).
#
# This file is the build's sequence; the parts it sources are in gen/
# (installed as PREFIX/lib/hatch/gen/):
#   gen/common.sh    messages, tools, ELF check, temporary files
#   gen/cli.sh       usage, option parsing, checks of the inputs
#   gen/hookapi.sh   finding and running hooks, the hook API
#   gen/host.sh      --host-only detection, the --check-root refusal
#   gen/cpio.sh      compression, staging, depmod, the archive, atomic output
#   gen/config.sh    the configuration file (hatch.conf, --config)
#   gen/inspect.sh   --show, --check, --print-cmdline
#   gen/verify.sh    --verify-disk (a verity disk against a command line)
#   gen/zcache.sh    the cache of compressed modules and files between builds
#
# Test seams (not user options): HATCH_SYSROOT prefixes /proc, /sys and
# /dev/disk when --host-only, --check or --print-cmdline inspect the
# machine; HATCH_SYSCONFDIR replaces /etc (hooks, hatch.conf);
# HATCH_VERIFY_NOLOOP makes --verify-disk copy partitions instead of using
# loop devices, as it does without root.
set -eu

PROG=mkinitramfs
LC_ALL=C
export LC_ALL
umask 022
# modprobe and depmod live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
export PATH

# --- where we live ----------------------------------------------------------
case $0 in
*/*) SELF=$0 ;;
*) SELF=$(command -v "$0" 2>/dev/null || printf '%s' "$0") ;;
esac
SELF=$(readlink -f "$SELF" 2>/dev/null || printf '%s' "$SELF")
case $SELF in
*/*) SCRIPTDIR=${SELF%/*} ;;
*) SCRIPTDIR=. ;;
esac
SCRIPTDIR=$(cd -P "${SCRIPTDIR:-/}" && pwd) ||
    { printf 'hatch: %s: %s\n' "$PROG" "cannot find the directory of $0" >&2; exit 1; }
# The parts: source tree first, then the installed location.
GENDIR=
for d in "$SCRIPTDIR/gen" "$SCRIPTDIR/../lib/hatch/gen"; do
    if [ -f "$d/common.sh" ]; then
        GENDIR=$d
        break
    fi
done
[ -n "$GENDIR" ] ||
    { printf 'hatch: %s: %s\n' "$PROG" "no generator parts at $SCRIPTDIR/gen or $SCRIPTDIR/../lib/hatch/gen" >&2; exit 1; }

# shellcheck source-path=SCRIPTDIR
# shellcheck source=gen/common.sh disable=SC1091
. "$GENDIR/common.sh"
# shellcheck source=gen/cli.sh disable=SC1091
. "$GENDIR/cli.sh"
# shellcheck source=gen/hookapi.sh disable=SC1091
. "$GENDIR/hookapi.sh"
# shellcheck source=gen/host.sh disable=SC1091
. "$GENDIR/host.sh"
# shellcheck source=gen/cpio.sh disable=SC1091
. "$GENDIR/cpio.sh"
# shellcheck source=gen/config.sh disable=SC1091
. "$GENDIR/config.sh"
# shellcheck source=gen/inspect.sh disable=SC1091
. "$GENDIR/inspect.sh"
# shellcheck source=gen/verify.sh disable=SC1091
. "$GENDIR/verify.sh"
# shellcheck source=gen/zcache.sh disable=SC1091
. "$GENDIR/zcache.sh"

# --- the command line and the configuration file ---------------------------
cli_parse "$@"
if [ "$SHOW_VERSION" = 1 ]; then
    cli_version
fi
config_load
hooks_locate
if [ "$LIST_HOOKS" = 1 ]; then
    hooks_list
fi

case $MODE in
show)
    show_image "$IMAGE"
    exit 0
    ;;
check)
    check_image "$IMAGE"
    exit $?
    ;;
cmdline)
    print_cmdline
    exit 0
    ;;
verify-disk)
    verify_disk
    exit $?
    ;;
esac

# build_one: the image for KVER.
build_one() {
    # --- inputs, checked before any work ------------------------------------
    cli_kernel          # -k, -b
    check_tools
    cli_epoch           # SOURCE_DATE_EPOCH
    cli_init            # -i
    cli_roothash_sig    # --roothash-sig
    choose_compression  # -c
    zcache_setup        # --cache, --no-cache
    cli_modules         # -m, --omit-module, --omit
    hooks_resolve       # -H, --hookdir, --omit, --lockdown
    if [ "$LIST" = 0 ]; then
        out_check       # -o
    fi

    # --- temporary files, removed on every exit path ------------------------
    setup_cleanup
    if [ "$LIST" = 0 ]; then
        out_reserve
    fi
    make_workdir
    merge_modconf

    # --- host-only detection ------------------------------------------------
    if [ "$HOST_ONLY" = 1 ] || [ "$CHECK_ROOT" = 1 ]; then
        host_detect
        hooks_add_host  # a root on LUKS or md: the luks or mdraid hook
    fi

    # --- the hooks ----------------------------------------------------------
    run_hooks
    pack_start          # in the background until pack_wait

    # --- stage and write the archive ----------------------------------------
    stage_modules
    run_depmod          # in the background until depmod_wait
    stage_firmware
    write_etc_hatch
    depmod_wait
    pack_wait
    zcache_wait         # the compressed modules, cached
    normalize
    if [ "$LIST" = 1 ]; then
        list_image
    fi
    write_image
}

if [ "$KVER" != all ]; then
    build_one
    exit 0
fi

# --- -k all: every installed kernel, each in a subshell of its own ----------
cli_basedir
KVERS=$(installed_kernels)
[ -n "$KVERS" ] ||
    die "-k all: no installed kernel in $BASEDIR (a lib/modules/KVER with a boot/vmlinuz-KVER)"
NOK=0
NALL=0
ALL_FAILED=
for k in $KVERS; do
    NALL=$((NALL + 1))
    if (KVER=$k && build_one); then
        NOK=$((NOK + 1))
    else
        ALL_FAILED="$ALL_FAILED $k"
    fi
done
[ -z "$ALL_FAILED" ] || die "-k all: built $NOK of $NALL kernels; failed:$ALL_FAILED"
