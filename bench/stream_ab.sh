#!/usr/bin/env bash
# stream_ab.sh - two (or more) builds of bench/stream_latency.c alternated, for changes whose effect is
# smaller than the host's swings (bench/RESULTS.md: the same binary moves by a factor of two within
# minutes). Each run: SECONDS_RUN s at RATE files/s on a fresh folder, under /usr/bin/time; prints p50 /
# p99 latency, the process's CPU and voluntary context switches per batch, and the disk requests per
# batch. Folders are removed only at the end: removing files makes later file creation slower for minutes
# on ext4 without a journal (RESULTS.md), which would favour whichever build runs first.
#
#   bash bench/stream_ab.sh OLD_BINARY NEW_BINARY [...]     (PAIRS=6 SECONDS_RUN=6 RATE=1000)
#
# To build an old version's binary: git worktree add /tmp/wt-old <commit> && make -C /tmp/wt-old build/stream_latency
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: stream_ab.sh BINARY BINARY [...]" >&2; exit 2; }
PAIRS=${PAIRS:-6}
S=${SECONDS_RUN:-6}
RATE=${RATE:-1000}
[ -x /usr/bin/time ] || { echo "stream_ab.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
d=$(mktemp -d /tmp/weir-stream-ab.XXXXXX)
trap 'rm -rf "$d"' EXIT
for i in $(seq "$PAIRS"); do
    for b in "$@"; do
        r="$d/run$i-$(basename "$b")"
        mkdir -p "$r"
        /usr/bin/time -f "%U %S %w" -o "$r.time" "$b" "$r" "$RATE" "$S" > "$r.out" 2>&1
        read -r u s vol < "$r.time"
        nb=$(grep -oE '^batches: [0-9]+' "$r.out" | awk '{print $2}')
        lat=$(grep -oE 'p50 [0-9.]+ ms, p90 [0-9.]+ ms, p99 [0-9.]+' "$r.out" | head -1 | awk '{print $2 " / " $8}')
        req=$(grep -oE 'writes [0-9.]+, flushes [0-9.]+, discards [0-9.]+' "$r.out" | head -1)
        echo "$(basename "$b"): p50 / p99 $lat ms | $nb batches | CPU $(echo "$u $s $nb" | awk '{printf "%.0f", ($1+$2)*1e6/$3}') us and $(echo "$vol $nb" | awk '{printf "%.1f", $1/$2}') voluntary context switches per batch | $req per batch"
        sync
        sleep 2
    done
done
