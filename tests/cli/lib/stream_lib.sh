# stream_lib.sh - shared by the streaming tests (sourced, not run: it prints no summary line of its own).
#   check DESC CMD...   counts a passed or failed assertion
#   task1_sql IN OUT CKPT [EXTRA_SOURCE_OPTIONS]   the seed's Task_1 over the given folders
#   committed_files OUT   the CSV files the sink's manifest lists as committed (absolute paths)
#   oracle IN_DIR OUT_DIR   DuckDB's comparison, one JSON line (tests/oracle/stream_check.mjs)
BUILD=${BUILD:-build}
W=${WEIR:-$PWD/$BUILD/weir}
pass=0
fail=0
check() {
    local desc=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $desc"
    fi
}
summary() { echo "$pass passed, $fail failed"; }

task1_sql() {
    local in=$1 out=$2 ck=$3 extra=${4:-}
    cat <<SQL
CREATE TABLE clicks_json (
  analytics STRUCT<clicks: INT, impressions: INT>,
  datetime  TIMESTAMP,
  sales     STRUCT<quantity: INT, total_price: DOUBLE>
) USING json OPTIONS (path '$in', maxFilesPerTrigger 5$extra);

CREATE TABLE clicks_csv USING csv
  OPTIONS (path '$out', header true, checkpointLocation '$ck');

INSERT INTO clicks_csv
SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
       sales.quantity AS quantity, sales.total_price AS total_price
FROM STREAM(clicks_json);
SQL
}

# The files the sink's manifest (OUT/_weir_metadata, Spark's _spark_metadata layout: "v1" then one JSON
# object per file with its "path") lists, absolute; without a manifest, the visible CSV files.
committed_files() {
    local out=$1 m="$1/_weir_metadata"
    if [ -d "$m" ] && [ -n "$(ls "$m" 2>/dev/null)" ]; then
        cat "$m"/* 2>/dev/null | grep -v '"action":"delete"' | grep -o '"path":"[^"]*"' |
            sed 's/^"path":"//; s/"$//; s#^file://##' |
            while read -r p; do case "$p" in /*) echo "$p" ;; *) echo "$out/$p" ;; esac; done | sort -u
    else
        find "$out" -type f -name '*.csv*' ! -path '*/_*' ! -name '.*' 2>/dev/null | sort
    fi
}

oracle() {
    local in=$1 out=$2 tmp
    tmp=$(mktemp -d /tmp/weir-oracle.XXXXXX)
    find "$in" -maxdepth 1 -type f ! -name '.*' ! -name '_*' | sort > "$tmp/in.txt"
    committed_files "$out" > "$tmp/out.txt"
    (cd tests/oracle && node stream_check.mjs "$tmp/in.txt" "$tmp/out.txt")
    rm -rf "$tmp"
}

# json_field JSON NAME -> the number after "NAME":
json_field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9-]*\).*/\1/p"; }
