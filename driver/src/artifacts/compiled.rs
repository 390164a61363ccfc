//! Compiled SQL as dbt writes it under `target/compiled`: the rendered SQL,
//! with every ephemeral model it reads (directly or through other ephemeral
//! models) injected as a `__dbt__cte__<name>` CTE at the top.

use fusion_frontend::Project;
use fusion_ir::graph::{NodeId, NodeKind};
use std::borrow::Cow;

fn is_ephemeral(project: &Project, id: NodeId) -> bool {
    project.details(id).is_ephemeral()
}

/// Where a node's compiled SQL goes, relative to the target folder, as dbt
/// lays it out: `compiled/<package>/<original_file_path>`, and for generic
/// tests (defined in YAML) a file named after the test inside a folder named
/// after the YAML file.
pub(crate) fn compiled_relative_path(details: &fusion_frontend::NodeDetails) -> String {
    if details.test.is_some() || details.kind == fusion_ir::graph::NodeKind::UnitTest {
        format!(
            "compiled/{}/{}/{}",
            details.package_name, details.original_file_path, details.path
        )
    } else {
        format!(
            "compiled/{}/{}",
            details.package_name, details.original_file_path
        )
    }
}

/// The compiled SQL of a node, or `None` when it was not rendered. Most
/// nodes compile to their rendered text as it is, which is then borrowed.
pub(crate) fn compiled_sql(project: &Project, id: NodeId) -> Option<Cow<'_, str>> {
    let rendered: &str = &project.details(id).rendered.as_ref()?.sql;
    Some(compiled_sql_of(project, id, rendered))
}

/// The compiled SQL of a node whose rendered text is `rendered` (rendered
/// again at run time, say): ephemeral parents injected as CTEs.
pub(crate) fn compiled_sql_of<'a>(
    project: &Project,
    id: NodeId,
    rendered: &'a str,
) -> Cow<'a, str> {
    let details = project.details(id);
    let tidied: Option<String> = (details.kind == NodeKind::Snapshot).then(|| {
        // A snapshot's rendered text keeps the rest of its file blanked out
        // (so its offsets are the file's); the compiled file drops that.
        let lines: Vec<&str> = rendered.lines().map(str::trim_end).collect();
        let first = lines.iter().position(|line| !line.is_empty()).unwrap_or(0);
        let last = lines
            .iter()
            .rposition(|line| !line.is_empty())
            .map_or(0, |last| last + 1);
        lines[first..last.max(first)].join("\n")
    });
    let mut ephemeral_ancestors = Vec::new();
    collect_ephemeral_parents(project, id, &mut ephemeral_ancestors);
    if ephemeral_ancestors.is_empty() {
        return match tidied {
            Some(tidied) => Cow::Owned(tidied),
            None => Cow::Borrowed(rendered),
        };
    }
    let rendered = tidied.as_deref().unwrap_or(rendered);
    let ctes: Vec<String> = ephemeral_ancestors
        .iter()
        .filter_map(|&ancestor| {
            let details = project.details(ancestor);
            let sql = details
                .rendered
                .as_ref()?
                .sql
                .trim()
                .trim_end_matches(';')
                .to_string();
            Some(format!(
                "{} as (\n{}\n)",
                fusion_ir::graph::ephemeral_cte_name(&details.name),
                sql
            ))
        })
        .collect();
    Cow::Owned(inject_ctes(rendered, &ctes.join(", ")))
}

/// Ephemeral parents of `id`, each after the ephemeral models it reads.
fn collect_ephemeral_parents(project: &Project, id: NodeId, found: &mut Vec<NodeId>) {
    for parent in project.graph.parents(id) {
        if is_ephemeral(project, parent) && !found.contains(&parent) {
            collect_ephemeral_parents(project, parent, found);
            if !found.contains(&parent) {
                found.push(parent);
            }
        }
    }
}

/// Puts `ctes` first in the query's `WITH` clause, adding one if it has
/// none. As dbt does it: a `WITH` after leading comments is the query's, but
/// a new one goes before them (dbt inserts it before the first token that is
/// not white space, and a comment is a token).
fn inject_ctes(sql: &str, ctes: &str) -> String {
    let start = skip_trivia(sql, 0);
    if let Some(after_with) = keyword_at(sql, start, "with") {
        let mut insert_at = after_with;
        let next = skip_trivia(sql, after_with);
        if let Some(after_recursive) = keyword_at(sql, next, "recursive") {
            insert_at = after_recursive;
        }
        format!("{} {},{}", &sql[..insert_at], ctes, &sql[insert_at..])
    } else {
        let first_token = sql.len() - sql.trim_start().len();
        format!(
            "{}with {}\n{}",
            &sql[..first_token],
            ctes,
            &sql[first_token..]
        )
    }
}

/// The offset after `keyword` if it stands at `offset` as a whole word.
fn keyword_at(sql: &str, offset: usize, keyword: &str) -> Option<usize> {
    let end = offset + keyword.len();
    let candidate = sql.get(offset..end)?;
    let next = sql[end..].chars().next();
    let is_word_end =
        next.is_none_or(|character| !(character.is_alphanumeric() || character == '_'));
    (candidate.eq_ignore_ascii_case(keyword) && is_word_end).then_some(end)
}

/// Skips white space and SQL comments from `offset`.
fn skip_trivia(sql: &str, mut offset: usize) -> usize {
    loop {
        let rest = &sql[offset..];
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        if trimmed.starts_with("--") {
            offset += trimmed
                .find('\n')
                .map_or(trimmed.len(), |newline| newline + 1);
        } else if let Some(comment) = trimmed.strip_prefix("/*") {
            offset += comment.find("*/").map_or(trimmed.len(), |close| close + 4);
        } else {
            return offset;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctes_go_first_in_an_existing_with_or_a_new_one() {
        assert_eq!(
            inject_ctes("\n-- note\nselect 1", "__dbt__cte__a as (\nselect 2\n)"),
            "\nwith __dbt__cte__a as (\nselect 2\n)\n-- note\nselect 1"
        );
        assert_eq!(
            inject_ctes(
                "-- note\nwith x as (select 1) select * from x",
                "c as (select 2)"
            ),
            "-- note\nwith c as (select 2), x as (select 1) select * from x"
        );
        assert_eq!(
            inject_ctes("  WITH x as (select 1) select * from x", "c as (select 2)"),
            "  WITH c as (select 2), x as (select 1) select * from x"
        );
        assert_eq!(
            inject_ctes(
                "with recursive r as (select 1) select * from r",
                "c as (select 2)"
            ),
            "with recursive c as (select 2), r as (select 1) select * from r"
        );
        assert_eq!(
            inject_ctes("without_a_with as (select 1)", "c as (select 2)"),
            "with c as (select 2)\nwithout_a_with as (select 1)"
        );
    }
}
