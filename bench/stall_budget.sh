#!/usr/bin/env bash
# stall_budget.sh - what makes this machine stop running a vCPU for milliseconds (bench/RESULTS.md,
# 2026-12-08, "the host's budget"). Runs bench/stall_probe.c for SECONDS beside each load of
# bench/stall_load.c, alone and together, and prints the stalls of 3 ms or more, in which 10 ms of the wall
# clock's 100 ms period they began, the guest's busy CPUs (/proc/stat) and the disk requests a second.
# On the machine of RESULTS.md neither a busy CPU nor the disk requests alone bring stalls; both
# together do, at one moment of every 100 ms: what a host's CPU quota per 100 ms period would do, when the
# host's work for the guest's disk requests counts against the guest's quota.
#
# Environment: BUILD (build), SECONDS_RUN (10), RATE (files a second, 1000), DIRECT_RATE (3000).
set -euo pipefail
B=${BUILD:-build}
S=${SECONDS_RUN:-10}
RATE=${RATE:-1000}
DIRECT_RATE=${DIRECT_RATE:-3000}
d=$(mktemp -d /tmp/weir-stall-budget.XXXXXX)
trap 'rm -rf "$d"' EXIT

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
disk() { awk -v dev="$(findmnt -no SOURCE -T "$d" | sed 's|/dev/||')" '$3==dev{print $8, $19, $15}' /proc/diskstats; }

# run NAME COMMAND...: the probe for S seconds beside the command (started in the background)
run() {
    local name=$1
    shift
    mkdir -p "$d/files"
    local b0 k0 b1 k1
    b0=$(busy)
    k0=$(disk)
    ("$@" > "$d/load.out" 2>&1 &)
    local probe
    probe=$("$B/stall_probe" "$S" | head -1 | sed -E 's/^.*sleeps of 1 ms: //')
    wait
    sleep 0.5
    b1=$(busy)
    k1=$(disk)
    local hz
    hz=$(getconf CLK_TCK)
    printf '%-22s %s\n' "$name:" "$probe"
    printf '%-22s guest busy %s CPUs; disk writes / flushes / discards a second: %s\n' "" \
        "$(echo "$b0 $b1" | awk -v s="$S" -v hz="$hz" '{printf "%.2f", ($2-$1)/hz/s}')" \
        "$(echo "$k0 $k1" | awk -v s="$S" '{printf "%d / %d / %d", ($4-$1)/s, ($5-$2)/s, ($6-$3)/s}')"
    rm -rf "$d/files" "$d/direct"
    sync
    sleep 2
}

both() { "$B/stall_load" spin "$S" & "$@"; wait; }

echo "machine: $(nproc) CPUs; probe beside each load for $S s"
run "idle" sleep "$S"
run "one CPU busy" "$B/stall_load" spin "$S"
run "two CPUs busy" both "$B/stall_load" spin "$S"
run "files ($RATE/s)" "$B/stall_load" files "$d/files" "$RATE" "$S"
run "direct ($DIRECT_RATE/s)" "$B/stall_load" direct "$d/direct" "$DIRECT_RATE" "$S"
run "busy + files" both "$B/stall_load" files "$d/files" "$RATE" "$S"
run "busy + direct" both "$B/stall_load" direct "$d/direct" "$DIRECT_RATE" "$S"
