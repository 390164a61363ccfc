//! The registry of diagnostic codes. Every code fusionc can emit is declared
//! here, once, with its default severity, a one-line summary and an example
//! input that triggers it. Codes are stable: never renumber, only add.
//!
//! Ranges: `FC0xxx` project loading and configuration, `FC1xxx` Jinja,
//! `FC2xxx` the project graph, `FC3xxx` SQL syntax, `FC4xxx` binding and types,
//! `FC5xxx` running against a warehouse.

use crate::severity::Severity;

macro_rules! define_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident, $summary:literal, example: $example:literal; )*) => {
        /// A stable diagnostic code. See [`Code::info`] for its documentation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* #[doc = concat!("`", $code, "`: ", $summary, ".")] $variant, )*
        }

        impl Code {
            /// Every registered code, in declaration order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code's registry entry: its text, default severity,
            /// summary and an example that triggers it.
            pub fn info(self) -> &'static CodeInfo {
                match self {
                    $( Code::$variant => &CodeInfo {
                        code: $code,
                        name: stringify!($variant),
                        default_severity: Severity::$severity,
                        summary: $summary,
                        example: $example,
                    }, )*
                }
            }
        }
    };
}

/// The documentation of one code.
#[derive(Debug)]
pub struct CodeInfo {
    /// The stable text of the code, such as `FC4002`.
    pub code: &'static str,
    /// The variant name, for people reading Rust.
    pub name: &'static str,
    /// The severity a diagnostic of this code gets unless the emitter says
    /// otherwise (`Diagnostic::with_severity`).
    pub default_severity: Severity,
    /// One line on what the code means, for `fusionc` docs and tools.
    pub summary: &'static str,
    /// A minimal input that triggers the code (file contents, or a command line).
    pub example: &'static str,
}

impl Code {
    /// The stable text of the code, such as `FC4002`: what diagnostics show
    /// and JSON output carries.
    pub fn as_str(self) -> &'static str {
        self.info().code
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

define_codes! {
    // ---- FC0xxx: project loading and configuration ----
    ProjectFileMissing = "FC0001", Error, "the project folder holds no dbt_project.yml",
        example: "fusionc compile --project-dir /tmp/empty";
    YamlSyntax = "FC0002", Error, "a YAML file is not valid YAML",
        example: "models:\n  - name: orders\n    columns: [unclosed";
    YamlShape = "FC0003", Error, "a YAML value has the wrong shape or type for its key",
        example: "models: \"orders\"   # a list of models was expected";
    ProfileNotFound = "FC0004", Error, "no profiles.yml, or the profile or target it names is missing",
        example: "dbt_project.yml: profile: shop   # and no profiles.yml defines `shop`";
    EnvVarMissing = "FC0005", Error, "env_var() names an unset variable and gives no default",
        example: "path: \"{{ env_var('DUCKDB_PATH') }}\"   # with DUCKDB_PATH unset";
    SeedCsv = "FC0006", Error, "a seed CSV file is malformed",
        example: "id,name\n1,alice,extra";
    UnsupportedAdapter = "FC0007", Error, "the profile's adapter type is not one fusionc supports",
        example: "type: oracle";
    InvalidVarsArgument = "FC0008", Error, "the --vars argument is not a YAML mapping",
        example: "fusionc compile --vars '[1, 2]'";
    InvalidConfig = "FC0009", Error, "a config value is not one the key accepts",
        example: "config: {external_location: \"data/{nmae}.csv\"}   # on a DuckDB source table; the field is {name}";
    FileUnreadable = "FC0010", Error, "a project file could not be read",
        example: "models/orders.sql with permissions 000";
    UnknownConfigKey = "FC0011", Warning, "a config key is not one dbt or its adapters define for the resource type; it is kept but unused",
        example: "models:\n  shop:\n    +materialise: table";
    PackagesNotInstalled = "FC0012", Warning, "packages.yml lists packages but none is installed (run `fusionc deps` or `dbt deps`)",
        example: "packages.yml with `- package: dbt-labs/dbt_utils` and no dbt_packages/ folder";
    DuplicatePatch = "FC0013", Error, "a model, seed or snapshot is described by two YAML entries",
        example: "models/a.yml and models/b.yml both with `- name: orders` under `models:`";
    DocNotFound = "FC0014", Error, "a description calls doc() with a name that no docs block defines",
        example: "description: \"{{ doc('orders_overveiw') }}\"   # the block is orders_overview";
    PackagesFileMalformed = "FC0015", Error, "packages.yml, dependencies.yml or package-lock.yml does not have the shape dbt expects",
        example: "packages:\n  - git: https://github.com/org/repo.git\n    revison: v1   # misspelt key";
    LocalPackageNotFound = "FC0016", Error, "a `local:` package names a folder that does not exist",
        example: "packages:\n  - local: ../shared_macros   # no such folder";
    GitPackageFailed = "FC0017", Error, "git could not clone a package or check out its revision",
        example: "packages:\n  - git: https://github.com/dbt-labs/dbt-utils.git\n    revision: no-such-tag";
    PackageWithoutProject = "FC0018", Error, "an installed or declared package has no dbt_project.yml",
        example: "packages:\n  - local: ../not_a_dbt_project";
    PackageVersionConflict = "FC0019", Error, "a package is requested at revisions or versions that cannot all hold",
        example: "packages:\n  - git: https://github.com/org/a.git\n    revision: v1\n  - git: https://github.com/org/a.git\n    revision: v2";
    PackageSourceUnreachable = "FC0020", Error, "the package hub or a git host cannot be reached (or used) to fetch a package",
        example: "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0   # on a machine without network";
    DuplicatePackageName = "FC0021", Error, "two packages, or a package and the root project, have the same project name",
        example: "packages:\n  - local: ../a\n  - local: ../copy_of_a   # both with name: a";
    UnpinnedGitPackage = "FC0022", Warning, "a git package follows a branch or the default branch instead of a tag or commit",
        example: "packages:\n  - git: https://github.com/org/a.git   # no revision";
    PackageInstallFailed = "FC0023", Error, "a package could not be written into the packages install folder",
        example: "dbt_packages/ on a read-only file system";
    DuplicateYamlKey = "FC0024", Warning, "a YAML mapping holds the same key twice; its last value is kept, as dbt keeps it",
        example: "version: 2\nmodels:\n  - name: orders\n    description: first\n    description: second   # kept";
    UnitTestDefinition = "FC0025", Error, "a unit test's definition cannot be used: a malformed input, format or fixture, or an incremental model tested without an is_incremental override",
        example: "unit_tests:\n  - name: t\n    model: orders\n    given: [{input: \"ref('customers')\", format: xml, rows: []}]\n    expect: {rows: []}";
    InvalidSelectors = "FC0030", Error, "selectors.yml is malformed, or a command names a selector it does not define",
        example: "selectors:\n  - name: nightly   # no definition";
    SecretEnvVarOutsideProfile = "FC0031", Error, "env_var() reads a secret variable (`DBT_ENV_SECRET...`) outside profiles.yml and packages.yml, where dbt refuses it",
        example: "select '{{ env_var('DBT_ENV_SECRET_TOKEN') }}' as token   # in models/leak.sql";
    PostgresProfileInvalid = "FC0040", Error, "a postgres target lacks a key dbt-postgres requires (host, user, dbname), or gives one a value it cannot take (port, sslmode, a certificate file)",
        example: "type: postgres, host: 127.0.0.1, user: postgres, dbname: test, port: fivefourthreetwo";

    // ---- FC1xxx: Jinja ----
    JinjaSyntax = "FC1001", Error, "a template is not valid Jinja",
        example: "select {{ ref('orders' }}";
    JinjaRender = "FC1002", Error, "rendering a template failed",
        example: "select {{ 1 / 0 }}";
    UndefinedVar = "FC1003", Error, "var() names a variable that is not defined and gives no default",
        example: "select {{ var('start_date') }}   # with no vars: in dbt_project.yml";
    UndefinedMacro = "FC1004", Error, "a template calls a macro or function that does not exist",
        example: "select {{ cents_to_dollar('amount') }}   # the macro is cents_to_dollars";
    CompilerError = "FC1005", Error, "the project raised an error with exceptions.raise_compiler_error",
        example: "{{ exceptions.raise_compiler_error('unsupported') }}";
    JinjaWarning = "FC1006", Warning, "the project raised a warning with exceptions.warn",
        example: "{% do exceptions.warn('this model is deprecated') %}\nselect 1 as id";

    // ---- FC2xxx: the project graph ----
    RefNotFound = "FC2001", Error, "ref() names a node that does not exist",
        example: "select * from {{ ref('stg_ordres') }}";
    SourceNotFound = "FC2002", Error, "source() names a source or table that is not declared",
        example: "select * from {{ source('shop', 'ordres') }}";
    DependencyCycle = "FC2003", Error, "nodes depend on each other in a cycle",
        example: "a.sql: select * from {{ ref('b') }}\nb.sql: select * from {{ ref('a') }}";
    DuplicateNode = "FC2004", Error, "two nodes of the project have the same name",
        example: "models/a/orders.sql and models/b/orders.sql";
    MissingSemanticReference = "FC2005", Error, "a metric, saved query or exposure names a measure or metric that no semantic model or metric declares",
        example: "metrics:\n  - name: revenue\n    type: simple\n    type_params:\n      measure: revenu   # the measure is revenue";
    UnknownGroup = "FC2006", Error, "a node's `group` config names a group that no `groups:` entry declares",
        example: "models:\n  - name: orders\n    config:\n      group: finanse   # the group is finance";
    DeprecatedModelVersion = "FC2007", Warning, "a model (version) is past its deprecation_date, or a node reads one that is or will be deprecated",
        example: "models:\n  - name: orders\n    latest_version: 2\n    versions:\n      - v: 1\n        deprecation_date: 2020-01-01   # read by ref('orders', v=1)\n      - v: 2";
    UnitTestModelNotFound = "FC2008", Error, "a unit test names a model that does not exist",
        example: "unit_tests:\n  - name: t\n    model: ordres\n    given: []\n    expect: {rows: []}";
    UnitTestInputMissing = "FC2009", Error, "a unit test gives no rows for a ref() or source() its model reads",
        example: "unit_tests:\n  - name: t\n    model: orders   # reads ref('customers')\n    given: []\n    expect: {rows: []}";
    UnitTestInputUnused = "FC2010", Warning, "a unit test gives rows for an input its model does not read",
        example: "unit_tests:\n  - name: t\n    model: orders   # does not read payments\n    given: [{input: \"ref('payments')\", rows: []}]\n    expect: {rows: []}";
    DuplicateRelation = "FC2011", Error, "two nodes would write the same relation (dbt refuses the project: it found two resources with the same database representation)",
        example: "models/orders.sql: {{ config(alias='orders') }}\nmodels/orders_v2.sql: {{ config(alias='orders') }}";
    SameWarehouseRelation = "FC2012", Warning, "two nodes write relations whose names differ only in ways the warehouse ignores (the case of unquoted names on Snowflake), so one overwrites the other; dbt does not notice",
        example: "models/a.sql: {{ config(alias='orgm') }}\nmodels/b.sql: {{ config(alias='ORGM') }}   # on Snowflake";

    // ---- FC3xxx: SQL syntax ----
    UnexpectedToken = "FC3001", Error, "the SQL has a token where the grammar expects something else",
        example: "select a b c from t";
    UnterminatedLiteral = "FC3002", Error, "a string, quoted identifier or comment is not closed",
        example: "select 'abc from t";
    InvalidCharacter = "FC3003", Error, "the SQL holds a character that no token starts with",
        example: "select a \\ b from t";
    UnexpectedEnd = "FC3004", Error, "the SQL ends in the middle of a clause or expression",
        example: "select a from t where";
    NotAQuery = "FC3005", Error, "a model's SQL is not a single query",
        example: "models/orders.sql: delete from orders";
    UnsupportedStatement = "FC3006", Warning, "a statement is kept as opaque text: fusionc does not analyse it",
        example: "grant select on orders to analyst";
    InvalidLiteral = "FC3007", Error, "a literal is malformed",
        example: "select 1__000   # an underscore in a number must stand between two digits";

    // ---- FC4xxx: binding and types ----
    UnknownTable = "FC4001", Error, "a table, CTE or alias is not defined",
        example: "select * from ordres";
    UnknownColumn = "FC4002", Error, "a column is not defined by any table in scope",
        example: "select amout from orders";
    AmbiguousColumn = "FC4003", Error, "a column name matches columns of more than one table in scope",
        example: "select id from orders join customers using (customer_id)";
    UnknownFunction = "FC4004", Error, "a function is not in the dialect's catalog nor declared by the project",
        example: "select frobnicate(a) from t";
    WrongArgumentCount = "FC4005", Error, "a function is called with a number of arguments it does not take",
        example: "select coalesce() from t";
    ArgumentType = "FC4006", Error, "an argument has a type the function does not accept and the dialect would not coerce",
        example: "select sum(name) from customers   # name is VARCHAR";
    IncomparableTypes = "FC4007", Error, "two values of types that cannot be compared or combined",
        example: "select * from orders where order_date = 42";
    InvalidCast = "FC4008", Error, "a cast between types the dialect cannot convert",
        example: "select cast(order_date as boolean) from orders";
    NotGrouped = "FC4009", Error, "a column is neither grouped nor aggregated",
        example: "select customer_id, status, count(*) from orders group by customer_id";
    MisplacedAggregate = "FC4010", Error, "an aggregate or window function where the clause forbids it",
        example: "select * from orders where sum(amount) > 10";
    SetOperationWidth = "FC4011", Error, "the sides of a set operation have different numbers of columns",
        example: "select a, b from t union all select a from u";
    DuplicateOutputColumn = "FC4012", Warning, "a query outputs two columns with the same name",
        example: "select id, id from orders";
    UnknownSchema = "FC4013", Warning, "a relation's columns are unknown (a source declared without columns), so checks that need them are skipped",
        example: "a source declared in YAML without columns";
    InvalidOrdinal = "FC4014", Error, "a GROUP BY or ORDER BY position is outside the select list",
        example: "select a from t order by 2";
    SetOperationTypes = "FC4015", Error, "a set operation combines columns of incompatible types",
        example: "select 1 union all select date '2024-01-01'";
    ContractMismatch = "FC4016", Error, "a model with an enforced contract outputs columns other than the contract declares",
        example: "contract: {enforced: true}, columns: [{name: id, data_type: int}] on `select 'a' as id`";
    InvalidFunctionSignature = "FC4017", Error, "a user-defined function's declared signature cannot be read",
        example: "functions: [{name: clean, signature: 'clean(x varchar -> varchar'}]";
    WindowFunctionWithoutOver = "FC4018", Error, "a function that only works as a window function is called without OVER",
        example: "select row_number() from orders";
    OrderByNotSelected = "FC4019", Error, "a SELECT DISTINCT is ordered by a column it does not output",
        example: "select distinct customer_id from orders order by order_date";
    UnitTestUnknownColumn = "FC4020", Error, "a unit test's given rows name a column its input does not have, or its expected rows one the model does not output",
        example: "given: [{input: \"ref('customers')\", rows: [{nickname: x}]}]   # customers has no nickname";
    UnitTestValueType = "FC4021", Error, "a value of a unit test's given or expected rows cannot be cast to its column's type",
        example: "given: [{input: \"ref('customers')\", rows: [{customer_id: abc}]}]   # customer_id is an integer";
    WarehouseUnavailable = "FC5001", Error, "the warehouse cannot be opened or reached: a missing folder, a locked file, a refused connection",
        example: "path: /readonly/dev.duckdb, or a DuckDB file another process holds open for writing";
    NodeExecutionFailed = "FC5002", Error, "the warehouse rejected a node's SQL while building it",
        example: "select 1 / 'a' as broken   # in a table model: a conversion error DuckDB only finds at run time";
    TestFailed = "FC5003", Error, "a data test found failing rows",
        example: "not_null on orders.customer_id when some orders have no customer";
    TestWarning = "FC5004", Warning, "a data test with severity warn, or over its warn_if threshold, found failing rows",
        example: "config: {severity: warn} on a test that returns rows";
    StaticAnalysisBlockedRun = "FC5005", Error, "static analysis (on) found errors in selected nodes, so nothing was executed",
        example: "fusionc build --static-analysis on with a model selecting a column that does not exist";
    NodeSkipped = "FC5006", Warning, "nodes were not run because a node they depend on failed (one diagnostic per failed node)",
        example: "a model whose parent's SQL failed in the warehouse";
    SchemaChanged = "FC5007", Error, "an incremental model's columns changed and on_schema_change is fail",
        example: "on_schema_change: fail, then a new column added to the model's SELECT";
    /// Exempt from the examples test (`tests/codes.rs`): it needs a SIGINT
    /// arriving while a node runs, which a test driving the CLI in its own
    /// process cannot time reliably.
    RunInterrupted = "FC5008", Warning, "the run was interrupted (Ctrl-C): nodes not yet started were not run",
        example: "pressing Ctrl-C during fusionc build";
    InvalidStaticAnalysisMode = "FC5009", Error, "a static_analysis config or flag has a value other than on, strict, baseline, unsafe or off",
        example: "{{ config(static_analysis='sometimes') }}";
    UnknownMaterialization = "FC5010", Error, "a model names a materialization fusionc cannot run",
        example: "{{ config(materialized='materialized_view') }}";
    UnitTestFailed = "FC5011", Error, "a unit test's model returned rows other than the expected ones",
        example: "expect: {rows: [{order_count: 2}]}   # and the model counts 1";
    StateStoreUnavailable = "FC5050", Warning, "the state store cannot be read or created in the warehouse, so every selected node is built",
        example: "fusionc run --state-schema main   # where the project's view main.node_state is in the way";
    /// Its fixture needs the Postgres server of `FUSIONC_TEST_POSTGRES_URL`.
    PostgresAuthenticationFailed = "FC5100", Error, "the Postgres server refused the profile's user or password",
        example: "user: no_such_role   # or a wrong password";
    /// Its fixture needs the Postgres server of `FUSIONC_TEST_POSTGRES_URL`.
    PostgresUnknownDatabase = "FC5101", Error, "the Postgres server has no database of the profile's dbname",
        example: "dbname: no_such_database";
    PostgresUnreachable = "FC5102", Error, "no Postgres server answers at the profile's host and port, or the TLS handshake with it failed",
        example: "host: 127.0.0.1, port: 1   # nothing listens there";
    /// Its fixture needs the Postgres server of `FUSIONC_TEST_POSTGRES_URL`.
    PostgresConnectionRefused = "FC5103", Error, "the Postgres server accepted the login but refused the session: a role that cannot be set, too many connections",
        example: "role: no_such_role";
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_well_formed_and_documented() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let info = code.info();
            assert!(seen.insert(info.code), "duplicate code {}", info.code);
            assert!(
                info.code.len() == 6 && info.code.starts_with("FC"),
                "bad code {}",
                info.code
            );
            assert!(info.code[2..].bytes().all(|byte| byte.is_ascii_digit()));
            assert!(!info.summary.is_empty() && !info.example.is_empty());
        }
    }
}
