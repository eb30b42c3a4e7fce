#!/usr/bin/env bash
# validate.sh - `weir validate`: every y_ file of JSONTestSuite is ok and every n_ file is rejected (one
# line each, exit 0 / 1), no i_ file crashes; CSV well-formedness (csv-spectrum ok, hand-made broken files
# with the place written by hand); schema checks on generated files whose first bad line node finds on its
# own; exit codes 0 / 1 / 2 exactly. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
weir="$PWD/$BUILD/weir"
oracle="$PWD/tests/oracle"
suite="$PWD/tests/conformance/json-test-suite"
[ -d ../shared/conformance/json-test-suite ] && suite="$(cd ../shared/conformance/json-test-suite && pwd)"
spectrum="$PWD/tests/conformance/csv-spectrum/csvs"
pass=0; fail=0
check() { # name expected actual
    if [ "$2" == "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; echo "--- expected"; echo "$2"; echo "--- got"; echo "$3"; fi
}
dir=$(mktemp -d /tmp/weir-validate.XXXXXX)
trap 'rm -rf "$dir"' EXIT
S='datetime TIMESTAMP, sales STRUCT<quantity: INT, total_price: DOUBLE>, analytics STRUCT<clicks: INT, impressions: INT>'

# --- JSONTestSuite: y_ accepted, n_ rejected, i_ never a crash
ny=$(ls "$suite"/y_*.json | wc -l)
out=$("$weir" validate "$suite"/y_*.json); rc=$?
check y-exit 0 $rc
check y-all-ok "$ny" "$(printf '%s\n' "$out" | grep -c ': ok$')"
nn=$(ls "$suite"/n_*.json | wc -l)
out=$("$weir" validate "$suite"/n_*.json); rc=$?
check n-exit 1 $rc
check n-one-line-each "$nn" "$(printf '%s\n' "$out" | wc -l)"
check n-none-ok 0 "$(printf '%s\n' "$out" | grep -c ': ok$')"
check n-have-offsets "$nn" "$(printf '%s\n' "$out" | grep -c '(byte [0-9]*)')"
# each n_ file alone too: exit 1 every time
bad_exit=0
for f in "$suite"/n_*.json; do "$weir" validate "$f" >/dev/null 2>&1; [ $? -eq 1 ] || bad_exit=$((bad_exit + 1)); done
check n-each-exit-1 0 "$bad_exit"
crash=0
for f in "$suite"/i_*.json; do "$weir" validate "$f" >/dev/null 2>&1; rc=$?; [ $rc -le 1 ] || crash=$((crash + 1)); done
check i-no-crash 0 "$crash"

# --- JSON places, by hand: line 2, column 5, byte 10 ("{\"a\":1}\n" is 8 bytes, then "[1, " is 4 more... )
printf '{"a":1}\n{"b":tru}\n' > "$dir/bad1.json"
check json-place "$dir/bad1.json:2:" "$("$weir" validate "$dir/bad1.json" | grep -o "^$dir/bad1.json:[0-9]*:")"
printf '42' > "$dir/scalar.json"
check json-scalar-ok "$dir/scalar.json: ok" "$("$weir" validate "$dir/scalar.json")"
printf '' > "$dir/empty.json"
"$weir" validate "$dir/empty.json" >/dev/null; check json-empty-exit 1 $?
printf '"\xff"' > "$dir/utf8.json"
"$weir" validate "$dir/utf8.json" >/dev/null; check json-invalid-utf8-exit 1 $?

# --- CSV: csv-spectrum ok; broken quotes at the place written by hand
out=$("$weir" validate --format csv "$spectrum"/*.csv); rc=$?
check spectrum-exit 0 $rc
check spectrum-all-ok "$(ls "$spectrum"/*.csv | wc -l)" "$(printf '%s\n' "$out" | grep -c ': ok$')"
printf 'a,b\n1,"x"y\n' > "$dir/q.csv"   # something after a closing quote: row 2
out=$("$weir" validate "$dir/q.csv"); rc=$?
check csv-bad-exit 1 $rc
check csv-bad-line "$dir/q.csv:2:" "$(printf '%s' "$out" | grep -o "^$dir/q.csv:[0-9]*:")"
printf 'a,b\n1,"open\n' > "$dir/open.csv"
"$weir" validate "$dir/open.csv" >/dev/null; check csv-unterminated-exit 1 $?
printf 'x;"y;z"\n' > "$dir/semi.txt"
check csv-sep-option "$dir/semi.txt: ok" "$("$weir" validate --format csv --option sep=';' "$dir/semi.txt")"

# --- with a schema: generated files; node finds the first bad line and its byte offset on its own
"$weir" gen --out "$dir/good" --files 3 --records-per-file 5 --seed 1 --start 2022-09-06T11:40:00 --interval 0 --quiet
out=$("$weir" validate --schema "$S" "$dir/good"); rc=$?
check schema-good-exit 0 $rc
check schema-good-lines 3 "$(printf '%s\n' "$out" | grep -c ': ok$')"
"$weir" gen --out "$dir/bad" --files 30 --records-per-file 10 --seed 4 --start 2022-09-06T11:40:00 --interval 0 \
    --format jsonl --bad-fraction 0.15 --quiet
out=$("$weir" validate --schema "$S" "$dir/bad"); rc=$?
check schema-bad-exit 1 $rc
check schema-bad-one-line-per-file 30 "$(printf '%s\n' "$out" | wc -l)"
expect=$(cd "$oracle" && node --input-type=module -e "
import fs from 'fs';
const dir = '$dir/bad';
const isInt = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
for (const f of fs.readdirSync(dir).sort()) {
  const text = fs.readFileSync(dir + '/' + f, 'utf8');
  let off = 0, line = 0, res = 'ok';
  for (const l of text.split('\n')) {
    line++;
    if (l) {
      let r = null, syntax = false;
      try { r = JSON.parse(l); } catch (e) { syntax = true; }
      const ok = !syntax && typeof r.datetime === 'string' && /^\d{4}-\d\d-\d\dT/.test(r.datetime) && r.sales && !Array.isArray(r.sales) &&
        isInt(r.sales.quantity, 1, 10) && r.analytics && !Array.isArray(r.analytics) && isInt(r.analytics.clicks, 1, 10);
      if (!ok) { res = (syntax ? 'syntax' : 'schema') + ' ' + line + ' ' + off + ' ' + (off + Buffer.byteLength(l)); break; }
    }
    off += Buffer.byteLength(l) + 1;
  }
  console.log(f + ' ' + res);
}")
mism=0; nbad=0
while read -r f kind line start end; do
    got=$(printf '%s\n' "$out" | grep "/$f[:]")
    if [ "$kind" = ok ]; then
        [ "$got" = "$dir/bad/$f: ok" ] || { mism=$((mism + 1)); echo "  $f: expected ok, got: $got"; }
        continue
    fi
    nbad=$((nbad + 1))
    # FAILFAST names the bad record's own start: "(record at line L, byte B)"
    rec=$(printf '%s' "$got" | grep -o 'record at line [0-9]*, byte [0-9]*')
    [ "$rec" = "record at line $line, byte $start" ] || { mism=$((mism + 1)); echo "  $f: expected $kind error, record at line $line byte $start: $got"; }
done <<< "$expect"
check schema-first-errors-match-node 0 "$mism"
check schema-some-bad-files 1 "$([ "$nbad" -ge 5 ] && echo 1 || echo 0)"
# without a schema only syntax counts: the first line JSON.parse rejects; a record cut short at the end of
# line L may be reported at the first byte of line L+1 (a JSON text may go on over a newline)
syn=$(cd "$oracle" && node --input-type=module -e "
import fs from 'fs';
for (const f of fs.readdirSync('$dir/bad').sort()) {
  const text = fs.readFileSync('$dir/bad/' + f, 'utf8');
  let off = 0, line = 0, res = 'ok';
  for (const l of text.split('\\n')) {
    line++;
    if (l) { try { JSON.parse(l); } catch (e) { res = 'bad ' + line + ' ' + off + ' ' + (off + Buffer.byteLength(l)); break; } }
    off += Buffer.byteLength(l) + 1;
  }
  console.log(f + ' ' + res);
}")
out=$("$weir" validate "$dir/bad")
mism=0
while read -r f kind line start end; do
    got=$(printf '%s\n' "$out" | grep "/$f[:]")
    if [ "$kind" = ok ]; then [ "$got" = "$dir/bad/$f: ok" ] || { mism=$((mism + 1)); echo "  $f: expected ok: $got"; }; continue; fi
    gl=$(printf '%s' "$got" | sed -E 's/^[^:]*:([0-9]+):.*/\1/')
    gb=$(printf '%s' "$got" | grep -o '(byte [0-9]*)' | head -n 1 | tr -dc 0-9)
    if ! { [ "$gl" = "$line" ] && [ "$gb" -ge "$start" ] && [ "$gb" -le "$end" ]; } && \
       ! { [ "$gl" = "$((line + 1))" ] && [ "$gb" = "$((end + 1))" ]; }; then
        mism=$((mism + 1)); echo "  $f: expected syntax error on line $line (bytes $start..$end): $got"
    fi
done <<< "$syn"
check syntax-first-errors-match-node 0 "$mism"
check syntax-some-bad 1 "$([ "$(printf "%s\n" "$syn" | grep -c " bad ")" -ge 3 ] && echo 1 || echo 0)"
printf 'datetime,n\n2022-09-06 11:40:00,1\n2022-09-06 11:40:01,x\n' > "$dir/t.csv"
out=$("$weir" validate --schema 'datetime TIMESTAMP, n INT' --option header=true "$dir/t.csv"); rc=$?
check csv-schema-exit 1 $rc
check csv-schema-line "$dir/t.csv:3:" "$(printf '%s' "$out" | grep -o "^$dir/t.csv:[0-9]*:")"

# --- usage: exit 2
"$weir" validate >/dev/null 2>&1; check no-file-exit 2 $?
"$weir" validate --format xml "$dir/t.csv" >/dev/null 2>&1; check bad-format-exit 2 $?
"$weir" validate --schema 'a INTT' "$dir/t.csv" >/dev/null 2>&1; check bad-schema-exit 2 $?
"$weir" validate --frobnicate "$dir/t.csv" >/dev/null 2>&1; check unknown-flag-exit 2 $?
"$weir" validate --schema 'a INT' --option nosuch=1 "$dir/t.csv" >/dev/null 2>&1; check unknown-option-exit 2 $?
mkdir "$dir/emptydir"
"$weir" validate "$dir/emptydir" >/dev/null 2>&1; check empty-folder-exit 1 $?
out=$("$weir" validate "$dir/missing.json" 2>&1); rc=$?
check missing-exit 1 $rc
check missing-names-file 1 "$(printf '%s' "$out" | grep -c 'missing.json')"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
