//! How bad a finding is. Below both the code registry (`codes`, where each
//! code has a default severity) and the diagnostic type (`diagnostic`, which
//! carries one), so that neither of those imports the other for it.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
/// How bad a finding is. Ordered: `Note < Warning < Error`.
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information attached to another finding.
    Note,
    /// Likely a mistake, but the input still means something: reported, and
    /// the command goes on.
    Warning,
    /// The input is wrong: the command exits 1.
    Error,
}
