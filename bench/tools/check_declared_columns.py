#!/usr/bin/env python3
"""Checks a generated project after `dbt seed && dbt run`: every model's columns and types in
DuckDB must be exactly the ones its schema YAML declares (which are the generator's tracked
columns). Needs the `duckdb` and `yaml` Python modules (both come with dbt-duckdb).

Usage: check_declared_columns.py PROJECT_DIR   (reads PROJECT_DIR/bench.duckdb)
"""
import pathlib
import sys

import duckdb
import yaml


def normalise(type_name):
    return type_name.upper().replace(" ", "")


def main():
    project = pathlib.Path(sys.argv[1])
    connection = duckdb.connect(str(project / "bench.duckdb"), read_only=True)
    actual = {}
    for table, column, data_type in connection.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main' order by table_name, ordinal_position"
    ).fetchall():
        actual.setdefault(table, []).append((column, normalise(data_type)))
    problems = 0
    checked = 0
    for schema_file in sorted((project / "models").rglob("_*.yml")):
        for model in yaml.safe_load(schema_file.read_text()).get("models", []):
            declared = [(c["name"], normalise(c["data_type"])) for c in model["columns"]]
            checked += 1
            if actual.get(model["name"]) != declared:
                problems += 1
                print(f"{model['name']}: declared {declared}\n  but DuckDB has {actual.get(model['name'])}")
    print(f"checked {checked} models, {problems} with columns or types other than declared")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
