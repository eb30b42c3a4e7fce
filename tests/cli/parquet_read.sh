#!/usr/bin/env bash
# parquet_read.sh - weir's Parquet reader (through `weir cat --format jsonl`) against DuckDB: every file of
# the parquet-testing conformance suite (data/: same values or a clear "unsupported: ..." error;
# bad_data/: an error, never a crash) and files DuckDB writes with each codec and Parquet V1/V2.
# The suite is looked up in $PARQUET_TESTING, ../shared/conformance/parquet-testing (beside the
# repository), /work/shared/conformance/parquet-testing or the copy in tests/conformance. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
weir="$PWD/$BUILD/weir"
suite=${PARQUET_TESTING:-}
for d in "$suite" ../shared/conformance/parquet-testing /work/shared/conformance/parquet-testing tests/conformance/parquet-testing; do
    if [ -n "$d" ] && [ -d "$d/data" ]; then suite=$(cd "$d" && pwd); break; fi
done
if [ ! -x "$weir" ] || [ ! -d "$suite/data" ] || [ ! -d tests/oracle/node_modules/@duckdb ]; then
    echo "missing $weir, the parquet-testing suite or tests/oracle/node_modules"
    echo "0 passed, 1 failed"
    exit 1
fi
cd tests/oracle && node parquet_read_check.mjs "$weir" "$suite"
