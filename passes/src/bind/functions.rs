//! Function calls: catalog lookup, aggregate and window placement, the
//! arguments (date parts, lambdas, `WITHIN GROUP`), overload resolution with
//! argument coercion, and the result's type and nullability.

use crate::bind::scope::{Clause, ExprContext, Scope};
use crate::bind::{unknown_value, Binder};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::closest_name;
use fusion_ir::name::Name;
use fusion_ir::query::{
    ExprId, ExprKind, FrameBound, FunctionCall, FunctionKind, Ident, Literal, WindowSpec,
};
use fusion_ir::semantics::{
    FunctionDef, ParamType, ResultNullability, ReturnType, Signature, MAX_TYPE_VARIABLES,
};
use fusion_ir::span::Span;
use fusion_ir::types::{SqlType, StructField, TypedValue};

impl Binder<'_> {
    pub(super) fn bind_function(
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
            // A function named with its schema (`udfs.parse_agent`) is a
            // user-defined function of the warehouse, created outside the
            // project's files (by a hook or a migration): fusionc cannot
            // see it, so not knowing it is no error; its value is untyped.
            if call.name.parts.len() > 1 {
                diagnostic.severity = fusion_ir::severity::Severity::Warning;
            }
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

    pub(super) fn bind_window_spec(
        &mut self,
        spec: &WindowSpec,
        scope: &Scope,
        context: ExprContext,
    ) {
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
                if let FrameBound::Preceding(expr) | FrameBound::Following(expr) = bound {
                    self.bind_expr(*expr, scope, ExprContext::new(Clause::Other, &[]));
                }
            }
        }
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
                StructField { name, ty }
            })
            .collect();
        SqlType::Struct(fields)
    }

    pub(super) fn niladic_function(&self, name: &Ident) -> Option<TypedValue> {
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
