//! Python's helpers as dbt templates use them: `modules` (`datetime`,
//! `pytz`, `re`, `itertools`), `set`, `set_strict`, `zip`, `zip_strict`,
//! `diff_of_two_dicts`, `local_md5`, the invocation's `run_started_at` and
//! `invocation_id`, `log` and `print` (which write nothing), and dbt's
//! type-marking filters.

use super::datetime::{datetime_module, pytz_module, run_started_at};
use super::itertools::itertools_module;
use super::python_arguments::invalid;
use super::regular_expressions::re_module;
use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Rest, Tuple};
use minijinja::{Environment, Error, State, Value};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// Registers the helpers. It runs once per load (one environment per
/// load), so every render of a load shares one `run_started_at` and one
/// `invocation_id`, as in dbt.
pub(super) fn register(environment: &mut Environment<'static>) {
    crate::jinja::register_type_marker_filters(environment);
    super::serialization::register(environment);
    environment.add_global(
        "modules",
        Value::from_pairs([
            ("datetime", datetime_module()),
            ("pytz", pytz_module()),
            ("re", re_module()),
            ("itertools", itertools_module()),
        ]),
    );
    environment.add_global("run_started_at", run_started_at());
    environment.add_global("invocation_id", Value::from(random_uuid_v4()));
    environment.add_function(
        "zip",
        |lists: Rest<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let default = kwargs.get::<Option<Value>>("default")?;
            kwargs.assert_all_used()?;
            // dbt's `zip` gives `default` (none) where Python raises a TypeError.
            Ok(zip_lists(&lists).unwrap_or_else(|_| default.unwrap_or(Value::from(()))))
        },
    );
    environment.add_function("zip_strict", |lists: Rest<Value>| zip_lists(&lists));
    environment.add_function(
        "set",
        |value: Value, default: Option<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let default = default.or(kwargs.get::<Option<Value>>("default")?);
            kwargs.assert_all_used()?;
            Ok(PythonSet::from_iterable(&value)
                .map_or(default.unwrap_or(Value::from(())), Value::from_object))
        },
    );
    environment.add_function("set_strict", |value: Value| -> Result<Value, Error> {
        PythonSet::from_iterable(&value).map(Value::from_object)
    });
    environment.add_function("diff_of_two_dicts", diff_of_two_dicts);
    environment.add_function("local_md5", |text: String| crate::checksum::md5_hex(&text));
    environment.add_function("log", |_args: Rest<Value>| "");
    environment.add_function("print", |_args: Rest<Value>| "");
}

/// A version 4 UUID. Its randomness is the standard library's hasher keys
/// (from the operating system), mixed with the time and the process id:
/// enough for an id that tells invocations apart, not for secrets.
fn random_uuid_v4() -> String {
    use std::hash::{BuildHasher, Hasher};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let mut bytes = [0u8; 16];
    for (index, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(index);
        hasher.write_u128(now);
        hasher.write_u32(std::process::id());
        chunk.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Python's `zip`, as a list of tuples.
fn zip_lists(lists: &[Value]) -> Result<Value, Error> {
    let lists: Vec<Vec<Value>> = lists
        .iter()
        .map(|list| list.try_iter().map(|items| items.collect()))
        .collect::<Result<_, _>>()?;
    let length = lists.iter().map(Vec::len).min().unwrap_or(0);
    Ok(Value::from(
        (0..length)
            .map(|index| {
                Value::from(Tuple::from(
                    lists
                        .iter()
                        .map(|list| list[index].clone())
                        .collect::<Vec<_>>(),
                ))
            })
            .collect::<Vec<_>>(),
    ))
}

/// dbt's `diff_of_two_dicts(a, b)`: for each key of `a`, the values not in
/// `b`'s list for that key, keys and values compared without case.
fn diff_of_two_dicts(first: Value, second: Value) -> Result<Value, Error> {
    let folded = |value: &Value| value.to_string().to_lowercase();
    let mut second_lowered: Vec<(String, Vec<String>)> = Vec::new();
    for key in second.try_iter()? {
        let values = second.get_item(&key)?;
        let values = values.try_iter()?.map(|value| folded(&value)).collect();
        second_lowered.push((folded(&key), values));
    }
    let mut difference = Vec::new();
    for key in first.try_iter()? {
        let values = first.get_item(&key)?;
        match second_lowered
            .iter()
            .find(|(other_key, _)| *other_key == folded(&key))
        {
            Some((_, other_values)) => {
                let kept: Vec<Value> = values
                    .try_iter()?
                    .filter(|value| !other_values.contains(&folded(value)))
                    .collect();
                if !kept.is_empty() {
                    difference.push((key, Value::from(kept)));
                }
            }
            None => difference.push((key, values)),
        }
    }
    Ok(Value::from_pairs(difference))
}

/// Python's `set`: unique items, kept in the order first seen (Python's
/// own order is arbitrary for strings), with its mutating and comparing
/// methods. It renders as Python prints a set.
#[derive(Debug)]
struct PythonSet(Mutex<Vec<Value>>);

impl PythonSet {
    fn from_iterable(value: &Value) -> Result<PythonSet, Error> {
        if value.is_undefined() || value.is_none() {
            return Err(invalid(format!(
                "'{}' object is not iterable",
                value.kind()
            )));
        }
        let items: Vec<Value> = match value.as_str() {
            Some(text) => text.chars().map(Value::from).collect(),
            None => value.try_iter()?.collect(),
        };
        let mut unique: Vec<Value> = Vec::with_capacity(items.len());
        for item in items {
            if !unique.contains(&item) {
                unique.push(item);
            }
        }
        Ok(PythonSet(Mutex::new(unique)))
    }

    fn items(&self) -> MutexGuard<'_, Vec<Value>> {
        self.0.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    fn other_items(args: &[Value]) -> Result<Vec<Value>, Error> {
        let mut all = Vec::new();
        for argument in args {
            all.extend(PythonSet::from_iterable(argument)?.items().iter().cloned());
        }
        Ok(all)
    }
}

impl Object for PythonSet {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = usize::try_from(key.clone()).ok()?;
        self.items().get(index).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.items().len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let others = PythonSet::other_items(match method {
            "add" | "discard" | "remove" => &[],
            _ => args,
        })?;
        let current: Vec<Value> = self.items().clone();
        let new_set = |items: Vec<Value>| {
            Ok(Value::from_object(PythonSet::from_iterable(&Value::from(
                items,
            ))?))
        };
        match method {
            "add" | "discard" | "remove" => {
                let [item] = args else {
                    return Err(invalid(format!(
                        "set.{method}() takes exactly one argument"
                    )));
                };
                let mut items = self.items();
                let position = items.iter().position(|existing| existing == item);
                match (method, position) {
                    ("add", None) => items.push(item.clone()),
                    ("discard" | "remove", Some(position)) => {
                        items.remove(position);
                    }
                    ("remove", None) => return Err(invalid(format!("KeyError: {item}"))),
                    _ => {}
                }
                Ok(Value::from(()))
            }
            "update" => {
                let mut items = self.items();
                for item in others {
                    if !items.contains(&item) {
                        items.push(item);
                    }
                }
                Ok(Value::from(()))
            }
            "union" => new_set(current.into_iter().chain(others).collect()),
            "intersection" => new_set(
                current
                    .into_iter()
                    .filter(|item| others.contains(item))
                    .collect(),
            ),
            "difference" => new_set(
                current
                    .into_iter()
                    .filter(|item| !others.contains(item))
                    .collect(),
            ),
            "symmetric_difference" => {
                let mut items: Vec<Value> = current
                    .iter()
                    .filter(|item| !others.contains(item))
                    .cloned()
                    .collect();
                items.extend(
                    others
                        .iter()
                        .filter(|item| !current.contains(item))
                        .cloned(),
                );
                new_set(items)
            }
            "issubset" => Ok(Value::from(
                current.iter().all(|item| others.contains(item)),
            )),
            "issuperset" => Ok(Value::from(
                others.iter().all(|item| current.contains(item)),
            )),
            "isdisjoint" => Ok(Value::from(
                !current.iter().any(|item| others.contains(item)),
            )),
            "copy" => new_set(current),
            _ => Err(invalid(format!("set has no method `{method}`"))),
        }
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items = self.items();
        if items.is_empty() {
            return formatter.write_str("set()");
        }
        formatter.debug_set().entries(items.iter()).finish()
    }
}
