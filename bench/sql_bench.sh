#!/usr/bin/env bash
# sql_bench.sh [ROWS] - weir's projection/filter operator (bench/sql_bench.c) against DuckDB single-threaded
# (bench/sql_bench.mjs) on the same in-memory rows, in the same run. Needs build/libweir.a (make) and
# tests/oracle/node_modules (make deps).
set -eu
cd "$(dirname "$0")/.."
rows=${1:-2000000}
mkdir -p build/bench
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -Isrc bench/sql_bench.c build/libweir.a \
    -lzstd -lsnappy -ldeflate -lz -lm -lpthread -o build/bench/sql_bench
build/bench/sql_bench "$rows"
node bench/sql_bench.mjs "$rows"
