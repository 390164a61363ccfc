//! `fusionc source freshness`: for each selected source with a freshness
//! rule, the latest value of its `loaded_at_field` (or the answer of its
//! `loaded_at_query`), its age, and `pass`, `warn` or `error` against its
//! `warn_after` and `error_after`, as dbt's `source freshness` reports them
//! on the console and in `target/sources.json`.
//!
//! A source whose freshness is set but which has neither a field nor a
//! query is skipped with a note: dbt would ask the warehouse's metadata,
//! which DuckDB does not keep.

use crate::cli::{exit_code, Output, SourceFreshnessArgs};
use crate::session::{connect_to_warehouse, load_session, select_nodes};
use fusion_frontend::NodeDetails;
use fusion_ir::graph::NodeKind;
use serde_json::{json, Value};
use std::time::Instant;

/// One source's check.
struct Checked<'a> {
    details: &'a NodeDetails,
    outcome: Result<Measured, String>,
    started_at: String,
    completed_at: String,
    elapsed: f64,
}

struct Measured {
    max_loaded_at: f64,
    snapshotted_at: f64,
    status: &'static str,
}

pub(crate) fn freshness(arguments: &SourceFreshnessArgs, output: &mut Output<'_>) -> i32 {
    let started = Instant::now();
    let log_format = arguments.selection.project.log_format;
    let session = match load_session(&arguments.selection.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let selected = match select_nodes(&session, &arguments.selection, output) {
        Ok(selected) => selected,
        Err(code) => return code,
    };
    let project = session.project();
    let mut sources: Vec<&NodeDetails> = Vec::new();
    for (index, details) in project.nodes.iter().enumerate() {
        if !selected[index] || details.kind != NodeKind::Source {
            continue;
        }
        let Some(rules) = rules(details) else {
            continue;
        };
        let has_rule = ["warn_after", "error_after"]
            .iter()
            .any(|name| threshold(rules, name).is_some());
        if !has_rule {
            continue;
        }
        let config = &details.config.values;
        if config
            .get("loaded_at_field")
            .and_then(Value::as_str)
            .is_none()
            && config
                .get("loaded_at_query")
                .and_then(Value::as_str)
                .is_none()
        {
            let _ = writeln!(
                output.stderr,
                "note: source {} has a freshness rule but no loaded_at_field or loaded_at_query: skipped (DuckDB keeps no table metadata to ask)",
                label(details)
            );
            continue;
        }
        sources.push(details);
    }
    // dbt checks them in the order of their unique ids.
    sources.sort_by(|left, right| left.unique_id.cmp(&right.unique_id));
    let mut warehouse = match connect_to_warehouse(&session, log_format, output) {
        Ok(warehouse) => warehouse,
        Err(code) => return code,
    };
    // The sources are checked one after the other, on one connection.
    let _ = writeln!(
        output.stdout,
        "Concurrency: 1 thread (target='{}')",
        project.target.target_name
    );
    let total = sources.len();
    let mut checked: Vec<Checked<'_>> = Vec::new();
    for (position, details) in sources.iter().enumerate() {
        let line = format!(
            "{} of {total} START freshness of {}",
            position + 1,
            label(details)
        );
        let _ = writeln!(output.stdout, "{}", padded(&line, "RUN"));
        let started_at = crate::artifacts::stamp::run_stamp().0;
        let clock = Instant::now();
        let outcome = measure(
            details,
            warehouse.connection.as_mut(),
            warehouse.adapter.flavor(),
        );
        let elapsed = clock.elapsed().as_secs_f64();
        let (word, tail) = match &outcome {
            Ok(measured) => {
                // dbt's word for a source past its error_after.
                let word = match measured.status {
                    "error" => "ERROR STALE".to_string(),
                    other => other.to_ascii_uppercase(),
                };
                (word.clone(), format!("{word} in {elapsed:.2}s"))
            }
            Err(_) => ("ERROR".to_string(), format!("ERROR in {elapsed:.2}s")),
        };
        let line = format!(
            "{} of {total} {word} freshness of {}",
            position + 1,
            label(details)
        );
        let _ = writeln!(output.stdout, "{}", padded(&line, &tail));
        checked.push(Checked {
            details,
            outcome,
            started_at,
            completed_at: crate::artifacts::stamp::run_stamp().0,
            elapsed,
        });
    }
    let _ = writeln!(
        output.stdout,
        "\nFinished running {total} source{} in {:.2}s.",
        if total == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64()
    );
    let mut failed = false;
    for check in &checked {
        match &check.outcome {
            Err(message) => {
                failed = true;
                let _ = writeln!(
                    output.stdout,
                    "\nDatabase Error in source {} ({})\n  {message}",
                    check.details.name, check.details.original_file_path
                );
            }
            Ok(measured) if measured.status == "error" => {
                failed = true;
                let _ = writeln!(
                    output.stdout,
                    "\nFailure in source {} ({})\n  Status: error",
                    check.details.name, check.details.original_file_path
                );
            }
            Ok(_) => {}
        }
    }
    let _ = writeln!(output.stdout, "Done.");
    let path = arguments.output.clone().unwrap_or_else(|| {
        project
            .root_dir
            .join(&project.settings.target_path)
            .join("sources.json")
    });
    if let Err(error) = write_sources_json(&path, &checked, started) {
        let _ = writeln!(
            output.stderr,
            "error: could not write {}: {error}",
            path.display()
        );
        return exit_code::PROJECT_ERROR;
    }
    if failed {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}

/// `raw.members`.
fn label(details: &NodeDetails) -> String {
    match &details.source {
        Some(source) => format!("{}.{}", source.source_name, source.table_name),
        None => details.name.clone(),
    }
}

fn padded(text: &str, status: &str) -> String {
    let dots = 80usize.saturating_sub(text.chars().count() + 1).max(3);
    format!("{text} {} [{status}]", ".".repeat(dots))
}

fn rules(details: &NodeDetails) -> Option<&serde_json::Map<String, Value>> {
    details
        .config
        .values
        .get("freshness")
        .and_then(Value::as_object)
}

/// A rule's `{count, period}` in seconds.
fn threshold(rules: &serde_json::Map<String, Value>, name: &str) -> Option<f64> {
    let rule = rules.get(name)?.as_object()?;
    let count = rule.get("count")?.as_f64()?;
    let unit = crate::state::decide::period_seconds(rule.get("period")?.as_str()?)?;
    Some(count * unit)
}

/// Asks the warehouse, as dbt's `collect_freshness` macros do: the latest
/// load time and the warehouse's current time, both as seconds since the
/// epoch (a timestamp without time zone counts as UTC, as dbt reads it).
fn measure(
    details: &NodeDetails,
    connection: &mut dyn crate::adapter::Connection,
    flavor: &dyn crate::adapter::SqlFlavor,
) -> Result<Measured, String> {
    let config = &details.config.values;
    let rules = rules(details).ok_or("no freshness rule")?;
    let relation = flavor.quoted(&crate::run::node::relation_of(details));
    let sql = match config.get("loaded_at_query").and_then(Value::as_str) {
        Some(query) => format!(
            "with source_query as ({query}) select extract(epoch from (select * from source_query)), extract(epoch from {now})",
            now = flavor.current_timestamp()
        ),
        None => {
            let field = config
                .get("loaded_at_field")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let filter = rules
                .get("filter")
                .and_then(Value::as_str)
                .map(|filter| format!(" where {filter}"))
                .unwrap_or_default();
            format!(
                "select extract(epoch from max({field})), extract(epoch from {now}), max({field}) from {relation}{filter}",
                now = flavor.current_timestamp()
            )
        }
    };
    let table = connection
        .query(&sql, Some(1))
        .map_err(|error| error.message)?;
    let row = table
        .rows
        .first()
        .ok_or("the freshness query returned no row")?;
    let number = |index: usize| -> Option<f64> {
        match row.get(index)? {
            Value::Number(number) => number.as_f64(),
            Value::String(text) => text.parse().ok(),
            _ => None,
        }
    };
    // dbt reads the field as a timestamp and refuses any other type.
    if let Some(kind) = table.column_types.get(2) {
        let lowered = kind.to_ascii_lowercase();
        if !lowered.contains("timestamp") && !lowered.contains("datetime") {
            return Err(format!(
                "the loaded_at_field of {} is a {lowered}, not a timestamp: freshness needs a timestamp",
                label(details)
            ));
        }
    }
    let snapshotted_at = number(1).ok_or("the warehouse gave no current time")?;
    // No load time at all counts as the earliest time there is, as dbt
    // reads it (`0001-01-01`): as stale as can be.
    let max_loaded_at = number(0).unwrap_or(EARLIEST);
    let age = snapshotted_at - max_loaded_at;
    let status = if threshold(rules, "error_after").is_some_and(|limit| age > limit) {
        "error"
    } else if threshold(rules, "warn_after").is_some_and(|limit| age > limit) {
        "warn"
    } else {
        "pass"
    };
    Ok(Measured {
        max_loaded_at,
        snapshotted_at,
        status,
    })
}

/// `0001-01-01T00:00:00Z` in seconds since the epoch: Python's
/// `datetime.min`, which dbt takes for a source without any load time.
const EARLIEST: f64 = -62_135_596_800.0;

/// `target/sources.json` in dbt's layout (sources v3).
fn write_sources_json(
    path: &std::path::Path,
    checked: &[Checked<'_>],
    started: Instant,
) -> std::io::Result<()> {
    let (generated_at, invocation_id) = crate::artifacts::stamp::run_stamp();
    let results: Vec<Value> = checked
        .iter()
        .map(|check| match &check.outcome {
            Err(message) => json!({
                "unique_id": check.details.unique_id,
                "error": message,
                "status": "runtime error",
            }),
            Ok(measured) => {
                let rules = rules(check.details);
                let rule = |name: &str| {
                    let rule = rules.and_then(|rules| rules.get(name)).and_then(Value::as_object);
                    json!({
                        "count": rule.and_then(|rule| rule.get("count")).cloned().unwrap_or(Value::Null),
                        "period": rule.and_then(|rule| rule.get("period")).cloned().unwrap_or(Value::Null),
                    })
                };
                json!({
                    "unique_id": check.details.unique_id,
                    "max_loaded_at": iso_utc(measured.max_loaded_at),
                    "snapshotted_at": iso_utc(measured.snapshotted_at),
                    "max_loaded_at_time_ago_in_s": measured.snapshotted_at - measured.max_loaded_at,
                    "status": measured.status,
                    "criteria": {
                        "warn_after": rule("warn_after"),
                        "error_after": rule("error_after"),
                        "filter": rules.and_then(|rules| rules.get("filter")).cloned().unwrap_or(Value::Null),
                    },
                    "adapter_response": {"_message": "OK"},
                    "timing": [
                        {"name": "compile", "started_at": check.started_at, "completed_at": check.started_at},
                        {"name": "execute", "started_at": check.started_at, "completed_at": check.completed_at},
                    ],
                    "thread_id": "Thread-1",
                    "execution_time": check.elapsed,
                })
            }
        })
        .collect();
    let document = json!({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json",
            "dbt_version": "1.10.0",
            "generated_at": generated_at,
            "invocation_id": invocation_id,
            "env": {},
        },
        "results": results,
        "elapsed_time": started.elapsed().as_secs_f64(),
    });
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = serde_json::to_string_pretty(&document).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}

/// Seconds since the epoch as dbt (Python's `isoformat`) writes an aware
/// UTC time: `2024-01-02T03:04:05.678901+00:00`, without the fraction
/// when it is zero.
fn iso_utc(epoch: f64) -> String {
    let whole = epoch.floor();
    let micros = ((epoch - whole) * 1_000_000.0).round() as u64 % 1_000_000;
    let text = crate::state::rfc3339(whole);
    let text = text.trim_end_matches('Z');
    if micros == 0 {
        format!("{text}+00:00")
    } else {
        format!("{text}.{micros:06}+00:00")
    }
}
