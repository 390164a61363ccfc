//! `fusionc compile`: load and select, parse and analyse the SQL of the
//! selected nodes, compute column lineage, and write the artifacts.

use crate::cli::{exit_code, Output, SelectionArgs};
use crate::session::{
    exit_code_for, load_session, print_summary, report_diagnostics, select_nodes, summary_line,
};
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::schema::RelationSchema;
use rayon::prelude::*;
use std::borrow::Cow;
use std::time::Instant;

/// `fusionc compile`: also parse and analyse the SQL, write the artifacts.
pub(crate) fn compile(arguments: &SelectionArgs, output: &mut Output<'_>) -> i32 {
    let started = Instant::now();
    let session = match load_session(&arguments.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let code = compile_loaded(&session, arguments, output, started);
    // As in `parse`: the loaded project is left to the operating system,
    // the process ends after this command.
    std::mem::forget(session);
    code
}

/// [`compile`] of a project already loaded (`docs generate` compiles,
/// then reads the catalog of the same project from the warehouse).
pub(crate) fn compile_loaded(
    session: &crate::session::Session,
    arguments: &SelectionArgs,
    output: &mut Output<'_>,
    started: Instant,
) -> i32 {
    let project = session.project();
    let selected = match select_nodes(session, arguments, output) {
        Ok(selected) => selected,
        Err(code) => return code,
    };
    let mut diagnostics = session.load.diagnostics.clone();
    let mut timings = session.load.phase_timings.clone();
    let mut compiled_sql: Vec<Option<Cow<'_, str>>> = vec![None; project.nodes.len()];
    let mut lineage = None;
    let mut analysis = None;
    let mut output_schemas: Vec<RelationSchema> =
        vec![RelationSchema::Unknown; project.nodes.len()];
    if let Ok(order) = project.graph.topological_order() {
        let mut analysed = crate::pipeline::analyse(
            project,
            session.dialect,
            &order,
            &selected,
            &session.load.diagnostics,
        );
        let lineage_started = Instant::now();
        lineage = Some(crate::artifacts::lineage::lineage_of_project(
            project, &order, &analysed,
        ));
        let lineage_time = lineage_started.elapsed();
        timings.extend(analysed.phase_timings.iter().copied());
        timings.push(("column lineage", lineage_time));
        output_schemas = analysed
            .schemas
            .iter()
            .map(|schema| schema.output.clone())
            .collect();
        diagnostics.append(&mut analysed.diagnostics);
        analysis = Some(analysed);
        let compiled_started = Instant::now();
        compiled_sql = (0..project.nodes.len())
            .into_par_iter()
            .map(|index| {
                let details = &project.nodes[index];
                let wanted = selected[index]
                    && details.rendered.is_some()
                    && details.kind != NodeKind::Source;
                wanted
                    .then(|| {
                        crate::artifacts::compiled::compiled_sql(project, NodeId(index as u32))
                    })
                    .flatten()
            })
            .collect();
        // A unit test compiles to its model's query over its given rows,
        // typed by the analysis (no warehouse is read); one that cannot be
        // built has no compiled SQL (the analysis reported why).
        for unit_test in &project.unit_tests {
            let index = unit_test.node.index();
            if !selected[index] {
                continue;
            }
            let query = crate::unit_tests::actual_query(&crate::unit_tests::QueryInputs {
                project,
                unit_test,
                output_schemas: &output_schemas,
                semantics: session.dialect.semantics(),
                warehouse: None,
                which: "compile",
                full_refresh: false,
            });
            if let Ok(query) = query {
                compiled_sql[index] = Some(Cow::Owned(query.sql));
            }
        }
        timings.push(("compiled SQL", compiled_started.elapsed()));
    }
    let artifacts_started = Instant::now();
    // lineage.json is written while the other artifacts are.
    let (written, lineage_written) = rayon::join(
        || {
            crate::artifacts::write_compile_artifacts(
                project,
                &compiled_sql,
                &output_schemas,
                session.dialect.semantics(),
            )
        },
        || {
            let started = Instant::now();
            lineage
                .as_ref()
                .map_or(Ok(()), |lineage| {
                    crate::artifacts::lineage::write_lineage_artifact(project, lineage)
                })
                .map(|()| started.elapsed())
        },
    );
    let written = written
        .map(|artifact_timings| timings.extend(artifact_timings))
        .and(lineage_written)
        .map(|lineage_time| timings.push(("lineage.json", lineage_time)));
    timings.push(("artifacts (wall)", artifacts_started.elapsed()));
    // The process ends after this command: freeing the project, its syntax
    // trees, bindings and lineage one allocation at a time would only delay
    // the exit (about a twentieth of a large compile), so they are left to
    // the operating system.
    std::mem::forget((analysis, lineage, compiled_sql, output_schemas));
    if arguments.project.timings {
        print_timings(output, &timings);
    }
    if let Err(error) = written {
        let _ = writeln!(
            output.stderr,
            "error: could not write the artifacts: {error}"
        );
        report_diagnostics(
            &session.load,
            &diagnostics,
            arguments.project.log_format,
            output,
        );
        return exit_code::PROJECT_ERROR;
    }
    report_diagnostics(
        &session.load,
        &diagnostics,
        arguments.project.log_format,
        output,
    );
    let line = summary_line(project, &selected, &diagnostics);
    print_summary(
        output,
        arguments.project.log_format,
        "compiled",
        &line,
        started,
    );
    exit_code_for(&diagnostics)
}

/// `--timings`: one line per phase, on stderr.
fn print_timings(output: &mut Output<'_>, timings: &[(&'static str, std::time::Duration)]) {
    for (phase, duration) in timings {
        let _ = writeln!(
            output.stderr,
            "timing {phase:<24} {:>9.1} ms",
            duration.as_secs_f64() * 1000.0
        );
    }
}
