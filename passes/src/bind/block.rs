//! Binding one SELECT block: the select list with its stars (`EXCLUDE`,
//! `REPLACE`, `RENAME`), WHERE, GROUP BY, HAVING, QUALIFY, named windows,
//! ORDER BY and DISTINCT ON, and the checks on the block's output.

use crate::bind::expressions::operator_spelling;
use crate::bind::grouping::Grouping;
use crate::bind::scope::{Clause, ExprContext, Scope, ScopeItem, SelectAlias};
use crate::bind::{known, unknown_value, Binder, ColumnOrigin, RelOutput, SelectSource};
use fusion_ir::codes::Code;
use fusion_ir::name::Name;
use fusion_ir::query::{
    CastKind, Distinct, ExprId, ExprKind, FilterClause, GroupBy, GroupingElement, Literal, Query,
    RelId, RelKind, SelectItem, SortKey, Star,
};
use fusion_ir::schema::Column;
use fusion_ir::severity::Severity;
use fusion_ir::span::Span;
use fusion_ir::types::{SqlType, TypedValue};
use fusion_ir::walk::for_each_expr_child;
use rustc_hash::FxHashSet;

impl Binder<'_> {
    /// Binds one SELECT block: the `Project` relation `project`, the clauses
    /// below it, and the ORDER BY `sort_keys` above it.
    pub(super) fn bind_block(
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
        let clauses = block_clauses(query, *input);
        let from_items = self.bind_from(clauses.from, outer);
        let scope = Scope {
            items: from_items,
            parent: outer,
        };
        let saved_has_aggregate = std::mem::replace(&mut self.block_has_aggregate, false);

        let mut select = self.bind_select_list(items, &scope);
        let where_aliases: &[SelectAlias] = if self.semantics.aliases_visible_in_where() {
            &select.aliases
        } else {
            &[]
        };
        // A hierarchical query's conditions read the FROM's rows, as WHERE
        // does but without its select aliases.
        for predicate in &clauses.hierarchy {
            self.bind_predicate(*predicate, &scope, ExprContext::new(Clause::Where, &[]));
        }
        if let Some(predicate) = clauses.where_predicate {
            self.bind_predicate(
                predicate,
                &scope,
                ExprContext::new(Clause::Where, where_aliases),
            );
        }
        let group_keys = match clauses.group_by {
            Some(grouping) => self.bind_group_by(grouping, &scope, &mut select),
            None => GroupKeys::default(),
        };
        let aliases = &select.aliases;
        if let Some(predicate) = clauses.having {
            self.bind_predicate(predicate, &scope, ExprContext::new(Clause::Having, aliases));
        }
        if let Some(predicate) = clauses.qualify {
            self.bind_predicate(
                predicate,
                &scope,
                ExprContext::new(Clause::Qualify, aliases),
            );
        }
        for window in windows {
            self.bind_window_spec(
                &window.spec,
                &scope,
                ExprContext::new(Clause::Select, aliases),
            );
        }
        let order_exprs = self.bind_order_by(items, sort_keys, distinct, &scope, &select);

        // SELECT DISTINCT ordered by a column the select list does not
        // output, where the dialect forbids it.
        if matches!(distinct, Distinct::Distinct)
            && select.output_known
            // A `*` outputs columns without expressions: not checked.
            && select.output_exprs.iter().all(Option::is_some)
            && self.semantics.distinct_order_by_must_be_selected()
        {
            self.check_distinct_order(&order_exprs, &select.output_exprs);
        }

        // The grouping check: in an aggregated block every column read
        // outside an aggregate must be a grouping key.
        if (clauses.group_by.is_some() || self.block_has_aggregate) && !group_keys.uncertain {
            let grouped_origins: FxHashSet<ColumnOrigin> = group_keys
                .keys
                .iter()
                .filter_map(|key| self.column_origins.get(key.index()).copied().flatten())
                .collect();
            let mut checked: Vec<ExprId> = select.output_exprs.iter().flatten().copied().collect();
            checked.extend(clauses.having);
            checked.extend(clauses.qualify);
            checked.extend(order_exprs.iter().copied());
            let mut reported: FxHashSet<ColumnOrigin> = FxHashSet::default();
            let block_rels: FxHashSet<RelId> = scope.items.iter().map(|item| item.rel).collect();
            let grouping = Grouping {
                keys: &group_keys.keys,
                grouped: &grouped_origins,
                block_rels: &block_rels,
            };
            for expr in checked {
                self.check_grouped(expr, &grouping, &mut reported);
            }
            if select.output_known
                && select.output_exprs.iter().any(Option::is_none)
                && clauses.group_by.is_some_and(|grouping| !grouping.all)
            {
                // `select *` in an aggregated block: every star column must be grouped.
                self.check_star_grouped(items, &scope, &grouped_origins);
            }
        }
        self.block_has_aggregate = saved_has_aggregate;
        let SelectList {
            output,
            select_sources,
            output_known,
            ..
        } = select;
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

    /// Binds the select list, with DuckDB's lateral aliases: an item sees
    /// the aliases before it.
    fn bind_select_list(&mut self, items: &[SelectItem], scope: &Scope) -> SelectList {
        let mut select = SelectList {
            aliases: Vec::new(),
            output: Vec::new(),
            output_exprs: Vec::new(),
            select_sources: Vec::new(),
            output_known: true,
        };
        for item in items {
            match item {
                SelectItem::Expr { expr, alias } => {
                    let lateral = if self.semantics.aliases_visible_in_where() {
                        select.aliases.as_slice()
                    } else {
                        &[]
                    };
                    let value =
                        self.bind_expr(*expr, scope, ExprContext::new(Clause::Select, lateral));
                    let has_aggregate = self.contains_aggregate(*expr);
                    let name = match alias {
                        Some(alias) => alias.name,
                        None => Name::new(&self.display_name(*expr)),
                    };
                    if let Some(alias) = alias {
                        select.aliases.push(SelectAlias {
                            name: self.fold(alias),
                            expr: *expr,
                            value: value.clone(),
                            has_aggregate,
                            has_window: self.contains_window(*expr),
                        });
                    }
                    select
                        .output
                        .push(Column::new(name, value.ty, value.nullable));
                    select.output_exprs.push(Some(*expr));
                    select.select_sources.push(SelectSource::Expr(*expr));
                }
                SelectItem::Star(star) => match self.expand_star(star, scope, &select.aliases) {
                    Some(columns) => {
                        select.select_sources.extend(self.star_sources(star, scope));
                        select.output_exprs.extend(columns.iter().map(|_| None));
                        select.output.extend(columns);
                    }
                    None => select.output_known = false,
                },
            }
        }
        select
    }

    /// Binds GROUP BY, where ordinals and aliases name select items, and
    /// returns the keys as the select items or expressions they group by.
    /// Makes the output columns that ROLLUP, CUBE or GROUPING SETS leave out
    /// of some sets nullable.
    fn bind_group_by(
        &mut self,
        grouping: &GroupBy,
        scope: &Scope,
        select: &mut SelectList,
    ) -> GroupKeys {
        let mut group_keys = GroupKeys::default();
        let mut partial_keys_start: Option<usize> = None;
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
                partial_keys_start.get_or_insert(group_keys.keys.len());
            }
            if let Some(ordinal) = self.ordinal(expr) {
                self.record(
                    expr,
                    TypedValue {
                        ty: SqlType::INT32,
                        nullable: false,
                    },
                );
                if self.check_ordinal(expr, ordinal, Some(select.output.len()), "GROUP BY") {
                    match select.output_exprs.get(ordinal - 1).copied().flatten() {
                        Some(item_expr) => group_keys.keys.push(item_expr),
                        // A column of a star: the check cannot name it.
                        None => group_keys.uncertain = true,
                    }
                } else {
                    // Checking against a wrong key list would only cascade.
                    group_keys.uncertain = true;
                }
                continue;
            }
            self.bind_expr(
                expr,
                scope,
                ExprContext::new(Clause::GroupBy, &select.aliases),
            );
            match self.column_origins.get(expr.index()).copied().flatten() {
                Some(ColumnOrigin::SelectItem { expr: item_expr }) => {
                    group_keys.keys.push(item_expr)
                }
                _ => group_keys.keys.push(expr),
            }
        }
        if grouping.all {
            for item_expr in select.output_exprs.iter().flatten() {
                if !self.contains_aggregate(*item_expr) {
                    group_keys.keys.push(*item_expr);
                }
            }
        }
        if let Some(start) = partial_keys_start {
            let partial_keys = &group_keys.keys[start.min(group_keys.keys.len())..];
            for (column, item_expr) in select.output.iter_mut().zip(&select.output_exprs) {
                let Some(item_expr) = item_expr else { continue };
                if partial_keys
                    .iter()
                    .any(|key| self.same_expr(*key, *item_expr))
                {
                    column.nullable = true;
                }
            }
        }
        group_keys
    }

    /// Binds ORDER BY and DISTINCT ON, which also see the names of unaliased
    /// output columns (`select t.id ... order by id` sorts by that output
    /// column); returns the keys that are expressions, not ordinals.
    fn bind_order_by(
        &mut self,
        items: &[SelectItem],
        sort_keys: &[SortKey],
        distinct: &Distinct,
        scope: &Scope,
        select: &SelectList,
    ) -> Vec<ExprId> {
        let query = self.query;
        let mut order_aliases = select.aliases.clone();
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
                    if select.output_known {
                        Some(select.output.len())
                    } else {
                        None
                    },
                    clause,
                );
                continue;
            }
            self.bind_expr(expr, scope, order_context);
            order_exprs.push(expr);
        }
        order_exprs
    }

    /// Whether a value can stand as a condition: booleans, and what DuckDB
    /// converts to them implicitly (numbers, string literals); unknown and
    /// dynamic values are given the benefit of the doubt.
    pub(super) fn is_condition(&self, expr: ExprId, ty: &SqlType) -> bool {
        matches!(ty, SqlType::Boolean | SqlType::Null | SqlType::Unknown)
            || ty.is_dynamic()
            || ty.is_numeric()
            || self.is_string_literal(expr)
    }

    pub(super) fn bind_predicate(
        &mut self,
        predicate: ExprId,
        scope: &Scope,
        context: ExprContext,
    ) {
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
    pub(super) fn ordinal(&self, expr: ExprId) -> Option<usize> {
        match &self.query.expr(expr).kind {
            ExprKind::Literal(Literal::Number(text)) => text.as_str().parse::<usize>().ok(),
            _ => None,
        }
    }

    /// Reports an ordinal outside `1..=width`; returns whether it is valid.
    pub(super) fn check_ordinal(
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
    pub(super) fn output_spans(&self, rel: RelId, width: usize) -> Vec<Span> {
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

    pub(super) fn report_duplicate_outputs(&mut self, root: RelId, columns: &[Column]) {
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
        for_each_expr_child(self.query, expr, |child| {
            self.collect_input_origins(child, origins);
        });
    }

    /// The name DuckDB gives an unaliased select item.
    pub(super) fn display_name(&self, expr: ExprId) -> String {
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

/// The clauses of one SELECT block, below its `Project`.
struct BlockClauses<'q> {
    where_predicate: Option<ExprId>,
    /// `START WITH` and `CONNECT BY` (Snowflake), below `WHERE`.
    hierarchy: Vec<ExprId>,
    having: Option<ExprId>,
    qualify: Option<ExprId>,
    group_by: Option<&'q GroupBy>,
    /// The FROM clause: what the lowest clause reads.
    from: RelId,
}

/// Walks down a block from the input of its `Project`:
/// Filter(Qualify) → Filter(Having) → Aggregate → Filter(Where) →
/// Filter(ConnectBy) → Filter(StartWith) → from.
fn block_clauses(query: &Query, input: RelId) -> BlockClauses<'_> {
    let mut clauses = BlockClauses {
        where_predicate: None,
        hierarchy: Vec::new(),
        having: None,
        qualify: None,
        group_by: None,
        from: input,
    };
    loop {
        match &query.rel(clauses.from).kind {
            RelKind::Filter {
                input,
                predicate,
                clause,
            } => {
                match clause {
                    FilterClause::Where => clauses.where_predicate = Some(*predicate),
                    FilterClause::StartWith | FilterClause::ConnectBy => {
                        clauses.hierarchy.push(*predicate)
                    }
                    FilterClause::Having => clauses.having = Some(*predicate),
                    FilterClause::Qualify => clauses.qualify = Some(*predicate),
                }
                clauses.from = *input;
            }
            RelKind::Aggregate { input, group_by } => {
                clauses.group_by = Some(group_by);
                clauses.from = *input;
            }
            _ => return clauses,
        }
    }
}

/// A bound select list, as the later clauses of its block see it.
struct SelectList {
    aliases: Vec<SelectAlias>,
    output: Vec<Column>,
    /// The expression behind each output column (None for star columns).
    output_exprs: Vec<Option<ExprId>>,
    select_sources: Vec<SelectSource>,
    /// False when a star reads a FROM item whose columns are unknown.
    output_known: bool,
}

/// The keys of a GROUP BY, as the grouping check compares them.
#[derive(Default)]
struct GroupKeys {
    keys: Vec<ExprId>,
    /// An ordinal was invalid or named a star's column: the check is skipped.
    uncertain: bool,
}
