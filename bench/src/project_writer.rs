//! Turns a `GeneratedProject` into the files of a dbt project (project and profile YAML, sources, schema YAML per folder, macros, model SQL and, optionally, seed CSVs with raw rows), either in memory for tests or on disk.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::deterministic_random::SplitMix64;
use crate::project_generator::ENTITIES;
use crate::project_model::{
    ColumnRole, ColumnTest, GeneratedModel, GeneratedProject, RawColumnKind, SourceTable,
    TrackedColumn,
};

/// Rows in each seeded raw table: enough for joins to match and tests to mean something,
/// few enough that `dbt seed` stays quick.
pub const ROWS_PER_RAW_TABLE: usize = 12;

/// What to write besides the models.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Also write `seeds/` with one CSV per raw table, so `dbt seed && dbt run` works.
    pub with_data: bool,
}

const DBT_PROJECT_YML: &str = r#"name: bench
version: "1.0.0"
config-version: 2
profile: bench

model-paths: ["models"]
macro-paths: ["macros"]
seed-paths: ["seeds"]
test-paths: ["tests"]
target-path: "target"
clean-targets: ["target", "dbt_packages"]

vars:
  # Staging keeps rows updated on or after this date; all generated data is later.
  min_event_date: "2000-01-01"
  source_system: bench
  high_value_cents: 10000
  high_value_threshold: 100

models:
  bench:
    +tags: ["bench"]
    staging:
      +materialized: view
      +tags: ["staging"]
    intermediate:
      +materialized: view
      +tags: ["intermediate"]
    marts:
      +materialized: table
      +tags: ["marts"]
"#;

const PROFILES_YML: &str = r#"bench:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: bench.duckdb
      schema: main
      threads: 2
"#;

const CENTS_TO_DOLLARS_MACRO: &str = r#"{% macro cents_to_dollars(column_name, scale=2) -%}
    cast(({{ column_name }} / 100) as decimal(18, {{ scale }}))
{%- endmacro %}
"#;

const GENERATE_SURROGATE_KEY_MACRO: &str = r#"{#- Like dbt_utils.generate_surrogate_key: md5 of the columns as text, nulls made visible. -#}
{% macro generate_surrogate_key(field_list) -%}
    md5(
    {%- for field in field_list %}
        coalesce(cast({{ field }} as {{ dbt.type_string() }}), '_null_')
        {%- if not loop.last %} || '-' || {% endif %}
    {%- endfor %}
    )
{%- endmacro %}
"#;

const SAFE_DIVIDE_MACRO: &str = r#"{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast(({{ numerator }}) as double) / cast(({{ denominator }}) as double)
    end
{%- endmacro %}
"#;

const COUNT_BY_VALUE_MACRO: &str = r#"{#- One count column per value, like dbt_utils.pivot with a fixed value list. -#}
{% macro count_by_value(column_expression, values, column_prefix) -%}
    {%- for value in values %}
    cast(sum(case when {{ column_expression }} = '{{ value }}' then 1 else 0 end) as bigint) as {{ column_prefix }}_{{ value }}_count
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
"#;

/// Calls `visit(relative_path, contents)` for every file of the project, in a fixed order.
pub fn for_each_project_file(
    project: &GeneratedProject,
    options: WriteOptions,
    mut visit: impl FnMut(&str, &str) -> io::Result<()>,
) -> io::Result<()> {
    visit("dbt_project.yml", DBT_PROJECT_YML)?;
    visit("profiles.yml", PROFILES_YML)?;
    visit("macros/cents_to_dollars.sql", CENTS_TO_DOLLARS_MACRO)?;
    visit(
        "macros/generate_surrogate_key.sql",
        GENERATE_SURROGATE_KEY_MACRO,
    )?;
    visit("macros/safe_divide.sql", SAFE_DIVIDE_MACRO)?;
    visit("macros/count_by_value.sql", COUNT_BY_VALUE_MACRO)?;
    visit("models/sources.yml", &render_sources_yaml(&project.sources))?;
    let mut path = String::new();
    let mut folder_start = 0;
    for (index, model) in project.models.iter().enumerate() {
        path.clear();
        let _ = write!(path, "{}/{}.sql", model.folder, model.name);
        visit(&path, &model.sql)?;
        let is_last_of_folder = project
            .models
            .get(index + 1)
            .is_none_or(|next| next.folder != model.folder);
        if is_last_of_folder {
            let folder_models = &project.models[folder_start..=index];
            let folder_name = model.folder.rsplit('/').next().unwrap_or("models");
            path.clear();
            let _ = write!(
                path,
                "{}/_{}__{}.yml",
                model.folder,
                model.layer.folder_name(),
                folder_name
            );
            visit(&path, &render_schema_yaml(project, folder_models))?;
            folder_start = index + 1;
        }
    }
    if options.with_data {
        visit("seeds/_seeds.yml", &render_seeds_yaml(&project.sources))?;
        for (table_index, table) in project.sources.iter().enumerate() {
            path.clear();
            let _ = write!(path, "seeds/{}.csv", table.table_name);
            visit(&path, &render_seed_csv(project.seed, table_index, table))?;
        }
    }
    Ok(())
}

/// All files in memory, by relative path; for tests and small projects.
pub fn render_project_files(
    project: &GeneratedProject,
    options: WriteOptions,
) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let result = for_each_project_file(project, options, |path, contents| {
        files.insert(path.to_string(), contents.to_string());
        Ok(())
    });
    // The visitor above cannot fail; the io::Result is for writing to disk.
    debug_assert!(result.is_ok());
    files
}

/// What was written, for the command's summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub file_count: usize,
    pub byte_count: u64,
}

/// Writes the project under `output_directory`, creating folders as needed.
pub fn write_project_to_directory(
    project: &GeneratedProject,
    options: WriteOptions,
    output_directory: &Path,
) -> io::Result<WriteSummary> {
    let mut summary = WriteSummary::default();
    let mut last_created_folder: Option<PathBuf> = None;
    for_each_project_file(project, options, |relative_path, contents| {
        let full_path = output_directory.join(relative_path);
        if let Some(parent) = full_path.parent() {
            // Files of a folder are visited together, so one create_dir_all per folder.
            if last_created_folder.as_deref() != Some(parent) {
                fs::create_dir_all(parent)?;
                last_created_folder = Some(parent.to_path_buf());
            }
        }
        fs::write(&full_path, contents)?;
        summary.file_count += 1;
        summary.byte_count += contents.len() as u64;
        Ok(())
    })?;
    Ok(summary)
}

fn describe_model_column(column: &TrackedColumn) -> String {
    let name = &column.name;
    match column.role {
        ColumnRole::GrainKey => format!("Identifier of the row, unique in this model (`{name}`)."),
        ColumnRole::ForeignKey => {
            let entity = name.strip_suffix("_id").unwrap_or(name);
            format!("Key of the related {entity}.")
        }
        ColumnRole::Measure => format!("Numeric measure `{name}`."),
        ColumnRole::Temporal => format!("Point in time `{name}`."),
        ColumnRole::Category(values) => {
            format!("Category `{name}`, one of: {}.", values.join(", "))
        }
        ColumnRole::Text => format!("Text attribute `{name}`."),
        ColumnRole::Flag => format!("Boolean flag `{name}`."),
    }
}

fn describe_raw_column(name: &str, kind: RawColumnKind) -> String {
    match kind {
        RawColumnKind::PrimaryId => "Primary key of the raw table.".to_string(),
        RawColumnKind::ForeignId(entity) => {
            format!("Key of the related {}.", ENTITIES[entity].singular)
        }
        RawColumnKind::Cents => format!("Amount in cents (`{name}`)."),
        RawColumnKind::Status(_) => {
            format!("Status-like code `{name}`, lower case, may be missing.")
        }
        _ => format!("Raw column `{name}`."),
    }
}

fn render_sources_yaml(sources: &[SourceTable]) -> String {
    let mut yaml = String::with_capacity(sources.len() * 1024 + 64);
    yaml.push_str("version: 2\n\nsources:\n");
    for system in crate::project_generator::SOURCE_SYSTEMS {
        let mut tables = sources
            .iter()
            .filter(|table| table.source_name == *system)
            .peekable();
        if tables.peek().is_none() {
            continue;
        }
        let _ = write!(
            yaml,
            "  - name: {system}\n    description: \"Raw tables of the {system} system, loaded as they arrive.\"\n    schema: main\n    tables:\n"
        );
        for table in tables {
            let _ = write!(
                yaml,
                "      - name: {}\n        description: \"Raw {} from the {system} system.\"\n        columns:\n",
                table.table_name, ENTITIES[table.entity].plural
            );
            for column in &table.columns {
                let _ = write!(
                    yaml,
                    "          - name: {}\n            data_type: {}\n            description: \"{}\"\n",
                    column.name,
                    column.sql_type.sql_name(),
                    describe_raw_column(&column.name, column.kind)
                );
            }
        }
    }
    yaml
}

fn render_schema_yaml(project: &GeneratedProject, folder_models: &[GeneratedModel]) -> String {
    let mut yaml = String::with_capacity(folder_models.len() * 2048 + 32);
    yaml.push_str("version: 2\n\nmodels:\n");
    for model in folder_models {
        let _ = write!(
            yaml,
            "  - name: {}\n    description: \"{}\"\n    columns:\n",
            model.name, model.description
        );
        for column in &model.columns {
            let _ = write!(
                yaml,
                "      - name: {}\n        description: \"{}\"\n        data_type: {}\n",
                column.name,
                describe_model_column(column),
                column.sql_type.sql_name()
            );
            let mut tests = model
                .column_tests
                .iter()
                .filter(|(name, _)| *name == column.name)
                .peekable();
            if tests.peek().is_none() {
                continue;
            }
            yaml.push_str("        data_tests:\n");
            for (_, test) in tests {
                match test {
                    ColumnTest::NotNull => yaml.push_str("          - not_null\n"),
                    ColumnTest::Unique => yaml.push_str("          - unique\n"),
                    ColumnTest::AcceptedValues(values) => {
                        let quoted: Vec<String> =
                            values.iter().map(|value| format!("'{value}'")).collect();
                        let _ = write!(
                            yaml,
                            "          - accepted_values:\n              values: [{}]\n",
                            quoted.join(", ")
                        );
                    }
                    ColumnTest::Relationships { to_model } => {
                        let _ = write!(
                            yaml,
                            "          - relationships:\n              to: ref('{}')\n              field: {}\n",
                            project.models[*to_model].name, column.name
                        );
                    }
                }
            }
        }
    }
    yaml
}

fn render_seeds_yaml(sources: &[SourceTable]) -> String {
    let mut yaml = String::with_capacity(sources.len() * 512 + 32);
    yaml.push_str("version: 2\n\nseeds:\n");
    for table in sources {
        let _ = write!(
            yaml,
            "  - name: {}\n    config:\n      column_types:\n",
            table.table_name
        );
        for column in &table.columns {
            let _ = writeln!(
                yaml,
                "        {}: {}",
                column.name,
                column.sql_type.sql_name()
            );
        }
    }
    yaml
}

const CITY_VALUES: &[&str] = &["Lisbon", "Oslo", "Lima", "Osaka", "Nairobi", "Quebec"];
const COUNTRY_CODE_VALUES: &[&str] = &["pt", "no", "pe", "jp", "ke", "ca"];

/// Rows for one raw table from its own random stream, so data never changes the models.
/// Keys and timestamps are never empty (tests rely on it); other columns sometimes are,
/// which the staging `coalesce` calls exist for. Empty CSV fields load as NULL.
fn render_seed_csv(seed: u64, table_index: usize, table: &SourceTable) -> String {
    let mut random = SplitMix64::for_stream(seed, table_index as u64 + 1);
    let mut csv = String::with_capacity(ROWS_PER_RAW_TABLE * 128);
    let header: Vec<&str> = table
        .columns
        .iter()
        .map(|column| column.name.as_str())
        .collect();
    csv.push_str(&header.join(","));
    csv.push('\n');
    for row in 0..ROWS_PER_RAW_TABLE {
        for (column_position, column) in table.columns.iter().enumerate() {
            if column_position > 0 {
                csv.push(',');
            }
            let missing = random.percent_chance(10);
            match column.kind {
                RawColumnKind::PrimaryId => {
                    let _ = write!(csv, "{}", row + 1);
                }
                RawColumnKind::ForeignId(_) => {
                    let _ = write!(csv, "{}", 1 + random.below(ROWS_PER_RAW_TABLE));
                }
                RawColumnKind::Date => csv.push_str(&date_text(random.below(1826) as i64)),
                RawColumnKind::Timestamp => {
                    let day = date_text(random.below(1826) as i64);
                    let seconds = random.below(86_400);
                    let _ = write!(
                        csv,
                        "{day} {:02}:{:02}:{:02}",
                        seconds / 3600,
                        seconds / 60 % 60,
                        seconds % 60
                    );
                }
                _ if missing => {}
                RawColumnKind::Cents => {
                    let _ = write!(csv, "{}", random.below(50_000));
                }
                RawColumnKind::Count => {
                    let _ = write!(csv, "{}", random.below(100));
                }
                RawColumnKind::DoubleMeasure => {
                    let _ = write!(csv, "{}.{:03}", random.below(1000), random.below(1000));
                }
                RawColumnKind::DecimalMeasure => {
                    let _ = write!(csv, "{}.{:02}", random.below(10_000), random.below(100));
                }
                RawColumnKind::Status(values) => {
                    // The last value, 'unknown', is what staging fills in for missing ones.
                    csv.push_str(random.pick::<&str>(&values[..values.len() - 1]));
                }
                RawColumnKind::Text => match column.name.as_str() {
                    "email" => {
                        let _ = write!(csv, "user{}@example.com", random.below(1000));
                    }
                    "city" => csv.push_str(random.pick::<&str>(CITY_VALUES)),
                    "country_code" => csv.push_str(random.pick::<&str>(COUNTRY_CODE_VALUES)),
                    _ => {
                        let _ = write!(csv, "{} {}", column.name, random.below(1000));
                    }
                },
                RawColumnKind::Flag => csv.push_str(if random.percent_chance(50) {
                    "true"
                } else {
                    "false"
                }),
            }
        }
        csv.push('\n');
    }
    csv
}

/// `YYYY-MM-DD` for a day counted from 2020-01-01 (Howard Hinnant's civil_from_days).
fn date_text(days_after_2020_01_01: i64) -> String {
    let days_since_epoch = 18_262 + days_after_2020_01_01;
    let shifted = days_since_epoch + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::date_text;

    #[test]
    fn date_text_counts_days_from_2020_across_a_leap_year() {
        assert_eq!(date_text(0), "2020-01-01");
        assert_eq!(date_text(59), "2020-02-29");
        assert_eq!(date_text(366), "2021-01-01");
        assert_eq!(date_text(1825), "2024-12-30");
    }
}
