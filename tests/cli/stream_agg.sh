#!/usr/bin/env bash
# stream_agg.sh - aggregation queries through `weir run` against DuckDB (tests/oracle/stream_agg_check.mjs):
# the seed's Task_2 in append mode with late rows written aside, sliding windows with a computed key in
# update mode, and complete mode with HAVING, over stage 1's CSV of `weir gen` data with late records.
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
if [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "missing tests/oracle/node_modules (run make test)"
    echo "0 passed, 1 failed"
    exit 1
fi
dir=$(mktemp -d /tmp/weir-stream-agg.XXXXXX)
trap 'rm -rf "$dir"' EXIT
weir=$(cd "$BUILD" && pwd)/weir
(cd tests/oracle && node stream_agg_check.mjs "$weir" "$dir") || true
