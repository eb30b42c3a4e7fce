#!/usr/bin/env bash
# tests/run.sh - runs every test program and adds up their results.
#
# Each test (a compiled tests/unit program in $BUILD/tests, or a script tests/cli/*.sh) prints its own
# last line "N passed, N failed". A test that crashes, times out or prints no such line counts as one
# failure. The last line of this script is the total, in the same form, which is what CI reads.
set -u
BUILD=${BUILD:-build}
export BUILD
export WEIR="$PWD/$BUILD/weir"
cd "$(dirname "$0")/.." || exit 2
total_pass=0
total_fail=0
failed_names=()
run_one() {
    local name=$1; shift
    local out rc
    out=$(timeout "${TEST_TIMEOUT:-600}" "$@" 2>&1)
    rc=$?
    local last
    last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$last" ]; then
        printf '%s\n' "$out" | tail -n 30
        echo "FAIL $name: exit $rc, no summary line"
        total_fail=$((total_fail + 1))
        failed_names+=("$name")
        return
    fi
    local p f
    p=${last%% passed*}
    f=${last#*, }; f=${f%% failed}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" -ne 0 ]; then
        printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 40
        echo "FAIL $name: $p passed, $f failed (exit $rc)"
        failed_names+=("$name")
    else
        echo "ok   $name: $p passed"
    fi
}
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d) continue ;; esac
    run_one "$(basename "$t")" "$t"
done
for s in tests/cli/*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s")" bash "$s"
done
if [ ${#failed_names[@]} -gt 0 ]; then echo "failed: ${failed_names[*]}"; fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
