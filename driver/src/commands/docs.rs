//! `fusionc docs generate`: compile the project (writing the artifacts
//! `compile` writes, the inferred `catalog.json` among them), then replace
//! `target/catalog.json` with the catalog the warehouse reports, as `dbt
//! docs generate` writes it: every selected model, seed, snapshot and source
//! that exists as a relation, with its type, comment and owner, and its
//! columns with the types the warehouse gives them. A node the warehouse
//! does not hold (not built yet, ephemeral, a test) is left out.
//!
//! dbt also copies its documentation website (`index.html`) into
//! `target/`; fusionc has none to copy.

use crate::artifacts::catalog::{
    relation_type, relations_of_catalog_rows, write_warehouse_catalog, CatalogKey, CatalogRun,
};
use crate::cli::{exit_code, DocsGenerateArgs, Output};
use crate::session::{connect_to_warehouse, load_session, select_nodes};
use fusion_ir::graph::NodeKind;
use std::collections::BTreeMap;
use std::time::Instant;

pub(crate) fn generate(arguments: &DocsGenerateArgs, output: &mut Output<'_>) -> i32 {
    let started = Instant::now();
    let invocation_started_at = crate::artifacts::stamp::run_stamp().0;
    let selection = &arguments.selection;
    let session = match load_session(&selection.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let code = generate_loaded(
        &session,
        arguments,
        output,
        (started, &invocation_started_at),
    );
    // The process ends after this command: the project is left to the
    // operating system, as `compile` leaves it.
    std::mem::forget(session);
    code
}

fn generate_loaded(
    session: &crate::session::Session,
    arguments: &DocsGenerateArgs,
    output: &mut Output<'_>,
    (started, invocation_started_at): (Instant, &str),
) -> i32 {
    let selection = &arguments.selection;
    if !arguments.no_compile {
        let code = crate::commands::compile::compile_loaded(session, selection, output, started);
        // dbt writes no catalog when a node fails to compile.
        if code != exit_code::SUCCESS {
            let _ = writeln!(
                output.stderr,
                "error: the project did not compile: no catalog was generated"
            );
            return code;
        }
    }
    let project = session.project();
    let selected = match select_nodes(session, selection, output) {
        Ok(selected) => selected,
        Err(code) => return code,
    };
    // The relations to look for, by database, then the schemas to read.
    let mut wanted: Vec<(CatalogKey, usize)> = Vec::new();
    let mut schemas_by_database: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (index, details) in project.nodes.iter().enumerate() {
        if !selected[index] || relation_type(details).is_none() {
            continue;
        }
        let database = details.database.clone().unwrap_or_default();
        let schema = details.schema.clone().unwrap_or_default();
        let key = (
            database.to_lowercase(),
            schema.to_lowercase(),
            details.alias.to_lowercase(),
        );
        let schemas = schemas_by_database.entry(database).or_default();
        if !schemas.contains(&key.1) {
            schemas.push(key.1.clone());
        }
        wanted.push((key, index));
    }
    let mut found: Vec<(CatalogKey, serde_json::Map<String, serde_json::Value>)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    if !arguments.empty_catalog && !wanted.is_empty() {
        let mut warehouse =
            match connect_to_warehouse(session, selection.project.log_format, output) {
                Ok(warehouse) => warehouse,
                Err(code) => return code,
            };
        let _ = writeln!(output.stdout, "Building catalog");
        let flavor = warehouse.adapter.flavor();
        for (database, schemas) in &schemas_by_database {
            let Some(query) = flavor.catalog_query(database, schemas) else {
                errors.push(format!(
                    "the {} adapter cannot read its warehouse's catalog",
                    warehouse.adapter.adapter_type()
                ));
                break;
            };
            match warehouse.connection.query(&query, None) {
                Ok(table) => found.extend(relations_of_catalog_rows(&table)),
                Err(error) => errors.push(format!(
                    "the catalog of database `{database}` could not be read: {}",
                    error.message
                )),
            }
        }
    }
    // Entries in the order of the catalog's rows (schema, then name), as
    // dbt writes them; a relation that is both a node and a source is in
    // both mappings.
    let mut nodes = serde_json::Map::new();
    let mut sources = serde_json::Map::new();
    for (key, entry) in found {
        for (_, index) in wanted.iter().filter(|(wanted_key, _)| *wanted_key == key) {
            let details = &project.nodes[*index];
            let mut entry = entry.clone();
            entry.insert(
                "unique_id".into(),
                serde_json::Value::String(details.unique_id.clone()),
            );
            let mapping = if details.kind == NodeKind::Source {
                &mut sources
            } else {
                &mut nodes
            };
            mapping.insert(details.unique_id.clone(), serde_json::Value::Object(entry));
        }
    }
    let target_dir = project.root_dir.join(&project.settings.target_path);
    let path = target_dir.join("catalog.json");
    let (generated_at, invocation_id) = crate::artifacts::stamp::run_stamp();
    let run = CatalogRun {
        dbt_version: concat!("fusionc-", env!("CARGO_PKG_VERSION")),
        generated_at: &generated_at,
        invocation_id: &invocation_id,
    };
    let failed = !errors.is_empty();
    let written = std::fs::create_dir_all(&target_dir).and_then(|()| {
        write_warehouse_catalog(
            &path,
            &run,
            invocation_started_at,
            nodes,
            sources,
            failed.then_some(errors.clone()),
        )
    });
    if let Err(error) = written {
        let _ = writeln!(
            output.stderr,
            "error: could not write {}: {error}",
            path.display()
        );
        return exit_code::PROJECT_ERROR;
    }
    for error in &errors {
        let _ = writeln!(output.stderr, "error: {error}");
    }
    if failed {
        let _ = writeln!(
            output.stdout,
            "{} exceptions occurred while building the catalog; it is incomplete",
            errors.len()
        );
    }
    let shown = std::path::absolute(&path).unwrap_or(path);
    let _ = writeln!(output.stdout, "Catalog written to {}", shown.display());
    if failed {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}
