//! The compile pipeline after loading: parse every node's rendered SQL with
//! the target's dialect (in parallel: nodes are independent), give sources
//! and seeds their known schemas, then let `fusion_passes::infer` bind the
//! models in dependency order so each model's output schema feeds its
//! children.

use fusion_dialects::signature::user_functions::{
    UserFunctionDeclaration, UserFunctions, WithUserFunctions,
};
use fusion_dialects::{Dialect, Parsed};
use fusion_frontend::config::Materialization;
use fusion_frontend::{NodeDetails, Project};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::ephemeral_cte_name;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::name::Name;
use fusion_ir::query::{
    CastKind, Distinct, ExprKind, Ident, Literal, Query, RelKind, SelectItem, Star, Statement,
};
use fusion_ir::schema::{Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::{FileId, FileSpan, Span};
use fusion_ir::types::SqlType;
use fusion_passes::contracts::{check_contract, ContractColumn, ContractLocation};
use fusion_passes::infer::{infer_schemas, NodeAnalysisInput, NodeSchema};
use fusion_passes::unknown_schemas::{
    unknown_schema_reads, UndeclaredRelation, UndeclaredRelations,
};
use rayon::prelude::*;
use std::sync::Arc;

/// What analysis found, per node (indexed by `NodeId`).
pub(crate) struct Analysis {
    /// How long parsing and binding took (for `--timings`).
    pub phase_timings: Vec<(&'static str, std::time::Duration)>,
    /// Each analysed node's schema and binding.
    pub schemas: Vec<NodeSchema>,
    /// Each analysed node's lowered query (the one `schemas[..].bound`
    /// binds), kept for the passes that read the IR after binding (lineage).
    pub queries: Vec<Option<Query>>,
    /// Diagnostics of the wanted nodes.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether a node's rendered SQL is a query fusionc analyses.
fn is_analysed(details: &NodeDetails) -> bool {
    // A node that read the warehouse while rendering has a guess for SQL
    // (its queries answered nothing): it is analysed just in time, when
    // it runs, not from the guess.
    matches!(
        details.kind,
        NodeKind::Model | NodeKind::Test | NodeKind::Snapshot | NodeKind::Analysis
    ) && details.rendered.is_some()
        && !details.introspective
}

/// One parsed node: its statements and diagnostics, and the query to bind
/// (absent when the SQL has syntax errors: binding a tree with holes would
/// only echo them).
struct ParsedNode {
    parsed: Parsed,
    query_index: Option<usize>,
    diagnostics: Vec<Diagnostic>,
}

fn parse_node(details: &NodeDetails, dialect: &dyn Dialect) -> Option<ParsedNode> {
    let rendered = details.rendered.as_ref()?;
    let mut parsed = dialect.parse(&rendered.sql, rendered.file);
    let mut diagnostics = parsed.diagnostics.clone();
    let has_syntax_errors = diagnostics.iter().any(Diagnostic::is_error);
    let query_indexes: Vec<usize> = parsed
        .statements
        .iter()
        .enumerate()
        .filter(|(_, statement)| matches!(statement, Statement::Query(_)))
        .map(|(index, _)| index)
        .collect();
    if !has_syntax_errors && query_indexes.len() != 1 {
        diagnostics.push(
            Diagnostic::new(
                Code::NotAQuery,
                format!(
                    "{} `{}` must be exactly one query; found {} quer{}",
                    details.kind.resource_type(),
                    details.name,
                    query_indexes.len(),
                    if query_indexes.len() == 1 { "y" } else { "ies" }
                ),
            )
            .at(rendered.file, Span::from_range(0..rendered.sql.len())),
        );
    }
    let query_index = (!has_syntax_errors && query_indexes.len() == 1).then(|| query_indexes[0]);
    if details.kind == NodeKind::Snapshot {
        if let Some(Statement::Query(query)) =
            query_index.and_then(|index| parsed.statements.get_mut(index))
        {
            let updated_at = match details
                .config
                .get("strategy")
                .and_then(|value| value.as_str())
            {
                Some("timestamp") => details
                    .config
                    .get("updated_at")
                    .and_then(|value| value.as_str()),
                _ => None,
            };
            add_snapshot_columns(query, updated_at);
        }
    }
    Some(ParsedNode {
        parsed,
        query_index,
        diagnostics,
    })
}

/// The columns dbt adds to every snapshot's rows: an id per version, and the
/// validity range, whose timestamps are `TIMESTAMP` (check strategy) or the
/// values and type of the `updated_at` column (timestamp strategy), as
/// dbt-duckdb builds them.
const SNAPSHOT_COLUMNS: [&str; 4] = [
    "dbt_scd_id",
    "dbt_updated_at",
    "dbt_valid_from",
    "dbt_valid_to",
];

/// Makes a snapshot's query `select *, <dbt's columns> from (<query>)` in
/// the IR, so that its output schema, its children and lineage see the table
/// dbt builds. The added expressions have no span: they are not in the file.
fn add_snapshot_columns(query: &mut Query, updated_at: Option<&str>) {
    let Some(root) = query.root else { return };
    let derived = query.add_rel(
        RelKind::Derived {
            input: root,
            alias: None,
            lateral: false,
        },
        Span::EMPTY,
    );
    let mut items = vec![SelectItem::Star(Star {
        qualifier: Vec::new(),
        exclude: Vec::new(),
        replace: Vec::new(),
        rename: Vec::new(),
        span: Span::EMPTY,
    })];
    for name in SNAPSHOT_COLUMNS {
        let value = match (name, updated_at) {
            ("dbt_scd_id", _) | (_, None) => {
                let ty = if name == "dbt_scd_id" {
                    SqlType::STRING
                } else {
                    SqlType::TIMESTAMP
                };
                let null = query.add_expr(ExprKind::Literal(Literal::Null), Span::EMPTY);
                query.add_expr(
                    ExprKind::Cast {
                        expr: null,
                        target: Box::new(ty),
                        kind: CastKind::Cast,
                    },
                    Span::EMPTY,
                )
            }
            (_, Some(column)) => query.add_expr(
                ExprKind::Column {
                    qualifier: Vec::new(),
                    name: Ident {
                        name: Name::new(column),
                        quoted: false,
                        span: Span::EMPTY,
                    },
                },
                Span::EMPTY,
            ),
        };
        items.push(SelectItem::Expr {
            expr: value,
            alias: Some(Ident {
                name: Name::new(name),
                quoted: false,
                span: Span::EMPTY,
            }),
        });
    }
    let project = query.add_rel(
        RelKind::Project {
            input: derived,
            items,
            distinct: Distinct::All,
            windows: Vec::new(),
        },
        Span::EMPTY,
    );
    query.root = Some(project);
}

/// Parses and analyses the nodes flagged in `wanted` and everything they
/// read. Diagnostics are kept only for wanted nodes: an upstream node is
/// analysed for its schema, and reported when it is itself selected.
///
/// A node whose loading already failed (a broken ref, a Jinja error: any
/// error located in its template) is not bound: its SQL would only echo that
/// error. Its children then read it as a relation of unknown schema.
pub(crate) fn analyse(
    project: &Project,
    dialect: &dyn Dialect,
    order: &[NodeId],
    wanted: &[bool],
    load_diagnostics: &[Diagnostic],
) -> Analysis {
    let needed = with_ancestors(project, wanted);
    let mut diagnostics = Vec::new();
    // The project's UDFs are consulted before the dialect's catalog.
    let (user_functions, declaration_errors) = user_functions(project, dialect.semantics());
    diagnostics.extend(declaration_errors);
    let with_user_functions = WithUserFunctions {
        dialect: dialect.semantics(),
        functions: &user_functions,
    };
    let semantics = with_user_functions.semantics();
    let parse_started = std::time::Instant::now();
    let files_with_errors: rustc_hash::FxHashSet<FileId> = load_diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .filter_map(|diagnostic| diagnostic.primary.as_ref().map(|label| label.location.file))
        .collect();

    let parsed: Vec<Option<ParsedNode>> = project
        .nodes
        .par_iter()
        .enumerate()
        .map(|(index, details)| {
            let failed_to_load = details
                .file
                .is_some_and(|file| files_with_errors.contains(&file));
            if needed[index] && is_analysed(details) && !failed_to_load {
                parse_node(details, dialect)
            } else {
                None
            }
        })
        .collect();

    let parse_time = parse_started.elapsed();
    let bind_started = std::time::Instant::now();
    let known_schemas: Vec<Option<RelationSchema>> = project
        .nodes
        .iter()
        .map(|details| match details.kind {
            NodeKind::Source => Some(declared_schema(details, semantics)),
            NodeKind::Seed => Some(seed_schema(details, semantics)),
            _ => None,
        })
        .collect();
    let mut relations: Vec<Option<RelationName>> =
        project.nodes.iter().map(relation_as_read).collect();
    one_name_per_warehouse_relation(project, &mut relations);

    let inputs: Vec<NodeAnalysisInput<'_>> = project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| NodeAnalysisInput {
            query: parsed[index].as_ref().and_then(|node| {
                let statement = &node.parsed.statements[node.query_index?];
                match statement {
                    Statement::Query(query) => Some::<&Query>(query),
                    Statement::Opaque { .. } => None,
                }
            }),
            known_schema: known_schemas[index].as_ref(),
            relation: relations[index].as_ref(),
            file: details
                .rendered
                .as_ref()
                .map_or(FileId(0), |rendered| rendered.file),
        })
        .collect();
    let needed_order: Vec<NodeId> = order
        .iter()
        .copied()
        .filter(|id| needed[id.index()])
        .collect();
    let schemas = infer_schemas(&project.graph, &needed_order, &inputs, semantics);
    let undeclared = undeclared_relations(project);

    for &id in order {
        if !wanted[id.index()] {
            continue;
        }
        if let Some(node) = &parsed[id.index()] {
            diagnostics.extend(node.diagnostics.iter().cloned());
        }
        if let Some(bound) = &schemas[id.index()].bound {
            diagnostics.extend(bound.diagnostics.iter().cloned());
            // The reads in the root project's nodes only: a package's
            // are not the user's to change.
            let in_root_project = project.details(id).package_name == project.name;
            if let Some(query) = inputs[id.index()].query.filter(|_| in_root_project) {
                diagnostics.extend(unknown_schema_reads(
                    query,
                    bound,
                    inputs[id.index()].file,
                    &undeclared,
                ));
            }
        }
        diagnostics.extend(contract_diagnostics(
            project.details(id),
            &schemas[id.index()].output,
            semantics,
        ));
        if let Some(unit_test) = project.unit_test(id) {
            let output_of = |id: NodeId| &schemas[id.index()].output;
            diagnostics.extend(crate::unit_tests::check_unit_test(
                project, unit_test, &output_of, semantics,
            ));
        }
    }
    // Move each bound query out of its parse: the later passes read the IR
    // that binding read, nothing is parsed again.
    let queries: Vec<Option<Query>> = parsed
        .into_iter()
        .map(|node| {
            let node = node?;
            let index = node.query_index?;
            match node.parsed.statements.into_iter().nth(index)? {
                Statement::Query(query) => Some(query),
                Statement::Opaque { .. } => None,
            }
        })
        .collect();
    Analysis {
        phase_timings: vec![
            ("parse SQL", parse_time),
            ("bind and type", bind_started.elapsed()),
        ],
        schemas,
        queries,
        diagnostics,
    }
}

/// The project's declared UDFs, read with the dialect's type names, and a
/// diagnostic for each declaration that cannot be read.
fn user_functions(
    project: &Project,
    semantics: &dyn DialectSemantics,
) -> (UserFunctions, Vec<Diagnostic>) {
    let declarations = project
        .functions
        .iter()
        .map(|declaration| UserFunctionDeclaration {
            name: declaration.name.as_deref(),
            signature: &declaration.signature,
        });
    let (mut functions, errors) = UserFunctions::from_declarations(declarations, semantics);
    // `CREATE FUNCTION` statements in hooks and macros declare functions too.
    let node_hooks = project.nodes.iter().flat_map(|details| {
        details
            .config
            .pre_hooks()
            .into_iter()
            .chain(details.config.post_hooks())
    });
    let texts = project
        .settings
        .on_run_start
        .iter()
        .chain(&project.settings.on_run_end)
        .cloned()
        .chain(node_hooks)
        .chain(
            project
                .macros
                .iter()
                .filter(|info| info.package_name != "dbt")
                .map(|info| info.macro_sql.clone()),
        );
    for text in texts {
        for start in create_statement_starts(&text) {
            functions.add_create_function(&text[start..], semantics);
        }
    }
    let diagnostics = errors
        .into_iter()
        .map(|error| {
            let location = project
                .functions
                .iter()
                .find(|declaration| {
                    declaration.name.as_deref() == Some(error.declaration.as_str())
                        || declaration.signature.trim() == error.declaration
                })
                .map(|declaration| declaration.location);
            let diagnostic = Diagnostic::new(
                Code::InvalidFunctionSignature,
                format!("the function `{}` cannot be declared: {}", error.declaration, error.message),
            )
            .with_help("write it as `name(parameter TYPE, ...) -> TYPE`, as in `clean_phone(raw varchar) -> varchar`");
            match location {
                Some(location) => diagnostic.at(location.file, location.span),
                None => diagnostic,
            }
        })
        .collect();
    (functions, diagnostics)
}

/// Where each `CREATE` keyword that may begin a `CREATE FUNCTION` starts.
fn create_statement_starts(text: &str) -> Vec<usize> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("function") {
        return Vec::new();
    }
    lower
        .match_indices("create")
        .map(|(start, _)| start)
        .filter(|&start| {
            let before = lower[..start].chars().next_back();
            let after = lower[start + "create".len()..].chars().next();
            before.is_none_or(|character| !(character.is_alphanumeric() || character == '_'))
                && after.is_some_and(char::is_whitespace)
        })
        .collect()
}

/// The contract check of a model whose config enforces its contract.
fn contract_diagnostics(
    details: &NodeDetails,
    output: &RelationSchema,
    semantics: &dyn DialectSemantics,
) -> Vec<Diagnostic> {
    if details.kind != NodeKind::Model || !details.config.contract_enforced() {
        return Vec::new();
    }
    let model_file = details.file.unwrap_or(FileId(0));
    let declared: Vec<ContractColumn> = details
        .columns
        .iter()
        .map(|column| {
            let data_type = column.data_type.clone().unwrap_or_default();
            let location = column
                .location
                .unwrap_or(fusion_ir::span::FileSpan::new(model_file, Span::EMPTY));
            ContractColumn {
                name: Name::new(&column.name),
                ty: semantics.parse_type_name(&data_type),
                data_type,
                file: location.file,
                span: location.span,
            }
        })
        .collect();
    check_contract(
        &declared,
        output,
        semantics,
        ContractLocation {
            file: model_file,
            span: Span::EMPTY,
        },
    )
}

/// The name children use to read a node: its relation, or for an ephemeral
/// model the CTE name that dbt injects (`__dbt__cte__<name>`).
pub(crate) fn relation_as_read(details: &NodeDetails) -> Option<RelationName> {
    match details.kind {
        NodeKind::Model if details.config.materialization() == Materialization::Ephemeral => {
            Some(RelationName {
                database: None,
                schema: None,
                identifier: Name::new(&ephemeral_cte_name(&details.name)),
            })
        }
        NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot | NodeKind::Source => {
            let identifier = match &details.source {
                Some(source) => source.identifier.as_str(),
                None => details.alias.as_str(),
            };
            Some(RelationName {
                database: details.database.as_deref().map(Name::new),
                schema: details.schema.as_deref().map(Name::new),
                identifier: Name::new(identifier),
            })
        }
        NodeKind::Test | NodeKind::Analysis | NodeKind::UnitTest => None,
    }
}

/// Gives the relations the warehouse stores as one (Snowflake's unquoted
/// `dev.orgm` and `DEV.ORGM`, a seed loading the table a source declares in
/// another case) the first one's name, so the binder sees one relation
/// under either spelling rather than two that make a name ambiguous.
/// Relations the warehouse keeps apart (Postgres' quoted `"orgm"` and
/// `"ORGM"`) keep their own names.
fn one_name_per_warehouse_relation(project: &Project, relations: &mut [Option<RelationName>]) {
    let mut first_of: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    for (index, details) in project.nodes.iter().enumerate() {
        // Ephemeral models are read as their CTE: no warehouse relation.
        let in_warehouse = relations[index]
            .as_ref()
            .is_some_and(|relation| relation.database.is_some() || relation.schema.is_some());
        if !in_warehouse {
            continue;
        }
        match first_of.entry(project.relation_identity(details)) {
            std::collections::hash_map::Entry::Occupied(first) => {
                relations[index] = relations[*first.get()].clone();
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
    }
}

/// The sources declared without columns: their schema is unknown (see
/// [`declared_schema`]), and each query that reads one is told so.
fn undeclared_relations(project: &Project) -> UndeclaredRelations {
    UndeclaredRelations::new(
        project
            .nodes
            .iter()
            .filter(|details| details.kind == NodeKind::Source && details.columns.is_empty())
            .filter_map(|details| {
                let source = details.source.as_ref()?;
                Some(UndeclaredRelation {
                    relation: relation_as_read(details)?,
                    description: format!("source `{}.{}`", source.source_name, source.table_name),
                    declared_at: details
                        .file
                        .map(|file| FileSpan::new(file, source.table_name_span)),
                    help: format!(
                    "declare its columns (`columns:` with a `name` and a `data_type` each) in {}",
                    details.original_file_path
                ),
                })
            }),
    )
}

/// `wanted` plus every ancestor of a wanted node.
fn with_ancestors(project: &Project, wanted: &[bool]) -> Vec<bool> {
    let mut needed = wanted.to_vec();
    let mut stack: Vec<NodeId> = (0..wanted.len())
        .filter(|&index| wanted[index])
        .map(|index| NodeId(index as u32))
        .collect();
    while let Some(id) = stack.pop() {
        for parent in project.graph.parents(id) {
            if !needed[parent.index()] {
                needed[parent.index()] = true;
                stack.push(parent);
            }
        }
    }
    needed
}

/// A source's schema: its YAML columns, typed by the dialect. A source that
/// declares no columns has an unknown schema; a column without a data type
/// has an unknown type.
fn declared_schema(details: &NodeDetails, semantics: &dyn DialectSemantics) -> RelationSchema {
    if details.columns.is_empty() {
        return RelationSchema::Unknown;
    }
    let columns = details
        .columns
        .iter()
        .map(|column| {
            let ty = column
                .data_type
                .as_deref()
                .map(|text| {
                    semantics
                        .parse_type_name(text)
                        .unwrap_or_else(|| SqlType::Other(Name::new(text)))
                })
                .unwrap_or(SqlType::Unknown);
            Column::new(Name::new(&column.name), ty, true)
        })
        .collect();
    RelationSchema::Known(Arc::new(Schema::new(columns)))
}

/// A seed's schema: its columns' inferred types, and the types its
/// `column_types` config declares, read by the dialect (`varchar(255)` is
/// a string, `integer` an integer).
fn seed_schema(details: &NodeDetails, semantics: &dyn DialectSemantics) -> RelationSchema {
    if details.seed_columns.is_empty() {
        return RelationSchema::Unknown;
    }
    let columns = details
        .seed_columns
        .iter()
        .map(|column| {
            let ty = match &column.sql_type {
                SqlType::Other(declared) => semantics
                    .parse_type_name(declared.as_str())
                    .unwrap_or_else(|| column.sql_type.clone()),
                inferred => inferred.clone(),
            };
            Column::new(Name::new(&column.name), ty, true)
        })
        .collect();
    RelationSchema::Known(Arc::new(Schema::new(columns)))
}

/// Analyses one node just in time: its SQL as rendered right before it
/// runs, bound against the columns its parents have in the warehouse now
/// (`parents`: each parent's relation and its columns as the warehouse
/// names their types). Returns the node's diagnostics, with spans into
/// `file`, which holds `sql`.
pub(crate) fn analyse_just_in_time(
    project: &Project,
    dialect: &dyn Dialect,
    details: &NodeDetails,
    sql: &str,
    file: FileId,
    parents: &[(RelationName, Vec<(String, String)>)],
) -> Vec<Diagnostic> {
    let (user_functions, mut diagnostics) = user_functions(project, dialect.semantics());
    let with_user_functions = WithUserFunctions {
        dialect: dialect.semantics(),
        functions: &user_functions,
    };
    let semantics = with_user_functions.semantics();
    let mut node = details.clone();
    node.rendered = Some(fusion_frontend::Rendered {
        sql: Arc::from(sql),
        file,
        source_map: fusion_frontend::LazySourceMap::default(),
    });
    let Some(mut parsed) = parse_node(&node, dialect) else {
        return diagnostics;
    };
    diagnostics.append(&mut parsed.diagnostics);
    let Some(index) = parsed.query_index else {
        return diagnostics;
    };
    let Some(Statement::Query(query)) = parsed.parsed.statements.get(index) else {
        return diagnostics;
    };
    let schemas: Vec<(RelationName, RelationSchema)> = parents
        .iter()
        .map(|(relation, columns)| {
            let schema = if columns.is_empty() {
                RelationSchema::Unknown
            } else {
                RelationSchema::Known(Arc::new(Schema::new(
                    columns
                        .iter()
                        .map(|(name, data_type)| {
                            let ty = semantics
                                .parse_type_name(data_type)
                                .unwrap_or_else(|| SqlType::Other(Name::new(data_type)));
                            Column::new(Name::new(name), ty, true)
                        })
                        .collect(),
                )))
            };
            (relation.clone(), schema)
        })
        .collect();
    let lookup = fusion_passes::lookup::CatalogLookup::from_entries(
        schemas.iter().map(|(name, schema)| (name, schema)),
        semantics,
    );
    let bound = fusion_passes::bind::bind_query(query, &lookup, semantics, file);
    diagnostics.extend(bound.diagnostics);
    diagnostics
}
