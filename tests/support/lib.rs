//! Shared helpers for the root test suite: locating fixtures and the shared
//! corpus, copying fixture projects to scratch folders, running the CLI.

use fusion_ir::name::Name;
use fusion_ir::schema::{Catalog, Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The repository root.
pub fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree (a fixture project) into `destination`.
pub fn copy_tree(source: &Path, destination: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(destination)?;
    for entry in std::fs::read_dir(source)? {
        let entry = entry?;
        let target = destination.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if entry.file_name() == "target" {
                continue;
            }
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The sorted names of the sub-folders of `folder`.
pub fn sub_folders(folder: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_dir())
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    folders
}

/// A fixture table key (`t`, `schema.t`, `db.schema.t`) as a relation name;
/// missing parts default to the fixtures' `db` and `main`.
pub fn relation_name(key: &str) -> RelationName {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [database, schema, identifier] => RelationName {
            database: Some(Name::new(database)),
            schema: Some(Name::new(schema)),
            identifier: Name::new(identifier),
        },
        [schema, identifier] => RelationName {
            database: Some(Name::new("db")),
            schema: Some(Name::new(schema)),
            identifier: Name::new(identifier),
        },
        _ => RelationName {
            database: Some(Name::new("db")),
            schema: Some(Name::new("main")),
            identifier: Name::new(key),
        },
    }
}

/// Builds a catalog from `{"table": {"column": "TYPE [NOT NULL]"}}`.
pub fn catalog_from_json(schema: &serde_json::Value, semantics: &dyn DialectSemantics) -> Catalog {
    let mut catalog = Catalog::default();
    let Some(tables) = schema.as_object() else {
        return catalog;
    };
    for (table, columns) in tables {
        let relation_schema = match columns.as_object() {
            Some(columns) => {
                let columns = columns
                    .iter()
                    .map(|(name, ty)| {
                        let text = ty.as_str().unwrap_or("UNKNOWN");
                        let (text, nullable) = match text.strip_suffix(" NOT NULL") {
                            Some(stripped) => (stripped, false),
                            None => (text, true),
                        };
                        let ty = semantics
                            .parse_type_name(text)
                            .unwrap_or_else(|| panic!("fixture type `{text}` does not parse"));
                        Column::new(Name::new(name), ty, nullable)
                    })
                    .collect();
                RelationSchema::Known(Arc::new(Schema::new(columns)))
            }
            None => RelationSchema::Unknown,
        };
        catalog
            .relations
            .insert(relation_name(table), relation_schema);
    }
    catalog
}
