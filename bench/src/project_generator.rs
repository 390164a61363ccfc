//! Builds a `GeneratedProject` from a model count and a seed: raw source tables, then staging, intermediate and marts models in index order, each model's SQL written from the tracked output columns of the models it refers to, so every selected column exists and every join is on a `bigint` key.

use rustc_hash::FxHashMap;

use crate::deterministic_random::SplitMix64;
use crate::project_model::{
    ColumnRole, ColumnTest, Entity, GeneratedModel, GeneratedProject, ModelLayer, RawColumn,
    RawColumnKind, SourceTable, SqlType, TrackedColumn,
};

/// The business entities; raw tables, keys (`<singular>_id`) and model names are named after them.
pub const ENTITIES: &[Entity] = &[
    Entity {
        singular: "customer",
        plural: "customers",
    },
    Entity {
        singular: "order",
        plural: "orders",
    },
    Entity {
        singular: "product",
        plural: "products",
    },
    Entity {
        singular: "store",
        plural: "stores",
    },
    Entity {
        singular: "supplier",
        plural: "suppliers",
    },
    Entity {
        singular: "employee",
        plural: "employees",
    },
    Entity {
        singular: "payment",
        plural: "payments",
    },
    Entity {
        singular: "shipment",
        plural: "shipments",
    },
    Entity {
        singular: "campaign",
        plural: "campaigns",
    },
    Entity {
        singular: "account",
        plural: "accounts",
    },
    Entity {
        singular: "invoice",
        plural: "invoices",
    },
    Entity {
        singular: "session",
        plural: "sessions",
    },
    Entity {
        singular: "warehouse",
        plural: "warehouses",
    },
    Entity {
        singular: "subscription",
        plural: "subscriptions",
    },
];

/// The systems raw data comes from; each is one dbt source.
pub const SOURCE_SYSTEMS: &[&str] = &["shop", "crm", "billing", "web", "erp", "support"];

/// Status values after staging; raw data uses all but the last, which staging's
/// `coalesce(..., 'unknown')` adds for missing values.
pub const STATUS_VALUES: &[&str] = &["placed", "shipped", "completed", "returned", "unknown"];
pub const CHANNEL_VALUES: &[&str] = &["web", "store", "phone", "partner", "unknown"];
/// The values of every `..._band` column computed with a `CASE`.
pub const VALUE_BAND_VALUES: &[&str] = &["high", "medium", "low"];

/// Models per folder, so that folders and their schema files stay the size real projects have.
pub const MODELS_PER_FOLDER: usize = 100;

/// Intermediate models sit at depths 2 to this; marts add one level, so the longest chains
/// from a source have 10 to 20 models, as in real projects.
const MAXIMUM_INTERMEDIATE_DEPTH: usize = 19;

/// Non-key columns a model takes from its primary input, so that column lists do not grow
/// without bound along chains.
const MAXIMUM_BASE_ATTRIBUTES: usize = 9;

/// Words stripped from a column name before a new prefix is added, so that an aggregate of an
/// aggregate is `total_order_amount`, not `total_total_order_amount`.
const DERIVED_NAME_PREFIXES: &[&str] = &[
    "total_",
    "average_",
    "first_",
    "last_",
    "previous_",
    "running_",
];

struct RawAttributeTemplate {
    name: &'static str,
    sql_type: SqlType,
    kind: RawColumnKind,
}

const RAW_ATTRIBUTE_TEMPLATES: &[RawAttributeTemplate] = &[
    RawAttributeTemplate {
        name: "amount_cents",
        sql_type: SqlType::Integer,
        kind: RawColumnKind::Cents,
    },
    RawAttributeTemplate {
        name: "tax_cents",
        sql_type: SqlType::Integer,
        kind: RawColumnKind::Cents,
    },
    RawAttributeTemplate {
        name: "fee_cents",
        sql_type: SqlType::BigInt,
        kind: RawColumnKind::Cents,
    },
    RawAttributeTemplate {
        name: "quantity",
        sql_type: SqlType::Integer,
        kind: RawColumnKind::Count,
    },
    RawAttributeTemplate {
        name: "item_count",
        sql_type: SqlType::Integer,
        kind: RawColumnKind::Count,
    },
    RawAttributeTemplate {
        name: "page_views",
        sql_type: SqlType::BigInt,
        kind: RawColumnKind::Count,
    },
    RawAttributeTemplate {
        name: "score",
        sql_type: SqlType::Double,
        kind: RawColumnKind::DoubleMeasure,
    },
    RawAttributeTemplate {
        name: "weight_kg",
        sql_type: SqlType::Double,
        kind: RawColumnKind::DoubleMeasure,
    },
    RawAttributeTemplate {
        name: "unit_price",
        sql_type: SqlType::Decimal18x2,
        kind: RawColumnKind::DecimalMeasure,
    },
    RawAttributeTemplate {
        name: "discount",
        sql_type: SqlType::Decimal18x2,
        kind: RawColumnKind::DecimalMeasure,
    },
    RawAttributeTemplate {
        name: "status",
        sql_type: SqlType::Varchar,
        kind: RawColumnKind::Status(STATUS_VALUES),
    },
    RawAttributeTemplate {
        name: "channel",
        sql_type: SqlType::Varchar,
        kind: RawColumnKind::Status(CHANNEL_VALUES),
    },
    RawAttributeTemplate {
        name: "name",
        sql_type: SqlType::Varchar,
        kind: RawColumnKind::Text,
    },
    RawAttributeTemplate {
        name: "email",
        sql_type: SqlType::Varchar,
        kind: RawColumnKind::Text,
    },
    RawAttributeTemplate {
        name: "city",
        sql_type: SqlType::Varchar,
        kind: RawColumnKind::Text,
    },
    RawAttributeTemplate {
        name: "country_code",
        sql_type: SqlType::Varchar,
        kind: RawColumnKind::Text,
    },
    RawAttributeTemplate {
        name: "created_date",
        sql_type: SqlType::Date,
        kind: RawColumnKind::Date,
    },
    RawAttributeTemplate {
        name: "due_date",
        sql_type: SqlType::Date,
        kind: RawColumnKind::Date,
    },
    RawAttributeTemplate {
        name: "created_at",
        sql_type: SqlType::Timestamp,
        kind: RawColumnKind::Timestamp,
    },
    RawAttributeTemplate {
        name: "is_active",
        sql_type: SqlType::Boolean,
        kind: RawColumnKind::Flag,
    },
    RawAttributeTemplate {
        name: "is_deleted",
        sql_type: SqlType::Boolean,
        kind: RawColumnKind::Flag,
    },
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratorConfig {
    pub model_count: usize,
    pub seed: u64,
}

/// How many models each layer gets: about 30% staging, 45% intermediate, 25% marts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerSizes {
    pub staging: usize,
    pub intermediate: usize,
    pub marts: usize,
}

/// The smallest project that has every layer.
pub const MINIMUM_MODEL_COUNT: usize = 3;

pub fn layer_sizes(model_count: usize) -> LayerSizes {
    let staging = (model_count * 30 / 100).max(1);
    let marts = (model_count * 25 / 100).max(1);
    LayerSizes {
        staging,
        intermediate: model_count.saturating_sub(staging + marts),
        marts,
    }
}

/// What an intermediate or mart model does after reading its inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transform {
    /// Keeps every row and adds derived columns (bands, ratios, months, flags).
    Enrich,
    /// Groups by a key with aggregates.
    Aggregate,
    /// Keeps every row and adds window functions partitioned by a key.
    Window,
}

/// One CTE of a model being written: its name, select list, and the lines from `from` on.
struct CommonTableExpression {
    name: String,
    select_items: Vec<String>,
    from_lines: Vec<String>,
}

/// What the transformed model looks like, decided before its SQL is written.
struct TransformedModelPlan {
    layer: ModelLayer,
    position_in_layer: usize,
    primary_model: usize,
    lookup_count: usize,
    transform: Transform,
    make_incremental: bool,
}

pub fn generate_project(config: GeneratorConfig) -> Result<GeneratedProject, String> {
    if config.model_count < MINIMUM_MODEL_COUNT {
        return Err(format!(
            "a project needs at least {MINIMUM_MODEL_COUNT} models (one per layer), not {}",
            config.model_count
        ));
    }
    let sizes = layer_sizes(config.model_count);
    let mut generator = ProjectGenerator::new(config.seed, config.model_count);
    for position in 0..sizes.staging {
        generator.generate_staging_model(position);
    }
    for position in 0..sizes.intermediate {
        generator.generate_intermediate_model(position);
    }
    for position in 0..sizes.marts {
        generator.generate_mart_model(position);
    }
    Ok(GeneratedProject {
        seed: config.seed,
        sources: generator.sources,
        models: generator.models,
    })
}

struct ProjectGenerator {
    random: SplitMix64,
    sources: Vec<SourceTable>,
    models: Vec<GeneratedModel>,
    /// The entity (index into `ENTITIES`) each model is about, parallel to `models`.
    model_entities: Vec<usize>,
    /// Staging and intermediate models by the name of their grain key: the lookups an
    /// intermediate model may join, always on a key that is unique on the looked-up side.
    staging_and_intermediate_by_grain_key: FxHashMap<String, Vec<usize>>,
    /// Staging models by grain key: the targets of `relationships` tests (a separate map
    /// because scanning the mixed one for staging models made generation quadratic).
    staging_by_grain_key: FxHashMap<String, Vec<usize>>,
    /// Intermediate models by grain key: the lookups a mart may join.
    intermediate_by_grain_key: FxHashMap<String, Vec<usize>>,
    /// Intermediate models by depth, to build chains of a chosen length.
    intermediate_by_depth: Vec<Vec<usize>>,
    staging_models: Vec<usize>,
    intermediate_models: Vec<usize>,
    /// Width of the zero-padded numbers in names, so that names sort in generation order.
    number_width: usize,
}

impl ProjectGenerator {
    fn new(seed: u64, model_count: usize) -> Self {
        Self {
            random: SplitMix64::new(seed),
            sources: Vec::new(),
            models: Vec::with_capacity(model_count),
            model_entities: Vec::with_capacity(model_count),
            staging_and_intermediate_by_grain_key: FxHashMap::default(),
            intermediate_by_grain_key: FxHashMap::default(),
            staging_by_grain_key: FxHashMap::default(),
            intermediate_by_depth: vec![Vec::new(); MAXIMUM_INTERMEDIATE_DEPTH + 1],
            staging_models: Vec::new(),
            intermediate_models: Vec::new(),
            number_width: model_count.to_string().len().max(5),
        }
    }

    fn folder_for(layer: ModelLayer, position_in_layer: usize) -> String {
        format!(
            "models/{}/part_{:04}",
            layer.folder_name(),
            position_in_layer / MODELS_PER_FOLDER
        )
    }

    fn generate_raw_table(&mut self, table_index: usize) -> SourceTable {
        let source_name = *self.random.pick(SOURCE_SYSTEMS);
        let entity = self.random.below(ENTITIES.len());
        let mut columns = vec![RawColumn {
            name: "id".to_string(),
            sql_type: SqlType::Integer,
            kind: RawColumnKind::PrimaryId,
        }];
        let foreign_key_count = self.random.between_inclusive(1, 3);
        let mut foreign_entities: Vec<usize> = Vec::new();
        while foreign_entities.len() < foreign_key_count {
            let candidate = self.random.below(ENTITIES.len());
            if candidate != entity && !foreign_entities.contains(&candidate) {
                foreign_entities.push(candidate);
            }
        }
        foreign_entities.sort_unstable();
        for foreign_entity in foreign_entities {
            columns.push(RawColumn {
                name: format!("{}_id", ENTITIES[foreign_entity].singular),
                // Raw systems disagree on key widths; staging casts them all to bigint.
                sql_type: if self.random.percent_chance(50) {
                    SqlType::BigInt
                } else {
                    SqlType::Integer
                },
                kind: RawColumnKind::ForeignId(foreign_entity),
            });
        }
        let attribute_target = self.random.between_inclusive(4, 8);
        let mut chosen_templates: Vec<usize> = Vec::new();
        while chosen_templates.len() < attribute_target {
            let candidate = self.random.below(RAW_ATTRIBUTE_TEMPLATES.len());
            if !chosen_templates.contains(&candidate) {
                chosen_templates.push(candidate);
            }
        }
        // Every table has a measure, so every model downstream has something to aggregate.
        let has_measure = chosen_templates.iter().any(|&index| {
            matches!(
                RAW_ATTRIBUTE_TEMPLATES[index].kind,
                RawColumnKind::Cents
                    | RawColumnKind::Count
                    | RawColumnKind::DoubleMeasure
                    | RawColumnKind::DecimalMeasure
            )
        });
        if !has_measure {
            chosen_templates.push(0);
        }
        chosen_templates.sort_unstable();
        for template_index in chosen_templates {
            let template = &RAW_ATTRIBUTE_TEMPLATES[template_index];
            columns.push(RawColumn {
                name: template.name.to_string(),
                sql_type: template.sql_type,
                kind: template.kind,
            });
        }
        // Every table has `updated_at`: incremental marts and windows order by it.
        columns.push(RawColumn {
            name: "updated_at".to_string(),
            sql_type: SqlType::Timestamp,
            kind: RawColumnKind::Timestamp,
        });
        SourceTable {
            source_name,
            table_name: format!(
                "{source_name}_{}_{:0width$}",
                ENTITIES[entity].plural,
                table_index,
                width = self.number_width
            ),
            entity,
            columns,
        }
    }

    fn generate_staging_model(&mut self, position: usize) {
        let table_index = self.sources.len();
        let table = self.generate_raw_table(table_index);
        let entity = &ENTITIES[table.entity];
        let prefix = entity.singular;
        let mut select_items: Vec<String> = Vec::new();
        let mut columns: Vec<TrackedColumn> = Vec::new();
        let mut column_tests: Vec<(String, ColumnTest)> = Vec::new();
        let mut first_cents_column_seen = false;
        for raw_column in &table.columns {
            let raw = &raw_column.name;
            match raw_column.kind {
                RawColumnKind::PrimaryId => {
                    let name = format!("{prefix}_id");
                    select_items.push(format!("cast(source.{raw} as bigint) as {name}"));
                    column_tests.push((name.clone(), ColumnTest::Unique));
                    column_tests.push((name.clone(), ColumnTest::NotNull));
                    columns.push(TrackedColumn::new(
                        name,
                        SqlType::BigInt,
                        ColumnRole::GrainKey,
                    ));
                }
                RawColumnKind::ForeignId(_) => {
                    select_items.push(format!("cast(source.{raw} as bigint) as {raw}"));
                    if self.random.percent_chance(40) {
                        if let Some(target) = self.random_earlier_staging_with_grain(raw) {
                            column_tests.push((
                                raw.clone(),
                                ColumnTest::Relationships { to_model: target },
                            ));
                        }
                    }
                    columns.push(TrackedColumn::new(
                        raw.clone(),
                        SqlType::BigInt,
                        ColumnRole::ForeignKey,
                    ));
                }
                RawColumnKind::Cents => {
                    let stem = raw.trim_end_matches("_cents");
                    let name = format!("{prefix}_{stem}");
                    select_items.push(format!(
                        "{{{{ cents_to_dollars('source.{raw}') }}}} as {name}"
                    ));
                    columns.push(TrackedColumn::new(
                        name.clone(),
                        SqlType::Decimal18x2,
                        ColumnRole::Measure,
                    ));
                    if !first_cents_column_seen {
                        first_cents_column_seen = true;
                        let band_name = format!("{name}_band");
                        select_items.push(format!(
                            "case when source.{raw} >= {{{{ var('high_value_cents') }}}} then 'high' when source.{raw} >= 1000 then 'medium' else 'low' end as {band_name}"
                        ));
                        if self.random.percent_chance(40) {
                            column_tests.push((
                                band_name.clone(),
                                ColumnTest::AcceptedValues(VALUE_BAND_VALUES),
                            ));
                        }
                        columns.push(TrackedColumn::new(
                            band_name,
                            SqlType::Varchar,
                            ColumnRole::Category(VALUE_BAND_VALUES),
                        ));
                    }
                }
                RawColumnKind::Count => {
                    let name = format!("{prefix}_{raw}");
                    select_items.push(format!("coalesce(source.{raw}, 0) as {name}"));
                    columns.push(TrackedColumn::new(
                        name,
                        raw_column.sql_type,
                        ColumnRole::Measure,
                    ));
                }
                RawColumnKind::DoubleMeasure => {
                    let name = format!("{prefix}_{raw}");
                    select_items.push(format!("round(source.{raw}, 3) as {name}"));
                    columns.push(TrackedColumn::new(
                        name,
                        SqlType::Double,
                        ColumnRole::Measure,
                    ));
                }
                RawColumnKind::DecimalMeasure => {
                    let name = format!("{prefix}_{raw}");
                    select_items.push(format!("cast(source.{raw} as decimal(18,2)) as {name}"));
                    columns.push(TrackedColumn::new(
                        name,
                        SqlType::Decimal18x2,
                        ColumnRole::Measure,
                    ));
                }
                RawColumnKind::Status(values) => {
                    let name = format!("{prefix}_{raw}");
                    select_items.push(format!(
                        "coalesce(lower(source.{raw}), 'unknown') as {name}"
                    ));
                    if self.random.percent_chance(60) {
                        column_tests.push((name.clone(), ColumnTest::AcceptedValues(values)));
                    }
                    columns.push(TrackedColumn::new(
                        name,
                        SqlType::Varchar,
                        ColumnRole::Category(values),
                    ));
                }
                RawColumnKind::Text => {
                    let name = format!("{prefix}_{raw}");
                    let expression = match raw.as_str() {
                        "email" => format!("lower(source.{raw})"),
                        "country_code" => format!("upper(source.{raw})"),
                        _ => format!("trim(cast(source.{raw} as {{{{ dbt.type_string() }}}}))"),
                    };
                    select_items.push(format!("{expression} as {name}"));
                    columns.push(TrackedColumn::new(name, SqlType::Varchar, ColumnRole::Text));
                }
                RawColumnKind::Date => {
                    let name = format!("{prefix}_{raw}");
                    select_items.push(format!("cast(source.{raw} as date) as {name}"));
                    columns.push(TrackedColumn::new(
                        name,
                        SqlType::Date,
                        ColumnRole::Temporal,
                    ));
                }
                RawColumnKind::Timestamp => {
                    let name = format!("{prefix}_{raw}");
                    select_items.push(format!("cast(source.{raw} as timestamp) as {name}"));
                    columns.push(TrackedColumn::new(
                        name,
                        SqlType::Timestamp,
                        ColumnRole::Temporal,
                    ));
                }
                RawColumnKind::Flag => {
                    let name = format!("{prefix}_{raw}");
                    select_items.push(format!("coalesce(source.{raw}, false) as {name}"));
                    columns.push(TrackedColumn::new(name, SqlType::Boolean, ColumnRole::Flag));
                }
            }
        }
        let foreign_key_raw_names: Vec<&str> = table
            .columns
            .iter()
            .filter(|column| matches!(column.kind, RawColumnKind::ForeignId(_)))
            .map(|column| column.name.as_str())
            .collect();
        if self.random.percent_chance(30) {
            let key_list = std::iter::once("'source.id'".to_string())
                .chain(
                    foreign_key_raw_names
                        .iter()
                        .map(|raw| format!("'source.{raw}'")),
                )
                .collect::<Vec<_>>()
                .join(", ");
            let name = format!("{prefix}_surrogate_key");
            select_items.push(format!(
                "{{{{ generate_surrogate_key([{key_list}]) }}}} as {name}"
            ));
            columns.push(TrackedColumn::new(name, SqlType::Varchar, ColumnRole::Text));
        }
        if self.random.percent_chance(50) {
            select_items.push("'{{ var(\"source_system\") }}' as source_system".to_string());
            columns.push(TrackedColumn::new(
                "source_system",
                SqlType::Varchar,
                ColumnRole::Text,
            ));
        }
        let mut renamed_from_lines = vec!["from source".to_string()];
        if self.random.percent_chance(60) {
            renamed_from_lines.push(
                "where source.updated_at >= cast('{{ var(\"min_event_date\") }}' as timestamp)"
                    .to_string(),
            );
        }
        let mut sql = String::with_capacity(2048);
        if self.random.percent_chance(25) {
            sql.push_str(&format!(
                "{{{{ config(materialized='view', tags=['{}']) }}}}\n\n",
                table.source_name
            ));
        }
        sql.push_str(&format!(
            "with source as (\n\n    select * from {{{{ source('{}', '{}') }}}}\n\n),\n\n",
            table.source_name, table.table_name
        ));
        write_common_table_expressions(
            &mut sql,
            &[CommonTableExpression {
                name: "renamed".to_string(),
                select_items,
                from_lines: renamed_from_lines,
            }],
        );
        sql.push_str("\n\nselect * from renamed\n");

        let model_index = self.models.len();
        let name = format!(
            "stg_{}__{}_{:0width$}",
            table.source_name,
            entity.plural,
            table_index,
            width = self.number_width
        );
        let description = format!(
            "Staging model for the raw `{}.{}` table: one row per {}, columns renamed, cast to their types and missing values filled.",
            table.source_name, table.table_name, entity.singular
        );
        let grain_key = format!("{prefix}_id");
        self.staging_and_intermediate_by_grain_key
            .entry(grain_key.clone())
            .or_default()
            .push(model_index);
        self.staging_by_grain_key
            .entry(grain_key)
            .or_default()
            .push(model_index);
        self.staging_models.push(model_index);
        self.model_entities.push(table.entity);
        self.sources.push(table);
        self.models.push(GeneratedModel {
            name,
            layer: ModelLayer::Staging,
            folder: Self::folder_for(ModelLayer::Staging, position),
            description,
            sql,
            referenced_models: Vec::new(),
            source_table: Some(table_index),
            columns,
            depth: 1,
            column_tests,
            materialization: "view",
        });
    }

    /// A staging model whose grain is `key_name`, for `relationships` tests; staging models
    /// all hold every key value of their entity, so the test holds on the seeded data.
    fn random_earlier_staging_with_grain(&mut self, key_name: &str) -> Option<usize> {
        let candidates = self.staging_by_grain_key.get(key_name)?;
        Some(candidates[self.random.below(candidates.len())])
    }

    fn generate_intermediate_model(&mut self, position: usize) {
        let target_depth = self.random.between_inclusive(2, MAXIMUM_INTERMEDIATE_DEPTH);
        let primary_model = self.choose_primary_for_depth(target_depth);
        let lookup_count = match self.random.below(10) {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let transform = match self.random.below(100) {
            0..=34 => Transform::Enrich,
            35..=64 => Transform::Aggregate,
            _ => Transform::Window,
        };
        self.generate_transformed_model(TransformedModelPlan {
            layer: ModelLayer::Intermediate,
            position_in_layer: position,
            primary_model,
            lookup_count,
            transform,
            make_incremental: false,
        });
    }

    /// An input whose depth is `target_depth - 1` when one exists, so that depths spread
    /// evenly and long chains appear; staging when the target is 2 or nothing deep exists yet.
    fn choose_primary_for_depth(&mut self, target_depth: usize) -> usize {
        let wanted_depth = target_depth - 1;
        for depth in (2..=wanted_depth).rev() {
            if !self.intermediate_by_depth[depth].is_empty() {
                let bucket_length = self.intermediate_by_depth[depth].len();
                let choice = self.random.below(bucket_length);
                return self.intermediate_by_depth[depth][choice];
            }
        }
        let choice = self.random.below(self.staging_models.len());
        self.staging_models[choice]
    }

    fn generate_mart_model(&mut self, position: usize) {
        // The deeper of two random intermediates: marts tend to sit at the end of long chains.
        let first = *self.random.pick(&self.intermediate_models);
        let second = *self.random.pick(&self.intermediate_models);
        let primary_model = if self.models[second].depth > self.models[first].depth {
            second
        } else {
            first
        };
        let lookup_count = match self.random.below(10) {
            0..=2 => 0,
            3..=7 => 1,
            _ => 2,
        };
        let transform = if self.random.percent_chance(60) {
            Transform::Enrich
        } else {
            Transform::Aggregate
        };
        let make_incremental = transform == Transform::Enrich && self.random.percent_chance(40);
        self.generate_transformed_model(TransformedModelPlan {
            layer: ModelLayer::Marts,
            position_in_layer: position,
            primary_model,
            lookup_count,
            transform,
            make_incremental,
        });
    }

    fn select_base_columns(&mut self, columns: &[TrackedColumn]) -> Vec<TrackedColumn> {
        let first_temporal = columns
            .iter()
            .position(|column| column.role == ColumnRole::Temporal);
        let first_measure = columns
            .iter()
            .position(|column| column.role == ColumnRole::Measure);
        let mut attribute_count = 0;
        let mut selected = Vec::new();
        for (index, column) in columns.iter().enumerate() {
            // Keys are always kept (joins need them), as are the first temporal and measure
            // columns (windows, aggregates and incremental filters need them).
            let must_keep = Some(index) == first_temporal || Some(index) == first_measure;
            if column.is_key() {
                selected.push(column.clone());
            } else if must_keep
                || (attribute_count < MAXIMUM_BASE_ATTRIBUTES && self.random.percent_chance(60))
            {
                attribute_count += 1;
                selected.push(column.clone());
            }
        }
        selected
    }

    /// Up to `lookup_count` models to left join on a key of `relation_columns`, each unique
    /// on that key (its grain), so the join never multiplies rows.
    fn choose_lookups(
        &mut self,
        relation_columns: &[TrackedColumn],
        primary_model: usize,
        lookup_count: usize,
        layer: ModelLayer,
    ) -> Vec<(usize, String)> {
        let key_names: Vec<&str> = relation_columns
            .iter()
            .filter(|column| column.is_key())
            .map(|column| column.name.as_str())
            .collect();
        let mut chosen: Vec<(usize, String)> = Vec::new();
        if key_names.is_empty() {
            return chosen;
        }
        let maximum_depth = self.models[primary_model].depth;
        for _attempt in 0..lookup_count * 4 {
            if chosen.len() == lookup_count {
                break;
            }
            let key_name = *self.random.pick(&key_names);
            let candidates = match layer {
                ModelLayer::Marts => self.intermediate_by_grain_key.get(key_name),
                _ => self.staging_and_intermediate_by_grain_key.get(key_name),
            };
            let Some(candidates) = candidates else {
                continue;
            };
            let candidate = candidates[self.random.below(candidates.len())];
            let acceptable = candidate != primary_model
                && self.models[candidate].depth <= maximum_depth
                && !chosen.iter().any(|(already, _)| *already == candidate)
                && self.models[candidate]
                    .columns
                    .iter()
                    .any(|column| !column.is_key());
            if acceptable {
                chosen.push((candidate, key_name.to_string()));
            }
        }
        chosen
    }

    fn generate_transformed_model(&mut self, plan: TransformedModelPlan) {
        let primary = plan.primary_model;
        let primary_columns = self.models[primary].columns.clone();
        let base_columns = self.select_base_columns(&primary_columns);
        let mut common_table_expressions: Vec<CommonTableExpression> = Vec::new();

        let incremental_column = if plan.make_incremental
            && base_columns
                .iter()
                .any(|column| column.role == ColumnRole::GrainKey)
        {
            base_columns
                .iter()
                .find(|column| column.role == ColumnRole::Temporal)
                .map(|column| column.name.clone())
        } else {
            None
        };
        let mut base_from_lines = vec![format!(
            "from {{{{ ref('{}') }}}}",
            self.models[primary].name
        )];
        if let Some(column_name) = &incremental_column {
            base_from_lines.push("{% if is_incremental() %}".to_string());
            base_from_lines.push(format!(
                "where {column_name} > (select max({column_name}) from {{{{ this }}}})"
            ));
            base_from_lines.push("{% endif %}".to_string());
        }
        common_table_expressions.push(CommonTableExpression {
            name: "base".to_string(),
            select_items: base_columns
                .iter()
                .map(|column| column.name.clone())
                .collect(),
            from_lines: base_from_lines,
        });

        let lookups = self.choose_lookups(&base_columns, primary, plan.lookup_count, plan.layer);
        let mut relation_name = "base".to_string();
        let mut relation_columns = base_columns.clone();
        let mut referenced_models = vec![primary];
        if !lookups.is_empty() {
            let mut joined_items: Vec<String> = base_columns
                .iter()
                .map(|column| format!("base.{}", column.name))
                .collect();
            let mut joined_columns = base_columns.clone();
            let mut joined_from_lines = vec!["from base".to_string()];
            for (lookup_number, (lookup_model, key_name)) in lookups.iter().enumerate() {
                let lookup_name = format!("lookup_{}", lookup_number + 1);
                let mut attributes = self.choose_lookup_attributes(*lookup_model);
                // Bringing along a key the input lacks keeps joins possible further down a
                // chain, after aggregates have reduced the keys to one.
                let new_foreign_key = self.models[*lookup_model]
                    .columns
                    .iter()
                    .find(|column| {
                        column.role == ColumnRole::ForeignKey
                            && !joined_columns
                                .iter()
                                .any(|existing| existing.name == column.name)
                    })
                    .cloned();
                if let Some(foreign_key) = new_foreign_key {
                    if self.random.percent_chance(50) {
                        attributes.insert(0, foreign_key);
                    }
                }
                let mut lookup_items = vec![key_name.clone()];
                for attribute in &attributes {
                    lookup_items.push(attribute.name.clone());
                    let output_name = fresh_column_name(&joined_columns, &attribute.name);
                    if output_name == attribute.name {
                        joined_items.push(format!("{lookup_name}.{}", attribute.name));
                    } else {
                        joined_items
                            .push(format!("{lookup_name}.{} as {output_name}", attribute.name));
                    }
                    joined_columns.push(TrackedColumn::new(
                        output_name,
                        attribute.sql_type,
                        attribute.role,
                    ));
                }
                common_table_expressions.push(CommonTableExpression {
                    name: lookup_name.clone(),
                    select_items: lookup_items,
                    from_lines: vec![format!(
                        "from {{{{ ref('{}') }}}}",
                        self.models[*lookup_model].name
                    )],
                });
                joined_from_lines.push(format!(
                    "left join {lookup_name} on base.{key_name} = {lookup_name}.{key_name}"
                ));
                referenced_models.push(*lookup_model);
            }
            common_table_expressions.push(CommonTableExpression {
                name: "joined".to_string(),
                select_items: joined_items,
                from_lines: joined_from_lines,
            });
            relation_name = "joined".to_string();
            relation_columns = joined_columns;
        }

        let mut entity = self.model_entities[primary];
        // Grouping by the grain itself would be a no-op: without a foreign key to group by,
        // an aggregate becomes an enrichment.
        let has_foreign_key = relation_columns
            .iter()
            .any(|column| column.role == ColumnRole::ForeignKey);
        let transform = if plan.transform == Transform::Aggregate && !has_foreign_key {
            Transform::Enrich
        } else {
            plan.transform
        };
        let (final_expression, final_columns) = match transform {
            Transform::Enrich => self.enrich(
                &relation_name,
                &relation_columns,
                ENTITIES[entity].singular,
                plan.layer,
            ),
            Transform::Window => self.window(&relation_name, &relation_columns),
            Transform::Aggregate => {
                let (expression, columns) =
                    self.aggregate(&relation_name, &relation_columns, ENTITIES[entity].singular);
                if let Some(grain) = columns
                    .iter()
                    .find(|column| column.role == ColumnRole::GrainKey)
                {
                    if let Some(key_entity) = entity_for_key(&grain.name) {
                        entity = key_entity;
                    }
                }
                (expression, columns)
            }
        };
        let final_name = final_expression.name.clone();
        common_table_expressions.push(final_expression);

        let materialization = match (plan.layer, incremental_column.is_some()) {
            (_, true) => "incremental",
            (ModelLayer::Marts, false) => "table",
            _ => {
                if self.random.percent_chance(15) {
                    "table"
                } else {
                    "view"
                }
            }
        };
        let grain_column = final_columns
            .iter()
            .find(|column| column.role == ColumnRole::GrainKey)
            .cloned();
        let mut sql = String::with_capacity(4096);
        if let (Some(grain), true) = (&grain_column, incremental_column.is_some()) {
            sql.push_str(&format!(
                "{{{{\n    config(\n        materialized='incremental',\n        unique_key='{}',\n        on_schema_change='append_new_columns'\n    )\n}}}}\n\n",
                grain.name
            ));
        } else if materialization == "table"
            && (plan.layer != ModelLayer::Marts || self.random.percent_chance(30))
        {
            sql.push_str("{{ config(materialized='table') }}\n\n");
        }
        sql.push_str("with ");
        write_common_table_expressions(&mut sql, &common_table_expressions);
        sql.push_str(&format!("\n\nselect * from {final_name}\n"));

        let column_tests = self.tests_for_transformed_model(&final_columns, plan.layer);
        let depth = referenced_models
            .iter()
            .map(|&index| self.models[index].depth)
            .max()
            .unwrap_or(0)
            + 1;
        let number = format!(
            "{:0width$}",
            plan.position_in_layer,
            width = self.number_width
        );
        let plural = ENTITIES[entity].plural;
        let name = match (plan.layer, transform) {
            (ModelLayer::Marts, Transform::Aggregate) => format!("agg_{plural}_{number}"),
            (ModelLayer::Marts, _) if self.random.percent_chance(30) => {
                format!("dim_{plural}_{number}")
            }
            (ModelLayer::Marts, _) => format!("fct_{plural}_{number}"),
            (_, Transform::Aggregate) => format!(
                "int_{}_by_{}_{number}",
                ENTITIES[self.model_entities[primary]].plural, ENTITIES[entity].singular
            ),
            (_, Transform::Window) => format!("int_{plural}_windowed_{number}"),
            (_, Transform::Enrich) if referenced_models.len() > 1 => {
                format!("int_{plural}_joined_{number}")
            }
            (_, Transform::Enrich) => format!("int_{plural}_enriched_{number}"),
        };
        let input_names: Vec<String> = referenced_models
            .iter()
            .map(|&index| format!("`{}`", self.models[index].name))
            .collect();
        let what_it_does = match transform {
            Transform::Enrich => "adds derived bands, ratios and flags, one row per input row",
            Transform::Aggregate => "aggregates to one row per key",
            Transform::Window => "adds running totals and sequence numbers with window functions",
        };
        let description = format!("Reads {}; {what_it_does}.", input_names.join(", "));

        let model_index = self.models.len();
        // Marts are never looked up: nothing may depend on a mart.
        if let (Some(grain), ModelLayer::Intermediate) = (&grain_column, plan.layer) {
            self.staging_and_intermediate_by_grain_key
                .entry(grain.name.clone())
                .or_default()
                .push(model_index);
            self.intermediate_by_grain_key
                .entry(grain.name.clone())
                .or_default()
                .push(model_index);
        }
        if plan.layer == ModelLayer::Intermediate {
            self.intermediate_models.push(model_index);
            let depth_bucket = (depth as usize).min(MAXIMUM_INTERMEDIATE_DEPTH);
            self.intermediate_by_depth[depth_bucket].push(model_index);
        }
        self.model_entities.push(entity);
        self.models.push(GeneratedModel {
            name,
            layer: plan.layer,
            folder: Self::folder_for(plan.layer, plan.position_in_layer),
            description,
            sql,
            referenced_models,
            source_table: None,
            columns: final_columns,
            depth,
            column_tests,
            materialization,
        });
    }

    fn choose_lookup_attributes(&mut self, lookup_model: usize) -> Vec<TrackedColumn> {
        let attribute_indices: Vec<usize> = self.models[lookup_model]
            .columns
            .iter()
            .enumerate()
            .filter(|(_, column)| !column.is_key())
            .map(|(index, _)| index)
            .collect();
        let wanted = self
            .random
            .between_inclusive(1, attribute_indices.len().min(3));
        let mut remaining = attribute_indices;
        let mut chosen = Vec::with_capacity(wanted);
        while chosen.len() < wanted {
            let position = self.random.below(remaining.len());
            chosen.push(remaining.remove(position));
        }
        chosen.sort_unstable();
        chosen
            .into_iter()
            .map(|index| self.models[lookup_model].columns[index].clone())
            .collect()
    }

    fn enrich(
        &mut self,
        relation: &str,
        relation_columns: &[TrackedColumn],
        entity_singular: &str,
        layer: ModelLayer,
    ) -> (CommonTableExpression, Vec<TrackedColumn>) {
        let mut items: Vec<String> = relation_columns
            .iter()
            .map(|column| format!("{relation}.{}", column.name))
            .collect();
        let mut columns = relation_columns.to_vec();
        let measures: Vec<TrackedColumn> = relation_columns
            .iter()
            .filter(|column| column.role == ColumnRole::Measure)
            .cloned()
            .collect();
        let temporals: Vec<TrackedColumn> = relation_columns
            .iter()
            .filter(|column| column.role == ColumnRole::Temporal)
            .cloned()
            .collect();
        if let Some(measure) = measures.first() {
            if self.random.percent_chance(70) {
                let name = fresh_column_name(&columns, &format!("{}_band", measure.name));
                items.push(format!(
                    "case when {relation}.{m} >= {{{{ var('high_value_threshold') }}}} then 'high' when {relation}.{m} >= 10 then 'medium' else 'low' end as {name}",
                    m = measure.name
                ));
                columns.push(TrackedColumn::new(
                    name,
                    SqlType::Varchar,
                    ColumnRole::Category(VALUE_BAND_VALUES),
                ));
            }
            if self.random.percent_chance(50) {
                let name = fresh_column_name(&columns, &format!("has_positive_{}", measure.name));
                items.push(format!(
                    "coalesce({relation}.{}, 0) > 0 as {name}",
                    measure.name
                ));
                columns.push(TrackedColumn::new(name, SqlType::Boolean, ColumnRole::Flag));
            }
        }
        let ratio_candidates: Vec<&TrackedColumn> = measures
            .iter()
            .filter(|column| !column.name.contains("_per_"))
            .collect();
        if ratio_candidates.len() >= 2 && self.random.percent_chance(60) {
            let numerator = *self.random.pick(&ratio_candidates);
            let denominator = *self.random.pick(&ratio_candidates);
            if numerator.name != denominator.name {
                let name = fresh_column_name(
                    &columns,
                    &format!(
                        "{}_per_{}",
                        numerator.name,
                        strip_derived_prefixes(&denominator.name)
                    ),
                );
                items.push(format!(
                    "{{{{ safe_divide('{relation}.{}', '{relation}.{}') }}}} as {name}",
                    numerator.name, denominator.name
                ));
                columns.push(TrackedColumn::new(
                    name,
                    SqlType::Double,
                    ColumnRole::Measure,
                ));
            }
        }
        if let Some(temporal) = temporals
            .iter()
            .find(|column| !column.name.ends_with("_month"))
        {
            if self.random.percent_chance(50) {
                let name = fresh_column_name(&columns, &format!("{}_month", temporal.name));
                items.push(format!(
                    "cast(date_trunc('month', {relation}.{}) as date) as {name}",
                    temporal.name
                ));
                columns.push(TrackedColumn::new(
                    name,
                    SqlType::Date,
                    ColumnRole::Temporal,
                ));
            }
        }
        if layer == ModelLayer::Marts {
            let key_arguments: Vec<String> = relation_columns
                .iter()
                .filter(|column| column.is_key())
                .map(|column| format!("'{relation}.{}'", column.name))
                .collect();
            if !key_arguments.is_empty() {
                let name = fresh_column_name(&columns, &format!("{entity_singular}_surrogate_key"));
                items.push(format!(
                    "{{{{ generate_surrogate_key([{}]) }}}} as {name}",
                    key_arguments.join(", ")
                ));
                columns.push(TrackedColumn::new(name, SqlType::Varchar, ColumnRole::Text));
            }
        }
        let expression = CommonTableExpression {
            name: "enriched".to_string(),
            select_items: items,
            from_lines: vec![format!("from {relation}")],
        };
        (expression, columns)
    }

    fn partition_key(&mut self, relation_columns: &[TrackedColumn]) -> TrackedColumn {
        let foreign_keys: Vec<&TrackedColumn> = relation_columns
            .iter()
            .filter(|column| column.role == ColumnRole::ForeignKey)
            .collect();
        if !foreign_keys.is_empty() {
            return (*self.random.pick(&foreign_keys)).clone();
        }
        relation_columns
            .iter()
            .find(|column| column.is_key())
            .cloned()
            .unwrap_or_else(|| relation_columns[0].clone())
    }

    fn window(
        &mut self,
        relation: &str,
        relation_columns: &[TrackedColumn],
    ) -> (CommonTableExpression, Vec<TrackedColumn>) {
        let mut items: Vec<String> = relation_columns
            .iter()
            .map(|column| format!("{relation}.{}", column.name))
            .collect();
        let mut columns = relation_columns.to_vec();
        let partition = self.partition_key(relation_columns);
        let mut order_terms: Vec<String> = relation_columns
            .iter()
            .filter(|column| column.role == ColumnRole::Temporal)
            .take(1)
            .map(|column| format!("{relation}.{}", column.name))
            .collect();
        // The grain key breaks ties, so window results do not depend on row order.
        if let Some(grain) = relation_columns
            .iter()
            .find(|column| column.role == ColumnRole::GrainKey)
        {
            order_terms.push(format!("{relation}.{}", grain.name));
        }
        if order_terms.is_empty() {
            order_terms.push(format!("{relation}.{}", partition.name));
        }
        let window = format!(
            "partition by {relation}.{} order by {}",
            partition.name,
            order_terms.join(", ")
        );
        let sequence_name = fresh_column_name(
            &columns,
            &format!("{}_sequence_number", partition.name.trim_end_matches("_id")),
        );
        items.push(format!("row_number() over ({window}) as {sequence_name}"));
        columns.push(TrackedColumn::new(
            sequence_name,
            SqlType::BigInt,
            ColumnRole::Measure,
        ));
        let measures: Vec<&TrackedColumn> = relation_columns
            .iter()
            .filter(|column| column.role == ColumnRole::Measure)
            .collect();
        if !measures.is_empty() {
            let measure = (*self.random.pick(&measures)).clone();
            let stem = strip_derived_prefixes(&measure.name).to_string();
            if self.random.percent_chance(70) {
                let name = fresh_column_name(&columns, &format!("previous_{stem}"));
                items.push(format!(
                    "lag({relation}.{}) over ({window}) as {name}",
                    measure.name
                ));
                columns.push(TrackedColumn::new(
                    name,
                    measure.sql_type,
                    ColumnRole::Measure,
                ));
            }
            let name = fresh_column_name(&columns, &format!("running_{stem}"));
            let running_sum = format!(
                "sum({relation}.{}) over ({window} rows between unbounded preceding and current row)",
                measure.name
            );
            let (expression, sql_type) = summed_with_stable_type(&running_sum, measure.sql_type);
            items.push(format!("{expression} as {name}"));
            columns.push(TrackedColumn::new(name, sql_type, ColumnRole::Measure));
        }
        let expression = CommonTableExpression {
            name: "windowed".to_string(),
            select_items: items,
            from_lines: vec![format!("from {relation}")],
        };
        (expression, columns)
    }

    fn aggregate(
        &mut self,
        relation: &str,
        relation_columns: &[TrackedColumn],
        entity_singular: &str,
    ) -> (CommonTableExpression, Vec<TrackedColumn>) {
        let group_key = self.partition_key(relation_columns);
        let mut items = vec![format!("{relation}.{}", group_key.name)];
        let mut columns = vec![TrackedColumn::new(
            group_key.name.clone(),
            SqlType::BigInt,
            ColumnRole::GrainKey,
        )];
        let count_name = fresh_column_name(&columns, &format!("{entity_singular}_row_count"));
        items.push(format!("count(*) as {count_name}"));
        columns.push(TrackedColumn::new(
            count_name,
            SqlType::BigInt,
            ColumnRole::Measure,
        ));
        let measures: Vec<TrackedColumn> = relation_columns
            .iter()
            .filter(|column| column.role == ColumnRole::Measure)
            .cloned()
            .collect();
        for (measure_number, measure) in measures.iter().enumerate().take(3) {
            let stem = strip_derived_prefixes(&measure.name);
            if measure_number == 0 || self.random.percent_chance(60) {
                let name = fresh_column_name(&columns, &format!("total_{stem}"));
                let (expression, sql_type) = summed_with_stable_type(
                    &format!("sum({relation}.{})", measure.name),
                    measure.sql_type,
                );
                items.push(format!("{expression} as {name}"));
                columns.push(TrackedColumn::new(name, sql_type, ColumnRole::Measure));
            } else {
                let name = fresh_column_name(&columns, &format!("average_{stem}"));
                items.push(format!("avg({relation}.{}) as {name}", measure.name));
                columns.push(TrackedColumn::new(
                    name,
                    SqlType::Double,
                    ColumnRole::Measure,
                ));
            }
        }
        if let Some(measure) = measures.first() {
            if self.random.percent_chance(40) {
                let name = fresh_column_name(
                    &columns,
                    &format!(
                        "{}_per_{entity_singular}",
                        strip_derived_prefixes(&measure.name)
                    ),
                );
                items.push(format!(
                    "{{{{ safe_divide('sum({relation}.{})', 'count(*)') }}}} as {name}",
                    measure.name
                ));
                columns.push(TrackedColumn::new(
                    name,
                    SqlType::Double,
                    ColumnRole::Measure,
                ));
            }
        }
        if let Some(temporal) = relation_columns
            .iter()
            .find(|column| column.role == ColumnRole::Temporal)
        {
            let stem = strip_derived_prefixes(&temporal.name);
            if self.random.percent_chance(50) {
                let name = fresh_column_name(&columns, &format!("first_{stem}"));
                items.push(format!("min({relation}.{}) as {name}", temporal.name));
                columns.push(TrackedColumn::new(
                    name,
                    temporal.sql_type,
                    ColumnRole::Temporal,
                ));
            }
            // Always keep a latest timestamp: incremental marts downstream filter on it.
            let name = fresh_column_name(&columns, &format!("last_{stem}"));
            items.push(format!("max({relation}.{}) as {name}", temporal.name));
            columns.push(TrackedColumn::new(
                name,
                temporal.sql_type,
                ColumnRole::Temporal,
            ));
        }
        let category = relation_columns
            .iter()
            .find_map(|column| match column.role {
                ColumnRole::Category(values) => Some((column.name.clone(), values)),
                _ => None,
            });
        if let Some((category_name, values)) = category {
            let counted_values = &values[..values.len().min(3)];
            let output_names: Vec<String> = counted_values
                .iter()
                .map(|value| format!("{category_name}_{value}_count"))
                .collect();
            let names_are_free = output_names
                .iter()
                .all(|name| fresh_column_name(&columns, name) == *name);
            if names_are_free && self.random.percent_chance(50) {
                let quoted_values: Vec<String> = counted_values
                    .iter()
                    .map(|value| format!("'{value}'"))
                    .collect();
                items.push(format!(
                    "{{{{ count_by_value('{relation}.{category_name}', [{}], '{category_name}') }}}}",
                    quoted_values.join(", ")
                ));
                for name in output_names {
                    columns.push(TrackedColumn::new(
                        name,
                        SqlType::BigInt,
                        ColumnRole::Measure,
                    ));
                }
            }
        }
        let expression = CommonTableExpression {
            name: "aggregated".to_string(),
            select_items: items,
            // Keys from left-joined lookups can be null; the grain of the result must not be.
            from_lines: vec![
                format!("from {relation}"),
                format!("where {relation}.{} is not null", group_key.name),
                format!("group by {relation}.{}", group_key.name),
            ],
        };
        (expression, columns)
    }

    fn tests_for_transformed_model(
        &mut self,
        columns: &[TrackedColumn],
        layer: ModelLayer,
    ) -> Vec<(String, ColumnTest)> {
        let mut tests = Vec::new();
        let test_grain = layer == ModelLayer::Marts || self.random.percent_chance(50);
        for column in columns {
            match column.role {
                ColumnRole::GrainKey if test_grain => {
                    tests.push((column.name.clone(), ColumnTest::Unique));
                    tests.push((column.name.clone(), ColumnTest::NotNull));
                }
                ColumnRole::ForeignKey if self.random.percent_chance(20) => {
                    if let Some(target) = self.random_earlier_staging_with_grain(&column.name) {
                        tests.push((
                            column.name.clone(),
                            ColumnTest::Relationships { to_model: target },
                        ));
                    }
                }
                ColumnRole::Category(values) if self.random.percent_chance(25) => {
                    tests.push((column.name.clone(), ColumnTest::AcceptedValues(values)));
                }
                _ => {}
            }
        }
        tests
    }
}

/// `sum` widens integers to `hugeint` and decimals to `decimal(38,s)` in DuckDB; the cast
/// keeps tracked types to the small set the generator declares.
fn summed_with_stable_type(sum_expression: &str, input_type: SqlType) -> (String, SqlType) {
    match input_type {
        SqlType::Integer | SqlType::BigInt => {
            (format!("cast({sum_expression} as bigint)"), SqlType::BigInt)
        }
        SqlType::Decimal18x2 => (
            format!("cast({sum_expression} as decimal(18,2))"),
            SqlType::Decimal18x2,
        ),
        _ => (sum_expression.to_string(), SqlType::Double),
    }
}

fn strip_derived_prefixes(name: &str) -> &str {
    let mut stem = name;
    while let Some(prefix) = DERIVED_NAME_PREFIXES
        .iter()
        .find(|prefix| stem.starts_with(*prefix))
    {
        stem = &stem[prefix.len()..];
    }
    stem
}

/// `wanted` if no column has that name yet, else `wanted_2`, `wanted_3`, ...
fn fresh_column_name(columns: &[TrackedColumn], wanted: &str) -> String {
    let is_taken = |candidate: &str| columns.iter().any(|column| column.name == candidate);
    if !is_taken(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|suffix| format!("{wanted}_{suffix}"))
        .find(|candidate| !is_taken(candidate))
        .unwrap_or_default()
}

/// The entity whose key is named `key_name` (`customer_id` is the customer's).
pub fn entity_for_key(key_name: &str) -> Option<usize> {
    let singular = key_name.strip_suffix("_id")?;
    ENTITIES
        .iter()
        .position(|entity| entity.singular == singular)
}

/// Writes CTEs in the layout every generated model uses (the tests rely on it): a header
/// line `name as (`, `    select`, one item per line indented by eight spaces, then the
/// `from` lines indented by four, then `)`.
fn write_common_table_expressions(sql: &mut String, expressions: &[CommonTableExpression]) {
    for (position, expression) in expressions.iter().enumerate() {
        if position > 0 {
            sql.push_str(",\n\n");
        }
        sql.push_str(&expression.name);
        sql.push_str(" as (\n\n    select\n");
        for (item_position, item) in expression.select_items.iter().enumerate() {
            sql.push_str("        ");
            sql.push_str(item);
            if item_position + 1 < expression.select_items.len() {
                sql.push(',');
            }
            sql.push('\n');
        }
        for line in &expression.from_lines {
            sql.push_str("    ");
            sql.push_str(line);
            sql.push('\n');
        }
        sql.push_str("\n)");
    }
}
