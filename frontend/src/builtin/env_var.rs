//! `env_var()`, the one built-in that configuration files (`dbt_project.yml`,
//! `profiles.yml`) share with models: it depends on nothing of a node's
//! render, so `project_file` can use it without depending on the renderer.

use crate::jinja::FusionFailure;
use fusion_ir::codes::Code;
use minijinja::{Error, ErrorKind, Value};

/// `env_var(name, default=None)`: the process environment, or the default;
/// FC0005 when unset without a default.
pub(crate) fn env_var_function(name: String, default: Option<Value>) -> Result<Value, Error> {
    match std::env::var(&name) {
        Ok(value) => Ok(Value::from(value)),
        Err(_) => match default {
            Some(default) => Ok(default),
            None => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("env var `{name}` is not set"),
            )
            .with_source(FusionFailure {
                code: Code::EnvVarMissing,
                message: format!(
                    "environment variable `{name}` is not set and env_var() gives no default"
                ),
            })),
        },
    }
}
