#!/bin/sh
# Host-side tests of the check init (not as PID 1, so no power-off): the
# line's shape and escaping, which every QEMU test's grep depends on.
#
# usage: tests/checkinit/host-test.sh [CHECKINIT]    (default build/checkinit)
set -eu

ci=${1:-build/checkinit}
[ -x "$ci" ] || {
    echo "hatch: checkinit-test: $ci not built" >&2
    exit 1
}
pass=0 fail=0

check() { # NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s\n  want: %s\n  got:  %s\n' "$1" "$2" "$3"
    fi
}

field() { # LINE NAME: the value of NAME=
    printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

rc=0
out=$(env -i 'A=x y' 'B=1,2%' "$ci" 'a b' 'c,d' "$(printf 'tab\there')" 'é' '') || rc=$?
check "exit status when not PID 1" 1 "$rc"
check "one line" 1 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
check "result when not PID 1" fail "$(field "$out" result)"
names=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n '2,$s/=.*//p' | tr '\n' ' ')
check "field order" "result pid root rootdev fstype mode proc sys dev run argc argv env payload uptime start runinit unevictable_kb shmem_kb fds hatch_ms reads usr stages " "$names"
check "argc" 6 "$(field "$out" argc)"
check "argv escaping" "$ci,a%20b,c%2Cd,tab%09here,%C3%A9," "$(field "$out" argv)"
check "env escaping" "A=x%20y,B=1%2C2%25" "$(field "$out" env)"
check "no payload on host" none "$(field "$out" payload)"
# /proc/diskstats: NAME:IOS/SECTORS for each device read, "none", or "?"
case $(field "$out" reads) in
    none | '?' | *:[0-9]*/[0-9]*) check "reads" ok ok ;;
    *) check "reads" "NAME:IOS/SECTORS,..." "$(field "$out" reads)" ;;
esac
# usr=: the mount on /usr as SOURCE:FSTYPE:ro|rw, or "-" when /usr is none
case $(field "$out" usr) in
    - | ?*:?*:ro | ?*:?*:rw) check "usr" ok ok ;;
    *) check "usr" "- or SOURCE:FSTYPE:MODE" "$(field "$out" usr)" ;;
esac
# ... and exactly, where a mount namespace of our own can be had (root):
# a read-only tmpfs on /usr. The check init is static, so /usr hidden does
# not stop it.
# shellcheck disable=SC2016  # $0 is the inner shell's
usr=$(unshare -m sh -c 'mount -t tmpfs -o ro hatch-usr-test /usr && exec "$0"' "$ci" 2>/dev/null) ||
    : # the check init exits 1 when not PID 1
case $usr in
    HATCH-CHECK*) check "usr from a mount on /usr" hatch-usr-test:tmpfs:ro "$(field "$usr" usr)" ;;
    *) echo "skip: usr from a mount on /usr (no mount namespace of our own: not root?)" ;;
esac
case $(field "$out" pid) in
    '' | 1 | *[!0-9]*) check "pid is ours, not 1" "a number > 1" "$(field "$out" pid)" ;;
    *) check "pid is ours, not 1" x x ;;
esac
case $(field "$out" uptime) in
    '' | *[!0-9.]*) check "uptime is a number" number "$(field "$out" uptime)" ;;
    *) check "uptime is a number" x x ;;
esac
check "starts with the marker" HATCH-CHECK "${out%% *}"
# fds: what it inherits, listed exactly: one more open for it shows up as
# one more number (whatever this shell itself holds open).
base=$(field "$("$ci" 9>&- 2>/dev/null)" fds) || true
more=$(field "$("$ci" 9</dev/null 2>/dev/null)" fds) || true
case $base in 0,1*) check "fds listed" x x ;; *) check "fds listed" "0,1,..." "$base" ;; esac
check "fds inherited" "$(printf '%s\n' "$base" 9 | tr ',' '\n' | sort -n | paste -sd, -)" "$more"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
