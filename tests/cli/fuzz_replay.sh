#!/usr/bin/env bash
# fuzz_replay.sh - replays the checked-in fuzz corpus of every target tests/fuzz/fuzz_NAME.c (inputs in
# tests/fuzz/corpus/NAME, including the cases fuzzing once found) through a plain main(), so a parser that
# regresses on a known input fails `make test` (and `make sanitize`, where the sanitizers watch).
# One check per target: every input runs without a crash or abort. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CC=${CC:-cc}
flags="-std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc"
[ -n "${WEIR_SANITIZED:-}" ] && flags="$flags -fsanitize=address,undefined -fno-sanitize-recover=all"
pass=0; fail=0
out="$BUILD/fuzz-replay"
mkdir -p "$out"
for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c); name=${name#fuzz_}
    inputs=(tests/fuzz/corpus/"$name"/*)
    if [ ! -e "${inputs[0]}" ]; then echo "FAIL $name: no corpus in tests/fuzz/corpus/$name"; fail=$((fail + 1)); continue; fi
    if ! $CC $flags -o "$out/replay_$name" "$src" tests/fuzz/replay_main.c "$BUILD/libweir.a" -lzstd -lsnappy -ldeflate -lz -lm -lpthread 2> "$out/$name.log"; then
        echo "FAIL $name: does not build"; cat "$out/$name.log"; fail=$((fail + 1)); continue
    fi
    if "$out/replay_$name" "${inputs[@]}" > "$out/$name.log" 2>&1; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: an input of tests/fuzz/corpus/$name crashed"; tail -n 20 "$out/$name.log"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
