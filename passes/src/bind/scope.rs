//! What an expression of the block being bound can see: the FROM items
//! of the block and of the blocks around it, the select aliases, the lambda
//! parameters and the CTEs, and the clause it stands in.

use crate::bind::{Binder, RelOutput};
use fusion_ir::name::Name;
use fusion_ir::query::{ExprId, RelId};
use fusion_ir::types::{SqlType, TypedValue};

/// One column of a FROM item, as the scope sees it.
#[derive(Clone, Debug)]
pub(super) struct ScopeColumn {
    pub(super) name: Name,
    pub(super) value: TypedValue,
    /// Merged away by `USING`/`NATURAL` into a column of the left side:
    /// reachable only when qualified, and not part of `*`.
    pub(super) hidden: bool,
}

/// A FROM item visible in a query block.
#[derive(Clone, Debug)]
pub(super) struct ScopeItem {
    pub(super) rel: RelId,
    /// The names it answers to when a column is qualified: the alias, or the
    /// table's name parts (matched from the right).
    pub(super) qualifier: Vec<Name>,
    /// `None` when the columns are unknown.
    pub(super) columns: Option<Vec<ScopeColumn>>,
    /// The row of a value table whose columns are the fields of a struct
    /// element (BigQuery's `unnest(items) as i`): the value its one-part
    /// qualifier stands for when written alone as a column (`i`).
    pub(super) element: Option<TypedValue>,
}

/// The FROM items of one block, and the scopes around it.
pub(super) struct Scope<'a> {
    pub(super) items: Vec<ScopeItem>,
    pub(super) parent: Option<&'a Scope<'a>>,
}

/// A select-list alias as other clauses see it.
#[derive(Clone, Debug)]
pub(super) struct SelectAlias {
    pub(super) name: Name,
    pub(super) expr: ExprId,
    pub(super) value: TypedValue,
    pub(super) has_aggregate: bool,
    pub(super) has_window: bool,
}

/// The clause an expression stands in: decides where aggregates, window
/// functions and select aliases may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Clause {
    Select,
    Where,
    JoinCondition,
    GroupBy,
    Having,
    Qualify,
    OrderBy,
    /// LIMIT, VALUES rows, table function arguments.
    Other,
}

/// What binding an expression carries down into its sub-expressions.
#[derive(Clone, Copy)]
pub(super) struct ExprContext<'c> {
    pub(super) clause: Clause,
    pub(super) aliases: &'c [SelectAlias],
    /// ORDER BY prefers a select alias over a FROM column of the same name.
    pub(super) aliases_first: bool,
    pub(super) in_aggregate: bool,
    /// The parameters of the lambdas being bound, with the types the
    /// higher-order function gives them (unknown when it is not known).
    pub(super) lambda_parameters: &'c [(Name, SqlType)],
}

/// How an unqualified name resolves in one scope level.
pub(super) enum Found {
    Column {
        item: usize,
        column: usize,
    },
    Ambiguous(Vec<usize>),
    /// Not found, but an item with unknown columns might hold it.
    MaybeInUnknown,
    Absent,
}

pub(super) fn scope_columns(output: &RelOutput) -> Option<Vec<ScopeColumn>> {
    output.as_ref().map(|schema| {
        schema
            .columns
            .iter()
            .map(|column| ScopeColumn {
                name: column.name,
                value: TypedValue {
                    ty: column.ty.clone(),
                    nullable: column.nullable,
                },
                hidden: false,
            })
            .collect()
    })
}

pub(super) fn make_nullable(items: &mut [ScopeItem]) {
    for column in items
        .iter_mut()
        .flat_map(|item| item.columns.iter_mut().flatten())
    {
        column.value.nullable = true;
    }
}

impl ScopeItem {
    pub(super) fn display_name(&self) -> String {
        match self.qualifier.last() {
            Some(name) => name.as_str().to_owned(),
            None => "(subquery)".to_owned(),
        }
    }
}

impl Clause {
    pub(super) fn allows_aggregates(self) -> bool {
        matches!(
            self,
            Clause::Select | Clause::Having | Clause::Qualify | Clause::OrderBy
        )
    }

    pub(super) fn allows_windows(self) -> bool {
        matches!(self, Clause::Select | Clause::Qualify | Clause::OrderBy)
    }

    pub(super) fn describe(self) -> &'static str {
        match self {
            Clause::Select => "the select list",
            Clause::Where => "WHERE",
            Clause::JoinCondition => "a join condition",
            Clause::GroupBy => "GROUP BY",
            Clause::Having => "HAVING",
            Clause::Qualify => "QUALIFY",
            Clause::OrderBy => "ORDER BY",
            Clause::Other => "this clause",
        }
    }
}

impl<'c> ExprContext<'c> {
    pub(super) fn new(clause: Clause, aliases: &'c [SelectAlias]) -> ExprContext<'c> {
        ExprContext {
            clause,
            aliases,
            aliases_first: false,
            in_aggregate: false,
            lambda_parameters: &[],
        }
    }
}

impl Binder<'_> {
    pub(super) fn qualifier_matches(&self, item_qualifier: &[Name], written: &[Name]) -> bool {
        !written.is_empty()
            && written.len() <= item_qualifier.len()
            && written.iter().rev().zip(item_qualifier.iter().rev()).all(
                |(written_part, item_part)| self.semantics.names_match(*written_part, *item_part),
            )
    }

    pub(super) fn find_unqualified(&self, items: &[ScopeItem], name: Name) -> Found {
        let mut matches: Vec<(usize, usize)> = Vec::new();
        let mut unknown = false;
        for (item_index, item) in items.iter().enumerate() {
            match &item.columns {
                Some(columns) => {
                    if let Some(column_index) = columns.iter().position(|column| {
                        !column.hidden && self.semantics.names_match(column.name, name)
                    }) {
                        matches.push((item_index, column_index));
                    }
                }
                None => unknown = true,
            }
        }
        match matches.as_slice() {
            [(item, column)] if !unknown => Found::Column {
                item: *item,
                column: *column,
            },
            [(item, column)] => {
                // A known match wins over a maybe in an unknown item: DuckDB
                // would report the ambiguity only if the unknown item had it too.
                Found::Column {
                    item: *item,
                    column: *column,
                }
            }
            [] if unknown => Found::MaybeInUnknown,
            [] => Found::Absent,
            several => Found::Ambiguous(several.iter().map(|(item, _)| *item).collect()),
        }
    }
}
