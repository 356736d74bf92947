#!/bin/sh
# make check: every suite in turn, then one line adding them up. Each suite
# ends with its own "N passed, N failed" line; ShellCheck counts as one test.
set -u
cd "$(dirname "$0")/.." || exit 1

total_p=0 total_f=0
suite() { # NAME COMMAND...
    name=$1
    shift
    echo "== $name"
    out=$(mktemp)
    { "$@" 2>&1; echo $? >"$out.rc"; } | tee "$out"
    line=$(grep -E '^([A-Za-z0-9-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    rc=$(cat "$out.rc")
    rm -f "$out" "$out.rc"
    if [ -z "$line" ]; then
        echo "hatch: check: $name printed no summary line"
        total_f=$((total_f + 1))
        return
    fi
    p=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) ~ /^passed/) print $i }')
    f=$(echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) ~ /^failed/) print $i }')
    # A suite that exits non-zero has failed, whatever its line says.
    [ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
    total_p=$((total_p + p))
    total_f=$((total_f + f))
}

shellcheck_all() {
    if shellcheck -x mkinitramfs.sh gen/*.sh hooks/* mk/*.sh mk/kernel-*-hatch qemu/*.sh \
        tests/*.sh tests/*/*.sh .ci/run; then
        echo "shellcheck: 1 passed, 0 failed"
    else
        echo "shellcheck: 0 passed, 1 failed"
    fi
}

suite unit env HATCH_FIXTURES=build/test/fixtures build/unit-tests
suite checkinit sh tests/checkinit/host-test.sh build/checkinit
suite generator sh tests/gen/run.sh
suite shellcheck shellcheck_all
suite fuzz env FUZZ_S="${FUZZ_S:-20}" sh tests/fuzz/run.sh
suite e2e bash tests/e2e/run.sh

echo
echo "check: $total_p passed, $total_f failed"
[ "$total_f" = 0 ] && [ "$total_p" -gt 0 ]
