"""Compares two DuckDB warehouse files relation by relation: kind, column
names and types in order, and rows (sorted). Values of the build clock
(snapshot bookkeeping columns, and columns named in --mask) are masked.
fusionc's state store (schema `fusionc_state`, or FUSIONC_STATE_SCHEMA) is
bookkeeping of the tool, not a relation of the project: it is left out.

Usage: python compare_warehouses.py REFERENCE.duckdb CANDIDATE.duckdb [--mask col ...]
Exit code 0 when identical, 1 when they differ. Needs the duckdb module
(it comes with dbt-duckdb).
"""

import os
import sys

import duckdb

CLOCK_COLUMNS = {"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"}
STATE_SCHEMA = os.environ.get("FUSIONC_STATE_SCHEMA", "fusionc_state")


def relations(path, masked_columns):
    connection = duckdb.connect(path, read_only=True)
    # Views over files name them relative to the project, where the
    # warehouse file lies in bench/parity.sh's copies.
    folder = os.path.dirname(os.path.abspath(path)).replace("'", "''")
    connection.execute(f"set file_search_path = '{folder}'")
    found = {}
    listing = connection.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        # fusionc's state store (schema fusionc_state) is its own bookkeeping.
        "where table_catalog = current_database() and table_schema <> 'fusionc_state' "
        "order by all"
    ).fetchall()
    for schema, name, kind in listing:
        if schema == STATE_SCHEMA:
            continue
        columns = connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, name],
        ).fetchall()
        hidden = {index for index, (column, _) in enumerate(columns) if column in masked_columns}
        try:
            rows = connection.execute(f'select * from "{schema}"."{name}" order by all').fetchall()
            rows = [tuple("<clock>" if index in hidden else value for index, value in enumerate(row)) for row in rows]
        except duckdb.Error as error:
            rows = f"unreadable: {error}"
        found[(schema, name)] = {"kind": kind, "columns": columns, "rows": rows}
    return found


def main(arguments):
    if len(arguments) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    masked = set(CLOCK_COLUMNS)
    if "--mask" in arguments:
        masked.update(arguments[arguments.index("--mask") + 1 :])
        arguments = arguments[: arguments.index("--mask")]
    reference, candidate = relations(arguments[0], masked), relations(arguments[1], masked)
    differences = 0
    for key in sorted(set(reference) | set(candidate)):
        name = ".".join(key)
        if key not in candidate:
            print(f"  only in the reference: {name}")
            differences += 1
            continue
        if key not in reference:
            print(f"  only in the candidate: {name}")
            differences += 1
            continue
        for part in ("kind", "columns", "rows"):
            if reference[key][part] != candidate[key][part]:
                differences += 1
                print(f"  {name}: {part} differ")
                print(f"    reference: {reference[key][part]}")
                print(f"    candidate: {candidate[key][part]}")
    print(f"  {len(reference)} relations in the reference, {len(candidate)} in the candidate, "
          f"{'identical' if differences == 0 else f'{differences} differences'}")
    return 0 if differences == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
