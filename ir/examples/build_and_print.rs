//! Builds a small plan by hand in the `Query` arena, prints it, walks it to
//! find the tables it reads, and prints the schema of its output.
//!
//! The plan is what the DuckDB dialect lowers
//! `select tbl.i, tbl2.j + 1 as k from tbl, tbl2 where tbl.i = tbl2.i` into,
//! spans included, so the printed text is the one fusionc's snapshots show.
//!
//! Run with `cargo run -p fusion-ir --example build_and_print`.

use fusion_ir::name::Name;
use fusion_ir::query::{
    BinaryOp, Distinct, ExprId, ExprKind, FilterClause, Ident, JoinConstraint, JoinKind, Literal,
    ObjectName, Query, RelId, RelKind, SelectItem,
};
use fusion_ir::schema::{Column, Schema};
use fusion_ir::span::Span;
use fusion_ir::types::SqlType;

const SQL: &str = "select tbl.i, tbl2.j + 1 as k from tbl, tbl2 where tbl.i = tbl2.i";

/// The span of the `occurrence`-th (0-based) `text` in [`SQL`].
fn span_of(text: &str, occurrence: usize) -> Span {
    let start = SQL
        .match_indices(text)
        .nth(occurrence)
        .map(|(start, _)| start)
        .expect("the text occurs in SQL");
    Span::from_range(start..start + text.len())
}

/// An unquoted identifier written at `span`.
fn ident(name: &str, span: Span) -> Ident {
    Ident {
        name: Name::new(name),
        quoted: false,
        span,
    }
}

/// `table.column`, the `occurrence`-th time it is written.
fn qualified_column(query: &mut Query, table: &str, column: &str, occurrence: usize) -> ExprId {
    let written = format!("{table}.{column}");
    let span = span_of(&written, occurrence);
    let table_span = Span::new(span.start, span.start + table.len() as u32);
    let column_span = Span::new(table_span.end + 1, span.end);
    query.add_expr(
        ExprKind::Column {
            qualifier: vec![ident(table, table_span)],
            name: ident(column, column_span),
        },
        span,
    )
}

fn scan(query: &mut Query, table: &str, span: Span) -> RelId {
    query.add_rel(
        RelKind::Scan {
            table: ObjectName {
                parts: vec![ident(table, span)],
            },
            alias: None,
        },
        span,
    )
}

fn build() -> Query {
    let whole = Span::from_range(0..SQL.len());
    let mut query = Query::default();

    // FROM tbl, tbl2: a comma is a cross join.
    let left = scan(&mut query, "tbl", span_of("tbl", 2));
    let right = scan(&mut query, "tbl2", span_of("tbl2", 1));
    let join = query.add_rel(
        RelKind::Join {
            left,
            right,
            kind: JoinKind::Cross,
            constraint: JoinConstraint::None,
        },
        query.rel(left).span.cover(query.rel(right).span),
    );

    // WHERE tbl.i = tbl2.i
    let where_left = qualified_column(&mut query, "tbl", "i", 1);
    let where_right = qualified_column(&mut query, "tbl2", "i", 0);
    let predicate = query.add_expr(
        ExprKind::Binary {
            op: BinaryOp::Eq,
            left: where_left,
            right: where_right,
        },
        span_of("tbl.i = tbl2.i", 0),
    );
    let filter = query.add_rel(
        RelKind::Filter {
            input: join,
            predicate,
            clause: FilterClause::Where,
        },
        whole,
    );

    // SELECT tbl.i, tbl2.j + 1 AS k
    let first = qualified_column(&mut query, "tbl", "i", 0);
    let j = qualified_column(&mut query, "tbl2", "j", 0);
    let one = query.add_expr(
        ExprKind::Literal(Literal::Number(Name::new("1"))),
        span_of("1", 0),
    );
    let plus = query.add_expr(
        ExprKind::Binary {
            op: BinaryOp::Add,
            left: j,
            right: one,
        },
        span_of("tbl2.j + 1", 0),
    );
    let project = query.add_rel(
        RelKind::Project {
            input: filter,
            items: vec![
                SelectItem::Expr {
                    expr: first,
                    alias: None,
                },
                SelectItem::Expr {
                    expr: plus,
                    alias: Some(ident("k", span_of("k", 0))),
                },
            ],
            distinct: Distinct::All,
            windows: Vec::new(),
        },
        whole,
    );
    query.root = Some(project);
    query
}

/// The inputs of a relation. Subqueries inside expressions are not inputs;
/// a complete walk also follows `ExprKind::Subquery` and friends.
fn inputs(kind: &RelKind) -> Vec<RelId> {
    match kind {
        RelKind::Scan { .. }
        | RelKind::TableFunction { .. }
        | RelKind::Unnest { .. }
        | RelKind::Values { .. }
        | RelKind::SingleRow
        | RelKind::Error => Vec::new(),
        RelKind::With { ctes, body, .. } => ctes
            .iter()
            .map(|cte| cte.query)
            .chain(std::iter::once(*body))
            .collect(),
        RelKind::Derived { input, .. }
        | RelKind::Filter { input, .. }
        | RelKind::Aggregate { input, .. }
        | RelKind::Project { input, .. }
        | RelKind::Sort { input, .. }
        | RelKind::Limit { input, .. } => vec![*input],
        RelKind::Join { left, right, .. } | RelKind::SetOp { left, right, .. } => {
            vec![*left, *right]
        }
    }
}

/// The tables the plan under `root` reads, depth first, left to right.
fn scanned_tables(query: &Query, root: RelId) -> Vec<String> {
    let mut tables = Vec::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let rel = query.rel(id);
        if let RelKind::Scan { table, .. } = &rel.kind {
            tables.push(table.to_string());
        }
        stack.extend(inputs(&rel.kind).into_iter().rev());
    }
    tables
}

fn main() {
    let query = build();

    println!("{SQL}\n");
    print!("{}", query.display());

    let root = query.root.expect("the plan has a root");
    println!("\nreads: {}", scanned_tables(&query, root).join(", "));

    // The binder in fusion-passes infers a query's output schema; this one
    // is written by hand. Types print in a dialect-neutral spelling; a dialect's own spelling
    // comes from `DialectSemantics::type_name`, in fusion-dialects.
    let output = Schema::new(vec![
        Column::new(Name::new("i"), SqlType::INT32, false),
        Column::new(Name::new("k"), SqlType::INT64, true),
    ]);
    println!("\noutput schema ({} columns):", output.len());
    for column in &output.columns {
        let null = if column.nullable { "" } else { " NOT NULL" };
        println!("  {} {}{null}", column.name, column.ty);
    }
    let nested = SqlType::Array(Box::new(SqlType::Decimal {
        precision: Some(10),
        scale: Some(2),
    }));
    println!("\na nested type: {nested}");
}
