//! Seed CSV files: parsing (RFC 4180 quoting) and column type inference as
//! dbt's seed loader infers it when no `column_types` config overrides a
//! column (the adapter spells the types: `AdapterNaming::seed_type_name`).

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

/// Parses CSV text (RFC 4180, with the `csv` crate). Every row must have as
/// many fields as the header; blank lines are skipped.
pub fn parse_csv(text: &str) -> Result<SeedTable, CsvError> {
    // Offsets in errors are of the file, byte order mark included.
    let (text, bom_length) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|name| name.trim().to_string()).collect(),
        Some(Err(error)) => return Err(csv_error(&error, bom_length)),
        None => {
            return Err(CsvError {
                message: "the file is empty: a seed needs a header row".to_string(),
                offset: 0,
                line: 1,
            })
        }
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|error| csv_error(&error, bom_length))?;
        if record.len() != header.len() {
            let position = record.position();
            return Err(CsvError {
                message: format!(
                    "row has {} fields but the header has {}",
                    record.len(),
                    header.len()
                ),
                offset: bom_length + position.map_or(0, |position| position.byte() as usize),
                line: position.map_or(0, |position| position.line() as usize),
            });
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(SeedTable { header, rows })
}

fn csv_error(error: &csv::Error, bom_length: usize) -> CsvError {
    let position = error.position();
    CsvError {
        message: match error.kind() {
            csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_string(),
            _ => error.to_string(),
        },
        offset: bom_length + position.map_or(0, |position| position.byte() as usize),
        line: position.map_or(1, |position| position.line() as usize),
    }
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
    // `get` rather than slicing: byte 10 of a text cell may fall inside a
    // character (`abcdefghię`).
    if let (Some(date), Some(rest)) = (cell.get(..10), cell.get(10..)) {
        if is_iso_date(date) {
            if let Some(time) = rest.strip_prefix([' ', 'T']) {
                if is_time_of_day(time) {
                    return CellKind::Timestamp;
                }
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

/// The number two ASCII digits at `index` spell (the caller checked them).
fn two_digits(bytes: &[u8], index: usize) -> u8 {
    (bytes[index] - b'0') * 10 + (bytes[index + 1] - b'0')
}

fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&index| bytes[index].is_ascii_digit())
        && matches!(two_digits(bytes, 5), 1..=12)
        && matches!(two_digits(bytes, 8), 1..=31)
}

fn is_time_of_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 5 || bytes[2] != b':' {
        return false;
    }
    let hours_minutes = [0, 1, 3, 4]
        .iter()
        .all(|&index| bytes[index].is_ascii_digit());
    // Byte 5 may fall inside a character when the first five are not digits.
    let Some(rest) = text.get(5..) else {
        return false;
    };
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
/// vote; a column with no values is INTEGER, as dbt's type tester makes it
/// (every type accepts a NULL, and its first type, Integer, wins). Integers mixed with decimals
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
        Some(CellKind::Integer) | None => SqlType::Int { bits: 32 },
        Some(CellKind::Double) => SqlType::Float64,
        Some(CellKind::Date) => SqlType::Date,
        Some(CellKind::Timestamp) => SqlType::Timestamp {
            zone: TimeZoneKind::Without,
        },
        Some(CellKind::Text) => SqlType::String { max_len: None },
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
    fn reports_ragged_rows_and_reads_unclosed_quotes_to_the_end() {
        let error = parse_csv("id,name\n1,alice,extra\n").err();
        assert_eq!(error.map(|error| (error.line, error.offset)), Some((2, 8)));
        // Python's csv module, which dbt's seed loader uses, reads an unclosed
        // quote to the end of the file rather than failing; so does fusionc.
        let unclosed = parse_csv("id\n\"open\n").map(|table| table.rows);
        assert_eq!(unclosed, Ok(vec![vec!["open\n".to_string()]]));
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
        assert_eq!(infer_column_type(["", ""]), SqlType::Int { bits: 32 });
    }

    #[test]
    fn multibyte_cells_are_text() {
        for cell in [
            "abcdefghię",
            "2024-01-01 ab:c’x",
            "2024-01-01T1’:00",
            "ąąąąąąąąąąąą",
            "’",
            "1’",
            "2024-01-0’",
        ] {
            assert_eq!(infer_column_type([cell]), SqlType::STRING, "{cell:?}");
        }
        assert_eq!(
            infer_column_type(["2024-01-31 10:00:00", "2024-02-01"]),
            SqlType::TIMESTAMP
        );
    }

    #[test]
    fn error_offsets_count_the_byte_order_mark() {
        let text = "\u{feff}id,ę\n1,2,3\n";
        let error = parse_csv(text).err();
        let offset = error.map(|error| error.offset).unwrap_or_default();
        assert_eq!(offset, text.find('1').unwrap_or_default());
        assert!(text.is_char_boundary(offset));
    }
}
