#!/usr/bin/env bash
# parquet_cat.sh - `weir cat` on a small file DuckDB writes here: every output format, --schema, --meta,
# a folder, and the errors (missing file, not Parquet, bad option). Expected texts are written by hand
# from the values in the SQL below. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
weir="$PWD/$BUILD/weir"
pass=0; fail=0
check() { # name expected actual
    if [ "$2" == "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; echo "--- expected"; echo "$2"; echo "--- got"; echo "$3"; fi
}
dir=$(mktemp -d /tmp/weir-pq-cat.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/folder"
(cd tests/oracle && node --input-type=module -e "
import { DuckDBInstance } from '@duckdb/node-api';
const c = await (await DuckDBInstance.create(':memory:')).connect();
await c.run(\"COPY (SELECT * FROM (VALUES (1, 'a,b', 2.5::DOUBLE, DATE '1969-12-31', TIMESTAMPTZ '1969-12-31 23:59:59.5+00', {'x': 7, 'y': 'q\\\"'}), (NULL, '', '-inf'::DOUBLE, NULL, NULL, NULL)) t(i, s, d, dt, ts, st)) TO '$dir/t.parquet' (FORMAT parquet)\");
await c.run(\"COPY (SELECT 2::INTEGER AS i) TO '$dir/folder/b.parquet' (FORMAT parquet)\");
await c.run(\"COPY (SELECT 1::INTEGER AS i) TO '$dir/folder/a.parquet' (FORMAT parquet)\");
") || { echo "DuckDB could not write the test files"; echo "0 passed, 1 failed"; exit 1; }

check jsonl '{"i":1,"s":"a,b","d":2.5,"dt":"1969-12-31","ts":"1969-12-31T23:59:59.500000Z","st":{"x":7,"y":"q\""}}
{"i":null,"s":"","d":"-Infinity","dt":null,"ts":null,"st":null}' "$("$weir" cat --format jsonl "$dir/t.parquet")"
check csv 'i,s,d,dt,ts,st
1,"a,b",2.5,1969-12-31,1969-12-31T23:59:59.500000Z,"{""x"":7,""y"":""q\""""}"
,,-Infinity,,,' "$("$weir" cat --format csv "$dir/t.parquet")"
check table 'i    | s   | d         | dt         | ts                          | st
-----+-----+-----------+------------+-----------------------------+------------------
1    | a,b | 2.5       | 1969-12-31 | 1969-12-31T23:59:59.500000Z | {"x":7,"y":"q\""}
NULL |     | -Infinity | NULL       | NULL                        | NULL' "$("$weir" cat "$dir/t.parquet")"
check schema 'i INT, s STRING, d DOUBLE, dt DATE, ts TIMESTAMP, st STRUCT<x: INT, y: STRING>' "$("$weir" cat --schema "$dir/t.parquet")"
meta=$("$weir" cat --meta "$dir/t.parquet")
check meta-rows 'rows 2' "$(printf '%s\n' "$meta" | grep '^rows')"
check meta-stats '    statistics null_count 1 min 1 max 1' "$(printf '%s\n' "$meta" | grep -A1 'column i INT32' | grep statistics)"
check folder '{"i":1}
{"i":2}' "$("$weir" cat --format jsonl "$dir/folder")"
out=$("$weir" cat "$dir/missing.parquet" 2>&1); rc=$?
check missing-exit 1 "$rc"
echo "not parquet" > "$dir/bad.parquet"
out=$("$weir" cat "$dir/bad.parquet" 2>&1); rc=$?
check bad-exit 1 "$rc"
check bad-message 1 "$(printf '%s' "$out" | grep -c 'not a parquet file')"
"$weir" cat --format xml "$dir/t.parquet" >/dev/null 2>&1; rc=$?
check bad-format-exit 2 "$rc"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
