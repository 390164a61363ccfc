//! fusion-bench: a deterministic generator of synthetic dbt projects for DuckDB (the `fusionc-gen` command), used by `bench/run.sh` to benchmark `fusionc parse` and `fusionc compile` against dbt Core on the very same projects.
//!
//! Generation happens in two steps: `project_generator` decides everything (DAG, SQL,
//! tracked columns, tests) into a `GeneratedProject`, and `project_writer` renders files.

pub mod deterministic_random;
pub mod project_generator;
pub mod project_model;
pub mod project_writer;
