#!/usr/bin/env bash
# foreach_batch.sh - examples/foreach_batch (the seed's Task_2 writer in C), built against the INSTALLED
# library through pkg-config, killed with SIGKILL at KILLS (30) random instants while data keeps arriving:
# `weir gen` writes the seed's JSON, Task_1 (`weir run`, not killed) turns it into the CSV folder the example
# reads, and the example (the seed's Task_2: 30-second window sums, 10-second watermark, append) is restarted
# after each kill. At the end both catch up (availableNow, which also writes the windows still open) and
# DuckDB finds every window of the generated records (time_bucket sums) in the example's Parquet folder
# exactly once, with the same sums. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
. tests/cli/lib/examples_lib.sh
KILLS=${KILLS:-30}
if [ ! -x "$W" ] || [ ! -d tests/oracle/node_modules/@duckdb ]; then
    echo "missing $W or tests/oracle/node_modules"
    echo "0 passed, 1 failed"
    exit 1
fi
d=$(mktemp -d /tmp/weir-foreach.XXXXXX)
gen_pid=
t1_pid=
cleanup() {
    [ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null
    [ -n "$t1_pid" ] && kill "$t1_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$d"
}
trap cleanup EXIT
install_weir "$d"
check "make install" test $? -eq 0
build_example examples/foreach_batch/foreach_batch.c "$d/foreach_batch" 2>"$d/cc.log"
check "the example builds against the installed weir ($(head -c 300 "$d/cc.log"))" test $? -eq 0
check "the example uses the installed libweir.so" sh -c "LD_LIBRARY_PATH='$EX_PREFIX/lib' ldd '$d/foreach_batch' | grep -q '$EX_PREFIX/lib/libweir.so'"
mkdir -p "$d/json" "$d/csv" "$d/parquet"
task1_sql "$d/json" "$d/csv" "$d/ck1" > "$d/t1.sql"
"$W" gen --out "$d/json" --forever --interval 0.02 --records-per-file 10 --seed 12 --start 2022-09-06T11:40:00 --step 50ms >/dev/null 2>"$d/gen.err" &
gen_pid=$!
"$W" run "$d/t1.sql" --progress off 2>"$d/t1.err" &
t1_pid=$!
crashes=0
for i in $(seq 1 "$KILLS"); do
    LD_LIBRARY_PATH="$EX_PREFIX/lib" "$d/foreach_batch" "$d/csv" "$d/parquet" "$d/ck2" >>"$d/run.log" 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 480 + 20)))"
    if kill -9 "$pid" 2>/dev/null; then crashes=$((crashes + 1)); fi
    wait "$pid" 2>/dev/null
done
kill -TERM "$gen_pid"; wait "$gen_pid" 2>/dev/null; gen_pid=
kill -TERM "$t1_pid"; wait "$t1_pid" 2>/dev/null; t1_pid=
check "killed $crashes of $KILLS runs while they ran" test "$crashes" -ge $((KILLS * 9 / 10))
check "no run failed on its own ($(head -c 300 "$d/run.log"))" test -z "$(grep -v '^$' "$d/run.log" | grep -iv 'killed' | head -n 3)"
"$W" run "$d/t1.sql" --trigger availableNow --progress off 2>>"$d/t1.err"
check "Task_1 catches up ($(head -c 300 "$d/t1.err"))" test $? -eq 0
run_installed "$d/foreach_batch" "$d/csv" "$d/parquet" "$d/ck2" availableNow 2>"$d/last.err"
check "the example catches up and exits 0 ($(head -c 300 "$d/last.err"))" test $? -eq 0
find "$d/json" -maxdepth 1 -type f ! -name '.*' | sort > "$d/in.txt"
find "$d/parquet" -maxdepth 1 -type f -name 'part-*.parquet' | sort > "$d/out.txt"
files=$(wc -l < "$d/in.txt")
r=$(cd tests/oracle && node foreach_check.mjs "$d/in.txt" "$d/out.txt")
check "every window exactly once, with its sums, over $files files ($r)" \
    test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" dupes),$(json_field "$r" wrong)" = "0,0,0,0"
check "windows written ($(json_field "$r" got) of $(json_field "$r" expected))" test "$(json_field "$r" got)" -ge 2
check "more than one batch wrote windows ($(wc -l < "$d/out.txt") files)" test "$(wc -l < "$d/out.txt")" -ge 2
echo "($crashes kills, $files input files, $(wc -l < "$d/out.txt") Parquet files)"
summary
