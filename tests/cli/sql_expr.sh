#!/usr/bin/env bash
# sql_expr.sh - weir's SQL expressions over generated rows, checked against DuckDB and Spark's rules
# (tests/oracle/sql_expr.mjs drives $BUILD/tests/test_sql_expr in its oracle mode). Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin="$PWD/$BUILD/tests/test_sql_expr"
if [ ! -x "$bin" ] || [ ! -d tests/oracle/node_modules/@duckdb ]; then
    echo "missing $bin or tests/oracle/node_modules (run make test)"
    echo "0 passed, 1 failed"
    exit 1
fi
dir=$(mktemp -d /tmp/weir-sql-expr.XXXXXX)
trap 'rm -rf "$dir"' EXIT
(cd tests/oracle && node sql_expr.mjs "$dir" "$bin")
