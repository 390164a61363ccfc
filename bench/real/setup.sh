#!/usr/bin/env bash
# Sets up the public dbt projects of projects.txt, with the packages of packages.txt, from their
# sources: each project is checked out at its revision into OUT/<project>, its packages are
# installed under dbt_packages/ as `dbt deps` would install them (hub and git packages from their
# git repositories at the resolved release; `local:` packages of packages.yml as links), and a
# profiles.yml for its adapter is written beside dbt_project.yml (DuckDB: a file in the project;
# Postgres: the local server; Snowflake, BigQuery, Databricks: placeholders, enough to parse and
# compile, which need no connection).
#
# Usage: bench/real/setup.sh [OUT] [--mirrors DIR] [--only PROJECT]
#   OUT        where to put the projects (default /tmp/fusionc-real)
#   --mirrors  a folder of bare repositories named owner+name/repo (as the tool library's fetch
#              leaves them); without it, repositories are cloned from https://github.com/.
set -euo pipefail
exec </dev/null
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out=/tmp/fusionc-real
mirrors=""
only=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --mirrors) mirrors="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) out="$1"; shift ;;
    esac
done
mkdir -p "$out/.repos"

# A bare copy of owner/name, from the mirror folder or GitHub, fetched once.
repository() {
    local name="$1" bare="$out/.repos/${1/\//+}.git"
    if [[ ! -d "$bare" ]]; then
        if [[ -n "$mirrors" ]]; then
            git clone --quiet --bare "$mirrors/${name/\//+}/repo" "$bare"
        else
            git clone --quiet --bare "https://github.com/$name.git" "$bare"
        fi
    fi
    echo "$bare"
}

# Writes the tree of REPOSITORY at REVISION into FOLDER.
checkout() {
    local bare revision="$2" folder="$3"
    bare="$(repository "$1")"
    rm -rf "$folder"
    mkdir -p "$folder"
    # Snapshots of a repository can lack its largest files: check out the rest, and say so.
    local index="$out/.index"
    rm -f "$index"
    in_folder() { GIT_INDEX_FILE="$index" git -c core.bare=false --git-dir="$bare" --work-tree="$folder" "$@"; }
    in_folder read-tree "$revision"
    git -C "$bare" ls-tree -r --format='%(objecttype) %(objectname) %(path)' "$revision" \
        | awk '$1 == "blob"' | while read -r _ object path; do
            if ! git -C "$bare" cat-file -e "$object" 2>/dev/null; then
                echo "   (not in the repository copy: $path)" >&2
                in_folder update-index --force-remove -- "$path"
            fi
        done
    in_folder checkout-index --all --force
    rm -f "$index"
}

# The `name:` of a dbt project folder.
project_name() {
    sed -n -E "s/^name:[[:space:]]*['\"]?([A-Za-z0-9_]+)['\"]?.*/\1/p" "$1/dbt_project.yml" | head -n 1
}

profile_for() {
    local adapter="$1" project="$2" folder="$3" profile
    profile="$(sed -n -E "s/^profile:[[:space:]]*['\"]?([A-Za-z0-9_-]+)['\"]?.*/\1/p" "$folder/dbt_project.yml" | head -n 1)"
    profile="${profile:-default}"
    {
        echo "$profile:"
        echo "  target: $adapter"
        echo "  outputs:"
        echo "    $adapter:"
        case "$adapter" in
            duckdb) printf '      type: duckdb\n      path: %s\n      threads: 4\n' "$folder/warehouse.duckdb" ;;
            postgres) printf '      type: postgres\n      host: 127.0.0.1\n      port: 5432\n      user: postgres\n      password: ""\n      dbname: test\n      schema: %s\n      threads: 4\n' "$project" ;;
            snowflake) printf '      type: snowflake\n      account: placeholder\n      user: placeholder\n      password: placeholder\n      role: transformer\n      database: ANALYTICS\n      warehouse: TRANSFORMING\n      schema: %s\n      threads: 4\n' "$project" ;;
            bigquery) printf '      type: bigquery\n      method: oauth\n      project: placeholder-project\n      dataset: %s\n      threads: 4\n' "$project" ;;
            databricks) printf '      type: databricks\n      host: placeholder.cloud.databricks.com\n      http_path: /sql/1.0/warehouses/placeholder\n      token: placeholder\n      catalog: main\n      schema: %s\n      threads: 4\n' "$project" ;;
        esac
    } > "$folder/profiles.yml"
}

grep -v '^\s*#' "$here/projects.txt" | while read -r project adapter name revision subfolder; do
    [[ -z "$project" || ( -n "$only" && "$only" != "$project" ) ]] && continue
    echo "== $project ($name@$revision, $adapter)"
    checkout "$name" "$revision" "$out/$project"
    folder="$out/$project/$subfolder"
    mkdir -p "$folder/dbt_packages"
    # local: packages, linked under their project name as dbt deps does.
    for packages_file in "$folder/packages.yml" "$folder/dependencies.yml"; do
        [[ -f "$packages_file" ]] || continue
        sed -n -E "s/^[[:space:]]*-?[[:space:]]*local:[[:space:]]*['\"]?([^'\"#]+)['\"]?.*/\1/p" "$packages_file" | while read -r path || [[ -n "$path" ]]; do
            path="${path%/}"; path="${path%% }"
            target="$(cd "$folder/$path" && pwd)"
            ln -sfn "$target" "$folder/dbt_packages/$(project_name "$target")"
        done
    done
    grep -v '^\s*#' "$here/packages.txt" | while read -r owner package_name package_revision; do
        [[ "$owner" == "$project" ]] || continue
        staging="$out/.staging"
        checkout "$package_name" "$package_revision" "$staging"
        installed="$(project_name "$staging")"
        rm -rf "${folder:?}/dbt_packages/$installed"
        mv "$staging" "$folder/dbt_packages/$installed"
        echo "   $installed <- $package_name@$package_revision"
    done
    # A package checked out as the root project may name no profile; dbt then needs --profile.
    # Name the one written below instead, so both tools run the project as it is otherwise.
    grep -q '^profile:' "$folder/dbt_project.yml" || printf '\nprofile: default\n' >> "$folder/dbt_project.yml"
    profile_for "$adapter" "$project" "$folder"
done
