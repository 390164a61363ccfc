//! Static analysis modes per node: the `static_analysis` config (from
//! `dbt_project.yml`, YAML or `config()`), overridden by
//! `--static-analysis`, and never stricter than the node's parents.
//! Introspective nodes (their Jinja reads the warehouse) are at most
//! `unsafe`: they can only be analysed once their parents have run.

use crate::cli::StaticAnalysisFlag;
use fusion_frontend::Project;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::NodeId;
use fusion_ir::span::Span;

/// How strictly a node is analysed, weakest first, so that `min` gives the
/// weaker of two modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnalysisMode {
    /// Not analysed.
    Off,
    /// Analysed ahead of time; findings are warnings.
    Baseline,
    /// Analysed just in time, right before the node runs, against the
    /// columns its parents have then; an error fails the node.
    Unsafe,
    /// Analysed ahead of time; any error stops the command before it writes.
    On,
}

impl AnalysisMode {
    pub fn parse(text: &str) -> Option<AnalysisMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "on" | "strict" => Some(AnalysisMode::On),
            "unsafe" => Some(AnalysisMode::Unsafe),
            "baseline" => Some(AnalysisMode::Baseline),
            "off" => Some(AnalysisMode::Off),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AnalysisMode::Off => "off",
            AnalysisMode::Baseline => "baseline",
            AnalysisMode::Unsafe => "unsafe",
            AnalysisMode::On => "on",
        }
    }
}

impl From<StaticAnalysisFlag> for AnalysisMode {
    fn from(flag: StaticAnalysisFlag) -> AnalysisMode {
        match flag {
            StaticAnalysisFlag::On | StaticAnalysisFlag::Strict => AnalysisMode::On,
            StaticAnalysisFlag::Baseline => AnalysisMode::Baseline,
            StaticAnalysisFlag::Unsafe => AnalysisMode::Unsafe,
            StaticAnalysisFlag::Off => AnalysisMode::Off,
        }
    }
}

/// Each node's mode (indexed by `NodeId`), computed along `order` (a
/// topological order), and an error for each unreadable config value.
pub fn effective_modes(
    project: &Project,
    order: &[NodeId],
    flag: Option<StaticAnalysisFlag>,
) -> (Vec<AnalysisMode>, Vec<Diagnostic>) {
    let mut modes = vec![AnalysisMode::On; project.nodes.len()];
    let mut errors = Vec::new();
    for &id in order {
        let details = project.details(id);
        let own = match flag {
            Some(flag) => AnalysisMode::from(flag),
            None => match details.config.get("static_analysis") {
                None | Some(serde_json::Value::Null) => AnalysisMode::On,
                Some(value) => {
                    let text = value
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| value.to_string());
                    match AnalysisMode::parse(&text) {
                        Some(mode) => mode,
                        None => {
                            let mut diagnostic = Diagnostic::new(
                                Code::InvalidStaticAnalysisMode,
                                format!(
                                    "{} `{}` sets static_analysis to `{text}`",
                                    details.kind.resource_type(),
                                    details.name
                                ),
                            )
                            .with_help("use on (or strict), baseline, unsafe or off");
                            if let Some(file) = details.file {
                                diagnostic = diagnostic.at(file, Span::EMPTY);
                            }
                            errors.push(diagnostic);
                            AnalysisMode::On
                        }
                    }
                }
            },
        };
        let mut mode = project
            .graph
            .parents(id)
            .iter()
            .map(|parent| modes[parent.index()])
            .fold(own, std::cmp::min);
        if details.introspective {
            mode = mode.min(AnalysisMode::Unsafe);
        }
        modes[id.index()] = mode;
    }
    (modes, errors)
}
