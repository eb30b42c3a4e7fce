#!/usr/bin/env bash
# agg_oracle.sh - the streaming aggregation against DuckDB (tests/oracle/agg_oracle.mjs).
#
# $BUILD/tests/agg_driver reads random click CSV files (late, out-of-order rows, NULLs) one file per
# micro-batch through weir's CSV decoder and runs the aggregation operator; the node script computes the
# expected windows, update/complete results and late rows with DuckDB (GROUP BY time_bucket) and compares,
# then checks that a run stopped and restored from its state writes the same bytes as one that was not.
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin="$BUILD/tests/agg_driver"
if [ ! -x "$bin" ] || [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "missing $bin or tests/oracle/node_modules (run make test)"
    echo "0 passed, 1 failed"
    exit 1
fi
dir=$(mktemp -d /tmp/weir-agg-oracle.XXXXXX)
trap 'rm -rf "$dir"' EXIT
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
(cd tests/oracle && node agg_oracle.mjs "$bin" "$dir")
