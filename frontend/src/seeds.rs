//! Seed CSV files: parsing (RFC 4180 quoting) and column type inference as
//! dbt-duckdb infers it when no `column_types` config overrides a column.

use fusion_ir::types::{SqlType, TimeZoneKind};

/// A parsed seed: the header and the data rows, all as text.
#[derive(Clone, Debug, Default)]
pub struct SeedTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A malformed CSV: what is wrong and at which byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    pub message: String,
    pub offset: usize,
    pub line: usize,
}

/// Parses CSV text. Every row must have as many fields as the header.
pub fn parse_csv(text: &str) -> Result<SeedTable, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bytes = text.as_bytes();
    let mut records: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut position = 0usize;
    let mut line = 1usize;
    let mut record_start = 0usize;
    let mut record_line = 1usize;
    let mut field_is_quoted = false;
    while position < bytes.len() {
        let byte = bytes[position];
        if byte == b'"' && field.is_empty() && !field_is_quoted {
            // A quoted field: read up to the closing quote, `""` is a quote.
            field_is_quoted = true;
            position += 1;
            let quote_start = position - 1;
            loop {
                match text[position..].find('"') {
                    None => {
                        return Err(CsvError {
                            message: "a quoted field is not closed".to_string(),
                            offset: quote_start,
                            line,
                        })
                    }
                    Some(found) => {
                        let chunk = &text[position..position + found];
                        line += chunk.matches('\n').count();
                        field.push_str(chunk);
                        position += found + 1;
                        if bytes.get(position) == Some(&b'"') {
                            field.push('"');
                            position += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            if let Some(&next) = bytes.get(position) {
                if next != b',' && next != b'\n' && next != b'\r' {
                    return Err(CsvError {
                        message: "unexpected text after a quoted field".to_string(),
                        offset: position,
                        line,
                    });
                }
            }
            continue;
        }
        match byte {
            b',' => {
                fields.push(std::mem::take(&mut field));
                field_is_quoted = false;
                position += 1;
            }
            b'\r' | b'\n' => {
                fields.push(std::mem::take(&mut field));
                field_is_quoted = false;
                let is_blank = fields.len() == 1 && fields[0].is_empty();
                if !is_blank {
                    records.push((record_start, record_line, std::mem::take(&mut fields)));
                }
                fields.clear();
                if byte == b'\r' && bytes.get(position + 1) == Some(&b'\n') {
                    position += 1;
                }
                position += 1;
                line += 1;
                record_start = position;
                record_line = line;
            }
            _ => {
                let character_length = text[position..].chars().next().map_or(1, char::len_utf8);
                field.push_str(&text[position..position + character_length]);
                position += character_length;
            }
        }
    }
    if !field.is_empty() || !fields.is_empty() || field_is_quoted {
        fields.push(field);
        records.push((record_start, record_line, fields));
    }
    let mut records = records.into_iter();
    let Some((_, _, header)) = records.next() else {
        return Err(CsvError {
            message: "the file is empty: a seed needs a header row".to_string(),
            offset: 0,
            line: 1,
        });
    };
    let mut rows = Vec::new();
    for (offset, record_line, record) in records {
        if record.len() != header.len() {
            return Err(CsvError {
                message: format!(
                    "row has {} fields but the header has {}",
                    record.len(),
                    header.len()
                ),
                offset,
                line: record_line,
            });
        }
        rows.push(record);
    }
    Ok(SeedTable {
        header: header
            .into_iter()
            .map(|name| name.trim().to_string())
            .collect(),
        rows,
    })
}

/// What one non-empty cell looks like, from the narrowest type to the widest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum CellKind {
    Boolean,
    Integer,
    Double,
    Date,
    Timestamp,
    Text,
}

fn classify(cell: &str) -> CellKind {
    let cell = cell.trim();
    if cell.eq_ignore_ascii_case("true") || cell.eq_ignore_ascii_case("false") {
        return CellKind::Boolean;
    }
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    if !unsigned.is_empty() && unsigned.bytes().all(|byte| byte.is_ascii_digit()) {
        return CellKind::Integer;
    }
    if is_decimal_number(unsigned) {
        return CellKind::Double;
    }
    if is_iso_date(cell) {
        return CellKind::Date;
    }
    if cell.len() > 10 && is_iso_date(&cell[..10]) {
        let rest = &cell[10..];
        if let Some(time) = rest.strip_prefix([' ', 'T']) {
            if is_time_of_day(time) {
                return CellKind::Timestamp;
            }
        }
    }
    CellKind::Text
}

fn is_decimal_number(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(index) => (&text[..index], Some(&text[index + 1..])),
        None => (text, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let mantissa_ok = digits(whole)
        && fraction.is_none_or(digits)
        && (!whole.is_empty() || fraction.is_some_and(|fraction| !fraction.is_empty()));
    let has_decimal_part = fraction.is_some() || exponent.is_some();
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && has_decimal_part && exponent_ok
}

fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&index| bytes[index].is_ascii_digit())
        && matches!(text[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(text[8..10].parse::<u8>(), Ok(1..=31))
}

fn is_time_of_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 5 || bytes[2] != b':' {
        return false;
    }
    let hours_minutes = [0, 1, 3, 4]
        .iter()
        .all(|&index| bytes[index].is_ascii_digit());
    let rest = &text[5..];
    let rest_ok = rest.is_empty()
        || rest.strip_prefix(':').is_some_and(|seconds| {
            let seconds = seconds.trim_end_matches('Z');
            let whole = seconds.split('.').next().unwrap_or_default();
            whole.len() == 2
                && seconds
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || byte == b'.')
        });
    hours_minutes && rest_ok
}

/// Infers one column's type from its cells: empty cells are NULL and do not
/// vote; a column with no values is VARCHAR. Integers mixed with decimals
/// widen to DOUBLE, dates mixed with datetimes to TIMESTAMP; any other mix is
/// VARCHAR.
pub fn infer_column_type<'a>(cells: impl IntoIterator<Item = &'a str>) -> SqlType {
    let mut widest: Option<CellKind> = None;
    for cell in cells {
        if cell.trim().is_empty() {
            continue;
        }
        let kind = classify(cell);
        widest = Some(match widest {
            None => kind,
            Some(previous) if previous == kind => kind,
            Some(previous) => {
                let (low, high) = (previous.min(kind), previous.max(kind));
                match (low, high) {
                    (CellKind::Integer, CellKind::Double) => CellKind::Double,
                    (CellKind::Date, CellKind::Timestamp) => CellKind::Timestamp,
                    _ => CellKind::Text,
                }
            }
        });
    }
    match widest {
        Some(CellKind::Boolean) => SqlType::Boolean,
        Some(CellKind::Integer) => SqlType::Int { bits: 32 },
        Some(CellKind::Double) => SqlType::Float64,
        Some(CellKind::Date) => SqlType::Date,
        Some(CellKind::Timestamp) => SqlType::Timestamp {
            zone: TimeZoneKind::Without,
        },
        Some(CellKind::Text) | None => SqlType::String { max_len: None },
    }
}

/// DuckDB's spelling of an inferred seed type, for manifests and summaries.
pub fn duckdb_type_name(sql_type: &SqlType) -> &'static str {
    match sql_type {
        SqlType::Boolean => "BOOLEAN",
        SqlType::Int { bits: 64 } => "BIGINT",
        SqlType::Int { .. } => "INTEGER",
        SqlType::Float64 => "DOUBLE",
        SqlType::Date => "DATE",
        SqlType::Timestamp { .. } => "TIMESTAMP",
        _ => "VARCHAR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotes_crlf_and_blank_lines() {
        let table = parse_csv("id,name\r\n1,\"a, \"\"b\"\"\"\r\n\r\n2,c\n").unwrap_or_default();
        assert_eq!(table.header, vec!["id", "name"]);
        assert_eq!(table.rows, vec![vec!["1", "a, \"b\""], vec!["2", "c"]]);
    }

    #[test]
    fn reports_ragged_rows_and_unclosed_quotes() {
        let error = parse_csv("id,name\n1,alice,extra\n").err();
        assert_eq!(error.map(|error| (error.line, error.offset)), Some((2, 8)));
        assert!(parse_csv("id\n\"open\n").is_err());
        assert!(parse_csv("").is_err());
    }

    #[test]
    fn infers_types_and_ignores_empty_cells() {
        assert_eq!(
            infer_column_type(["1", "", "-3"]),
            SqlType::Int { bits: 32 }
        );
        assert_eq!(infer_column_type(["1", "2.5"]), SqlType::Float64);
        assert_eq!(infer_column_type(["2024-01-31", ""]), SqlType::Date);
        assert_eq!(
            infer_column_type(["2024-01-31 10:00:00", "2024-02-01"]),
            SqlType::TIMESTAMP
        );
        assert_eq!(infer_column_type(["true", "False"]), SqlType::Boolean);
        assert_eq!(infer_column_type(["1", "x"]), SqlType::STRING);
        assert_eq!(infer_column_type(["", ""]), SqlType::STRING);
    }
}
