#!/usr/bin/env bash
# scripts/demo.sh - `make demo`: the seed pipeline as far as weir runs it today. Generates click-stream
# JSON with `weir gen` (the seed's files: one JSON array of 10 records each, written atomically), checks
# it with `weir validate`, flattens it to CSV with `weir convert --flatten` (the seed's stage 1) and to
# Parquet, and prints a few rows. Everything goes to ./demo-data (emptied first; DEMO_DIR to change it).
set -eu
cd "$(dirname "$0")/.."
weir=${WEIR:-$PWD/${BUILD:-build}/weir}
data=${DEMO_DIR:-$PWD/demo-data}
rm -rf "$data/json" "$data/csv" "$data/parquet"
mkdir -p "$data/csv" "$data/parquet"
schema='datetime TIMESTAMP, analytics STRUCT<clicks: INT, impressions: INT>, sales STRUCT<quantity: INT, total_price: DOUBLE>'

echo "== 1. generate: 30 files of 10 click-stream records (synthetic clock, 5 s per file as in the seed)"
"$weir" gen --out "$data/json" --files 30 --records-per-file 10 --seed 2022 --start 2022-09-06T11:40:00 --interval 0 \
    --late-fraction 0.05 --quiet
ls "$data/json" | head -n 3; echo "... ($(ls "$data/json" | wc -l) files)"
echo; echo "first record of the first file:"
head -c 160 "$data/json/$(ls "$data/json" | head -n 1)"; echo " ..."

echo; echo "== 2. validate every file against the seed's schema"
"$weir" validate --schema "$schema" "$data/json" | tail -n 3

echo; echo "== 3. stage 1: flatten to CSV (datetime, clicks, impressions, quantity, total_price)"
"$weir" convert --from json --to csv --schema "$schema" --flatten -o "$data/csv/clicks.csv" "$data/json"
head -n 6 "$data/csv/clicks.csv"
echo "... ($(($(wc -l < "$data/csv/clicks.csv") - 1)) rows in $data/csv/clicks.csv)"

echo; echo "== 4. the same rows as Parquet, read back with weir cat"
"$weir" convert --from csv --to parquet --schema 'datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE' \
    -o "$data/parquet/clicks.parquet" "$data/csv/clicks.csv"
"$weir" cat "$data/parquet/clicks.parquet" | head -n 5
echo; echo "demo data is in $data"
