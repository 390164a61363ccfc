//! Loads the dbt project given as the first argument and prints how long it
//! took and what was found: a manual check of the loader's speed on large
//! generated projects (`cargo run --release -p fusion-frontend --example load_timing -- <dir>`).

fn main() {
    let Some(project_dir) = std::env::args().nth(1) else {
        eprintln!("usage: load_timing <project dir>");
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let result = fusion_frontend::load_project(&fusion_frontend::LoadOptions {
        project_dir: project_dir.into(),
        ..Default::default()
    });
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
