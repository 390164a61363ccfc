//! The binder: resolves the names of one lowered query (tables, CTEs,
//! aliases, columns, functions) and infers the type and nullability of every
//! expression, recording both in side tables indexed by the IR's own ids.
//!
//! Invariants:
//! - The IR is never changed: results live in [`BoundQuery`].
//! - Every expression reachable from the root gets an entry in
//!   `expr_types`; an expression whose type cannot be known (an earlier
//!   error, an unknown upstream schema) is `Unknown`, and checks skip
//!   `Unknown` operands, so one mistake yields one diagnostic.
//! - The binder never names a dialect: folding, coercion, operator typing and
//!   the function catalog come from `DialectSemantics`.
//!
//! The binder is one context struct, `Binder`, whose methods are spread
//! over this module's files by the construct they bind, as DataFusion's
//! `SqlToRel` and rust-analyzer's `hir-ty` inference do:
//! - `scope`: the FROM items, aliases, lambda parameters and CTEs visible
//!   to an expression, and the clause it stands in;
//! - `relations`: FROM items, joins, subqueries, CTEs, set operations;
//! - `block`: one SELECT block, its select list and stars, WHERE, HAVING,
//!   QUALIFY, ORDER BY;
//! - `grouping`: GROUP BY keys and the check that aggregated blocks read
//!   only grouped columns;
//! - `names`: column references, select aliases and struct fields;
//! - `expressions`: operators, CASE, IN, subquery expressions, literals;
//! - `functions`: calls, aggregate and window placement, overloads and
//!   argument coercion.

mod block;
mod expressions;
mod functions;
mod grouping;
mod names;
mod relations;
mod scope;

use crate::lookup::RelationLookup;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::name::Name;
use fusion_ir::query::{ExprId, ExprKind, Ident, Literal, Query, RelId};
use fusion_ir::schema::{Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::{FileId, Span};
use fusion_ir::types::{SqlType, TypedValue};
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// Where a bound column reference reads its value from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnOrigin {
    /// Column `column` of the FROM item `rel` of the same query block (a
    /// scan, derived table, CTE reference, VALUES, table function or UNNEST);
    /// `rel_schemas[rel]` lists those columns.
    Input { rel: RelId, column: usize },
    /// Column `column` of the FROM item `rel` of an enclosing query block
    /// (a correlated reference).
    Outer { rel: RelId, column: usize },
    /// A select-list alias of the same block (`select a + 1 as b, b * 2`):
    /// the value of the aliased expression `expr`.
    SelectItem { expr: ExprId },
    /// A parameter of a lambda (`x -> x + 1`).
    LambdaParameter,
}

/// What a `Scan` relation reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanTarget {
    /// A table, view or upstream model.
    Relation(RelationName),
    /// A CTE of the same query, defined by the relation `definition`.
    Cte { definition: RelId },
}

/// What one output column of a query block (a `Project`) reads: recorded so
/// that lineage sees which FROM column each column of a `*` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SelectSource {
    /// The value of an expression: a select item, or a `REPLACE` of a star.
    Expr(ExprId),
    /// Column `column` of the FROM item `rel`, through a `*` (same indexing
    /// as [`ColumnOrigin::Input`]).
    Input { rel: RelId, column: usize },
}

/// The result of binding one query.
#[derive(Clone, Debug)]
pub struct BoundQuery {
    /// The query's output columns; `Unknown` when they depend on a relation
    /// whose columns are unknown (`select *` from an undeclared source).
    pub output: RelationSchema,
    /// The type of every expression, by `ExprId`.
    pub expr_types: Vec<Option<TypedValue>>,
    /// For every bound column reference, what it reads, by `ExprId`.
    pub column_origins: Vec<Option<ColumnOrigin>>,
    /// The output columns of every relation that was bound, by `RelId`:
    /// FROM items, joins, query blocks (`Project`, `Sort`, `Limit`), set
    /// operations and CTE bodies. `None` for the filters and aggregates
    /// inside a block, which read the block's FROM items.
    pub rel_schemas: Vec<Option<RelationSchema>>,
    /// For every `Scan` relation, what it reads, by `RelId`.
    pub scan_targets: Vec<Option<ScanTarget>>,
    /// For every `Project` whose output is known, what each output column
    /// reads, by `RelId` (stars expanded, `EXCLUDE` and `REPLACE` applied).
    pub select_sources: Vec<Option<Vec<SelectSource>>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl BoundQuery {
    pub fn expr_type(&self, id: ExprId) -> Option<&TypedValue> {
        self.expr_types.get(id.index()).and_then(Option::as_ref)
    }
}

/// Binds `query` against the relations `relations` knows, with the rules of
/// `semantics`; diagnostics point into `file`.
pub fn bind_query(
    query: &Query,
    relations: &dyn RelationLookup,
    semantics: &dyn DialectSemantics,
    file: FileId,
) -> BoundQuery {
    let mut binder = Binder {
        query,
        relations,
        semantics,
        file,
        expr_types: vec![None; query.exprs.len()],
        column_origins: vec![None; query.exprs.len()],
        rel_outputs: vec![None; query.rels.len()],
        scan_targets: vec![None; query.rels.len()],
        select_sources: vec![None; query.rels.len()],
        diagnostics: Vec::new(),
        ctes: Vec::new(),
        aggregate_calls: FxHashSet::default(),
        block_has_aggregate: false,
        next_lambda_types: None,
    };
    let output = match query.root {
        Some(root) => {
            let output = binder.bind_rel(root, None);
            if let Some(schema) = &output {
                binder.report_duplicate_outputs(root, &schema.columns);
            }
            output
        }
        None => None,
    };
    let mut diagnostics = binder.diagnostics;
    diagnostics.sort_by_key(|diagnostic| {
        diagnostic
            .primary
            .as_ref()
            .map(|label| (label.location.span.start, label.location.span.end))
    });
    BoundQuery {
        output: into_relation_schema(output),
        expr_types: binder.expr_types,
        column_origins: binder.column_origins,
        rel_schemas: binder
            .rel_outputs
            .into_iter()
            .map(|output| output.map(into_relation_schema))
            .collect(),
        scan_targets: binder.scan_targets,
        select_sources: binder.select_sources,
        diagnostics,
    }
}

/// Columns of a relation: `None` when unknown. Shared: a relation that
/// passes its input through (a filter, a sort, a limit, a scan of a known
/// table) keeps the same columns, not a copy of them.
type RelOutput = Option<Arc<Schema>>;

/// A relation output with `columns`.
fn known(columns: Vec<Column>) -> RelOutput {
    Some(Arc::new(Schema::new(columns)))
}

fn into_relation_schema(output: RelOutput) -> RelationSchema {
    match output {
        Some(schema) => RelationSchema::Known(schema),
        None => RelationSchema::Unknown,
    }
}

fn unknown_value() -> TypedValue {
    TypedValue {
        ty: SqlType::Unknown,
        nullable: true,
    }
}

/// A CTE in scope: the name it is read by, the relation that defines it
/// and its columns. Defined beside the `Binder` that holds it, so that this
/// module imports nothing from its children: they import from it.
struct CteBinding {
    name: Name,
    definition: RelId,
    output: RelOutput,
}

/// The binder's context for one query: what it reads, the side tables it
/// fills, and the state of the block being bound. Its methods are spread
/// over this module's files by construct.
struct Binder<'q> {
    query: &'q Query,
    relations: &'q dyn RelationLookup,
    semantics: &'q dyn DialectSemantics,
    file: FileId,
    expr_types: Vec<Option<TypedValue>>,
    column_origins: Vec<Option<ColumnOrigin>>,
    rel_outputs: Vec<Option<RelOutput>>,
    scan_targets: Vec<Option<ScanTarget>>,
    select_sources: Vec<Option<Vec<SelectSource>>>,
    diagnostics: Vec<Diagnostic>,
    /// CTEs in scope, innermost last.
    ctes: Vec<CteBinding>,
    /// Aggregate calls (not windowed), for the grouping check.
    aggregate_calls: FxHashSet<ExprId>,
    /// Whether the block being bound holds an aggregate call.
    block_has_aggregate: bool,
    /// The parameter types of the lambda about to be bound, set by the
    /// higher-order function call whose argument it is.
    next_lambda_types: Option<Vec<SqlType>>,
}

/// Helpers every construct uses: diagnostics, names and the side tables.
impl Binder<'_> {
    fn report(&mut self, code: Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(code, message).at(self.file, span));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    fn type_name(&self, ty: &SqlType) -> String {
        self.semantics.type_name(ty)
    }

    fn fold(&self, ident: &Ident) -> Name {
        self.semantics.fold_identifier(ident)
    }

    fn record(&mut self, expr: ExprId, value: TypedValue) -> TypedValue {
        if let Some(slot) = self.expr_types.get_mut(expr.index()) {
            *slot = Some(value.clone());
        }
        value
    }

    fn set_origin(&mut self, expr: ExprId, origin: ColumnOrigin) {
        if let Some(slot) = self.column_origins.get_mut(expr.index()) {
            *slot = Some(origin);
        }
    }

    fn is_string_literal(&self, expr: ExprId) -> bool {
        matches!(
            self.query.expr(expr).kind,
            ExprKind::Literal(Literal::String(_))
        )
    }
}
