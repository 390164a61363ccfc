//! `fusion-frontend`: loads a dbt project from disk, renders its Jinja with the dbt context, and builds the project graph.
