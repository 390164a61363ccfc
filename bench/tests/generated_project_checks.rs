//! Checks on generated projects that do not need DuckDB or dbt: determinism, the shape of the DAG, and a structural reading of every model's SQL text (refs exist and come earlier, every column a CTE selects from a ref or source exists there, every `cte.column` names a column of that CTE, the final columns are the tracked ones).

use std::collections::{BTreeMap, BTreeSet};

use fusion_bench::project_generator::{generate_project, layer_sizes, GeneratorConfig};
use fusion_bench::project_model::{ColumnTest, GeneratedModel, GeneratedProject, ModelLayer};
use fusion_bench::project_writer::{render_project_files, WriteOptions};

fn generate(model_count: usize, seed: u64) -> GeneratedProject {
    match generate_project(GeneratorConfig { model_count, seed }) {
        Ok(project) => project,
        Err(message) => panic!("generation of {model_count} models failed: {message}"),
    }
}

fn files(project: &GeneratedProject) -> BTreeMap<String, String> {
    render_project_files(project, WriteOptions { with_data: true })
}

#[test]
fn the_same_seed_gives_the_same_files_and_another_seed_does_not() {
    let first = files(&generate(600, 42));
    let second = files(&generate(600, 42));
    assert_eq!(first, second);
    let other_seed = files(&generate(600, 43));
    assert_ne!(first, other_seed);
    // Not just a renamed file here and there: most model files differ.
    let differing_models = first
        .iter()
        .filter(|(path, _)| path.ends_with(".sql") && path.starts_with("models/"))
        .filter(|(path, contents)| other_seed.get(*path) != Some(*contents))
        .count();
    assert!(
        differing_models > 300,
        "only {differing_models} model files differ between seeds"
    );
}

#[test]
fn too_small_a_project_is_refused() {
    assert!(generate_project(GeneratorConfig {
        model_count: 2,
        seed: 1
    })
    .is_err());
    assert_eq!(generate(3, 1).models.len(), 3);
}

#[test]
fn layers_have_the_planned_sizes_and_the_project_the_requested_model_count() {
    for model_count in [3, 10, 1000, 2345] {
        let project = generate(model_count, 5);
        let sizes = layer_sizes(model_count);
        assert_eq!(project.models.len(), model_count);
        assert_eq!(
            project.count_models_in_layer(ModelLayer::Staging),
            sizes.staging
        );
        assert_eq!(
            project.count_models_in_layer(ModelLayer::Intermediate),
            sizes.intermediate
        );
        assert_eq!(
            project.count_models_in_layer(ModelLayer::Marts),
            sizes.marts
        );
        assert_eq!(project.sources.len(), sizes.staging);
    }
    let sizes = layer_sizes(1000);
    assert_eq!(
        (sizes.staging, sizes.intermediate, sizes.marts),
        (300, 450, 250)
    );
}

#[test]
fn model_names_are_unique_and_refs_point_to_earlier_models_of_allowed_layers() {
    let project = generate(1000, 9);
    let mut names = BTreeSet::new();
    for (index, model) in project.models.iter().enumerate() {
        assert!(
            names.insert(model.name.clone()),
            "duplicate model name {}",
            model.name
        );
        match model.layer {
            ModelLayer::Staging => {
                assert!(
                    model.referenced_models.is_empty(),
                    "{} refs a model",
                    model.name
                );
                assert!(
                    model.source_table.is_some(),
                    "{} reads no source",
                    model.name
                );
            }
            ModelLayer::Intermediate | ModelLayer::Marts => {
                assert!(
                    (1..=3).contains(&model.referenced_models.len()),
                    "{} has {} refs",
                    model.name,
                    model.referenced_models.len()
                );
                assert!(model.source_table.is_none());
            }
        }
        for &referenced in &model.referenced_models {
            // Every ref names an earlier model, which also rules out cycles.
            assert!(referenced < index, "{} refs a later model", model.name);
            let referenced_layer = project.models[referenced].layer;
            let allowed = match model.layer {
                ModelLayer::Staging => false,
                ModelLayer::Intermediate => referenced_layer != ModelLayer::Marts,
                ModelLayer::Marts => referenced_layer == ModelLayer::Intermediate,
            };
            assert!(
                allowed,
                "{} ({:?}) refs {} ({referenced_layer:?})",
                model.name, model.layer, project.models[referenced].name
            );
        }
        let recomputed_depth = model
            .referenced_models
            .iter()
            .map(|&referenced| project.models[referenced].depth)
            .max()
            .unwrap_or(0)
            + 1;
        assert_eq!(model.depth, recomputed_depth, "{}", model.name);
    }
}

#[test]
fn chains_have_realistic_depth() {
    for seed in [1, 2, 3] {
        let depth = generate(1000, seed).maximum_depth();
        assert!(
            (10..=20).contains(&depth),
            "seed {seed}: longest chain {depth}"
        );
    }
    let depth = generate(20_000, 1).maximum_depth();
    assert!(
        (10..=20).contains(&depth),
        "20,000 models: longest chain {depth}"
    );
}

/// One CTE read back from a model's SQL text.
struct ParsedCommonTableExpression {
    name: String,
    items: Vec<String>,
    from_lines: Vec<String>,
    source_reference: Option<(String, String)>,
}

fn parse_common_table_expressions(sql: &str) -> Vec<ParsedCommonTableExpression> {
    let mut expressions = Vec::new();
    let mut lines = sql.lines();
    while let Some(line) = lines.next() {
        let Some(header) = line.strip_suffix(" as (") else {
            continue;
        };
        if line.starts_with(' ') {
            continue;
        }
        let name = header.trim_start_matches("with ").to_string();
        let mut expression = ParsedCommonTableExpression {
            name,
            items: Vec::new(),
            from_lines: Vec::new(),
            source_reference: None,
        };
        let mut in_items = false;
        for body_line in lines.by_ref() {
            if body_line == ")" || body_line == ")," {
                break;
            }
            if let Some(rest) = body_line.trim().strip_prefix("select * from {{ source('") {
                let arguments: Vec<&str> = rest.trim_end_matches("') }}").split("', '").collect();
                expression.source_reference =
                    Some((arguments[0].to_string(), arguments[1].to_string()));
            } else if body_line == "    select" {
                in_items = true;
            } else if body_line.starts_with("    from ") {
                in_items = false;
                expression.from_lines.push(body_line.trim().to_string());
            } else if in_items && body_line.starts_with("        ") {
                expression
                    .items
                    .push(body_line.trim().trim_end_matches(',').to_string());
            } else if !body_line.trim().is_empty() {
                expression.from_lines.push(body_line.trim().to_string());
            }
        }
        expressions.push(expression);
    }
    expressions
}

/// The output column names of one select item, as DuckDB would name them.
fn output_names_of_item(item: &str) -> Vec<String> {
    if let Some(arguments) = item.strip_prefix("{{ count_by_value(") {
        let values_start = arguments.find('[').unwrap_or(0);
        let values_end = arguments.find(']').unwrap_or(0);
        let prefix = arguments[values_end..]
            .split('\'')
            .nth(1)
            .unwrap_or_default();
        return arguments[values_start + 1..values_end]
            .split(", ")
            .map(|value| format!("{prefix}_{}_count", value.trim_matches('\'')))
            .collect();
    }
    let name = match item.rfind(" as ") {
        Some(position) => &item[position + 4..],
        None => item.rsplit('.').next().unwrap_or(item),
    };
    vec![name.to_string()]
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_')
        && !text.starts_with(|character: char| character.is_ascii_digit())
}

fn referenced_names_in(sql: &str, function: &str) -> Vec<String> {
    let opening = format!("{{{{ {function}('");
    sql.match_indices(&opening)
        .map(|(position, _)| {
            let rest = &sql[position + opening.len()..];
            rest[..rest.find('\'').unwrap_or(0)].to_string()
        })
        .collect()
}

fn check_model_sql(
    project: &GeneratedProject,
    model: &GeneratedModel,
    index_by_name: &BTreeMap<&str, usize>,
) {
    let name = &model.name;
    let referenced: BTreeSet<String> = referenced_names_in(&model.sql, "ref").into_iter().collect();
    let expected: BTreeSet<String> = model
        .referenced_models
        .iter()
        .map(|&index| project.models[index].name.clone())
        .collect();
    assert_eq!(
        referenced, expected,
        "{name}: refs in the SQL differ from the tracked refs"
    );

    let expressions = parse_common_table_expressions(&model.sql);
    assert!(!expressions.is_empty(), "{name}: no CTE found");
    let mut columns_by_expression: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for expression in &expressions {
        let columns: Vec<String> =
            if let Some((source_name, table_name)) = &expression.source_reference {
                let table = project.sources.iter().find(|table| {
                    table.source_name == source_name && &table.table_name == table_name
                });
                let table = table
                    .unwrap_or_else(|| panic!("{name}: unknown source {source_name}.{table_name}"));
                table
                    .columns
                    .iter()
                    .map(|column| column.name.clone())
                    .collect()
            } else {
                expression
                    .items
                    .iter()
                    .flat_map(|item| output_names_of_item(item))
                    .collect()
            };
        for column in &columns {
            assert!(
                is_identifier(column),
                "{name}: CTE {} has an unnamed item {column:?}",
                expression.name
            );
        }
        let unique: BTreeSet<&String> = columns.iter().collect();
        assert_eq!(
            unique.len(),
            columns.len(),
            "{name}: CTE {} has duplicate column names",
            expression.name
        );
        let referenced_model = expression
            .from_lines
            .iter()
            .find_map(|line| line.strip_prefix("from {{ ref('"))
            .map(|rest| rest.trim_end_matches("') }}"));
        if let Some(referenced_model) = referenced_model {
            let index = index_by_name[referenced_model];
            let available: BTreeSet<&str> = project.models[index]
                .columns
                .iter()
                .map(|column| column.name.as_str())
                .collect();
            for item in &expression.items {
                assert!(
                    available.contains(item.as_str()),
                    "{name}: selects {item} from {referenced_model}, which has no such column"
                );
            }
        }
        columns_by_expression.insert(expression.name.clone(), columns);
    }

    // Every `cte.column` anywhere in the model (select items, joins, windows, macro arguments)
    // must name a column of that CTE.
    for token in model.sql.split(|character: char| {
        !(character.is_ascii_alphanumeric() || character == '_' || character == '.')
    }) {
        let mut parts = token.split('.');
        let (Some(qualifier), Some(column), None) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if let Some(columns) = columns_by_expression.get(qualifier) {
            assert!(
                columns.iter().any(|existing| existing == column),
                "{name}: {qualifier}.{column} is not a column of {qualifier}"
            );
        }
    }

    let last = expressions
        .last()
        .map(|expression| expression.name.clone())
        .unwrap_or_default();
    assert!(
        model.sql.ends_with(&format!("select * from {last}\n")),
        "{name}: does not end by selecting its last CTE"
    );
    let tracked: Vec<String> = model
        .columns
        .iter()
        .map(|column| column.name.clone())
        .collect();
    assert_eq!(
        columns_by_expression[&last], tracked,
        "{name}: output columns differ from the tracked ones"
    );

    if model.materialization == "incremental" {
        assert!(
            model.sql.contains("{% if is_incremental() %}") && model.sql.contains("{{ this }}"),
            "{name}"
        );
        let filter_line = model
            .sql
            .lines()
            .find(|line| line.contains("{{ this }}"))
            .unwrap_or_default();
        let filtered_column = filter_line
            .trim()
            .trim_start_matches("where ")
            .split(' ')
            .next()
            .unwrap_or_default();
        assert!(
            tracked.iter().any(|column| column == filtered_column),
            "{name}: filters on {filtered_column}, not an output column"
        );
        let unique_key = model
            .sql
            .split("unique_key='")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_default();
        assert!(
            tracked.iter().any(|column| column == unique_key),
            "{name}: unique_key {unique_key} is not an output column"
        );
    }
}

#[test]
fn every_column_a_model_selects_or_qualifies_exists_where_it_is_read() {
    for (model_count, seed) in [(1000, 1), (1000, 2), (3000, 77)] {
        let project = generate(model_count, seed);
        let index_by_name: BTreeMap<&str, usize> = project
            .models
            .iter()
            .enumerate()
            .map(|(index, model)| (model.name.as_str(), index))
            .collect();
        for model in &project.models {
            check_model_sql(&project, model, &index_by_name);
        }
    }
}

#[test]
fn the_project_uses_the_jinja_features_real_projects_use() {
    let project = generate(1000, 4);
    let count = |needle: &str| {
        project
            .models
            .iter()
            .filter(|model| model.sql.contains(needle))
            .count()
    };
    for needle in [
        "{{ config(",
        "{{ var(",
        "var(\"",
        "is_incremental()",
        "{{ this }}",
        "cents_to_dollars(",
        "generate_surrogate_key(",
        "safe_divide(",
        "count_by_value(",
        "dbt.type_string()",
        "row_number() over",
        "lag(",
        "group by",
        "left join",
        "case when",
        "coalesce(",
    ] {
        assert!(
            count(needle) >= 5,
            "only {} models use {needle}",
            count(needle)
        );
    }
}

#[test]
fn vars_macros_sources_and_schema_files_are_all_declared() {
    let project = generate(800, 12);
    let files = files(&project);
    let dbt_project = &files["dbt_project.yml"];
    let all_sql: String = project
        .models
        .iter()
        .map(|model| model.sql.as_str())
        .collect();
    for var_name in referenced_names_in(&all_sql, "var").into_iter().chain(
        all_sql
            .split("var(\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap_or_default().to_string()),
    ) {
        assert!(
            dbt_project.contains(&format!("\n  {var_name}: ")),
            "var {var_name} is not declared in dbt_project.yml"
        );
    }
    for macro_name in [
        "cents_to_dollars",
        "generate_surrogate_key",
        "safe_divide",
        "count_by_value",
    ] {
        let path = format!("macros/{macro_name}.sql");
        assert!(
            files
                .get(&path)
                .is_some_and(|text| text.contains(&format!("{{% macro {macro_name}("))),
            "{path} does not define {macro_name}"
        );
    }
    let sources_yaml = &files["models/sources.yml"];
    for table in &project.sources {
        assert!(
            sources_yaml.contains(&format!("      - name: {}\n", table.table_name)),
            "{} is not declared",
            table.table_name
        );
        assert!(files.contains_key(&format!("seeds/{}.csv", table.table_name)));
    }
    for model in &project.models {
        assert!(files.contains_key(&format!("{}/{}.sql", model.folder, model.name)));
        let schema_files: Vec<&String> = files
            .iter()
            .filter(|(path, contents)| {
                path.starts_with(&model.folder)
                    && path.ends_with(".yml")
                    && contents.contains(&format!("  - name: {}\n", model.name))
            })
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            schema_files.len(),
            1,
            "{} is described in {} schema files",
            model.name,
            schema_files.len()
        );
        for (column, test) in &model.column_tests {
            assert!(
                model.columns.iter().any(|tracked| &tracked.name == column),
                "{}: test on missing column {column}",
                model.name
            );
            if let ColumnTest::Relationships { to_model } = test {
                let target = &project.models[*to_model];
                assert!(
                    target.columns.iter().any(|tracked| &tracked.name == column),
                    "{}: relationships to {} on {column}, which it lacks",
                    model.name,
                    target.name
                );
            }
        }
    }
}
