//! The files fusionc writes under `target/`, as dbt writes them: compiled
//! SQL (`compiled`), `manifest.json` (`manifest`), `catalog.json`
//! (`catalog`), `lineage.json` (`lineage`), and a run's `run_results.json`
//! and executed SQL (`run_results`); `stamp` gives them their shared
//! `generated_at` and invocation id.

pub(crate) mod catalog;
pub(crate) mod compiled;
pub(crate) mod lineage;
pub(crate) mod manifest;
mod manifest_unit_tests;
pub(crate) mod run_results;
pub(crate) mod selectors;
pub(crate) mod stamp;

use fusion_frontend::Project;
use fusion_ir::schema::RelationSchema;
use std::borrow::Cow;
use std::path::Path;
use std::time::Instant;

/// Writes the compiled SQL, `manifest.json` and `catalog.json`. The manifest
/// is the largest and goes to its file from one thread (its node entries are
/// serialised in parallel batches), so it is written while the other two
/// are; returns how long each took.
pub(crate) fn write_compile_artifacts(
    project: &Project,
    compiled_sql: &[Option<Cow<'_, str>>],
    schemas: &[RelationSchema],
    semantics: &dyn fusion_ir::semantics::DialectSemantics,
) -> std::io::Result<Vec<(&'static str, std::time::Duration)>> {
    use rayon::prelude::*;
    let target_dir = project.root_dir.join(&project.settings.target_path);
    let (generated_at, invocation_id) = stamp::run_stamp();
    let inputs = manifest::ManifestInputs {
        project,
        schemas,
        semantics,
        compiled_sql,
        generated_at,
        invocation_id,
    };
    let write_manifest = || {
        let started = Instant::now();
        write_file_with(&target_dir.join("manifest.json"), |writer| {
            manifest::write_manifest(&inputs, writer).map_err(std::io::Error::other)
        })
        .map(|()| started.elapsed())
    };
    let write_the_rest = || -> std::io::Result<(std::time::Duration, std::time::Duration)> {
        let started = Instant::now();
        let mut compiled_files: Vec<(std::path::PathBuf, &str)> = compiled_sql
            .par_iter()
            .enumerate()
            .filter_map(|(index, sql)| {
                let path = target_dir.join(compiled::compiled_relative_path(&project.nodes[index]));
                Some((path, sql.as_deref()?))
            })
            .collect();
        // Nodes of one file (the snapshot blocks of a file) share its
        // compiled path: the last node's text is the file's, as when dbt
        // writes them in order, and never a race between parallel writes.
        let mut seen = rustc_hash::FxHashSet::default();
        let mut last_first: Vec<(std::path::PathBuf, &str)> =
            Vec::with_capacity(compiled_files.len());
        for (path, sql) in compiled_files.into_iter().rev() {
            if !seen.contains(&path) {
                seen.insert(path.clone());
                last_first.push((path, sql));
            }
        }
        compiled_files = last_first;
        // Each folder once, then the files in parallel: tens of thousands
        // of compiled files are common and each is independent. A folder
        // made just now holds no earlier file to compare with.
        let folders: rustc_hash::FxHashSet<&Path> = compiled_files
            .iter()
            .filter_map(|(path, _)| path.parent())
            .collect();
        let mut new_folders = rustc_hash::FxHashSet::default();
        for folder in folders {
            if !folder.is_dir() {
                std::fs::create_dir_all(folder)?;
                new_folders.insert(folder);
            }
        }
        compiled_files.par_iter().try_for_each(|(path, sql)| {
            if path
                .parent()
                .is_some_and(|folder| new_folders.contains(folder))
            {
                std::fs::write(path, sql.as_bytes())
            } else {
                write_if_changed(path, sql.as_bytes())
            }
        })?;
        let compiled_time = started.elapsed();
        let started = Instant::now();
        let run = catalog::CatalogRun {
            dbt_version: concat!("fusionc-", env!("CARGO_PKG_VERSION")),
            generated_at: &inputs.generated_at,
            invocation_id: &inputs.invocation_id,
        };
        catalog::write_catalog(
            &target_dir.join("catalog.json"),
            project,
            schemas,
            semantics,
            &run,
        )?;
        Ok((compiled_time, started.elapsed()))
    };
    std::fs::create_dir_all(&target_dir)?;
    let (manifest_time, rest) = rayon::join(write_manifest, write_the_rest);
    let manifest_time = manifest_time?;
    let (compiled_time, catalog_time) = rest?;
    Ok(vec![
        ("compiled SQL files", compiled_time),
        ("manifest.json", manifest_time),
        ("catalog.json", catalog_time),
    ])
}

/// Writes `contents` to `path` unless the file already holds exactly that:
/// on a re-compile most compiled files are unchanged, and reading a small
/// file costs less than truncating and rewriting it (and keeps its mtime,
/// so tools watching `target/` see only real changes).
fn write_if_changed(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Read;
    if let Ok(mut file) = std::fs::File::open(path) {
        let same_length = file
            .metadata()
            .is_ok_and(|metadata| metadata.len() == contents.len() as u64);
        if same_length {
            let mut existing = Vec::with_capacity(contents.len());
            if file.read_to_end(&mut existing).is_ok() && existing == contents {
                return Ok(());
            }
        }
    }
    std::fs::write(path, contents)
}

/// Writes a file through a temporary file and a rename, so a reader never
/// sees a half-written artifact.
fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = path.with_extension("tmp-fusionc");
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temporary)?);
    write(&mut writer)?;
    std::io::Write::flush(&mut writer)?;
    drop(writer);
    std::fs::rename(&temporary, path)
}
