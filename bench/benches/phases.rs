//! Per-phase benchmarks (`cargo bench --bench phases`): lexing, parsing and
//! lowering, binding and type checking, Jinja rendering and whole-project
//! loading, on the TPC-H and TPC-DS queries of `../shared/corpus` and on a
//! generated dbt project. Each benchmark reports throughput (bytes or
//! models per second), so figures compare across machines and inputs.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fusion_dialects::duckdb::DuckDb;
use fusion_dialects::Dialect;
use fusion_frontend::{load_project, LoadOptions};
use fusion_ir::graph::NodeKind;
use fusion_ir::name::Name;
use fusion_ir::query::Statement;
use fusion_ir::schema::{Catalog, Column, RelationName, RelationSchema, Schema};
use fusion_ir::span::FileId;
use fusion_passes::bind::bind_query;
use fusion_passes::lookup::CatalogLookup;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The TPC-H and TPC-DS queries joined into one text each, with their
/// schemas, when the shared corpus is beside the repository.
struct BenchmarkQueries {
    name: &'static str,
    queries: Vec<String>,
    catalog: Catalog,
}

fn corpus_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/benchmarks")
}

fn benchmark_queries() -> Vec<BenchmarkQueries> {
    let folder = corpus_folder();
    let mut sets = Vec::new();
    for name in ["tpch", "tpcds"] {
        let (Ok(queries_text), Ok(schema_text)) = (
            std::fs::read_to_string(folder.join(format!("{name}.jsonl"))),
            std::fs::read_to_string(folder.join(format!("{name}.schema.json"))),
        ) else {
            eprintln!(
                "benches: {} not found; corpus benchmarks skipped",
                folder.display()
            );
            continue;
        };
        let queries = queries_text
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|case| case["sql"].as_str().map(str::to_string))
            .collect();
        let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap_or_default();
        let semantics = DuckDb.semantics();
        let mut catalog = Catalog::default();
        for (table, columns) in schema.as_object().into_iter().flatten() {
            let columns = columns
                .as_object()
                .into_iter()
                .flatten()
                .map(|(column, ty)| {
                    let ty = semantics
                        .parse_type_name(ty.as_str().unwrap_or_default())
                        .unwrap_or(fusion_ir::types::SqlType::Unknown);
                    Column::new(Name::new(column), ty, true)
                })
                .collect();
            catalog.relations.insert(
                RelationName {
                    database: None,
                    schema: None,
                    identifier: Name::new(table),
                },
                RelationSchema::Known(Arc::new(Schema::new(columns))),
            );
        }
        sets.push(BenchmarkQueries {
            name,
            queries,
            catalog,
        });
    }
    sets
}

fn corpus_phases(criterion: &mut Criterion) {
    let dialect = DuckDb;
    for set in benchmark_queries() {
        let text = set.queries.join(";\n");
        let mut group = criterion.benchmark_group(format!("corpus/{}", set.name));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("lex", |bencher| {
            bencher.iter(|| fusion_dialects::duckdb::lexer::lex(&text).len())
        });
        group.bench_function("parse_syntax", |bencher| {
            bencher.iter(|| dialect.parse_syntax(&text, FileId(0)).statements.len())
        });
        group.bench_function("parse_and_lower", |bencher| {
            bencher.iter(|| dialect.parse(&text, FileId(0)).statements.len())
        });
        let parsed = dialect.parse(&text, FileId(0));
        let lookup = CatalogLookup::new(&set.catalog, dialect.semantics());
        group.bench_function("bind_and_type", |bencher| {
            bencher.iter(|| {
                parsed
                    .statements
                    .iter()
                    .filter_map(|statement| match statement {
                        Statement::Query(query) => Some(
                            bind_query(query, &lookup, dialect.semantics(), FileId(0))
                                .diagnostics
                                .len(),
                        ),
                        Statement::Opaque { .. } => None,
                    })
                    .sum::<usize>()
            })
        });
        let bound: Vec<_> = parsed
            .statements
            .iter()
            .filter_map(|statement| match statement {
                Statement::Query(query) => Some((
                    query,
                    bind_query(query, &lookup, dialect.semantics(), FileId(0)),
                )),
                Statement::Opaque { .. } => None,
            })
            .collect();
        group.bench_function("column_lineage", |bencher| {
            bencher.iter(|| {
                bound
                    .iter()
                    .map(|(query, bound)| {
                        fusion_passes::lineage::query_lineage(query, bound)
                            .unknown_relations
                            .len()
                    })
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

/// A generated project on disk, for as long as the benchmarks run.
fn generated_project(models: usize) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a scratch folder");
    let project = fusion_bench::project_generator::generate_project(
        fusion_bench::project_generator::GeneratorConfig {
            model_count: models,
            seed: 1,
        },
    )
    .expect("the generator accepts this size");
    fusion_bench::project_writer::write_project_to_directory(
        &project,
        fusion_bench::project_writer::WriteOptions { with_data: false },
        folder.path(),
    )
    .expect("the project writes");
    folder
}

/// A simple adapter naming for loading without the driver (which holds
/// the real ones): DuckDB's default database (the `path` file's stem) and
/// schema; the trait's defaults for the rest.
#[derive(Debug)]
struct BenchNaming;

impl fusion_frontend::adapter_naming::AdapterNaming for BenchNaming {
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

/// [`BenchNaming`] for every adapter type.
fn bench_naming(
    _adapter_type: &str,
) -> &'static dyn fusion_frontend::adapter_naming::AdapterNaming {
    &BenchNaming
}

fn project_phases(criterion: &mut Criterion) {
    let models = 1000;
    let folder = generated_project(models);
    let options = LoadOptions::new(folder.path().to_path_buf(), bench_naming);
    let mut group = criterion.benchmark_group("generated_project");
    group.sample_size(10);
    group.throughput(Throughput::Elements(models as u64));
    group.bench_with_input(
        BenchmarkId::new("load_and_render", models),
        &options,
        |bencher, options| {
            bencher.iter(|| {
                load_project(options)
                    .project
                    .map(|project| project.nodes.len())
            })
        },
    );
    let loaded = load_project(&options);
    let Some(project) = loaded.project else {
        eprintln!("benches: the generated project did not load");
        return;
    };
    let rendered: Vec<(&str, FileId)> = project
        .nodes
        .iter()
        .filter(|details| details.kind == NodeKind::Model)
        .filter_map(|details| {
            details
                .rendered
                .as_ref()
                .map(|rendered| (&*rendered.sql, rendered.file))
        })
        .collect();
    let bytes: usize = rendered.iter().map(|(sql, _)| sql.len()).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse_and_lower_models", |bencher| {
        bencher.iter(|| {
            rendered
                .iter()
                .map(|(sql, file)| DuckDb.parse(sql, *file).statements.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, corpus_phases, project_phases);
criterion_main!(benches);
