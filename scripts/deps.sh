#!/usr/bin/env bash
# scripts/deps.sh - installs what building and testing weir needs on Debian 12, when it is missing.
#
# Debian packages: the compilers and the compression libraries weir links (zlib, libdeflate, zstd,
# snappy), tzdata for time zones, clang's runtime for the sanitizer and fuzz builds. As root it runs apt-get; otherwise it
# prints the one apt-get line to run and stops. Node.js and the test-only npm packages (DuckDB, the
# Parquet readers used as oracles) come from tests/oracle/package-lock.json through `npm ci`.
set -eu
cd "$(dirname "$0")/.."
pkgs="build-essential clang libclang-rt-14-dev zlib1g-dev libdeflate-dev libzstd-dev libsnappy-dev libmicrohttpd-dev tzdata pkg-config nodejs npm"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# nodejs/npm may come from elsewhere (nodesource, nvm): accept any working node and npm.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    missing=$(echo "$missing" | tr ' ' '\n' | grep -v -x -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo $missing)
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "deps: installing $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq $missing >/dev/null
    else
        echo "deps: missing Debian packages; run:"
        echo "  sudo apt-get install -y $missing"
        exit 1
    fi
fi
if [ -f tests/oracle/package-lock.json ]; then
    if [ ! -d tests/oracle/node_modules ] || [ tests/oracle/package-lock.json -nt tests/oracle/node_modules/.stamp ]; then
        echo "deps: npm ci (test oracles: DuckDB and Parquet readers)"
        (cd tests/oracle && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
    fi
fi
