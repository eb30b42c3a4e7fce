#!/usr/bin/env bash
# parquet_oracle.sh - Parquet files written by weir, read back by three independent readers.
#
# $BUILD/tests/test_parquet_write writes random cases (schema, rows, expected statistics as JSON beside
# each .parquet file); tests/oracle/parquet_check.mjs reads every file with DuckDB, parquet-wasm (Apache
# Arrow's Rust reader) and hyparquet and compares values and DuckDB's parquet_metadata() statistics.
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin="$BUILD/tests/test_parquet_write"
if [ ! -x "$bin" ] || [ ! -d tests/oracle/node_modules/hyparquet-compressors ]; then
    echo "missing $bin or tests/oracle/node_modules (run make test)"
    echo "0 passed, 1 failed"
    exit 1
fi
dir=$(mktemp -d /tmp/weir-pq-oracle.XXXXXX)
trap 'rm -rf "$dir"' EXIT
if ! PQ_ORACLE_DIR="$dir" PQ_CASES=${PQ_CASES:-96} "$bin" >"$dir/writer.log" 2>&1; then
    tail -20 "$dir/writer.log"
    echo "0 passed, 1 failed"
    exit 1
fi
(cd tests/oracle && node parquet_check.mjs "$dir")
