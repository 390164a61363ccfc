#!/usr/bin/env bash
# Whole-program benchmark: generates dbt projects of several sizes with fusionc-gen, then times
# `fusionc parse` and `fusionc compile` (and, when dbt-core with dbt-duckdb is installed,
# `dbt parse --no-partial-parse` and `dbt compile` on the very same projects), K runs each,
# and prints the median wall time and peak memory per command and size.
#
# Usage: bench/run.sh [--sizes "1000 10000"] [--runs 5] [--seed 1] [--keep]
# Environment: FUSIONC (default target/release/fusionc), FUSIONC_GEN (default
# target/release/fusionc-gen, built if missing), DBT (default: dbt on PATH),
# CARGO_TARGET_DIR (where target/ is).
set -euo pipefail
exec </dev/null  # nothing here may wait for input

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_directory="${CARGO_TARGET_DIR:-$repository_root/target}"
sizes="1000 10000"
runs=5
seed=1
keep=false

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --sizes) sizes="${2//,/ }"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then echo "run.sh: --runs needs a positive integer" >&2; exit 2; fi
for size in $sizes; do
    if ! [[ "$size" =~ ^[0-9]+$ ]] || (( size < 3 )); then echo "run.sh: sizes must be integers >= 3, not '$size'" >&2; exit 2; fi
done

if [[ ! -x /usr/bin/time ]]; then
    echo "run.sh: /usr/bin/time is needed for peak memory (Debian/Ubuntu: apt-get install time)" >&2
    exit 1
fi

generator="${FUSIONC_GEN:-$target_directory/release/fusionc-gen}"
if [[ ! -x "$generator" ]]; then
    echo "Building fusionc-gen (cargo build --release -p fusion-bench) ..."
    (cd "$repository_root" && cargo build --quiet --release -p fusion-bench)
fi
fusionc="${FUSIONC:-$target_directory/release/fusionc}"
fusionc_available=true
if [[ ! -x "$fusionc" ]]; then
    fusionc_available=false
    echo "fusionc not found at $fusionc: build it with 'cargo build --release -p fusion-driver' (or set FUSIONC); only dbt will be measured."
fi

dbt_command="${DBT:-dbt}"
dbt_available=false
if command -v "$dbt_command" >/dev/null 2>&1 && "$dbt_command" --version 2>/dev/null | grep -qi 'duckdb'; then
    dbt_available=true
    dbt_version="$("$dbt_command" --version 2>/dev/null | grep -i -m1 'installed' | sed 's/.*installed: *//')"
else
    echo "dbt with the duckdb adapter was not found, so there is no comparison with dbt Core."
    echo "  To include it: pip install dbt-core dbt-duckdb   (then rerun; or set DBT=/path/to/dbt)"
fi
# dbt should neither phone home nor look for updates while being timed.
export DBT_SEND_ANONYMOUS_USAGE_STATS=false DO_NOT_TRACK=1 DBT_VERSION_CHECK=false

work_directory="$(mktemp -d "${TMPDIR:-/tmp}/fusionc-bench.XXXXXX")"
cleanup() { if [[ "$keep" == true ]]; then echo "Projects kept in $work_directory"; else rm -rf "$work_directory"; fi; }
trap cleanup EXIT

# median VALUES...: the middle value, or the mean of the two middle ones.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ value[NR] = $1 } END {
        if (NR == 0) { print "n/a"; exit }
        if (NR % 2) { print value[(NR + 1) / 2] } else { printf "%.2f\n", (value[NR / 2] + value[NR / 2 + 1]) / 2 } }'
}

# measure LABEL PROJECT_DIR PREPARE COMMAND...: runs the command $runs times in PROJECT_DIR
# (running PREPARE, a shell snippet, before each run), and sets measured_wall and
# measured_memory_mb to the medians, or to "failed".
measure() {
    local label="$1" project_directory="$2" prepare="$3"
    shift 3
    local walls=() memories=() run status time_file="$work_directory/time.out"
    local output_file="$work_directory/command.out" error_file="$work_directory/command.err"
    for (( run = 1; run <= runs; run++ )); do
        (cd "$project_directory" && eval "$prepare")
        status=0
        (cd "$project_directory" && /usr/bin/time -f '%e %M' -o "$time_file" "$@" >"$output_file" 2>"$error_file") || status=$?
        if (( status != 0 )); then
            echo "  $label failed with exit status $status (run $run); last lines of its output:"
            if [[ -s "$error_file" ]]; then tail -n 8 "$error_file"; else tail -n 8 "$output_file"; fi | sed 's/^/    /'
            measured_wall=failed; measured_memory_mb=failed
            return 0
        fi
        read -r wall memory_kb < <(tail -n 1 "$time_file")
        walls+=("$wall"); memories+=("$(awk -v kb="$memory_kb" 'BEGIN { printf "%.1f", kb / 1024 }')")
    done
    measured_wall="$(median "${walls[@]}")"
    measured_memory_mb="$(median "${memories[@]}")"
    echo "  $label: median ${measured_wall} s, ${measured_memory_mb} MB over $runs runs"
}

ratio() {  # ratio A B: A / B, or n/a
    awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.3f", a / b; else print "n/a" }'
}

echo "Machine: $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo '? GB') memory; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "fusionc: $fusionc ($([[ "$fusionc_available" == true ]] && echo found || echo missing)); dbt: $([[ "$dbt_available" == true ]] && echo "$dbt_version" || echo 'not found'); runs per command: $runs; seed: $seed"
echo

table_rows=()
for size in $sizes; do
    project_directory="$work_directory/project_$size"
    echo "Size $size: generating ..."
    "$generator" --models "$size" --seed "$seed" --out "$project_directory" 2>&1 | sed 's/^/  /'
    declare -A wall=() memory=()
    if [[ "$fusionc_available" == true ]]; then
        measure "fusionc parse" "$project_directory" ":" "$fusionc" parse --project-dir "$project_directory"
        wall[fusionc_parse]="$measured_wall"; memory[fusionc_parse]="$measured_memory_mb"
        measure "fusionc compile" "$project_directory" ":" "$fusionc" compile --project-dir "$project_directory"
        wall[fusionc_compile]="$measured_wall"; memory[fusionc_compile]="$measured_memory_mb"
    fi
    if [[ "$dbt_available" == true ]]; then
        # Cold runs: dbt's partial-parse cache is removed so it parses everything, as fusionc does.
        measure "dbt parse --no-partial-parse" "$project_directory" "rm -f target/partial_parse.msgpack" \
            "$dbt_command" parse --no-partial-parse --project-dir "$project_directory" --profiles-dir "$project_directory"
        wall[dbt_parse]="$measured_wall"; memory[dbt_parse]="$measured_memory_mb"
        measure "dbt compile" "$project_directory" "rm -f target/partial_parse.msgpack" \
            "$dbt_command" compile --project-dir "$project_directory" --profiles-dir "$project_directory"
        wall[dbt_compile]="$measured_wall"; memory[dbt_compile]="$measured_memory_mb"
    fi
    for phase in parse compile; do
        fusionc_wall="${wall[fusionc_$phase]:-n/a}"; dbt_wall="${wall[dbt_$phase]:-n/a}"
        table_rows+=("$(printf '%8s  %-8s  %12s  %12s  %12s  %12s  %14s' "$size" "$phase" \
            "$fusionc_wall" "${memory[fusionc_$phase]:-n/a}" "$dbt_wall" "${memory[dbt_$phase]:-n/a}" \
            "$(ratio "$fusionc_wall" "$dbt_wall")")")
    done
    unset wall memory
    rm -rf "$project_directory/target" "$project_directory/logs"
    echo
done

echo "Medians of $runs runs (wall seconds, peak RSS in MB):"
printf '%8s  %-8s  %12s  %12s  %12s  %12s  %14s\n' "models" "command" "fusionc s" "fusionc MB" "dbt s" "dbt MB" "fusionc/dbt"
for row in "${table_rows[@]}"; do echo "$row"; done
