#!/bin/sh
# Decide once whether QEMU can use KVM on this machine, and cache the answer.
#
# usage: qemu/kvm-probe.sh [-f] [KERNEL [CACHE]]
#   KERNEL  default build/kernel/vmlinuz
#   CACHE   default build/kvm-ok; receives "yes" or "no"
#   -f      probe again even if CACHE exists
# Prints the answer; exit status 0 either way (1 only on usage errors).
#
# /dev/kvm existing is not enough: on nested cloud VMs it opens fine but the
# guest never runs (no vmx/svm exposed to us, and QEMU's default CPU model
# asks for features the host lacks). So we boot the real kernel for a few
# seconds and require it to say "Linux version" on the serial port.
set -eu

force=0
if [ "${1:-}" = -f ]; then
    force=1
    shift
fi
kernel=${1:-build/kernel/vmlinuz}
cache=${2:-build/kvm-ok}

if [ "$force" = 0 ] && [ -s "$cache" ]; then
    cat "$cache"
    exit 0
fi
[ -e "$kernel" ] || {
    echo "hatch: kvm-probe: kernel $kernel not found (run qemu/fetch-kernel.sh)" >&2
    exit 1
}

answer() {
    mkdir -p "$(dirname "$cache")"
    echo "$1" >"$cache.tmp.$$"
    mv "$cache.tmp.$$" "$cache"
    echo "$1"
    exit 0
}

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    answer no
fi

log=$(mktemp "${TMPDIR:-/tmp}/hatch-kvm-probe.XXXXXX")
trap 'rm -f "$log"' EXIT
# 8 s is generous: under KVM the banner comes within a second; we only pay
# this once per machine because the answer is cached. No panic=-1 needed:
# timeout ends the run whatever the guest does.
timeout -k 2 8 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults \
    -display none -no-reboot -serial "file:$log" -kernel "$kernel" \
    -append "console=ttyS0 panic=-1" >/dev/null 2>&1 || true
if grep -q 'Linux version' "$log"; then
    answer yes
fi
answer no
