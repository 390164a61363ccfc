#!/usr/bin/env bash
# Runs a project with dbt-core + dbt-postgres and with fusionc, step by step,
# into two fresh schemas of the same Postgres server, and compares them after
# every step: relations and their kinds (materialized views too), column
# types (information_schema's, pg_attribute's for materialized views),
# and rows (sorted; timestamps with fractions of a second, which the run's
# clock writes into snapshots, and snapshot ids are masked).
#
# Usage: bench/parity_postgres.sh PROJECT_DIR [STEPS_FILE]
#   PROJECT_DIR  a dbt project; its profiles.yml is replaced by a postgres
#                target (the profile keeps the name dbt_project.yml gives it).
#   STEPS_FILE   as bench/parity.sh reads it; default PROJECT_DIR/steps.txt.
# Environment: FUSIONC (default $CARGO_TARGET_DIR/debug/fusionc), DBT (default
# dbt on PATH; `pip install "dbt-core==1.11.*" "dbt-postgres==1.10.*"`),
# FUSIONC_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test),
# PSQL (default psql).
# Exit code: 0 when every step leaves identical schemas, 1 otherwise.
set -euo pipefail
exec </dev/null

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_directory="${CARGO_TARGET_DIR:-$repository_root/target}"
fusionc="${FUSIONC:-$target_directory/debug/fusionc}"
dbt="${DBT:-dbt}"
psql_program="${PSQL:-psql}"
url="${FUSIONC_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
project="${1:?usage: bench/parity_postgres.sh PROJECT_DIR [STEPS_FILE]}"
steps="${2:-$project/steps.txt}"
scratch="$(mktemp -d)"
suffix="$(printf %08x "$$")"  # fixed width: no run's prefix starts another's

address="${url#*://}"
credentials="${address%%@*}"; [[ "$credentials" == "$address" ]] && credentials=postgres
address="${address#*@}"
database="${address#*/}"; database="${database%%\?*}"
address="${address%%/*}"
host="${address%:*}"; port="${address##*:}"; [[ "$port" == "$address" ]] && port=5432
user="${credentials%%:*}"
password=""; [[ "$credentials" == *:* ]] && password="${credentials#*:}"

sql() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD="$password" "$psql_program" -X -q -At -h "$host" -p "$port" -U "$user" -d "$database" -c "$1"; }
schemas_of() { sql "select nspname from pg_namespace where starts_with(nspname, '$1') order by 1"; }
drop_schemas() { for schema in $(schemas_of "$1"); do sql "drop schema \"$schema\" cascade" >/dev/null; done; }
cleanup() { drop_schemas "parity_dbt_$suffix"; drop_schemas "parity_fc_$suffix"; rm -rf "$scratch"; }
trap cleanup EXIT

profile_name="$(sed -nE "s/^profile:[[:space:]]*['\"]?([A-Za-z0-9_]+).*/\1/p" "$project/dbt_project.yml")"
for tool in dbt fusionc; do
    cp -r "$project" "$scratch/$tool"
    rm -rf "$scratch/$tool/target"
    schema="parity_fc_$suffix"; [[ "$tool" == dbt ]] && schema="parity_dbt_$suffix"
    cat >"$scratch/$tool/profiles.yml" <<PROFILE
$profile_name:
  target: dev
  outputs:
    dev:
      type: postgres
      host: "$host"
      port: $port
      user: "$user"
      password: "$password"
      dbname: "$database"
      schema: "$schema"
      threads: 1
PROFILE
done

# One schema family as text: the family's name replaced by [schema].
dump() {
    local prefix="$1" schema table kind
    for schema in $(schemas_of "$prefix"); do
        while IFS='|' read -r table kind; do
            [[ -z "$table" ]] && continue
            echo "== ${schema/$prefix/[schema]}.$table ($kind)"
            # information_schema leaves materialized views out: their columns come from pg_attribute.
            sql "select string_agg(name || ' ' || type, ', ' order by position) from (select column_name::text as name, data_type::text as type, ordinal_position::int as position from information_schema.columns where table_schema = '$schema' and table_name = '$table' union all select a.attname::text, format_type(a.atttypid, null), a.attnum::int from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = '$schema' and c.relname = '$table' and c.relkind = 'm' and a.attnum > 0 and not a.attisdropped) columns"
            sql "select to_jsonb(t) - 'dbt_scd_id' from \"$schema\".\"$table\" t" \
                | sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+/[now]/g' -e "s/$prefix/[schema]/g" | sort
        done < <(sql "select table_name, table_type from information_schema.tables where table_schema = '$schema' union all select matviewname, 'MATERIALIZED VIEW' from pg_matviews where schemaname = '$schema' order by 1")
    done
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
    (cd "$scratch/dbt" && eval "env -u LD_PRELOAD \"$dbt\" $dbt_line --profiles-dir ." >"$scratch/dbt-$number.log" 2>&1) && dbt_exit=0 || dbt_exit=$?
    (cd "$scratch/fusionc" && eval "\"$fusionc\" $line --project-dir ." >"$scratch/fusionc-$number.log" 2>&1) && fusionc_exit=0 || fusionc_exit=$?
    echo "step $number: $line (dbt exit $dbt_exit, fusionc exit $fusionc_exit)"
    dump "parity_dbt_$suffix" >"$scratch/dbt-$number.dump"
    dump "parity_fc_$suffix" >"$scratch/fusionc-$number.dump"
    if diff -u --label dbt-postgres --label fusionc "$scratch/dbt-$number.dump" "$scratch/fusionc-$number.dump"; then
        echo "  identical: $(grep -c "^== " "$scratch/dbt-$number.dump") relations, $(grep -vc "^== " "$scratch/dbt-$number.dump") lines of columns and rows"
    else
        failed=1
        [[ -n "${PARITY_VERBOSE:-}" ]] && tail -20 "$scratch/dbt-$number.log" "$scratch/fusionc-$number.log"
    fi
done <<<"$step_lines"
exit "$failed"
