//! Loads the dbt project given as the first argument and prints how long it
//! took and what was found: a manual check of the loader's speed on large
//! generated projects (`cargo run --release -p fusion-frontend --example load_timing -- <dir>`).

fn main() {
    let Some(project_dir) = std::env::args().nth(1) else {
        eprintln!("usage: load_timing <project dir>");
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let result = fusion_frontend::load_project(&fusion_frontend::LoadOptions::new(
        project_dir.into(),
        example_naming,
    ));
    let elapsed = started.elapsed();
    let nodes = result
        .project
        .as_ref()
        .map_or(0, |project| project.nodes.len());
    println!(
        "loaded {nodes} nodes in {:.3} s with {} diagnostics",
        elapsed.as_secs_f64(),
        result.diagnostics.len()
    );
    for diagnostic in result.diagnostics.iter().take(5) {
        println!("{} {}", diagnostic.code, diagnostic.message);
    }
}

/// A simple adapter naming for loading without the driver (which holds
/// the real ones): DuckDB's default database (the `path` file's stem) and
/// schema; the trait's defaults for the rest.
#[derive(Debug)]
struct ExampleNaming;

impl fusion_frontend::adapter_naming::AdapterNaming for ExampleNaming {
    fn default_database(
        &self,
        profile_output: &serde_json::Map<String, serde_json::Value>,
    ) -> String {
        profile_output
            .get("path")
            .and_then(serde_json::Value::as_str)
            .and_then(|path| std::path::Path::new(path).file_stem())
            .map_or_else(
                || "memory".to_string(),
                |stem| stem.to_string_lossy().into_owned(),
            )
    }

    fn default_schema(&self) -> String {
        "main".to_string()
    }
}

/// [`ExampleNaming`] for every adapter type.
fn example_naming(
    _adapter_type: &str,
) -> &'static dyn fusion_frontend::adapter_naming::AdapterNaming {
    &ExampleNaming
}
