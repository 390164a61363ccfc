//! Model contracts: a model with `contract: {enforced: true}` must output
//! exactly the columns its YAML declares, with the declared data types. The
//! check runs on the inferred output schema, before anything reaches the
//! warehouse.
//!
//! As in dbt, column order does not matter, and a declared type without
//! size, precision or scale (`varchar`, `numeric`) accepts any size of the
//! same family; a declared size is compared exactly.

use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::name::Name;
use fusion_ir::schema::{RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::{FileId, Span};
use fusion_ir::types::SqlType;

/// One column of a contract, as the model's YAML declares it.
#[derive(Clone, Debug)]
pub struct ContractColumn {
    pub name: Name,
    /// The `data_type` as written (`varchar(20)`), for messages.
    pub data_type: String,
    /// The declared type read with the dialect's type names; `None` when the
    /// text is not a type of the dialect (reported, and not compared).
    pub ty: Option<SqlType>,
    /// Where the column is declared (its YAML entry).
    pub file: FileId,
    pub span: Span,
}

/// Where the contract's diagnostics about the whole model point (the
/// model's SQL file, or its `contract:` entry).
#[derive(Clone, Copy, Debug)]
pub struct ContractLocation {
    pub file: FileId,
    pub span: Span,
}

/// Compares a contract with the model's inferred output. Returns one
/// `ContractMismatch` diagnostic per difference: a declared column the model
/// does not output, an output column the contract does not declare, or a
/// column whose type differs. An unknown output schema is not checked.
pub fn check_contract(
    declared: &[ContractColumn],
    inferred: &RelationSchema,
    semantics: &dyn DialectSemantics,
    model: ContractLocation,
) -> Vec<Diagnostic> {
    let RelationSchema::Known(schema) = inferred else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    for column in declared {
        let output = find_column(schema, column.name, semantics);
        let Some(output) = output else {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractMismatch,
                    format!(
                        "the contract declares column `{}`, but the model does not output it",
                        column.name
                    ),
                )
                .at(column.file, column.span)
                .with_help(
                    "add the column to the model's select list, or remove it from the contract",
                ),
            );
            continue;
        };
        let Some(declared_type) = &column.ty else {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractMismatch,
                    format!(
                        "the data_type `{}` of column `{}` is not a {} type",
                        column.data_type,
                        column.name,
                        semantics.name()
                    ),
                )
                .at(column.file, column.span),
            );
            continue;
        };
        if !types_agree(declared_type, &output.ty) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractMismatch,
                    format!(
                        "column `{}` is declared as `{}`, but the model outputs `{}`",
                        column.name,
                        column.data_type,
                        semantics.type_name(&output.ty)
                    ),
                )
                .at(column.file, column.span)
                .with_help(format!(
                    "cast the column in the model (`cast({} as {})`), or declare `data_type: {}`",
                    column.name,
                    column.data_type,
                    semantics.type_name(&output.ty)
                )),
            );
        }
    }
    for output in &schema.columns {
        let declared_here = declared
            .iter()
            .any(|column| semantics.names_match(column.name, output.name));
        if !declared_here {
            diagnostics.push(
                Diagnostic::new(
                    Code::ContractMismatch,
                    format!(
                        "the model outputs column `{}`, which its contract does not declare",
                        output.name
                    ),
                )
                .at(model.file, model.span)
                .with_help(format!(
                    "declare it in the model's YAML (`- name: {}` with `data_type: {}`), or remove it from the select list",
                    output.name,
                    semantics.type_name(&output.ty)
                )),
            );
        }
    }
    diagnostics
}

fn find_column<'a>(
    schema: &'a Schema,
    name: Name,
    semantics: &dyn DialectSemantics,
) -> Option<&'a fusion_ir::schema::Column> {
    schema
        .columns
        .iter()
        .find(|column| semantics.names_match(column.name, name))
}

/// Whether a declared type accepts an inferred one. Unknown inferred types
/// are never a mismatch: the check needs the type to fail.
fn types_agree(declared: &SqlType, inferred: &SqlType) -> bool {
    use SqlType as T;
    match (declared, inferred) {
        (_, T::Unknown | T::Null) | (T::Unknown, _) => true,
        _ if declared == inferred => true,
        // Without a size the family is enough.
        (T::String { max_len: None }, T::String { .. }) => true,
        (
            T::String {
                max_len: Some(declared),
            },
            T::String {
                max_len: Some(inferred),
            },
        ) => inferred <= declared,
        (T::Binary { max_len: None }, T::Binary { .. }) => true,
        (
            T::Decimal {
                precision: None, ..
            },
            T::Decimal { .. },
        ) => true,
        (T::Array(declared), T::Array(inferred)) => types_agree(declared, inferred),
        (T::Map(declared), T::Map(inferred)) => {
            types_agree(&declared.0, &inferred.0) && types_agree(&declared.1, &inferred.1)
        }
        (T::Struct(declared), T::Struct(inferred)) => {
            declared.len() == inferred.len()
                && declared
                    .iter()
                    .zip(inferred)
                    .all(|(declared, inferred)| types_agree(&declared.ty, &inferred.ty))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fusion_ir::schema::Column;
    use std::sync::Arc;

    struct CaseInsensitive;

    impl DialectSemantics for CaseInsensitive {
        fn name(&self) -> &'static str {
            "test"
        }
        fn fold_identifier(&self, ident: &fusion_ir::query::Ident) -> Name {
            ident.name.to_ascii_lowercase()
        }
        fn names_match(&self, left: Name, right: Name) -> bool {
            left.eq_ignore_ascii_case(right)
        }
    }

    fn declared(name: &str, data_type: &str, ty: Option<SqlType>) -> ContractColumn {
        ContractColumn {
            name: Name::new(name),
            data_type: data_type.to_owned(),
            ty,
            file: FileId(1),
            span: Span::default(),
        }
    }

    #[test]
    fn reports_missing_extra_and_mistyped_columns() {
        let inferred = RelationSchema::Known(Arc::new(Schema::new(vec![
            Column::new(Name::new("ID"), SqlType::INT32, false),
            Column::new(
                Name::new("name"),
                SqlType::String { max_len: Some(20) },
                true,
            ),
            Column::new(Name::new("extra"), SqlType::Date, true),
        ])));
        let contract = [
            declared("id", "varchar", Some(SqlType::STRING)),
            declared("name", "varchar", Some(SqlType::STRING)),
            declared("missing", "date", Some(SqlType::Date)),
        ];
        let diagnostics = check_contract(
            &contract,
            &inferred,
            &CaseInsensitive,
            ContractLocation {
                file: FileId(0),
                span: Span::default(),
            },
        );
        let messages: Vec<&str> = diagnostics
            .iter()
            .map(|diagnostic| diagnostic.message.as_str())
            .collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("`id` is declared as `varchar`"));
        assert!(messages[1].contains("`missing`"));
        assert!(messages[2].contains("`extra`"));
        assert!(diagnostics
            .iter()
            .all(|diagnostic| diagnostic.code == Code::ContractMismatch));
    }

    #[test]
    fn unknown_output_and_sizeless_types_pass() {
        assert!(check_contract(
            &[declared("id", "int", Some(SqlType::INT32))],
            &RelationSchema::Unknown,
            &CaseInsensitive,
            ContractLocation {
                file: FileId(0),
                span: Span::default(),
            },
        )
        .is_empty());
        assert!(types_agree(
            &SqlType::Decimal {
                precision: None,
                scale: None
            },
            &SqlType::Decimal {
                precision: Some(10),
                scale: Some(2)
            }
        ));
        assert!(!types_agree(&SqlType::INT32, &SqlType::INT64));
    }
}
