#!/usr/bin/env bash
# stream_exactly_once.sh - kill -9 at random instants, exactly once all the same.
#
# `weir gen` keeps writing click-stream files while the Task_1 query is killed with SIGKILL at KILLS (default
# 50) random instants and restarted each time. At the end a last availableNow run catches up, and:
#   - every generated record is in the committed CSV output exactly once (DuckDB's multiset comparison);
#   - every file the manifest lists exists and is complete; no committed batch is missing from it;
#   - `weir inspect` reads the checkpoint back and finds it clean.
# It runs twice: as is, and with maxFileAge '5 seconds', so that restarts forget the oldest names and list
# their files again (they must be ignored, not taken twice).
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

# kill_run NAME EXTRA_SOURCE_OPTIONS: the kills, the last run and the checks, in $d/NAME.
kill_run() {
    local r=$d/$1 extra=$2
    mkdir -p "$r/in"
    task1_sql "$r/in" "$r/out" "$r/ck" "$extra" > "$r/t.sql"
    # about 100 files a second of 10 records, for as long as the kills take
    "$W" gen --out "$r/in" --forever --interval 0.01 --records-per-file 10 --seed 11 >/dev/null 2>"$r/gen.err" &
    gen_pid=$!
    local crashes=0 i pid
    for i in $(seq 1 "$KILLS"); do
        "$W" run "$r/t.sql" --progress off >>"$r/run.log" 2>&1 &
        pid=$!
        # 20 to 400 ms: some kills land during startup and recovery, most inside a batch
        sleep "0.$(printf '%03d' $((RANDOM % 380 + 20)))"
        if kill -9 "$pid" 2>/dev/null; then crashes=$((crashes + 1)); fi
        wait "$pid" 2>/dev/null
    done
    kill -TERM "$gen_pid"
    wait "$gen_pid" 2>/dev/null
    gen_pid=
    check "$1: killed $crashes of $KILLS runs while they ran" test "$crashes" -ge $((KILLS * 9 / 10))
    local own
    own=$(grep -v '^$' "$r/run.log" | grep -iv 'killed' | head -n 3)
    check "$1: no run failed on its own ($own)" test -z "$own"
    "$W" run "$r/t.sql" --trigger availableNow --progress off 2>"$r/last.err"
    check "$1: the last run catches up and exits 0 ($(head -c 200 "$r/last.err"))" test $? -eq 0
    local files
    files=$(find "$r/in" -type f ! -name '.*' | wc -l)
    local res
    res=$(oracle "$r/in" "$r/out")
    check "$1: every record exactly once over $files files ($res)" \
        test "$(json_field "$res" missing),$(json_field "$res" extra),$(json_field "$res" dupes)" = "0,0,0"
    check "$1: all $((files * 10)) rows" test "$(json_field "$res" got)" -eq $((files * 10))
    local listed=0 broken=0 f
    while read -r f; do
        listed=$((listed + 1))
        # complete = exists, has the header and ends with a newline
        if [ ! -f "$f" ] || [ "$(head -c 8 "$f")" != "datetime" ] || [ -n "$(tail -c 1 "$f")" ]; then broken=$((broken + 1)); fi
    done < <(committed_files "$r/out")
    check "$1: manifest lists $listed files, none partial or missing" test "$broken" -eq 0
    local stray
    stray=$(find "$r/out" -type f -name '.*' | wc -l)
    "$W" inspect "$r/ck" > "$r/inspect.txt" 2>&1
    check "$1: inspect exits 0" test $? -eq 0
    check "$1: inspect: clean" grep -q "clean" "$r/inspect.txt"
    local logged
    logged=$(sed -n 's/^files taken  \([0-9]*\) .*/\1/p' "$r/inspect.txt")
    if [ -z "$extra" ]; then
        check "$1: inspect: every file taken ($files)" test "$logged" = "$files"
    else # files past maxFileAge leave the log at its merges
        check "$1: inspect: the log holds at most the $files files ($logged)" test "${logged:-0}" -gt 0 -a "${logged:-0}" -le "$files"
    fi
    echo "($1: $crashes kills, $files files, $logged in the source's log, $stray temp files left in the output by the last crash)"
}

kill_run default ""
# names forgotten past maxFileAge (source_file.c): every restart after the first 5 s forgets the oldest
# names its log holds and lists their files again; they must be ignored for their age, never taken twice
kill_run forget ", maxFileAge '5 seconds'"
summary
