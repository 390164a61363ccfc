//! `fusionc state show | clear`: the state store of state-aware runs, as
//! the target's warehouse holds it.

use crate::cli::{exit_code, Output, StateStoreArgs};
use crate::session::{connect_to_warehouse, load_session, report_diagnostics};
use crate::state::store::{self, StoreLocation};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;

/// `fusionc state show`: a line per node with a recorded build.
pub(crate) fn show(arguments: &StateStoreArgs, output: &mut Output<'_>) -> i32 {
    with_store(arguments, output, |connection, flavor, location, output| {
        let states = store::read_states(connection, flavor, location)?;
        let mut states: Vec<_> = states.into_values().collect();
        states.sort_by(|left, right| left.unique_id.cmp(&right.unique_id));
        let _ = writeln!(
            output.stdout,
            "State of target `{}` in schema `{}`: {} node{}",
            location.target,
            location.schema,
            states.len(),
            if states.len() == 1 { "" } else { "s" }
        );
        for state in &states {
            let markers = state
                .upstream_markers
                .iter()
                .map(|(unique_id, marker)| format!("{unique_id}={marker}"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                output.stdout,
                "{}  {}  built {}  hash {}  invocation {}{}",
                state.unique_id,
                state.status,
                state.built_at,
                state.node_hash,
                state.invocation_id,
                if markers.is_empty() {
                    String::new()
                } else {
                    format!("  upstream: {markers}")
                }
            );
        }
        for (unique_id, holder, expires_in) in
            crate::state::lease::held(connection, flavor, location)
        {
            let _ = writeln!(
                output.stdout,
                "{unique_id}  being built by {holder}  lease {}",
                if expires_in < 0.0 {
                    "expired (the next job takes it over)".to_string()
                } else {
                    format!("expires in {expires_in:.0}s unless renewed")
                }
            );
        }
        Ok(())
    })
}

/// `fusionc state clear`: forgets the target's recorded builds.
pub(crate) fn clear(arguments: &StateStoreArgs, output: &mut Output<'_>) -> i32 {
    with_store(arguments, output, |connection, flavor, location, output| {
        let cleared = store::clear(connection, flavor, location)?;
        let _ = writeln!(
            output.stdout,
            "Cleared the state of {cleared} node{} for target `{}`",
            if cleared == 1 { "" } else { "s" },
            location.target
        );
        Ok(())
    })
}

fn with_store(
    arguments: &StateStoreArgs,
    output: &mut Output<'_>,
    work: impl FnOnce(
        &mut dyn crate::adapter::Connection,
        &dyn crate::adapter::SqlFlavor,
        &StoreLocation,
        &mut Output<'_>,
    ) -> Result<(), crate::adapter::AdapterError>,
) -> i32 {
    let log_format = arguments.project.log_format;
    let session = match load_session(&arguments.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let mut warehouse = match connect_to_warehouse(&session, log_format, output) {
        Ok(warehouse) => warehouse,
        Err(code) => return code,
    };
    let project = session.project();
    let schema = store::state_schema(arguments.state_schema.as_deref(), project);
    let location = StoreLocation::new(&project.target, &schema);
    match work(
        warehouse.connection.as_mut(),
        warehouse.adapter.flavor(),
        &location,
        output,
    ) {
        Ok(()) => exit_code::SUCCESS,
        Err(error) => {
            let diagnostic = Diagnostic::new(
                Code::StateStoreUnavailable,
                format!(
                    "the state store `{schema}` cannot be used: {}",
                    error.message
                ),
            );
            report_diagnostics(&session.load, &[diagnostic], log_format, output);
            exit_code::PROJECT_ERROR
        }
    }
}
