//! `env_var()`, the one built-in that configuration files (`dbt_project.yml`,
//! `profiles.yml`) share with models: it depends on nothing of a node's
//! render, so `project_file` can use it without depending on the renderer.
//! Secret variables (`DBT_ENV_SECRET...`) are the callers' to refuse where
//! dbt refuses them.

use crate::jinja::FusionFailure;
use crate::profiles::SECRET_ENV_PREFIX;
use fusion_ir::codes::Code;
use minijinja::{Error, ErrorKind, Value};

/// FC0031 for a secret variable read where dbt refuses it: anywhere but
/// profiles.yml and packages.yml (dbt refuses the name whether or not the
/// variable is set, so a template cannot learn a secret by probing).
pub(crate) fn refuse_secret_env_var(name: &str) -> Result<(), Error> {
    if !name.starts_with(SECRET_ENV_PREFIX) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!("secret env var `{name}` read outside profiles.yml and packages.yml"),
    )
    .with_source(FusionFailure {
        code: Code::SecretEnvVarOutsideProfile,
        message: format!(
            "env_var('{name}') reads a secret variable (prefix `{SECRET_ENV_PREFIX}`), which only profiles.yml and packages.yml may read"
        ),
    }))
}

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
