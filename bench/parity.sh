#!/usr/bin/env bash
# Runs a DuckDB project with dbt-core + dbt-duckdb and with fusionc, step by
# step, from two empty warehouses, and compares the warehouses after every
# step (bench/tools/compare_warehouses.py): relations, column types, rows.
#
# Usage: bench/parity.sh PROJECT_DIR [STEPS_FILE]
#   PROJECT_DIR  a dbt project; its profiles.yml may name its DuckDB file
#                `__SCRATCH__/warehouse.duckdb` (as the fixtures in tests/run/ do),
#                otherwise the profile's own path must be relative.
#   STEPS_FILE   one command per line (`build`, `run -s x+`, ...), `copy DIR` to
#                lay DIR of the project over it; default PROJECT_DIR/steps.txt, or
#                just `build`. `show` steps and `--static-analysis` flags are
#                fusionc's own and are skipped for dbt.
# Environment: FUSIONC (default target/release/fusionc), DBT (default dbt on PATH;
# `pip install dbt-core dbt-duckdb`), PYTHON (one that has dbt-duckdb's duckdb module).
# Exit code: 0 when every step leaves identical warehouses, 1 otherwise.
set -euo pipefail
exec </dev/null

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_directory="${CARGO_TARGET_DIR:-$repository_root/target}"
fusionc="${FUSIONC:-$target_directory/release/fusionc}"
dbt="${DBT:-dbt}"
python="${PYTHON:-$(dirname "$(command -v "$dbt")")/python}"
[[ -x "$python" ]] || python=python3
project="${1:?usage: bench/parity.sh PROJECT_DIR [STEPS_FILE]}"
steps="${2:-$project/steps.txt}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

for tool in dbt fusionc; do
    cp -r "$project" "$scratch/$tool"
    rm -rf "$scratch/$tool/target"
    if [[ -f "$scratch/$tool/profiles.yml" ]]; then
        sed -i "s#__SCRATCH__#$scratch/$tool#" "$scratch/$tool/profiles.yml"
    fi
done
warehouse_of() {
    local found
    found="$(find "$1" -maxdepth 1 -name '*.duckdb' | head -n 1)"
    echo "${found:-$1/warehouse.duckdb}"
}

if [[ -f "$steps" ]]; then step_lines="$(grep -v '^\s*#' "$steps" | grep -v '^\s*$')"; else step_lines="build"; fi
failed=0
number=0
while IFS= read -r line; do
    number=$((number + 1))
    if [[ "$line" == copy\ * ]]; then
        for tool in dbt fusionc; do cp -r "$scratch/$tool/${line#copy }/." "$scratch/$tool/"; done
        continue
    fi
    [[ "$line" == show* ]] && continue
    dbt_line="$(sed -E 's/--static-analysis [a-z]+//' <<<"$line")"
    (cd "$scratch/dbt" && eval "\"$dbt\" $dbt_line --profiles-dir ." >"$scratch/dbt-$number.log" 2>&1) && dbt_exit=0 || dbt_exit=$?
    (cd "$scratch/fusionc" && eval "\"$fusionc\" $line --project-dir ." >"$scratch/fusionc-$number.log" 2>&1) && fusionc_exit=0 || fusionc_exit=$?
    echo "step $number: $line (dbt exit $dbt_exit, fusionc exit $fusionc_exit)"
    if ! "$python" "$repository_root/bench/tools/compare_warehouses.py" \
        "$(warehouse_of "$scratch/dbt")" "$(warehouse_of "$scratch/fusionc")" --mask ${PARITY_MASK:-}; then
        failed=1
    fi
done <<<"$step_lines"
exit "$failed"
