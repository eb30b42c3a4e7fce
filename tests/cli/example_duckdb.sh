#!/usr/bin/env bash
# example_duckdb.sh - examples/duckdb_batch, built against the INSTALLED library through pkg-config, runs a
# query over seed-style CSV files (weir gen + weir convert) and, for every batch, has DuckDB read the batch
# through the Arrow C Data Interface and compare its count and sums with those computed in C; the example
# fails the batch (and exits 1) on any difference. Checked here: exit 0, one agreeing line per batch, and
# the total row count equal to the rows generated. Without DuckDB's C library: "skipped".
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
. tests/cli/lib/examples_lib.sh
lib=tests/oracle/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so
if [ ! -f "$lib" ]; then
    echo "skipped: $lib is missing (npm ci in tests/oracle)"
    echo "0 passed, 0 failed"
    exit 0
fi
d=$(mktemp -d /tmp/weir-exduck.XXXXXX)
trap 'rm -rf "$d"' EXIT
install_weir "$d"
check "make install" test $? -eq 0
build_example examples/duckdb_batch/duckdb_batch.c "$d/duckdb_batch" -ldl 2>"$d/cc.log"
check "the example builds against the installed weir ($(head -c 300 "$d/cc.log"))" test $? -eq 0
mkdir -p "$d/csv"
"$W" gen --out "$d/json" --files 7 --records-per-file 40 --seed 5 --interval 0 --quiet >/dev/null 2>&1
schema='datetime TIMESTAMP, analytics STRUCT<clicks: INT, impressions: INT>, sales STRUCT<quantity: INT, total_price: DOUBLE>'
for f in "$d"/json/*; do
    "$W" convert --from json --to csv --flatten --option header=true --schema "$schema" -o "$d/csv/$(basename "$f" .json).csv" "$f"
done
check "7 CSV files" test "$(ls "$d/csv" | wc -l)" -eq 7
run_installed "$d/duckdb_batch" "$d/csv" "$d/ck" "$lib" >"$d/out.txt" 2>"$d/err.txt"
check "the example exits 0 ($(head -c 300 "$d/err.txt"))" test $? -eq 0
check "4 batches agree (2 files each)" test "$(grep -c 'DuckDB and C agree (' "$d/out.txt")" -eq 4
check "all 280 rows checked" grep -q "^4 batches, 280 rows: DuckDB and C agree on every batch" "$d/out.txt"
summary
