"""Measures fusionc on the public projects that setup.sh laid out, next to dbt-core.

For each project of projects.txt: the nodes `dbt ls` finds (dbt-core 1.11 with the project's
adapter) against the nodes `fusionc ls` finds, by unique id; then `fusionc compile`'s errors and
warnings by code. Prints a Markdown table; writes the details (ids only one tool found, every
error) under OUT/results/<project>/.

Usage: python3 bench/real/measure.py [OUT] [--only PROJECT] [--no-dbt]
Environment: FUSIONC (default target/release/fusionc), DBT (default dbt on PATH).
dbt's listing is cached in OUT/results/<project>/dbt_ls.json; delete it to list again.
"""

import collections
import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def projects():
    for line in (HERE / "projects.txt").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, adapter, repository, revision, folder = line.split()
            yield name, adapter, repository, revision, folder


def project_vars():
    """The --vars of each project that needs some (vars.txt), by project name."""
    found = {}
    path = HERE / "vars.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                name, _, text = line.strip().partition(" ")
                found[name] = text.strip()
    return found


def json_lines(text):
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                pass


def dbt_nodes(dbt, folder, cache, vars_text=None):
    if not cache.exists():
        started = time.monotonic()
        result = subprocess.run(
            [dbt, "ls", "--profiles-dir", ".", "--resource-type", "all", "--output", "json",
             "--output-keys", "unique_id", "resource_type", "--no-partial-parse",
             *(["--vars", vars_text] if vars_text else [])],
            cwd=folder, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        listing = {
            "exit": result.returncode,
            "seconds": round(time.monotonic() - started, 1),
            "nodes": {row["unique_id"]: row["resource_type"] for row in json_lines(result.stdout)
                      if "unique_id" in row},
            "log": result.stdout[-4000:] if result.returncode else "",
        }
        cache.write_text(json.dumps(listing, indent=1))
    return json.loads(cache.read_text())


def fusionc_run(fusionc, folder, *arguments, vars_text=None):
    started = time.monotonic()
    extra = ["--vars", vars_text] if vars_text else []
    result = subprocess.run([fusionc, *arguments, *extra, "--project-dir", "."], cwd=folder,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return result, round(time.monotonic() - started, 2)


def main():
    arguments = sys.argv[1:]
    only = None
    if "--only" in arguments:
        index = arguments.index("--only")
        only = arguments[index + 1]
        del arguments[index:index + 2]
    use_dbt = "--no-dbt" not in arguments
    arguments = [argument for argument in arguments if argument != "--no-dbt"]
    out = pathlib.Path(arguments[0] if arguments else "/tmp/fusionc-real")
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    fusionc = os.environ.get("FUSIONC", str(target / "release" / "fusionc"))
    dbt = os.environ.get("DBT", "dbt")

    rows = []
    all_vars = project_vars()
    for name, adapter, repository, revision, folder_name in projects():
        if only and only != name:
            continue
        folder = out / name / folder_name
        results = out / "results" / name
        results.mkdir(parents=True, exist_ok=True)
        vars_text = all_vars.get(name)
        listed, list_seconds = fusionc_run(fusionc, folder, "ls", "--output", "json",
                                           vars_text=vars_text)
        if "panicked" in listed.stderr:
            (results / "panic.txt").write_text(listed.stderr)
        ours = {row["unique_id"]: row["resource_type"] for row in json_lines(listed.stdout)
                if "unique_id" in row}
        compiled, compile_seconds = fusionc_run(fusionc, folder, "compile", "--log-format", "json",
                                                vars_text=vars_text)
        panicked = "panicked" in compiled.stderr or "panicked" in listed.stderr
        diagnostics = list(json_lines(compiled.stdout + "\n" + compiled.stderr))
        errors = [d for d in diagnostics if d.get("severity") == "error"]
        warnings = [d for d in diagnostics if d.get("severity") == "warning"]
        (results / "errors.txt").write_text("".join(
            f"{d.get('code')} {(d.get('location') or {}).get('file')}:"
            f"{(d.get('location') or {}).get('line')}: {d.get('message')}\n" for d in errors))
        (results / "compile_stderr.txt").write_text(compiled.stderr[-20000:])
        by_code = collections.Counter(d.get("code") for d in errors)
        row = {
            "project": name, "adapter": adapter, "source": f"{repository}@{revision}",
            "fusionc_nodes": len(ours), "errors": len(errors), "warnings": len(warnings),
            "error_codes": dict(by_code.most_common()), "panic": panicked,
            "compile_exit": compiled.returncode, "compile_seconds": compile_seconds,
        }
        if use_dbt:
            listing = dbt_nodes(dbt, folder, results / "dbt_ls.json", vars_text)
            theirs = listing["nodes"]
            only_dbt = sorted(set(theirs) - set(ours))
            only_fusionc = sorted(set(ours) - set(theirs))
            (results / "only_dbt.txt").write_text("".join(f"{i}\n" for i in only_dbt))
            (results / "only_fusionc.txt").write_text("".join(f"{i}\n" for i in only_fusionc))
            row.update(dbt_nodes=len(theirs), dbt_exit=listing["exit"], only_dbt=len(only_dbt),
                       only_fusionc=len(only_fusionc),
                       kinds=dict(collections.Counter(theirs.values())))
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)

    (out / "results" / "summary.json").write_text(json.dumps(rows, indent=1))
    print("| project | adapter | source | dbt nodes | fusionc nodes | only dbt | only fusionc "
          "| compile errors | panic |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        codes = ", ".join(f"{code} {count}" for code, count in row["error_codes"].items())
        print(f"| {row['project']} | {row['adapter']} | `{row['source']}` | {row.get('dbt_nodes', '')} "
              f"| {row['fusionc_nodes']} | {row.get('only_dbt', '')} | {row.get('only_fusionc', '')} "
              f"| {row['errors']}{f' ({codes})' if codes else ''} | {'yes' if row['panic'] else 'no'} |")


if __name__ == "__main__":
    main()
