#!/usr/bin/env bash
# bench/run.sh - `make bench`: the seed's stage 1 (click-stream JSON arrays -> flattened CSV) with weir's
# codecs (`weir convert`, one thread) and with DuckDB (@duckdb/node-api: read_json then COPY ... TO csv,
# threads=1 and threads=2), in the same run, on the standard data sets built with `weir gen`:
#   big:   2,000,000 records in 200 array files (10,000 records each)
#   small: 1,000,000 records in 100,000 array files of 10
# SMALL=1 divides both by 10 for a quick run. Prints records/s, MB/s of JSON input, peak resident memory
# (/usr/bin/time -v: weir's whole process; for DuckDB the node process, whose own baseline is printed
# too) and the ratios weir / DuckDB. Data and outputs in bench/data/convert (kept between runs; the sets
# are rebuilt only when missing). Each measurement is the best of RUNS (default 3) runs, the page cache warm.
set -eu
cd "$(dirname "$0")/.."
weir="$PWD/${BUILD:-build}/weir"
data="$PWD/bench/data/convert"
runs=${RUNS:-3}
if [ "${SMALL:-0}" = 1 ]; then big_files=20; small_files=10000; else big_files=200; small_files=100000; fi
mkdir -p "$data"
schema='datetime TIMESTAMP, analytics STRUCT<clicks: INT, impressions: INT>, sales STRUCT<quantity: INT, total_price: DOUBLE>'

make_set() { # name files records_per_file
    local d="$data/$1-$2x$3"
    if [ ! -f "$d.done" ]; then
        rm -rf "$d"
        echo "generating $1: $2 files of $3 records" >&2
        "$weir" gen --out "$d" --files "$2" --records-per-file "$3" --seed 2022 --start 2022-09-06T11:40:00 \
            --interval 0 --no-fsync --quiet
        touch "$d.done"
    fi
    set_dir=$d
}

# wall seconds (includes /usr/bin/time's own start, about 1 ms) and peak RSS in kB of a command, best of $runs: prints "seconds kB"
measure() {
    local best_s="" best_kb=0 i
    for i in $(seq "$runs"); do
        local t0 t1 s kb
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$data/time.txt" "$@" > "$data/cmd.out"
        t1=$(date +%s%N)
        s=$(awk "BEGIN {print ($t1 - $t0) / 1e9}")
        kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$data/time.txt")
        if [ -z "$best_s" ] || awk "BEGIN {exit !($s < $best_s)}"; then best_s=$s; fi
        [ "$kb" -gt "$best_kb" ] && best_kb=$kb
    done
    echo "$best_s $best_kb"
}

# DuckDB: the COPY's own time (best of $runs) and the node process's peak RSS
measure_duck() { # threads out glob
    local best_s="" best_kb=0 i
    for i in $(seq "$runs"); do
        /usr/bin/time -v -o "$data/time.txt" node bench/convert_bench.mjs "$@" > "$data/cmd.out"
        local s rows kb
        read -r s rows < "$data/cmd.out"
        kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$data/time.txt")
        if [ -z "$best_s" ] || awk "BEGIN {exit !($s < $best_s)}"; then best_s=$s; fi
        [ "$kb" -gt "$best_kb" ] && best_kb=$kb
    done
    echo "$best_s $best_kb $rows"
}

node_base=$(cd tests/oracle && /usr/bin/time -v node -e "require('@duckdb/node-api')" 2>&1 | awk -F': ' '/Maximum resident set size/ {print $2}')
echo "machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ {print $2}')), shared with other jobs; $(date -u +%Y-%m-%d)"
echo "weir $("$weir" version | cut -d' ' -f2), DuckDB $(cd tests/oracle && node -e "console.log(require('@duckdb/node-api/package.json').version)"); node + @duckdb/node-api baseline RSS $((node_base / 1024)) MB"
printf '\n%-6s %-11s %10s %8s %12s %9s %9s\n' set engine records seconds records/s MB/s "peak MB"
for set in big small; do
    if [ $set = big ]; then make_set big "$big_files" 10000; d=$set_dir; records=$((big_files * 10000))
    else make_set small "$small_files" 10; d=$set_dir; records=$((small_files * 10)); fi
    bytes=$(find "$d" -name '*.json' -printf '%s\n' | awk '{s += $1} END {print s}')
    read -r ws wkb < <(measure "$weir" convert --from json --to csv --schema "$schema" --flatten -o "$data/weir-$set.csv" "$d")
    wrows=$(($(wc -l < "$data/weir-$set.csv") - 1))
    [ "$wrows" -eq "$records" ] || { echo "weir wrote $wrows rows, expected $records" >&2; exit 1; }
    printf '%-6s %-11s %10d %8.3f %12.0f %9.1f %9.1f\n' $set weir "$records" "$ws" "$(awk "BEGIN {print $records / $ws}")" \
        "$(awk "BEGIN {print $bytes / 1e6 / $ws}")" "$(awk "BEGIN {print $wkb / 1024}")"
    for t in 1 2; do
        read -r ds dkb drows < <(measure_duck $t "$data/duck-$set.csv" "$d/*.json")
        [ "$drows" -eq "$records" ] || { echo "DuckDB wrote $drows rows, expected $records" >&2; exit 1; }
        printf '%-6s %-11s %10d %8.3f %12.0f %9.1f %9.1f   weir/duckdb: %.1fx records/s\n' $set "duckdb t=$t" "$records" "$ds" \
            "$(awk "BEGIN {print $records / $ds}")" "$(awk "BEGIN {print $bytes / 1e6 / $ds}")" "$(awk "BEGIN {print $dkb / 1024}")" \
            "$(awk "BEGIN {print $ds / $ws}")"
    done
done
