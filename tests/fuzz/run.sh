#!/bin/sh
# Run the libFuzzer targets: every tests/fuzz/fuzz_NAME.c, built by make as
# build/fuzz/fuzz_NAME, for FUZZ_S seconds (default 60), FUZZ_JOBS at a time
# (default 2). Each works in build/fuzz/NAME/: corpus/ (the checked-in seeds
# tests/fuzz/corpus/NAME/ copied in, plus what earlier runs found), crashes/
# (crash, timeout and OOM inputs), log. A target may set its input size limit
# with a line "// fuzz-max-len: N" (default 4096).
#
# usage: tests/fuzz/run.sh [NAME...]     (default: every target)
# Ends with "fuzz: N passed, N failed"; exits non-zero if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 1

FUZZ_S=${FUZZ_S:-60}
FUZZ_JOBS=${FUZZ_JOBS:-2}
out=build/fuzz

case "$FUZZ_S$FUZZ_JOBS" in
    *[!0-9]*) echo "fuzz: FUZZ_S and FUZZ_JOBS must be whole numbers" >&2; exit 2 ;;
esac
if [ "$FUZZ_S" -lt 1 ] || [ "$FUZZ_JOBS" -lt 1 ]; then
    echo "fuzz: FUZZ_S and FUZZ_JOBS must be at least 1" >&2
    exit 2
fi

if [ $# -gt 0 ]; then
    targets=$*
else
    targets=""
    for f in tests/fuzz/fuzz_*.c; do
        [ -f "$f" ] || continue
        n=${f#tests/fuzz/fuzz_}
        targets="$targets ${n%.c}"
    done
fi
[ -n "$targets" ] || { echo "fuzz: no targets in tests/fuzz"; exit 1; }

# One target, in the background: the fuzzer's pid goes to pid (so an
# interrupt can stop it), its exit status to rc, written last.
run_one() { # NAME
    dir=$out/$1
    src=tests/fuzz/fuzz_$1.c
    max_len=$(sed -n 's|^// fuzz-max-len: *\([0-9][0-9]*\).*|\1|p' "$src" 2>/dev/null | head -n 1)
    [ -n "$max_len" ] || max_len=4096
    mkdir -p "$dir/corpus" "$dir/crashes"
    if [ -d "tests/fuzz/corpus/$1" ]; then
        find "tests/fuzz/corpus/$1" -type f -exec cp {} "$dir/corpus/" \;
    fi
    "$out/fuzz_$1" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -max_total_time="$FUZZ_S" -print_final_stats=1 \
        -artifact_prefix="$dir/crashes/" "$dir/corpus" >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    wait $!
    echo $? >"$dir/rc"
}

stop() {
    for t in $targets; do
        if [ -f "$out/$t/pid" ] && [ ! -f "$out/$t/rc" ]; then
            kill "$(cat "$out/$t/pid")" 2>/dev/null
        fi
    done
    wait
}
trap 'stop; echo "fuzz: interrupted"; exit 130' INT TERM

finished() {
    k=0
    for t in $targets; do
        [ -f "$out/$t/rc" ] && k=$((k + 1))
    done
    echo "$k"
}

count=0
for t in $targets; do count=$((count + 1)); done
plural=s
[ "$count" = 1 ] && plural=""
echo "fuzz: $count target$plural, ${FUZZ_S} s each, $FUZZ_JOBS at a time"

started=0
for t in $targets; do
    rm -f "$out/$t/rc" "$out/$t/pid"
done
for t in $targets; do
    while [ $((started - $(finished))) -ge "$FUZZ_JOBS" ]; do
        sleep 1
    done
    if [ ! -x "$out/fuzz_$t" ]; then
        mkdir -p "$out/$t"
        echo "$out/fuzz_$t is not built; run 'make fuzz-build'" >"$out/$t/log"
        echo 127 >"$out/$t/rc"
    else
        mkdir -p "$out/$t"
        touch "$out/$t/.start"
        run_one "$t" &
    fi
    started=$((started + 1))
done
wait

passed=0 failed=0
for t in $targets; do
    dir=$out/$t
    log=$dir/log
    rc=$(cat "$dir/rc" 2>/dev/null || echo 1)
    # "Done N runs in S second(s)" when time ran out; the stat lines also
    # after a crash.
    runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -n 1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    if [ -n "$runs" ] && [ -n "$secs" ] && [ "$secs" -gt 0 ]; then
        eps=$((runs / secs))
    fi
    corpus=$(find "$dir/corpus" -type f 2>/dev/null | wc -l)
    stats="${runs:-?} runs, ${eps:-?} exec/s, corpus $corpus"
    new=""
    if [ -f "$dir/.start" ]; then
        new=$(find "$dir/crashes" -type f -newer "$dir/.start" 2>/dev/null | sort)
    fi
    if [ "$rc" = 0 ] && [ -z "$new" ]; then
        passed=$((passed + 1))
        printf 'fuzz: %-12s ok      %s\n' "$t" "$stats"
        continue
    fi
    failed=$((failed + 1))
    printf 'fuzz: %-12s FAILED  exit %s, %s\n' "$t" "$rc" "$stats"
    # What broke: our contract message, else libFuzzer's / the sanitizer's.
    why=$(grep -A 1 '^fuzz: contract broken' "$log" | head -n 2)
    [ -n "$why" ] || why=$(grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:|.*is not built)' "$log" | head -n 2)
    [ -n "$why" ] || why=$(tail -n 3 "$log")
    echo "$why" | sed 's/^ */      /'
    for c in $new; do
        echo "      input:     $c"
        echo "      reproduce: $out/fuzz_$t $c"
    done
    echo "      log:       $log"
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
