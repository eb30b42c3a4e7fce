#!/usr/bin/env bash
# install.sh - `make install PREFIX=tmp`, then a small C program built the way a user would build it,
# through `pkg-config --cflags --libs weir`, run against the installed shared library: it checks that
# the header's WEIR_VERSION equals weir_version() from the library, and that the installed program runs.
# Also checks that the shared library exports nothing but weir_* symbols. Last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
dir=$(mktemp -d /tmp/weir-install.XXXXXX)
trap 'rm -rf "$dir"' EXIT
# A sanitized build must be installed with the same flags, or make would relink it without them.
mflags=""
if [ -n "${WEIR_SANITIZED:-}" ]; then mflags="SANITIZE=address,undefined OPT=-O1"; fi
if make --no-print-directory -s install BUILD="$BUILD" $mflags PREFIX="$dir/prefix" >"$dir/make.log" 2>&1; then ok; else cat "$dir/make.log"; bad "make install"; fi
for f in include/weir.h lib/libweir.a lib/libweir.so lib/pkgconfig/weir.pc bin/weir; do
    if [ -e "$dir/prefix/$f" ]; then ok; else bad "installed $f missing"; fi
done
# Every exported symbol is weir_*; and weir_version is among them.
syms=$(nm -D --defined-only "$dir/prefix/lib/libweir.so" | awk '{print $3}')
other=$(printf '%s\n' "$syms" | grep -v '^weir_' | grep -v '^$' || true)
if [ -z "$other" ]; then ok; else bad "exported non-weir symbols: $other"; fi
if printf '%s\n' "$syms" | grep -qx weir_version; then ok; else bad "weir_version not exported"; fi
cat > "$dir/v.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <weir.h>
int main(void) {
    if (strcmp(weir_version(), WEIR_VERSION) != 0) { printf("skew %s vs %s\n", weir_version(), WEIR_VERSION); return 1; }
    printf("%s\n", weir_version());
    return 0;
}
C
export PKG_CONFIG_PATH="$dir/prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs weir)
if [ -n "$flags" ]; then ok; else bad "pkg-config gave nothing"; fi
san=""
# A sanitized library needs its runtime in the program too.
if [ -n "${WEIR_SANITIZED:-}" ]; then san="-fsanitize=address,undefined"; fi
if cc -std=c11 -Wall -Wextra -Werror $san -o "$dir/v" "$dir/v.c" $flags 2>"$dir/cc.log"; then ok; else cat "$dir/cc.log"; bad "compile against installed weir"; fi
out=$(LD_LIBRARY_PATH="$dir/prefix/lib" "$dir/v" 2>&1)
want=$(sed -n 's/^#define WEIR_VERSION "\(.*\)"/\1/p' include/weir.h)
if [ "$out" == "$want" ]; then ok; else bad "version program printed '$out', header says '$want'"; fi
# It really used the shared library, not a static copy.
if LD_LIBRARY_PATH="$dir/prefix/lib" ldd "$dir/v" | grep -q "$dir/prefix/lib/libweir.so"; then ok; else bad "program not linked to installed libweir.so"; fi
out=$("$dir/prefix/bin/weir" --version 2>&1 | head -n 1)
case "$out" in *"$want"*) ok ;; *) bad "installed weir --version: $out" ;; esac
echo "$pass passed, $fail failed"
