//! `modules.datetime` and `modules.pytz` as dbt's context exposes Python's:
//! the `datetime`, `date` and `timedelta` classes, their values (with
//! `strftime`, `isoformat`, `replace`, attributes, comparisons and Python's
//! `str()`), and time zones: UTC, fixed offsets (`Etc/GMT+5`) and the
//! IANA zones with their daylight saving rules (`America/Los_Angeles`), as
//! pytz gives them: a zone attached directly (`tzinfo=`) has its first,
//! local-mean-time offset; `localize`, `astimezone` and `normalize` find the
//! offset of the moment.
//!
//! Arithmetic: minijinja's `+` and `-` do not reach host objects, so
//! `dt + delta` fails; the same sums are there as Python spells them as
//! methods, `dt.__add__(delta)`, `dt.__sub__(other)`, which dbt renders too,
//! and `x - modules.datetime.timedelta(...)` is rewritten to that spelling
//! before rendering (`crate::mutable`).

use super::python_arguments::{integer, invalid, number, string, PythonArguments};
use chrono::format::{Item, StrftimeItems};
use chrono::{Datelike, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};
use minijinja::value::{DynObject, Object, ObjectRepr};
use minijinja::{Error, State, Value};
use std::cmp::Ordering;
use std::fmt::{self, Write};
use std::sync::Arc;

const MICROSECONDS_PER_SECOND: i64 = 1_000_000;
const MICROSECONDS_PER_DAY: i64 = 86_400 * MICROSECONDS_PER_SECOND;

/// `modules.datetime`: the names dbt exports from Python's module that
/// fusionc has (`time` and `tzinfo` are not there yet).
pub(super) fn datetime_module() -> Value {
    Value::from_pairs([
        ("datetime", Value::from_object(DateTimeClass)),
        ("date", Value::from_object(DateClass)),
        ("timedelta", Value::from_object(TimeDeltaClass)),
    ])
}

/// `modules.pytz`: `timezone(name)`, `utc` and `UTC`.
pub(super) fn pytz_module() -> Value {
    Value::from_pairs([
        (
            "timezone",
            Value::from_function(|name: String| -> Result<Value, Error> {
                Zone::named(&name).map(Value::from_object)
            }),
        ),
        ("utc", Value::from_object(Zone::utc())),
        ("UTC", Value::from_object(Zone::utc())),
    ])
}

/// The moment a load started, as dbt's `run_started_at`: aware, in UTC.
pub(super) fn run_started_at() -> Value {
    Value::from_object(DateTimeValue {
        wall: Utc::now().naive_utc(),
        zone: Some(Zone::utc()),
    })
}

// ---- time zones ----

/// A time zone at one offset: pytz's `utc`, `Etc/GMT±N`, the
/// `timezone(timedelta)` that `strptime('%z')` gives, or an IANA zone at
/// one of its offsets (with the rules that find the offset of a moment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Zone {
    /// What `str(tz)` prints (pytz: the zone's name).
    name: String,
    /// What `tzname()` and `%Z` print.
    abbreviation: String,
    offset_seconds: i32,
    /// An IANA zone's rules (none for UTC and fixed offsets).
    rules: Option<chrono_tz::Tz>,
}

impl Zone {
    fn utc() -> Zone {
        Zone {
            name: "UTC".to_string(),
            abbreviation: "UTC".to_string(),
            offset_seconds: 0,
            rules: None,
        }
    }

    /// Python's `datetime.timezone(timedelta(seconds=offset))`.
    fn fixed(offset_seconds: i32) -> Zone {
        let name = if offset_seconds == 0 {
            "UTC".to_string()
        } else {
            format!("UTC{}", offset_text(offset_seconds, ":"))
        };
        Zone {
            abbreviation: name.clone(),
            name,
            offset_seconds,
            rules: None,
        }
    }

    /// `pytz.timezone(name)`: UTC and `Etc/GMT±N` at their fixed offsets,
    /// any other IANA zone (its name matched regardless of case, as pytz
    /// matches it) at its first offset, as pytz's zone is until localized.
    fn named(name: &str) -> Result<Zone, Error> {
        let upper = name.to_ascii_uppercase();
        let without_etc = upper.strip_prefix("ETC/").unwrap_or(&upper);
        if upper == "UTC" {
            return Ok(Zone::utc());
        }
        let zero_offset = |abbreviation: &str| Zone {
            name: name.to_string(),
            abbreviation: abbreviation.to_string(),
            offset_seconds: 0,
            rules: None,
        };
        match without_etc {
            "UTC" | "UNIVERSAL" | "ZULU" | "UCT" => return Ok(zero_offset("UTC")),
            "GMT" | "GMT0" | "GMT+0" | "GMT-0" | "GREENWICH" => return Ok(zero_offset("GMT")),
            _ => {}
        }
        // POSIX signs: `Etc/GMT+5` is five hours behind UTC.
        if let Some(hours) = upper
            .strip_prefix("ETC/GMT")
            .and_then(|rest| rest.parse::<i32>().ok())
            .filter(|hours| (-14..=12).contains(hours))
        {
            return Ok(Zone {
                name: name.to_string(),
                abbreviation: format!("{}{:02}", if hours > 0 { '-' } else { '+' }, hours.abs()),
                offset_seconds: -hours * 3600,
                rules: None,
            });
        }
        let rules = name.parse::<chrono_tz::Tz>().ok().or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .find(|zone| zone.name().eq_ignore_ascii_case(name))
                .copied()
        });
        let Some(rules) = rules else {
            return Err(invalid(format!("UnknownTimeZoneError: '{name}'")));
        };
        // pytz's zone before `localize`: the offset of its first period
        // (local mean time for most zones).
        let first = NaiveDate::from_ymd_opt(1, 1, 1)
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .ok_or_else(out_of_range)?;
        Ok(Zone::of_rules_at_utc(rules, first))
    }

    /// The zone `rules` at the offset it has at the instant `utc`. pytz
    /// rounds every offset to the minute, and so does this.
    fn of_rules_at_utc(rules: chrono_tz::Tz, utc: NaiveDateTime) -> Zone {
        use chrono::{Offset, TimeZone};
        use chrono_tz::OffsetName;
        let offset = rules.offset_from_utc_datetime(&utc);
        let seconds = offset.fix().local_minus_utc();
        Zone {
            name: rules.name().to_string(),
            abbreviation: offset.abbreviation().unwrap_or_default().to_string(),
            offset_seconds: (seconds + 30).div_euclid(60) * 60,
            rules: Some(rules),
        }
    }

    /// The zone at the offset of the instant `utc`: an IANA zone finds the
    /// offset of that moment; other zones have only one.
    fn at_utc(&self, utc: NaiveDateTime) -> Zone {
        match self.rules {
            Some(rules) => Zone::of_rules_at_utc(rules, utc),
            None => self.clone(),
        }
    }

    /// pytz's `localize(wall)` (with `is_dst=False`): the zone at the offset
    /// its rules give the wall-clock time; of two (the hour repeated when
    /// clocks go back) the standard one; in the hour skipped when clocks go
    /// forward, the offset before it.
    fn at_wall(&self, wall: NaiveDateTime) -> Zone {
        use chrono::{LocalResult, Offset, TimeZone};
        let Some(rules) = self.rules else {
            return self.clone();
        };
        let offset_seconds =
            |offset: &chrono_tz::TzOffset| i64::from(offset.fix().local_minus_utc());
        let utc = match rules.offset_from_local_datetime(&wall) {
            LocalResult::Single(offset) => wall - TimeDelta::seconds(offset_seconds(&offset)),
            LocalResult::Ambiguous(first, second) => {
                // The standard offset is the smaller one.
                let standard = offset_seconds(&first).min(offset_seconds(&second));
                wall - TimeDelta::seconds(standard)
            }
            // Keeps the offset from before the change (pytz's standard
            // time), though the instant is past it.
            LocalResult::None => return Zone::of_rules_at_utc(rules, wall - TimeDelta::days(1)),
        };
        Zone::of_rules_at_utc(rules, utc)
    }
}

/// `+HH:MM` (with `separator` between hours and minutes), and `:SS` when
/// the offset has seconds, as Python prints offsets.
fn offset_text(offset_seconds: i32, separator: &str) -> String {
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let total = offset_seconds.unsigned_abs();
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    let mut text = format!("{sign}{hours:02}{separator}{minutes:02}");
    if seconds != 0 {
        let _ = write!(text, "{separator}{seconds:02}");
    }
    text
}

/// A zone argument (`none` for none).
fn zone_argument(value: Option<Value>) -> Result<Option<Zone>, Error> {
    match value {
        None => Ok(None),
        Some(value) if value.is_none() => Ok(None),
        Some(value) => value
            .downcast_object_ref::<Zone>()
            .cloned()
            .map(Some)
            .ok_or_else(|| invalid(format!("expected a time zone (modules.pytz.utc, modules.pytz.timezone(...)), got {value}"))),
    }
}

impl Object for Zone {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "zone" => Some(Value::from(self.name.clone())),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("tzinfo method", args)?;
        let value = arguments.take(0, "dt")?;
        arguments.finish()?;
        let datetime = value
            .as_ref()
            .and_then(|value| value.downcast_object_ref::<DateTimeValue>());
        match (method, datetime) {
            // pytz: attach the zone to a naive wall time.
            ("localize", Some(datetime)) => {
                if datetime.zone.is_some() {
                    return Err(invalid("Not naive datetime (tzinfo is already set)"));
                }
                Ok(Value::from_object(DateTimeValue {
                    wall: datetime.wall,
                    zone: Some(self.at_wall(datetime.wall)),
                }))
            }
            ("normalize", Some(datetime)) => datetime.in_zone(Some((**self).clone())),
            // pytz: the offset and name the zone has at a wall time.
            ("utcoffset", _) => Ok(Value::from_object(TimeDeltaValue {
                microseconds: i64::from(datetime.map_or(self.offset_seconds, |datetime| {
                    self.at_wall(datetime.wall).offset_seconds
                })) * MICROSECONDS_PER_SECOND,
            })),
            ("tzname", _) => Ok(Value::from(
                datetime.map_or(self.abbreviation.clone(), |datetime| {
                    self.at_wall(datetime.wall).abbreviation
                }),
            )),
            _ => Err(invalid(format!(
                "the time zone has no method `{method}` with these arguments"
            ))),
        }
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.name)
    }
}

// ---- strftime / strptime ----

/// Python's `strftime`: chrono's directives, with Python's `%f`
/// (microseconds), `%z` and `%Z` (empty for naive values).
fn python_strftime(
    wall: &NaiveDateTime,
    zone: Option<&Zone>,
    format: &str,
) -> Result<String, Error> {
    let mut translated = String::with_capacity(format.len());
    let mut characters = format.chars().peekable();
    let literal =
        |text: &str, translated: &mut String| translated.push_str(&text.replace('%', "%%"));
    while let Some(character) = characters.next() {
        if character != '%' {
            translated.push(character);
            continue;
        }
        match characters.next() {
            Some('f') => literal(&format!("{:06}", wall.nanosecond() / 1000), &mut translated),
            Some('z') => literal(
                &zone.map_or(String::new(), |zone| offset_text(zone.offset_seconds, "")),
                &mut translated,
            ),
            Some(':') if characters.peek() == Some(&'z') => {
                characters.next();
                literal(
                    &zone.map_or(String::new(), |zone| offset_text(zone.offset_seconds, ":")),
                    &mut translated,
                );
            }
            Some('Z') => literal(
                zone.map_or("", |zone| zone.abbreviation.as_str()),
                &mut translated,
            ),
            Some(other) => {
                translated.push('%');
                translated.push(other);
            }
            None => translated.push_str("%%"),
        }
    }
    let items: Vec<Item<'_>> = StrftimeItems::new(&translated).collect();
    if items.iter().any(|item| matches!(item, Item::Error)) {
        return Err(invalid(format!(
            "strftime: invalid format string '{format}'"
        )));
    }
    let mut out = String::new();
    write!(out, "{}", wall.format_with_items(items.iter()))
        .map_err(|_| invalid(format!("strftime: cannot format with '{format}'")))?;
    Ok(out)
}

/// Python's `datetime.strptime`: fields the format leaves out default as
/// Python's do (1900-01-01 00:00:00); `%z` gives an aware value.
fn python_strptime(text: &str, format: &str) -> Result<DateTimeValue, Error> {
    let translated = format.replace("%f", "%6f");
    let mut parsed = chrono::format::Parsed::new();
    let failure = || {
        invalid(format!(
            "time data '{text}' does not match format '{format}'"
        ))
    };
    chrono::format::parse(&mut parsed, text, StrftimeItems::new(&translated))
        .map_err(|_| failure())?;
    let has_date = parsed.year().is_some()
        || parsed.year_mod_100().is_some()
        || parsed.month().is_some()
        || parsed.day().is_some()
        || parsed.ordinal().is_some();
    if parsed.year().is_none() && parsed.year_mod_100().is_none() {
        parsed.set_year(1900).map_err(|_| failure())?;
    }
    if has_date {
        if parsed.month().is_none() && parsed.ordinal().is_none() {
            parsed.set_month(1).map_err(|_| failure())?;
        }
        if parsed.day().is_none() && parsed.ordinal().is_none() {
            parsed.set_day(1).map_err(|_| failure())?;
        }
    } else {
        parsed.set_month(1).map_err(|_| failure())?;
        parsed.set_day(1).map_err(|_| failure())?;
    }
    if parsed.hour_mod_12().is_none() {
        parsed.set_hour(0).map_err(|_| failure())?;
    } else if parsed.hour_div_12().is_none() {
        // `%I` without `%p` reads as a morning hour.
        parsed.set_ampm(false).map_err(|_| failure())?;
    }
    if parsed.minute().is_none() {
        parsed.set_minute(0).map_err(|_| failure())?;
    }
    if parsed.second().is_none() {
        parsed.set_second(0).map_err(|_| failure())?;
    }
    let date = parsed.to_naive_date().map_err(|_| failure())?;
    let time = parsed.to_naive_time().map_err(|_| failure())?;
    Ok(DateTimeValue {
        wall: date.and_time(time),
        zone: parsed.offset().map(Zone::fixed),
    })
}

/// Python's `fromisoformat` for dates and date-times (`YYYY-MM-DD`,
/// `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][+HH:MM|Z]`).
fn python_fromisoformat(text: &str) -> Result<DateTimeValue, Error> {
    let failure = || invalid(format!("Invalid isoformat string: '{text}'"));
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(DateTimeValue {
            wall: date.and_time(NaiveTime::MIN),
            zone: None,
        });
    }
    let normalized = text.replacen(' ', "T", 1);
    if let Ok(aware) = chrono::DateTime::parse_from_rfc3339(&normalized) {
        return Ok(DateTimeValue {
            wall: aware.naive_local(),
            zone: Some(Zone::fixed(aware.offset().local_minus_utc())),
        });
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(wall) = NaiveDateTime::parse_from_str(&normalized, format) {
            return Ok(DateTimeValue { wall, zone: None });
        }
    }
    Err(failure())
}

// ---- datetime ----

/// A `datetime.datetime`: the wall-clock time, and its zone when aware.
#[derive(Debug, Clone)]
pub(super) struct DateTimeValue {
    wall: NaiveDateTime,
    zone: Option<Zone>,
}

impl DateTimeValue {
    /// The instant in UTC (aware values only).
    fn utc(&self) -> Option<NaiveDateTime> {
        let zone = self.zone.as_ref()?;
        self.wall
            .checked_sub_signed(TimeDelta::seconds(i64::from(zone.offset_seconds)))
    }

    /// The same instant in `zone` (none: the machine's local zone); a naive
    /// value is read as local time, as Python reads it.
    fn in_zone(&self, zone: Option<Zone>) -> Result<Value, Error> {
        let utc = match self.utc() {
            Some(utc) => utc,
            None => self
                .wall
                .and_local_timezone(Local)
                .earliest()
                .map(|local| local.naive_utc())
                .ok_or_else(|| invalid("astimezone: the local time does not exist"))?,
        };
        let zone = zone.unwrap_or_else(|| {
            let local_offset = utc
                .and_utc()
                .with_timezone(&Local)
                .offset()
                .local_minus_utc();
            Zone::fixed(local_offset)
        });
        let zone = zone.at_utc(utc);
        let wall = utc
            .checked_add_signed(TimeDelta::seconds(i64::from(zone.offset_seconds)))
            .ok_or_else(out_of_range)?;
        Ok(Value::from_object(DateTimeValue {
            wall,
            zone: Some(zone),
        }))
    }

    fn isoformat(&self, separator: &str) -> String {
        let mut text = self.wall.format("%Y-%m-%d").to_string();
        text.push_str(separator);
        let _ = write!(text, "{}", self.wall.format("%H:%M:%S"));
        let microseconds = self.wall.nanosecond() / 1000;
        if microseconds != 0 {
            let _ = write!(text, ".{microseconds:06}");
        }
        if let Some(zone) = &self.zone {
            text.push_str(&offset_text(zone.offset_seconds, ":"));
        }
        text
    }

    fn replace(&self, args: &[Value]) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("replace", args)?;
        let mut field = |index: usize, name: &str, current: u32| -> Result<u32, Error> {
            match arguments.take(index, name)? {
                Some(value) => u32::try_from(integer(&value, name)?)
                    .map_err(|_| invalid(format!("{name} is out of range"))),
                None => Ok(current),
            }
        };
        let wall = &self.wall;
        let year = field(0, "year", wall.year().unsigned_abs())?;
        let month = field(1, "month", wall.month())?;
        let day = field(2, "day", wall.day())?;
        let hour = field(3, "hour", wall.hour())?;
        let minute = field(4, "minute", wall.minute())?;
        let second = field(5, "second", wall.second())?;
        let microsecond = field(6, "microsecond", wall.nanosecond() / 1000)?;
        let zone = match arguments.take(7, "tzinfo")? {
            Some(value) => zone_argument(Some(value))?,
            None => self.zone.clone(),
        };
        arguments.finish()?;
        let wall = make_datetime(
            i64::from(year),
            month,
            day,
            hour,
            minute,
            second,
            microsecond,
        )?;
        Ok(Value::from_object(DateTimeValue { wall, zone }))
    }

    fn add(&self, delta: &TimeDeltaValue) -> Result<Value, Error> {
        let wall = self
            .wall
            .checked_add_signed(TimeDelta::microseconds(delta.microseconds))
            .ok_or_else(out_of_range)?;
        Ok(Value::from_object(DateTimeValue {
            wall,
            zone: self.zone.clone(),
        }))
    }

    fn subtract(&self, other: &Value) -> Result<Value, Error> {
        if let Some(delta) = other.downcast_object_ref::<TimeDeltaValue>() {
            return self.add(&TimeDeltaValue {
                microseconds: -delta.microseconds,
            });
        }
        let Some(other) = other.downcast_object_ref::<DateTimeValue>() else {
            return Err(invalid(format!(
                "unsupported operand type(s) for -: 'datetime.datetime' and {}",
                other.kind()
            )));
        };
        let (left, right) = match (self.utc(), other.utc()) {
            (Some(left), Some(right)) => (left, right),
            (None, None) => (self.wall, other.wall),
            _ => {
                return Err(invalid(
                    "can't subtract offset-naive and offset-aware datetimes",
                ))
            }
        };
        let microseconds = (left - right).num_microseconds().ok_or_else(out_of_range)?;
        Ok(Value::from_object(TimeDeltaValue { microseconds }))
    }
}

fn out_of_range() -> Error {
    invalid("date value out of range")
}

fn make_datetime(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    microsecond: u32,
) -> Result<NaiveDateTime, Error> {
    let year = i32::try_from(year)
        .ok()
        .filter(|year| (1..=9999).contains(year))
        .ok_or_else(|| invalid(format!("year {year} is out of range")))?;
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| invalid("day is out of range for month"))?;
    if microsecond > 999_999 {
        return Err(invalid("microsecond must be in 0..999999"));
    }
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, microsecond)
        .ok_or_else(|| invalid("hour, minute or second is out of range"))?;
    Ok(date.and_time(time))
}

impl Object for DateTimeValue {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let wall = &self.wall;
        Some(match key.as_str()? {
            "year" => Value::from(wall.year()),
            "month" => Value::from(wall.month()),
            "day" => Value::from(wall.day()),
            "hour" => Value::from(wall.hour()),
            "minute" => Value::from(wall.minute()),
            "second" => Value::from(wall.second()),
            "microsecond" => Value::from(wall.nanosecond() / 1000),
            "tzinfo" => self
                .zone
                .clone()
                .map_or(Value::from(()), Value::from_object),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if method == "replace" {
            return self.replace(args);
        }
        let mut arguments = PythonArguments::new("datetime method", args)?;
        let result = match method {
            "strftime" => {
                let format = string(&arguments.require(0, "format")?, "format")?;
                Value::from(python_strftime(&self.wall, self.zone.as_ref(), &format)?)
            }
            "isoformat" => {
                let separator = match arguments.take(0, "sep")? {
                    Some(value) => string(&value, "sep")?,
                    None => "T".to_string(),
                };
                Value::from(self.isoformat(&separator))
            }
            "date" => Value::from_object(DateValue(self.wall.date())),
            "astimezone" => self.in_zone(zone_argument(arguments.take(0, "tz")?)?)?,
            "timestamp" => {
                let utc = match self.utc() {
                    Some(utc) => utc,
                    None => self
                        .wall
                        .and_local_timezone(Local)
                        .earliest()
                        .map(|local| local.naive_utc())
                        .ok_or_else(|| invalid("timestamp: the local time does not exist"))?,
                };
                let micros = utc.and_utc().timestamp_micros();
                Value::from(micros as f64 / MICROSECONDS_PER_SECOND as f64)
            }
            "weekday" => Value::from(self.wall.weekday().num_days_from_monday()),
            "isoweekday" => Value::from(self.wall.weekday().number_from_monday()),
            "utcoffset" => self.zone.as_ref().map_or(Value::from(()), |zone| {
                Value::from_object(TimeDeltaValue {
                    microseconds: i64::from(zone.offset_seconds) * MICROSECONDS_PER_SECOND,
                })
            }),
            "tzname" => self.zone.as_ref().map_or(Value::from(()), |zone| {
                Value::from(zone.abbreviation.clone())
            }),
            "__add__" | "__radd__" => {
                let other = arguments.require(0, "other")?;
                let delta = other
                    .downcast_object_ref::<TimeDeltaValue>()
                    .ok_or_else(|| invalid("a datetime adds only a timedelta"))?;
                self.add(delta)?
            }
            "__sub__" => self.subtract(&arguments.require(0, "other")?)?,
            _ => {
                return Err(invalid(format!(
                    "datetime.datetime has no method `{method}`"
                )))
            }
        };
        arguments.finish()?;
        Ok(result)
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<DateTimeValue>()?;
        match (self.utc(), other.utc()) {
            (Some(left), Some(right)) => Some(left.cmp(&right)),
            (None, None) => Some(self.wall.cmp(&other.wall)),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.isoformat(" "))
    }
}

/// `datetime.datetime`: callable, with its class methods.
#[derive(Debug)]
struct DateTimeClass;

fn now_in(zone: Option<Zone>) -> Result<Value, Error> {
    match zone {
        None => Ok(Value::from_object(DateTimeValue {
            wall: Local::now().naive_local(),
            zone: None,
        })),
        Some(zone) => DateTimeValue {
            wall: Utc::now().naive_utc(),
            zone: Some(Zone::utc()),
        }
        .in_zone(Some(zone)),
    }
}

fn from_timestamp(seconds: f64, zone: Option<Zone>) -> Result<Value, Error> {
    let microseconds = (seconds * MICROSECONDS_PER_SECOND as f64).round() as i64;
    let utc = chrono::DateTime::<Utc>::from_timestamp_micros(microseconds)
        .ok_or_else(out_of_range)?
        .naive_utc();
    DateTimeValue {
        wall: utc,
        zone: Some(Zone::utc()),
    }
    .in_zone(zone.clone())
    .map(|value| match zone {
        Some(_) => value,
        // Without a zone, Python gives the naive local time.
        None => value
            .downcast_object_ref::<DateTimeValue>()
            .map_or(value.clone(), |local| {
                Value::from_object(DateTimeValue {
                    wall: local.wall,
                    zone: None,
                })
            }),
    })
}

impl Object for DateTimeClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("datetime", args)?;
        let year = integer(&arguments.require(0, "year")?, "year")?;
        let mut field = |index: usize, name: &str, required: bool| -> Result<u32, Error> {
            let value = if required {
                Some(arguments.require(index, name)?)
            } else {
                arguments.take(index, name)?
            };
            match value {
                Some(value) => u32::try_from(integer(&value, name)?)
                    .map_err(|_| invalid(format!("{name} is out of range"))),
                None => Ok(0),
            }
        };
        let month = field(1, "month", true)?;
        let day = field(2, "day", true)?;
        let hour = field(3, "hour", false)?;
        let minute = field(4, "minute", false)?;
        let second = field(5, "second", false)?;
        let microsecond = field(6, "microsecond", false)?;
        let zone = zone_argument(arguments.take(7, "tzinfo")?)?;
        arguments.finish()?;
        let wall = make_datetime(year, month, day, hour, minute, second, microsecond)?;
        Ok(Value::from_object(DateTimeValue { wall, zone }))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("datetime.datetime method", args)?;
        let result = match method {
            "now" => now_in(zone_argument(arguments.take(0, "tz")?)?)?,
            "today" => now_in(None)?,
            "utcnow" => Value::from_object(DateTimeValue {
                wall: Utc::now().naive_utc(),
                zone: None,
            }),
            "strptime" => {
                let text = string(&arguments.require(0, "date_string")?, "date_string")?;
                let format = string(&arguments.require(1, "format")?, "format")?;
                Value::from_object(python_strptime(&text, &format)?)
            }
            "fromisoformat" => {
                let text = string(&arguments.require(0, "date_string")?, "date_string")?;
                Value::from_object(python_fromisoformat(&text)?)
            }
            "fromtimestamp" => {
                let seconds = number(&arguments.require(0, "timestamp")?, "timestamp")?;
                from_timestamp(seconds, zone_argument(arguments.take(1, "tz")?)?)?
            }
            "utcfromtimestamp" => {
                let seconds = number(&arguments.require(0, "timestamp")?, "timestamp")?;
                let aware = from_timestamp(seconds, Some(Zone::utc()))?;
                let wall = aware
                    .downcast_object_ref::<DateTimeValue>()
                    .map(|value| value.wall)
                    .ok_or_else(out_of_range)?;
                Value::from_object(DateTimeValue { wall, zone: None })
            }
            "combine" => {
                let date = arguments.require(0, "date")?;
                let date = date
                    .downcast_object_ref::<DateValue>()
                    .ok_or_else(|| invalid("combine() takes a date first"))?;
                if arguments
                    .take(1, "time")?
                    .is_some_and(|time| !time.is_none())
                {
                    return Err(invalid(
                        "combine(): fusionc has no datetime.time values yet; give the date alone",
                    ));
                }
                Value::from_object(DateTimeValue {
                    wall: date.0.and_time(NaiveTime::MIN),
                    zone: zone_argument(arguments.take(2, "tzinfo")?)?,
                })
            }
            _ => {
                return Err(invalid(format!(
                    "datetime.datetime has no method `{method}`"
                )))
            }
        };
        arguments.finish()?;
        Ok(result)
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<class 'datetime.datetime'>")
    }
}

// ---- date ----

/// A `datetime.date`.
#[derive(Debug, Clone)]
struct DateValue(NaiveDate);

impl DateValue {
    fn add_days(&self, days: i64) -> Result<Value, Error> {
        self.0
            .checked_add_signed(TimeDelta::days(days))
            .map(|date| Value::from_object(DateValue(date)))
            .ok_or_else(out_of_range)
    }
}

impl Object for DateValue {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "year" => Value::from(self.0.year()),
            "month" => Value::from(self.0.month()),
            "day" => Value::from(self.0.day()),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("date method", args)?;
        let result = match method {
            "strftime" => {
                let format = string(&arguments.require(0, "format")?, "format")?;
                Value::from(python_strftime(
                    &self.0.and_time(NaiveTime::MIN),
                    None,
                    &format,
                )?)
            }
            "isoformat" => Value::from(self.0.format("%Y-%m-%d").to_string()),
            "replace" => {
                let mut field = |index: usize, name: &str, current: i64| -> Result<i64, Error> {
                    arguments
                        .take(index, name)?
                        .map_or(Ok(current), |value| integer(&value, name))
                };
                let year = field(0, "year", i64::from(self.0.year()))?;
                let month = field(1, "month", i64::from(self.0.month()))?;
                let day = field(2, "day", i64::from(self.0.day()))?;
                let date = make_date(year, month, day)?;
                Value::from_object(DateValue(date))
            }
            "weekday" => Value::from(self.0.weekday().num_days_from_monday()),
            "isoweekday" => Value::from(self.0.weekday().number_from_monday()),
            "__add__" | "__radd__" => {
                let other = arguments.require(0, "other")?;
                let delta = other
                    .downcast_object_ref::<TimeDeltaValue>()
                    .ok_or_else(|| invalid("a date adds only a timedelta"))?;
                self.add_days(delta.days())?
            }
            "__sub__" => {
                let other = arguments.require(0, "other")?;
                if let Some(delta) = other.downcast_object_ref::<TimeDeltaValue>() {
                    self.add_days(-delta.days())?
                } else if let Some(date) = other.downcast_object_ref::<DateValue>() {
                    Value::from_object(TimeDeltaValue {
                        microseconds: (self.0 - date.0).num_days() * MICROSECONDS_PER_DAY,
                    })
                } else {
                    return Err(invalid("a date subtracts only a date or a timedelta"));
                }
            }
            _ => return Err(invalid(format!("datetime.date has no method `{method}`"))),
        };
        arguments.finish()?;
        Ok(result)
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        Some(self.0.cmp(&other.downcast_ref::<DateValue>()?.0))
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0.format("%Y-%m-%d"))
    }
}

fn make_date(year: i64, month: i64, day: i64) -> Result<NaiveDate, Error> {
    let year = i32::try_from(year)
        .ok()
        .filter(|year| (1..=9999).contains(year))
        .ok_or_else(|| invalid(format!("year {year} is out of range")))?;
    let month = u32::try_from(month).map_err(|_| invalid("month must be in 1..12"))?;
    let day = u32::try_from(day).map_err(|_| invalid("day is out of range for month"))?;
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| invalid("day is out of range for month"))
}

/// `datetime.date`: callable, with its class methods.
#[derive(Debug)]
struct DateClass;

impl Object for DateClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("date", args)?;
        let year = integer(&arguments.require(0, "year")?, "year")?;
        let month = integer(&arguments.require(1, "month")?, "month")?;
        let day = integer(&arguments.require(2, "day")?, "day")?;
        arguments.finish()?;
        Ok(Value::from_object(DateValue(make_date(year, month, day)?)))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("datetime.date method", args)?;
        let result = match method {
            "today" => Value::from_object(DateValue(Local::now().date_naive())),
            "fromisoformat" => {
                let text = string(&arguments.require(0, "date_string")?, "date_string")?;
                let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|_| invalid(format!("Invalid isoformat string: '{text}'")))?;
                Value::from_object(DateValue(date))
            }
            "fromtimestamp" => {
                let seconds = number(&arguments.require(0, "timestamp")?, "timestamp")?;
                let local = from_timestamp(seconds, None)?;
                let date = local
                    .downcast_object_ref::<DateTimeValue>()
                    .map(|value| value.wall.date())
                    .ok_or_else(out_of_range)?;
                Value::from_object(DateValue(date))
            }
            _ => return Err(invalid(format!("datetime.date has no method `{method}`"))),
        };
        arguments.finish()?;
        Ok(result)
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<class 'datetime.date'>")
    }
}

// ---- timedelta ----

/// A `datetime.timedelta`, as a count of microseconds.
#[derive(Debug, Clone)]
struct TimeDeltaValue {
    microseconds: i64,
}

impl TimeDeltaValue {
    /// Python's normalized `days` (the seconds and microseconds are never negative).
    fn days(&self) -> i64 {
        self.microseconds.div_euclid(MICROSECONDS_PER_DAY)
    }

    fn seconds(&self) -> i64 {
        self.microseconds.rem_euclid(MICROSECONDS_PER_DAY) / MICROSECONDS_PER_SECOND
    }

    fn sub_microseconds(&self) -> i64 {
        self.microseconds.rem_euclid(MICROSECONDS_PER_SECOND)
    }

    fn other_delta(other: &Value, operator: &str) -> Result<i64, Error> {
        other
            .downcast_object_ref::<TimeDeltaValue>()
            .map(|delta| delta.microseconds)
            .ok_or_else(|| {
                invalid(format!(
                    "unsupported operand type for {operator} with a timedelta"
                ))
            })
    }
}

impl Object for TimeDeltaValue {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.microseconds != 0
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "days" => Value::from(self.days()),
            "seconds" => Value::from(self.seconds()),
            "microseconds" => Value::from(self.sub_microseconds()),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("timedelta method", args)?;
        let microseconds = match method {
            "total_seconds" => {
                arguments.finish()?;
                return Ok(Value::from(
                    self.microseconds as f64 / MICROSECONDS_PER_SECOND as f64,
                ));
            }
            "__add__" | "__radd__" => {
                let other = arguments.require(0, "other")?;
                if other.downcast_object_ref::<TimeDeltaValue>().is_none() {
                    // `delta + date` is `date + delta`.
                    arguments.finish()?;
                    return other.call_method_of_delta(self);
                }
                self.microseconds
                    .checked_add(Self::other_delta(&other, "+")?)
                    .ok_or_else(out_of_range)?
            }
            "__sub__" => self
                .microseconds
                .checked_sub(Self::other_delta(&arguments.require(0, "other")?, "-")?)
                .ok_or_else(out_of_range)?,
            "__neg__" => -self.microseconds,
            "__abs__" => self.microseconds.abs(),
            "__mul__" | "__rmul__" => {
                let factor = number(&arguments.require(0, "other")?, "factor")?;
                (self.microseconds as f64 * factor).round() as i64
            }
            _ => {
                return Err(invalid(format!(
                    "datetime.timedelta has no method `{method}`"
                )))
            }
        };
        arguments.finish()?;
        Ok(Value::from_object(TimeDeltaValue { microseconds }))
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        Some(
            self.microseconds
                .cmp(&other.downcast_ref::<TimeDeltaValue>()?.microseconds),
        )
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.days();
        if days != 0 {
            let plural = if days.abs() == 1 { "" } else { "s" };
            write!(formatter, "{days} day{plural}, ")?;
        }
        let seconds = self.seconds();
        write!(
            formatter,
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )?;
        let microseconds = self.sub_microseconds();
        if microseconds != 0 {
            write!(formatter, ".{microseconds:06}")?;
        }
        Ok(())
    }
}

/// `delta + date` and `delta + datetime`, which Python computes as the sum
/// the other way round.
trait AddDelta {
    fn call_method_of_delta(&self, delta: &TimeDeltaValue) -> Result<Value, Error>;
}

impl AddDelta for Value {
    fn call_method_of_delta(&self, delta: &TimeDeltaValue) -> Result<Value, Error> {
        if let Some(datetime) = self.downcast_object_ref::<DateTimeValue>() {
            datetime.add(delta)
        } else if let Some(date) = self.downcast_object_ref::<DateValue>() {
            date.add_days(delta.days())
        } else {
            Err(invalid(
                "a timedelta adds only a timedelta, a date or a datetime",
            ))
        }
    }
}

/// `datetime.timedelta(days, seconds, microseconds, milliseconds, minutes,
/// hours, weeks)`: integers or floats, rounded to microseconds.
#[derive(Debug)]
struct TimeDeltaClass;

impl Object for TimeDeltaClass {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        const UNITS: [(&str, i64); 7] = [
            ("days", MICROSECONDS_PER_DAY),
            ("seconds", MICROSECONDS_PER_SECOND),
            ("microseconds", 1),
            ("milliseconds", 1000),
            ("minutes", 60 * MICROSECONDS_PER_SECOND),
            ("hours", 3600 * MICROSECONDS_PER_SECOND),
            ("weeks", 7 * MICROSECONDS_PER_DAY),
        ];
        let mut arguments = PythonArguments::new("timedelta", args)?;
        let mut whole: i128 = 0;
        let mut fractional: f64 = 0.0;
        for (index, (name, factor)) in UNITS.iter().enumerate() {
            let Some(value) = arguments.take(index, name)? else {
                continue;
            };
            match value.as_i64() {
                Some(integer) => whole += i128::from(integer) * i128::from(*factor),
                None => fractional += number(&value, name)? * *factor as f64,
            }
        }
        arguments.finish()?;
        let microseconds = i64::try_from(whole + fractional.round() as i128)
            .map_err(|_| invalid("timedelta is out of range"))?;
        Ok(Value::from_object(TimeDeltaValue { microseconds }))
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<class 'datetime.timedelta'>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap_or_default()
    }

    #[test]
    fn strftime_has_python_microseconds_and_zones() {
        let moment = wall("2024-01-02 03:04:05.123456");
        assert_eq!(
            python_strftime(&moment, None, "%Y%m%d %H:%M:%S.%f%z|%Z|%%").ok(),
            Some("20240102 03:04:05.123456||%".to_string())
        );
        assert_eq!(
            python_strftime(&moment, Some(&Zone::utc()), "%z %Z").ok(),
            Some("+0000 UTC".to_string())
        );
        assert!(python_strftime(&moment, None, "%Q").is_err());
    }

    #[test]
    fn strptime_defaults_missing_fields_as_python() {
        let parsed = python_strptime("2024-03", "%Y-%m").map(|value| value.wall);
        assert_eq!(parsed.ok(), Some(wall("2024-03-01 00:00:00")));
        let parsed = python_strptime("13:45", "%H:%M").map(|value| value.wall);
        assert_eq!(parsed.ok(), Some(wall("1900-01-01 13:45:00")));
        assert!(python_strptime("2024-13-01", "%Y-%m-%d").is_err());
    }

    #[test]
    fn zones_have_posix_signs() {
        let zone = Zone::named("Etc/GMT+5").ok();
        assert_eq!(
            zone.as_ref().map(|zone| zone.offset_seconds),
            Some(-5 * 3600)
        );
        assert_eq!(zone.map(|zone| zone.abbreviation), Some("-05".to_string()));
        assert!(Zone::named("Mars/Olympus_Mons").is_err());
    }

    #[test]
    fn zones_with_rules_find_the_offset_of_the_moment() {
        let new_york = Zone::named("america/new_york").unwrap_or_else(|_| Zone::utc());
        assert_eq!(new_york.name, "America/New_York");
        // Before localize: local mean time, -4:56:02 rounded to the minute.
        assert_eq!(new_york.offset_seconds, -(4 * 3600 + 56 * 60));
        let summer = new_york.at_wall(wall("2024-07-01 12:00:00"));
        assert_eq!(
            (summer.offset_seconds, summer.abbreviation.as_str()),
            (-4 * 3600, "EDT")
        );
        let winter = new_york.at_utc(wall("2024-01-01 12:00:00"));
        assert_eq!(
            (winter.offset_seconds, winter.abbreviation.as_str()),
            (-5 * 3600, "EST")
        );
    }
}
