//! The in-memory description of a generated dbt project: raw source tables, models with their SQL, and every model's tracked output columns, which is what lets the generator (and the tests) guarantee that a `ref` only selects columns that exist.

/// The column types the generator uses, all spelled the way DuckDB prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SqlType {
    Integer,
    BigInt,
    Varchar,
    Date,
    Timestamp,
    Double,
    /// `DECIMAL(18,2)`, the type money columns get after `cents_to_dollars`.
    Decimal18x2,
    Boolean,
}

impl SqlType {
    /// The type as written in SQL casts and in YAML `data_type`.
    pub fn sql_name(self) -> &'static str {
        match self {
            SqlType::Integer => "integer",
            SqlType::BigInt => "bigint",
            SqlType::Varchar => "varchar",
            SqlType::Date => "date",
            SqlType::Timestamp => "timestamp",
            SqlType::Double => "double",
            SqlType::Decimal18x2 => "decimal(18,2)",
            SqlType::Boolean => "boolean",
        }
    }
}

/// What a column means, which decides what later models may do with it: join on keys,
/// aggregate measures, order windows by temporal columns, test categories with
/// `accepted_values`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    /// The column that identifies a row of this model (unique and never null).
    GrainKey,
    /// A key of another entity, always `bigint`, named `<entity>_id`.
    ForeignKey,
    /// A numeric column that may be summed or averaged.
    Measure,
    /// A `date` or `timestamp` column.
    Temporal,
    /// A `varchar` column whose values are always one of these.
    Category(&'static [&'static str]),
    /// Free text.
    Text,
    /// A non-null boolean.
    Flag,
}

/// One output column of a model (or of a CTE while the model is being built).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackedColumn {
    pub name: String,
    pub sql_type: SqlType,
    pub role: ColumnRole,
}

impl TrackedColumn {
    pub fn new(name: impl Into<String>, sql_type: SqlType, role: ColumnRole) -> Self {
        Self {
            name: name.into(),
            sql_type,
            role,
        }
    }

    pub fn is_key(&self) -> bool {
        matches!(self.role, ColumnRole::GrainKey | ColumnRole::ForeignKey)
    }
}

/// A business entity; keys are named after it (`customer_id`) and so are raw tables.
#[derive(Debug, PartialEq, Eq)]
pub struct Entity {
    pub singular: &'static str,
    pub plural: &'static str,
}

/// How a raw column is turned into staging columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawColumnKind {
    /// The table's own `id`.
    PrimaryId,
    /// `<entity>_id` pointing to another entity; the index is into `ENTITIES`.
    ForeignId(usize),
    /// An integer amount in cents, converted with the `cents_to_dollars` macro.
    Cents,
    /// An integer count.
    Count,
    /// A floating-point measure.
    DoubleMeasure,
    /// A decimal measure.
    DecimalMeasure,
    /// A nullable status-like string from a fixed list (plus `'unknown'` after staging).
    Status(&'static [&'static str]),
    /// Free text.
    Text,
    Date,
    Timestamp,
    /// A nullable boolean.
    Flag,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawColumn {
    pub name: String,
    pub sql_type: SqlType,
    pub kind: RawColumnKind,
}

/// A raw table declared in `models/sources.yml` (and, with `--with-data`, seeded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceTable {
    pub source_name: &'static str,
    pub table_name: String,
    /// Index into `ENTITIES`.
    pub entity: usize,
    pub columns: Vec<RawColumn>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelLayer {
    Staging,
    Intermediate,
    Marts,
}

impl ModelLayer {
    /// The folder under `models/`, which is also the key of the layer's config in `dbt_project.yml`.
    pub fn folder_name(self) -> &'static str {
        match self {
            ModelLayer::Staging => "staging",
            ModelLayer::Intermediate => "intermediate",
            ModelLayer::Marts => "marts",
        }
    }
}

/// A generic data test on one column, as written in the schema YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnTest {
    NotNull,
    Unique,
    AcceptedValues(&'static [&'static str]),
    /// `relationships` to the column of the same name in an earlier model.
    Relationships {
        to_model: usize,
    },
}

/// A model and everything the generator knows about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedModel {
    pub name: String,
    pub layer: ModelLayer,
    /// Folder of the `.sql` file, relative to the project root (`models/staging/part_0000`).
    pub folder: String,
    pub description: String,
    /// The model's Jinja SQL, exactly as written to disk.
    pub sql: String,
    /// Models this one calls `ref` on, the primary input first; all have smaller indices.
    pub referenced_models: Vec<usize>,
    /// For staging models, the index of the one source table they read.
    pub source_table: Option<usize>,
    /// The output columns, in order.
    pub columns: Vec<TrackedColumn>,
    /// Length of the longest chain of refs from a source to this model (staging is 1).
    pub depth: u32,
    /// Tests per column name, in the order they are written.
    pub column_tests: Vec<(String, ColumnTest)>,
    pub materialization: &'static str,
}

/// A whole generated project, before it is written out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedProject {
    pub seed: u64,
    pub sources: Vec<SourceTable>,
    pub models: Vec<GeneratedModel>,
}

impl GeneratedProject {
    pub fn count_models_in_layer(&self, layer: ModelLayer) -> usize {
        self.models
            .iter()
            .filter(|model| model.layer == layer)
            .count()
    }

    pub fn maximum_depth(&self) -> u32 {
        self.models
            .iter()
            .map(|model| model.depth)
            .max()
            .unwrap_or(0)
    }
}
