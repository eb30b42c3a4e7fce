#!/usr/bin/env bash
# stream_exactly_once.sh - kill -9 at random instants, exactly once all the same.
#
# `weir gen` keeps writing click-stream files while the Task_1 query is killed with SIGKILL at KILLS (default
# 50) random instants and restarted each time. At the end a last availableNow run catches up, and:
#   - every generated record is in the committed CSV output exactly once (DuckDB's multiset comparison);
#   - every file the manifest lists exists and is complete; no committed batch is missing from it;
#   - `weir inspect` reads the checkpoint back and finds it clean.
# `make soak` runs the same with KILLS=500. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
KILLS=${KILLS:-50}
if [ ! -x "$W" ] || [ ! -d tests/oracle/node_modules/@duckdb ]; then
    echo "missing $W or tests/oracle/node_modules"
    echo "0 passed, 1 failed"
    exit 1
fi
d=$(mktemp -d /tmp/weir-kill.XXXXXX)
gen_pid=
cleanup() {
    [ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null
    rm -rf "$d"
}
trap cleanup EXIT
mkdir -p "$d/in"
task1_sql "$d/in" "$d/out" "$d/ck" > "$d/t.sql"
# about 100 files a second of 10 records, for as long as the kills take
"$W" gen --out "$d/in" --forever --interval 0.01 --records-per-file 10 --seed 11 >/dev/null 2>"$d/gen.err" &
gen_pid=$!
crashes=0
for i in $(seq 1 "$KILLS"); do
    "$W" run "$d/t.sql" --progress off >>"$d/run.log" 2>&1 &
    pid=$!
    # 20 to 400 ms: some kills land during startup and recovery, most inside a batch
    sleep "0.$(printf '%03d' $((RANDOM % 380 + 20)))"
    if kill -9 "$pid" 2>/dev/null; then crashes=$((crashes + 1)); fi
    wait "$pid" 2>/dev/null
done
kill -TERM "$gen_pid"
wait "$gen_pid" 2>/dev/null
gen_pid=
check "killed $crashes of $KILLS runs while they ran" test "$crashes" -ge $((KILLS * 9 / 10))
check "no run failed on its own" test -z "$(grep -v '^$' "$d/run.log" | grep -iv 'killed' | head -n 3)"
"$W" run "$d/t.sql" --trigger availableNow --progress off 2>"$d/last.err"
check "the last run catches up and exits 0 ($(head -c 200 "$d/last.err"))" test $? -eq 0
files=$(find "$d/in" -type f ! -name '.*' | wc -l)
r=$(oracle "$d/in" "$d/out")
check "every record exactly once over $files files ($r)" \
    test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" dupes)" = "0,0,0"
check "all $((files * 10)) rows" test "$(json_field "$r" got)" -eq $((files * 10))
listed=0
broken=0
while read -r f; do
    listed=$((listed + 1))
    # complete = exists, has the header and ends with a newline
    if [ ! -f "$f" ] || [ "$(head -c 8 "$f")" != "datetime" ] || [ -n "$(tail -c 1 "$f")" ]; then broken=$((broken + 1)); fi
done < <(committed_files "$d/out")
check "manifest lists $listed files, none partial or missing" test "$broken" -eq 0
stray=$(find "$d/out" -type f -name '.*' | wc -l)
"$W" inspect "$d/ck" > "$d/inspect.txt" 2>&1
check "inspect exits 0" test $? -eq 0
check "inspect: clean" grep -q "clean" "$d/inspect.txt"
check "inspect: every file taken ($files)" grep -q "files taken  $files " "$d/inspect.txt"
echo "($crashes kills, $files files, $stray temp files left in the output by the last crash)"
summary
