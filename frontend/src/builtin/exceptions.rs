//! `exceptions`: `raise_compiler_error` (FC1005) and its siblings, `warn`
//! (recorded on the node, reported as FC1006), and
//! `try_or_compiler_error(message, function, *args)`.

use crate::jinja::fail;
use crate::render_state::node_state;
use fusion_ir::codes::Code;
use minijinja::value::{Object, ObjectRepr};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::sync::Arc;

pub(super) fn register(environment: &mut Environment<'static>) {
    environment.add_global("exceptions", Value::from_object(ExceptionsObject));
    environment.add_global(
        "try_or_compiler_error",
        Value::from_object(TryOrCompilerError),
    );
}

#[derive(Debug)]
struct ExceptionsObject;

impl Object for ExceptionsObject {
    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let message = args
            .first()
            .map(|value| value.to_string())
            .unwrap_or_default();
        match method {
            "raise_compiler_error"
            | "raise_not_implemented"
            | "raise_database_error"
            | "raise_fail_fast_error"
            | "raise_dependency_error" => Err(fail(Code::CompilerError, message)),
            "warn" => {
                if let Some(node) = node_state(state) {
                    node.with_recorded(|recorded| recorded.warnings.push(message));
                }
                Ok(Value::from(""))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("exceptions has no method `{method}`"),
            )),
        }
    }
}

/// dbt's `try_or_compiler_error(message_if_exception, func, *args,
/// **kwargs)`: `func(*args, **kwargs)`, or a compiler error with the
/// message when it fails.
#[derive(Debug)]
struct TryOrCompilerError;

impl Object for TryOrCompilerError {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let [message, function, rest @ ..] = args else {
            return Err(Error::new(
                ErrorKind::MissingArgument,
                "try_or_compiler_error(message_if_exception, func, *args) needs a message and a function",
            ));
        };
        function
            .call(state, rest)
            .map_err(|_| fail(Code::CompilerError, message.to_string()))
    }
}
