//! What a node's state-aware hash covers, component by component: its SQL
//! normalised through the parsed tree, the configs that change what is
//! built, the relation it writes, the project macros it calls, a seed's
//! file, and the code of the ephemeral models inlined into it. A node is
//! rebuilt when any component differs from the one its last build recorded,
//! and `--explain` names the components that did.
//!
//! The hashes are of the node as compiled ahead of time (before an
//! incremental model's `is_incremental()` branch is rendered), so the same
//! code gives the same hash whatever state the warehouse is in.

use fusion_dialects::syntax::sql_printer::print_sql;
use fusion_dialects::syntax::token::TokenKind;
use fusion_dialects::Dialect;
use fusion_frontend::checksum::sha256_hex;
use fusion_frontend::{NodeDetails, Project};
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::FileId;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Config keys that describe a node without changing what its build
/// writes: documentation, ownership, selection, and the state-aware
/// settings themselves (changing `build_after` must not force a build).
const CONFIGS_THAT_DO_NOT_BUILD: &[&str] = &[
    "tags",
    "meta",
    "docs",
    "group",
    "access",
    "description",
    "freshness",
    "state",
    "static_analysis",
    "enabled",
    "event_time",
];

/// One node's hash and the hashes it is made of, by component name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeHash {
    pub hash: String,
    pub components: BTreeMap<String, String>,
    /// The SQL calls a function whose result changes from call to call (the
    /// current time, random numbers, new ids), named here.
    pub volatile: Option<String>,
    /// For column-level impact: see [`ColumnProfile`].
    pub profile: Option<ColumnProfile>,
}

/// A model's SQL split into what decides its rows and what each output
/// column computes, when its shape makes that split safe: one plain
/// `SELECT` (no set operation, `DISTINCT`, star, `TOP`, positional or `ALL`
/// grouping or ordering, aggregate without `GROUP BY`). Two versions with
/// the same `shape` hold the same rows; their columns differ where their
/// hashes do. Columns named in the clauses that decide rows (a `WHERE` on
/// an alias) are part of the shape.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnProfile {
    pub shape: String,
    /// Output columns in order, lower-cased, with the hash of each one's
    /// expression.
    pub columns: Vec<(String, String)>,
}

/// The hashes of the nodes a run may decide about (the others are `None`):
/// those in `wanted`, and the ephemeral models they read, whose code
/// becomes part of their readers'.
pub fn node_hashes(
    project: &Project,
    dialect: &dyn Dialect,
    order: &[NodeId],
    wanted: &[bool],
) -> Vec<Option<NodeHash>> {
    let count = project.nodes.len();
    // Which nodes need a hash: the wanted ones and, upstream of them, the
    // ephemeral models they inline.
    let mut needed = wanted.to_vec();
    for &id in order.iter().rev() {
        if !needed[id.index()] {
            continue;
        }
        for parent in project.graph.parents(id) {
            if project.details(parent).is_ephemeral() {
                needed[parent.index()] = true;
            }
        }
    }
    let macro_text: FxHashMap<&str, &str> = project
        .macros
        .iter()
        .map(|info| (info.unique_id.as_str(), info.macro_sql.as_str()))
        .collect();
    // Each node's own components (a parse and print of its SQL) in
    // parallel; then, in DAG order, the ephemeral models each inlines.
    let mut own: Vec<Option<NodeHash>> = {
        use rayon::prelude::*;
        (0..count)
            .into_par_iter()
            .map(|index| {
                needed[index].then(|| own_components(&project.nodes[index], dialect, &macro_text))
            })
            .collect()
    };
    let mut hashes: Vec<Option<NodeHash>> = vec![None; count];
    for &id in order {
        let Some(mut hash) = own[id.index()].take() else {
            continue;
        };
        let mut inlined: Vec<&str> = Vec::new();
        for parent in project.graph.parents(id) {
            if let Some(Some(parent_hash)) = hashes.get(parent.index()) {
                if project.details(parent).is_ephemeral() {
                    inlined.push(parent_hash.hash.as_str());
                    if hash.volatile.is_none() {
                        hash.volatile.clone_from(&parent_hash.volatile);
                    }
                }
            }
        }
        if !inlined.is_empty() {
            inlined.sort_unstable();
            hash.components
                .insert("ephemeral inputs".into(), short(&inlined.join(",")));
        }
        hash.hash = short(
            &hash
                .components
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join(";"),
        );
        hashes[id.index()] = Some(hash);
    }
    hashes
}

/// The components of the node itself.
fn own_components(
    details: &NodeDetails,
    dialect: &dyn Dialect,
    macro_text: &FxHashMap<&str, &str>,
) -> NodeHash {
    let mut components = BTreeMap::new();
    let mut volatile = None;
    let mut profile = None;
    match details.kind {
        NodeKind::Seed => {
            components.insert("seed file".into(), details.checksum.clone());
        }
        NodeKind::Source | NodeKind::Analysis => {}
        NodeKind::UnitTest => {
            components.insert("definition".into(), short(&details.raw_code));
        }
        NodeKind::Model | NodeKind::Snapshot | NodeKind::Test => match &details.rendered {
            Some(rendered) => {
                let sql: &str = &rendered.sql;
                // One lexing serves the volatility scan and the parse.
                let tokens = dialect.lex(sql);
                volatile = volatile_call(dialect, sql, &tokens);
                let parsed = fusion_dialects::syntax::parser::parse_statements(
                    sql,
                    tokens,
                    dialect.syntax_hooks(),
                    FileId(0),
                );
                let clean = !parsed
                    .diagnostics
                    .iter()
                    .any(|diagnostic| diagnostic.is_error());
                // Printed from the tree, whitespace, comments and the case
                // of keywords do not count, any change of meaning does; SQL
                // the parser does not read cleanly counts as written.
                let normalized = if clean {
                    print_sql(&parsed.statements, sql)
                } else {
                    sql.to_string()
                };
                components.insert("sql".into(), short(&normalized));
                if details.kind == NodeKind::Model && clean {
                    profile = column_profile(dialect, &parsed.statements, sql);
                }
            }
            None => {
                components.insert("sql".into(), short(&details.raw_code));
            }
        },
    }
    components.insert("config".into(), short(&building_config(details)));
    if matches!(
        details.kind,
        NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot
    ) {
        components.insert(
            "relation".into(),
            format!(
                "{}.{}.{}",
                details.database.as_deref().unwrap_or_default(),
                details.schema.as_deref().unwrap_or_default(),
                details.alias
            ),
        );
    }
    if !details.macros_called.is_empty() {
        let mut called: Vec<&str> = details
            .macros_called
            .iter()
            .map(|unique_id| {
                macro_text
                    .get(unique_id.as_str())
                    .copied()
                    .unwrap_or(unique_id)
            })
            .collect();
        called.sort_unstable();
        components.insert("macros".into(), short(&called.join("\u{0}")));
    }
    NodeHash {
        hash: String::new(),
        components,
        volatile,
        profile,
    }
}

/// The model's [`ColumnProfile`], when its SQL (`statements`, parsed
/// without errors) has a shape that allows one.
fn column_profile(
    dialect: &dyn Dialect,
    statements: &[fusion_dialects::syntax::ast::Statement],
    sql: &str,
) -> Option<ColumnProfile> {
    use fusion_dialects::syntax::ast::{ExprKind, GroupingElement, SetExpr, Statement};
    use fusion_dialects::syntax::sql_printer::print_sql_expression;
    let [Statement::Query(query)] = statements else {
        return None;
    };
    let SetExpr::Select(select) = &query.body else {
        return None;
    };
    if select.distinct.is_some()
        || select.top.is_some()
        || select.as_value.is_some()
        || !select.exclude.is_empty()
        || select.connect_by.is_some()
    {
        return None;
    }
    let positional =
        |expr: &fusion_dialects::syntax::ast::Expr| matches!(expr.kind, ExprKind::Number);
    if let Some(group_by) = &select.group_by {
        if group_by.all
            || group_by.elements.iter().any(|element| match element {
                GroupingElement::Expr(expr) => positional(expr),
                _ => false,
            })
        {
            return None;
        }
    }
    if let Some(order_by) = &query.order_by {
        if order_by.all || order_by.keys.iter().any(|key| positional(&key.expr)) {
            return None;
        }
    }
    let text = |span: fusion_ir::span::Span| &sql[span.start as usize..span.end as usize];
    let mut columns: Vec<(String, String)> = Vec::new();
    let mut printed_items: Vec<String> = Vec::new();
    for item in &select.items {
        let name = match (&item.alias, &item.expr.kind) {
            (Some(alias), _) => text(alias.span).trim_matches(|c| c == '"' || c == '`'),
            (None, ExprKind::Identifier(parts)) => {
                let last = parts.last()?;
                text(last.span).trim_matches(|c| c == '"' || c == '`')
            }
            _ => return None,
        };
        if matches!(item.expr.kind, ExprKind::Star(_)) {
            return None;
        }
        let printed = print_sql_expression(&item.expr, sql);
        columns.push((name.to_ascii_lowercase(), short(&printed)));
        printed_items.push(printed);
    }
    // Without GROUP BY, an aggregate in the select list makes one row of
    // many: the list then decides the rows.
    let semantics = dialect.semantics();
    if select.group_by.is_none() {
        for printed in &printed_items {
            let tokens = dialect.lex(printed);
            for (position, token) in tokens.iter().enumerate() {
                let called = tokens
                    .get(position + 1)
                    .is_some_and(|next| next.kind == TokenKind::LeftParen);
                if token.kind != TokenKind::Word || !called {
                    continue;
                }
                let word = &printed[token.span.start as usize..token.span.end as usize];
                if semantics.function(word).is_some_and(|function| {
                    function.kind == fusion_ir::query::FunctionKind::Aggregate
                }) {
                    return None;
                }
            }
        }
    }
    // The statement without its select list decides the rows; so do the
    // columns whose names the clauses read (DuckDB reads aliases in WHERE).
    let mut rest = statements.to_vec();
    if let Some(Statement::Query(query)) = rest.first_mut() {
        if let SetExpr::Select(select) = &mut query.body {
            select.items.clear();
        }
    }
    let shape_text = print_sql(&rest, sql);
    let words: rustc_hash::FxHashSet<String> = dialect
        .lex(&shape_text)
        .iter()
        .filter(|token| matches!(token.kind, TokenKind::Word | TokenKind::QuotedIdent))
        .map(|token| {
            shape_text[token.span.start as usize..token.span.end as usize]
                .trim_matches(|c| c == '"' || c == '`')
                .to_ascii_lowercase()
        })
        .collect();
    let mut shape = shape_text.clone();
    for ((name, hash), printed) in columns.iter().zip(&printed_items) {
        if words.contains(name) {
            shape.push_str(&format!("\n{name}={hash}"));
            let _ = printed;
        }
    }
    Some(ColumnProfile {
        shape: short(&shape),
        columns,
    })
}

/// The first call in `sql` of a function the dialect's catalog marks
/// volatile (`now()`, `random()`, a bare `current_timestamp`).
fn volatile_call(
    dialect: &dyn Dialect,
    sql: &str,
    tokens: &[fusion_dialects::syntax::token::Token],
) -> Option<String> {
    let tokens: Vec<_> = tokens
        .iter()
        .filter(|token| token.kind != TokenKind::Comment)
        .collect();
    let semantics = dialect.semantics();
    for (position, token) in tokens.iter().enumerate() {
        if token.kind != TokenKind::Word {
            continue;
        }
        let after_dot = position
            .checked_sub(1)
            .is_some_and(|previous| tokens[previous].kind == TokenKind::Dot);
        if after_dot {
            continue;
        }
        let word = &sql[token.span.start as usize..token.span.end as usize];
        let called = tokens
            .get(position + 1)
            .is_some_and(|next| next.kind == TokenKind::LeftParen);
        let lowered = word.to_ascii_lowercase();
        if !(called || is_niladic(&lowered)) {
            continue;
        }
        if semantics
            .function(&lowered)
            .is_some_and(|function| function.volatile)
        {
            return Some(lowered);
        }
    }
    None
}

/// Whether a function is written without parentheses (`current_date`,
/// `localtimestamp`): such a word is a call even without `(`.
pub(crate) fn is_niladic(lowered: &str) -> bool {
    lowered.starts_with("current_")
        || matches!(
            lowered,
            "localtime" | "localtimestamp" | "sysdate" | "systimestamp"
        )
}

/// The node's configs, without those that do not change what it builds,
/// as canonical JSON (keys sorted).
fn building_config(details: &NodeDetails) -> String {
    let kept: BTreeMap<&str, &serde_json::Value> = details
        .config
        .values
        .iter()
        .filter(|(key, _)| !CONFIGS_THAT_DO_NOT_BUILD.contains(&key.as_str()))
        .map(|(key, value)| (key.as_str(), value))
        .collect();
    serde_json::to_string(&kept).unwrap_or_default()
}

/// A hash short enough to print and store, long enough not to collide in
/// one project: 16 hex digits of SHA-256.
pub fn short(text: &str) -> String {
    let mut hex = sha256_hex(text.as_bytes());
    hex.truncate(16);
    hex
}
