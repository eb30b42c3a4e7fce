#!/usr/bin/env bash
# stream_console.sh - a bare `SELECT ... FROM STREAM(t)` prints each batch as Spark's console sink does
# (Dataset.show: "Batch: N" banner, +---+ table, values right-aligned, cells over 20 characters cut to 17
# plus "...", at most 20 rows then "only showing top 20 rows"). Expected cells come from node's JSON.parse
# of the generated files, formatted here as Spark shows them. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib/stream_lib.sh
if [ ! -x "$W" ]; then echo "missing $W"; echo "0 passed, 1 failed"; exit 1; fi
d=$(mktemp -d /tmp/weir-console.XXXXXX)
trap 'rm -rf "$d"' EXIT

"$W" gen --out "$d/in" --files 2 --records-per-file 10 --seed 3 --start 2022-09-06T11:40:00 --interval 0 >/dev/null 2>&1
cat > "$d/c.sql" <<SQL
CREATE TABLE t (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
                sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path '$d/in');
SELECT datetime, sales.quantity AS q, analytics, 'a much longer text than twenty' AS note FROM STREAM(t);
SQL
"$W" run "$d/c.sql" --trigger once --progress off > "$d/out.txt" 2>"$d/err.txt"
check "console query exits 0" test $? -eq 0
check "banner" grep -qx "Batch: 0" "$d/out.txt"
check "header row" grep -qx '|            datetime|  q|analytics|                note|' "$d/out.txt"
check "three border lines (top, under the header, bottom)" test "$(grep -c '^+--------------------+---+---------+--------------------+$' "$d/out.txt")" -eq 3
node -e '
const fs = require("fs"); const dir = process.argv[1]; const rows = [];
for (const f of fs.readdirSync(dir).sort()) if (f[0] !== ".")
  for (const r of JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"))) {
    let ts = r.datetime.replace("T", " ");
    ts = ts.length > 20 ? ts.slice(0, 17) + "..." : ts;
    const an = `{${r.analytics.clicks}, ${r.analytics.impressions}}`;
    rows.push(`|${ts.padStart(20)}|${String(r.sales.quantity).padStart(3)}|${an.padStart(9)}|a much longer tex...|`);
  }
console.log(rows.sort().join("\n"));' "$d/in" > "$d/want.txt"
grep '^|' "$d/out.txt" | tail -n +2 | sort > "$d/got.txt"
check "20 rows equal node's formatting of the generated records" cmp -s "$d/want.txt" "$d/got.txt"
check "no 'only showing' line for 20 rows" test "$(grep -c 'only showing' "$d/out.txt")" -eq 0

# 30 rows: 20 shown
"$W" gen --out "$d/in2" --files 3 --records-per-file 10 --seed 4 --interval 0 >/dev/null 2>&1
sed "s#$d/in'#$d/in2'#" "$d/c.sql" > "$d/c2.sql"
"$W" run "$d/c2.sql" --trigger once --progress off > "$d/out2.txt" 2>/dev/null
check "30 rows: 20 shown" test "$(grep -c '^|.*a much longer tex' "$d/out2.txt")" -eq 20
check "30 rows: only showing top 20 rows" grep -qx "only showing top 20 rows" "$d/out2.txt"
summary
