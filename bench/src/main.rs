//! The `fusionc-gen` command: writes a synthetic dbt project for DuckDB, byte-for-byte the same for the same model count and seed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use fusion_bench::project_generator::{generate_project, GeneratorConfig};
use fusion_bench::project_model::ModelLayer;
use fusion_bench::project_writer::{write_project_to_directory, WriteOptions};

/// Generate a synthetic dbt project (DuckDB) for benchmarks.
#[derive(Parser, Debug)]
#[command(name = "fusionc-gen", version)]
struct Arguments {
    /// Number of models (about 30% staging, 45% intermediate, 25% marts); at least 3.
    #[arg(long)]
    models: usize,
    /// Seed of the generator; the same models and seed give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory to write the project into; it must not exist or be empty.
    #[arg(long)]
    out: PathBuf,
    /// Also write seeds/ with a few rows per raw table, so `dbt seed && dbt run` works.
    #[arg(long)]
    with_data: bool,
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    // Refusing a non-empty directory keeps output exact: files left by an earlier, larger
    // project would otherwise become part of this one.
    if let Ok(mut entries) = std::fs::read_dir(&arguments.out) {
        if entries.next().is_some() {
            eprintln!(
                "fusionc-gen: {} exists and is not empty; choose a new directory",
                arguments.out.display()
            );
            return ExitCode::from(2);
        }
    }
    let started = Instant::now();
    let project = match generate_project(GeneratorConfig {
        model_count: arguments.models,
        seed: arguments.seed,
    }) {
        Ok(project) => project,
        Err(message) => {
            eprintln!("fusionc-gen: {message}");
            return ExitCode::from(2);
        }
    };
    let generated = started.elapsed();
    let options = WriteOptions {
        with_data: arguments.with_data,
    };
    let summary = match write_project_to_directory(&project, options, &arguments.out) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!(
                "fusionc-gen: cannot write to {}: {error}",
                arguments.out.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let total = started.elapsed();
    eprintln!(
        "fusionc-gen: {} models ({} staging, {} intermediate, {} marts), {} source tables, longest chain {} models; {} files, {:.1} MB in {} (generate {:.2} s, total {:.2} s)",
        project.models.len(),
        project.count_models_in_layer(ModelLayer::Staging),
        project.count_models_in_layer(ModelLayer::Intermediate),
        project.count_models_in_layer(ModelLayer::Marts),
        project.sources.len(),
        project.maximum_depth(),
        summary.file_count,
        summary.byte_count as f64 / 1e6,
        arguments.out.display(),
        generated.as_secs_f64(),
        total.as_secs_f64(),
    );
    ExitCode::SUCCESS
}
