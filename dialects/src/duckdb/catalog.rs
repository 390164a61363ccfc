//! DuckDB's starter function catalog, as a declarative table of signatures.
//!
//! Each line is `kind name[|alias...](params) -> result`. `kind` is `scalar`,
//! `agg` or `window`. A parameter is a DuckDB type name or one of `any`,
//! `numeric`, `string`, `temporal`, `array`, `datepart`, a type variable `T`
//! or `U`, or `T[]` (a list of `T`); a trailing `?` makes it optional and
//! `...` makes it repeat. The result is a type name, `T`, `U`, `T[]`, `sum`
//! or `avg` (the dialect's SUM/AVG rules on the first argument), followed by
//! `!` when it is never NULL, `*` when it is NULL only if every argument is,
//! or `~` when it may be NULL whatever the arguments. Several lines with one
//! name are overloads, tried in order.
//!
//! A later change moves this table into a data file read by a lalrpop
//! grammar; the line format is kept close to that signature language.

use fusion_ir::name::Name;
use fusion_ir::query::FunctionKind;
use fusion_ir::semantics::{
    FunctionDef, Param, ParamType, ResultNullability, ReturnType, Signature,
};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

const CATALOG: &str = r#"
# ---- aggregates ----
agg count(any?) -> bigint!
agg count_star() -> bigint!
agg count_if|countif(boolean) -> bigint!
agg sum(numeric) -> sum
agg sum(boolean) -> sum
agg sum(interval) -> interval
agg fsum|sumkahan|kahan_sum(numeric) -> double
agg avg|mean(numeric) -> avg
agg avg|mean(temporal) -> avg
agg avg|mean(interval) -> interval
agg min|max(T) -> T
agg min|max(T, bigint) -> T[]
agg any_value|arbitrary|first|last(T) -> T
agg string_agg|listagg|group_concat(string, string?) -> varchar
agg string_agg|listagg|group_concat(any, string?) -> varchar
agg list|array_agg(T) -> T[]
agg bool_and|bool_or|every(boolean) -> boolean
agg stddev|stddev_samp|stddev_pop|variance|var_samp|var_pop(numeric) -> double
agg corr|covar_pop|covar_samp|regr_slope|regr_intercept|regr_r2|regr_avgx|regr_avgy(numeric, numeric) -> double
agg regr_count(numeric, numeric) -> integer!
agg entropy|kurtosis|kurtosis_pop|skewness(numeric) -> double
agg median(numeric) -> double
agg median(T) -> T
agg quantile_cont|percentile_cont(numeric, any) -> double
agg quantile_cont|percentile_cont(T, any) -> T
agg quantile_disc|percentile_disc|quantile(T, any) -> T
agg mode(T) -> T
agg approx_count_distinct(any) -> bigint!
agg approx_quantile(T, any) -> T
agg arg_min|arg_max|argmin|argmax|min_by|max_by(T, any) -> T
agg arg_min|arg_max|argmin|argmax|min_by|max_by(T, any, bigint) -> T[]
agg bit_and|bit_or|bit_xor(T) -> T
agg product(numeric) -> double
agg histogram(T) -> map(T, ubigint)
agg grouping|grouping_id(any...) -> bigint!

# ---- window functions ----
window row_number|rank|dense_rank() -> bigint!
window percent_rank|cume_dist() -> double!
window ntile(bigint) -> bigint!
window lag|lead(T, bigint?, T?) -> T~
window first_value|last_value(T) -> T~
window nth_value(T, bigint) -> T~

# ---- conditional ----
scalar coalesce(T...) -> T*
scalar ifnull(T, T) -> T*
scalar nullif(T, T) -> T~
scalar greatest|least(T...) -> T
scalar if|iff(boolean, T, T) -> T

# ---- strings ----
scalar lower|lcase|upper|ucase|trim|ltrim|rtrim|reverse|md5|sha1|sha256|initcap(string) -> varchar
scalar trim|ltrim|rtrim(string, string) -> varchar
scalar length|len|char_length|character_length|strlen|bit_length|octet_length|ascii(string) -> bigint
scalar length|len|array_length(array) -> bigint
scalar substring|substr(string, bigint, bigint?) -> varchar
scalar replace|translate(string, string, string) -> varchar
scalar concat(any...) -> varchar*
scalar concat_ws(string, any...) -> varchar
scalar split_part(string, string, bigint) -> varchar
scalar left|right(string, bigint) -> varchar
scalar lpad|rpad(string, integer, string) -> varchar
scalar starts_with|ends_with|suffix|prefix|contains|like_escape(string, string) -> boolean
scalar contains(array, any) -> boolean
scalar regexp_matches|regexp_full_match(string, string, string?) -> boolean
scalar regexp_replace(string, string, string, string?) -> varchar
scalar regexp_extract(string, string, any?, string?) -> varchar
scalar regexp_extract_all(string, string, any?, string?) -> varchar[]
scalar regexp_split_to_array|string_split|str_split|string_to_array|split(string, string) -> varchar[]
scalar strpos|position|instr(string, string) -> bigint
scalar repeat(string, bigint) -> varchar
scalar repeat(T[], bigint) -> T[]
scalar format|printf(string, any...) -> varchar
scalar chr(integer) -> varchar
scalar encode(string) -> blob
scalar decode(blob) -> varchar
scalar unhex|from_hex(string) -> blob
scalar hex|to_hex(any) -> varchar
scalar to_base64|base64(blob) -> varchar
scalar from_base64(string) -> blob
scalar jaro_winkler_similarity|jaro_similarity|jaccard(string, string) -> double
scalar levenshtein|editdist3|damerau_levenshtein|hamming|mismatches(string, string) -> bigint
scalar string_agg_scalar(string) -> varchar
scalar uuid|gen_random_uuid() -> uuid!
scalar current_schema|current_database|current_catalog|version() -> varchar!
scalar json_extract|json_extract_path|json(any, string?) -> json
scalar json_extract_string|json_extract_path_text|json_value(any, string) -> varchar
scalar to_json|json_object|json_array|json_quote(any...) -> json
scalar json_array_length(any, string?) -> ubigint
scalar json_type(any, string?) -> varchar
scalar json_valid(any) -> boolean
scalar hash(any...) -> ubigint!
scalar typeof(any) -> varchar!

# ---- math ----
scalar abs(T) -> T
scalar round(T, integer?) -> T
scalar floor|ceil|ceiling|trunc|even(T) -> T
scalar sqrt|cbrt|ln|log10|log2|exp|sin|cos|tan|cot|asin|acos|atan|sinh|cosh|tanh|asinh|acosh|atanh|degrees|radians|gamma|lgamma(double) -> double
scalar log(double, double?) -> double
scalar power|pow(double, double) -> double
scalar atan2(double, double) -> double
scalar mod(T, T) -> T
scalar sign(numeric) -> tinyint
scalar random() -> double!
scalar pi() -> double!
scalar factorial(integer) -> hugeint
scalar isnan|isinf|isfinite(double) -> boolean
scalar gcd|lcm(T, T) -> T
scalar bit_count(any) -> tinyint

# ---- dates and times ----
scalar current_date|today() -> date!
scalar current_timestamp|now|get_current_timestamp|transaction_timestamp() -> timestamptz!
scalar current_time() -> time!
scalar date_trunc|datetrunc(datepart, date) -> date
scalar date_trunc|datetrunc(datepart, timestamp) -> timestamp
scalar date_trunc|datetrunc(datepart, timestamptz) -> timestamptz
scalar date_trunc|datetrunc(datepart, interval) -> interval
scalar date_part|datepart(datepart, temporal) -> bigint
scalar date_part|datepart(datepart, interval) -> bigint
scalar extract(datepart, temporal) -> bigint
scalar date_diff|datediff|date_sub|datesub(datepart, temporal, temporal) -> bigint
scalar date_add(date, interval) -> timestamp
scalar date_add(timestamp, interval) -> timestamp
scalar strftime(temporal, string) -> varchar
scalar strptime(string, string) -> timestamp
scalar try_strptime(string, string) -> timestamp~
scalar make_date(bigint, bigint, bigint) -> date
scalar make_time(bigint, bigint, double) -> time
scalar make_timestamp(bigint, bigint?, bigint?, bigint?, bigint?, double?) -> timestamp
scalar to_timestamp(double) -> timestamptz
scalar epoch(temporal) -> double
scalar epoch(interval) -> double
scalar epoch_ms|epoch_us|epoch_ns(temporal) -> bigint
scalar year|month|day|hour|minute|second|millisecond|microsecond|quarter|week|weekday|dayofweek|dayofmonth|dayofyear|isodow|isoyear|weekofyear|yearweek|decade|century|era|epoch_second(temporal) -> bigint
scalar year|month|day|hour|minute|second|quarter(interval) -> bigint
scalar dayname|monthname(temporal) -> varchar
scalar last_day(temporal) -> date
scalar age(timestamp, timestamp?) -> interval
scalar to_days|to_hours|to_minutes|to_seconds|to_months|to_years|to_weeks|to_milliseconds|to_microseconds(bigint) -> interval
scalar time_bucket(interval, date, any?) -> date
scalar time_bucket(interval, timestamp, any?) -> timestamp
scalar time_bucket(interval, timestamptz, any?) -> timestamptz

# ---- lists and structs ----
scalar list_value|list_pack(T...) -> T[]!
scalar list_contains|list_has|array_contains|array_has(T[], T) -> boolean
scalar list_has_any|list_has_all|array_has_any|array_has_all(T[], T[]) -> boolean
scalar list_extract|list_element|array_extract(T[], bigint) -> T~
scalar list_extract|array_extract(string, bigint) -> varchar
scalar list_concat|list_cat|array_concat|array_cat(T[], T[]) -> T[]
scalar list_distinct|list_sort|list_reverse_sort|array_distinct|array_sort|flatten(T[]) -> T[]
scalar list_slice|array_slice(T[], bigint, bigint) -> T[]
scalar list_position|list_indexof|array_position(T[], T) -> integer
scalar list_aggregate|list_aggr|array_aggregate(array, string) -> any
scalar list_transform|array_transform|apply|list_apply(array, any) -> any
scalar list_filter|array_filter|filter(T[], any) -> T[]
scalar array_to_string|list_to_string(array, string) -> varchar
scalar cardinality(any) -> ubigint
scalar struct_pack|struct_insert(any...) -> any
scalar struct_extract(any, string) -> any
scalar map_keys(any) -> any
scalar map_values(any) -> any
scalar unnest(T[]) -> T
scalar generate_series|range(bigint, bigint?, bigint?) -> bigint[]
scalar list_max|list_min|list_first|list_last|list_any_value|array_max|array_min(T[]) -> T~
scalar list_sum|list_avg|array_sum|array_avg(array) -> any
scalar list_sort|array_sort(T[], string, string?) -> T[]
scalar map(any...) -> any
scalar map_from_entries|map_entries|map_concat|map_extract|element_at(any...) -> any
scalar str_split_regex|regexp_split_to_array(string, string) -> varchar[]
scalar get_current_time() -> time!
scalar timezone(string, timestamp) -> timestamptz
scalar timezone(string, timestamptz) -> timestamp
scalar get_bit(any, integer) -> integer
scalar try(T) -> T~
# DuckDB's star expressions: `COLUMNS(*)`, `*COLUMNS(...)` (typed by expansion, not yet modelled).
scalar columns|unpack(any...) -> any

# ---- more aggregates ----
agg approx_top_k(T, bigint) -> T[]
"#;

struct Catalog {
    functions: FxHashMap<String, FunctionDef>,
    names: Vec<&'static str>,
}

fn catalog() -> &'static Catalog {
    static CATALOG_CELL: OnceLock<Catalog> = OnceLock::new();
    CATALOG_CELL.get_or_init(|| {
        let mut functions: FxHashMap<String, FunctionDef> = FxHashMap::default();
        let mut names: Vec<&'static str> = Vec::new();
        for line in CATALOG
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
        {
            let Some(parsed) = parse_line(line) else {
                // The table is a constant checked by `every_catalog_line_parses`.
                continue;
            };
            for name in parsed.names {
                let entry = functions.entry(name.to_owned()).or_insert_with(|| {
                    names.push(name);
                    FunctionDef {
                        name: Name::new(name),
                        kind: parsed.kind,
                        signatures: Vec::new(),
                        nullability: parsed.nullability,
                    }
                });
                entry.signatures.push(parsed.signature.clone());
            }
        }
        names.sort_unstable();
        Catalog { functions, names }
    })
}

/// Looks a function up by name, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    let functions = &catalog().functions;
    functions
        .get(name)
        .or_else(|| functions.get(&name.to_ascii_lowercase()))
}

pub fn names() -> Vec<&'static str> {
    catalog().names.clone()
}

struct ParsedLine {
    kind: FunctionKind,
    names: Vec<&'static str>,
    signature: Signature,
    nullability: ResultNullability,
}

fn parse_type_token(token: &str) -> Option<ParamType> {
    Some(match token {
        "any" => ParamType::Any,
        "numeric" => ParamType::Numeric,
        "string" => ParamType::String,
        "temporal" => ParamType::Temporal,
        "array" => ParamType::AnyArray,
        "datepart" => ParamType::DatePart,
        "T" => ParamType::Var(0),
        "U" => ParamType::Var(1),
        "T[]" => ParamType::ArrayOf(0),
        "U[]" => ParamType::ArrayOf(1),
        other => ParamType::Exact(fusion_ir::semantics::DialectSemantics::parse_type_name(
            &super::DUCKDB_SEMANTICS,
            other,
        )?),
    })
}

fn parse_return(token: &str) -> Option<ReturnType> {
    Some(match token {
        "T" => ReturnType::Var(0),
        "U" => ReturnType::Var(1),
        "T[]" => ReturnType::ArrayOf(0),
        "sum" => ReturnType::SumOf,
        "avg" => ReturnType::AverageOf,
        // Results the catalog cannot describe yet (lambdas, structs built
        // from arguments): unknown, which skips checks rather than failing them.
        "any" => ReturnType::Exact(fusion_ir::types::SqlType::Unknown),
        "map(T, ubigint)" => ReturnType::Exact(fusion_ir::types::SqlType::Unknown),
        other => ReturnType::Exact(fusion_ir::semantics::DialectSemantics::parse_type_name(
            &super::DUCKDB_SEMANTICS,
            other,
        )?),
    })
}

fn parse_line(line: &'static str) -> Option<ParsedLine> {
    let (kind_text, rest) = line.split_once(' ')?;
    let kind = match kind_text {
        "scalar" => FunctionKind::Scalar,
        "agg" => FunctionKind::Aggregate,
        "window" => FunctionKind::Window,
        _ => return None,
    };
    let open = rest.find('(')?;
    let (signature_text, result_text) = rest.split_once("->")?;
    let close = signature_text.rfind(')')?;
    let names: Vec<&'static str> = rest[..open].trim().split('|').collect();
    let params_text = signature_text[open + 1..close].trim();
    let mut params = Vec::new();
    if !params_text.is_empty() {
        for token in params_text.split(',').map(str::trim) {
            let (token, variadic) = match token.strip_suffix("...") {
                Some(stripped) => (stripped, true),
                None => (token, false),
            };
            let (token, optional) = match token.strip_suffix('?') {
                Some(stripped) => (stripped, true),
                None => (token, false),
            };
            params.push(Param {
                name: None,
                ty: parse_type_token(token)?,
                optional,
                variadic,
            });
        }
    }
    let result_text = result_text.trim();
    let (result_text, nullability) = match result_text.chars().last() {
        Some('!') => (
            &result_text[..result_text.len() - 1],
            ResultNullability::Never,
        ),
        Some('*') => (
            &result_text[..result_text.len() - 1],
            ResultNullability::AllArguments,
        ),
        Some('~') => (
            &result_text[..result_text.len() - 1],
            ResultNullability::Always,
        ),
        _ => (
            result_text,
            match kind {
                FunctionKind::Aggregate | FunctionKind::Window => ResultNullability::Always,
                _ => ResultNullability::FromArguments,
            },
        ),
    };
    Some(ParsedLine {
        kind,
        names,
        signature: Signature {
            params,
            returns: parse_return(result_text)?,
        },
        nullability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_line_parses() {
        for line in CATALOG
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
        {
            assert!(
                parse_line(line).is_some(),
                "catalog line does not parse: {line}"
            );
        }
    }

    #[test]
    fn overloads_accumulate() {
        let trim = lookup("TRIM").map(|def| def.signatures.len());
        assert_eq!(trim, Some(2));
        assert_eq!(
            lookup("count").map(|def| def.nullability),
            Some(ResultNullability::Never)
        );
        assert_eq!(
            lookup("row_number").map(|def| def.kind),
            Some(FunctionKind::Window)
        );
    }
}
