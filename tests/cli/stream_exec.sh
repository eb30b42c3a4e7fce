#!/usr/bin/env bash
# stream_exec.sh - the exec sink (`USING exec OPTIONS (command '...', format ...)`) through `weir run`:
#   - each non-empty batch runs the command once, with WEIR_BATCH_ID, WEIR_QUERY_NAME and WEIR_BATCH_PATH
#     naming a file (under the checkpoint) that holds exactly that batch's rows, in CSV and in Parquet;
#     the file is gone afterwards;
#   - a command failing at batch 1 fails the run (exit 1, message naming command, status and batch), batch 1
#     is not committed, and a restart runs the command again on batch 1 (same rows), not on batch 0;
#   - a batch whose command succeeded but whose commits/N is missing (a crash in between) is skipped.
# Expected rows come from the files written here. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
d=$(mktemp -d /tmp/weir-exec.XXXXXX)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/in" "$d/got"
for k in 0 1 2; do
    { echo "id,v"; for j in 0 1 2; do echo "$((k * 10 + j)),$j"; done; } > "$d/in/.t" && mv "$d/in/.t" "$d/in/f$k.csv"
done
cat > "$d/cmd.sh" <<'SH'
# the command: log what it was given, keep a copy of the batch file, fail at batch 1 while $D/fail exists
echo "$WEIR_BATCH_ID $WEIR_QUERY_NAME $(basename "$WEIR_BATCH_PATH")" >> "$D/log"
cp "$WEIR_BATCH_PATH" "$D/got/$WEIR_BATCH_ID.$FMT"
if [ "$WEIR_BATCH_ID" = 1 ] && [ -e "$D/fail" ]; then exit 3; fi
exit 0
SH
sql() { # FMT CKPT
    cat <<SQL
CREATE TABLE t (id INT, v INT) USING csv OPTIONS (path '$d/in', header true, maxFilesPerTrigger 1);
CREATE TABLE run_it USING exec OPTIONS (command 'D=$d FMT=$1 sh $d/cmd.sh', format '$1', checkpointLocation '$2'$3);
INSERT INTO run_it SELECT id, v * 2 AS v2 FROM STREAM(t);
SQL
}
# 1. CSV, every batch once, with the variables and the file
sql csv "$d/ck1" ", header true" > "$d/a.sql"
"$W" run "$d/a.sql" --trigger availableNow --progress off 2>"$d/a.err"
check "csv run exits 0 ($(head -c 300 "$d/a.err"))" test $? -eq 0
check "three batches, in order, with query name and file name" \
    test "$(cat "$d/log")" = "$(printf '0 run_it batch-0.csv\n1 run_it batch-1.csv\n2 run_it batch-2.csv')"
check "batch 1's file holds its rows" test "$(cat "$d/got/1.csv")" = "$(printf 'id,v2\n10,0\n11,2\n12,4')"
check "batch files removed" test -z "$(ls "$d/ck1/exec" | grep batch-)"
# 2. Parquet, failing at batch 1 then restarted
rm -f "$d/log"
touch "$d/fail"
sql parquet "$d/ck2" "" > "$d/b.sql"
"$W" run "$d/b.sql" --trigger availableNow --progress off 2>"$d/b.err"
check "a failing command fails the run" test $? -eq 1
check "the error names command, status and batch ($(head -c 300 "$d/b.err"))" \
    grep -q "command 'D=$d FMT=parquet sh $d/cmd.sh' exited with status 3 at batch 1" "$d/b.err"
check "batch 1 is not committed" test ! -e "$d/ck2/commits/1"
check "batch 0 is" test -e "$d/ck2/commits/0"
cp "$d/got/1.parquet" "$d/first1.parquet"
rm "$d/fail"
"$W" run "$d/b.sql" --trigger availableNow --progress off 2>"$d/c.err"
check "the restart exits 0 ($(head -c 300 "$d/c.err"))" test $? -eq 0
check "the restart ran batch 1 again, then 2, not 0" \
    test "$(cut -d' ' -f1 "$d/log" | tr '\n' ' ')" = "0 1 1 2 "
check "batch 1 had the same rows both times" cmp -s "$d/first1.parquet" "$d/got/1.parquet"
"$W" cat "$d/got/2.parquet" > "$d/2.txt" 2>&1
check "batch 2 as Parquet holds its rows" grep -q "22" "$d/2.txt"
check "batch 2 as Parquet has 3 rows" test "$(grep -c '2[0-2]' "$d/2.txt")" -eq 3
# an unknown writer option is refused before any batch runs
sql csv "$d/ck3" ", heder true" > "$d/x.sql"
"$W" run "$d/x.sql" --trigger availableNow --progress off 2>"$d/x.err"
check "an unknown writer option fails the run ($(head -c 200 "$d/x.err"))" grep -q "unknown option 'heder'" "$d/x.err"
check "before any batch ran" test ! -e "$d/ck3/commits/0"
# 3. a crash after the command succeeded for batch 2 but before commits/2 (simulated: commits/2 removed):
#    the restart re-runs batch 2 and the sink skips it, so the command does not run a second time
rm "$d/ck2/commits/2"
lines=$(wc -l < "$d/log")
"$W" run "$d/b.sql" --trigger availableNow --progress off 2>"$d/e.err"
check "the re-run exits 0 ($(head -c 300 "$d/e.err"))" test $? -eq 0
check "commits/2 written again" test -e "$d/ck2/commits/2"
check "the command did not run again for batch 2" test "$(wc -l < "$d/log")" -eq "$lines"
summary
