#!/usr/bin/env bash
# convert.sh - `weir convert` against DuckDB: generated JSON (arrays and JSON Lines, with NULL and missing
# structs) to flattened CSV, to JSON Lines and to Parquet, Parquet and CSV back in; each output read by
# DuckDB and compared with DuckDB's own reading of the input as multisets (EXCEPT ALL both ways, NULLs
# included). Also bad records in the three modes (counts from node's JSON.parse), flatten name clashes,
# atomic -o, and exit codes 0 / 1 / 2. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
weir="$PWD/$BUILD/weir"
oracle="$PWD/tests/oracle"
pass=0; fail=0
check() { # name expected actual
    if [ "$2" == "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; echo "--- expected"; echo "$2"; echo "--- got"; echo "$3"; fi
}
dir=$(mktemp -d /tmp/weir-convert.XXXXXX)
trap 'rm -rf "$dir"' EXIT
S='datetime TIMESTAMP, analytics STRUCT<clicks: INT, impressions: INT>, sales STRUCT<quantity INT, total_price DOUBLE>'
JCOLS="columns={datetime:'TIMESTAMP', analytics:'STRUCT(clicks INTEGER, impressions INTEGER)', sales:'STRUCT(quantity INTEGER, total_price DOUBLE)'}"
FLAT="epoch_us(datetime) AS t, analytics.clicks AS clicks, analytics.impressions AS impressions, sales.quantity AS quantity, sales.total_price AS total_price"
CCOLS="columns={datetime:'TIMESTAMPTZ', clicks:'INTEGER', impressions:'INTEGER', quantity:'INTEGER', total_price:'DOUBLE'}"
CFLAT="epoch_us(datetime) AS t, clicks, impressions, quantity, total_price"

# duck SQL...: runs each statement, prints the rows of the last one, values joined by spaces
duck() {
    (cd "$oracle" && node --input-type=module -e "
import { DuckDBInstance } from '@duckdb/node-api';
const c = await (await DuckDBInstance.create(':memory:')).connect();
const q = process.argv.slice(1);
let r;
for (const s of q) r = await c.runAndReadAll(s);
for (const row of r.getRows()) console.log(row.map(v => v === null ? 'NULL' : String(v)).join(' '));
" "$@") 2>&1
}
# same SQL_A SQL_B: "n_a n_b only_in_a only_in_b" comparing the two queries as multisets
same() {
    duck "SELECT (SELECT count(*) FROM ($1)), (SELECT count(*) FROM ($2)), (SELECT count(*) FROM (($1) EXCEPT ALL ($2))), (SELECT count(*) FROM (($2) EXCEPT ALL ($1)))"
}

"$weir" gen --out "$dir/arr" --files 12 --records-per-file 25 --seed 11 --start 2022-09-06T11:40:00 --interval 0 \
    --late-fraction 0.1 --quiet
# hand-made records with NULL and missing structs and fields, odd but valid values
cat > "$dir/arr/file_9999999999.json" <<'J'
[{"datetime": "2022-09-06T12:00:00", "sales": null, "analytics": {"clicks": 3}},
 {"datetime": null, "sales": {"quantity": 2, "total_price": -0.0}},
 {"analytics": {"impressions": 12, "clicks": null}, "sales": {"total_price": 1e-300, "quantity": 7}, "extra": [1, {"x": 2}]},
 {}]
J
IN_ARR="SELECT $FLAT FROM read_json('$dir/arr/*.json', format='array', $JCOLS)"

# --- JSON arrays -> flattened CSV
"$weir" convert --from json --to csv --schema "$S" --flatten -o "$dir/out.csv" "$dir/arr"; rc=$?
check csv-exit 0 $rc
check csv-header "datetime,clicks,impressions,quantity,total_price" "$(head -n 1 "$dir/out.csv")"
check csv-vs-duckdb "304 304 0 0" "$(same "$IN_ARR" "SELECT $CFLAT FROM read_csv('$dir/out.csv', header=true, $CCOLS)")"
check no-temp-left 0 "$(ls -A "$dir" | grep -c '^\.')"
# stdout by default, same bytes
"$weir" convert --from json --to csv --schema "$S" --flatten "$dir/arr" > "$dir/stdout.csv"
check stdout-same 0 "$(cmp -s "$dir/out.csv" "$dir/stdout.csv"; echo $?)"

# --- JSON -> JSON Lines (structs kept) and back through DuckDB
"$weir" convert --from json --to jsonl --schema "$S" -o "$dir/out.jsonl" "$dir/arr"; rc=$?
check jsonl-exit 0 $rc
check jsonl-vs-duckdb "304 304 0 0" "$(same "$IN_ARR" "SELECT $FLAT FROM read_json('$dir/out.jsonl', format='newline_delimited', $JCOLS)")"

# --- JSON -> Parquet; Parquet -> flattened CSV (schema from the file)
"$weir" convert --from json --to parquet --schema "$S" -o "$dir/out.parquet" "$dir/arr"; rc=$?
check parquet-exit 0 $rc
check parquet-vs-duckdb "304 304 0 0" "$(same "$IN_ARR" "SELECT $FLAT FROM read_parquet('$dir/out.parquet')")"
"$weir" convert --from parquet --to csv --flatten -o "$dir/back.csv" "$dir/out.parquet"; rc=$?
check parquet-in-exit 0 $rc
check parquet-in-vs-duckdb "304 304 0 0" "$(same "$IN_ARR" "SELECT $CFLAT FROM read_csv('$dir/back.csv', header=true, $CCOLS)")"
"$weir" convert --from parquet --to csv --schema 'x INT' "$dir/out.parquet" >/dev/null 2>&1; check parquet-schema-mismatch-exit 2 $?
# a Parquet file DuckDB writes, with zstd
duck "COPY (SELECT * FROM read_json('$dir/arr/*.json', format='array', $JCOLS)) TO '$dir/duck.parquet' (FORMAT parquet, COMPRESSION zstd)" >/dev/null
"$weir" convert --from parquet --to jsonl --option compression=zstd -o "$dir/duck.jsonl" "$dir/duck.parquet" 2>/dev/null; rc=$?
check parquet-unused-option-exit 2 $rc
"$weir" convert --from parquet --to jsonl -o "$dir/duck.jsonl" "$dir/duck.parquet"; rc=$?
check duck-parquet-exit 0 $rc
check duck-parquet-vs-duckdb "304 304 0 0" "$(same "$IN_ARR" "SELECT $FLAT FROM read_json('$dir/duck.jsonl', format='newline_delimited', $JCOLS)")"
"$weir" convert --from json --to parquet --schema "$S" --option compression=zstd -o "$dir/z.parquet" "$dir/arr"
check parquet-option-codec "ZSTD" "$(duck "SELECT DISTINCT compression FROM parquet_metadata('$dir/z.parquet')")"

# --- CSV (written by DuckDB) -> JSON Lines
duck "COPY (SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions, sales.quantity AS quantity, sales.total_price AS total_price FROM read_json('$dir/arr/*.json', format='array', $JCOLS)) TO '$dir/duck.csv' (HEADER true)" >/dev/null
"$weir" convert --from csv --to jsonl --schema 'datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE' -o "$dir/csv.jsonl" "$dir/duck.csv"; rc=$?
check csv-in-exit 0 $rc
check csv-in-vs-duckdb "304 304 0 0" "$(same "$IN_ARR" "SELECT epoch_us(datetime) AS t, clicks, impressions, quantity, total_price FROM read_json('$dir/csv.jsonl', format='newline_delimited', columns={datetime:'TIMESTAMPTZ', clicks:'INTEGER', impressions:'INTEGER', quantity:'INTEGER', total_price:'DOUBLE'})")"
# header=false on the reading side only: the header row becomes one bad row (PERMISSIVE -> NULLs)
"$weir" convert --from csv --to csv --read-option header=false --schema 'datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE' -o "$dir/nh.csv" "$dir/duck.csv" 2>"$dir/nh.err"; rc=$?
check read-option-exit 0 $rc
check read-option-rows 306 "$(wc -l < "$dir/nh.csv")"
check read-option-bad-counted 1 "$(grep -c '^weir convert: 1 bad record' "$dir/nh.err")"

# --- file sizes around the loader's edges: empty, 65535 and 65536 bytes (its first buffer), and a file
# over 8 MB (mapped instead of read); DuckDB counts the same records
mkdir -p "$dir/sizes"
: > "$dir/sizes/empty.json"
"$weir" gen --out "$dir/huge" --files 1 --records-per-file 70000 --seed 5 --start 2022-09-06T11:40:00 --interval 0 --format jsonl --quiet
line='{"datetime": "2022-09-06T12:00:00", "sales": {"quantity": 1, "total_price": 2.5}, "analytics": {"clicks": 3, "impressions": 11}}'
for n in 65535 65536; do
    # whole lines, then padding spaces (whitespace between JSON Lines records) up to exactly n bytes
    lines=$(( (n - 1) / (${#line} + 1) ))
    { for i in $(seq "$lines"); do printf '%s\n' "$line"; done; } > "$dir/sizes/s$n.json"
    pad=$(( n - $(stat -c %s "$dir/sizes/s$n.json") ))
    head -c "$pad" /dev/zero | tr '\0' ' ' >> "$dir/sizes/s$n.json"
done
check size-edges "65535 65536" "$(stat -c %s "$dir/sizes/s65535.json" "$dir/sizes/s65536.json" | tr '\n' ' ' | sed 's/ $//')"
check huge-over-8mb 1 "$(find "$dir/huge" -size +8M | wc -l)"
cp "$dir"/huge/*.jsonl "$dir/sizes/huge.json"
"$weir" convert --from json --to csv --schema "$S" --flatten -o "$dir/sizes.csv" "$dir/sizes"; rc=$?
check sizes-exit 0 $rc
check sizes-vs-duckdb "$(duck "SELECT count(*) FROM read_json(['$dir/sizes/s65535.json', '$dir/sizes/s65536.json', '$dir/sizes/huge.json'], format='newline_delimited', $JCOLS)") 0 0" \
    "$(same "SELECT $FLAT FROM read_json(['$dir/sizes/s65535.json', '$dir/sizes/s65536.json', '$dir/sizes/huge.json'], format='newline_delimited', $JCOLS)" \
            "SELECT $CFLAT FROM read_csv('$dir/sizes.csv', header=true, $CCOLS)" | awk '{print $1, $3, $4}')"

# --- bad records: JSON Lines, counts from node
"$weir" gen --out "$dir/bad" --files 10 --records-per-file 20 --seed 3 --start 2022-09-06T11:40:00 --interval 0 \
    --format jsonl --bad-fraction 0.2 --quiet
nbad=$(cd "$oracle" && node -e "
const fs = require('fs'); let bad = 0;
const isInt = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
for (const f of fs.readdirSync('$dir/bad')) for (const l of fs.readFileSync('$dir/bad/' + f, 'utf8').split('\n')) {
  if (!l) continue; let r;
  try { r = JSON.parse(l); } catch (e) { bad++; continue; }
  const ok = typeof r.datetime === 'string' && /^\d{4}-\d\d-\d\dT/.test(r.datetime) && r.sales && !Array.isArray(r.sales) &&
    isInt(r.sales.quantity, 1, 10) && r.analytics && !Array.isArray(r.analytics) && isInt(r.analytics.clicks, 1, 10);
  if (!ok) bad++;
}
console.log(bad);")
"$weir" convert --from json --to csv --schema "$S" --flatten -o "$dir/perm.csv" "$dir/bad" 2>"$dir/perm.err"; rc=$?
check permissive-exit 0 $rc
check permissive-rows 201 "$(wc -l < "$dir/perm.csv")"
check permissive-null-rows "$nbad" "$(grep -c '^,,,,$' "$dir/perm.csv")"
check permissive-reported "weir convert: $nbad bad records (PERMISSIVE: kept as NULL rows)" "$(tail -n 1 "$dir/perm.err")"
check permissive-places 1 "$(grep -c -E '^weir convert: bad record .*file_[0-9]+\.jsonl:[0-9]+ \(byte [0-9]+\): ' "$dir/perm.err" | awk '{print ($1 >= 1)}')"
"$weir" convert --from json --to csv --schema "$S" --flatten --option mode=DROPMALFORMED -o "$dir/drop.csv" "$dir/bad" 2>/dev/null; rc=$?
check drop-exit 0 $rc
check drop-rows "$((201 - nbad))" "$(wc -l < "$dir/drop.csv")"
"$weir" convert --from json --to csv --schema "$S" --flatten --option mode=FAILFAST -o "$dir/ff.csv" "$dir/bad" 2>"$dir/ff.err"; rc=$?
check failfast-exit 1 $rc
check failfast-no-output 0 "$(ls -A "$dir" | grep -c 'ff.csv')"
check failfast-place 1 "$(grep -c -E 'file_[0-9]+\.jsonl:[0-9]+:[0-9]+: \(byte [0-9]+\): malformed record' "$dir/ff.err")"

# --- flatten: clashes refused, deeper structs, NULL parents give NULL leaves
"$weir" convert --from json --to csv --flatten --schema 'a STRUCT<id: INT>, b STRUCT<ID: INT>' "$dir/arr" > /dev/null 2>"$dir/clash.err"; rc=$?
check clash-exit 2 $rc
check clash-message 1 "$(grep -c "two columns would be named 'ID'" "$dir/clash.err")"
"$weir" convert --from json --to csv --flatten --schema 'id INT, s STRUCT<id: INT>' "$dir/arr" > /dev/null 2>&1; check clash-top-exit 2 $?
printf '{"id": 1, "s": {"t": {"u": 5, "v": "x"}, "w": true}}\n{"id": 2, "s": null}\n{"id": 3, "s": {"t": null, "w": false}}\n' > "$dir/deep.jsonl"
check deep-flatten "id,u,v,w
1,5,x,true
2,,,
3,,,false" "$("$weir" convert --from json --to csv --flatten --schema 'id INT, s STRUCT<t: STRUCT<u: INT, v: STRING>, w: BOOLEAN>' "$dir/deep.jsonl")"
"$weir" convert --from json --to parquet --schema 'id INT, s STRUCT<t: STRUCT<u: INT, v: STRING>, w: BOOLEAN>' -o "$dir/deep.parquet" "$dir/deep.jsonl"
check deep-parquet-flatten "id,u,v,w
1,5,x,true
2,,,
3,,,false" "$("$weir" convert --from parquet --to csv --flatten "$dir/deep.parquet")"

# --- usage and failures
"$weir" convert --to csv --schema "$S" "$dir/arr" >/dev/null 2>&1; check no-from-exit 2 $?
"$weir" convert --from xml --to csv --schema "$S" "$dir/arr" >/dev/null 2>&1; check bad-from-exit 2 $?
"$weir" convert --from json --to csv "$dir/arr" >/dev/null 2>&1; check no-schema-exit 2 $?
"$weir" convert --from json --to csv --schema 'a STRUCT<' "$dir/arr" >/dev/null 2>&1; check bad-schema-exit 2 $?
"$weir" convert --from json --to csv --schema "$S" "$dir/arr" >/dev/null 2>&1; check csv-struct-exit 2 $?
"$weir" convert --from json --to parquet --schema "$S" "$dir/arr" >/dev/null 2>&1; check parquet-stdout-exit 2 $?
"$weir" convert --from json --to csv --schema "$S" --flatten --option nosuch=1 "$dir/arr" >/dev/null 2>&1; check unknown-option-exit 2 $?
"$weir" convert --from json --to csv --schema "$S" --flatten "$dir/missing" >/dev/null 2>&1; check missing-input-exit 1 $?
"$weir" convert --from json --to csv --schema "$S" --flatten -o "$dir/no/such/dir/x.csv" "$dir/arr" >/dev/null 2>&1; check bad-output-exit 1 $?
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
