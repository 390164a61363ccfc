//! Relations as templates see them: where a relation lives
//! ([`RelationParts`]) and the value `ref()`, `source()` and `this` return
//! ([`RelationObject`]).

use crate::quoting::QuotePolicy;
use minijinja::value::{Enumerator, Kwargs, Object, Rest};
use minijinja::{Error, ErrorKind, State, Value};
use std::fmt;
use std::sync::Arc;

/// Where a relation lives, and which parts of its name are quoted when
/// rendered (`"db"."schema"."id"` with every part quoted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RelationParts {
    pub database: Option<String>,
    pub schema: Option<String>,
    pub identifier: String,
    /// Rendered as `identifier` verbatim: an ephemeral model (dbt inlines
    /// it as the CTE `__dbt__cte__<name>` at the top of each reader, and
    /// `ref()` renders that bare name), or an external source (its file
    /// location or `read_csv(...)` call).
    pub ephemeral_cte: bool,
    /// dbt's quote policy for this relation: the adapter's, with the
    /// project's `quoting:` (or, for a source, the source's) over it.
    pub quoting: QuotePolicy,
}

impl RelationParts {
    /// The relation a `ref()` to an ephemeral model reads.
    pub(crate) fn ephemeral(model_name: &str) -> RelationParts {
        RelationParts {
            database: None,
            schema: None,
            identifier: fusion_ir::graph::ephemeral_cte_name(model_name),
            ephemeral_cte: true,
            quoting: QuotePolicy::NONE,
        }
    }

    /// The relation's name with the parts its policy quotes in `quote` (the
    /// adapter's [`quote_character`](crate::adapter_naming::AdapterNaming::quote_character)).
    pub(crate) fn quoted(&self, quote: char) -> String {
        if self.ephemeral_cte {
            return self.identifier.clone();
        }
        let mut text = String::new();
        for (part, quoted) in [
            (self.database.as_deref(), self.quoting.database),
            (self.schema.as_deref(), self.quoting.schema),
            (Some(self.identifier.as_str()), self.quoting.identifier),
        ] {
            let Some(part) = part else {
                continue;
            };
            if !text.is_empty() {
                text.push('.');
            }
            let lowercase = self.quoting.lowercase;
            if !quoted {
                if lowercase {
                    text.extend(part.chars().flat_map(char::to_lowercase));
                } else {
                    text.push_str(part);
                }
                continue;
            }
            text.push(quote);
            for character in part.chars() {
                if character == quote {
                    text.push(quote);
                }
                if lowercase {
                    text.extend(character.to_lowercase());
                } else {
                    text.push(character);
                }
            }
            text.push(quote);
        }
        text
    }
}

/// A relation as templates see it (`ref()`, `source()`, `this`), quoted
/// with the adapter's quote character.
#[derive(Debug)]
pub(crate) struct RelationObject {
    parts: RelationParts,
    quote: char,
}

impl RelationObject {
    pub(crate) fn new(parts: RelationParts, quote: char) -> RelationObject {
        RelationObject { parts, quote }
    }
}

impl Object for RelationObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let parts = &self.parts;
        Some(match key.as_str()? {
            "database" => Value::from(parts.database.clone()),
            "schema" => Value::from(parts.schema.clone()),
            "identifier" | "name" | "table" => Value::from(parts.identifier.clone()),
            "is_table" | "is_view" | "is_cte" => Value::from(false),
            // What dbt_utils' `_is_relation` reads: a relation is a
            // mapping whose `metadata.type` ends in `Relation`.
            "metadata" => minijinja::context! { type => "BaseRelation" },
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["database", "schema", "identifier"])
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "render" | "render_pretty" => Ok(Value::from(self.parts.quoted(self.quote))),
            "quote" => {
                let (_, kwargs): (Rest<Value>, Kwargs) = minijinja::value::from_args(args)?;
                let set = |key: &str, current: bool| {
                    kwargs
                        .get::<Option<bool>>(key)
                        .ok()
                        .flatten()
                        .unwrap_or(current)
                };
                let mut parts = self.parts.clone();
                parts.quoting = QuotePolicy {
                    database: set("database", parts.quoting.database),
                    schema: set("schema", parts.quoting.schema),
                    identifier: set("identifier", parts.quoting.identifier),
                    lowercase: parts.quoting.lowercase,
                };
                Ok(Value::from_object(RelationObject::new(parts, self.quote)))
            }
            "incorporate" | "without_identifier" => Ok(Value::from_dyn_object(self.clone())),
            "include" => {
                let (_, kwargs): (Rest<Value>, Kwargs) = minijinja::value::from_args(args)?;
                let keep = |key: &str| {
                    kwargs
                        .get::<Option<bool>>(key)
                        .ok()
                        .flatten()
                        .unwrap_or(true)
                };
                let parts = RelationParts {
                    database: self.parts.database.clone().filter(|_| keep("database")),
                    schema: self.parts.schema.clone().filter(|_| keep("schema")),
                    identifier: self.parts.identifier.clone(),
                    ephemeral_cte: false,
                    quoting: self.parts.quoting,
                };
                Ok(Value::from_object(RelationObject::new(parts, self.quote)))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("relation has no method `{method}`"),
            )),
        }
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.parts.quoted(self.quote))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_quote_the_parts_their_policy_names() {
        let parts = RelationParts {
            database: Some("dev".into()),
            schema: Some("main".into()),
            identifier: "or\"ders".into(),
            ephemeral_cte: false,
            quoting: QuotePolicy::ALL,
        };
        assert_eq!(parts.quoted('"'), "\"dev\".\"main\".\"or\"\"ders\"");
        assert_eq!(parts.quoted('`'), "`dev`.`main`.`or\"ders`");
        let snowflake = RelationParts {
            quoting: QuotePolicy {
                identifier: true,
                ..QuotePolicy::NONE
            },
            ..parts
        };
        assert_eq!(snowflake.quoted('"'), "dev.main.\"or\"\"ders\"");
        let databricks = RelationParts {
            database: Some("Dev".into()),
            quoting: QuotePolicy {
                database: false,
                lowercase: true,
                ..QuotePolicy::ALL
            },
            ..snowflake
        };
        assert_eq!(databricks.quoted('`'), "dev.`main`.`or\"ders`");
        assert_eq!(
            RelationParts::ephemeral("int_x").quoted('"'),
            "__dbt__cte__int_x"
        );
    }
}
