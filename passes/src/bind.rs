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

use crate::lookup::{LookupOutcome, RelationLookup};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic, Severity};
use fusion_ir::name::Name;
use fusion_ir::query::{
    BinaryOp, CastKind, Distinct, ExprId, ExprKind, FilterClause, FunctionCall, FunctionKind,
    GroupingElement, Ident, JoinConstraint, JoinKind, Literal, ObjectName, Query, RelId, RelKind,
    SelectItem, SetOpKind, SortKey, Star, TableAlias, UnaryOp, WindowSpec,
};
use fusion_ir::schema::{Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::{
    DialectSemantics, FunctionDef, ParamType, ResultNullability, ReturnType, Signature,
    MAX_TYPE_VARIABLES,
};
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

/// One column of a FROM item, as the scope sees it.
#[derive(Clone, Debug)]
struct ScopeColumn {
    name: Name,
    value: TypedValue,
    /// Merged away by `USING`/`NATURAL` into a column of the left side:
    /// reachable only when qualified, and not part of `*`.
    hidden: bool,
}

/// A FROM item visible in a query block.
#[derive(Clone, Debug)]
struct ScopeItem {
    rel: RelId,
    /// The names it answers to when a column is qualified: the alias, or the
    /// table's name parts (matched from the right).
    qualifier: Vec<Name>,
    /// `None` when the columns are unknown.
    columns: Option<Vec<ScopeColumn>>,
}

impl ScopeItem {
    fn display_name(&self) -> String {
        match self.qualifier.last() {
            Some(name) => name.as_str().to_owned(),
            None => "(subquery)".to_owned(),
        }
    }
}

/// The FROM items of one block, and the scopes around it.
struct Scope<'a> {
    items: Vec<ScopeItem>,
    parent: Option<&'a Scope<'a>>,
}

/// A select-list alias as other clauses see it.
#[derive(Clone, Debug)]
struct SelectAlias {
    name: Name,
    expr: ExprId,
    value: TypedValue,
    has_aggregate: bool,
    has_window: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clause {
    Select,
    Where,
    JoinCondition,
    GroupBy,
    Having,
    Qualify,
    OrderBy,
    /// LIMIT, VALUES rows, table function arguments.
    Other,
}

impl Clause {
    fn allows_aggregates(self) -> bool {
        matches!(
            self,
            Clause::Select | Clause::Having | Clause::Qualify | Clause::OrderBy
        )
    }

    fn allows_windows(self) -> bool {
        matches!(self, Clause::Select | Clause::Qualify | Clause::OrderBy)
    }

    fn describe(self) -> &'static str {
        match self {
            Clause::Select => "the select list",
            Clause::Where => "WHERE",
            Clause::JoinCondition => "a join condition",
            Clause::GroupBy => "GROUP BY",
            Clause::Having => "HAVING",
            Clause::Qualify => "QUALIFY",
            Clause::OrderBy => "ORDER BY",
            Clause::Other => "this clause",
        }
    }
}

#[derive(Clone, Copy)]
struct ExprContext<'c> {
    clause: Clause,
    aliases: &'c [SelectAlias],
    /// ORDER BY prefers a select alias over a FROM column of the same name.
    aliases_first: bool,
    in_aggregate: bool,
    /// The parameters of the lambdas being bound, with the types the
    /// higher-order function gives them (unknown when it is not known).
    lambda_parameters: &'c [(Name, SqlType)],
}

impl<'c> ExprContext<'c> {
    fn new(clause: Clause, aliases: &'c [SelectAlias]) -> ExprContext<'c> {
        ExprContext {
            clause,
            aliases,
            aliases_first: false,
            in_aggregate: false,
            lambda_parameters: &[],
        }
    }
}

/// What the grouping check of one aggregated block compares against.
struct Grouping<'g> {
    keys: &'g [ExprId],
    grouped: &'g FxHashSet<ColumnOrigin>,
    /// The block's FROM items, whose columns a correlated subquery may read.
    block_rels: &'g FxHashSet<RelId>,
}

struct CteBinding {
    name: Name,
    definition: RelId,
    output: RelOutput,
}

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

/// How an unqualified name resolves in one scope level.
enum Found {
    Column {
        item: usize,
        column: usize,
    },
    Ambiguous(Vec<usize>),
    /// Not found, but an item with unknown columns might hold it.
    MaybeInUnknown,
    Absent,
}

impl<'q> Binder<'q> {
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

    // ---------------------------------------------------------------- relations

    fn bind_rel(&mut self, rel: RelId, outer: Option<&Scope>) -> RelOutput {
        if let Some(Some(cached)) = self.rel_outputs.get(rel.index()) {
            return cached.clone();
        }
        let query = self.query;
        let output = match &query.rel(rel).kind {
            RelKind::Limit {
                input,
                limit,
                offset,
            } => {
                let output = self.bind_rel(*input, outer);
                let empty = Scope {
                    items: Vec::new(),
                    parent: outer,
                };
                for expr in [limit, offset].into_iter().flatten() {
                    self.bind_expr(*expr, &empty, ExprContext::new(Clause::Other, &[]));
                }
                output
            }
            RelKind::Sort { input, keys } => {
                if matches!(query.rel(*input).kind, RelKind::Project { .. }) {
                    self.bind_block(*input, keys, outer)
                } else {
                    let output = self.bind_rel(*input, outer);
                    let scope = Scope {
                        items: vec![ScopeItem {
                            rel: *input,
                            qualifier: Vec::new(),
                            columns: scope_columns(&output),
                        }],
                        parent: outer,
                    };
                    for key in keys {
                        if let Some(ordinal) = self.ordinal(key.expr) {
                            self.check_ordinal(
                                key.expr,
                                ordinal,
                                output.as_ref().map(|schema| schema.columns.len()),
                                "ORDER BY",
                            );
                        } else {
                            self.bind_expr(
                                key.expr,
                                &scope,
                                ExprContext::new(Clause::OrderBy, &[]),
                            );
                        }
                    }
                    output
                }
            }
            RelKind::Project { .. } => self.bind_block(rel, &[], outer),
            RelKind::SetOp {
                op,
                all: _,
                by_name,
                left,
                right,
            } => self.bind_set_operation(*op, *by_name, *left, *right, outer),
            RelKind::With {
                recursive,
                ctes,
                body,
            } => {
                let depth = self.ctes.len();
                for cte in ctes {
                    let name = self.fold(&cte.name);
                    let mut output = None;
                    if *recursive {
                        if let RelKind::SetOp { left, .. } = &query.rel(cte.query).kind {
                            // The anchor is bound first so the recursive part
                            // can read the CTE with the anchor's columns.
                            let anchor = self.bind_rel(*left, outer);
                            self.ctes.push(CteBinding {
                                name,
                                definition: cte.query,
                                output: rename_columns(anchor, &cte.columns),
                            });
                            output = Some(self.bind_rel(cte.query, outer));
                            self.ctes.pop();
                        }
                    }
                    let output = match output {
                        Some(output) => output,
                        None => self.bind_rel(cte.query, outer),
                    };
                    self.ctes.push(CteBinding {
                        name,
                        definition: cte.query,
                        output: rename_columns(output, &cte.columns),
                    });
                }
                let output = self.bind_rel(*body, outer);
                self.ctes.truncate(depth);
                output
            }
            RelKind::Filter {
                input,
                predicate,
                clause,
            } => {
                // A filter outside a query block (not produced by SELECT lowering).
                let output = self.bind_rel(*input, outer);
                let scope = Scope {
                    items: vec![ScopeItem {
                        rel: *input,
                        qualifier: Vec::new(),
                        columns: scope_columns(&output),
                    }],
                    parent: outer,
                };
                let clause = match clause {
                    FilterClause::Where => Clause::Where,
                    FilterClause::Having => Clause::Having,
                    FilterClause::Qualify => Clause::Qualify,
                };
                self.bind_predicate(*predicate, &scope, ExprContext::new(clause, &[]));
                output
            }
            RelKind::Aggregate { input, .. } => self.bind_rel(*input, outer),
            RelKind::Error => None,
            RelKind::Scan { .. }
            | RelKind::Derived { .. }
            | RelKind::TableFunction { .. }
            | RelKind::Unnest { .. }
            | RelKind::Join { .. }
            | RelKind::Values { .. }
            | RelKind::SingleRow => {
                let items = self.bind_from(rel, outer);
                if items.iter().any(|item| item.columns.is_none()) {
                    None
                } else {
                    known(
                        items
                            .iter()
                            .flat_map(|item| item.columns.iter().flatten())
                            .filter(|column| !column.hidden)
                            .map(|column| {
                                Column::new(
                                    column.name,
                                    column.value.ty.clone(),
                                    column.value.nullable,
                                )
                            })
                            .collect(),
                    )
                }
            }
        };
        if let Some(slot) = self.rel_outputs.get_mut(rel.index()) {
            *slot = Some(output.clone());
        }
        output
    }

    /// Binds a FROM item into the scope items it contributes.
    fn bind_from(&mut self, rel: RelId, outer: Option<&Scope>) -> Vec<ScopeItem> {
        let query = self.query;
        let span = query.rel(rel).span;
        match &query.rel(rel).kind {
            RelKind::SingleRow => {
                self.store_output(rel, known(Vec::new()));
                Vec::new()
            }
            RelKind::Scan { table, alias } => vec![self.bind_scan(rel, table, alias.as_ref())],
            RelKind::Derived {
                input,
                alias,
                lateral: _,
            } => {
                // DuckDB detects lateral references by itself, so the items
                // to the left are always visible (as an outer scope).
                let output = self.bind_rel(*input, outer);
                vec![self.aliased_item(rel, output, alias.as_ref(), Vec::new())]
            }
            RelKind::TableFunction {
                name,
                args,
                alias,
                lateral: _,
            } => {
                let scope = Scope {
                    items: Vec::new(),
                    parent: outer,
                };
                let mut argument_types = Vec::new();
                for arg in args {
                    argument_types.push(
                        self.bind_expr(arg.value, &scope, ExprContext::new(Clause::Other, &[]))
                            .ty,
                    );
                }
                let function_name = name.last().map(|ident| ident.name.as_str()).unwrap_or("");
                let output = if function_name.eq_ignore_ascii_case("unnest") {
                    known(self.unnest_columns(&argument_types, None))
                } else {
                    self.semantics
                        .table_function_columns(function_name, &argument_types)
                        .and_then(|columns| {
                            known(
                                columns
                                    .into_iter()
                                    .map(|column| Column::new(column.name, column.ty, false))
                                    .collect(),
                            )
                        })
                };
                let default_qualifier = name
                    .last()
                    .map(|ident| vec![self.fold(ident)])
                    .unwrap_or_default();
                vec![self.aliased_item(rel, output, alias.as_ref(), default_qualifier)]
            }
            RelKind::Unnest {
                args,
                alias,
                with_offset,
            } => {
                let scope = Scope {
                    items: Vec::new(),
                    parent: outer,
                };
                let argument_types: Vec<SqlType> = args
                    .iter()
                    .map(|arg| {
                        self.bind_expr(*arg, &scope, ExprContext::new(Clause::Other, &[]))
                            .ty
                    })
                    .collect();
                let offset_name = with_offset.as_ref().map(|name| {
                    name.map(|ident| ident.name)
                        .unwrap_or_else(|| Name::new("offset"))
                });
                let output = known(self.unnest_columns(&argument_types, offset_name));
                vec![self.aliased_item(rel, output, alias.as_ref(), vec![Name::new("unnest")])]
            }
            RelKind::Values { rows, alias } => {
                let output = self.bind_values(rows, outer);
                vec![self.aliased_item(rel, output, alias.as_ref(), vec![Name::new("valueslist")])]
            }
            RelKind::Join {
                left,
                right,
                kind,
                constraint,
            } => {
                let mut left_items = self.bind_from(*left, outer);
                let mut right_items = {
                    let lateral_scope = Scope {
                        items: left_items.clone(),
                        parent: outer,
                    };
                    self.bind_from(*right, Some(&lateral_scope))
                };
                let (left_nullable, right_nullable) = match kind {
                    JoinKind::Left | JoinKind::AsOf { left_outer: true } => (false, true),
                    JoinKind::Right => (true, false),
                    JoinKind::Full => (true, true),
                    _ => (false, false),
                };
                let merged_names: Vec<(Name, Span)> = match constraint {
                    JoinConstraint::Using(idents) => idents
                        .iter()
                        .map(|ident| (self.fold(ident), ident.span))
                        .collect(),
                    JoinConstraint::Natural => {
                        self.natural_join_names(&left_items, &right_items, span)
                    }
                    JoinConstraint::On(predicate) => {
                        let mut both = left_items.clone();
                        both.extend(right_items.iter().cloned());
                        let scope = Scope {
                            items: both,
                            parent: outer,
                        };
                        self.bind_predicate(
                            *predicate,
                            &scope,
                            ExprContext::new(Clause::JoinCondition, &[]),
                        );
                        Vec::new()
                    }
                    JoinConstraint::None => Vec::new(),
                };
                // Merge USING/NATURAL columns into the left side's column.
                let mut merged_left: Vec<(usize, usize, bool)> = Vec::new();
                for (name, name_span) in merged_names {
                    let left_found = self.find_unqualified(&left_items, name);
                    let right_found = self.find_unqualified(&right_items, name);
                    match (left_found, right_found) {
                        (
                            Found::Column {
                                item: left_item,
                                column: left_column,
                            },
                            Found::Column {
                                item: right_item,
                                column: right_column,
                            },
                        ) => {
                            let (Some(left_columns), Some(right_columns)) = (
                                left_items[left_item].columns.as_mut(),
                                right_items[right_item].columns.as_mut(),
                            ) else {
                                continue;
                            };
                            let left_value = left_columns[left_column].value.clone();
                            let right_value = right_columns[right_column].value.clone();
                            let merged_type = match self
                                .semantics
                                .comparison_type(&left_value.ty, &right_value.ty)
                            {
                                Some(ty) => self
                                    .semantics
                                    .common_supertype(&left_value.ty, &right_value.ty)
                                    .unwrap_or(ty),
                                None => {
                                    let message = format!(
                                        "cannot join on `{}`: {} and {} cannot be compared",
                                        name,
                                        self.type_name(&left_value.ty),
                                        self.type_name(&right_value.ty)
                                    );
                                    self.report(Code::IncomparableTypes, name_span, message);
                                    SqlType::Unknown
                                }
                            };
                            let nullable = match kind {
                                JoinKind::Left => left_value.nullable,
                                JoinKind::Right => right_value.nullable,
                                _ => left_value.nullable && right_value.nullable,
                            };
                            right_columns[right_column].hidden = true;
                            left_columns[left_column].value = TypedValue {
                                ty: merged_type,
                                nullable,
                            };
                            merged_left.push((left_item, left_column, nullable));
                        }
                        (Found::MaybeInUnknown, _) | (_, Found::MaybeInUnknown) => {}
                        (left_found, right_found) => {
                            let side = if matches!(left_found, Found::Column { .. }) {
                                "right"
                            } else {
                                "left"
                            };
                            let found = if matches!(left_found, Found::Column { .. }) {
                                right_found
                            } else {
                                left_found
                            };
                            if matches!(found, Found::Ambiguous(_)) {
                                self.report(
                                    Code::AmbiguousColumn,
                                    name_span,
                                    format!("join column `{name}` is ambiguous on the {side} side"),
                                );
                            } else {
                                self.report(
                                    Code::UnknownColumn,
                                    name_span,
                                    format!(
                                        "join column `{name}` is not a column of the {side} side"
                                    ),
                                );
                            }
                        }
                    }
                }
                if left_nullable {
                    make_nullable(&mut left_items);
                }
                if right_nullable {
                    make_nullable(&mut right_items);
                }
                for (item, column, nullable) in merged_left {
                    if let Some(columns) = left_items[item].columns.as_mut() {
                        columns[column].value.nullable = nullable;
                    }
                }
                if matches!(kind, JoinKind::Semi | JoinKind::Anti) {
                    right_items.clear();
                }
                left_items.extend(right_items);
                let output = if left_items.iter().any(|item| item.columns.is_none()) {
                    None
                } else {
                    known(
                        left_items
                            .iter()
                            .flat_map(|item| item.columns.iter().flatten())
                            .filter(|column| !column.hidden)
                            .map(|column| {
                                Column::new(
                                    column.name,
                                    column.value.ty.clone(),
                                    column.value.nullable,
                                )
                            })
                            .collect(),
                    )
                };
                self.store_output(rel, output);
                left_items
            }
            RelKind::Error => {
                self.store_output(rel, None);
                vec![ScopeItem {
                    rel,
                    qualifier: Vec::new(),
                    columns: None,
                }]
            }
            _ => {
                // A query in FROM without a Derived wrapper.
                let output = self.bind_rel(rel, outer);
                vec![ScopeItem {
                    rel,
                    qualifier: Vec::new(),
                    columns: scope_columns(&output),
                }]
            }
        }
    }

    fn store_output(&mut self, rel: RelId, output: RelOutput) {
        if let Some(slot) = self.rel_outputs.get_mut(rel.index()) {
            *slot = Some(output);
        }
    }

    /// The columns a NATURAL join merges; diagnostics about them point at the join.
    fn natural_join_names(
        &self,
        left: &[ScopeItem],
        right: &[ScopeItem],
        join_span: Span,
    ) -> Vec<(Name, Span)> {
        let mut names = Vec::new();
        for right_column in right
            .iter()
            .flat_map(|item| item.columns.iter().flatten())
            .filter(|column| !column.hidden)
        {
            let in_left = left
                .iter()
                .flat_map(|item| item.columns.iter().flatten())
                .any(|column| {
                    !column.hidden && self.semantics.names_match(column.name, right_column.name)
                });
            if in_left
                && !names
                    .iter()
                    .any(|(name, _)| self.semantics.names_match(*name, right_column.name))
            {
                names.push((right_column.name, join_span));
            }
        }
        names
    }

    fn unnest_columns(&self, argument_types: &[SqlType], offset_name: Option<Name>) -> Vec<Column> {
        let mut columns: Vec<Column> = argument_types
            .iter()
            .map(|ty| {
                let element = match ty {
                    SqlType::Array(element) => (**element).clone(),
                    _ => SqlType::Unknown,
                };
                Column::new(Name::new("unnest"), element, true)
            })
            .collect();
        if let Some(offset_name) = offset_name {
            columns.push(Column::new(offset_name, SqlType::INT64, false));
        }
        columns
    }

    fn bind_scan(
        &mut self,
        rel: RelId,
        table: &ObjectName,
        alias: Option<&TableAlias>,
    ) -> ScopeItem {
        // A one-part name may be a CTE, innermost first.
        let mut output: RelOutput = None;
        let mut qualifier: Vec<Name> = table.parts.iter().map(|part| self.fold(part)).collect();
        let mut resolved = false;
        if let [only] = table.parts.as_slice() {
            let name = self.fold(only);
            if let Some(cte) = self
                .ctes
                .iter()
                .rev()
                .find(|cte| self.semantics.names_match(cte.name, name))
            {
                output = cte.output.clone();
                if let Some(slot) = self.scan_targets.get_mut(rel.index()) {
                    *slot = Some(ScanTarget::Cte {
                        definition: cte.definition,
                    });
                }
                resolved = true;
            }
        }
        if !resolved {
            match self.relations.lookup(table) {
                LookupOutcome::Found(found) => {
                    output = match &found.schema {
                        RelationSchema::Known(schema) => Some(Arc::clone(schema)),
                        RelationSchema::Unknown => None,
                    };
                    qualifier = [
                        found.relation.database,
                        found.relation.schema,
                        Some(found.relation.identifier),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    if let Some(slot) = self.scan_targets.get_mut(rel.index()) {
                        *slot = Some(ScanTarget::Relation(found.relation));
                    }
                }
                LookupOutcome::Ambiguous(candidates) => {
                    let listed: Vec<String> = candidates.iter().map(ToString::to_string).collect();
                    let message = format!(
                        "table name `{table}` is ambiguous: it matches {}",
                        listed.join(", ")
                    );
                    self.report(Code::UnknownTable, table.span(), message).help =
                        Some("qualify the name with its schema".to_owned());
                }
                // A file the warehouse reads by its path: columns unknown.
                LookupOutcome::NotFound
                    if table.parts.len() == 1
                        && table.last().is_some_and(|ident| {
                            self.semantics.is_file_reference(ident.name.as_str())
                        }) => {}
                LookupOutcome::NotFound => {
                    let mut candidates: Vec<String> = self
                        .ctes
                        .iter()
                        .map(|cte| cte.name.as_str().to_owned())
                        .collect();
                    candidates.extend(self.relations.candidate_names());
                    let wanted = table.last().map(|ident| ident.name.as_str()).unwrap_or("");
                    let suggestion = closest_name(wanted, candidates.iter().map(String::as_str))
                        .map(str::to_owned);
                    let diagnostic = self.report(
                        Code::UnknownTable,
                        table.span(),
                        format!("table `{table}` not found"),
                    );
                    if let Some(suggestion) = suggestion {
                        diagnostic.help = Some(format!("did you mean `{suggestion}`?"));
                    }
                }
            }
        }
        self.aliased_item(rel, output, alias, qualifier)
    }

    /// Applies `AS alias (columns)` to a FROM item's output and records it.
    fn aliased_item(
        &mut self,
        rel: RelId,
        output: RelOutput,
        alias: Option<&TableAlias>,
        default_qualifier: Vec<Name>,
    ) -> ScopeItem {
        let (qualifier, output) = match alias {
            Some(alias) => {
                let output = match output {
                    Some(columns) => rename_columns(Some(columns), &alias.columns),
                    // Column aliases name the columns even when their types are unknown.
                    None if !alias.columns.is_empty() => known(
                        alias
                            .columns
                            .iter()
                            .map(|ident| Column::new(ident.name, SqlType::Unknown, true))
                            .collect(),
                    ),
                    None => None,
                };
                (vec![self.fold(&alias.name)], output)
            }
            None => (default_qualifier, output),
        };
        self.store_output(rel, output.clone());
        ScopeItem {
            rel,
            qualifier,
            columns: scope_columns(&output),
        }
    }

    fn bind_values(&mut self, rows: &[Vec<ExprId>], outer: Option<&Scope>) -> RelOutput {
        let scope = Scope {
            items: Vec::new(),
            parent: outer,
        };
        let width = rows.first().map(Vec::len).unwrap_or(0);
        let mut columns: Vec<Vec<(ExprId, TypedValue)>> = vec![Vec::new(); width];
        for row in rows {
            if row.len() != width {
                let span = row
                    .iter()
                    .map(|expr| self.query.expr(*expr).span)
                    .reduce(Span::cover)
                    .unwrap_or(Span::EMPTY);
                self.report(
                    Code::SetOperationWidth,
                    span,
                    format!(
                        "VALUES rows have different widths: {} and {}",
                        width,
                        row.len()
                    ),
                );
            }
            for (index, expr) in row.iter().enumerate() {
                let value = self.bind_expr(*expr, &scope, ExprContext::new(Clause::Other, &[]));
                if let Some(column) = columns.get_mut(index) {
                    column.push((*expr, value));
                }
            }
        }
        known(
            columns
                .iter()
                .enumerate()
                .map(|(index, values)| {
                    let ty = self.unify(values, Code::SetOperationTypes, "VALUES column");
                    let nullable = values.iter().any(|(_, value)| value.nullable);
                    Column::new(Name::new(&format!("col{index}")), ty, nullable)
                })
                .collect(),
        )
    }

    fn bind_set_operation(
        &mut self,

        op: SetOpKind,
        by_name: bool,
        left: RelId,
        right: RelId,
        outer: Option<&Scope>,
    ) -> RelOutput {
        let left_output = self.bind_rel(left, outer);
        let right_output = self.bind_rel(right, outer);
        let right_span = self.query.rel(right).span;
        let (Some(left_schema), Some(right_schema)) = (left_output, right_output) else {
            return None;
        };
        let (left_columns, right_columns) = (&left_schema.columns, &right_schema.columns);
        let operation = match op {
            SetOpKind::Union => "UNION",
            SetOpKind::Intersect => "INTERSECT",
            SetOpKind::Except => "EXCEPT",
        };
        if by_name {
            let mut columns = left_columns.clone();
            for right_column in right_columns {
                match columns
                    .iter_mut()
                    .find(|column| self.semantics.names_match(column.name, right_column.name))
                {
                    Some(column) => {
                        match self
                            .semantics
                            .common_supertype(&column.ty, &right_column.ty)
                        {
                            Some(ty) => column.ty = ty,
                            None => {
                                let message = format!(
                                    "{operation} BY NAME column `{}` is {} on the left and {} on the right",
                                    column.name,
                                    self.type_name(&column.ty),
                                    self.type_name(&right_column.ty)
                                );
                                self.report(Code::SetOperationTypes, right_span, message);
                                column.ty = SqlType::Unknown;
                            }
                        }
                        column.nullable |= right_column.nullable;
                    }
                    None => columns.push(Column::new(
                        right_column.name,
                        right_column.ty.clone(),
                        true,
                    )),
                }
            }
            // Columns only on the left are NULL in the right side's rows.
            for column in &mut columns {
                if !right_columns
                    .iter()
                    .any(|right_column| self.semantics.names_match(column.name, right_column.name))
                {
                    column.nullable = true;
                }
            }
            return known(columns);
        }
        if left_columns.len() != right_columns.len() {
            let message = format!(
                "the sides of {operation} have different numbers of columns: {} on the left, {} on the right",
                left_columns.len(),
                right_columns.len()
            );
            self.report(Code::SetOperationWidth, right_span, message);
            return known(
                left_columns
                    .iter()
                    .map(|column| Column::new(column.name, SqlType::Unknown, true))
                    .collect(),
            );
        }
        let mut columns = Vec::with_capacity(left_columns.len());
        for (position, (left_column, right_column)) in
            left_columns.iter().zip(right_columns).enumerate()
        {
            let ty = match self
                .semantics
                .common_supertype(&left_column.ty, &right_column.ty)
            {
                Some(ty) => ty,
                None => {
                    let message = format!(
                        "{operation} column {} (`{}`) is {} on the left and {} on the right",
                        position + 1,
                        left_column.name,
                        self.type_name(&left_column.ty),
                        self.type_name(&right_column.ty)
                    );
                    let column_span = self
                        .output_spans(right, right_columns.len())
                        .get(position)
                        .copied()
                        .unwrap_or(right_span);
                    self.report(Code::SetOperationTypes, column_span, message);
                    SqlType::Unknown
                }
            };
            columns.push(Column::new(
                left_column.name,
                ty,
                left_column.nullable || right_column.nullable,
            ));
        }
        known(columns)
    }

    // ---------------------------------------------------------------- query blocks

    /// Binds one SELECT block: the `Project` relation `project`, the clauses
    /// below it, and the ORDER BY `sort_keys` above it.
    fn bind_block(
        &mut self,
        project: RelId,
        sort_keys: &[SortKey],
        outer: Option<&Scope>,
    ) -> RelOutput {
        let query = self.query;
        let RelKind::Project {
            input,
            items,
            distinct,
            windows,
        } = &query.rel(project).kind
        else {
            return None;
        };
        // Walk down the block: Filter(Qualify) → Filter(Having) → Aggregate → Filter(Where) → from.
        let (mut where_predicate, mut having, mut qualify, mut group_by) = (None, None, None, None);
        let mut cursor = *input;
        loop {
            match &query.rel(cursor).kind {
                RelKind::Filter {
                    input,
                    predicate,
                    clause,
                } => {
                    match clause {
                        FilterClause::Where => where_predicate = Some(*predicate),
                        FilterClause::Having => having = Some(*predicate),
                        FilterClause::Qualify => qualify = Some(*predicate),
                    }
                    cursor = *input;
                }
                RelKind::Aggregate {
                    input,
                    group_by: grouping,
                } => {
                    group_by = Some(grouping);
                    cursor = *input;
                }
                _ => break,
            }
        }
        let from_items = self.bind_from(cursor, outer);
        let scope = Scope {
            items: from_items,
            parent: outer,
        };
        let saved_has_aggregate = std::mem::replace(&mut self.block_has_aggregate, false);

        // The select list, with DuckDB's lateral aliases: an item sees the aliases before it.
        let mut aliases: Vec<SelectAlias> = Vec::new();
        let mut output: Vec<Column> = Vec::new();
        // The expression behind each output column (None for star columns).
        let mut output_exprs: Vec<Option<ExprId>> = Vec::new();
        let mut select_sources: Vec<SelectSource> = Vec::new();
        let mut output_known = true;
        for item in items {
            match item {
                SelectItem::Expr { expr, alias } => {
                    let lateral = if self.semantics.aliases_visible_in_where() {
                        aliases.as_slice()
                    } else {
                        &[]
                    };
                    let value =
                        self.bind_expr(*expr, &scope, ExprContext::new(Clause::Select, lateral));
                    let has_aggregate = self.contains_aggregate(*expr);
                    let name = match alias {
                        Some(alias) => alias.name,
                        None => Name::new(&self.display_name(*expr)),
                    };
                    if let Some(alias) = alias {
                        aliases.push(SelectAlias {
                            name: self.fold(alias),
                            expr: *expr,
                            value: value.clone(),
                            has_aggregate,
                            has_window: self.contains_window(*expr),
                        });
                    }
                    output.push(Column::new(name, value.ty, value.nullable));
                    output_exprs.push(Some(*expr));
                    select_sources.push(SelectSource::Expr(*expr));
                }
                SelectItem::Star(star) => match self.expand_star(star, &scope, &aliases) {
                    Some(columns) => {
                        select_sources.extend(self.star_sources(star, &scope));
                        output_exprs.extend(columns.iter().map(|_| None));
                        output.extend(columns);
                    }
                    None => output_known = false,
                },
            }
        }
        let where_aliases: &[SelectAlias] = if self.semantics.aliases_visible_in_where() {
            &aliases
        } else {
            &[]
        };
        if let Some(predicate) = where_predicate {
            self.bind_predicate(
                predicate,
                &scope,
                ExprContext::new(Clause::Where, where_aliases),
            );
        }
        // GROUP BY: ordinals and aliases name select items.
        let mut group_keys: Vec<ExprId> = Vec::new();
        let mut grouping_uncertain = false;
        let mut partial_keys_start: Option<usize> = None;
        if let Some(grouping) = group_by {
            let mut elements: Vec<ExprId> = Vec::new();
            for element in &grouping.elements {
                match element {
                    GroupingElement::Expr(expr) => elements.push(*expr),
                    GroupingElement::Rollup(sets)
                    | GroupingElement::Cube(sets)
                    | GroupingElement::GroupingSets(sets) => {
                        elements.extend(sets.iter().flatten().copied());
                    }
                }
            }
            // Keys of ROLLUP/CUBE/GROUPING SETS are NULL in the rows of the
            // sets that leave them out.
            let first_partial_key = grouping
                .elements
                .iter()
                .filter_map(|element| match element {
                    GroupingElement::Expr(_) => None,
                    GroupingElement::Rollup(sets)
                    | GroupingElement::Cube(sets)
                    | GroupingElement::GroupingSets(sets) => sets.iter().flatten().next().copied(),
                })
                .next();
            let partial_from =
                first_partial_key.and_then(|first| elements.iter().position(|expr| *expr == first));
            for (element_index, expr) in elements.into_iter().enumerate() {
                if partial_from.is_some_and(|start| element_index >= start) {
                    partial_keys_start.get_or_insert(group_keys.len());
                }
                if let Some(ordinal) = self.ordinal(expr) {
                    self.record(
                        expr,
                        TypedValue {
                            ty: SqlType::INT32,
                            nullable: false,
                        },
                    );
                    if self.check_ordinal(expr, ordinal, Some(output.len()), "GROUP BY") {
                        match output_exprs.get(ordinal - 1).copied().flatten() {
                            Some(item_expr) => group_keys.push(item_expr),
                            // A column of a star: the check cannot name it.
                            None => grouping_uncertain = true,
                        }
                    } else {
                        // Checking against a wrong key list would only cascade.
                        grouping_uncertain = true;
                    }
                    continue;
                }
                self.bind_expr(expr, &scope, ExprContext::new(Clause::GroupBy, &aliases));
                match self.column_origins.get(expr.index()).copied().flatten() {
                    Some(ColumnOrigin::SelectItem { expr: item_expr }) => {
                        group_keys.push(item_expr)
                    }
                    _ => group_keys.push(expr),
                }
            }
            if grouping.all {
                for item_expr in output_exprs.iter().flatten() {
                    if !self.contains_aggregate(*item_expr) {
                        group_keys.push(*item_expr);
                    }
                }
            }
            if let Some(start) = partial_keys_start {
                for (column, item_expr) in output.iter_mut().zip(&output_exprs) {
                    let Some(item_expr) = item_expr else { continue };
                    if group_keys[start.min(group_keys.len())..]
                        .iter()
                        .any(|key| self.same_expr(*key, *item_expr))
                    {
                        column.nullable = true;
                    }
                }
            }
        }
        if let Some(predicate) = having {
            self.bind_predicate(
                predicate,
                &scope,
                ExprContext::new(Clause::Having, &aliases),
            );
        }
        if let Some(predicate) = qualify {
            self.bind_predicate(
                predicate,
                &scope,
                ExprContext::new(Clause::Qualify, &aliases),
            );
        }
        for window in windows {
            self.bind_window_spec(
                &window.spec,
                &scope,
                ExprContext::new(Clause::Select, &aliases),
            );
        }
        // ORDER BY also sees the names of unaliased output columns
        // (`select t.id ... order by id` sorts by that output column).
        let mut order_aliases = aliases.clone();
        for item in items {
            if let SelectItem::Expr { expr, alias: None } = item {
                if let ExprKind::Column { name, .. } = &query.expr(*expr).kind {
                    let value = self.expr_types[expr.index()]
                        .clone()
                        .unwrap_or_else(unknown_value);
                    order_aliases.push(SelectAlias {
                        name: self.fold(name),
                        expr: *expr,
                        value,
                        has_aggregate: false,
                        has_window: false,
                    });
                }
            }
        }
        let order_context = ExprContext {
            aliases_first: true,
            ..ExprContext::new(Clause::OrderBy, &order_aliases)
        };
        let mut order_exprs: Vec<ExprId> = Vec::new();
        let distinct_on: &[ExprId] = match distinct {
            Distinct::On(exprs) => exprs,
            _ => &[],
        };
        for expr in sort_keys
            .iter()
            .map(|key| key.expr)
            .chain(distinct_on.iter().copied())
        {
            if let Some(ordinal) = self.ordinal(expr) {
                self.record(
                    expr,
                    TypedValue {
                        ty: SqlType::INT32,
                        nullable: false,
                    },
                );
                let clause = if distinct_on.contains(&expr) {
                    "DISTINCT ON"
                } else {
                    "ORDER BY"
                };
                self.check_ordinal(
                    expr,
                    ordinal,
                    if output_known {
                        Some(output.len())
                    } else {
                        None
                    },
                    clause,
                );
                continue;
            }
            self.bind_expr(expr, &scope, order_context);
            order_exprs.push(expr);
        }

        // SELECT DISTINCT ordered by a column the select list does not
        // output, where the dialect forbids it.
        if matches!(distinct, Distinct::Distinct)
            && output_known
            // A `*` outputs columns without expressions: not checked.
            && output_exprs.iter().all(Option::is_some)
            && self.semantics.distinct_order_by_must_be_selected()
        {
            self.check_distinct_order(&order_exprs, &output_exprs);
        }

        // The grouping check: in an aggregated block every column read
        // outside an aggregate must be a grouping key.
        if (group_by.is_some() || self.block_has_aggregate) && !grouping_uncertain {
            let grouped_origins: FxHashSet<ColumnOrigin> = group_keys
                .iter()
                .filter_map(|key| self.column_origins.get(key.index()).copied().flatten())
                .collect();
            let mut checked: Vec<ExprId> = output_exprs.iter().flatten().copied().collect();
            checked.extend(having);
            checked.extend(qualify);
            checked.extend(order_exprs.iter().copied());
            let mut reported: FxHashSet<ColumnOrigin> = FxHashSet::default();
            let block_rels: FxHashSet<RelId> = scope.items.iter().map(|item| item.rel).collect();
            let grouping = Grouping {
                keys: &group_keys,
                grouped: &grouped_origins,
                block_rels: &block_rels,
            };
            for expr in checked {
                self.check_grouped(expr, &grouping, &mut reported);
            }
            if output_known
                && output_exprs.iter().any(Option::is_none)
                && group_by.is_some_and(|grouping| !grouping.all)
            {
                // `select *` in an aggregated block: every star column must be grouped.
                self.check_star_grouped(items, &scope, &grouped_origins);
            }
        }
        self.block_has_aggregate = saved_has_aggregate;
        if output_known && select_sources.len() == output.len() {
            if let Some(slot) = self.select_sources.get_mut(project.index()) {
                *slot = Some(select_sources);
            }
        }
        if output_known {
            known(output)
        } else {
            None
        }
    }

    /// Whether a value can stand as a condition: booleans, and what DuckDB
    /// converts to them implicitly (numbers, string literals); unknown and
    /// dynamic values are given the benefit of the doubt.
    fn is_condition(&self, expr: ExprId, ty: &SqlType) -> bool {
        matches!(ty, SqlType::Boolean | SqlType::Null | SqlType::Unknown)
            || ty.is_dynamic()
            || ty.is_numeric()
            || self.is_string_literal(expr)
    }

    fn bind_predicate(&mut self, predicate: ExprId, scope: &Scope, context: ExprContext) {
        let value = self.bind_expr(predicate, scope, context);
        if !self.is_condition(predicate, &value.ty) {
            let message = format!(
                "{} needs a boolean condition, not {}",
                context.clause.describe(),
                self.type_name(&value.ty)
            );
            self.report(
                Code::IncomparableTypes,
                self.query.expr(predicate).span,
                message,
            );
        }
    }

    /// `Some(n)` when `expr` is a bare integer literal (an ordinal position).
    fn ordinal(&self, expr: ExprId) -> Option<usize> {
        match &self.query.expr(expr).kind {
            ExprKind::Literal(Literal::Number(text)) => text.as_str().parse::<usize>().ok(),
            _ => None,
        }
    }

    /// Reports an ordinal outside `1..=width`; returns whether it is valid.
    fn check_ordinal(
        &mut self,
        expr: ExprId,
        ordinal: usize,
        width: Option<usize>,
        clause: &str,
    ) -> bool {
        self.record(
            expr,
            TypedValue {
                ty: SqlType::INT32,
                nullable: false,
            },
        );
        match width {
            Some(width) if ordinal == 0 || ordinal > width => {
                let message = format!("{clause} position {ordinal} is not in the select list, which has {width} column(s)");
                self.report(Code::InvalidOrdinal, self.query.expr(expr).span, message);
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    fn expand_star(
        &mut self,
        star: &Star,
        scope: &Scope,
        aliases: &[SelectAlias],
    ) -> Option<Vec<Column>> {
        let selected: Vec<&ScopeItem> = if star.qualifier.is_empty() {
            scope.items.iter().collect()
        } else {
            let qualifier: Vec<Name> = star
                .qualifier
                .iter()
                .map(|ident| self.fold(ident))
                .collect();
            let matching: Vec<&ScopeItem> = scope
                .items
                .iter()
                .filter(|item| self.qualifier_matches(&item.qualifier, &qualifier))
                .collect();
            if matching.is_empty() {
                let span = star
                    .qualifier
                    .iter()
                    .map(|ident| ident.span)
                    .reduce(Span::cover)
                    .unwrap_or(star.span);
                self.report_unknown_qualifier(&qualifier, span, scope);
                return Some(Vec::new());
            }
            matching.into_iter().take(1).collect()
        };
        if selected.iter().any(|item| item.columns.is_none()) {
            // Bind REPLACE expressions anyway so they are typed.
            for (expr, _) in &star.replace {
                self.bind_expr(*expr, scope, ExprContext::new(Clause::Select, aliases));
            }
            return None;
        }
        let mut columns: Vec<Column> = selected
            .iter()
            .flat_map(|item| item.columns.iter().flatten())
            .filter(|column| !column.hidden || !star.qualifier.is_empty())
            .map(|column| Column::new(column.name, column.value.ty.clone(), column.value.nullable))
            .collect();
        for excluded in &star.exclude {
            let name = self.fold(excluded);
            let before = columns.len();
            columns.retain(|column| !self.semantics.names_match(column.name, name));
            if columns.len() == before {
                self.report(
                    Code::UnknownColumn,
                    excluded.span,
                    format!(
                        "column `{}` in EXCLUDE is not a column of `*`",
                        excluded.name
                    ),
                );
            }
        }
        for (expr, target) in &star.replace {
            let value = self.bind_expr(*expr, scope, ExprContext::new(Clause::Select, aliases));
            let name = self.fold(target);
            match columns
                .iter_mut()
                .find(|column| self.semantics.names_match(column.name, name))
            {
                Some(column) => {
                    column.ty = value.ty;
                    column.nullable = value.nullable;
                }
                None => {
                    self.report(
                        Code::UnknownColumn,
                        target.span,
                        format!("column `{}` in REPLACE is not a column of `*`", target.name),
                    );
                }
            }
        }
        for (old, new) in &star.rename {
            let name = self.fold(old);
            match columns
                .iter_mut()
                .find(|column| self.semantics.names_match(column.name, name))
            {
                Some(column) => column.name = new.name,
                None => {
                    self.report(
                        Code::UnknownColumn,
                        old.span,
                        format!("column `{}` in RENAME is not a column of `*`", old.name),
                    );
                }
            }
        }
        Some(columns)
    }

    /// What each column of an expanded star reads, in the order
    /// [`Binder::expand_star`] lists them (which reports the problems).
    fn star_sources(&self, star: &Star, scope: &Scope) -> Vec<SelectSource> {
        let qualifier: Vec<Name> = star
            .qualifier
            .iter()
            .map(|ident| self.fold(ident))
            .collect();
        let selected: Vec<&ScopeItem> = if qualifier.is_empty() {
            scope.items.iter().collect()
        } else {
            scope
                .items
                .iter()
                .filter(|item| self.qualifier_matches(&item.qualifier, &qualifier))
                .take(1)
                .collect()
        };
        let mut sources: Vec<(Name, SelectSource)> = Vec::new();
        for item in selected {
            for (index, column) in item.columns.iter().flatten().enumerate() {
                if !column.hidden || !qualifier.is_empty() {
                    sources.push((
                        column.name,
                        SelectSource::Input {
                            rel: item.rel,
                            column: index,
                        },
                    ));
                }
            }
        }
        for excluded in &star.exclude {
            let name = self.fold(excluded);
            sources.retain(|(column, _)| !self.semantics.names_match(*column, name));
        }
        for (expr, target) in &star.replace {
            let name = self.fold(target);
            if let Some((_, source)) = sources
                .iter_mut()
                .find(|(column, _)| self.semantics.names_match(*column, name))
            {
                *source = SelectSource::Expr(*expr);
            }
        }
        sources.into_iter().map(|(_, source)| source).collect()
    }

    fn check_star_grouped(
        &mut self,
        items: &[SelectItem],
        scope: &Scope,
        grouped: &FxHashSet<ColumnOrigin>,
    ) {
        for item in items {
            let SelectItem::Star(star) = item else {
                continue;
            };
            for scope_item in &scope.items {
                let Some(columns) = &scope_item.columns else {
                    continue;
                };
                for (index, column) in columns.iter().enumerate() {
                    if column.hidden
                        || grouped.contains(&ColumnOrigin::Input {
                            rel: scope_item.rel,
                            column: index,
                        })
                    {
                        continue;
                    }
                    let message = format!(
                        "`*` includes column `{}`, which is neither grouped nor aggregated",
                        column.name
                    );
                    self.report(Code::NotGrouped, star.span, message);
                    return;
                }
            }
        }
    }

    /// The span of each output column of a query block (an item's alias or
    /// expression; every column of a `*` points at the star), when `rel`'s
    /// output comes from a select list.
    fn output_spans(&self, rel: RelId, width: usize) -> Vec<Span> {
        let query = self.query;
        let mut cursor = rel;
        loop {
            match &query.rel(cursor).kind {
                RelKind::Limit { input, .. } | RelKind::Sort { input, .. } => cursor = *input,
                RelKind::With { body, .. } => cursor = *body,
                RelKind::SetOp { left, .. } => cursor = *left,
                RelKind::Project { items, .. } => {
                    let mut spans = Vec::new();
                    for item in items {
                        match item {
                            SelectItem::Expr { expr, alias } => spans.push(match alias {
                                Some(alias) => query.expr(*expr).span.cover(alias.span),
                                None => query.expr(*expr).span,
                            }),
                            SelectItem::Star(star) => {
                                // A star covers what the other items leave of the width.
                                let others = items.len() - 1;
                                let count = width.saturating_sub(others).max(1);
                                spans.extend(std::iter::repeat_n(star.span, count));
                            }
                        }
                    }
                    return spans;
                }
                _ => return vec![query.rel(rel).span; width],
            }
        }
    }

    fn report_duplicate_outputs(&mut self, root: RelId, columns: &[Column]) {
        let spans = self.output_spans(root, columns.len());
        let mut seen: Vec<Name> = Vec::new();
        for (position, column) in columns.iter().enumerate() {
            let span = spans
                .get(position)
                .copied()
                .unwrap_or(self.query.rel(root).span);
            if seen
                .iter()
                .any(|name| self.semantics.names_match(*name, column.name))
            {
                let message = format!(
                    "the query outputs more than one column named `{}`",
                    column.name
                );
                let diagnostic = self.report(Code::DuplicateOutputColumn, span, message);
                diagnostic.severity = Severity::Warning;
                diagnostic.help = Some("give the columns distinct aliases".to_owned());
            } else {
                seen.push(column.name);
            }
        }
    }

    /// Reports ORDER BY keys of a `SELECT DISTINCT` that read a FROM column
    /// no output expression is or reads.
    fn check_distinct_order(&mut self, order_exprs: &[ExprId], output_exprs: &[Option<ExprId>]) {
        let mut selected: FxHashSet<ColumnOrigin> = FxHashSet::default();
        for output in output_exprs.iter().flatten() {
            self.collect_input_origins(*output, &mut selected);
        }
        for &expr in order_exprs {
            if output_exprs
                .iter()
                .flatten()
                .any(|output| self.same_expr(*output, expr))
            {
                continue;
            }
            let mut read: FxHashSet<ColumnOrigin> = FxHashSet::default();
            self.collect_input_origins(expr, &mut read);
            if read.iter().any(|origin| !selected.contains(origin)) {
                let span = self.query.expr(expr).span;
                self.report(
                    Code::OrderByNotSelected,
                    span,
                    "ORDER BY of a SELECT DISTINCT uses a column the select list does not output"
                        .to_owned(),
                )
                .help = Some("add the expression to the select list, or drop DISTINCT".to_owned());
            }
        }
    }

    /// The FROM columns of the current block an expression reads, outside
    /// aggregates (an aggregate's arguments are not per-row values).
    fn collect_input_origins(&self, expr: ExprId, origins: &mut FxHashSet<ColumnOrigin>) {
        if self.aggregate_calls.contains(&expr) {
            return;
        }
        if let Some(origin @ ColumnOrigin::Input { .. }) =
            self.column_origins.get(expr.index()).copied().flatten()
        {
            origins.insert(origin);
        }
        for child in expr_children(self.query, expr) {
            self.collect_input_origins(child, origins);
        }
    }

    // ---------------------------------------------------------------- grouping

    fn contains_aggregate(&self, expr: ExprId) -> bool {
        self.aggregate_calls.contains(&expr)
            || expr_children(self.query, expr)
                .into_iter()
                .any(|child| self.contains_aggregate(child))
    }

    fn contains_window(&self, expr: ExprId) -> bool {
        match &self.query.expr(expr).kind {
            ExprKind::Function(call) if call.over.is_some() => true,
            _ => expr_children(self.query, expr)
                .into_iter()
                .any(|child| self.contains_window(child)),
        }
    }

    fn check_grouped(
        &mut self,
        expr: ExprId,
        grouping: &Grouping<'_>,
        reported: &mut FxHashSet<ColumnOrigin>,
    ) {
        let (keys, grouped) = (grouping.keys, grouping.grouped);
        if keys.iter().any(|key| self.same_expr(*key, expr)) || self.aggregate_calls.contains(&expr)
        {
            return;
        }
        match &self.query.expr(expr).kind {
            ExprKind::Column { name, .. } => {
                if let Some(origin @ ColumnOrigin::Input { .. }) =
                    self.column_origins.get(expr.index()).copied().flatten()
                {
                    if !grouped.contains(&origin) && reported.insert(origin) {
                        let message = format!("column `{}` must appear in GROUP BY or be used in an aggregate function", name.name);
                        self.report(Code::NotGrouped, self.query.expr(expr).span, message)
                            .help = Some(format!(
                            "add `{}` to GROUP BY, or wrap it in an aggregate such as any_value()",
                            name.name
                        ));
                    }
                }
            }
            ExprKind::Field { expr: base, .. } => {
                // `s.field` where `s.field` itself is a key, or `s` is.
                self.check_grouped(*base, grouping, reported);
            }
            ExprKind::Subquery(subquery) | ExprKind::Exists { subquery, .. } => {
                self.check_subquery_grouped(*subquery, grouping, reported);
            }
            ExprKind::InSubquery {
                expr: inner,
                subquery,
                ..
            } => {
                self.check_grouped(*inner, grouping, reported);
                self.check_subquery_grouped(*subquery, grouping, reported);
            }
            _ => {
                for child in expr_children(self.query, expr) {
                    self.check_grouped(child, grouping, reported);
                }
            }
        }
    }

    /// A subquery evaluated per group may only read grouped columns of the
    /// block: its correlated references to the block's FROM items are
    /// checked like the block's own columns.
    fn check_subquery_grouped(
        &mut self,
        subquery: RelId,
        grouping: &Grouping<'_>,
        reported: &mut FxHashSet<ColumnOrigin>,
    ) {
        // The subquery's expressions are those whose text lies inside it:
        // expressions keep the spans of the one SQL text they come from.
        let extent = self.query.rel(subquery).span;
        let mut ungrouped: Vec<(ExprId, ColumnOrigin)> = Vec::new();
        for (index, origin) in self.column_origins.iter().enumerate() {
            let Some(ColumnOrigin::Outer { rel, column }) = origin else {
                continue;
            };
            let input = ColumnOrigin::Input {
                rel: *rel,
                column: *column,
            };
            let Ok(id) = u32::try_from(index) else {
                continue;
            };
            let span = self.query.expr(ExprId(id)).span;
            if grouping.block_rels.contains(rel)
                && !grouping.grouped.contains(&input)
                && span.start >= extent.start
                && span.end <= extent.end
            {
                ungrouped.push((ExprId(id), input));
            }
        }
        for (expr, origin) in ungrouped {
            if !reported.insert(origin) {
                continue;
            }
            let name = match &self.query.expr(expr).kind {
                ExprKind::Column { name, .. } => name.name.to_string(),
                _ => "column".to_owned(),
            };
            let message = format!(
                "column `{name}` must appear in GROUP BY or be used in an aggregate function: the subquery reads it for each group"
            );
            self.report(Code::NotGrouped, self.query.expr(expr).span, message)
                .help = Some(format!(
                "add `{name}` to GROUP BY, or correlate on a grouped column"
            ));
        }
    }

    /// Structural equality of two bound expressions (a select item and a
    /// GROUP BY key): columns are equal when they read the same input.
    fn same_expr(&self, left: ExprId, right: ExprId) -> bool {
        if left == right {
            return true;
        }
        let (left_kind, right_kind) = (&self.query.expr(left).kind, &self.query.expr(right).kind);
        match (left_kind, right_kind) {
            (ExprKind::Column { .. }, ExprKind::Column { .. }) => {
                let origin =
                    |expr: ExprId| self.column_origins.get(expr.index()).copied().flatten();
                origin(left).is_some() && origin(left) == origin(right)
            }
            (ExprKind::Literal(left_literal), ExprKind::Literal(right_literal)) => {
                left_literal == right_literal
            }
            (ExprKind::Function(left_call), ExprKind::Function(right_call)) => {
                left_call
                    .name
                    .to_string()
                    .eq_ignore_ascii_case(&right_call.name.to_string())
                    && left_call.distinct == right_call.distinct
                    && left_call.over.is_none()
                    && right_call.over.is_none()
                    && left_call.args.len() == right_call.args.len()
                    && left_call
                        .args
                        .iter()
                        .zip(&right_call.args)
                        .all(|(left_arg, right_arg)| {
                            self.same_expr(left_arg.value, right_arg.value)
                        })
            }
            (
                ExprKind::Binary {
                    op: left_op,
                    left: left_left,
                    right: left_right,
                },
                ExprKind::Binary {
                    op: right_op,
                    left: right_left,
                    right: right_right,
                },
            ) => {
                left_op == right_op
                    && self.same_expr(*left_left, *right_left)
                    && self.same_expr(*left_right, *right_right)
            }
            (
                ExprKind::Unary {
                    op: left_op,
                    operand: left_operand,
                },
                ExprKind::Unary {
                    op: right_op,
                    operand: right_operand,
                },
            ) => left_op == right_op && self.same_expr(*left_operand, *right_operand),
            (
                ExprKind::Cast {
                    expr: left_inner,
                    target: left_target,
                    ..
                },
                ExprKind::Cast {
                    expr: right_inner,
                    target: right_target,
                    ..
                },
            ) => left_target == right_target && self.same_expr(*left_inner, *right_inner),
            (
                ExprKind::Field {
                    expr: left_base,
                    field: left_field,
                },
                ExprKind::Field {
                    expr: right_base,
                    field: right_field,
                },
            ) => {
                left_field.name.eq_ignore_ascii_case(right_field.name)
                    && self.same_expr(*left_base, *right_base)
            }
            (ExprKind::Case(_), ExprKind::Case(_))
            | (ExprKind::Index { .. }, ExprKind::Index { .. })
            | (ExprKind::Interval { .. }, ExprKind::Interval { .. }) => {
                let (left_children, right_children) = (
                    expr_children(self.query, left),
                    expr_children(self.query, right),
                );
                std::mem::discriminant(left_kind) == std::mem::discriminant(right_kind)
                    && left_children.len() == right_children.len()
                    && left_children
                        .iter()
                        .zip(&right_children)
                        .all(|(left_child, right_child)| self.same_expr(*left_child, *right_child))
            }
            _ => false,
        }
    }

    // ---------------------------------------------------------------- names

    fn qualifier_matches(&self, item_qualifier: &[Name], written: &[Name]) -> bool {
        !written.is_empty()
            && written.len() <= item_qualifier.len()
            && written.iter().rev().zip(item_qualifier.iter().rev()).all(
                |(written_part, item_part)| self.semantics.names_match(*written_part, *item_part),
            )
    }

    fn find_unqualified(&self, items: &[ScopeItem], name: Name) -> Found {
        let mut matches: Vec<(usize, usize)> = Vec::new();
        let mut unknown = false;
        for (item_index, item) in items.iter().enumerate() {
            match &item.columns {
                Some(columns) => {
                    if let Some(column_index) = columns.iter().position(|column| {
                        !column.hidden && self.semantics.names_match(column.name, name)
                    }) {
                        matches.push((item_index, column_index));
                    }
                }
                None => unknown = true,
            }
        }
        match matches.as_slice() {
            [(item, column)] if !unknown => Found::Column {
                item: *item,
                column: *column,
            },
            [(item, column)] => {
                // A known match wins over a maybe in an unknown item: DuckDB
                // would report the ambiguity only if the unknown item had it too.
                Found::Column {
                    item: *item,
                    column: *column,
                }
            }
            [] if unknown => Found::MaybeInUnknown,
            [] => Found::Absent,
            several => Found::Ambiguous(several.iter().map(|(item, _)| *item).collect()),
        }
    }

    fn report_unknown_qualifier(&mut self, qualifier: &[Name], span: Span, scope: &Scope) {
        let written: Vec<&str> = qualifier.iter().map(|name| name.as_str()).collect();
        let written = written.join(".");
        let mut candidates: Vec<String> = Vec::new();
        let mut level = Some(scope);
        while let Some(current) = level {
            candidates.extend(
                current
                    .items
                    .iter()
                    .filter(|item| !item.qualifier.is_empty())
                    .map(ScopeItem::display_name),
            );
            level = current.parent;
        }
        let suggestion = closest_name(
            qualifier.last().map(|name| name.as_str()).unwrap_or(""),
            candidates.iter().map(String::as_str),
        )
        .map(str::to_owned);
        let diagnostic = self.report(
            Code::UnknownTable,
            span,
            format!("table or alias `{written}` is not in scope"),
        );
        diagnostic.help = match suggestion {
            Some(suggestion) => Some(format!("did you mean `{suggestion}`?")),
            None if !candidates.is_empty() => {
                Some(format!("tables in scope: {}", candidates.join(", ")))
            }
            None => None,
        };
    }

    /// Resolves a column reference; records its origin and returns its value.
    fn resolve_column(
        &mut self,
        expr: ExprId,
        qualifier: &[Ident],
        name: &Ident,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let folded = self.fold(name);
        let span = self.query.expr(expr).span;
        if qualifier.is_empty() {
            if context.aliases_first {
                if let Some(value) = self.resolve_alias(expr, folded, context) {
                    return value;
                }
            }
            // The current block, then select aliases, then lambda parameters, then outer blocks.
            let mut level = Some(scope);
            let mut depth = 0;
            while let Some(current) = level {
                match self.find_unqualified(&current.items, folded) {
                    Found::Column { item, column } => {
                        let scope_item = &current.items[item];
                        let value = scope_item
                            .columns
                            .as_ref()
                            .map(|columns| columns[column].value.clone())
                            .unwrap_or_else(unknown_value);
                        let origin = if depth == 0 {
                            ColumnOrigin::Input {
                                rel: scope_item.rel,
                                column,
                            }
                        } else {
                            ColumnOrigin::Outer {
                                rel: scope_item.rel,
                                column,
                            }
                        };
                        self.set_origin(expr, origin);
                        return value;
                    }
                    Found::Ambiguous(items) => {
                        let tables: Vec<String> = items
                            .iter()
                            .map(|item| current.items[*item].display_name())
                            .collect();
                        let message = format!(
                            "column `{}` is ambiguous: it is a column of {}",
                            name.name,
                            tables.join(" and ")
                        );
                        self.report(Code::AmbiguousColumn, span, message).help = Some(format!(
                            "qualify it, for example `{}.{}`",
                            tables.first().map(String::as_str).unwrap_or("t"),
                            name.name
                        ));
                        return unknown_value();
                    }
                    Found::MaybeInUnknown => return unknown_value(),
                    Found::Absent => {}
                }
                if depth == 0 {
                    if let Some(value) = self.resolve_alias(expr, folded, context) {
                        return value;
                    }
                    if let Some((_, ty)) = context
                        .lambda_parameters
                        .iter()
                        .rev()
                        .find(|(parameter, _)| self.semantics.names_match(*parameter, folded))
                    {
                        self.set_origin(expr, ColumnOrigin::LambdaParameter);
                        return TypedValue {
                            ty: ty.clone(),
                            nullable: true,
                        };
                    }
                }
                level = current.parent;
                depth += 1;
            }
            // `current_date`, `current_timestamp`: functions called without parentheses.
            if let Some(value) = self.niladic_function(name) {
                return value;
            }
            self.report_unknown_column(name, span, scope, context);
            return unknown_value();
        }
        let written: Vec<Name> = qualifier.iter().map(|ident| self.fold(ident)).collect();
        // `t.col` (or `schema.t.col`), in this block or an outer one.
        let mut level = Some(scope);
        let mut depth = 0;
        while let Some(current) = level {
            // Longest qualifier first; what is left after `t.col` are struct fields.
            for table_parts in (1..=written.len()).rev() {
                let Some(item_index) = current.items.iter().position(|item| {
                    self.qualifier_matches(&item.qualifier, &written[..table_parts])
                }) else {
                    continue;
                };
                let scope_item = &current.items[item_index];
                let mut path: Vec<&Ident> = qualifier[table_parts..].iter().collect();
                path.push(name);
                let column_name = self.fold(path[0]);
                let Some(columns) = &scope_item.columns else {
                    return unknown_value();
                };
                match columns
                    .iter()
                    .position(|column| self.semantics.names_match(column.name, column_name))
                {
                    Some(column) => {
                        let value = columns[column].value.clone();
                        let origin = if depth == 0 {
                            ColumnOrigin::Input {
                                rel: scope_item.rel,
                                column,
                            }
                        } else {
                            ColumnOrigin::Outer {
                                rel: scope_item.rel,
                                column,
                            }
                        };
                        self.set_origin(expr, origin);
                        return self.apply_fields(value, &path[1..], span);
                    }
                    None => {
                        let candidates: Vec<&str> =
                            columns.iter().map(|column| column.name.as_str()).collect();
                        let suggestion =
                            closest_name(path[0].name.as_str(), candidates).map(str::to_owned);
                        let table = scope_item.display_name();
                        let diagnostic = self.report(
                            Code::UnknownColumn,
                            span,
                            format!("column `{}` not found in `{}`", path[0].name, table),
                        );
                        if let Some(suggestion) = suggestion {
                            diagnostic.help = Some(format!("did you mean `{table}.{suggestion}`?"));
                        }
                        return unknown_value();
                    }
                }
            }
            // `col.field`: the first part is a column of a struct type.
            let first = self.fold(&qualifier[0]);
            if let Found::Column { item, column } = self.find_unqualified(&current.items, first) {
                let scope_item = &current.items[item];
                let value = scope_item
                    .columns
                    .as_ref()
                    .map(|columns| columns[column].value.clone())
                    .unwrap_or_else(unknown_value);
                let origin = if depth == 0 {
                    ColumnOrigin::Input {
                        rel: scope_item.rel,
                        column,
                    }
                } else {
                    ColumnOrigin::Outer {
                        rel: scope_item.rel,
                        column,
                    }
                };
                self.set_origin(expr, origin);
                let mut path: Vec<&Ident> = qualifier[1..].iter().collect();
                path.push(name);
                return self.apply_fields(value, &path, span);
            }
            if current
                .items
                .iter()
                .any(|item| item.columns.is_none() && item.qualifier.is_empty())
            {
                return unknown_value();
            }
            if depth == 0
                && context
                    .lambda_parameters
                    .iter()
                    .any(|(parameter, _)| self.semantics.names_match(*parameter, first))
            {
                // `x.field` on a lambda parameter: the field's type is not tracked.
                self.set_origin(expr, ColumnOrigin::LambdaParameter);
                return unknown_value();
            }
            level = current.parent;
            depth += 1;
        }
        let qualifier_span = qualifier
            .iter()
            .map(|ident| ident.span)
            .reduce(Span::cover)
            .unwrap_or(span);
        self.report_unknown_qualifier(&written, qualifier_span, scope);
        unknown_value()
    }

    /// `struct(1 as a, t.b)`: a field per argument, named by the argument's
    /// name or by the column it reads (unnamed otherwise), typed as bound.
    fn struct_of_arguments(&self, call: &FunctionCall) -> SqlType {
        let fields = call
            .args
            .iter()
            .map(|argument| {
                let name = match (&argument.name, &self.query.expr(argument.value).kind) {
                    (Some(name), _) => self.fold(name),
                    (None, ExprKind::Column { name, .. }) => self.fold(name),
                    (None, ExprKind::Field { field, .. }) => self.fold(field),
                    (None, _) => Name::new(""),
                };
                let ty = self
                    .expr_types
                    .get(argument.value.index())
                    .cloned()
                    .flatten()
                    .map(|value| value.ty)
                    .unwrap_or(SqlType::Unknown);
                fusion_ir::types::StructField { name, ty }
            })
            .collect();
        SqlType::Struct(fields)
    }

    fn niladic_function(&self, name: &Ident) -> Option<TypedValue> {
        let definition = self.semantics.function(name.name.as_str())?;
        if definition.kind != FunctionKind::Scalar {
            return None;
        }
        let signature = definition
            .signatures
            .iter()
            .find(|signature| signature.params.is_empty())?;
        match &signature.returns {
            ReturnType::Exact(ty) => Some(TypedValue {
                ty: ty.clone(),
                nullable: definition.nullability != ResultNullability::Never,
            }),
            _ => None,
        }
    }

    fn resolve_alias(
        &mut self,
        expr: ExprId,
        name: Name,
        context: ExprContext,
    ) -> Option<TypedValue> {
        let alias = context
            .aliases
            .iter()
            .rev()
            .find(|alias| self.semantics.names_match(alias.name, name))?
            .clone();
        self.set_origin(expr, ColumnOrigin::SelectItem { expr: alias.expr });
        if alias.has_aggregate && !context.clause.allows_aggregates() {
            let message = format!(
                "`{}` is an aggregate and cannot be used in {}",
                alias.name,
                context.clause.describe()
            );
            self.report(
                Code::MisplacedAggregate,
                self.query.expr(expr).span,
                message,
            );
        } else if alias.has_window && !context.clause.allows_windows() {
            let message = format!(
                "`{}` is a window function and cannot be used in {}",
                alias.name,
                context.clause.describe()
            );
            self.report(
                Code::MisplacedAggregate,
                self.query.expr(expr).span,
                message,
            );
        }
        Some(alias.value)
    }

    fn report_unknown_column(
        &mut self,
        name: &Ident,
        span: Span,
        scope: &Scope,
        context: ExprContext,
    ) {
        let mut candidates: Vec<&str> = scope
            .items
            .iter()
            .flat_map(|item| item.columns.iter().flatten())
            .map(|column| column.name.as_str())
            .collect();
        candidates.extend(context.aliases.iter().map(|alias| alias.name.as_str()));
        let suggestion = closest_name(name.name.as_str(), candidates).map(str::to_owned);
        let tables: Vec<String> = scope
            .items
            .iter()
            .filter(|item| !item.qualifier.is_empty())
            .map(ScopeItem::display_name)
            .collect();
        let diagnostic = self.report(
            Code::UnknownColumn,
            span,
            format!("column `{}` not found", name.name),
        );
        if let Some(suggestion) = suggestion {
            diagnostic.help = Some(format!("did you mean `{suggestion}`?"));
        }
        diagnostic.notes.push(if tables.is_empty() {
            "no tables are in scope".to_owned()
        } else {
            format!("tables in scope: {}", tables.join(", "))
        });
    }

    fn apply_fields(&mut self, mut value: TypedValue, path: &[&Ident], span: Span) -> TypedValue {
        for field in path {
            value = self.field_of(value, field, span);
        }
        value
    }

    fn field_of(&mut self, value: TypedValue, field: &Ident, span: Span) -> TypedValue {
        let folded = self.fold(field);
        match &value.ty {
            SqlType::Struct(fields) => match fields
                .iter()
                .find(|candidate| self.semantics.names_match(candidate.name, folded))
            {
                Some(found) => TypedValue {
                    ty: found.ty.clone(),
                    nullable: value.nullable,
                },
                None => {
                    let candidates: Vec<&str> = fields
                        .iter()
                        .map(|candidate| candidate.name.as_str())
                        .collect();
                    let suggestion =
                        closest_name(field.name.as_str(), candidates).map(str::to_owned);
                    let message = format!(
                        "field `{}` not found in {}",
                        field.name,
                        self.type_name(&value.ty)
                    );
                    let diagnostic = self.report(Code::UnknownColumn, span, message);
                    if let Some(suggestion) = suggestion {
                        diagnostic.help = Some(format!("did you mean `{suggestion}`?"));
                    }
                    unknown_value()
                }
            },
            SqlType::Map(pair) => TypedValue {
                ty: pair.1.clone(),
                nullable: true,
            },
            SqlType::Unknown
            | SqlType::Json
            | SqlType::Variant
            | SqlType::Other(_)
            | SqlType::Null => TypedValue {
                ty: value.ty.clone(),
                nullable: true,
            },
            other => {
                let message = format!(
                    "cannot read field `{}` of a {} value",
                    field.name,
                    self.type_name(other)
                );
                self.report(Code::UnknownColumn, span, message);
                unknown_value()
            }
        }
    }

    // ---------------------------------------------------------------- expressions

    fn bind_expr(&mut self, expr: ExprId, scope: &Scope, context: ExprContext) -> TypedValue {
        let query = self.query;
        let span = query.expr(expr).span;
        let value = match &query.expr(expr).kind {
            ExprKind::Column { qualifier, name } => {
                self.resolve_column(expr, qualifier, name, scope, context)
            }
            ExprKind::Literal(literal) => match literal {
                Literal::Null => TypedValue {
                    ty: SqlType::Null,
                    nullable: true,
                },
                Literal::Boolean(_) => TypedValue {
                    ty: SqlType::Boolean,
                    nullable: false,
                },
                Literal::Number(text) => {
                    let text = text.as_str();
                    let ty = if text.contains(['.', 'e', 'E']) {
                        self.semantics.decimal_literal_type(text)
                    } else {
                        self.semantics.integer_literal_type(text)
                    };
                    TypedValue {
                        ty,
                        nullable: false,
                    }
                }
                Literal::String(_) => TypedValue {
                    ty: self.semantics.string_literal_type(),
                    nullable: false,
                },
                Literal::Typed { ty, .. } => TypedValue {
                    ty: (**ty).clone(),
                    nullable: false,
                },
            },
            ExprKind::Parameter(_) => unknown_value(),
            ExprKind::Unary { op, operand } => {
                let value = self.bind_expr(*operand, scope, context);
                match op {
                    UnaryOp::Not => TypedValue {
                        ty: SqlType::Boolean,
                        nullable: value.nullable,
                    },
                    UnaryOp::Negate | UnaryOp::Plus => {
                        let negatable = value.ty.is_numeric()
                            || matches!(
                                value.ty,
                                SqlType::Interval | SqlType::Null | SqlType::Unknown
                            )
                            || value.ty.is_dynamic()
                            || self.is_string_literal(*operand);
                        if !negatable {
                            let message =
                                format!("cannot negate a {} value", self.type_name(&value.ty));
                            self.report(Code::IncomparableTypes, span, message);
                            unknown_value()
                        } else {
                            value
                        }
                    }
                    UnaryOp::BitwiseNot => value,
                }
            }
            ExprKind::Binary { op, left, right } => {
                self.bind_binary(*op, *left, *right, span, scope, context)
            }
            ExprKind::Cast {
                expr: inner,
                target,
                kind,
            } => {
                let value = self.bind_expr(*inner, scope, context);
                if !self.semantics.can_cast(&value.ty, target) && !self.is_string_literal(*inner) {
                    let message = format!(
                        "cannot cast {} to {}",
                        self.type_name(&value.ty),
                        self.type_name(target)
                    );
                    self.report(Code::InvalidCast, span, message);
                }
                TypedValue {
                    ty: (**target).clone(),
                    nullable: value.nullable || *kind == CastKind::TryCast,
                }
            }
            ExprKind::Function(call) => self.bind_function(expr, call, scope, context),
            ExprKind::Case(case) => {
                let operand = case
                    .operand
                    .map(|operand| (operand, self.bind_expr(operand, scope, context)));
                let mut results: Vec<(ExprId, TypedValue)> = Vec::new();
                for (condition, result) in &case.branches {
                    let condition_value = self.bind_expr(*condition, scope, context);
                    match &operand {
                        Some((operand_expr, operand_value)) => {
                            self.check_comparable(
                                *operand_expr,
                                operand_value,
                                *condition,
                                &condition_value,
                                query.expr(*condition).span,
                            );
                        }
                        None => {
                            if !self.is_condition(*condition, &condition_value.ty) {
                                let message = format!(
                                    "a CASE condition must be boolean, not {}",
                                    self.type_name(&condition_value.ty)
                                );
                                self.report(
                                    Code::IncomparableTypes,
                                    query.expr(*condition).span,
                                    message,
                                );
                            }
                        }
                    }
                    results.push((*result, self.bind_expr(*result, scope, context)));
                }
                if let Some(else_result) = case.else_result {
                    results.push((else_result, self.bind_expr(else_result, scope, context)));
                }
                let ty = self.unify(&results, Code::IncomparableTypes, "CASE branch");
                let nullable =
                    case.else_result.is_none() || results.iter().any(|(_, value)| value.nullable);
                TypedValue { ty, nullable }
            }
            ExprKind::InList {
                expr: needle,
                list,
                negated: _,
            } => {
                let needle_value = self.bind_expr(*needle, scope, context);
                let mut nullable = needle_value.nullable;
                for item in list {
                    let item_value = self.bind_expr(*item, scope, context);
                    nullable |= item_value.nullable;
                    self.check_comparable(
                        *needle,
                        &needle_value,
                        *item,
                        &item_value,
                        query.expr(*item).span,
                    );
                }
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable,
                }
            }
            ExprKind::InSubquery {
                expr: needle,
                subquery,
                negated: _,
            } => {
                let needle_value = self.bind_expr(*needle, scope, context);
                let output = self.bind_subquery(*subquery, scope);
                if let Some(schema) = output {
                    let columns = &schema.columns;
                    if columns.len() != 1 {
                        let message = format!(
                            "the IN subquery returns {} columns; it must return one",
                            columns.len()
                        );
                        self.report(Code::SetOperationWidth, query.rel(*subquery).span, message);
                    } else if let Some(column) = columns.first() {
                        let item_value = TypedValue {
                            ty: column.ty.clone(),
                            nullable: column.nullable,
                        };
                        if self
                            .semantics
                            .comparison_type(&needle_value.ty, &item_value.ty)
                            .is_none()
                            && !self.is_string_literal(*needle)
                        {
                            let message = format!(
                                "cannot compare {} with the subquery's {}",
                                self.type_name(&needle_value.ty),
                                self.type_name(&item_value.ty)
                            );
                            self.report(Code::IncomparableTypes, span, message);
                        }
                    }
                }
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable: true,
                }
            }
            ExprKind::Exists {
                subquery,
                negated: _,
            } => {
                self.bind_subquery(*subquery, scope);
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable: false,
                }
            }
            ExprKind::Subquery(subquery) => match self.bind_subquery(*subquery, scope) {
                Some(schema) if schema.columns.len() == 1 => TypedValue {
                    ty: schema.columns[0].ty.clone(),
                    nullable: true,
                },
                Some(columns) => {
                    let message = format!(
                        "a scalar subquery must return one column, this one returns {}",
                        columns.len()
                    );
                    self.report(Code::SetOperationWidth, span, message);
                    unknown_value()
                }
                None => unknown_value(),
            },
            ExprKind::Between {
                expr: value_expr,
                low,
                high,
                negated: _,
            } => {
                let value = self.bind_expr(*value_expr, scope, context);
                let low_value = self.bind_expr(*low, scope, context);
                let high_value = self.bind_expr(*high, scope, context);
                self.check_comparable(*value_expr, &value, *low, &low_value, query.expr(*low).span);
                self.check_comparable(
                    *value_expr,
                    &value,
                    *high,
                    &high_value,
                    query.expr(*high).span,
                );
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable: value.nullable || low_value.nullable || high_value.nullable,
                }
            }
            ExprKind::Like {
                expr: value_expr,
                pattern,
                escape,
                negated: _,
                case_insensitive: _,
            } => {
                let value = self.bind_expr(*value_expr, scope, context);
                let pattern_value = self.bind_expr(*pattern, scope, context);
                if let Some(escape) = escape {
                    self.bind_expr(*escape, scope, context);
                }
                for (operand, operand_value) in [(*value_expr, &value), (*pattern, &pattern_value)]
                {
                    let accepted = matches!(
                        operand_value.ty,
                        SqlType::String { .. } | SqlType::Null | SqlType::Unknown
                    ) || operand_value.ty.is_dynamic();
                    if !accepted {
                        let message = format!(
                            "LIKE needs strings, not {}",
                            self.type_name(&operand_value.ty)
                        );
                        self.report(Code::ArgumentType, query.expr(operand).span, message);
                    }
                }
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable: value.nullable || pattern_value.nullable,
                }
            }
            ExprKind::IsNull { expr: inner, .. } | ExprKind::IsBoolean { expr: inner, .. } => {
                self.bind_expr(*inner, scope, context);
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable: false,
                }
            }
            ExprKind::IsDistinctFrom { left, right, .. } => {
                let left_value = self.bind_expr(*left, scope, context);
                let right_value = self.bind_expr(*right, scope, context);
                self.check_comparable(*left, &left_value, *right, &right_value, span);
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable: false,
                }
            }
            ExprKind::Field { expr: base, field } => {
                let value = self.bind_expr(*base, scope, context);
                self.field_of(value, field, span)
            }
            ExprKind::Index { expr: base, index } => {
                let value = self.bind_expr(*base, scope, context);
                self.bind_expr(*index, scope, context);
                match &value.ty {
                    SqlType::Array(element) => TypedValue {
                        ty: (**element).clone(),
                        nullable: true,
                    },
                    SqlType::Map(pair) => TypedValue {
                        ty: pair.1.clone(),
                        nullable: true,
                    },
                    SqlType::String { .. } => TypedValue {
                        ty: SqlType::STRING,
                        nullable: true,
                    },
                    SqlType::Struct(_) => match &query.expr(*index).kind {
                        ExprKind::Literal(Literal::String(text)) => {
                            let field = Ident {
                                name: Name::new(text),
                                quoted: true,
                                span: query.expr(*index).span,
                            };
                            self.field_of(value, &field, span)
                        }
                        _ => unknown_value(),
                    },
                    _ => unknown_value(),
                }
            }
            ExprKind::Slice {
                expr: base,
                start,
                end,
            } => {
                let value = self.bind_expr(*base, scope, context);
                for bound in [start, end].into_iter().flatten() {
                    self.bind_expr(*bound, scope, context);
                }
                value
            }
            ExprKind::Array(items) => {
                let values: Vec<(ExprId, TypedValue)> = items
                    .iter()
                    .map(|item| (*item, self.bind_expr(*item, scope, context)))
                    .collect();
                let element = if values.is_empty() {
                    SqlType::Null
                } else {
                    self.unify(&values, Code::IncomparableTypes, "list element")
                };
                TypedValue {
                    ty: SqlType::Array(Box::new(element)),
                    nullable: false,
                }
            }
            ExprKind::Struct(entries) => {
                let mut fields = Vec::with_capacity(entries.len());
                for (position, entry) in entries.iter().enumerate() {
                    let value = self.bind_expr(entry.value, scope, context);
                    let name = match &entry.name {
                        Some(name) => name.name,
                        None => Name::new(&format!("v{}", position + 1)),
                    };
                    fields.push(fusion_ir::types::StructField { name, ty: value.ty });
                }
                TypedValue {
                    ty: SqlType::Struct(fields),
                    nullable: false,
                }
            }
            ExprKind::Interval { value, .. } => {
                let inner = self.bind_expr(*value, scope, context);
                TypedValue {
                    ty: SqlType::Interval,
                    nullable: inner.nullable,
                }
            }
            ExprKind::Lambda { params, body } => {
                let types = self.next_lambda_types.take().unwrap_or_default();
                let mut parameters: Vec<(Name, SqlType)> = context.lambda_parameters.to_vec();
                parameters.extend(params.iter().enumerate().map(|(position, param)| {
                    (
                        self.fold(param),
                        types.get(position).cloned().unwrap_or(SqlType::Unknown),
                    )
                }));
                let inner = ExprContext {
                    lambda_parameters: &parameters,
                    ..context
                };
                // A lambda's value is its body's: `list_transform(xs, x -> x + 1)`
                // then types as a list of the body's type.
                self.bind_expr(*body, scope, inner)
            }
            ExprKind::Star(_) | ExprKind::Error => unknown_value(),
        };
        self.record(expr, value)
    }

    fn bind_subquery(&mut self, subquery: RelId, scope: &Scope) -> RelOutput {
        // The subquery is its own block; the current one is its outer scope.
        let saved = std::mem::replace(&mut self.block_has_aggregate, false);
        let output = self.bind_rel(subquery, Some(scope));
        self.block_has_aggregate = saved;
        output
    }

    fn bind_binary(
        &mut self,
        op: BinaryOp,
        left: ExprId,
        right: ExprId,
        span: Span,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let left_value = self.bind_expr(left, scope, context);
        let right_value = self.bind_expr(right, scope, context);
        let nullable = left_value.nullable || right_value.nullable;
        match op {
            BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Lt
            | BinaryOp::LtEq
            | BinaryOp::Gt
            | BinaryOp::GtEq => {
                self.check_comparable(left, &left_value, right, &right_value, span);
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable,
                }
            }
            BinaryOp::And | BinaryOp::Or => {
                for (operand, operand_value) in [(left, &left_value), (right, &right_value)] {
                    if !self.is_condition(operand, &operand_value.ty) {
                        let message = format!(
                            "{} needs boolean operands, not {}",
                            if op == BinaryOp::And { "AND" } else { "OR" },
                            self.type_name(&operand_value.ty)
                        );
                        self.report(
                            Code::IncomparableTypes,
                            self.query.expr(operand).span,
                            message,
                        );
                    }
                }
                TypedValue {
                    ty: SqlType::Boolean,
                    nullable,
                }
            }
            _ => {
                // An untyped string literal takes the type of the other operand
                // (`ts - '1 day'`) when the dialect allows it.
                let left_type = self.literal_adjusted(left, &left_value.ty, &right_value.ty);
                let right_type = self.literal_adjusted(right, &right_value.ty, &left_value.ty);
                let (left_type, right_type) = match op {
                    BinaryOp::Add | BinaryOp::Subtract
                        if matches!(
                            left_type,
                            SqlType::Date | SqlType::Timestamp { .. } | SqlType::Time
                        ) && self.is_string_literal(right) =>
                    {
                        (left_type, SqlType::Interval)
                    }
                    _ => (left_type, right_type),
                };
                match self.semantics.binary_result(op, &left_type, &right_type) {
                    Some(ty) => TypedValue { ty, nullable },
                    None => {
                        let message = format!(
                            "cannot apply `{}` to {} and {}",
                            operator_spelling(op),
                            self.type_name(&left_value.ty),
                            self.type_name(&right_value.ty)
                        );
                        self.report(Code::IncomparableTypes, span, message);
                        unknown_value()
                    }
                }
            }
        }
    }

    fn literal_adjusted(&self, expr: ExprId, own: &SqlType, other: &SqlType) -> SqlType {
        if self.is_string_literal(expr)
            && !other.is_string()
            && !other.is_unknown()
            && self.semantics.string_literal_coerces_to(other)
        {
            other.clone()
        } else {
            own.clone()
        }
    }

    fn check_comparable(
        &mut self,
        left: ExprId,
        left_value: &TypedValue,
        right: ExprId,
        right_value: &TypedValue,
        span: Span,
    ) {
        let (left_type, right_type) = (&left_value.ty, &right_value.ty);
        if left_type.is_unknown()
            || right_type.is_unknown()
            || left_type.is_dynamic()
            || right_type.is_dynamic()
        {
            return;
        }
        if (self.is_string_literal(left) && self.semantics.string_literal_coerces_to(right_type))
            || (self.is_string_literal(right)
                && self.semantics.string_literal_coerces_to(left_type))
        {
            return;
        }
        if self
            .semantics
            .comparison_type(left_type, right_type)
            .is_none()
        {
            let message = format!(
                "cannot compare {} with {}",
                self.type_name(left_type),
                self.type_name(right_type)
            );
            self.report(Code::IncomparableTypes, span, message).help =
                Some("cast one side explicitly".to_owned());
        }
    }

    /// The common type of values that must agree (CASE branches, list
    /// elements, VALUES columns); reports the first that does not.
    fn unify(&mut self, values: &[(ExprId, TypedValue)], code: Code, what: &str) -> SqlType {
        let mut result: Option<SqlType> = None;
        // Typed values first: string literals then adapt to them.
        for (expr, value) in values
            .iter()
            .filter(|(expr, _)| !self.is_string_literal(*expr))
        {
            result = match result {
                None => Some(value.ty.clone()),
                Some(current) => match self.semantics.common_supertype(&current, &value.ty) {
                    Some(ty) => Some(ty),
                    None => {
                        let message = format!(
                            "{what} of type {} does not match the earlier {}",
                            self.type_name(&value.ty),
                            self.type_name(&current)
                        );
                        self.report(code, self.query.expr(*expr).span, message);
                        return SqlType::Unknown;
                    }
                },
            };
        }
        let Some(result) = result else {
            return self.semantics.string_literal_type();
        };
        for (expr, _) in values
            .iter()
            .filter(|(expr, _)| self.is_string_literal(*expr))
        {
            if !self.semantics.string_literal_coerces_to(&result)
                && !result.is_unknown()
                && !result.is_string()
                && !result.is_dynamic()
                && !matches!(result, SqlType::Null)
            {
                let message = format!(
                    "{what} is a string, which does not match {}",
                    self.type_name(&result)
                );
                self.report(code, self.query.expr(*expr).span, message);
                return SqlType::Unknown;
            }
        }
        if matches!(result, SqlType::Null)
            && values.iter().any(|(expr, _)| self.is_string_literal(*expr))
        {
            return self.semantics.string_literal_type();
        }
        result
    }

    fn bind_window_spec(&mut self, spec: &WindowSpec, scope: &Scope, context: ExprContext) {
        for expr in &spec.partition_by {
            self.bind_expr(*expr, scope, context);
        }
        for key in &spec.order_by {
            self.bind_expr(key.expr, scope, context);
        }
        if let Some(frame) = &spec.frame {
            for bound in [Some(&frame.start), frame.end.as_ref()]
                .into_iter()
                .flatten()
            {
                if let fusion_ir::query::FrameBound::Preceding(expr)
                | fusion_ir::query::FrameBound::Following(expr) = bound
                {
                    self.bind_expr(*expr, scope, ExprContext::new(Clause::Other, &[]));
                }
            }
        }
    }

    fn bind_function(
        &mut self,
        expr: ExprId,
        call: &FunctionCall,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let query = self.query;
        let span = query.expr(expr).span;
        let function_name = call
            .name
            .last()
            .map(|ident| ident.name.as_str())
            .unwrap_or("");
        // A qualified name (`safe.parse_date`, `net.host`, `my_schema.my_udf`)
        // is looked up whole: the dialect, or the project's UDFs, decide.
        let definition: Option<&FunctionDef> = if call.name.parts.len() == 1 {
            self.semantics.function(function_name)
        } else {
            self.semantics.function(&call.name.to_string())
        };
        let is_window = call.over.is_some();
        let is_aggregate = !is_window
            && definition.is_some_and(|definition| definition.kind == FunctionKind::Aggregate);
        // `row_number()`, `lag(x)`: functions that only exist as window
        // functions need OVER (hypothetical-set calls with WITHIN GROUP aside).
        if !is_window
            && call.within_group.is_empty()
            && definition.is_some_and(|definition| definition.kind == FunctionKind::Window)
        {
            let message = format!("window function `{function_name}` requires an OVER clause");
            self.report(Code::WindowFunctionWithoutOver, span, message)
                .help = Some(format!(
                "add `OVER (...)`, for example `{function_name}(...) OVER (ORDER BY ...)`"
            ));
        }

        if is_aggregate || is_window {
            let what = if is_window {
                "window function"
            } else {
                "aggregate function"
            };
            let allowed = if is_window {
                context.clause.allows_windows()
            } else {
                context.clause.allows_aggregates()
            };
            if !allowed {
                let message = format!(
                    "{what} `{function_name}` is not allowed in {}",
                    context.clause.describe()
                );
                self.report(Code::MisplacedAggregate, span, message);
            } else if context.in_aggregate {
                let message = format!(
                    "{what} `{function_name}` cannot be nested inside an aggregate function"
                );
                self.report(Code::MisplacedAggregate, span, message);
            }
        }
        if is_aggregate {
            self.aggregate_calls.insert(expr);
            self.block_has_aggregate = true;
        }
        let argument_context = ExprContext {
            in_aggregate: context.in_aggregate || is_aggregate,
            ..context
        };
        // `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)` is typed as `(x, 0.5)`.
        let mut arguments: Vec<(ExprId, TypedValue)> = Vec::new();
        for key in &call.within_group {
            arguments.push((key.expr, self.bind_expr(key.expr, scope, argument_context)));
        }
        for (position, arg) in call.args.iter().enumerate() {
            if matches!(query.expr(arg.value).kind, ExprKind::Star(_)) {
                // `count(*)`: no argument.
                self.record(arg.value, unknown_value());
                continue;
            }
            if self.is_date_part_keyword(definition, position, arg.value) {
                // `extract(year from x)`, `date_trunc(month, x)`: a keyword, not a column.
                let keyword = TypedValue {
                    ty: self.semantics.string_literal_type(),
                    nullable: false,
                };
                arguments.push((arg.value, self.record(arg.value, keyword)));
                continue;
            }
            if matches!(query.expr(arg.value).kind, ExprKind::Lambda { .. }) {
                // A lambda's first parameter is an element of the list the
                // function works on (its first argument); what further
                // parameters hold (an index, an accumulator) depends on the
                // function, so they stay unknown.
                let element = match arguments.first().map(|(_, value)| &value.ty) {
                    Some(SqlType::Array(element)) => (**element).clone(),
                    _ => SqlType::Unknown,
                };
                self.next_lambda_types = Some(vec![element]);
            }
            arguments.push((
                arg.value,
                self.bind_expr(arg.value, scope, argument_context),
            ));
        }
        if let Some(filter) = call.filter {
            self.bind_predicate(filter, scope, argument_context);
        }
        for key in &call.order_by {
            self.bind_expr(key.expr, scope, argument_context);
        }
        if let Some(over) = &call.over {
            self.bind_window_spec(over, scope, context);
        }
        let Some(definition) = definition else {
            let suggestion =
                closest_name(function_name, self.semantics.function_names()).map(str::to_owned);
            // An example signature with the call's own arity, in the
            // signature language UDF declarations use.
            let example_params: Vec<String> = arguments
                .iter()
                .enumerate()
                .map(|(position, (_, value))| {
                    let ty = match &value.ty {
                        SqlType::Unknown | SqlType::Null => "VARCHAR".to_owned(),
                        known => self.type_name(known),
                    };
                    format!("arg{} {ty}", position + 1)
                })
                .collect();
            let declaration = format!(
                "if `{name}` is a user-defined function, declare it under `functions:` in a schema YAML file, for example `- \"{name}({}) -> VARCHAR\"`",
                example_params.join(", "),
                name = call.name
            );
            let diagnostic = self.report(
                Code::UnknownFunction,
                call.name.span(),
                format!("function `{}` not found", call.name),
            );
            diagnostic.help = Some(match suggestion {
                Some(suggestion) => {
                    format!("did you mean `{suggestion}`? Otherwise, {declaration}")
                }
                None => declaration,
            });
            return unknown_value();
        };
        let mut ty = self.resolve_overload(definition, &arguments, span);
        if definition
            .signatures
            .iter()
            .all(|signature| signature.returns == ReturnType::StructOfArguments)
        {
            ty = self.struct_of_arguments(call);
        }
        // A date part known from the text may refine the result type.
        // The input is the last argument: `date_trunc(part, x)`, `dateadd(part, n, x)`.
        if let ([(part_expr, _), .., (_, input)], false) = (arguments.as_slice(), ty.is_unknown()) {
            let part = match &query.expr(*part_expr).kind {
                ExprKind::Literal(Literal::String(text)) => Some(text.to_string()),
                ExprKind::Column { qualifier, name } if qualifier.is_empty() => {
                    Some(name.name.as_str().to_owned())
                }
                _ => None,
            };
            let takes_part = definition.signatures.iter().all(|signature| {
                signature
                    .params
                    .first()
                    .is_some_and(|param| param.ty == ParamType::DatePart)
            });
            if let (Some(part), true) = (part, takes_part) {
                if let Some(refined) =
                    self.semantics
                        .date_part_result(function_name, &part, &input.ty)
                {
                    ty = refined;
                }
            }
        }
        let nullable = ty.is_unknown()
            || match definition.nullability {
                ResultNullability::Never => false,
                ResultNullability::Always => true,
                ResultNullability::FromArguments => {
                    arguments.iter().any(|(_, value)| value.nullable)
                }
                ResultNullability::AllArguments => {
                    !arguments.is_empty() && arguments.iter().all(|(_, value)| value.nullable)
                }
            };
        TypedValue { ty, nullable }
    }

    /// Whether argument `position` is a date part written as a bare word:
    /// every signature takes a date part there and the argument is an
    /// unqualified name.
    fn is_date_part_keyword(
        &self,
        definition: Option<&FunctionDef>,
        position: usize,
        arg: ExprId,
    ) -> bool {
        let Some(definition) = definition else {
            return false;
        };
        let is_keyword = |expr: ExprId| matches!(&self.query.expr(expr).kind, ExprKind::Column { qualifier, .. } if qualifier.is_empty());
        // `week`, or BigQuery's `WEEK(MONDAY)`: a word, or a word of words.
        let keyword_like = match &self.query.expr(arg).kind {
            ExprKind::Function(call) => {
                call.over.is_none() && call.args.iter().all(|argument| is_keyword(argument.value))
            }
            _ => is_keyword(arg),
        };
        keyword_like
            && !definition.signatures.is_empty()
            && definition.signatures.iter().all(|signature| {
                signature
                    .params
                    .get(position)
                    .is_some_and(|param| param.ty == ParamType::DatePart)
            })
    }

    fn resolve_overload(
        &mut self,
        definition: &FunctionDef,
        arguments: &[(ExprId, TypedValue)],
        span: Span,
    ) -> SqlType {
        let count = arguments.len();
        let accepting: Vec<&Signature> = definition
            .signatures
            .iter()
            .filter(|signature| accepts_count(signature, count))
            .collect();
        if accepting.is_empty() {
            let expected: Vec<String> = definition
                .signatures
                .iter()
                .map(describe_arity)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let message = format!(
                "function `{}` takes {} argument(s), not {count}",
                definition.name,
                expected.join(" or ")
            );
            self.report(Code::WrongArgumentCount, span, message);
            return SqlType::Unknown;
        }
        let mut best: Option<(usize, SqlType)> = None;
        let mut first_failure: Option<(usize, String)> = None;
        for signature in &accepting {
            match self.match_signature(signature, arguments) {
                Ok((cost, ty)) => {
                    if best.as_ref().is_none_or(|(best_cost, _)| cost < *best_cost) {
                        best = Some((cost, ty));
                    }
                }
                Err(failure) => {
                    if first_failure.is_none() {
                        first_failure = Some(failure);
                    }
                }
            }
        }
        if let Some((_, ty)) = best {
            return ty;
        }
        if let Some((position, expected)) = first_failure {
            let (argument, value) = &arguments[position];
            let message = format!(
                "argument {} of `{}` is {}, but {expected} is expected",
                position + 1,
                definition.name,
                self.type_name(&value.ty)
            );
            self.report(Code::ArgumentType, self.query.expr(*argument).span, message);
        }
        SqlType::Unknown
    }

    /// Matches arguments to a signature: `Ok((coercions needed, result))`, or
    /// `Err((argument position, what was expected))`.
    fn match_signature(
        &self,
        signature: &Signature,
        arguments: &[(ExprId, TypedValue)],
    ) -> Result<(usize, SqlType), (usize, String)> {
        let mut bindings: [Option<SqlType>; MAX_TYPE_VARIABLES] = Default::default();
        let mut cost = 0;
        for (position, (argument, value)) in arguments.iter().enumerate() {
            let Some(param) = signature
                .params
                .get(position)
                .or_else(|| signature.params.last().filter(|param| param.variadic))
            else {
                return Err((position, "no argument".to_owned()));
            };
            let ty = &value.ty;
            if ty.is_unknown() || matches!(ty, SqlType::Null) || ty.is_dynamic() {
                continue;
            }
            let literal = self.is_string_literal(*argument);
            let accepted = match &param.ty {
                ParamType::Any | ParamType::DatePart => true,
                ParamType::Exact(expected) => {
                    if ty == expected {
                        true
                    } else if self.semantics.can_coerce(ty, expected)
                        || (literal && self.semantics.string_literal_coerces_to(expected))
                    {
                        cost += 1;
                        true
                    } else {
                        false
                    }
                }
                ParamType::Numeric => {
                    ty.is_numeric()
                        || (literal && {
                            cost += 1;
                            true
                        })
                }
                ParamType::String => ty.is_string(),
                ParamType::Temporal => {
                    ty.is_temporal()
                        || (literal && {
                            cost += 1;
                            true
                        })
                }
                ParamType::AnyArray => matches!(ty, SqlType::Array(_)),
                ParamType::Var(variable) | ParamType::ArrayOf(variable) => {
                    let element = match (&param.ty, ty) {
                        (ParamType::ArrayOf(_), SqlType::Array(element)) => {
                            Some((**element).clone())
                        }
                        (ParamType::ArrayOf(_), _) => None,
                        _ if literal => {
                            // A string literal adapts to the variable's other arguments.
                            continue;
                        }
                        _ => Some(ty.clone()),
                    };
                    match (element, bindings.get_mut(usize::from(*variable))) {
                        (Some(element), Some(slot)) => match slot.take() {
                            None => {
                                *slot = Some(element);
                                true
                            }
                            Some(current) => {
                                match self.semantics.common_supertype(&current, &element) {
                                    Some(unified) => {
                                        if unified != element || unified != current {
                                            cost += 1;
                                        }
                                        *slot = Some(unified);
                                        true
                                    }
                                    None => {
                                        *slot = Some(current);
                                        false
                                    }
                                }
                            }
                        },
                        _ => false,
                    }
                }
            };
            if !accepted {
                return Err((position, self.describe_param(&param.ty, &bindings)));
            }
        }
        // `where T in (anynumeric)`: a variable bound outside its class rules
        // the signature out (unknown and dynamic values never do).
        for (variable, class) in &signature.variable_classes {
            let Some(Some(bound_type)) = bindings.get(usize::from(*variable)) else {
                continue;
            };
            if !bound_type.is_unknown()
                && !bound_type.is_dynamic()
                && !matches!(bound_type, SqlType::Null)
                && !type_in_class(bound_type, class)
            {
                let position = signature
                    .params
                    .iter()
                    .position(|param| param.ty == ParamType::Var(*variable))
                    .unwrap_or(0);
                return Err((position, self.describe_param(class, &bindings)));
            }
        }
        // A variable bound only by string literals is a string.
        let literal_string = self.semantics.string_literal_type();
        let bound = |variable: u8| -> SqlType {
            match bindings.get(usize::from(variable)).cloned().flatten() {
                Some(ty) => ty,
                None => {
                    let only_literals =
                        arguments
                            .iter()
                            .enumerate()
                            .any(|(position, (argument, _))| {
                                self.is_string_literal(*argument)
                                    && signature
                                        .params
                                        .get(position)
                                        .or_else(|| signature.params.last())
                                        .is_some_and(|param| param.ty == ParamType::Var(variable))
                            });
                    if only_literals {
                        literal_string.clone()
                    } else if arguments.iter().any(|(_, value)| value.ty.is_unknown()) {
                        SqlType::Unknown
                    } else {
                        SqlType::Null
                    }
                }
            }
        };
        let first = arguments
            .first()
            .map(|(_, value)| value.ty.clone())
            .unwrap_or(SqlType::Null);
        let result = match &signature.returns {
            ReturnType::Exact(ty) => ty.clone(),
            ReturnType::Var(variable) => bound(*variable),
            ReturnType::ArrayOf(variable) => SqlType::Array(Box::new(bound(*variable))),
            ReturnType::ElementOf(variable) => match bound(*variable) {
                SqlType::Array(element) => *element,
                other => other,
            },
            ReturnType::SumOf => {
                if first.is_unknown() {
                    SqlType::Unknown
                } else {
                    self.semantics.sum_type(&first)
                }
            }
            // Built from the call's argument names by `bind_function`.
            ReturnType::StructOfArguments => SqlType::Unknown,
            ReturnType::AverageOf => {
                if first.is_unknown() {
                    SqlType::Unknown
                } else {
                    self.semantics.average_type(&first)
                }
            }
        };
        Ok((cost, result))
    }

    fn describe_param(
        &self,
        param: &ParamType,
        bindings: &[Option<SqlType>; MAX_TYPE_VARIABLES],
    ) -> String {
        match param {
            ParamType::Exact(ty) => self.type_name(ty),
            ParamType::Any | ParamType::DatePart => "any value".to_owned(),
            ParamType::Numeric => "a number".to_owned(),
            ParamType::String => "a string".to_owned(),
            ParamType::Temporal => "a date, time or timestamp".to_owned(),
            ParamType::AnyArray => "a list".to_owned(),
            ParamType::Var(variable) => {
                match bindings.get(usize::from(*variable)).cloned().flatten() {
                    Some(ty) => format!("a value compatible with {}", self.type_name(&ty)),
                    None => "a value of the same type as the other arguments".to_owned(),
                }
            }
            ParamType::ArrayOf(_) => "a list".to_owned(),
        }
    }

    /// The name DuckDB gives an unaliased select item.
    fn display_name(&self, expr: ExprId) -> String {
        let query = self.query;
        match &query.expr(expr).kind {
            ExprKind::Column { name, .. } => name.name.as_str().to_owned(),
            ExprKind::Field { field, .. } => field.name.as_str().to_owned(),
            ExprKind::Literal(Literal::Number(text)) => text.as_str().to_owned(),
            ExprKind::Literal(Literal::String(text)) => format!("'{text}'"),
            ExprKind::Literal(Literal::Null) => "NULL".to_owned(),
            ExprKind::Literal(Literal::Boolean(value)) => value.to_string(),
            ExprKind::Function(call) => {
                let name = call.name.to_string().to_ascii_lowercase();
                if call.args.len() == 1
                    && call
                        .args
                        .iter()
                        .all(|arg| matches!(query.expr(arg.value).kind, ExprKind::Star(_)))
                {
                    return format!("{name}_star()");
                }
                let args: Vec<String> = call
                    .args
                    .iter()
                    .map(|arg| self.display_name(arg.value))
                    .collect();
                let distinct = if call.distinct { "DISTINCT " } else { "" };
                format!("{name}({distinct}{})", args.join(", "))
            }
            ExprKind::Cast {
                expr: inner,
                target,
                kind,
            } => {
                let keyword = if *kind == CastKind::TryCast {
                    "TRY_CAST"
                } else {
                    "CAST"
                };
                format!(
                    "{keyword}({} AS {})",
                    self.display_name(*inner),
                    self.type_name(target)
                )
            }
            ExprKind::Binary { op, left, right } => {
                format!(
                    "({} {} {})",
                    self.display_name(*left),
                    operator_spelling(*op),
                    self.display_name(*right)
                )
            }
            _ => "?column?".to_owned(),
        }
    }
}

fn operator_spelling(op: BinaryOp) -> String {
    match op {
        BinaryOp::Add => "+".into(),
        BinaryOp::Subtract => "-".into(),
        BinaryOp::Multiply => "*".into(),
        BinaryOp::Divide => "/".into(),
        BinaryOp::IntegerDivide => "//".into(),
        BinaryOp::Modulo => "%".into(),
        BinaryOp::Power => "^".into(),
        BinaryOp::Concat => "||".into(),
        BinaryOp::Eq => "=".into(),
        BinaryOp::NotEq => "!=".into(),
        BinaryOp::Lt => "<".into(),
        BinaryOp::LtEq => "<=".into(),
        BinaryOp::Gt => ">".into(),
        BinaryOp::GtEq => ">=".into(),
        BinaryOp::And => "AND".into(),
        BinaryOp::Or => "OR".into(),
        BinaryOp::BitwiseAnd => "&".into(),
        BinaryOp::BitwiseOr => "|".into(),
        BinaryOp::BitwiseXor => "xor".into(),
        BinaryOp::ShiftLeft => "<<".into(),
        BinaryOp::ShiftRight => ">>".into(),
        BinaryOp::Other(name) => name.as_str().to_owned(),
    }
}

/// Whether a bound type variable falls in a class of `where T in (...)`.
fn type_in_class(ty: &SqlType, class: &ParamType) -> bool {
    match class {
        ParamType::Numeric => ty.is_numeric(),
        ParamType::String => ty.is_string(),
        ParamType::Temporal => ty.is_temporal(),
        ParamType::AnyArray => matches!(ty, SqlType::Array(_)),
        ParamType::Exact(expected) => ty == expected,
        ParamType::Any | ParamType::DatePart | ParamType::Var(_) | ParamType::ArrayOf(_) => true,
    }
}

fn accepts_count(signature: &Signature, count: usize) -> bool {
    let required = signature
        .params
        .iter()
        .filter(|param| !param.optional)
        .count();
    let variadic = signature.params.last().is_some_and(|param| param.variadic);
    count >= required && (variadic || count <= signature.params.len())
}

fn describe_arity(signature: &Signature) -> String {
    let required = signature
        .params
        .iter()
        .filter(|param| !param.optional)
        .count();
    if signature.params.last().is_some_and(|param| param.variadic) {
        format!("{required} or more")
    } else if required == signature.params.len() {
        required.to_string()
    } else {
        format!("{required} to {}", signature.params.len())
    }
}

fn scope_columns(output: &RelOutput) -> Option<Vec<ScopeColumn>> {
    output.as_ref().map(|schema| {
        schema
            .columns
            .iter()
            .map(|column| ScopeColumn {
                name: column.name,
                value: TypedValue {
                    ty: column.ty.clone(),
                    nullable: column.nullable,
                },
                hidden: false,
            })
            .collect()
    })
}

fn rename_columns(output: RelOutput, names: &[Ident]) -> RelOutput {
    if names.is_empty() {
        return output;
    }
    output.map(|mut schema| {
        for (column, name) in Arc::make_mut(&mut schema).columns.iter_mut().zip(names) {
            column.name = name.name;
        }
        schema
    })
}

fn make_nullable(items: &mut [ScopeItem]) {
    for column in items
        .iter_mut()
        .flat_map(|item| item.columns.iter_mut().flatten())
    {
        column.value.nullable = true;
    }
}

/// The direct sub-expressions of an expression (not those inside subqueries).
pub fn expr_children(query: &Query, expr: ExprId) -> Vec<ExprId> {
    let mut children = Vec::new();
    match &query.expr(expr).kind {
        ExprKind::Column { .. }
        | ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Exists { .. }
        | ExprKind::Subquery(_)
        | ExprKind::Star(_)
        | ExprKind::Error => {}
        ExprKind::Unary { operand, .. } => children.push(*operand),
        ExprKind::Binary { left, right, .. } | ExprKind::IsDistinctFrom { left, right, .. } => {
            children.extend([*left, *right])
        }
        ExprKind::Cast { expr, .. }
        | ExprKind::IsNull { expr, .. }
        | ExprKind::IsBoolean { expr, .. }
        | ExprKind::Field { expr, .. } => children.push(*expr),
        ExprKind::Function(call) => {
            children.extend(call.within_group.iter().map(|key| key.expr));
            children.extend(call.args.iter().map(|arg| arg.value));
            children.extend(call.filter);
            children.extend(call.order_by.iter().map(|key| key.expr));
            if let Some(over) = &call.over {
                children.extend(over.partition_by.iter().copied());
                children.extend(over.order_by.iter().map(|key| key.expr));
            }
        }
        ExprKind::Case(case) => {
            children.extend(case.operand);
            for (condition, result) in &case.branches {
                children.extend([*condition, *result]);
            }
            children.extend(case.else_result);
        }
        ExprKind::InList { expr, list, .. } => {
            children.push(*expr);
            children.extend(list.iter().copied());
        }
        ExprKind::InSubquery { expr, .. } => children.push(*expr),
        ExprKind::Between {
            expr, low, high, ..
        } => children.extend([*expr, *low, *high]),
        ExprKind::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            children.extend([*expr, *pattern]);
            children.extend(*escape);
        }
        ExprKind::Index { expr, index } => children.extend([*expr, *index]),
        ExprKind::Slice { expr, start, end } => {
            children.push(*expr);
            children.extend(*start);
            children.extend(*end);
        }
        ExprKind::Array(items) => children.extend(items.iter().copied()),
        ExprKind::Struct(entries) => children.extend(entries.iter().map(|entry| entry.value)),
        ExprKind::Interval { value, .. } => children.push(*value),
        ExprKind::Lambda { body, .. } => children.push(*body),
    }
    children
}
