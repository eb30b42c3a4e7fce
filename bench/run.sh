#!/usr/bin/env bash
# bench/run.sh - `make bench`: the seed's stage 1 (click-stream JSON arrays -> flattened CSV) with weir's
# codecs (`weir convert`, one thread) and with DuckDB (@duckdb/node-api: read_json then COPY ... TO csv,
# threads=1 and threads=2), in the same run, on the standard data sets built with `weir gen`:
#   big:   2,000,000 records in 200 array files (10,000 records each)
#   small: 1,000,000 records in 100,000 array files of 10
# SMALL=1 divides both by 10 for a quick run. Prints wall and CPU seconds (user + system), records/s and
# MB/s of JSON input (by wall time), peak resident memory (weir's whole process; for DuckDB the node
# process, whose baseline with DuckDB loaded is printed too) and weir's speed-up over DuckDB by wall and by
# CPU time (CPU time suffers less from the other jobs on a shared machine). Data and outputs live in
# bench/data/convert (kept between runs; the sets are built only when missing). Each figure is the best of
# RUNS (default 3) runs, page cache warm.
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

# wall seconds (includes /usr/bin/time's own start, about 1 ms), CPU seconds (user + system) and peak RSS
# in kB of a command: best wall and best CPU of $runs runs, largest RSS. Prints "wall cpu kB".
measure() {
    local best_s="" best_c="" best_kb=0 i
    for i in $(seq "$runs"); do
        local t0 t1 s c kb
        t0=$(date +%s%N)
        /usr/bin/time -f '%U %S %M' -o "$data/time.txt" "$@" > "$data/cmd.out"
        t1=$(date +%s%N)
        s=$(awk "BEGIN {print ($t1 - $t0) / 1e9}")
        c=$(awk '{print $1 + $2}' "$data/time.txt")
        kb=$(awk '{print $3}' "$data/time.txt")
        if [ -z "$best_s" ] || awk "BEGIN {exit !($s < $best_s)}"; then best_s=$s; fi
        if [ -z "$best_c" ] || awk "BEGIN {exit !($c < $best_c)}"; then best_c=$c; fi
        [ "$kb" -gt "$best_kb" ] && best_kb=$kb
    done
    echo "$best_s $best_c $best_kb"
}

# DuckDB: the COPY's own wall and CPU time (best of $runs) and the node process's peak RSS.
# Prints "wall cpu kB rows".
measure_duck() { # threads out glob
    local best_s="" best_c="" best_kb=0 i s c rows kb
    for i in $(seq "$runs"); do
        /usr/bin/time -f '%M' -o "$data/time.txt" node bench/convert_bench.mjs "$@" > "$data/cmd.out"
        read -r s c rows < "$data/cmd.out"
        kb=$(cat "$data/time.txt")
        if [ -z "$best_s" ] || awk "BEGIN {exit !($s < $best_s)}"; then best_s=$s; fi
        if [ -z "$best_c" ] || awk "BEGIN {exit !($c < $best_c)}"; then best_c=$c; fi
        [ "$kb" -gt "$best_kb" ] && best_kb=$kb
    done
    echo "$best_s $best_c $best_kb $rows"
}

node_base=$(cd tests/oracle && /usr/bin/time -v node -e "require('@duckdb/node-api')" 2>&1 | awk -F': ' '/Maximum resident set size/ {print $2}')
echo "machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ {print $2}')), shared with other jobs; $(date -u +%Y-%m-%d)"
echo "weir $("$weir" version | cut -d' ' -f2), DuckDB $(cd tests/oracle && node -e "console.log(require('@duckdb/node-api/package.json').version)"); node + @duckdb/node-api baseline RSS $((node_base / 1024)) MB"
printf '\n%-6s %-11s %10s %8s %8s %12s %9s %9s  %s\n' set engine records wall_s cpu_s records/s MB/s "peak MB" "weir speed-up (wall, cpu)"
for set in big small; do
    if [ $set = big ]; then make_set big "$big_files" 10000; d=$set_dir; records=$((big_files * 10000))
    else make_set small "$small_files" 10; d=$set_dir; records=$((small_files * 10)); fi
    bytes=$(find "$d" -name '*.json' -printf '%s\n' | awk '{s += $1} END {print s}')
    read -r ws wc wkb < <(measure "$weir" convert --from json --to csv --schema "$schema" --flatten -o "$data/weir-$set.csv" "$d")
    wrows=$(($(wc -l < "$data/weir-$set.csv") - 1))
    [ "$wrows" -eq "$records" ] || { echo "weir wrote $wrows rows, expected $records" >&2; exit 1; }
    printf '%-6s %-11s %10d %8.3f %8.3f %12.0f %9.1f %9.1f\n' $set weir "$records" "$ws" "$wc" "$(awk "BEGIN {print $records / $ws}")" \
        "$(awk "BEGIN {print $bytes / 1e6 / $ws}")" "$(awk "BEGIN {print $wkb / 1024}")"
    for t in 1 2; do
        read -r ds dc dkb drows < <(measure_duck $t "$data/duck-$set.csv" "$d/*.json")
        [ "$drows" -eq "$records" ] || { echo "DuckDB wrote $drows rows, expected $records" >&2; exit 1; }
        printf '%-6s %-11s %10d %8.3f %8.3f %12.0f %9.1f %9.1f  %.1fx, %.1fx\n' $set "duckdb t=$t" "$records" "$ds" "$dc" \
            "$(awk "BEGIN {print $records / $ds}")" "$(awk "BEGIN {print $bytes / 1e6 / $ds}")" "$(awk "BEGIN {print $dkb / 1024}")" \
            "$(awk "BEGIN {print $ds / $ws}")" "$(awk "BEGIN {print $dc / $wc}")"
    done
done
