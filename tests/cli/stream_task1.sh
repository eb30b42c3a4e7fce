#!/usr/bin/env bash
# stream_task1.sh - the seed's Task_1 as a weir streaming query, end to end through `weir run`:
#   - correctness: the committed CSV rows equal, as a multiset, DuckDB's flattening of every generated record;
#   - availableNow honours maxFilesPerTrigger; a restart reads only the new files (no relisting);
#   - a batch left planned but not committed is re-run on restart without doubling its rows;
#   - trigger once takes everything in one batch; SIGTERM stops cleanly with exit 0;
#   - two queries of one script run side by side, each with its own checkpoint under weir.checkpointRoot;
#   - a query reading another's sink folder takes only the files its manifest lists;
#   - bad input (truncated, empty, binary, non-UTF-8) is dead-lettered while good rows all arrive;
#   - exit codes: 2 for bad SQL, a file sink without a checkpoint or a checkpoint in use, 1 for a damaged one;
#   - `weir inspect` reports batches, files and a clean state.
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
if [ ! -x "$W" ] || [ ! -d tests/oracle/node_modules/@duckdb ]; then
    echo "missing $W or tests/oracle/node_modules"
    echo "0 passed, 1 failed"
    exit 1
fi
d=$(mktemp -d /tmp/weir-stream.XXXXXX)
trap 'rm -rf "$d"' EXIT

# ---- correctness over 23 generated files, availableNow with maxFilesPerTrigger 5 -> 5 batches
"$W" gen --out "$d/in" --files 20 --records-per-file 10 --seed 7 --interval 0 >/dev/null 2>"$d/gen.err"
check "weir gen wrote 20 files" test "$(find "$d/in" -type f | wc -l)" -eq 20
task1_sql "$d/in" "$d/out" "$d/ck" > "$d/t.sql"
"$W" run "$d/t.sql" --trigger availableNow --progress json > "$d/p1.json" 2>"$d/run1.err"
check "availableNow run exits 0" test $? -eq 0
check "4 batches of at most 5 files" test "$(grep -c '"batchId"' "$d/p1.json")" -eq 4
r=$(oracle "$d/in" "$d/out")
check "rows equal DuckDB's flattening ($r)" test "$(json_field "$r" missing),$(json_field "$r" extra)" = "0,0"
check "200 rows" test "$(json_field "$r" got)" -eq 200
check "progress has Spark's fields" grep -q '"id":.*"runId":.*"name":"clicks_csv".*"batchId":0.*"numInputRows":50.*"inputRowsPerSecond".*"processedRowsPerSecond".*"durationMs":{.*"triggerExecution".*"sources":\[{"description":"FileStreamSource.*"sink":{' "$d/p1.json"

# ---- restart: 3 new files; only they are read
"$W" gen --out "$d/in2" --files 3 --records-per-file 10 --seed 8 --interval 0 >/dev/null 2>&1
for f in "$d"/in2/*; do mv "$f" "$d/in/new_$(basename "$f")"; done
"$W" run "$d/t.sql" --trigger availableNow --progress json > "$d/p2.json" 2>"$d/run2.err"
check "restart exits 0" test $? -eq 0
opened=$(tail -n 1 "$d/p2.json" | sed -n 's/.*"numFilesOpenedSinceStart":"\([0-9]*\)".*/\1/p')
check "restart opened only the 3 new files (opened: $opened)" test "$opened" = 3
r=$(oracle "$d/in" "$d/out")
check "after restart rows still exact ($r)" test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" got)" = "0,0,230"
"$W" inspect "$d/ck" > "$d/inspect.txt" 2>&1
check "inspect exits 0" test $? -eq 0
check "inspect: clean" grep -q "clean" "$d/inspect.txt"
check "inspect: 23 files" grep -q "files taken  23 " "$d/inspect.txt"

# ---- trigger once ignores maxFilesPerTrigger: 7 files, one batch
"$W" gen --out "$d/in3" --files 7 --records-per-file 10 --seed 9 --interval 0 >/dev/null 2>&1
for f in "$d"/in3/*; do mv "$f" "$d/in/once_$(basename "$f")"; done
"$W" run "$d/t.sql" --trigger once --progress json > "$d/p3.json" 2>&1
check "trigger once: one batch" test "$(grep -c '"batchId"' "$d/p3.json")" -eq 1
check "trigger once: 70 rows" grep -q '"numInputRows":70,' "$d/p3.json"

# ---- the default trigger runs as files land; SIGTERM stops it with exit 0
"$W" run "$d/t.sql" --progress json > "$d/p4.json" 2>"$d/run4.err" &
pid=$!
sleep 0.5
"$W" gen --out "$d/in4" --files 2 --records-per-file 10 --seed 10 --interval 0 >/dev/null 2>&1
for f in "$d"/in4/*; do mv "$f" "$d/in/live_$(basename "$f")"; done
for _ in $(seq 1 50); do grep -q '"numInputRows"' "$d/p4.json" && break; sleep 0.1; done
"$W" run "$d/t.sql" --trigger once > /dev/null 2>"$d/second.err"
check "a second run on the same checkpoint is refused (exit 2)" test $? -eq 2
check "... saying the checkpoint is in use" grep -q "in use by another running query" "$d/second.err"
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" test $? -eq 0
r=$(oracle "$d/in" "$d/out")
check "live files committed exactly ($r)" test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" got)" = "0,0,320"
"$W" inspect "$d/ck" > "$d/inspect.txt" 2>&1
check "inspect after SIGTERM: clean" grep -q "clean" "$d/inspect.txt"

# ---- a crash between the sink's commit and commits/N (simulated by removing the last commit entry): inspect
# says the batch runs again; the restart re-runs it, the sink recognizes it as committed, nothing doubles
last=$(ls "$d/ck/commits" | sort -n | tail -n 1)
rm "$d/ck/commits/$last"
"$W" inspect "$d/ck" > "$d/inspect.txt" 2>&1
check "inspect: batch $last planned but not committed" grep -q "batch $last is planned but not committed" "$d/inspect.txt"
"$W" run "$d/t.sql" --trigger availableNow --progress off 2>"$d/rerun.err"
check "re-run exits 0" test $? -eq 0
check "commits/$last written again" test -f "$d/ck/commits/$last"
r=$(oracle "$d/in" "$d/out")
check "after the re-run rows still exact ($r)" test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" got)" = "0,0,320"

# ---- two queries side by side, checkpoints under weir.checkpointRoot
cat > "$d/two.sql" <<SQL
SET weir.checkpointRoot = '$d/root';
CREATE TABLE src (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
                  sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path '$d/in');
CREATE TABLE a USING csv OPTIONS (path '$d/outa', header true);
CREATE TABLE b USING csv OPTIONS (path '$d/outb', header true);
INSERT INTO a SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
                     sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(src);
INSERT INTO b SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
                     sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(src)
              WHERE analytics.clicks > 5;
SQL
"$W" run "$d/two.sql" --trigger availableNow --progress off 2>"$d/two.err"
check "two queries: exit 0 ($(head -c 300 "$d/two.err"))" test $? -eq 0
r=$(oracle "$d/in" "$d/outa")
check "query a exact ($r)" test "$(json_field "$r" missing),$(json_field "$r" extra)" = "0,0"
check "query b has its own checkpoint" test -f "$d/root/b/metadata"
nb=$(committed_files "$d/outb" | xargs -r cat | grep -v '^datetime' | awk -F, '$2 <= 5' | wc -l)
check "query b: only clicks > 5" test "$nb" -eq 0

# ---- stage 2 reads stage 1's CSV folder through its manifest: a stray file no batch committed is not read
printf 'datetime,clicks,impressions,quantity,total_price\n2030-01-01T00:00:00Z,999,999,999,9.5\n' > "$d/out/part-99999-0000.csv"
cat > "$d/stage2.sql" <<SQL
CREATE TABLE clicks_csv (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE)
  USING csv OPTIONS (path '$d/out', header true);
CREATE TABLE copy_csv USING csv OPTIONS (path '$d/out2', header true, checkpointLocation '$d/ck2');
INSERT INTO copy_csv SELECT * FROM STREAM(clicks_csv);
SQL
"$W" run "$d/stage2.sql" --trigger availableNow --progress off 2>"$d/stage2.err"
check "stage 2: exit 0 ($(head -c 300 "$d/stage2.err"))" test $? -eq 0
r=$(oracle "$d/in" "$d/out2")
check "stage 2 holds exactly stage 1's committed rows, not the stray file ($r)" \
    test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" got)" = "0,0,320"
rm "$d/out/part-99999-0000.csv"

# ---- bad input: dead letters, good rows all there
mkdir -p "$d/bad"
cp "$d/in/$(ls "$d/in" | head -n 1)" "$d/bad/good.json"
printf '[{"datetime": "2022-09-06T11:40:00.1", "sales": {"quantity": 1, "total_price": 1.5}, "analytics": {"clicks": 1, "impressions": 10}},\n {"datetime": "2022-09-06T11:4' > "$d/bad/truncated.json"
: > "$d/bad/empty.json"
head -c 300 /dev/urandom > "$d/bad/garbage.json"
printf '{"datetime": "2022-09-06T11:40:00", "sales": {"quantity": 1, "total_price": 1.5}, "analytics": {"clicks": 1, "impressions": 10}, "note": "caf\xe9"}\n' > "$d/bad/latin1.json"
task1_sql "$d/bad" "$d/badout" "$d/badck" ", mode 'DROPMALFORMED', badRecordsPath '$d/dead'" > "$d/bad.sql"
"$W" run "$d/bad.sql" --trigger availableNow --progress json > "$d/pb.json" 2>"$d/bad.err"
check "bad input: exit 0 ($(head -c 300 "$d/bad.err"))" test $? -eq 0
check "bad input: dead-letter file written" test -n "$(ls "$d/dead" 2>/dev/null)"
for f in truncated garbage latin1; do
    check "dead letter for $f.json" grep -q "$f.json\",\"line\":[0-9]*,\"offset\":[0-9]*,\"reason\":" "$d"/dead/*
done
check "bad records counted in progress" grep -q '"numBadRecords":"[1-9]' "$d/pb.json"
good=$(committed_files "$d/badout" | xargs -r cat | grep -vc '^datetime')
check "bad input: the 10 good rows plus the first truncated record ($good)" test "$good" -eq 11

# ---- exit codes and messages
task1_sql "$d/in" "$d/o5" "" | sed "s/, checkpointLocation ''//" > "$d/nock.sql"
"$W" run "$d/nock.sql" --trigger once > /dev/null 2>"$d/nock.err"
check "file sink without checkpoint: exit 2" test $? -eq 2
check "... with a message naming checkpointLocation" grep -q "checkpointLocation" "$d/nock.err"
printf 'CREATE TABLE t USING json OPTIONS (path "x");\nINSERT INTO t SELEC 1 FROM STREAM(t);\n' > "$d/badsql.sql"
"$W" run "$d/badsql.sql" > /dev/null 2>&1
check "bad SQL: exit 2" test $? -eq 2
"$W" run "$d/missing.sql" > /dev/null 2>&1
check "missing script: exit 2" test $? -eq 2
"$W" run "$d/t.sql" --trigger sometimes > /dev/null 2>&1
check "bad trigger: exit 2" test $? -eq 2

# ---- a damaged checkpoint is reported, not trusted
last=$(ls "$d/ck/offsets" | sort -n | tail -n 1)
printf 'v1\n{"batchWaterm' > "$d/ck/offsets/$last"
"$W" run "$d/t.sql" --trigger once > /dev/null 2>"$d/dmg.err"
check "damaged checkpoint: exit 1" test $? -eq 1
check "... naming the file" grep -q "offsets/$last" "$d/dmg.err"
"$W" inspect "$d/ck" > /dev/null 2>&1
check "inspect of a damaged checkpoint: exit 1" test $? -eq 1
summary
