//! Binding relations: FROM items (scans of tables and CTEs, derived tables,
//! table functions, UNNEST, VALUES), joins with their USING and NATURAL
//! merges, WITH, and set operations.

use crate::bind::scope::{
    make_nullable, scope_columns, Clause, ExprContext, Found, Scope, ScopeItem,
};
use crate::bind::{known, Binder, CteBinding, RelOutput, ScanTarget};
use crate::lookup::LookupOutcome;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::closest_name;
use fusion_ir::name::Name;
use fusion_ir::query::{
    Cte, ExprId, FilterClause, FunctionArg, Ident, JoinConstraint, JoinKind, ObjectName, RelId,
    RelKind, SetOpKind, TableAlias,
};
use fusion_ir::schema::{Column, RelationSchema};
use fusion_ir::span::Span;
use fusion_ir::types::{SqlType, TypedValue};
use std::sync::Arc;

impl Binder<'_> {
    pub(super) fn bind_rel(&mut self, rel: RelId, outer: Option<&Scope>) -> RelOutput {
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
                            element: None,
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
            } => self.bind_with(*recursive, ctes, *body, outer),
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
                        element: None,
                    }],
                    parent: outer,
                };
                let clause = match clause {
                    FilterClause::Where | FilterClause::StartWith | FilterClause::ConnectBy => {
                        Clause::Where
                    }
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
                visible_output(&items)
            }
        };
        if let Some(slot) = self.rel_outputs.get_mut(rel.index()) {
            *slot = Some(output.clone());
        }
        output
    }

    /// Binds `WITH [RECURSIVE] ctes body`: each CTE is visible to the later
    /// ones and to the body, innermost last on the CTE stack.
    fn bind_with(
        &mut self,
        recursive: bool,
        ctes: &[Cte],
        body: RelId,
        outer: Option<&Scope>,
    ) -> RelOutput {
        let query = self.query;
        let depth = self.ctes.len();
        for cte in ctes {
            let name = self.fold(&cte.name);
            let mut output = None;
            if recursive {
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
        let output = self.bind_rel(body, outer);
        self.ctes.truncate(depth);
        output
    }

    /// Binds a FROM item into the scope items it contributes.
    pub(super) fn bind_from(&mut self, rel: RelId, outer: Option<&Scope>) -> Vec<ScopeItem> {
        let query = self.query;
        match &query.rel(rel).kind {
            RelKind::SingleRow => {
                self.store_output(rel, known(Vec::new()));
                Vec::new()
            }
            RelKind::Scan { table, alias } => {
                vec![self.bind_scan(rel, table, alias.as_ref(), outer)]
            }
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
            } => vec![self.bind_table_function(rel, name, args, alias.as_ref(), outer)],
            RelKind::Unnest {
                args,
                alias,
                with_offset,
            } => vec![self.bind_unnest(rel, args, alias.as_ref(), with_offset.as_ref(), outer)],
            RelKind::Values { rows, alias } => {
                let output = self.bind_values(rows, outer);
                vec![self.aliased_item(rel, output, alias.as_ref(), vec![Name::new("valueslist")])]
            }
            RelKind::Join {
                left,
                right,
                kind,
                constraint,
            } => self.bind_join(rel, *left, *right, kind, constraint, outer),
            RelKind::Error => {
                self.store_output(rel, None);
                vec![ScopeItem {
                    rel,
                    qualifier: Vec::new(),
                    columns: None,
                    element: None,
                }]
            }
            _ => {
                // A query in FROM without a Derived wrapper.
                let output = self.bind_rel(rel, outer);
                vec![ScopeItem {
                    rel,
                    qualifier: Vec::new(),
                    columns: scope_columns(&output),
                    element: None,
                }]
            }
        }
    }

    /// A table function in FROM (`range(10)`, `read_csv(...)`): its columns
    /// come from the dialect, from its argument types.
    fn bind_table_function(
        &mut self,
        rel: RelId,
        name: &ObjectName,
        args: &[FunctionArg],
        alias: Option<&TableAlias>,
        outer: Option<&Scope>,
    ) -> ScopeItem {
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
        self.aliased_item(rel, output, alias, default_qualifier)
    }

    /// `UNNEST(list, ...) [WITH OFFSET]` in FROM: a column per list, of its
    /// element type, and the offset.
    fn bind_unnest(
        &mut self,
        rel: RelId,
        args: &[ExprId],
        alias: Option<&TableAlias>,
        with_offset: Option<&Option<Ident>>,
        outer: Option<&Scope>,
    ) -> ScopeItem {
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
        if self.semantics.unnest_is_value_table() {
            return self.value_table_unnest(rel, &argument_types, alias, with_offset);
        }
        let offset_name = with_offset.map(|name| {
            name.map(|ident| ident.name)
                .unwrap_or_else(|| Name::new("offset"))
        });
        let output = known(self.unnest_columns(&argument_types, offset_name));
        self.aliased_item(rel, output, alias, vec![Name::new("unnest")])
    }

    /// `UNNEST(array) [AS name] [WITH OFFSET [AS offset]]` where UNNEST makes
    /// a value table (BigQuery): the alias names the element, not a relation.
    /// A scalar element is one column named by the alias; a struct element
    /// gives a column per field, and the alias alone is the whole struct.
    /// An element of unknown type gives unknown columns (any field may be
    /// read).
    fn value_table_unnest(
        &mut self,
        rel: RelId,
        argument_types: &[SqlType],
        alias: Option<&TableAlias>,
        with_offset: Option<&Option<Ident>>,
    ) -> ScopeItem {
        let element = match argument_types.first() {
            Some(SqlType::Array(element)) => (**element).clone(),
            _ => SqlType::Unknown,
        };
        let alias_name = alias.map(|alias| self.fold(&alias.name));
        let offset_name = with_offset.map(|name| {
            name.map(|ident| self.fold(&ident))
                .unwrap_or_else(|| Name::new("offset"))
        });
        let mut columns = match &element {
            SqlType::Unknown => None,
            SqlType::Struct(fields) => Some(
                fields
                    .iter()
                    .map(|field| Column::new(field.name, field.ty.clone(), true))
                    .collect::<Vec<_>>(),
            ),
            scalar => Some(vec![Column::new(
                alias_name.unwrap_or_else(|| Name::new("unnest")),
                scalar.clone(),
                true,
            )]),
        };
        if let (Some(columns), Some(offset_name)) = (columns.as_mut(), offset_name) {
            columns.push(Column::new(offset_name, SqlType::INT64, false));
        }
        let element_value = match (&element, alias_name) {
            (SqlType::Struct(_), Some(_)) => Some(TypedValue {
                ty: element.clone(),
                nullable: true,
            }),
            _ => None,
        };
        let output = columns.and_then(known);
        self.store_output(rel, output.clone());
        ScopeItem {
            rel,
            qualifier: alias_name.into_iter().collect(),
            columns: scope_columns(&output),
            element: element_value,
        }
    }

    /// A join: the items of both sides, the right side seeing the left's
    /// (lateral), the condition bound over both, `USING`/`NATURAL` columns
    /// merged, and outer joins' columns made nullable.
    fn bind_join(
        &mut self,
        rel: RelId,
        left: RelId,
        right: RelId,
        kind: &JoinKind,
        constraint: &JoinConstraint,
        outer: Option<&Scope>,
    ) -> Vec<ScopeItem> {
        let span = self.query.rel(rel).span;
        let mut left_items = self.bind_from(left, outer);
        let mut right_items = {
            let lateral_scope = Scope {
                items: left_items.clone(),
                parent: outer,
            };
            self.bind_from(right, Some(&lateral_scope))
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
            JoinConstraint::Natural => self.natural_join_names(&left_items, &right_items, span),
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
        let merged_left =
            self.merge_join_columns(merged_names, &mut left_items, &mut right_items, kind);
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
        let output = visible_output(&left_items);
        self.store_output(rel, output);
        left_items
    }

    /// Merges each `USING`/`NATURAL` column into the left side's column (of
    /// the two sides' common type), hiding the right side's; returns the
    /// merged columns as (left item, column, nullability after the join).
    fn merge_join_columns(
        &mut self,
        merged_names: Vec<(Name, Span)>,
        left_items: &mut [ScopeItem],
        right_items: &mut [ScopeItem],
        kind: &JoinKind,
    ) -> Vec<(usize, usize, bool)> {
        let mut merged_left: Vec<(usize, usize, bool)> = Vec::new();
        for (name, name_span) in merged_names {
            let left_found = self.find_unqualified(left_items, name);
            let right_found = self.find_unqualified(right_items, name);
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
                            format!("join column `{name}` is not a column of the {side} side"),
                        );
                    }
                }
            }
        }
        merged_left
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
        outer: Option<&Scope>,
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
                LookupOutcome::NotFound
                    if self.semantics.unnest_is_value_table()
                        && self.array_path_type(table, outer).is_some() =>
                {
                    // `from t, t.items as i`: UNNEST(t.items) as i, whose
                    // alias is the path's last name when none is written.
                    let ty = self
                        .array_path_type(table, outer)
                        .unwrap_or(SqlType::Unknown);
                    let implicit_alias = table.last().map(|last| TableAlias {
                        name: *last,
                        columns: Vec::new(),
                    });
                    return self.value_table_unnest(
                        rel,
                        &[ty],
                        alias.or(implicit_alias.as_ref()),
                        None,
                    );
                }
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

    /// The type of an array path in FROM (BigQuery's correlated `from t,
    /// t.items`): the first name is a FROM item to the left (or of an outer
    /// block), the next its column, the rest struct fields. `None` when the
    /// name is not such a path; an unknown type when the item's columns are
    /// unknown.
    fn array_path_type(&self, table: &ObjectName, outer: Option<&Scope>) -> Option<SqlType> {
        let [first, column, fields @ ..] = table.parts.as_slice() else {
            return None;
        };
        let (first, column) = (self.fold(first), self.fold(column));
        let mut level = outer;
        while let Some(scope) = level {
            let item = scope
                .items
                .iter()
                .find(|item| self.qualifier_matches(&item.qualifier, &[first]));
            if let Some(item) = item {
                let Some(columns) = &item.columns else {
                    return Some(SqlType::Unknown);
                };
                let mut ty = columns
                    .iter()
                    .find(|candidate| self.semantics.names_match(candidate.name, column))?
                    .value
                    .ty
                    .clone();
                for field in fields {
                    let field = self.fold(field);
                    ty = match ty {
                        SqlType::Struct(struct_fields) => {
                            struct_fields
                                .into_iter()
                                .find(|candidate| {
                                    self.semantics.names_match(candidate.name, field)
                                })?
                                .ty
                        }
                        SqlType::Unknown => SqlType::Unknown,
                        _ => return None,
                    };
                }
                return matches!(ty, SqlType::Array(_) | SqlType::Unknown).then_some(ty);
            }
            level = scope.parent;
        }
        None
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
            element: None,
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

/// The output of FROM items side by side: their visible columns (not those
/// a `USING` or `NATURAL` join merged away), unknown when any item's are.
fn visible_output(items: &[ScopeItem]) -> RelOutput {
    if items.iter().any(|item| item.columns.is_none()) {
        return None;
    }
    known(
        items
            .iter()
            .flat_map(|item| item.columns.iter().flatten())
            .filter(|column| !column.hidden)
            .map(|column| Column::new(column.name, column.value.ty.clone(), column.value.nullable))
            .collect(),
    )
}
