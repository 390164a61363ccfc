//! `fusion-frontend`: loads a dbt project from disk, renders its Jinja with the dbt context, and builds the project graph.
//!
//! The entry point is [`load_project`]: it reads `dbt_project.yml` and
//! `profiles.yml`, discovers models, macros, seeds, tests and schema YAML,
//! renders every node with minijinja (in parallel, sharing one environment
//! that holds every project macro), maps rendered SQL back to its template,
//! and returns the [`Project`] with its [`fusion_ir::graph::ProjectGraph`]
//! together with every diagnostic found on the way. Loading never stops at
//! the first broken file: each broken node yields diagnostics and the rest of
//! the project still loads.

pub mod adapter_naming;
mod blocks;
mod builtin;
pub mod checksum;
pub mod config;
mod config_keys;
pub mod declared;
pub mod docs;
mod jinja;
mod load;
pub mod manifest_entries;
mod mutable;
pub mod options;
mod package_scope;
pub mod profiles;
pub mod project;
pub mod project_file;
pub mod python_format;
pub mod quoting;
mod relation;
mod render;
mod render_state;
pub mod runtime;
pub mod schema_yaml;
pub mod seeds;
pub mod source_map;
pub mod tests_generic;
mod text_search;
pub mod unit_tests;
pub mod yaml;
mod yaml_fast;

pub use config::NodeConfig;
pub use profiles::Target;
pub use project_file::ProjectSettings;
pub use source_map::{LazySourceMap, SourceMap};
// The public API of the crate: the project types keep their paths at the
// crate root for the driver, tests and other tools.
pub use options::LoadOptions;
pub use project::{
    LoadResult, MacroInfo, NodeDetails, Project, RefCall, Rendered, SeedColumn, SourceCall,
    SourceDetails, TestDetails,
};
pub use schema_yaml::{ColumnInfo, FunctionDeclaration};

/// Reads, renders and builds the graph of the dbt project in
/// `options.project_dir`. Never panics on bad input: every problem is a
/// diagnostic, and `project` is `None` only when dbt_project.yml or the
/// profile cannot be used at all.
pub fn load_project(options: &LoadOptions) -> LoadResult {
    load::load(options)
}
