//! Rendering a node's Jinja with dbt's context on minijinja, ahead of time
//! (the loader's parse and compile phases) and again right before the node
//! runs ([`Project::render_node_at_run_time`]).
//!
//! One [`minijinja::Environment`] holds every project macro file (compiled
//! once) and dbt's globals (registered by `builtin`). It is shared by all
//! rayon workers; what differs per node lives in the render context under
//! `__fusion_node`, a [`NodeRenderState`] that records the
//! `ref`/`source`/`config` calls.
//!
//! Project macros are not called directly as minijinja macros: every macro
//! name is a global that renders the macro's file into a fresh state with
//! the caller's context and calls the macro there (see `builtin/macros.rs`).
//! Macros are renamed inside their files (`__fusion_macro__x`) so that calls
//! between macros of the same file also go through that wrapper.

use crate::builtin::config_and_vars::{compile_flags, run_flags};
use crate::builtin::register_dbt_context;
use crate::jinja::{error_message, error_span_in_template, failure_of, to_value};
use crate::mutable::{make_mutable, rewrite_mutable_literals, MUTABLE_FUNCTION};
use crate::project::{NodeDetails, Project};
use crate::relation::{RelationObject, RelationParts};
use crate::render_state::{NodeRenderState, Recorded, RenderShared, NODE_STATE_KEY};
use crate::runtime::{RunRenderOptions, RunRendered, RunTime};
use crate::source_map::SourceMap;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::Span;
use minijinja::{Environment, Error, Template, Value};
use std::sync::Arc;

/// The prefix given to project macros inside their compiled files.
const INTERNAL_MACRO_PREFIX: &str = "__fusion_macro__";

/// Builds the shared environment: dbt globals, project macros, filters.
/// `macro_files` are `(template name, rewritten source)` pairs; a file that
/// does not compile is returned with its error instead of stopping the load.
pub(crate) fn build_environment(
    shared: &Arc<RenderShared>,
    macro_files: Vec<(String, String)>,
) -> (Environment<'static>, Vec<(String, Error)>) {
    let mut environment = Environment::new();
    // minijinja's default follows the build profile; on, its errors name
    // the undefined value (`dbt_utils` is undefined) in release builds too.
    environment.set_debug(true);
    environment.set_unknown_method_callback(crate::mutable::unknown_method);
    environment.set_recursion_limit(500);
    let mut failures = Vec::new();
    environment.add_function(MUTABLE_FUNCTION, make_mutable);
    environment.add_function(crate::mutable::DO_FUNCTION, crate::mutable::discard);
    for (name, source) in macro_files {
        let source = rewrite_mutable_literals(&source).unwrap_or(source);
        if let Err(error) = environment.add_template_owned(name.clone(), source) {
            failures.push((name, error));
        }
    }
    register_dbt_context(&mut environment, shared);
    // Python's `list(...)` is a new list of its own: `(nodes | list).pop()`.
    environment.add_filter(
        "list",
        |state: &minijinja::State<'_, '_>, value: minijinja::Value| {
            minijinja::filters::list(state, value).map(make_mutable)
        },
    );
    (environment, failures)
}

/// One render of one node.
pub(crate) struct RenderInput<'a> {
    pub template_name: &'a str,
    pub source: &'a str,
    pub this: RelationParts,
    pub model: Value,
    pub execute: bool,
    /// The adapter's quote character for relation names.
    pub quote: char,
}

/// The result of one render: the output or the error, and what was recorded.
pub(crate) struct RenderOutput {
    pub result: Result<String, Error>,
    pub recorded: Recorded,
}

impl RenderOutput {
    /// A render that failed before it recorded anything (its template did
    /// not compile).
    pub(crate) fn failed(error: Error) -> RenderOutput {
        RenderOutput {
            result: Err(error),
            recorded: Recorded::default(),
        }
    }
}

/// Renders one node's template with a given render state (a run-time one,
/// say) and `flags`.
pub(crate) fn render_node_with(
    environment: &Environment<'static>,
    input: &RenderInput,
    state: NodeRenderState,
    flags: Value,
) -> RenderOutput {
    let rewritten = rewrite_mutable_literals(input.source);
    match compile_node_template(
        environment,
        input.template_name,
        input.source,
        rewritten.as_deref(),
    ) {
        Ok(template) => render_template(&template, input, state, flags),
        Err(error) => RenderOutput::failed(error),
    }
}

/// Compiles a node's template: `source`, or the text
/// [`rewrite_mutable_literals`] made of it (`rewritten`). The
/// loader's parse and compile phases render one compiled template instead
/// of compiling it twice.
pub(crate) fn compile_node_template<'env, 'source>(
    environment: &'env Environment<'static>,
    template_name: &'source str,
    source: &'source str,
    rewritten: Option<&'source str>,
) -> Result<Template<'env, 'source>, Error> {
    environment.template_from_named_str(template_name, rewritten.unwrap_or(source))
}

/// Renders a compiled node template with the dbt context (`input` gives
/// `this`, `model` and `execute`; its name and source are not read).
pub(crate) fn render_template(
    template: &Template<'_, '_>,
    input: &RenderInput,
    state: NodeRenderState,
    flags: Value,
) -> RenderOutput {
    let node = Arc::new(state);
    let context = minijinja::context! {
        this => Value::from_object(RelationObject::new(input.this.clone(), input.quote)),
        model => input.model.clone(),
        execute => input.execute,
        flags => flags,
        __fusion_node => Value::from_dyn_object(node.clone()),
    };
    crate::builtin::relations::GraphReads::reset();
    let result = template.render(context);
    let mut recorded = node.take_recorded();
    recorded.reads_graph = crate::builtin::relations::GraphReads::happened();
    RenderOutput { result, recorded }
}

/// Renders a custom generic test: the project's `{% test name(model,
/// column_name, ...) %}` block (the macro `test_<name>`), called with the
/// relation the test is attached to, its column and its arguments. An
/// argument written as `ref('x')` or `source('s', 't')` is evaluated, as
/// dbt renders test arguments.
pub(crate) fn render_generic_test(
    environment: &Environment<'static>,
    macro_name: &str,
    model: RelationParts,
    column_name: Option<&str>,
    kwargs: &serde_json::Map<String, serde_json::Value>,
    state: NodeRenderState,
    quote: char,
) -> RenderOutput {
    let node = Arc::new(state);
    let mut call = format!("{{{{ {macro_name}(model=__fusion_test_model");
    let mut context: Vec<(String, Value)> = vec![
        (
            "__fusion_test_model".into(),
            Value::from_object(RelationObject::new(model, quote)),
        ),
        ("execute".into(), Value::from(true)),
        ("flags".into(), compile_flags()),
        (NODE_STATE_KEY.into(), Value::from_dyn_object(node.clone())),
    ];
    if let Some(column_name) = column_name {
        call.push_str(", column_name=__fusion_test_column");
        context.push(("__fusion_test_column".into(), Value::from(column_name)));
    }
    for (index, (key, value)) in kwargs.iter().enumerate() {
        let is_identifier = !key.is_empty()
            && key
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '_');
        if !is_identifier {
            continue;
        }
        match value.as_str().map(str::trim) {
            Some(text)
                if (text.starts_with("ref(") || text.starts_with("source("))
                    && text.ends_with(')')
                    && !text.contains("}}") =>
            {
                call.push_str(&format!(", {key}={text}"));
            }
            // An argument that is one `{{ expression }}` is that
            // expression's value, as dbt renders test arguments natively
            // (`min_value: "{{ var('target') }}"` is the var's number).
            Some(text) if single_jinja_expression(text).is_some() => {
                let expression = single_jinja_expression(text).unwrap_or_default();
                call.push_str(&format!(", {key}=({expression})"));
            }
            _ => {
                let slot = format!("__fusion_test_argument_{index}");
                call.push_str(&format!(", {key}={slot}"));
                let mut value = value.clone();
                render_nested_arguments(environment, &mut value, &node_context(&node));
                // A list or mapping argument is a Python list or dict in dbt:
                // the test's macro may append to it.
                context.push((slot, make_mutable(to_value(value))));
            }
        }
    }
    call.push_str(") }}");
    // The arguments' expressions are Jinja as a template's are (datetime
    // arithmetic among them).
    let call = rewrite_mutable_literals(&call).unwrap_or(call);
    let context: std::collections::BTreeMap<String, Value> = context.into_iter().collect();
    let result = environment.render_str(&call, Value::from(context));
    RenderOutput {
        result,
        recorded: node.take_recorded(),
    }
}

/// Renders the Jinja in a generic test's arguments (see
/// [`render_nested_arguments`]), for the tests fusionc writes natively
/// (`accepted_values: {values: "{{ var('types') }}"}`).
pub(crate) fn render_test_arguments(
    environment: &Environment<'static>,
    kwargs: &mut serde_json::Map<String, serde_json::Value>,
    state: NodeRenderState,
) {
    let context = node_context(&Arc::new(state));
    for value in kwargs.values_mut() {
        render_nested_arguments(environment, value, &context);
    }
}

/// A context holding only the node being rendered: what a test argument's
/// Jinja needs to call the macros its package sees (`{{ quote_column('plan') }}`
/// in a package's YAML calls that package's macro).
fn node_context(node: &Arc<NodeRenderState>) -> Value {
    let context: std::collections::BTreeMap<String, Value> = [(
        NODE_STATE_KEY.to_owned(),
        Value::from_dyn_object(node.clone()),
    )]
    .into_iter()
    .collect();
    Value::from(context)
}

/// Renders the Jinja in the strings of a list or mapping argument of a
/// generic test (`compare_columns: ["a", "{{ 'b' if ... }}"]`), as dbt
/// renders test arguments: one `{{ expression }}` keeps its value's type,
/// other text renders to text. A string that does not render stays as
/// written (the test's SQL then shows it).
fn render_nested_arguments(
    environment: &Environment<'static>,
    value: &mut serde_json::Value,
    context: &Value,
) {
    match value {
        serde_json::Value::String(text) if text.contains("{{") || text.contains("{%") => {
            let rendered = match single_jinja_expression(text.trim()) {
                Some(expression) => environment
                    .compile_expression(expression)
                    .and_then(|compiled| compiled.eval(context.clone()))
                    .ok()
                    .and_then(|value| serde_json::to_value(&value).ok()),
                None => environment
                    .render_str(text, context.clone())
                    .ok()
                    .map(serde_json::Value::String),
            };
            if let Some(rendered) = rendered {
                *value = rendered;
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                render_nested_arguments(environment, item, context);
            }
        }
        serde_json::Value::Object(map) => {
            for item in map.values_mut() {
                render_nested_arguments(environment, item, context);
            }
        }
        _ => {}
    }
}

/// The expression of a text that is exactly one `{{ ... }}`.
fn single_jinja_expression(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.trim_start_matches('-').trim_end_matches('-').trim();
    let nested = inner.contains("{{") || inner.contains("}}") || inner.contains("{%");
    (!nested && !inner.is_empty()).then_some(inner)
}

/// `model` as templates see it.
pub(crate) fn model_value(facts: &ModelFacts) -> Value {
    to_value(serde_json::json!({
        "name": facts.name,
        "unique_id": facts.unique_id,
        "original_file_path": facts.original_file_path,
        "path": facts.path,
        "package_name": facts.package_name,
        "resource_type": facts.kind.resource_type(),
        "fqn": facts.fqn,
        "config": serde_json::Value::Object(facts.config.clone()),
        "tags": facts.config.get("tags").cloned().unwrap_or_else(|| serde_json::json!([])),
    }))
}

/// What `model` gives a template: the node's identity and its config as
/// known when it renders.
pub(crate) struct ModelFacts<'a> {
    pub kind: NodeKind,
    pub name: &'a str,
    pub unique_id: &'a str,
    pub original_file_path: &'a str,
    pub path: &'a str,
    pub package_name: &'a str,
    pub fqn: &'a [String],
    pub config: &'a serde_json::Map<String, serde_json::Value>,
}

impl<'a> ModelFacts<'a> {
    /// A loaded node's facts.
    fn of(details: &'a NodeDetails) -> ModelFacts<'a> {
        ModelFacts {
            kind: details.kind,
            name: &details.name,
            unique_id: &details.unique_id,
            original_file_path: &details.original_file_path,
            path: &details.path,
            package_name: &details.package_name,
            fqn: &details.fqn,
            config: &details.config.values,
        }
    }
}

/// The relation a custom test's `model` argument renders as.
pub(crate) fn relation_of_attached(attached_details: &NodeDetails) -> RelationParts {
    if attached_details.is_ephemeral() {
        return RelationParts::ephemeral(&attached_details.name);
    }
    RelationParts {
        database: attached_details.database.clone(),
        schema: attached_details.schema.clone(),
        identifier: attached_details.source.as_ref().map_or_else(
            || attached_details.alias.clone(),
            |source| source.identifier.clone(),
        ),
        ephemeral_cte: false,
        quoting: attached_details.quoting,
    }
}

fn this_of(details: &NodeDetails) -> RelationParts {
    RelationParts {
        database: details.database.clone(),
        schema: details.schema.clone(),
        identifier: details.alias.clone(),
        ephemeral_cte: false,
        quoting: details.quoting,
    }
}

/// A render error as a diagnostic: in the node's template when the error
/// is there, with the line it names.
fn run_time_diagnostic(error: &Error, details: Option<&NodeDetails>, what: &str) -> Diagnostic {
    let (code, message) = match failure_of(error) {
        Some(failure) => (failure.code, failure.message.clone()),
        None => (Code::JinjaRender, error_message(error)),
    };
    let mut diagnostic = Diagnostic::new(code, format!("{what} at run time failed: {message}"));
    if let Some(details) = details {
        if let Some(file) = details.file {
            let in_template = error.name() == Some(details.original_file_path.as_str());
            let span = in_template
                .then(|| error_span_in_template(error, &details.raw_code))
                .flatten()
                .unwrap_or(Span::EMPTY);
            diagnostic = diagnostic.at(file, span);
        }
    }
    diagnostic
}

impl Project {
    /// Renders a node again just before it runs: `is_incremental()` and
    /// `flags` as the run has them, introspection answered by the
    /// warehouse. Nodes that are not templates (seeds, generic tests) keep
    /// their compile-time SQL.
    #[expect(
        clippy::result_large_err,
        reason = "a failed render ends the node; the diagnostic is reported at once"
    )]
    pub fn render_node_at_run_time(
        &self,
        node: NodeId,
        options: &RunRenderOptions<'_>,
    ) -> Result<RunRendered, Diagnostic> {
        let details = self.details(node);
        if let (Some(renderer), Some(test), true) =
            (&self.renderer, &details.test, details.introspective)
        {
            return self.render_custom_test_at_run_time(renderer, details, test, options);
        }
        let is_template = details.test.is_none()
            && matches!(
                details.kind,
                NodeKind::Model | NodeKind::Snapshot | NodeKind::Test | NodeKind::Analysis
            );
        let (Some(renderer), true) = (&self.renderer, is_template) else {
            let rendered = details.rendered.as_ref().ok_or_else(|| {
                Diagnostic::new(
                    Code::JinjaRender,
                    format!(
                        "{} `{}` was not rendered",
                        details.kind.resource_type(),
                        details.name
                    ),
                )
            })?;
            return Ok(RunRendered {
                sql: rendered.sql.to_string(),
                source_map: rendered.source_map.get().clone(),
                introspective: details.introspective,
            });
        };
        let output = render_node_with(
            &renderer.environment,
            &RenderInput {
                template_name: &details.original_file_path,
                source: &details.raw_code,
                // A unit test's `this` is its given rows, when given.
                this: match options
                    .unit_test
                    .as_ref()
                    .and_then(|unit_test| unit_test.this.as_ref())
                {
                    Some(cte) => RelationParts {
                        database: None,
                        schema: None,
                        identifier: cte.clone(),
                        ephemeral_cte: true,
                        quoting: crate::quoting::QuotePolicy::NONE,
                    },
                    None => this_of(details),
                },
                model: model_value(&ModelFacts::of(details)),
                execute: true,
                quote: renderer.quote,
            },
            NodeRenderState::at_run_time(RunTime::new(options), self.package_of(details)),
            run_flags(options),
        );
        match output.result {
            Ok(sql) => Ok(RunRendered {
                source_map: SourceMap::build(&details.raw_code, &sql),
                sql,
                introspective: output.recorded.introspective,
            }),
            Err(error) => Err(run_time_diagnostic(&error, Some(details), "rendering")),
        }
    }

    /// A generic test whose macro read the warehouse, rendered again with
    /// the warehouse answering (its compile-time SQL was a guess).
    #[expect(
        clippy::result_large_err,
        reason = "a failed render ends the node; the diagnostic is reported at once"
    )]
    fn render_custom_test_at_run_time(
        &self,
        renderer: &crate::runtime::Renderer,
        details: &NodeDetails,
        test: &crate::project::TestDetails,
        options: &RunRenderOptions<'_>,
    ) -> Result<RunRendered, Diagnostic> {
        // Unqualified, the test's macro is found as its node finds it (its
        // package first): the render state carries the package.
        let macro_name = match &test.namespace {
            Some(namespace) => format!("{namespace}.test_{}", test.test_name),
            None => format!("test_{}", test.test_name),
        };
        let model = test.attached_node.map_or_else(
            || this_of(details),
            |id| relation_of_attached(self.details(id)),
        );
        let model_text = model.quoted(renderer.quote);
        let output = render_generic_test(
            &renderer.environment,
            &macro_name,
            model,
            test.column_name.as_deref(),
            &test.kwargs,
            NodeRenderState::at_run_time(RunTime::new(options), self.package_of(details)),
            renderer.quote,
        );
        let sql = output
            .result
            .map_err(|error| run_time_diagnostic(&error, Some(details), "rendering"))?;
        // The `where` config reads the attached relation through a filter,
        // as at compile time.
        let sql = match details
            .config
            .values
            .get("where")
            .and_then(|value| value.as_str())
        {
            Some(condition) => sql.replace(
                &model_text,
                &format!("(select * from {model_text} where {condition}) dbt_subquery"),
            ),
            None => sql,
        };
        Ok(RunRendered {
            source_map: SourceMap::default(),
            sql,
            introspective: output.recorded.introspective,
        })
    }

    /// Renders a template node as the loader's compile phase does
    /// (`execute` true, no warehouse), with the loaded project's `graph`:
    /// for the nodes whose compile render read `graph` before it existed.
    pub(crate) fn render_at_compile_time(&self, details: &NodeDetails) -> Option<RenderOutput> {
        let renderer = self.renderer.as_ref()?;
        Some(render_node_with(
            &renderer.environment,
            &RenderInput {
                template_name: &details.original_file_path,
                source: &details.raw_code,
                this: this_of(details),
                model: model_value(&ModelFacts::of(details)),
                execute: true,
                quote: renderer.quote,
            },
            NodeRenderState::in_package(self.package_of(details)),
            compile_flags(),
        ))
    }

    /// The installed package a node belongs to (`None`: the root project).
    fn package_of(&self, details: &NodeDetails) -> Option<Arc<str>> {
        (details.package_name != self.name).then(|| Arc::from(details.package_name.as_str()))
    }

    /// Renders a hook (or any template text) at run time, as part of `node`
    /// (its `this` and `model`) or of the whole run (`on-run-start`).
    #[expect(
        clippy::result_large_err,
        reason = "a failed render ends the node; the diagnostic is reported at once"
    )]
    pub fn render_string(
        &self,
        template: &str,
        node: Option<NodeId>,
        options: &RunRenderOptions<'_>,
    ) -> Result<String, Diagnostic> {
        let Some(renderer) = &self.renderer else {
            return Ok(template.to_string());
        };
        if !template.contains("{{") && !template.contains("{%") {
            return Ok(template.to_string());
        }
        let details = node.map(|id| self.details(id));
        let (this, model) = match details {
            Some(details) => (this_of(details), model_value(&ModelFacts::of(details))),
            None => (
                RelationParts {
                    database: Some(self.target.database.clone()),
                    schema: Some(self.target.schema.clone()),
                    identifier: String::new(),
                    ephemeral_cte: false,
                    quoting: self.relation_quoting,
                },
                Value::from(()),
            ),
        };
        let output = render_node_with(
            &renderer.environment,
            &RenderInput {
                template_name: "<hook>",
                source: template,
                this,
                model,
                execute: true,
                quote: renderer.quote,
            },
            NodeRenderState::at_run_time(
                RunTime::new(options),
                details.and_then(|details| self.package_of(details)),
            ),
            run_flags(options),
        );
        output.result.map_err(|error| {
            let mut diagnostic = run_time_diagnostic(&error, None, "a hook");
            if let Some(file) = details.and_then(|details| details.file) {
                diagnostic = diagnostic.at(file, Span::EMPTY);
            }
            diagnostic
        })
    }
}

/// A macro found in a macro file.
#[derive(Clone, Debug)]
pub(crate) struct ScannedMacro {
    pub name: String,
    pub arguments: Vec<String>,
    /// Byte range of `{% macro %}` ... `{% endmacro %}` in the original file.
    pub start: usize,
    pub end: usize,
}

/// Rewrites a macro file for the shared environment: project macros are
/// renamed (see the module docs), and dbt's custom block tags become macros
/// (`{% test x(...) %}` → `test_x`, `{% materialization m, adapter='a' %}` →
/// `materialization_m_a`). Line structure is kept so error lines still match.
pub(crate) fn prepare_macro_file(text: &str) -> (String, Vec<ScannedMacro>) {
    let mut output = String::with_capacity(text.len() + 64);
    let mut macros: Vec<ScannedMacro> = Vec::new();
    let mut open_macro: Option<ScannedMacro> = None;
    let mut copied_up_to = 0usize;
    let mut search_from = 0usize;
    while let Some(found) = text[search_from..].find("{%") {
        let tag_start = search_from + found;
        // The close is looked for after the `{%`: in `{%}` the two overlap.
        let Some(close) = text[tag_start + 2..].find("%}") else {
            break;
        };
        let tag_end = tag_start + 2 + close + 2;
        let inner_with_markers = &text[tag_start + 2..tag_end - 2];
        let leading_marker = inner_with_markers.starts_with(['-', '+']);
        let trailing_marker = inner_with_markers.ends_with(['-', '+']);
        let inner = inner_with_markers
            .trim_matches(|character: char| character == '-' || character == '+')
            .trim();
        let keyword: String = inner
            .chars()
            .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
            .collect();
        let rest = inner[keyword.len()..].trim_start();
        let open = format!(
            "{{%{}",
            if leading_marker {
                &inner_with_markers[..1]
            } else {
                ""
            }
        );
        let close_text = format!(
            "{}%}}",
            if trailing_marker {
                &inner_with_markers[inner_with_markers.len() - 1..]
            } else {
                ""
            }
        );
        let replacement = match keyword.as_str() {
            "macro" | "test" | "materialization" => {
                let name: String = rest
                    .chars()
                    .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
                    .collect();
                let after_name = &rest[name.len()..];
                let (public_name, signature) = match keyword.as_str() {
                    "macro" => (name.clone(), after_name.to_string()),
                    "test" => (format!("test_{name}"), after_name.to_string()),
                    _ => {
                        let adapter = after_name
                            .split("adapter")
                            .nth(1)
                            .map(|text| {
                                text.trim_start_matches([' ', '=', '\'', '"'])
                                    .chars()
                                    .take_while(|character| {
                                        character.is_ascii_alphanumeric() || *character == '_'
                                    })
                                    .collect::<String>()
                            })
                            .unwrap_or_else(|| "default".to_string());
                        (
                            format!("materialization_{name}_{adapter}"),
                            "()".to_string(),
                        )
                    }
                };
                if name.is_empty() {
                    None
                } else {
                    open_macro = Some(ScannedMacro {
                        name: public_name.clone(),
                        arguments: macro_arguments(&signature),
                        start: tag_start,
                        end: tag_end,
                    });
                    Some(format!(
                        "{open} macro {INTERNAL_MACRO_PREFIX}{public_name}{signature} {close_text}"
                    ))
                }
            }
            "endmacro" | "endtest" | "endmaterialization" => {
                if let Some(mut scanned) = open_macro.take() {
                    scanned.end = tag_end;
                    macros.push(scanned);
                }
                Some(format!("{open} endmacro {close_text}"))
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            output.push_str(&text[copied_up_to..tag_start]);
            output.push_str(&replacement);
            copied_up_to = tag_end;
        }
        search_from = tag_end;
    }
    output.push_str(&text[copied_up_to..]);
    (output, macros)
}

/// Argument names of a macro signature `(a, b=1, c='x')`.
fn macro_arguments(signature: &str) -> Vec<String> {
    let inner = signature.trim();
    let inner = inner.strip_prefix('(').unwrap_or(inner);
    let inner = inner.rfind(')').map_or(inner, |end| &inner[..end]);
    let mut arguments = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for character in inner.chars() {
        match quote {
            Some(open) => {
                if character == open {
                    quote = None;
                }
                current.push(character);
            }
            None => match character {
                '\'' | '"' => {
                    quote = Some(character);
                    current.push(character);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    current.push(character);
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    current.push(character);
                }
                ',' if depth == 0 => arguments.push(std::mem::take(&mut current)),
                _ => current.push(character),
            },
        }
    }
    arguments.push(current);
    arguments
        .into_iter()
        .filter_map(|argument| {
            let name = argument
                .split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_files_are_renamed_and_custom_tags_rewritten() {
        let text = "{% macro cents(col, scale=2) -%}\n{{ col }}\n{%- endmacro %}\n{% test positive(model, column_name) %}select 1{% endtest %}";
        let (rewritten, macros) = prepare_macro_file(text);
        assert!(rewritten.contains("{% macro __fusion_macro__cents(col, scale=2) -%}"));
        assert!(rewritten.contains("{% macro __fusion_macro__test_positive(model, column_name) %}"));
        assert_eq!(rewritten.lines().count(), text.lines().count());
        let names: Vec<&str> = macros.iter().map(|scanned| scanned.name.as_str()).collect();
        assert_eq!(names, ["cents", "test_positive"]);
        assert_eq!(macros[0].arguments, ["col", "scale"]);
        assert_eq!(
            &text[macros[0].start..macros[0].end],
            "{% macro cents(col, scale=2) -%}\n{{ col }}\n{%- endmacro %}"
        );
    }

    #[test]
    fn tags_that_close_where_they_open_are_kept() {
        for text in ["{%}", "{%}{% macro m() %}x{% endmacro %}", "{%-}", "{%é%}"] {
            let (rewritten, _) = prepare_macro_file(text);
            assert_eq!(rewritten.lines().count(), text.lines().count(), "{text:?}");
        }
    }
}
