# examples_lib.sh - sourced by the tests of examples/: installs weir into a temporary prefix (as a user
# would, `make install PREFIX=...`) and builds an example against it through pkg-config.
#   install_weir DIR             make install into DIR/prefix (sanitized builds keep their flags); 0 = ok
#   build_example SRC OUT        cc SRC $(pkg-config --cflags --libs weir) -o OUT; 0 = ok
#   run_installed CMD...         runs CMD with the installed libweir.so on LD_LIBRARY_PATH
install_weir() {
    EX_PREFIX=$1/prefix
    local mflags=""
    if [ -n "${WEIR_SANITIZED:-}" ]; then mflags="SANITIZE=address,undefined OPT=-O1"; fi
    make --no-print-directory -s install BUILD="${BUILD:-build}" $mflags PREFIX="$EX_PREFIX" >"$1/make.log" 2>&1 ||
        { cat "$1/make.log"; return 1; }
}
build_example() {
    local san="" flags
    if [ -n "${WEIR_SANITIZED:-}" ]; then san="-fsanitize=address,undefined"; fi
    flags=$(PKG_CONFIG_PATH="$EX_PREFIX/lib/pkgconfig" pkg-config --cflags --libs weir) || return 1
    ${CC:-cc} -std=c11 -Wall -Wextra -Werror -g $san -o "$2" "$1" $flags ${3:-}
}
run_installed() { LD_LIBRARY_PATH="$EX_PREFIX/lib" "$@"; }   # foreground only: in the background $! is a subshell
