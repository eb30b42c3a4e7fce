#!/usr/bin/env bash
# stream_bench.sh - the streaming runtime's figures (make bench-stream), each printed on one line:
#   1. latency from a file's rename to its rows committed, 1,000 files/s of 10 records for 10 s (p50/p99);
#   2. the same with 100,000 already-taken files in the folder;
#   1p. figure 1 again beside bench/stall_probe.c, which counts the moments the machine stopped running a
#       real-time thread for 3 ms or more (and, for comparison, the same on the idle machine);
#   3. throughput of an availableNow run of Task_1 over 1,000 files x 1,000 records against DuckDB doing
#      the same (read, flatten, write CSV), in the same run: one thread each, then two threads each;
#   4. startup to first committed batch: `weir run --trigger once` on one file (median of 20): from before fork
#      to the batch's progress line (printed once commits/0 is written), and to the process's exit;
#   1l. figure 1 over a longer run (LONG_SECONDS, 60 by default), by 10-second window: a cost that grows with
#       what the query has done (its manifest, its log of taken files) shows as latency growing with the run;
#       then 4r: `weir run --trigger once` restarting that query (its history: LONG_SECONDS x 1,000 files
#       taken) on one new file, median of 10, as figure 4 measures a fresh start;
#   1b, 2b. the same on tmpfs (/dev/shm), where fsync is free: the engine's own share of the latency;
#   1m. figure 1 on tmpfs with bench/fsync_model.c (each fsync 100 us side by side + 150 us one at a time),
#       a disk that does not change from minute to minute, for comparing designs of the commit path; with
#       the number of fsync calls per batch;
#   5. peak memory (VmHWM) of `weir run` over a seed-style run while `weir gen` writes (SEED_SECONDS, 60 by
#      default, at 20 files/s: the seed writes one file every 5 s, so this is 100x its rate).
# Figure 3 is printed twice: weir with decodeThreads 1 against DuckDB SET threads=1 (the goal's figure), and
# weir with decodeThreads 2 against DuckDB SET threads=2.
# Environment: BUILD (build), BENCH_DIR (a temp folder), SEED_SECONDS, LONG_SECONDS, ONLY (figures to run, e.g. ONLY=3 or
# ONLY="1 4"; 1 includes 2, 1b includes 2b; default all), REPEAT (runs of each side of figure 3, best kept; 3).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
W=$PWD/$BUILD/weir
LAT=$PWD/$BUILD/stream_latency
ONLY=${ONLY:-"1 1p 1l 1b 1m 3 4 5"}
REPEAT=${REPEAT:-3}
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
d=${BENCH_DIR:-$(mktemp -d /tmp/weir-bench-stream.XXXXXX)}
trap 'rm -rf "$d"' EXIT
echo "machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -n 1)), shared with other jobs; $(date -u +%F)"
# Every committed batch waits for several fsyncs (offsets/N, the sink's files and manifest, commits/N), so the
# disk's synchronous write time is the floor under the latency figures: measure it in the same run.
mkdir -p "$d"
s0=$(date +%s%N)
dd if=/dev/zero of="$d/sync.dat" bs=512 count=200 oflag=dsync 2>/dev/null
s1=$(date +%s%N)
printf 'disk: one synchronous 512-byte write takes %.2f ms (dd oflag=dsync, 200 writes)\n' "$(echo "($s1 - $s0) / 200000000" | bc -l)"
rm -f "$d/sync.dat"
# what one fdatasync costs by kind (in place, extending; alone, 3 side by side): bench/disk_flush.c
[ -x "$PWD/$BUILD/disk_flush" ] && "$PWD/$BUILD/disk_flush" "$d"

want 1 && {
echo "== 1. latency, rename -> commit, 1000 files/s x 10 s, empty folder"
"$LAT" "$d/lat1" 1000 10
echo "== 2. the same with 100,000 already-taken files in the folder"
"$LAT" "$d/lat2" 1000 10 100000
}

# The machine's own stalls: a real-time thread per CPU (bench/stall_probe.c) beside a run of figure 1. Its
# wake-ups cost the run a little, so figure 1 above runs without it.
want 1p && [ -x "$PWD/$BUILD/stall_probe" ] && {
echo "== 1p. figure 1 again, beside bench/stall_probe.c (CPUs that stop running the guest for 3 ms or more)"
"$PWD/$BUILD/stall_probe" 11 > "$d/probe.txt" &
pp=$!
"$LAT" "$d/lat1p" 1000 10
wait $pp
cat "$d/probe.txt"
"$PWD/$BUILD/stall_probe" 5 > "$d/probe.txt"
echo "idle machine, for comparison: $(cat "$d/probe.txt")"
}

want 1l && {
echo "== 1l. latency as in 1 over ${LONG_SECONDS:-60} s, by 10-second window"
"$LAT" "$d/lat1l" 1000 "${LONG_SECONDS:-60}"
l=$d/lat1l
cat > "$d/restart.sql" <<SQL
CREATE TABLE src (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
  sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path '$l/in');
CREATE TABLE dst USING csv OPTIONS (path '$l/out', header true, checkpointLocation '$l/ck');
INSERT INTO dst SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
  sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(src);
SQL
echo "== 4r. restart of that query (its checkpoint and output kept) on one new file; bench/stream_startup.c"
sync
"$PWD/$BUILD/stream_startup" 10 "$l/ck" "$l/out" "$W" "$d/restart.sql" "$l/in"
rm -rf "$l"
}

# The same on tmpfs, where fsync costs nothing: the engine's own share of the latency.
if want 1b && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/weir-bench.XXXXXX)
    echo "== 1b. latency as in 1, checkpoint and folders on tmpfs (/dev/shm: fsync is free)"
    "$LAT" "$shm/lat1" 1000 10
    echo "== 2b. latency as in 2 (100,000 taken files), on tmpfs"
    "$LAT" "$shm/lat2" 1000 10 100000
    rm -rf "$shm"
fi

if want 1m && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/weir-bench.XXXXXX)
    ${CC:-cc} -std=c11 -O2 -shared -fPIC -o "$BUILD/fsync_model.so" bench/fsync_model.c -ldl -lpthread
    echo "== 1m. latency as in 1 on tmpfs, fsync modelled: ${PAR:-100} us side by side + ${SER:-150} us one at a time"
    FSYNC_COUNT=1 LD_PRELOAD="$PWD/$BUILD/fsync_model.so" "$LAT" "$shm/lat1" 1000 10 2>&1
    rm -rf "$shm"
fi

if want 3; then
echo "== 3. availableNow throughput vs DuckDB, 1,000 files x 1,000 records (best of $REPEAT runs each)"
"$W" gen --out "$d/big" --files 1000 --records-per-file 1000 --seed 3 --interval 0 > /dev/null
bytes=$(du -sb "$d/big" | cut -f1)
sync
sleep 1.2 # files listed at start are taken once their mtime is fileStableMs (1 s) old; not part of the timing
# One weir run of Task_1 with `decodeThreads $1`, fresh checkpoint and output; prints the wall seconds.
weir_once() {
    rm -rf "$d/bigout" "$d/bigck"
    cat > "$d/big.sql" <<SQL
CREATE TABLE src (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
                  sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path '$d/big', decodeThreads $1);
CREATE TABLE dst USING csv OPTIONS (path '$d/bigout', header true, checkpointLocation '$d/bigck');
INSERT INTO dst SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
                       sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(src);
SQL
    local t0 t1
    t0=$(date +%s%N)
    "$W" run "$d/big.sql" --trigger availableNow --progress off || return 1
    t1=$(date +%s%N)
    echo "scale=4; ($t1 - $t0) / 1000000000" | bc -l
}
best() { sort -n | head -n 1; }
# Weir and DuckDB alternate, so that both meet the same load; the best of REPEAT runs of each is kept.
for threads in 1 2; do
    ws=() ds=()
    for i in $(seq 1 "$REPEAT"); do
        ws+=("$(weir_once $threads)")
        duck=$(node bench/stream_duckdb.mjs "$d/big" "$d/duck.csv" $threads)
        ds+=("$(echo "$duck" | sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p')")
    done
    weir_s=$(printf '%s\n' "${ws[@]}" | best)
    duck_s=$(printf '%s\n' "${ds[@]}" | best)
    label="1 thread (decodeThreads 1; DuckDB SET threads=1): the goal's figure"
    [ "$threads" = 2 ] && label="2 threads (decodeThreads 2, the default; DuckDB SET threads=2)"
    printf '%s\n  input %d MB; weir %.2f s (%.0f MB/s); DuckDB %.2f s; weir is %.2fx DuckDB (weir runs: %s; DuckDB runs: %s)\n' \
        "$label" $((bytes / 1000000)) "$weir_s" "$(echo "$bytes / 1000000 / $weir_s" | bc -l)" "$duck_s" \
        "$(echo "$duck_s / $weir_s" | bc -l)" "${ws[*]}" "$(printf '%.3f ' "${ds[@]}")"
done
fi

if want 4; then
echo "== 4. startup to first committed batch (weir run --trigger once, one file, fresh checkpoint; bench/stream_startup.c)"
"$W" gen --out "$d/one" --files 1 --records-per-file 10 --seed 4 --interval 0 > /dev/null
sleep 1.2
cat > "$d/one.sql" <<SQL
CREATE TABLE src (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
                  sales STRUCT<quantity: INT, total_price: DOUBLE>) USING json OPTIONS (path '$d/one');
CREATE TABLE dst USING csv OPTIONS (path '$d/oneout', header true, checkpointLocation '$d/oneck');
INSERT INTO dst SELECT datetime, analytics.clicks AS clicks FROM STREAM(src);
SQL
"$PWD/$BUILD/stream_startup" 20 "$d/oneck" "$d/oneout" "$W" "$d/one.sql"
fi

want 5 || exit 0
SEED_SECONDS=${SEED_SECONDS:-60}
echo "== 5. peak memory over a ${SEED_SECONDS} s seed-style run (20 files/s of 10 records)"
mkdir -p "$d/seed"
cat > "$d/seed.sql" <<SQL
CREATE TABLE clicks_json (analytics STRUCT<clicks: INT, impressions: INT>, datetime TIMESTAMP,
                          sales STRUCT<quantity: INT, total_price: DOUBLE>)
  USING json OPTIONS (path '$d/seed', maxFilesPerTrigger 5);
CREATE TABLE clicks_csv USING csv OPTIONS (path '$d/seedout', header true, checkpointLocation '$d/seedck');
INSERT INTO clicks_csv SELECT datetime, analytics.clicks AS clicks, analytics.impressions AS impressions,
       sales.quantity AS quantity, sales.total_price AS total_price FROM STREAM(clicks_json);
SQL
"$W" gen --out "$d/seed" --forever --interval 0.05 --records-per-file 10 --seed 5 > /dev/null &
gp=$!
"$W" run "$d/seed.sql" --progress off &
rp=$!
sleep "$SEED_SECONDS"
hwm=$(sed -n 's/^VmHWM: *//p' /proc/$rp/status)
kill -TERM $gp $rp
wait $rp
echo "peak resident memory of weir run: $hwm; files processed: $(find "$d/seed" -type f ! -name '.*' | wc -l)"
