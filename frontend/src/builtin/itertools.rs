//! `modules.itertools`: the finite functions of the set dbt exports
//! (`product`, `chain`, `combinations`, `combinations_with_replacement`,
//! `permutations`, `zip_longest`, `islice`, `compress`, `repeat` with a
//! count), each returning a list (of tuples, where Python yields tuples).
//! dbt leaves `groupby` out, and so does fusionc; `count`, `cycle`, `tee`,
//! `accumulate` and `starmap` are not there yet.

use super::python_arguments::{integer, invalid, PythonArguments};
use minijinja::value::{Object, ObjectRepr, Tuple};
use minijinja::{Error, State, Value};
use std::fmt;
use std::sync::Arc;

/// Python's itertools produce every combination; templates that ask for
/// millions of them are mistakes.
const MAX_RESULTS: usize = 1_000_000;

pub(super) fn itertools_module() -> Value {
    Value::from_object(ItertoolsModule)
}

fn items(value: &Value) -> Result<Vec<Value>, Error> {
    if let Some(text) = value.as_str() {
        return Ok(text.chars().map(Value::from).collect());
    }
    value
        .try_iter()
        .map(Iterator::collect)
        .map_err(|_| invalid(format!("'{}' object is not iterable", value.kind())))
}

fn tuple(values: Vec<Value>) -> Value {
    Value::from(Tuple::from(values))
}

fn too_many() -> Error {
    invalid(format!(
        "itertools: more than {MAX_RESULTS} results; fusionc stops here"
    ))
}

fn count_argument(value: Option<Value>, what: &str) -> Result<Option<usize>, Error> {
    match value {
        None => Ok(None),
        Some(value) if value.is_none() => Ok(None),
        Some(value) => usize::try_from(integer(&value, what)?)
            .map(Some)
            .map_err(|_| invalid(format!("{what} must be non-negative"))),
    }
}

/// Every choice of `length` indices below `count`, in Python's order:
/// increasing indices (`combinations`), non-decreasing
/// (`combinations_with_replacement`) or all distinct (`permutations`).
fn index_choices(count: usize, length: usize, rule: Choice) -> Result<Vec<Vec<usize>>, Error> {
    let mut results = Vec::new();
    let mut current = Vec::with_capacity(length);
    fn extend(
        count: usize,
        length: usize,
        rule: Choice,
        current: &mut Vec<usize>,
        results: &mut Vec<Vec<usize>>,
    ) -> Result<(), Error> {
        if current.len() == length {
            if results.len() >= MAX_RESULTS {
                return Err(too_many());
            }
            results.push(current.clone());
            return Ok(());
        }
        let start = match (rule, current.last()) {
            (Choice::Increasing, Some(last)) => last + 1,
            (Choice::NonDecreasing, Some(last)) => *last,
            _ => 0,
        };
        for index in start..count {
            if rule == Choice::Distinct && current.contains(&index) {
                continue;
            }
            current.push(index);
            extend(count, length, rule, current, results)?;
            current.pop();
        }
        Ok(())
    }
    extend(count, length, rule, &mut current, &mut results)?;
    Ok(results)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    Increasing,
    NonDecreasing,
    Distinct,
}

fn product(pools: &[Vec<Value>]) -> Result<Vec<Value>, Error> {
    let mut results: Vec<Vec<Value>> = vec![Vec::new()];
    for pool in pools {
        let mut next = Vec::new();
        for prefix in &results {
            for item in pool {
                if next.len() >= MAX_RESULTS {
                    return Err(too_many());
                }
                let mut combined = prefix.clone();
                combined.push(item.clone());
                next.push(combined);
            }
        }
        results = next;
    }
    Ok(results.into_iter().map(tuple).collect())
}

#[derive(Debug)]
struct ItertoolsModule;

impl Object for ItertoolsModule {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("itertools function", args)?;
        let results: Vec<Value> = match method {
            "chain" => {
                let mut chained = Vec::new();
                for iterable in arguments.rest_positional(0) {
                    chained.extend(items(&iterable)?);
                }
                chained
            }
            "product" => {
                let repeat =
                    count_argument(arguments.take(usize::MAX, "repeat")?, "repeat")?.unwrap_or(1);
                let pools = arguments
                    .rest_positional(0)
                    .iter()
                    .map(items)
                    .collect::<Result<Vec<_>, _>>()?;
                let repeated: Vec<Vec<Value>> = (0..repeat).flat_map(|_| pools.clone()).collect();
                product(&repeated)?
            }
            "combinations" | "combinations_with_replacement" | "permutations" => {
                let pool = items(&arguments.require(0, "iterable")?)?;
                let length = count_argument(arguments.take(1, "r")?, "r")?;
                let (rule, length) = match method {
                    "combinations" => (
                        Choice::Increasing,
                        length.ok_or_else(|| {
                            invalid("combinations() missing required argument 'r'")
                        })?,
                    ),
                    "combinations_with_replacement" => (
                        Choice::NonDecreasing,
                        length.ok_or_else(|| {
                            invalid("combinations_with_replacement() missing required argument 'r'")
                        })?,
                    ),
                    _ => (Choice::Distinct, length.unwrap_or(pool.len())),
                };
                let too_long = rule != Choice::NonDecreasing && length > pool.len();
                if too_long || (pool.is_empty() && length > 0) {
                    Vec::new()
                } else {
                    index_choices(pool.len(), length, rule)?
                        .into_iter()
                        .map(|indices| {
                            tuple(
                                indices
                                    .into_iter()
                                    .map(|index| pool[index].clone())
                                    .collect(),
                            )
                        })
                        .collect()
                }
            }
            "zip_longest" => {
                let fill = arguments
                    .take(usize::MAX, "fillvalue")?
                    .unwrap_or(Value::from(()));
                let lists = arguments
                    .rest_positional(0)
                    .iter()
                    .map(items)
                    .collect::<Result<Vec<_>, _>>()?;
                let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
                (0..longest)
                    .map(|index| {
                        tuple(
                            lists
                                .iter()
                                .map(|list| list.get(index).cloned().unwrap_or(fill.clone()))
                                .collect(),
                        )
                    })
                    .collect()
            }
            "islice" => {
                let pool = items(&arguments.require(0, "iterable")?)?;
                let bounds: Vec<Option<usize>> = arguments
                    .rest_positional(1)
                    .into_iter()
                    .map(|value| count_argument(Some(value), "islice index"))
                    .collect::<Result<_, _>>()?;
                let (start, stop, step) = match bounds.as_slice() {
                    [stop] => (0, *stop, 1),
                    [start, stop] => (start.unwrap_or(0), *stop, 1),
                    [start, stop, step] => (start.unwrap_or(0), *stop, step.unwrap_or(1)),
                    _ => return Err(invalid("islice() takes 2 to 4 arguments")),
                };
                if step == 0 {
                    return Err(invalid("islice(): the step must be positive"));
                }
                let stop = stop.unwrap_or(pool.len()).min(pool.len());
                pool.into_iter()
                    .take(stop)
                    .skip(start)
                    .step_by(step)
                    .collect()
            }
            "compress" => {
                let data = items(&arguments.require(0, "data")?)?;
                let selectors = items(&arguments.require(1, "selectors")?)?;
                data.into_iter()
                    .zip(selectors)
                    .filter(|(_, selector)| selector.is_true())
                    .map(|(item, _)| item)
                    .collect()
            }
            "repeat" => {
                let item = arguments.require(0, "object")?;
                let times = count_argument(arguments.take(1, "times")?, "times")?
                    .ok_or_else(|| invalid("itertools.repeat() without a count never ends"))?;
                if times > MAX_RESULTS {
                    return Err(too_many());
                }
                vec![item; times]
            }
            "count" | "cycle" | "tee" | "accumulate" | "starmap" => {
                return Err(invalid(format!(
                    "itertools.{method} is not supported by fusionc yet"
                )))
            }
            _ => return Err(invalid(format!("itertools has no function `{method}`"))),
        };
        arguments.finish()?;
        Ok(Value::from(results))
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<module 'itertools'>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_in_pythons_order() {
        let combinations = index_choices(4, 2, Choice::Increasing).unwrap_or_default();
        assert_eq!(
            combinations,
            [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
        );
        let permutations = index_choices(3, 2, Choice::Distinct).unwrap_or_default();
        assert_eq!(
            permutations,
            [[0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1]]
        );
        let with_replacement = index_choices(2, 2, Choice::NonDecreasing).unwrap_or_default();
        assert_eq!(with_replacement, [[0, 0], [0, 1], [1, 1]]);
    }
}
