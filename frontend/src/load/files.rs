//! Finding and reading the project's files: discovery under resource folders, reading text, registering files for diagnostics.

use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, SourceFiles};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file found under one of the project's resource folders.
pub(super) struct FoundFile {
    /// Path from the project root, with `/` separators.
    pub(super) original_file_path: String,
    /// Path relative to its resource folder.
    pub(super) path: String,
    pub(super) absolute: PathBuf,
}

/// Lists files with one of `extensions` under `root_dir/folder`, sorted so
/// loads are deterministic.
pub(super) fn discover(root_dir: &Path, folders: &[String], extensions: &[&str]) -> Vec<FoundFile> {
    let mut found = Vec::new();
    for folder in folders {
        let base = root_dir.join(folder);
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let file_name = entry.file_name().to_string_lossy().into_owned();
                if file_name.starts_with('.') {
                    continue;
                }
                // `file_type` comes with the directory entry: no extra stat per file.
                let is_dir = entry.file_type().map(|kind| kind.is_dir()).unwrap_or(false);
                if is_dir {
                    stack.push(path);
                } else if extensions
                    .iter()
                    .any(|extension| path.extension().is_some_and(|found| found == *extension))
                {
                    let relative = |from: &Path| {
                        path.strip_prefix(from)
                            .map(|relative| {
                                relative
                                    .components()
                                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                                    .collect::<Vec<_>>()
                                    .join("/")
                            })
                            .unwrap_or_else(|_| file_name.clone())
                    };
                    found.push(FoundFile {
                        original_file_path: relative(root_dir),
                        path: relative(&base),
                        absolute: path.clone(),
                    });
                }
            }
        }
    }
    found.sort_by(|left, right| left.original_file_path.cmp(&right.original_file_path));
    found
}

/// Reads a file into the source table, or reports FC0010.
pub(super) fn read_file(
    found: &FoundFile,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(FileId, Arc<str>)> {
    register_file(found, read_text(&found.absolute), files, diagnostics)
}

/// A file's text (invalid UTF-8 replaced).
pub(super) fn read_text(path: &Path) -> std::io::Result<Arc<str>> {
    std::fs::read(path).map(text_of)
}

/// A file's bytes as text, invalid UTF-8 replaced.
pub(super) fn text_of(bytes: Vec<u8>) -> Arc<str> {
    match String::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(error) => String::from_utf8_lossy(error.as_bytes())
            .into_owned()
            .into(),
    }
}

/// Adds a file read with [`read_text`] to the source table, or reports
/// FC0010.
pub(super) fn register_file(
    found: &FoundFile,
    read: std::io::Result<Arc<str>>,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(FileId, Arc<str>)> {
    match read {
        Ok(text) => Some((
            files.add(found.original_file_path.clone(), text.clone()),
            text,
        )),
        Err(error) => {
            diagnostics.push(unreadable(found, &error));
            None
        }
    }
}

/// FC0010 for a project file that could not be read.
pub(super) fn unreadable(found: &FoundFile, error: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        Code::FileUnreadable,
        format!("cannot read {}: {error}", found.original_file_path),
    )
}
