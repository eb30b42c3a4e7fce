#!/usr/bin/env bash
# stream_pipeline_kill.sh - the whole pipeline (examples/clickstream/pipeline.sql: JSON -> CSV -> 30 s window
# totals as Parquet) killed with SIGKILL at KILLS (default 50) random instants and restarted each time.
#
# `weir gen` keeps writing (in event-time order, so no row is late whatever the batch boundaries) while the
# pipeline runs with the default trigger and is killed. After the kills, stage 1 and stage 2 each finish
# with availableNow on the same checkpoints. The reference is an uninterrupted run of stage 1 then stage 2
# (task1.sql, task2.sql; availableNow) over a copy of the same input. Then:
#   - one bounded run of pipeline.sql (availableNow: stage 2 starts when stage 1 has ended) gives the
#     reference's windows too;
#   - the committed windows are byte-identical to the reference's (every window once, none missing, the
#     same sums to the last bit, as weir cat prints them);
#   - every Parquet file the manifest lists exists and is readable; no late row was written;
#   - `weir inspect` finds both checkpoints clean.
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
KILLS=${KILLS:-50}
if [ ! -x "$W" ]; then
    echo "missing $W"
    echo "0 passed, 1 failed"
    exit 1
fi
d=$(mktemp -d /tmp/weir-pipekill.XXXXXX)
trap 'rm -rf "$d"' EXIT
ex=examples/clickstream
# the examples with their data/ folders moved under $1. The generator runs 100 s of event time a second, so
# the examples' 10-second watermark makes a row late if a restart took files out of their writing order
# by a tenth of a second: the file source takes files in order (source_file.h) and this checks it.
sql_in() { sed "s#'data/#'$1/data/#g" "$2"; }
mkdir -p "$d/ref/data" "$d/kill/data/json_files"
for run in ref kill; do
    for q in task1 task2 pipeline; do sql_in "$d/$run" "$ex/$q.sql" > "$d/$run/$q.sql"; done
done
# 100 files a second of 10 records, 100 ms of event time apart: 100 s of event time a second
"$W" gen --out "$d/kill/data/json_files" --forever --interval 0.01 --records-per-file 10 --step 100ms --seed 5 \
    --start 2022-09-06T11:40:00 >/dev/null 2>"$d/gen.err" &
gen_pid=$!
trap 'kill $gen_pid 2>/dev/null' EXIT
k="$d/kill"
crashes=0
mid=0
for i in $(seq 1 "$KILLS"); do
    before=$(ls "$k/data/checkpoint/commits" "$k/data/checkpoint_windows/commits" 2>/dev/null | wc -l)
    "$W" run "$k/pipeline.sql" --progress off >>"$d/run.log" 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 200 + 15)))"
    if kill -9 "$pid" 2>/dev/null; then crashes=$((crashes + 1)); fi
    wait "$pid" 2>/dev/null
    after=$(ls "$k/data/checkpoint/commits" "$k/data/checkpoint_windows/commits" 2>/dev/null | wc -l)
    [ "$after" -ne "$before" ] && mid=$((mid + 1))
done
kill -TERM "$gen_pid"
wait "$gen_pid" 2>/dev/null
cp -rp "$d/kill/data/json_files" "$d/ref/data/json_files"
# the reference: stage 1, then stage 2, uninterrupted
"$W" run "$d/ref/task1.sql" --trigger availableNow --progress off 2>"$d/ref.err" &&
    "$W" run "$d/ref/task2.sql" --trigger availableNow --progress off 2>>"$d/ref.err"
check "the reference runs ($(head -c 200 "$d/ref.err"))" test $? -eq 0
check "killed $crashes of $KILLS runs while they ran" test "$crashes" -ge $((KILLS * 9 / 10))
check "$mid kills came after some batch committed" test "$mid" -ge 5
check "no run failed on its own ($(grep -v '^$' "$d/run.log" | head -c 300))" \
    test -z "$(grep -v '^$' "$d/run.log" | grep -iv 'killed' | head -n 3)"
"$W" run "$k/task1.sql" --trigger availableNow --progress off 2>"$d/last.err" &&
    "$W" run "$k/task2.sql" --trigger availableNow --progress off 2>>"$d/last.err"
check "the last runs catch up and exit 0 ($(head -c 200 "$d/last.err"))" test $? -eq 0

windows() { # the committed windows of run $1, one CSV line each, sorted
    local broken=0
    while read -r f; do
        "$W" cat "$f" --format csv 2>/dev/null | tail -n +2 || broken=1
    done < <(committed_files "$1/data/parquet_files") | sort
    return $broken
}
# the whole pipeline as one bounded run: stage 2 starts when stage 1 has ended, so it sees all of it
mkdir -p "$d/bounded/data"
cp -rp "$d/kill/data/json_files" "$d/bounded/data/json_files"
sql_in "$d/bounded" "$ex/pipeline.sql" > "$d/bounded/pipeline.sql"
"$W" run "$d/bounded/pipeline.sql" --trigger availableNow --progress off 2>"$d/bounded.err"
check "pipeline.sql with availableNow runs ($(head -c 200 "$d/bounded.err"))" test $? -eq 0
windows "$d/ref" > "$d/ref.txt"
windows "$d/bounded" > "$d/bounded.txt"
check "pipeline.sql with availableNow gives the reference's windows ($(diff "$d/ref.txt" "$d/bounded.txt" | head -c 300))" \
    cmp -s "$d/ref.txt" "$d/bounded.txt"
windows "$k" > "$d/kill.txt"
n=$(wc -l < "$d/ref.txt")
check "the reference has windows ($n)" test "$n" -ge 10
check "the killed pipeline's windows are byte-identical to the reference's ($(diff "$d/ref.txt" "$d/kill.txt" | head -c 300))" \
    cmp -s "$d/ref.txt" "$d/kill.txt"
check "no window twice" test "$(cut -d, -f5 "$d/kill.txt" | sort | uniq -d | wc -l)" -eq 0
missing=0
while read -r f; do [ -s "$f" ] && "$W" cat "$f" --meta >/dev/null 2>&1 || missing=$((missing + 1)); done \
    < <(committed_files "$k/data/parquet_files")
check "every listed Parquet file exists and reads" test "$missing" -eq 0
check "no late rows" test -z "$(find "$k/data/late_rows" -name '*.json' -size +0 2>/dev/null)"
for ck in checkpoint checkpoint_windows; do
    "$W" inspect "$k/data/$ck" > "$d/inspect.txt" 2>&1
    check "weir inspect $ck is clean" grep -q 'clean: every planned batch is committed' "$d/inspect.txt"
done
echo "info: $crashes kills, $mid after a commit, $n windows"
summary
