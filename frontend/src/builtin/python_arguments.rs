//! Python's calling convention for the built-ins that stand in for Python
//! functions (`modules.datetime`, `modules.re`, ...): arguments by position
//! or by name, each parameter taken once, and an error for the rest.

use minijinja::value::Kwargs;
use minijinja::{Error, ErrorKind, Value};

/// The arguments of one call, split into positional and named ones.
pub(super) struct PythonArguments {
    function: &'static str,
    positional: Vec<Option<Value>>,
    named: Vec<(String, Option<Value>)>,
}

impl PythonArguments {
    /// Splits `args` (minijinja passes keyword arguments as a trailing
    /// kwargs value) for a call of `function`, named in errors.
    pub(super) fn new(function: &'static str, args: &[Value]) -> Result<PythonArguments, Error> {
        let (positional, named) = match args.split_last() {
            Some((last, before)) if last.is_kwargs() => {
                let kwargs = Kwargs::try_from(last.clone())?;
                let mut named = Vec::new();
                for key in kwargs.args() {
                    named.push((key.to_string(), Some(kwargs.get::<Value>(key)?)));
                }
                (before, named)
            }
            _ => (args, Vec::new()),
        };
        Ok(PythonArguments {
            function,
            positional: positional.iter().cloned().map(Some).collect(),
            named,
        })
    }

    /// The parameter at `index` (by position) or called `name`; `None` when
    /// the call gives neither. A value given both ways is an error.
    pub(super) fn take(&mut self, index: usize, name: &str) -> Result<Option<Value>, Error> {
        let by_position = self.positional.get_mut(index).and_then(Option::take);
        let by_name = self
            .named
            .iter_mut()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.take());
        match (by_position, by_name) {
            (Some(_), Some(_)) => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "{}() got multiple values for argument '{name}'",
                    self.function
                ),
            )),
            (value, None) | (None, value) => Ok(value),
        }
    }

    /// Like [`take`](Self::take), for a parameter without a default.
    pub(super) fn require(&mut self, index: usize, name: &str) -> Result<Value, Error> {
        self.take(index, name)?.ok_or_else(|| {
            Error::new(
                ErrorKind::MissingArgument,
                format!(
                    "{}() missing required argument '{name}' (pos {})",
                    self.function,
                    index + 1
                ),
            )
        })
    }

    /// The positional arguments from `index` on that no parameter took
    /// (Python's `*args`).
    pub(super) fn rest_positional(&mut self, index: usize) -> Vec<Value> {
        self.positional
            .iter_mut()
            .skip(index)
            .filter_map(Option::take)
            .collect()
    }

    /// Fails on an argument that no parameter took.
    pub(super) fn finish(self) -> Result<(), Error> {
        if let Some(index) = self.positional.iter().position(Option::is_some) {
            return Err(Error::new(
                ErrorKind::TooManyArguments,
                format!(
                    "{}() takes at most {index} positional arguments ({} given)",
                    self.function,
                    self.positional.len()
                ),
            ));
        }
        if let Some((name, _)) = self.named.iter().find(|(_, value)| value.is_some()) {
            return Err(Error::new(
                ErrorKind::TooManyArguments,
                format!(
                    "{}() got an unexpected keyword argument '{name}'",
                    self.function
                ),
            ));
        }
        Ok(())
    }
}

/// An integer argument, or a Python-like TypeError.
pub(super) fn integer(value: &Value, what: &str) -> Result<i64, Error> {
    value.as_i64().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{what} must be an integer, not {}", value.kind()),
        )
    })
}

/// A number argument (integer or float) as a float.
pub(super) fn number(value: &Value, what: &str) -> Result<f64, Error> {
    if let Some(integer) = value.as_i64() {
        return Ok(integer as f64);
    }
    f64::try_from(value.clone()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{what} must be a number, not {}", value.kind()),
        )
    })
}

/// A string argument.
pub(super) fn string(value: &Value, what: &str) -> Result<String, Error> {
    value.as_str().map(str::to_string).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{what} must be a string, not {}", value.kind()),
        )
    })
}

/// An error Python would raise as `ValueError` or `TypeError`.
pub(super) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}
