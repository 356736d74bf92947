#!/bin/sh
# Send HMP commands to a QEMU started by qemu/boot.sh --monitor SOCK.
#
# usage: qemu/monitor.sh SOCK COMMAND...
#   Each COMMAND is one HMP line, e.g. (hot-plug a disk under boot.sh's q35):
#   qemu/monitor.sh build/t.sock \
#       'drive_add 0 if=none,id=d1,file=build/plain.img,format=raw,snapshot=on' \
#       'device_add virtio-blk-pci,drive=d1,id=vd1,bus=rp1'
# Prints QEMU's replies (without the banner, prompts and echo); exits 1 if
# the socket cannot be reached or a reply starts with "Error" or "Could not".
#
# Needs socat: QEMU's HMP socket is a plain byte stream, and neither busybox
# nor Debian's base system has a unix-socket client that shell can drive.
set -eu

die() {
    echo "hatch: monitor: $*" >&2
    exit 1
}

[ $# -ge 2 ] || die "usage: monitor.sh SOCK COMMAND..."
sock=$1
shift
command -v socat >/dev/null 2>&1 || die "socat not found (apt-get install socat)"
[ -S "$sock" ] || die "$sock is not a socket (is QEMU running with --monitor?)"

# QEMU runs the lines in order, answers each, and closes the connection
# after our EOF; "-t 5" only bounds the wait should it not.
reply=$(for c in "$@"; do printf '%s\n' "$c"; done |
    socat -t 5 - "UNIX-CONNECT:$sock" 2>&1) || die "cannot talk to $sock: $reply"

# Each "(qemu) " line is the prompt plus readline's redrawn echo of our own
# command; the replies are the other lines, less the banner.
clean=$(printf '%s\n' "$reply" | tr -d '\r' |
    grep -v -e '^(qemu)' -e '^QEMU .* monitor - type' -e '^$' || true)
[ -z "$clean" ] || printf '%s\n' "$clean"
if printf '%s\n' "$clean" | grep -q -e '^Error' -e '^Could not'; then
    exit 1
fi
