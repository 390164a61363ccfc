//! Name resolution: column references (qualified or not, in this block or
//! an outer one), select aliases, lambda parameters and struct fields.

use crate::bind::scope::{Clause, ExprContext, Found, Scope, ScopeItem};
use crate::bind::{unknown_value, Binder, ColumnOrigin};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::closest_name;
use fusion_ir::name::Name;
use fusion_ir::query::{ExprId, Ident};
use fusion_ir::span::Span;
use fusion_ir::types::{SqlType, TypedValue};

impl Binder<'_> {
    /// Resolves a column reference; records its origin and returns its value.
    pub(super) fn resolve_column(
        &mut self,
        expr: ExprId,
        qualifier: &[Ident],
        name: &Ident,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        if qualifier.is_empty() {
            self.resolve_unqualified_column(expr, name, scope, context)
        } else {
            self.resolve_qualified_column(expr, qualifier, name, scope, context)
        }
    }

    /// Reads column `column` of the FROM item `item`, found `depth` scope
    /// levels out from the block being bound (0: the block itself, more: an
    /// outer block, a correlated reference): records the origin of `expr`
    /// and returns the column's value.
    fn read_scope_column(
        &mut self,
        expr: ExprId,
        item: &ScopeItem,
        column: usize,
        depth: usize,
    ) -> TypedValue {
        let value = item
            .columns
            .as_ref()
            .map(|columns| columns[column].value.clone())
            .unwrap_or_else(unknown_value);
        let origin = if depth == 0 {
            ColumnOrigin::Input {
                rel: item.rel,
                column,
            }
        } else {
            ColumnOrigin::Outer {
                rel: item.rel,
                column,
            }
        };
        self.set_origin(expr, origin);
        value
    }

    /// `col`: a column of the current block, then a select alias, then a
    /// lambda parameter, then a column of an outer block, then a function
    /// called without parentheses.
    fn resolve_unqualified_column(
        &mut self,
        expr: ExprId,
        name: &Ident,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let folded = self.fold(name);
        let span = self.query.expr(expr).span;
        if context.aliases_first {
            if let Some(value) = self.resolve_alias(expr, folded, context) {
                return value;
            }
        }
        let mut level = Some(scope);
        let mut depth = 0;
        while let Some(current) = level {
            match self.find_unqualified(&current.items, folded) {
                Found::Column { item, column } => {
                    return self.read_scope_column(expr, &current.items[item], column, depth);
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
                Found::MaybeInUnknown => {
                    // A GROUP BY name that a table of unknown columns may hold
                    // or that a select alias gives: taken as the alias, so the
                    // select item it names counts as grouped. Taking it as
                    // the unknown column could only report false errors.
                    let is_plain_alias = context.aliases.iter().any(|alias| {
                        self.semantics.names_match(alias.name, folded)
                            && !alias.has_aggregate
                            && !alias.has_window
                    });
                    if depth == 0 && context.clause == Clause::GroupBy && is_plain_alias {
                        if let Some(value) = self.resolve_alias(expr, folded, context) {
                            return value;
                        }
                    }
                    return unknown_value();
                }
                Found::Absent => {}
            }
            // The name of a value table's range variable: its whole element.
            if let Some(element) = current.items.iter().find_map(|item| {
                match (&item.element, item.qualifier.as_slice()) {
                    (Some(element), [only]) if self.semantics.names_match(*only, folded) => {
                        Some(element.clone())
                    }
                    _ => None,
                }
            }) {
                return element;
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
        unknown_value()
    }

    /// `t.col` (or `schema.t.col`, or `t.col.field`), in this block or an
    /// outer one; else `col.field`, a field of a struct column.
    fn resolve_qualified_column(
        &mut self,
        expr: ExprId,
        qualifier: &[Ident],
        name: &Ident,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let span = self.query.expr(expr).span;
        let written: Vec<Name> = qualifier.iter().map(|ident| self.fold(ident)).collect();
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
                        let value = self.read_scope_column(expr, scope_item, column, depth);
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
                let value = self.read_scope_column(expr, &current.items[item], column, depth);
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

    pub(super) fn report_unknown_qualifier(
        &mut self,
        qualifier: &[Name],
        span: Span,
        scope: &Scope,
    ) {
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

    fn apply_fields(&mut self, mut value: TypedValue, path: &[&Ident], span: Span) -> TypedValue {
        for field in path {
            value = self.field_of(value, field, span);
        }
        value
    }

    pub(super) fn field_of(&mut self, value: TypedValue, field: &Ident, span: Span) -> TypedValue {
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
}
