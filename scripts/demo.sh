#!/usr/bin/env bash
# demo.sh - `make demo`: the seed's stage 1, live. `weir gen` writes click-stream JSON files (one a second
# here, the seed writes one every 5 s) while examples/clickstream/task1.sql flattens them to CSV, side by side
# for about 20 seconds (DEMO_SECONDS); then both stop cleanly (SIGTERM) and the demo shows the CSV produced and
# what the checkpoint says. Everything happens in ./demo-data (emptied first; DEMO_DIR to change it), with the
# seed's folder layout: data/json_files, data/csv_files, data/checkpoint.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
W=${WEIR:-$root/${BUILD:-build}/weir}
secs=${DEMO_SECONDS:-20}
demo=${DEMO_DIR:-$root/demo-data}
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"
echo "== weir gen -> data/json_files (one file of 10 records a second) and weir run task1.sql, for ${secs}s"
"$W" gen --out data/json_files --forever --interval 1s --quiet &
gen=$!
"$W" run "$root/examples/clickstream/task1.sql" --progress auto &
run=$!
sleep "$secs"
kill -TERM "$gen" "$run"
wait "$gen" || true
wait "$run"
echo
echo "== $(ls data/json_files | wc -l) JSON files in, CSV out:"
first=$(find data/csv_files -type f -name '*.csv*' ! -path '*/_*' | sort | head -n 1)
if [ -n "$first" ]; then
    echo "-- $first"
    head -n 6 "$first"
fi
rows=$(find data/csv_files -type f -name '*.csv*' ! -path '*/_*' -exec cat {} + | grep -vc '^datetime' || true)
echo "-- $rows rows in $(find data/csv_files -type f -name '*.csv*' ! -path '*/_*' | wc -l) CSV files"
echo
echo "== weir inspect data/checkpoint"
"$W" inspect data/checkpoint
