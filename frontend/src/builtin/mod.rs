//! Macros fusionc ships with: dbt's cross-database macros (`dbt.type_string()`,
//! `dateadd`, `concat`...), written for fusionc in Jinja so that projects can
//! override them through `adapter.dispatch` as they can with dbt.

/// The built-in macro file, compiled into the binary.
pub const DBT_MACROS: &str = include_str!("dbt_macros.sql");

/// The name diagnostics and the manifest give the built-in macro file.
pub const DBT_MACROS_PATH: &str = "<fusionc>/dbt_macros.sql";
