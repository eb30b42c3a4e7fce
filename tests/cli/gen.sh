#!/usr/bin/env bash
# gen.sh - `weir gen`: the seed's record shape and value ranges read back by DuckDB (read_json) and by
# node's own JSON.parse, the synthetic event clock, determinism (same seed twice -> identical bytes),
# file names in creation order, atomic writes (no temporary files left), late and bad records counted
# independently, and usage errors. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
weir="$PWD/$BUILD/weir"
oracle="$PWD/tests/oracle"
pass=0; fail=0
check() { # name expected actual
    if [ "$2" == "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; echo "--- expected"; echo "$2"; echo "--- got"; echo "$3"; fi
}
dir=$(mktemp -d /tmp/weir-gen.XXXXXX)
trap 'rm -rf "$dir"' EXIT
START=2022-09-06T11:40:00
START_US=1662464400000000

# --- determinism and layout
"$weir" gen --out "$dir/a" --files 5 --records-per-file 7 --seed 42 --start $START --interval 0 --quiet
"$weir" gen --out "$dir/b" --files 5 --records-per-file 7 --seed 42 --start $START --interval 0 --quiet
"$weir" gen --out "$dir/c" --files 5 --records-per-file 7 --seed 43 --start $START --interval 0 --quiet
check same-seed-identical 0 "$(diff -r "$dir/a" "$dir/b" >/dev/null; echo $?)"
check other-seed-differs 1 "$(diff -r "$dir/a" "$dir/c" >/dev/null; echo $?)"
check file-names "file_0000000001.json file_0000000002.json file_0000000003.json file_0000000004.json file_0000000005.json" "$(ls -A "$dir/a" | tr '\n' ' ' | sed 's/ $//')"
# a second run into the same folder continues the numbering (names keep sorting in creation order)
"$weir" gen --out "$dir/a" --files 2 --records-per-file 7 --seed 42 --start $START --interval 0 --quiet
check names-continue "file_0000000006.json file_0000000007.json" "$(ls -A "$dir/a" | tail -n 2 | tr '\n' ' ' | sed 's/ $//')"
check no-temp-files 0 "$(ls -A "$dir/a" | grep -c '^\.')"
"$weir" gen --out "$dir/z" --files 0 --seed 1 --interval 0 --quiet
check zero-files 0 "$(ls -A "$dir/z" | wc -l)"

# --- shape, ranges and the synthetic clock, checked by node's JSON.parse on the raw text
"$weir" gen --out "$dir/shape" --files 20 --records-per-file 10 --seed 7 --start $START --interval 0 --quiet
out=$(cd "$oracle" && node --input-type=module -e "
import fs from 'fs';
const dir = '$dir/shape', start = ${START_US}n, step = 500000n; // 5s / 10 records
const files = fs.readdirSync(dir).sort();
let k = 0n, bad = [];
const py = (x) => Number.isInteger(x) ? x.toFixed(1) : String(x); // Python's repr of these floats
const us = (s) => { const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})$/.exec(s); if (!m) return null;
  return BigInt(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) * 1000n + BigInt(m[7]); };
for (const f of files) {
  const text = fs.readFileSync(dir + '/' + f, 'utf8');
  const arr = JSON.parse(text);
  if (!Array.isArray(arr) || arr.length !== 10) bad.push(f + ': not an array of 10');
  if (text !== '[' + arr.map(r => JSON.stringify(r).replace(/\":/g, '\": ').replace(/,\"/g, ', \"')
        .replace(/\"total_price\": ([^,}]+)/, (m0, v) => '\"total_price\": ' + py(Number(v)))).join(', ') + ']')
    bad.push(f + ': not the seed layout (Python json.dump spacing, key order)');
  for (const r of arr) {
    if (Object.keys(r).join() !== 'datetime,sales,analytics') bad.push('keys ' + Object.keys(r));
    const t = us(r.datetime);
    if (t === null || t < start + k * step || t >= start + (k + 1n) * step) bad.push('time of record ' + k + ': ' + r.datetime);
    const q = r.sales.quantity, p = r.sales.total_price, c = r.analytics.clicks, i = r.analytics.impressions;
    if (!Number.isInteger(q) || q < 1 || q > 10) bad.push('quantity ' + q);
    if (!Number.isInteger(c) || c < 1 || c > 10) bad.push('clicks ' + c);
    if (!Number.isInteger(i) || i < 10 || i > 20) bad.push('impressions ' + i);
    let ok = false; for (let j = 0; j <= 100; j++) if (j / 100 * 10 === p) ok = true;
    if (!ok) bad.push('total_price ' + p);
    k++;
  }
}
console.log(bad.length ? bad.slice(0, 5).join('\n') : 'ok ' + k);
")
check shape-and-clock "ok 200" "$out"

# --- DuckDB reads the same files: count and ranges (array files), count (JSON Lines)
"$weir" gen --out "$dir/jl" --files 3 --records-per-file 4 --seed 1 --start $START --interval 0 --format jsonl --quiet
out=$(cd "$oracle" && node --input-type=module -e "
import { DuckDBInstance } from '@duckdb/node-api';
const c = await (await DuckDBInstance.create(':memory:')).connect();
const cols = \"columns={datetime:'TIMESTAMP', sales:'STRUCT(quantity INTEGER, total_price DOUBLE)', analytics:'STRUCT(clicks INTEGER, impressions INTEGER)'}\";
const r = await c.runAndReadAll(\"SELECT count(*), min(sales.quantity) >= 1, max(sales.quantity) <= 10, min(analytics.impressions) >= 10, max(analytics.impressions) <= 20, \" +
  \"min(epoch_us(datetime)) >= ${START_US} FROM read_json('$dir/shape/*.json', format='array', \" + cols + \")\");
console.log(r.getRows()[0].map(String).join(' '));
const j = await c.runAndReadAll(\"SELECT count(*) FROM read_json('$dir/jl/*.jsonl', format='newline_delimited', \" + cols + \")\");
console.log(j.getRows()[0].map(String).join(' '));
" 2>&1)
check duckdb-array "200 true true true true true" "$(printf '%s\n' "$out" | sed -n 1p)"
check duckdb-jsonl 12 "$(printf '%s\n' "$out" | sed -n 2p)"
check jsonl-lines 12 "$(cat "$dir"/jl/*.jsonl | wc -l)"

# --- --step and --rate set the clock; durations in Spark's words
"$weir" gen --out "$dir/st" --files 1 --records-per-file 3 --seed 1 --start $START --step "1 second" --interval 0 --quiet
check step-1-second "2022-09-06T11:40:00 2022-09-06T11:40:01 2022-09-06T11:40:02" \
    "$(grep -o '"datetime": "[^"]*' "$dir/st/file_0000000001.json" | cut -c14-32 | tr '\n' ' ' | sed 's/ $//')"
"$weir" gen --out "$dir/rt" --files 1 --records-per-file 3 --seed 1 --start 2022-09-06T11:40:00Z --rate 1 --quiet
check rate-1-per-second "2022-09-06T11:40:00 2022-09-06T11:40:01 2022-09-06T11:40:02" \
    "$(grep -o '"datetime": "[^"]*' "$dir/rt/file_0000000001.json" | cut -c14-32 | tr '\n' ' ' | sed 's/ $//')"

# --- late records: really out of order, never later back than --max-lateness
"$weir" gen --out "$dir/late" --files 50 --records-per-file 10 --seed 5 --start $START --interval 0 --format jsonl \
    --late-fraction 0.2 --max-lateness 10s > "$dir/late.txt"
reported=$(grep -o '([0-9]* late' "$dir/late.txt" | tr -dc 0-9)
out=$(cd "$oracle" && node --input-type=module -e "
import fs from 'fs';
const dir = '$dir/late', start = ${START_US}n, step = 500000n;
let k = 0n, maxSeen = 0n, outOfOrder = 0, beforeSlot = 0, tooLate = 0;
for (const f of fs.readdirSync(dir).sort()) for (const line of fs.readFileSync(dir + '/' + f, 'utf8').split('\n')) {
  if (!line) continue;
  const s = JSON.parse(line).datetime;
  const t = BigInt(Date.parse(s.slice(0, 19) + 'Z')) * 1000n + BigInt(s.slice(20));
  if (t < maxSeen) outOfOrder++;
  if (t > maxSeen) maxSeen = t;
  if (t < start + k * step) beforeSlot++;
  if (t < start + k * step - 10000000n) tooLate++;
  k++;
}
console.log(outOfOrder > 20, beforeSlot, tooLate);
")
set -- $out
check late-out-of-order true "$1"
check late-within-max 0 "$3"
check late-count-plausible 1 "$([ "$2" -le "$reported" ] && [ "$reported" -ge 60 ] && [ "$reported" -le 140 ] && echo 1 || echo "0 ($2 before slot, $reported reported)")"

# --- bad records: counted by node independently, of every kind
"$weir" gen --out "$dir/bad" --files 40 --records-per-file 25 --seed 9 --start $START --interval 0 --format jsonl \
    --bad-fraction 0.2 > "$dir/bad.txt"
summary=$(tail -n 1 "$dir/bad.txt")
reported=$(printf '%s' "$summary" | grep -o '[0-9]* bad' | tr -dc 0-9)
out=$(cd "$oracle" && node --input-type=module -e "
import fs from 'fs';
const dir = '$dir/bad';
let bad = 0, syntax = 0, types = 0, lines = 0;
const isInt = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
for (const f of fs.readdirSync(dir).sort()) for (const line of fs.readFileSync(dir + '/' + f, 'utf8').split('\n')) {
  if (!line) continue;
  lines++;
  let r;
  try { r = JSON.parse(line); } catch (e) { bad++; syntax++; continue; }
  const ok = r && typeof r.datetime === 'string' && /^\d{4}-\d\d-\d\dT/.test(r.datetime) && r.sales && !Array.isArray(r.sales) &&
    isInt(r.sales.quantity, 1, 10) && typeof r.sales.total_price === 'number' && r.analytics && !Array.isArray(r.analytics) &&
    isInt(r.analytics.clicks, 1, 10) && isInt(r.analytics.impressions, 10, 20);
  if (!ok) { bad++; types++; }
}
console.log(lines, bad, syntax, types);
")
set -- $out
check bad-lines 1000 "$1"
check bad-count-matches-report "$reported" "$2"
check bad-fraction-plausible 1 "$([ "$2" -ge 140 ] && [ "$2" -le 260 ] && echo 1 || echo "0 ($2)")"
tr=$(printf '%s' "$summary" | grep -o '[0-9]* truncated' | tr -dc 0-9)
wt=$(printf '%s' "$summary" | grep -o '[0-9]* wrong types' | tr -dc 0-9)
nj=$(printf '%s' "$summary" | grep -o '[0-9]* not JSON' | tr -dc 0-9)
check bad-kinds-syntax "$((tr + nj))" "$3"
check bad-kinds-types "$wt" "$4"
check bad-every-kind 1 "$([ "$tr" -gt 0 ] && [ "$wt" -gt 0 ] && [ "$nj" -gt 0 ] && echo 1 || echo 0)"

# --- usage errors exit 2
"$weir" gen --out "$dir/u" --interval 0 >/dev/null 2>&1; check no-count-exit 2 $?
"$weir" gen --out "$dir/u" --files 1 --forever >/dev/null 2>&1; check both-counts-exit 2 $?
"$weir" gen --out "$dir/u" --files 1 --interval 5parsecs >/dev/null 2>&1; check bad-duration-exit 2 $?
"$weir" gen --out "$dir/u" --files 1 --bad-fraction 1.5 >/dev/null 2>&1; check bad-fraction-exit 2 $?
"$weir" gen --out "$dir/u" --files 1 --start yesterday >/dev/null 2>&1; check bad-start-exit 2 $?
"$weir" gen --out "$dir/u" --files 1 --colour red >/dev/null 2>&1; check unknown-option-exit 2 $?
touch "$dir/notadir"
"$weir" gen --out "$dir/notadir" --files 1 --interval 0 >/dev/null 2>&1; check out-not-a-folder-exit 1 $?

# --- --forever stops cleanly on SIGTERM after whole files only
"$weir" gen --out "$dir/fv" --forever --interval 50ms --seed 1 --quiet &
pid=$!
sleep 1
kill -TERM $pid; wait $pid; rc=$?
check forever-exit 0 "$rc"
n=$(ls -A "$dir/fv" | wc -l)
check forever-wrote 1 "$([ "$n" -ge 2 ] && echo 1 || echo 0)"
check forever-no-temp 0 "$(ls -A "$dir/fv" | grep -c '^\.')"
check forever-files-complete "$n" "$(cd "$oracle" && node -e "
const fs = require('fs'); let ok = 0;
for (const f of fs.readdirSync('$dir/fv')) { try { if (JSON.parse(fs.readFileSync('$dir/fv/' + f, 'utf8')).length === 10) ok++; } catch (e) {} }
console.log(ok);")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
