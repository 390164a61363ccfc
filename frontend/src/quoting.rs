//! Relation quoting as dbt's adapters do it: which parts of a relation's name are quoted when rendered (dbt's quote policy), the `quoting:` configs that change it, and when two spellings name the same warehouse relation.
//!
//! dbt renders `ref()`, `this` and `relation_name` with the adapter's default
//! policy overridden by the project's `quoting:` (dbt_project.yml), and
//! `source()` with the adapter's default overridden by the source's and the
//! table's `quoting:` only (dbt documents that sources ignore the project's).
//! A node's own `quoting` config changes nothing dbt renders.

use serde_json::Value;
use std::borrow::Cow;

/// How a relation's name is rendered: which parts are quoted (`true`
/// renders `"analytics"`, `false` renders `analytics` as written), and
/// whether the adapter lower-cases the whole rendered name
/// (dbt-databricks' relations render `analytics.dev.orders` for
/// `Analytics.Dev.Orders`, quoted or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuotePolicy {
    pub database: bool,
    pub schema: bool,
    pub identifier: bool,
    pub lowercase: bool,
}

impl QuotePolicy {
    /// Every part quoted: dbt-adapters' default (Postgres, DuckDB, BigQuery).
    pub const ALL: QuotePolicy = QuotePolicy {
        database: true,
        schema: true,
        identifier: true,
        lowercase: false,
    };

    /// No part quoted: dbt-snowflake's default.
    pub const NONE: QuotePolicy = QuotePolicy {
        database: false,
        schema: false,
        identifier: false,
        lowercase: false,
    };

    /// This policy with the parts `config` sets replaced.
    pub fn overridden(self, config: &QuotingConfig) -> QuotePolicy {
        QuotePolicy {
            database: config.database.unwrap_or(self.database),
            schema: config.schema.unwrap_or(self.schema),
            identifier: config.identifier.unwrap_or(self.identifier),
            lowercase: self.lowercase,
        }
    }
}

/// A `quoting:` mapping as written (dbt_project.yml, a source, a source
/// table): the parts it sets. Example: `quoting: {identifier: true}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct QuotingConfig {
    pub database: Option<bool>,
    pub schema: Option<bool>,
    pub identifier: Option<bool>,
    /// Read by column-level macros, never by relation names.
    pub column: Option<bool>,
}

impl QuotingConfig {
    /// Reads a `quoting:` mapping. dbt keeps only boolean values; profile
    /// key aliases (`project` for `database` on BigQuery) name the same
    /// parts. Anything else is ignored, as dbt ignores it.
    pub fn from_yaml(value: &Value, aliases: &[(&str, &str)]) -> QuotingConfig {
        let mut config = QuotingConfig::default();
        let Some(mapping) = value.as_object() else {
            return config;
        };
        for (key, value) in mapping {
            let Some(value) = value.as_bool() else {
                continue;
            };
            let key = aliases
                .iter()
                .find(|(alias, _)| alias == key)
                .map_or(key.as_str(), |(_, canonical)| canonical);
            match key {
                "database" => config.database = Some(value),
                "schema" => config.schema = Some(value),
                "identifier" => config.identifier = Some(value),
                "column" => config.column = Some(value),
                _ => {}
            }
        }
        config
    }

    /// The first value of a `quoting:` mapping that is neither a boolean
    /// nor null, which dbt refuses (its schema allows only those), or the
    /// mapping itself when it is not one.
    pub fn invalid_value(value: &Value) -> Option<&Value> {
        match value {
            Value::Null => None,
            Value::Object(mapping) => mapping
                .values()
                .find(|value| !matches!(value, Value::Bool(_) | Value::Null)),
            other => Some(other),
        }
    }

    /// This config with `over`'s parts laid on top (a source table's
    /// `quoting:` over its source's).
    pub fn merged(self, over: &QuotingConfig) -> QuotingConfig {
        QuotingConfig {
            database: over.database.or(self.database),
            schema: over.schema.or(self.schema),
            identifier: over.identifier.or(self.identifier),
            column: over.column.or(self.column),
        }
    }
}

/// How a warehouse stores the parts of a relation's name, which decides
/// when two spellings are one relation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentifierCase {
    /// Unquoted names fold to upper case, quoted ones keep their case
    /// (Snowflake: `orgm` and `ORGM` are one schema, `"orgm"` another).
    UpperUnlessQuoted,
    /// Unquoted names fold to lower case, quoted ones keep their case
    /// (Postgres: `Orgm` and `orgm` are one schema, `"Orgm"` another).
    LowerUnlessQuoted,
    /// Names match whatever their case, quoted or not (DuckDB, Redshift by
    /// default, Databricks' Unity Catalog).
    Insensitive,
    /// Names match only in the same case, quoted or not (BigQuery datasets
    /// and tables).
    Sensitive,
}

impl IdentifierCase {
    /// What the warehouse does to names, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            IdentifierCase::UpperUnlessQuoted => "folds unquoted names to upper case",
            IdentifierCase::LowerUnlessQuoted => "folds unquoted names to lower case",
            IdentifierCase::Insensitive => "matches names whatever their case",
            IdentifierCase::Sensitive => "matches names only in the same case",
        }
    }

    /// The name the warehouse stores for a part written `text`, quoted or
    /// not: two parts are one when their stored names are equal. Borrows
    /// when the text is already in that form.
    pub fn stored<'a>(self, text: &'a str, quoted: bool) -> Cow<'a, str> {
        let fold_upper = match self {
            IdentifierCase::UpperUnlessQuoted if !quoted => true,
            IdentifierCase::LowerUnlessQuoted if !quoted => false,
            IdentifierCase::Insensitive => false,
            _ => return Cow::Borrowed(text),
        };
        let needs_change = if fold_upper {
            text.bytes().any(|byte| byte.is_ascii_lowercase())
        } else {
            text.bytes().any(|byte| byte.is_ascii_uppercase())
        };
        match (needs_change, fold_upper) {
            (false, _) => Cow::Borrowed(text),
            (true, true) => Cow::Owned(text.to_ascii_uppercase()),
            (true, false) => Cow::Owned(text.to_ascii_lowercase()),
        }
    }
}

/// A relation's name as the warehouse stores it: two relations with equal
/// identities are one table or view, however differently they are spelled
/// (Snowflake's `analytics.dev.orgm` and `ANALYTICS.DEV.ORGM`). The parts
/// are joined with a character no name holds.
pub fn relation_identity(
    case: IdentifierCase,
    policy: QuotePolicy,
    database: Option<&str>,
    schema: Option<&str>,
    identifier: &str,
) -> String {
    let mut identity = String::with_capacity(
        database.map_or(0, str::len) + schema.map_or(0, str::len) + identifier.len() + 2,
    );
    for (part, quoted) in [
        (database, policy.database),
        (schema, policy.schema),
        (Some(identifier), policy.identifier),
    ] {
        identity.push_str(&case.stored(part.unwrap_or_default(), quoted));
        identity.push('\u{1f}');
    }
    identity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_take_the_parts_a_config_sets() {
        let config = QuotingConfig::from_yaml(
            &serde_json::json!({"project": false, "identifier": true, "schema": "yes"}),
            &[("project", "database")],
        );
        assert_eq!(config.database, Some(false));
        assert_eq!(config.schema, None);
        let policy = QuotePolicy::ALL.overridden(&config);
        assert_eq!(
            policy,
            QuotePolicy {
                database: false,
                schema: true,
                identifier: true,
                lowercase: false
            }
        );
        let table = QuotingConfig {
            identifier: Some(false),
            ..QuotingConfig::default()
        };
        assert_eq!(config.merged(&table).identifier, Some(false));
        assert_eq!(
            QuotingConfig::invalid_value(&serde_json::json!({"schema": "no", "database": true})),
            Some(&serde_json::json!("no"))
        );
        assert_eq!(
            QuotingConfig::invalid_value(&serde_json::json!({"schema": null})),
            None
        );
    }

    #[test]
    fn warehouses_store_names_in_their_case() {
        let snowflake = IdentifierCase::UpperUnlessQuoted;
        assert_eq!(snowflake.stored("orgm", false), "ORGM");
        assert_eq!(snowflake.stored("orgm", true), "orgm");
        assert_eq!(
            IdentifierCase::LowerUnlessQuoted.stored("Orgm", false),
            "orgm"
        );
        assert_eq!(IdentifierCase::Insensitive.stored("Orgm", true), "orgm");
        assert_eq!(IdentifierCase::Sensitive.stored("Orgm", false), "Orgm");
        let identity = |schema: &str, policy: QuotePolicy| {
            relation_identity(snowflake, policy, Some("db"), Some(schema), "t")
        };
        assert_eq!(
            identity("orgm", QuotePolicy::NONE),
            identity("ORGM", QuotePolicy::NONE)
        );
        assert_ne!(
            identity("orgm", QuotePolicy::ALL),
            identity("ORGM", QuotePolicy::ALL)
        );
    }
}
