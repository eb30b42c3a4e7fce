#!/usr/bin/env bash
# demo.sh - `make demo`: the seed's whole pipeline, live. `weir gen` writes click-stream JSON files (one a
# second of 10 records, 1 s of event time apart, so that 30-second windows close during the demo) while
# examples/clickstream/pipeline.sql runs both stages in one process: JSON -> flattened CSV -> 30-second
# window totals appended as Parquet once the 10-second watermark passes them. After about 20 seconds
# (DEMO_SECONDS) both stop cleanly (SIGTERM); a last bounded run of the pipeline (availableNow: stage 1
# takes the last files, then stage 2 runs and ends by writing the windows still open) finishes the job, and
# the demo prints every window and what the checkpoints say.
# Everything happens in ./demo-data (emptied first; DEMO_DIR to change it), with the seed's folder layout:
# data/json_files, data/csv_files, data/parquet_files, data/checkpoint, data/checkpoint_windows.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
W=${WEIR:-$root/${BUILD:-build}/weir}
secs=${DEMO_SECONDS:-20}
demo=${DEMO_DIR:-$root/demo-data}
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"
echo "== weir gen -> data/json_files (a file of 10 records a second) and weir run pipeline.sql, for ${secs}s"
"$W" gen --out data/json_files --forever --interval 1s --step 1s --start 2022-09-06T11:40:00 --quiet &
gen=$!
"$W" run "$root/examples/clickstream/pipeline.sql" --progress auto &
run=$!
sleep "$secs"
kill -TERM "$gen" "$run"
wait "$gen" || true
wait "$run"
echo
echo "== $(ls data/json_files | wc -l) JSON files in; stage 1's CSV out:"
first=$(find data/csv_files -type f -name '*.csv*' ! -path '*/_*' | sort | head -n 1)
if [ -n "$first" ]; then
    echo "-- $first"
    head -n 4 "$first"
fi
rows=$(find data/csv_files -type f -name '*.csv*' ! -path '*/_*' -exec cat {} + | grep -vc '^datetime' || true)
echo "-- $rows rows in $(find data/csv_files -type f -name '*.csv*' ! -path '*/_*' | wc -l) CSV files"
echo
echo "== windows appended while the pipeline ran: $(find data/parquet_files -name '*.parquet' | wc -l) Parquet files"
echo "== weir run pipeline.sql --trigger availableNow: the last files and windows, then every window written"
"$W" run "$root/examples/clickstream/pipeline.sql" --trigger availableNow --progress off
"$W" cat data/parquet_files --format table
echo
echo "== weir inspect data/checkpoint_windows"
"$W" inspect data/checkpoint_windows | head -n 12
