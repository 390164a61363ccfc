//! `exceptions`: `raise_compiler_error` (FC1005) and `warn`.

use crate::jinja::fail;
use fusion_ir::codes::Code;
use minijinja::value::Object;
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::sync::Arc;

pub(super) fn register(environment: &mut Environment<'static>) {
    environment.add_global("exceptions", Value::from_object(ExceptionsObject));
}

#[derive(Debug)]
struct ExceptionsObject;

impl Object for ExceptionsObject {
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let message = args
            .first()
            .map(|value| value.to_string())
            .unwrap_or_default();
        match method {
            "raise_compiler_error" | "raise_not_implemented" | "raise_database_error" => {
                Err(fail(Code::CompilerError, message))
            }
            "warn" => Ok(Value::from("")),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("exceptions has no method `{method}`"),
            )),
        }
    }
}
