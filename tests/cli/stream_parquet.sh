#!/usr/bin/env bash
# stream_parquet.sh - Parquet in streams (issue 5, part 3), end to end through `weir run`:
#   - stage 1 writes Parquet (USING parquet sink, zstd, maxRecordsPerFile) and a second query reads that
#     folder as a stream (USING parquet source, through the sink's manifest) and writes CSV: the CSV rows
#     equal, as a multiset, DuckDB's flattening of every generated record;
#   - DuckDB reads the committed Parquet files and counts the same rows;
#   - a plain folder of Parquet files with a damaged file and a file of another schema: the good rows all
#     arrive, the two bad files are dead-lettered (badRecordsPath) and named on stderr.
# Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
if [ ! -x "$W" ] || [ ! -d tests/oracle/node_modules/@duckdb ]; then
    echo "missing $W or tests/oracle/node_modules"
    echo "0 passed, 1 failed"
    exit 1
fi
d=$(mktemp -d /tmp/weir-stream-pq.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$d"' EXIT

"$W" gen --out "$d/in" --files 20 --records-per-file 10 --seed 11 --interval 0 >/dev/null 2>&1
cat > "$d/stage1.sql" <<SQL
CREATE TABLE clicks_json (
  analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
  sales STRUCT<quantity: INT, total_price: DOUBLE>
) USING json OPTIONS (path '$d/in', maxFilesPerTrigger 3);
CREATE TABLE clicks_pq USING parquet
  OPTIONS (path '$d/pq', compression 'zstd', maxRecordsPerFile 25, checkpointLocation '$d/ck1');
INSERT INTO clicks_pq
SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
       sales.quantity AS quantity, sales.total_price AS total_price
FROM STREAM(clicks_json);
SQL
"$W" run "$d/stage1.sql" --trigger availableNow --progress off 2>"$d/s1.err"
check "stage 1 (json -> parquet) exits 0" test $? -eq 0
check "parquet files committed" test "$(find "$d/pq" -name 'part-*.parquet' | wc -l)" -ge 7

stage2() { # IN OUT CKPT [EXTRA]
    cat <<SQL
CREATE TABLE clicks_pq (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE)
  USING parquet OPTIONS (path '$1', maxFilesPerTrigger 4$4);
CREATE TABLE clicks_csv USING csv OPTIONS (path '$2', header true, checkpointLocation '$3');
INSERT INTO clicks_csv SELECT * FROM STREAM(clicks_pq);
SQL
}
stage2 "$d/pq" "$d/out" "$d/ck2" "" > "$d/stage2.sql"
"$W" run "$d/stage2.sql" --trigger availableNow --progress off 2>"$d/s2.err"
check "stage 2 (parquet source -> csv) exits 0" test $? -eq 0
r=$(oracle "$d/in" "$d/out")
check "csv rows equal DuckDB's flattening of the JSON ($r)" test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" got)" = "0,0,200"

# DuckDB reads the committed Parquet files themselves
n=$(cd tests/oracle && node -e '
const {DuckDBInstance} = require("@duckdb/node-api");
(async () => {
  const c = await (await DuckDBInstance.create(":memory:")).connect();
  const r = await c.runAndReadAll(`SELECT count(*)::INT AS n, sum(clicks)::BIGINT AS c FROM read_parquet(${JSON.stringify(process.argv[1] + "/*.parquet")})`);
  const row = r.getRowObjects()[0];
  console.log(`${row.n},${row.c}`);
})();' "$d/pq" 2>&1)
want=$(cd tests/oracle && node -e '
const fs = require("fs"); let n = 0, c = 0;
for (const f of fs.readdirSync(process.argv[1])) { if (f[0] === ".") continue;
  for (const rec of JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"))) { n++; c += rec.analytics.clicks; } }
console.log(`${n},${c}`);' "$d/in")
check "DuckDB reads the Parquet sink: rows,clicks $n = $want" test "$n" = "$want"

# a plain folder: the committed files, one damaged file, one file of another schema
mkdir -p "$d/plain"
cp "$d"/pq/part-*.parquet "$d/plain/"
head -c 300 "$(ls "$d"/pq/part-*.parquet | head -n 1)" > "$d/plain/zz_damaged.parquet"
"$W" convert --from csv --to parquet --schema 'a STRING, clicks STRING' -o "$d/plain/zz_other.parquet" /dev/stdin <<CSV >/dev/null 2>&1
a,clicks
x,y
CSV
check "a file of another schema was made" test -s "$d/plain/zz_other.parquet"
stage2 "$d/plain" "$d/out2" "$d/ck3" ", badRecordsPath '$d/bad'" > "$d/plain.sql"
"$W" run "$d/plain.sql" --trigger availableNow --progress off 2>"$d/s3.err"
check "plain parquet folder run exits 0" test $? -eq 0
r=$(oracle "$d/in" "$d/out2")
check "all good rows arrive ($r)" test "$(json_field "$r" missing),$(json_field "$r" extra),$(json_field "$r" got)" = "0,0,200"
check "damaged file named on stderr" grep -q "zz_damaged.parquet" "$d/s3.err"
check "other schema named on stderr" grep -q "zz_other.parquet.*clicks is string in the file and int in the table" "$d/s3.err"
check "both dead-lettered" test "$(cat "$d"/bad/* 2>/dev/null | grep -c 'zz_')" -eq 2
summary
