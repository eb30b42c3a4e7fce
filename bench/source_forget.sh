#!/usr/bin/env bash
# source_forget.sh - what a query remembers over a long run (make bench-forget). `weir run` of Task_1 with
# cleanSource delete while `weir gen` writes RATE files per second (1000) for SECONDS_RUN (60), twice: with
# the defaults (maxFileAge 7 days, no sink retention: every name the run takes stays known and every file
# it writes stays in the sink's manifest, as before forgetting existed), and with maxFileAge '10 seconds' and
# the sink's retention '10 seconds' (names taken more than 10 s before the newest file are forgotten, in
# memory and at the merges of the source's log; output committed more than 10 s before a compaction leaves
# the manifest). For each: the peak resident memory of weir run (VmHWM), the files the source log still
# holds (`weir inspect`), the sizes on disk of that log and of the sink's manifest, and a restart on one new
# file (bench/stream_startup.c, median of 10), which reads that log.
# Environment: BUILD (build), BENCH_DIR (a temp folder), RATE, SECONDS_RUN.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
W=$PWD/$BUILD/weir
RATE=${RATE:-1000}
SECS=${SECONDS_RUN:-60}
d=${BENCH_DIR:-$(mktemp -d /tmp/weir-bench-forget.XXXXXX)}
trap 'rm -rf "$d"' EXIT
echo "machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -n 1)), shared with other jobs; $(date -u +%F)"
files=$((RATE * SECS))
for age in '7 days' '10 seconds'; do
    ttl=
    [ "$age" = '10 seconds' ] && ttl=", retention '10 seconds'"
    r=$d/run
    rm -rf "$r"
    mkdir -p "$r/in"
    cat > "$r/q.sql" <<SQL
CREATE TABLE src (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
  sales STRUCT<quantity: INT, total_price: DOUBLE>)
  USING json OPTIONS (path '$r/in', cleanSource 'delete', maxFileAge '$age');
CREATE TABLE dst USING csv OPTIONS (path '$r/out', header true, checkpointLocation '$r/ck'$ttl);
INSERT INTO dst SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
  sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(src);
SQL
    "$W" run "$r/q.sql" --progress off &
    rp=$!
    "$W" gen --out "$r/in" --files "$files" --rate $((RATE * 10)) --records-per-file 10 --no-fsync --quiet
    # until every file is taken (cleanSource deletes each after its batch's commit)
    for _ in $(seq 1 600); do
        [ -z "$(find "$r/in" -maxdepth 1 -type f ! -name '.*' -print -quit)" ] && break
        sleep 0.1
    done
    sleep 2 # a few batches more: the last segment merges and sweeps
    hwm=$(sed -n 's/^VmHWM: *//p' /proc/$rp/status)
    kill -TERM $rp
    wait $rp
    taken=$("$W" inspect "$r/ck" | sed -n 's/^files taken  \([0-9]*\) .*/\1/p')
    logkb=$(du -sk "$r/ck/sources" | cut -f1)
    mankb=$(du -sk "$r/out/_weir_metadata" | cut -f1)
    echo "== maxFileAge '$age'${ttl:+, sink retention '10 seconds'}: $files files at $RATE/s, cleanSource delete"
    echo "peak resident memory of weir run: $hwm; files in the source log afterwards: $taken; on disk: sources/ $logkb kB, sink manifest $mankb kB"
    sed -i "s/cleanSource 'delete', //" "$r/q.sql" # the restarts' new files stay: stream_startup counts them
    "$PWD/$BUILD/stream_startup" 10 "$r/ck" "$r/out" "$W" "$r/q.sql" "$r/in" | sed 's/^/restart: /'
done
