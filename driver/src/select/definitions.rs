//! The definitions of `selectors.yml` as selection specs, read as dbt reads
//! them (`parse_from_definition`): a definition is a string in the command
//! line's syntax, a `method: value` pair, a full criterion (`method`,
//! `value`, `parents`, `children`, `parents_depth`, `children_depth`,
//! `childrens_parents`, `indirect_selection`, `exclude`), or a `union` or
//! `intersection` of definitions, each of which may hold one `exclude`
//! list. `method: selector` stands for a selector defined earlier in the
//! file.

use super::{grammar, Criterion, Depth, IndirectSelection, Method, SelectionSpec, SetOperation};
use fusion_frontend::project::SelectorDefinition;
use serde_json::{Map, Value};

/// Each selector's spec, in file order; the first definition that cannot be
/// read stops with its selector's index and a message.
pub fn parse_definitions(
    selectors: &[SelectorDefinition],
    indirect: IndirectSelection,
) -> Result<Vec<SelectionSpec>, (usize, String)> {
    let mut parsed: Vec<SelectionSpec> = Vec::with_capacity(selectors.len());
    for (index, selector) in selectors.iter().enumerate() {
        let reader = DefinitionReader {
            earlier: &selectors[..index],
            earlier_specs: &parsed,
            indirect,
        };
        let spec = reader
            .root(&selector.definition)
            .map_err(|message| (index, format!("selector `{}`: {message}", selector.name)))?;
        parsed.push(spec);
    }
    Ok(parsed)
}

struct DefinitionReader<'a> {
    earlier: &'a [SelectorDefinition],
    earlier_specs: &'a [SelectionSpec],
    /// The command's `--indirect-selection`, the default of criteria.
    indirect: IndirectSelection,
}

impl DefinitionReader<'_> {
    fn root(&self, definition: &Value) -> Result<SelectionSpec, String> {
        if let Value::Object(fields) = definition {
            if (fields.contains_key("union") || fields.contains_key("intersection"))
                && fields.len() > 1
            {
                let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
                return Err(format!(
                    "only a single `union` or `intersection` key is allowed at the root of a definition; found {}",
                    keys.join(",")
                ));
            }
        }
        self.definition(definition)
    }

    fn definition(&self, definition: &Value) -> Result<SelectionSpec, String> {
        match definition {
            Value::String(text) => self.single_spec(text),
            Value::Object(fields) if fields.contains_key("union") => {
                self.group(fields, "union", SetOperation::Union)
            }
            Value::Object(fields) if fields.contains_key("intersection") => {
                self.group(fields, "intersection", SetOperation::Intersection)
            }
            Value::Object(fields) => self.criterion(fields),
            other => Err(format!(
                "expected a union, an intersection, a string or a mapping, found {other}"
            )),
        }
    }

    /// A string in the command line's syntax: one criterion.
    fn single_spec(&self, text: &str) -> Result<SelectionSpec, String> {
        let parsed = grammar::IntersectionParser::new()
            .parse(text.trim())
            .map_err(|_| format!("`{text}` is not a valid selector"))?;
        let [criterion] = <[Criterion; 1]>::try_from(parsed).map_err(|_| {
            format!("`{text}` holds more than one criterion; use an `intersection`")
        })?;
        if let Method::Unknown(method) = &criterion.method {
            return Err(format!("`{method}` is not a valid method name"));
        }
        Ok(SelectionSpec::Criterion(Criterion {
            indirect: self.indirect,
            ..criterion
        }))
    }

    /// `union:` or `intersection:`, with at most one `exclude` among its
    /// members.
    fn group(
        &self,
        fields: &Map<String, Value>,
        key: &str,
        operation: SetOperation,
    ) -> Result<SelectionSpec, String> {
        let Some(Value::Array(items)) = fields.get(key) else {
            return Err(format!("`{key}` must be a list"));
        };
        let mut members = Vec::with_capacity(items.len());
        let mut excluded = None;
        for item in items {
            match item {
                Value::Object(member) if member.contains_key("exclude") => {
                    if excluded.is_some() {
                        return Err(format!(
                            "a `{key}` cannot hold more than one `exclude` argument"
                        ));
                    }
                    excluded = self.exclusions(member)?;
                }
                Value::Object(_) | Value::String(_) => members.push(self.definition(item)?),
                other => {
                    return Err(format!(
                        "the items of `{key}` must be mappings or strings, found {other}"
                    ))
                }
            }
        }
        let group = SelectionSpec::Group {
            operation,
            members,
            indirect: IndirectSelection::Eager,
        };
        Ok(with_exclusions(group, excluded))
    }

    /// The `exclude:` list of a mapping, as one spec (a union when it holds
    /// several).
    fn exclusions(&self, fields: &Map<String, Value>) -> Result<Option<SelectionSpec>, String> {
        let Some(Value::Array(items)) = fields.get("exclude") else {
            return Err("`exclude` must be a list".to_string());
        };
        let mut specs = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::Object(_) | Value::String(_) => specs.push(self.definition(item)?),
                other => {
                    return Err(format!(
                        "the items of `exclude` must be mappings or strings, found {other}"
                    ))
                }
            }
        }
        Ok(match specs.len() {
            0 => None,
            1 => specs.pop(),
            _ => Some(SelectionSpec::Group {
                operation: SetOperation::Union,
                members: specs,
                indirect: IndirectSelection::Eager,
            }),
        })
    }

    /// `method: value`, a full criterion, or `method: selector`.
    fn criterion(&self, fields: &Map<String, Value>) -> Result<SelectionSpec, String> {
        let mut excluded = None;
        let (method, value) = if fields.len() == 1 {
            let (method, value) = fields.iter().next().expect("one field");
            (method.clone(), value)
        } else if fields.get("method").and_then(Value::as_str) == Some("selector") {
            let wanted = fields.get("value").map(scalar_text).unwrap_or_default();
            let position = self
                .earlier
                .iter()
                .position(|selector| selector.name == wanted)
                .ok_or_else(|| format!("no selector named `{wanted}` is defined before it"))?;
            return Ok(self.earlier_specs[position].clone());
        } else if let (Some(Value::String(method)), Some(value)) =
            (fields.get("method"), fields.get("value"))
        {
            if fields.contains_key("exclude") {
                excluded = self.exclusions(fields)?;
            }
            (method.clone(), value)
        } else {
            let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
            return Err(format!(
                "expected either one key or `method` and `value` keys, found {}",
                keys.join(", ")
            ));
        };
        let method_kind = Method::parse(&method);
        if let Method::Unknown(name) = &method_kind {
            return Err(format!("`{name}` is not a valid method name"));
        }
        let flag = |key: &str| fields.get(key).is_some_and(truthy);
        let depth = |key: &str| -> Result<Depth, String> {
            match fields.get(key) {
                None | Some(Value::Null) => Ok(Depth::Unbounded),
                Some(Value::Number(number)) => number
                    .as_u64()
                    .and_then(|depth| u32::try_from(depth).ok())
                    .map(Depth::Limited)
                    .ok_or_else(|| format!("`{key}` must be a whole number, found {number}")),
                Some(Value::String(text)) => text
                    .parse()
                    .map(Depth::Limited)
                    .map_err(|_| format!("`{key}` must be a whole number, found `{text}`")),
                Some(other) => Err(format!("`{key}` must be a whole number, found {other}")),
            }
        };
        let indirect = match fields.get("indirect_selection") {
            None | Some(Value::Null) => self.indirect,
            Some(value) => IndirectSelection::parse(&scalar_text(value)).ok_or_else(|| {
                format!(
                    "`indirect_selection` must be eager, cautious, buildable or empty, found {value}"
                )
            })?,
        };
        let criterion = Criterion {
            method: method_kind,
            value: scalar_text(value),
            at_operator: flag("childrens_parents"),
            parents: flag("parents")
                .then(|| depth("parents_depth"))
                .transpose()?,
            children: flag("children")
                .then(|| depth("children_depth"))
                .transpose()?,
            indirect,
        };
        Ok(with_exclusions(
            SelectionSpec::Criterion(criterion),
            excluded,
        ))
    }
}

/// `spec` without what `excluded` selects.
fn with_exclusions(spec: SelectionSpec, excluded: Option<SelectionSpec>) -> SelectionSpec {
    match excluded {
        None => spec,
        Some(excluded) => SelectionSpec::Group {
            operation: SetOperation::Difference,
            members: vec![spec, excluded],
            indirect: IndirectSelection::Eager,
        },
    }
}

/// A YAML value as Python's truth test reads it.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_f64().is_some_and(|number| number != 0.0),
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
    }
}

/// A scalar as the text a criterion matches (`true` for a YAML boolean, as
/// `config.<key>:true` is written on the command line).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
