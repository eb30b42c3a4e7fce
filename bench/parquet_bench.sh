#!/usr/bin/env bash
# parquet_bench.sh [ROWS] - weir's Parquet writer and reader against DuckDB (single thread) in the same run,
# on the seed's flattened schema, for each codec: write time, file size, read-back time.
# Needs build/libweir.a (make) and tests/oracle/node_modules (make deps). Data goes to bench/data/parquet.
set -eu
cd "$(dirname "$0")/.."
rows=${1:-10000000}
codecs="snappy zstd gzip uncompressed"
out=bench/data/parquet
mkdir -p "$out" build/bench
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -Isrc bench/parquet_bench.c build/libweir.a \
    -lzstd -lsnappy -ldeflate -lz -lm -lpthread -o build/bench/parquet_bench
echo "weir ($rows rows):"
build/bench/parquet_bench "$out" "$rows" $codecs
echo "duckdb (threads=1):"
node bench/parquet_bench.mjs "$PWD/$out" $codecs
