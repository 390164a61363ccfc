//! The `unit_tests` map of `manifest.json`: one entry per unit test, in
//! dbt's `UnitTestDefinition` layout (its given and expected rows as
//! written, CSV values as strings, a query as its text).

use fusion_frontend::unit_tests::{Fixture, FixtureRows, UnitTest};
use fusion_frontend::Project;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

/// Every unit test of the project, by unique id.
pub(crate) struct UnitTestsMap<'a> {
    pub project: &'a Project,
}

impl Serialize for UnitTestsMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.project.unit_tests.len()))?;
        for unit_test in &self.project.unit_tests {
            map.serialize_entry(
                &self.project.details(unit_test.node).unique_id,
                &entry(self.project, unit_test),
            )?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct FixtureEntry<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a str>,
    rows: Value,
    format: &'static str,
    fixture: Option<&'a str>,
}

fn fixture_entry<'a>(input: Option<&'a str>, fixture: &'a Fixture) -> FixtureEntry<'a> {
    FixtureEntry {
        input,
        rows: match &fixture.rows {
            FixtureRows::Rows(rows) => {
                Value::Array(rows.iter().map(|row| Value::Object(row.clone())).collect())
            }
            FixtureRows::Sql(sql) => Value::String(sql.clone()),
        },
        format: fixture.format.name(),
        fixture: fixture.fixture.as_deref(),
    }
}

#[derive(Serialize)]
struct DependsOn<'a> {
    macros: [&'a str; 0],
    nodes: [&'a str; 1],
}

#[derive(Serialize)]
struct UnitTestEntry<'a> {
    model: &'a str,
    given: Vec<FixtureEntry<'a>>,
    expect: FixtureEntry<'a>,
    name: &'a str,
    resource_type: &'static str,
    package_name: &'a str,
    path: &'a str,
    original_file_path: &'a str,
    unique_id: &'a str,
    fqn: &'a [String],
    description: &'a str,
    overrides: Option<Value>,
    depends_on: DependsOn<'a>,
    config: Value,
    checksum: &'a str,
    schema: Option<&'a str>,
    created_at: f64,
    versions: Option<&'a Value>,
    version: Option<&'a str>,
}

fn entry<'a>(project: &'a Project, unit_test: &'a UnitTest) -> UnitTestEntry<'a> {
    let details = project.details(unit_test.node);
    let model = project.details(unit_test.model);
    let overrides = &unit_test.overrides;
    let has_overrides = !(overrides.macros.is_empty()
        && overrides.vars.is_empty()
        && overrides.env_vars.is_empty());
    let mut config = Map::new();
    for key in ["tags", "meta", "enabled"] {
        if let Some(value) = details.config.values.get(key) {
            config.insert(key.to_string(), value.clone());
        }
    }
    UnitTestEntry {
        model: &model.name,
        given: unit_test
            .given_as_written
            .iter()
            .map(|(input, fixture)| fixture_entry(Some(input), fixture))
            .collect(),
        expect: fixture_entry(None, &unit_test.expect),
        name: &details.name,
        resource_type: "unit_test",
        package_name: &details.package_name,
        // The YAML file from its resource folder, as dbt's `path`.
        path: details
            .original_file_path
            .split_once('/')
            .map_or(details.original_file_path.as_str(), |(_, rest)| rest),
        original_file_path: &details.original_file_path,
        unique_id: &details.unique_id,
        fqn: &details.fqn,
        description: &details.description,
        overrides: has_overrides.then(|| {
            serde_json::json!({
                "macros": overrides.macros,
                "vars": overrides.vars,
                "env_vars": overrides.env_vars,
            })
        }),
        depends_on: DependsOn {
            macros: [],
            nodes: [&model.unique_id],
        },
        config: Value::Object(config),
        checksum: &details.checksum,
        schema: model.schema.as_deref(),
        created_at: 0.0,
        versions: unit_test.versions.as_ref(),
        version: None,
    }
}
