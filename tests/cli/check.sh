#!/usr/bin/env bash
# check.sh - `weir check FILE.sql`: exit codes (0 valid, 2 SQL error or usage, 1 unreadable file), the plan
# it prints for the seed's Task_1 script, and error messages with file:line:col and a caret, all expected
# values written by hand from the scripts below. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
WEIR=${WEIR:-$PWD/${BUILD:-build}/weir}
dir=$(mktemp -d /tmp/weir-check.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect_rc NAME WANT_RC ARGS... ; output in $dir/out, $dir/err
expect_rc() {
    local name=$1 want=$2; shift 2
    "$WEIR" check "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want"; cat "$dir/err"; fi
}
has() { # has NAME FILE TEXT: FILE holds TEXT as a whole line
    if grep -qxF -- "$3" "$2"; then ok; else bad "$1: no line '$3' in:"; cat "$2"; fi
}

cat >"$dir/task1.sql" <<'SQL'
-- the seed's stage 1
CREATE TABLE clicks_json (
  analytics STRUCT<clicks: INT, impressions: INT>,
  datetime  TIMESTAMP,
  sales     STRUCT<quantity: INT, total_price: DOUBLE>
) USING json OPTIONS (path 'data/json_files', maxFilesPerTrigger 5);

CREATE TABLE clicks_csv USING csv
  OPTIONS (path 'data/csv_files', header true, checkpointLocation 'data/checkpoint');

INSERT INTO clicks_csv
SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
       sales.quantity AS quantity, sales.total_price AS total_price
FROM STREAM(clicks_json);
SQL
expect_rc task1 0 "$dir/task1.sql"
has task1 "$dir/out" "query clicks_csv: STREAM(clicks_json) -> clicks_csv"
has task1 "$dir/out" "  output (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE)"
has task1 "$dir/out" "table clicks_csv USING csv (datetime TIMESTAMP, clicks INT, impressions INT, quantity INT, total_price DOUBLE)"
has task1 "$dir/out" "  project clicks = analytics.clicks"
has task1 "$dir/out" "  option maxFilesPerTrigger = '5'"
[ -s "$dir/err" ] && bad "task1: stderr not empty" || ok

# time zone, filter with implicit casts, bare SELECT to the console
cat >"$dir/paris.sql" <<'SQL'
SET spark.sql.session.timeZone = 'Europe/Paris';
CREATE TABLE src (id STRING, ts TIMESTAMP, n INT) USING csv OPTIONS (path 'in', header true);
SELECT id, hour(ts) AS h FROM STREAM(src) WHERE n > '3' AND id LIKE 'a%';
SQL
expect_rc paris 0 - <"$dir/paris.sql"
has paris "$dir/out" "script <stdin>: 1 table, 1 query, time zone Europe/Paris"
has paris "$dir/out" "query console_1: STREAM(src) -> console"
has paris "$dir/out" "  output (id STRING, h INT)"
has paris "$dir/out" "  filter ((n > CAST('3' AS int)) AND (id LIKE 'a%'))"

# errors: file:line:col, the source line, a caret under the column, what was expected
printf 'CREATE TABLE t (a INT) USING json;\nSELECT a, b\n  FROM STREAM(t);\n' >"$dir/unknown.sql"
expect_rc unknown-column 2 "$dir/unknown.sql"
has unknown-column "$dir/err" "$dir/unknown.sql:2:11: unknown column 'b'; the input columns are: a"
has unknown-column "$dir/err" "  SELECT a, b"
has unknown-column "$dir/err" "            ^"
[ -s "$dir/out" ] && bad "unknown-column: stdout not empty" || ok

printf 'SELECT a\n  FORM t;\n' >"$dir/typo.sql"
expect_rc typo 2 "$dir/typo.sql"
has typo "$dir/err" "$dir/typo.sql:2:3: expected FROM, found 'FORM'"
has typo "$dir/err" "    FORM t;"
has typo "$dir/err" "    ^"

printf 'CREATE TABLE t (a INT) USING json;\nSELECT lower(a, a) FROM STREAM(t);\n' >"$dir/arity.sql"
expect_rc arity 2 "$dir/arity.sql"
has arity "$dir/err" "$dir/arity.sql:2:8: wrong number of arguments: lower() takes 1, found 2"

printf 'CREATE TABLE t (ts TIMESTAMP, n INT) USING json;\nSELECT n FROM STREAM(t) WATERMARK ts DELAY OF INTERVAL 10 SECONDS GROUP BY n;\n' >"$dir/agg.sql"
expect_rc aggregation 2 "$dir/agg.sql"
has aggregation "$dir/err" "$dir/agg.sql:2:76: Append output mode not supported (query console_1): append with an aggregation needs a watermark on the window's column, and GROUP BY has no window() or session_window() over the WATERMARK's expression; or set outputMode 'update' or 'complete'"

printf "SET timezone = 'Nowhere/Special';\n" >"$dir/tz.sql"
expect_rc bad-zone 2 "$dir/tz.sql"
grep -q "^$dir/tz.sql:1:1: unknown time zone 'Nowhere/Special'" "$dir/err" && ok || bad "bad-zone: $(cat "$dir/err")"

expect_rc missing-file 1 "$dir/nope.sql"
grep -q "cannot open $dir/nope.sql" "$dir/err" && ok || bad "missing-file: $(cat "$dir/err")"
expect_rc no-args 2
expect_rc bad-option 2 --frobnicate "$dir/task1.sql"
expect_rc help 0 --help
grep -q "^usage: weir check FILE.sql" "$dir/out" && ok || bad "help text"
printf '' >"$dir/empty.sql"
expect_rc empty 0 "$dir/empty.sql"
has empty "$dir/out" "script $dir/empty.sql: 0 tables, 0 queries, time zone UTC"
echo "$pass passed, $fail failed"
