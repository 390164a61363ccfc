//! Binding expressions: literals, operators, casts, CASE, IN, BETWEEN, LIKE,
//! subquery expressions, fields and indexes, lists, structs and lambdas.

use crate::bind::scope::{ExprContext, Scope};
use crate::bind::{unknown_value, Binder, RelOutput};
use fusion_ir::codes::Code;
use fusion_ir::name::Name;
use fusion_ir::query::{
    BinaryOp, CaseExpr, CastKind, ExprId, ExprKind, Ident, Literal, RelId, UnaryOp,
};
use fusion_ir::span::Span;
use fusion_ir::types::{SqlType, StructField, TypedValue};

impl Binder<'_> {
    pub(super) fn bind_expr(
        &mut self,
        expr: ExprId,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let query = self.query;
        let span = query.expr(expr).span;
        let value = match &query.expr(expr).kind {
            ExprKind::Column { qualifier, name } => {
                self.resolve_column(expr, qualifier, name, scope, context)
            }
            ExprKind::Literal(literal) => self.bind_literal(literal),
            ExprKind::Parameter(_) => unknown_value(),
            ExprKind::Unary { op, operand } => self.bind_unary(*op, *operand, span, scope, context),
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
            ExprKind::Case(case) => self.bind_case(case, scope, context),
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
            } => self.bind_in_subquery(*needle, *subquery, span, scope, context),
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
            } => self.bind_like(*value_expr, *pattern, *escape, scope, context),
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
                self.bind_index(*base, *index, span, scope, context)
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
                    fields.push(StructField { name, ty: value.ty });
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
            ExprKind::Lambda { params, body } => self.bind_lambda(params, *body, scope, context),
            ExprKind::Star(_) | ExprKind::Error => unknown_value(),
        };
        self.record(expr, value)
    }

    /// The type of a literal; numbers are typed by their text, as the
    /// dialect types them.
    fn bind_literal(&self, literal: &Literal) -> TypedValue {
        match literal {
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
        }
    }

    fn bind_unary(
        &mut self,
        op: UnaryOp,
        operand: ExprId,
        span: Span,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let value = self.bind_expr(operand, scope, context);
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
                    || self.is_string_literal(operand);
                if !negatable {
                    let message = format!("cannot negate a {} value", self.type_name(&value.ty));
                    self.report(Code::IncomparableTypes, span, message);
                    unknown_value()
                } else {
                    value
                }
            }
            UnaryOp::BitwiseNot => value,
        }
    }

    /// CASE: conditions are booleans, or compare with the operand; the
    /// branches' results unify.
    fn bind_case(&mut self, case: &CaseExpr, scope: &Scope, context: ExprContext) -> TypedValue {
        let query = self.query;
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

    /// `x IN (select ...)`: the subquery returns one column, comparable
    /// with `x`.
    fn bind_in_subquery(
        &mut self,
        needle: ExprId,
        subquery: RelId,
        span: Span,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let query = self.query;
        let needle_value = self.bind_expr(needle, scope, context);
        let output = self.bind_subquery(subquery, scope);
        if let Some(schema) = output {
            let columns = &schema.columns;
            if columns.len() != 1 {
                let message = format!(
                    "the IN subquery returns {} columns; it must return one",
                    columns.len()
                );
                self.report(Code::SetOperationWidth, query.rel(subquery).span, message);
            } else if let Some(column) = columns.first() {
                let item_value = TypedValue {
                    ty: column.ty.clone(),
                    nullable: column.nullable,
                };
                if self
                    .semantics
                    .comparison_type(&needle_value.ty, &item_value.ty)
                    .is_none()
                    && !self.is_string_literal(needle)
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

    /// `x LIKE pattern [ESCAPE e]`: both sides are strings.
    fn bind_like(
        &mut self,
        value_expr: ExprId,
        pattern: ExprId,
        escape: Option<ExprId>,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let query = self.query;
        let value = self.bind_expr(value_expr, scope, context);
        let pattern_value = self.bind_expr(pattern, scope, context);
        if let Some(escape) = escape {
            self.bind_expr(escape, scope, context);
        }
        for (operand, operand_value) in [(value_expr, &value), (pattern, &pattern_value)] {
            // A dialect that converts the value to text when an operator
            // needs it (Snowflake: `order_date like '2024-%'`) accepts it.
            let accepted = matches!(
                operand_value.ty,
                SqlType::String { .. } | SqlType::Null | SqlType::Unknown
            ) || operand_value.ty.is_dynamic()
                || self
                    .semantics
                    .can_coerce(&operand_value.ty, &SqlType::STRING);
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

    /// `base[index]`: an element of a list, a value of a map, a character
    /// of a string, or a field of a struct named by a string literal.
    fn bind_index(
        &mut self,
        base: ExprId,
        index: ExprId,
        span: Span,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
        let query = self.query;
        let value = self.bind_expr(base, scope, context);
        self.bind_expr(index, scope, context);
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
            SqlType::Struct(_) => match &query.expr(index).kind {
                ExprKind::Literal(Literal::String(text)) => {
                    let field = Ident {
                        name: Name::new(text),
                        quoted: true,
                        span: query.expr(index).span,
                    };
                    self.field_of(value, &field, span)
                }
                _ => unknown_value(),
            },
            _ => unknown_value(),
        }
    }

    /// A lambda (`x -> x + 1`): its body, with its parameters visible and
    /// typed as the higher-order function that takes it set them.
    fn bind_lambda(
        &mut self,
        params: &[Ident],
        body: ExprId,
        scope: &Scope,
        context: ExprContext,
    ) -> TypedValue {
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
        self.bind_expr(body, scope, inner)
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
    pub(super) fn unify(
        &mut self,
        values: &[(ExprId, TypedValue)],
        code: Code,
        what: &str,
    ) -> SqlType {
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
}

pub(super) fn operator_spelling(op: BinaryOp) -> String {
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
