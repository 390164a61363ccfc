//! Data-driven tests of the binder and type inference over DuckDB SQL.
//!
//! Each `tests/binder/*.sql` fixture starts with `-- schema: {...}`, a JSON
//! object mapping table names (`orders` or `main.orders`) to objects of
//! column name → type (`"INTEGER NOT NULL"` for a non-null column; `null`
//! instead of an object for a table whose columns are unknown). An optional
//! second line `-- dialect: snowflake` picks the dialect (DuckDB otherwise),
//! whose type names the schema uses. The rest of the file holds statements;
//! each is parsed with the dialect, bound, and snapshotted as its output
//! columns and diagnostics.
//!
//! The TPC-H and TPC-DS tests bind every benchmark query of the shared
//! corpus (`../shared/corpus/benchmarks`) against its schema; the goal is no
//! false errors.

use fusion_dialects::duckdb::DuckDb;
use fusion_dialects::{dialect_for_adapter, Dialect};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::name::Name;
use fusion_ir::query::Statement;
use fusion_ir::schema::{Catalog, Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;
use fusion_passes::bind::{bind_query, BoundQuery};
use fusion_passes::lookup::CatalogLookup;
use fusionc_tests::{catalog_from_json, relation_name};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: u32) -> (usize, usize) {
    let offset = (offset as usize).min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map(|newline| offset - newline)
        .unwrap_or(offset + 1);
    (line, column)
}

fn render_diagnostic(text: &str, diagnostic: &Diagnostic) -> String {
    let position = match &diagnostic.primary {
        Some(label) => {
            let (line, column) = line_column(text, label.location.span.start);
            format!("{line}:{column}")
        }
        None => "-".to_owned(),
    };
    let severity = format!("{:?}", diagnostic.severity).to_ascii_lowercase();
    let mut rendered = format!(
        "{} {severity} {position} {}",
        diagnostic.code, diagnostic.message
    );
    if let Some(help) = &diagnostic.help {
        write!(rendered, " [help: {help}]").ok();
    }
    for note in &diagnostic.notes {
        write!(rendered, " [note: {note}]").ok();
    }
    rendered
}

fn render_output(bound: &BoundQuery, semantics: &dyn DialectSemantics) -> String {
    match &bound.output {
        RelationSchema::Known(schema) => schema
            .columns
            .iter()
            .map(|column| {
                let null = if column.nullable { "" } else { " NOT NULL" };
                format!(
                    "  {} {}{null}\n",
                    column.name,
                    semantics.type_name(&column.ty)
                )
            })
            .collect(),
        RelationSchema::Unknown => "  (unknown)\n".to_owned(),
    }
}

/// Parses and binds every statement of `sql`; renders columns and diagnostics.
fn bind_text(sql: &str, catalog: &Catalog, dialect: &dyn Dialect) -> (String, usize) {
    let semantics = dialect.semantics();
    let lookup = CatalogLookup::new(catalog, semantics);
    let parsed = dialect.parse(sql, FileId(0));
    let mut rendered = String::new();
    let mut errors = 0;
    for diagnostic in &parsed.diagnostics {
        writeln!(rendered, "syntax: {}", render_diagnostic(sql, diagnostic)).ok();
        errors += 1;
    }
    for statement in &parsed.statements {
        let Statement::Query(query) = statement else {
            writeln!(rendered, "(not a query)").ok();
            continue;
        };
        let start = query
            .root
            .map(|root| query.rel(root).span.start)
            .unwrap_or(0);
        let (line, _) = line_column(sql, start);
        let bound = bind_query(query, &lookup, semantics, FileId(0));
        writeln!(rendered, "query at line {line}:").ok();
        rendered.push_str(&render_output(&bound, semantics));
        for diagnostic in &bound.diagnostics {
            writeln!(rendered, "  ! {}", render_diagnostic(sql, diagnostic)).ok();
            errors += usize::from(diagnostic.is_error());
        }
    }
    (rendered, errors)
}

fn fixtures() -> Vec<PathBuf> {
    fusionc_tests::files_with_extension(
        &fusionc_tests::repository_root().join("tests/binder"),
        "sql",
    )
}

#[test]
fn binder_fixtures() {
    let files = fixtures();
    assert!(
        files.len() >= 10,
        "expected the binder fixtures, found {}",
        files.len()
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("fixture is readable");
        let header = text
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("-- schema:"))
            .unwrap_or_else(|| panic!("{} must start with `-- schema: {{...}}`", path.display()));
        let schema: serde_json::Value = serde_json::from_str(header.trim())
            .unwrap_or_else(|error| panic!("schema header of {}: {error}", path.display()));
        let dialect: &dyn Dialect = match text
            .lines()
            .nth(1)
            .and_then(|line| line.strip_prefix("-- dialect:"))
        {
            Some(name) => dialect_for_adapter(name.trim())
                .unwrap_or_else(|| panic!("{}: no dialect `{}`", path.display(), name.trim())),
            None => &DuckDb,
        };
        let catalog = catalog_from_json(&schema, dialect.semantics());
        let (rendered, _) = bind_text(&text, &catalog, dialect);
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("fixture")
            .to_owned();
        insta::with_settings!({ input_file => &path, prepend_module_to_snapshot => true, description => text.clone() }, {
            insta::assert_snapshot!(stem, rendered);
        });
    }
}

/// The shared corpus folder, or `None` (with a notice) outside CI when it is missing.
pub fn corpus_folder() -> Option<PathBuf> {
    let folder = fusionc_tests::repository_root().join("../shared/corpus");
    if folder.is_dir() {
        return Some(folder);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the shared corpus is missing at {}",
        folder.display()
    );
    eprintln!(
        "notice: {} is missing; the corpus tests are skipped",
        folder.display()
    );
    None
}

fn benchmark(name: &str) {
    let Some(corpus) = corpus_folder() else {
        return;
    };
    let semantics = DuckDb.semantics();
    let folder: &Path = &corpus.join("benchmarks");
    let schema_text = std::fs::read_to_string(folder.join(format!("{name}.schema.json")))
        .expect("benchmark schema");
    let schema: serde_json::Value =
        serde_json::from_str(&schema_text).expect("benchmark schema is JSON");
    let catalog = catalog_from_json(&schema, semantics);
    let queries =
        std::fs::read_to_string(folder.join(format!("{name}.jsonl"))).expect("benchmark queries");
    let mut report = String::new();
    let (mut total, mut clean) = (0, 0);
    for line in queries.lines().filter(|line| !line.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("benchmark line is JSON");
        let id = case["id"].as_str().unwrap_or("?");
        let sql = case["sql"].as_str().unwrap_or("");
        let (rendered, errors) = bind_text(sql, &catalog, &DuckDb);
        total += 1;
        clean += usize::from(errors == 0);
        writeln!(report, "== {id}\n{rendered}").ok();
    }
    let summary = format!("{clean} of {total} queries bind without errors\n\n");
    insta::assert_snapshot!(format!("{name}_benchmark"), summary + &report);
}

#[test]
fn tpch_binds_without_false_errors() {
    benchmark("tpch");
}

#[test]
fn tpcds_binds_without_false_errors() {
    benchmark("tpcds");
}

/// Schema inference over a small graph, with queries built directly in the
/// IR (independent of the parser): a source, a model reading it, and a model
/// reading that model, which must see the inferred columns.
#[test]
fn infer_schemas_feeds_outputs_to_children() {
    use fusion_ir::graph::{Dependency, Node, NodeKind, ProjectGraph};
    use fusion_ir::query::{
        BinaryOp, Distinct, ExprKind, Ident, Literal, ObjectName, Query, RelKind, SelectItem,
    };
    use fusion_ir::span::Span;
    use fusion_ir::types::SqlType;
    use fusion_passes::infer::{infer_schemas, NodeAnalysisInput};

    fn ident(name: &str) -> Ident {
        Ident {
            name: Name::new(name),
            quoted: false,
            span: Span::new(0, 1),
        }
    }
    /// `select <column>, <column> * 2 as doubled from <table>`
    fn doubling_query(table: &str, column: &str) -> Query {
        let mut query = Query::default();
        let scan = query.add_rel(
            RelKind::Scan {
                table: ObjectName {
                    parts: vec![ident(table)],
                },
                alias: None,
            },
            Span::new(0, 1),
        );
        let plain = query.add_expr(
            ExprKind::Column {
                qualifier: Vec::new(),
                name: ident(column),
            },
            Span::new(0, 1),
        );
        let operand = query.add_expr(
            ExprKind::Column {
                qualifier: Vec::new(),
                name: ident(column),
            },
            Span::new(0, 1),
        );
        let two = query.add_expr(
            ExprKind::Literal(Literal::Number(Name::new("2"))),
            Span::new(0, 1),
        );
        let product = query.add_expr(
            ExprKind::Binary {
                op: BinaryOp::Multiply,
                left: operand,
                right: two,
            },
            Span::new(0, 1),
        );
        let project = query.add_rel(
            RelKind::Project {
                input: scan,
                items: vec![
                    SelectItem::Expr {
                        expr: plain,
                        alias: None,
                    },
                    SelectItem::Expr {
                        expr: product,
                        alias: Some(ident("doubled")),
                    },
                ],
                distinct: Distinct::All,
                windows: Vec::new(),
            },
            Span::new(0, 1),
        );
        query.root = Some(project);
        query
    }

    let semantics = DuckDb.semantics();
    let mut graph = ProjectGraph::default();
    let add = |graph: &mut ProjectGraph, kind: NodeKind, name: &str| {
        graph.add_node(Node {
            unique_id: format!("{}.shop.{name}", kind.resource_type()),
            kind,
            name: Name::new(name),
            package_name: Name::new("shop"),
            relation: Some(relation_name(name)),
            file: Some(FileId(0)),
        })
    };
    let source = add(&mut graph, NodeKind::Source, "raw_orders");
    let first = add(&mut graph, NodeKind::Model, "stg_orders");
    let second = add(&mut graph, NodeKind::Model, "orders_doubled");
    let why = Dependency {
        file: None,
        span: Span::EMPTY,
    };
    graph.add_dependency(source, first, why);
    graph.add_dependency(first, second, why);
    let order = graph.topological_order().expect("no cycle");

    let source_schema = RelationSchema::Known(Arc::new(Schema::new(vec![Column::new(
        Name::new("amount"),
        SqlType::INT32,
        false,
    )])));
    let first_query = doubling_query("raw_orders", "amount");
    let second_query = doubling_query("stg_orders", "doubled");
    let relations: Vec<RelationName> = graph
        .nodes
        .iter()
        .map(|node| node.relation.clone().expect("relation"))
        .collect();
    let inputs = vec![
        NodeAnalysisInput {
            query: None,
            known_schema: Some(&source_schema),
            relation: Some(&relations[0]),
            file: FileId(0),
        },
        NodeAnalysisInput {
            query: Some(&first_query),
            known_schema: None,
            relation: Some(&relations[1]),
            file: FileId(1),
        },
        NodeAnalysisInput {
            query: Some(&second_query),
            known_schema: None,
            relation: Some(&relations[2]),
            file: FileId(2),
        },
    ];
    let results = infer_schemas(&graph, &order, &inputs, semantics);
    let describe = |schema: &RelationSchema| match schema {
        RelationSchema::Known(schema) => schema
            .columns
            .iter()
            .map(|column| {
                format!(
                    "{} {}{}",
                    column.name,
                    semantics.type_name(&column.ty),
                    if column.nullable { "" } else { " NOT NULL" }
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        RelationSchema::Unknown => "unknown".to_owned(),
    };
    assert_eq!(
        describe(&results[first.index()].output),
        "amount INTEGER NOT NULL, doubled INTEGER NOT NULL"
    );
    assert_eq!(
        describe(&results[second.index()].output),
        "doubled INTEGER NOT NULL, doubled INTEGER NOT NULL"
    );
    let second_bound = results[second.index()]
        .bound
        .as_ref()
        .expect("the model was bound");
    // Both items read `doubled` of stg_orders; the duplicate output name is a warning.
    assert_eq!(second_bound.diagnostics.len(), 1);
    assert_eq!(
        second_bound.diagnostics[0].code,
        fusion_ir::codes::Code::DuplicateOutputColumn
    );
}

/// Binding never panics on any DuckDB statement of the shared parse corpus
/// (there is no schema, so most tables are unknown), and every diagnostic
/// points inside the statement's text.
#[test]
fn binding_the_duckdb_parse_corpus_keeps_spans_in_range() {
    let Some(corpus) = corpus_folder() else {
        return;
    };
    let text = std::fs::read_to_string(corpus.join("parse/duckdb.jsonl")).expect("parse corpus");
    let dialect = DuckDb;
    let catalog = Catalog::default();
    let lookup = CatalogLookup::new(&catalog, dialect.semantics());
    let mut bound_queries = 0;
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
        let sql = case["sql"].as_str().unwrap_or("");
        for statement in dialect.parse(sql, FileId(0)).statements {
            let Statement::Query(query) = statement else {
                continue;
            };
            let bound = bind_query(&query, &lookup, dialect.semantics(), FileId(0));
            bound_queries += 1;
            for diagnostic in &bound.diagnostics {
                let label = diagnostic
                    .primary
                    .as_ref()
                    .expect("binder diagnostics have a location");
                assert!(
                    label.location.span.end as usize <= sql.len(),
                    "{} points past the end of {sql:?}",
                    diagnostic.message
                );
            }
        }
    }
    assert!(
        bound_queries > 100,
        "only {bound_queries} corpus statements were queries"
    );
}
