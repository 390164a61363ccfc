#!/usr/bin/env bash
# Fetch a prebuilt DuckDB 2.0.1 for local iteration, so `cargo test
# --no-default-features` links in seconds instead of compiling DuckDB's C++.
#
# No registry this project can reach ships DuckDB 2.0's C library on its own,
# but the `duckdb` Python wheel's extension module exports the whole C API
# (icu, json and parquet built in). It also refers to CPython's symbols, which
# fusionc never calls; a tiny stub library defines them so the loader is
# satisfied. The stub traps if anything ever calls it.
#
# Usage: bash bench/tools/prebuilt-duckdb.sh [DIR]   (default: ~/.cache/fusionc/duckdb-2.0.1)
# then export what it prints.
set -euo pipefail
dir="${1:-$HOME/.cache/fusionc/duckdb-2.0.1}"
mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: \
  --platform manylinux_2_28_x86_64 --python-version 3.11 duckdb==2.0.1 -d "$work"
python3 -m zipfile -e "$work"/duckdb-2.0.1-*.whl "$work/wheel"
cp "$work"/wheel/_duckdb.cpython-*.so "$dir/libduckdb.so"
nm -D --undefined-only "$dir/libduckdb.so" | awk '$2 ~ /^_?Py/ { print "void " $2 "(void) { __builtin_trap(); }" }' \
  > "$work/python_stub.c"
cc -shared -fPIC -w -o "$dir/libpython_stub.so" "$work/python_stub.c"
cat <<MSG
DuckDB 2.0.1 is in $dir. For local builds and tests:
  export DUCKDB_LIB_DIR=$dir LD_LIBRARY_PATH=$dir LD_PRELOAD=$dir/libpython_stub.so
  cargo test --workspace --no-default-features
MSG
