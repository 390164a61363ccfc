//! dbt's version ranges for hub packages (`version: [">=1.0.0", "<2.0.0"]`),
//! with the same parsing, ordering and reduction rules as `dbt_common.semver`,
//! so that fusionc picks the version `dbt deps` would pick.

use std::cmp::Ordering;

/// The comparison a version specifier states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Matcher {
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Exact,
}

impl Matcher {
    fn as_str(self) -> &'static str {
        match self {
            Matcher::GreaterThan => ">",
            Matcher::GreaterThanOrEqual => ">=",
            Matcher::LessThan => "<",
            Matcher::LessThanOrEqual => "<=",
            Matcher::Exact => "=",
        }
    }
}

/// One version with its matcher, such as `>=1.2.0` or `1.0.0-rc1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VersionSpecifier {
    pub(crate) matcher: Matcher,
    pub(crate) major: u64,
    pub(crate) minor: u64,
    pub(crate) patch: u64,
    pub(crate) prerelease: Option<String>,
    pub(crate) build: Option<String>,
}

/// One end of a range: dbt's `UnboundedVersionSpecifier` or a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    Unbounded,
    Version(VersionSpecifier),
}

/// The versions between two bounds, as `semver.reduce_versions` returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VersionRange {
    pub(crate) start: Bound,
    pub(crate) end: Bound,
}

/// The versions cannot all hold at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VersionsNotCompatible;

impl VersionSpecifier {
    /// Parses `[matcher]major.minor.patch[-prerelease][+build]` as dbt's regex
    /// does (the hyphen before a prerelease is optional there, so `1.0.0rc1`
    /// is a prerelease too). Returns dbt's message on failure.
    pub(crate) fn parse(text: &str) -> Result<VersionSpecifier, String> {
        let invalid = || format!("\"{text}\" is not a valid semantic version.");
        let (matcher, rest) = [
            (">=", Matcher::GreaterThanOrEqual),
            ("<=", Matcher::LessThanOrEqual),
            (">", Matcher::GreaterThan),
            ("<", Matcher::LessThan),
            ("=", Matcher::Exact),
        ]
        .iter()
        .find_map(|(prefix, matcher)| text.strip_prefix(prefix).map(|rest| (*matcher, rest)))
        .unwrap_or((Matcher::Exact, text));
        let (major, rest) = leading_number(rest).ok_or_else(invalid)?;
        let rest = rest.strip_prefix('.').ok_or_else(invalid)?;
        let (minor, rest) = leading_number(rest).ok_or_else(invalid)?;
        let rest = rest.strip_prefix('.').ok_or_else(invalid)?;
        let (patch, rest) = leading_number(rest).ok_or_else(invalid)?;
        let (prerelease_part, build) = match rest.split_once('+') {
            Some((prerelease_part, build)) => {
                let valid = build.split('.').all(|part| {
                    part.bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
                });
                if !valid {
                    return Err(invalid());
                }
                (prerelease_part, Some(build.to_string()))
            }
            None => (rest, None),
        };
        let prerelease = if prerelease_part.is_empty() {
            None
        } else {
            let without_hyphen = prerelease_part.strip_prefix('-').unwrap_or("");
            if is_prerelease(without_hyphen) {
                Some(without_hyphen.to_string())
            } else if is_prerelease(prerelease_part) {
                Some(prerelease_part.to_string())
            } else {
                return Err(invalid());
            }
        };
        Ok(VersionSpecifier {
            matcher,
            major,
            minor,
            patch,
            prerelease,
            build,
        })
    }

    /// The version as dbt prints it, with or without the matcher.
    pub(crate) fn to_version_string(&self, with_matcher: bool) -> String {
        let mut text = String::new();
        if with_matcher {
            text.push_str(self.matcher.as_str());
        }
        text.push_str(&format!("{}.{}.{}", self.major, self.minor, self.patch));
        if let Some(prerelease) = self.prerelease.as_deref().filter(|text| !text.is_empty()) {
            text.push('-');
            text.push_str(prerelease);
        }
        if let Some(build) = self.build.as_deref().filter(|text| !text.is_empty()) {
            text.push('+');
            text.push_str(build);
        }
        text
    }

    fn is_lower_bound(&self) -> bool {
        matches!(
            self.matcher,
            Matcher::GreaterThan | Matcher::GreaterThanOrEqual
        )
    }

    fn is_upper_bound(&self) -> bool {
        matches!(self.matcher, Matcher::LessThan | Matcher::LessThanOrEqual)
    }

    fn is_exact(&self) -> bool {
        self.matcher == Matcher::Exact
    }

    fn to_range(&self) -> VersionRange {
        match self.matcher {
            Matcher::Exact => VersionRange {
                start: Bound::Version(self.clone()),
                end: Bound::Version(self.clone()),
            },
            Matcher::GreaterThan | Matcher::GreaterThanOrEqual => VersionRange {
                start: Bound::Version(self.clone()),
                end: Bound::Unbounded,
            },
            Matcher::LessThan | Matcher::LessThanOrEqual => VersionRange {
                start: Bound::Unbounded,
                end: Bound::Version(self.clone()),
            },
        }
    }

    /// dbt's `VersionSpecifier.compare`: numbers first, then prereleases
    /// (a release is above its prereleases, except against a `<` bound),
    /// then the matchers decide between equal numbers (`<x` is below `<=x`).
    fn compare(&self, other: &VersionSpecifier) -> Ordering {
        for (own, others) in [
            (self.major, other.major),
            (self.minor, other.minor),
            (self.patch, other.patch),
        ] {
            match own.cmp(&others) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        match (&self.prerelease, &other.prerelease) {
            (None, None) => {}
            (None, Some(_)) => {
                return if self.matcher == Matcher::LessThan {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            (Some(_), None) => return Ordering::Less,
            (Some(own), Some(others)) => match natural_compare(own, others) {
                Ordering::Equal => {}
                unequal => return unequal,
            },
        }
        use Matcher::{GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual};
        let (own, others) = (self.matcher, other.matcher);
        let equal = (own == GreaterThanOrEqual && others == LessThanOrEqual)
            || (own == LessThanOrEqual && others == GreaterThanOrEqual);
        if equal {
            return Ordering::Equal;
        }
        let less = (own == LessThan && others == LessThanOrEqual)
            || (others == GreaterThan && own == GreaterThanOrEqual)
            || (self.is_upper_bound() && other.is_lower_bound());
        if less {
            return Ordering::Less;
        }
        let greater = (others == LessThan && own == LessThanOrEqual)
            || (own == GreaterThan && others == GreaterThanOrEqual)
            || (self.is_lower_bound() && other.is_upper_bound());
        if greater {
            return Ordering::Greater;
        }
        Ordering::Equal
    }
}

/// A number without leading zeros (`0|[1-9]\d*`), and what follows it.
fn leading_number(text: &str) -> Option<(u64, &str)> {
    let length = if text.starts_with('0') {
        1
    } else {
        text.bytes().take_while(u8::is_ascii_digit).count()
    };
    if length == 0 {
        return None;
    }
    let number = text[..length].parse().ok()?;
    Some((number, &text[length..]))
}

/// Dot-separated identifiers, each `0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*`.
fn is_prerelease(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            let all_allowed = !part.is_empty()
                && part
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
            let numeric = part.bytes().all(|byte| byte.is_ascii_digit());
            all_allowed && (!numeric || part == "0" || !part.starts_with('0'))
        })
}

/// dbt's `_nat_cmp` of two prerelease texts: numeric parts as numbers (below
/// any text part), text parts as text; when the shared parts are equal, the
/// longer text is greater.
fn natural_compare(left: &str, right: &str) -> Ordering {
    for (left_part, right_part) in left.split('.').zip(right.split('.')) {
        let left_number = numeric_part(left_part);
        let right_number = numeric_part(right_part);
        let ordering = match (left_number, right_number) {
            (Some(left_number), Some(right_number)) => left_number.cmp(&right_number),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => left_part.cmp(right_part),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    left.len().cmp(&right.len())
}

fn numeric_part(part: &str) -> Option<u128> {
    if !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()) {
        // Python's int() has no limit; parts longer than u128 compare as text.
        part.parse().ok()
    } else {
        None
    }
}

fn bound_compare(left: &Bound, right: &Bound) -> Ordering {
    match (left, right) {
        (Bound::Version(left), Bound::Version(right)) => left.compare(right),
        _ => Ordering::Equal,
    }
}

impl VersionRange {
    fn reduce(&self, other: &VersionRange) -> Result<VersionRange, VersionsNotCompatible> {
        let (start, end) = match (&self.start, &other.start) {
            (Bound::Version(own), Bound::Version(others))
                if own.is_exact() && others.is_exact() =>
            {
                if own.compare(others) != Ordering::Equal {
                    return Err(VersionsNotCompatible);
                }
                (Bound::Version(own.clone()), Bound::Version(own.clone()))
            }
            _ => (
                combine_bounds(&self.start, &other.start, BoundSide::Lower)?,
                combine_bounds(&self.end, &other.end, BoundSide::Upper)?,
            ),
        };
        if bound_compare(&start, &end) == Ordering::Greater {
            return Err(VersionsNotCompatible);
        }
        Ok(VersionRange { start, end })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BoundSide {
    Lower,
    Upper,
}

/// dbt's `_try_combine_lower_bound` / `_try_combine_upper_bound`: the tighter
/// of two bounds, or the exact version when it lies inside the other bound.
fn combine_bounds(
    left: &Bound,
    right: &Bound,
    side: BoundSide,
) -> Result<Bound, VersionsNotCompatible> {
    let (left_version, right_version) = match (left, right) {
        (_, Bound::Unbounded) => return Ok(left.clone()),
        (Bound::Unbounded, _) => return Ok(right.clone()),
        (Bound::Version(left), Bound::Version(right)) => (left, right),
    };
    if !(left_version.is_exact() || right_version.is_exact()) {
        let ordering = left_version.compare(right_version);
        let take_right = match side {
            BoundSide::Lower => ordering == Ordering::Less,
            BoundSide::Upper => ordering == Ordering::Greater,
        };
        return Ok(if take_right {
            right.clone()
        } else {
            left.clone()
        });
    }
    let (bound, exact) = if left_version.is_exact() {
        (right_version, left_version)
    } else {
        (left_version, right_version)
    };
    let ordering = bound.compare(exact);
    let inside = match side {
        BoundSide::Lower => {
            ordering == Ordering::Less
                || (ordering == Ordering::Equal && bound.matcher == Matcher::GreaterThanOrEqual)
        }
        BoundSide::Upper => {
            ordering == Ordering::Greater
                || (ordering == Ordering::Equal && bound.matcher == Matcher::LessThanOrEqual)
        }
    };
    if inside {
        Ok(Bound::Version(exact.clone()))
    } else {
        Err(VersionsNotCompatible)
    }
}

/// dbt's `reduce_versions`: the range every specifier allows. dbt starts from
/// the last specifier and reduces with the others in order; so does this.
pub(crate) fn reduce_versions(
    specifiers: &[VersionSpecifier],
) -> Result<VersionRange, VersionsNotCompatible> {
    let Some((last, others)) = specifiers.split_last() else {
        return Ok(VersionRange {
            start: Bound::Unbounded,
            end: Bound::Unbounded,
        });
    };
    let mut range = last.to_range();
    for specifier in others {
        range = range.reduce(&specifier.to_range())?;
    }
    Ok(range)
}

fn version_in_range(version: &VersionSpecifier, range: &VersionRange) -> bool {
    let mut specifiers = vec![version.clone()];
    for bound in [&range.start, &range.end] {
        if let Bound::Version(bound) = bound {
            specifiers.push(bound.clone());
        }
    }
    reduce_versions(&specifiers).is_ok()
}

/// dbt's `filter_installable`: the versions that may be installed (releases,
/// and prereleases only when asked for), sorted from lowest to highest.
/// Texts that are not versions are left out.
pub(crate) fn filter_installable(versions: &[String], install_prerelease: bool) -> Vec<String> {
    let mut installable: Vec<(VersionSpecifier, &String)> = versions
        .iter()
        .filter_map(|text| {
            VersionSpecifier::parse(text)
                .ok()
                .map(|version| (version, text))
        })
        .filter(|(version, _)| install_prerelease || version.prerelease.is_none())
        .collect();
    installable.sort_by(|(left, _), (right, _)| left.compare(right));
    installable
        .into_iter()
        .map(|(_, text)| text.clone())
        .collect()
}

/// dbt's `resolve_to_specific_version`: the highest of `available` inside the range.
pub(crate) fn resolve_to_specific_version(
    range: &VersionRange,
    available: &[String],
) -> Option<String> {
    let mut best: Option<(VersionSpecifier, &String)> = None;
    for text in available {
        let Ok(version) = VersionSpecifier::parse(text) else {
            continue;
        };
        let higher = best
            .as_ref()
            .is_none_or(|(best_version, _)| best_version.compare(&version) == Ordering::Less);
        if version_in_range(&version, range) && higher {
            best = Some((version, text));
        }
    }
    best.map(|(_, text)| text.clone())
}

/// The range as dbt prints it in errors: `>=1.0.0, <2.0.0`, or `ANY`.
pub(crate) fn describe_range(range: &VersionRange) -> String {
    let parts: Vec<String> = [&range.start, &range.end]
        .into_iter()
        .filter_map(|bound| match bound {
            Bound::Version(version) => Some(version.to_version_string(true)),
            Bound::Unbounded => None,
        })
        .collect();
    if parts.is_empty() {
        "ANY".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specifiers(texts: &[&str]) -> Vec<VersionSpecifier> {
        texts
            .iter()
            .map(|text| VersionSpecifier::parse(text).expect("a valid version"))
            .collect()
    }

    fn strings(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|text| text.to_string()).collect()
    }

    #[test]
    fn parses_matchers_prereleases_and_builds_as_dbt() {
        let version = VersionSpecifier::parse(">=1.2.3-rc.1+build.5").expect("valid");
        assert_eq!(version.matcher, Matcher::GreaterThanOrEqual);
        assert_eq!((version.major, version.minor, version.patch), (1, 2, 3));
        assert_eq!(version.prerelease.as_deref(), Some("rc.1"));
        assert_eq!(version.build.as_deref(), Some("build.5"));
        let no_hyphen = VersionSpecifier::parse("1.0.0b1").expect("valid");
        assert_eq!(no_hyphen.prerelease.as_deref(), Some("b1"));
        assert_eq!(
            VersionSpecifier::parse("<=0.9.0").expect("valid").matcher,
            Matcher::LessThanOrEqual
        );
        for invalid in ["1.0", "v1.0.0", "01.0.0", "1.0.0 ", ">>1.0.0", ""] {
            assert!(VersionSpecifier::parse(invalid).is_err(), "{invalid}");
        }
        assert_eq!(version.to_version_string(true), ">=1.2.3-rc.1+build.5");
    }

    #[test]
    fn prereleases_sort_below_their_release_and_naturally() {
        let versions = strings(&[
            "1.0.0",
            "1.0.0-rc.10",
            "1.0.0-rc.2",
            "1.0.0-alpha",
            "0.9.1",
            "1.0.0-1",
        ]);
        assert_eq!(
            filter_installable(&versions, true),
            strings(&[
                "0.9.1",
                "1.0.0-1",
                "1.0.0-alpha",
                "1.0.0-rc.2",
                "1.0.0-rc.10",
                "1.0.0"
            ])
        );
        assert_eq!(
            filter_installable(&versions, false),
            strings(&["0.9.1", "1.0.0"])
        );
    }

    #[test]
    fn ranges_reduce_to_their_intersection() {
        let range = reduce_versions(&specifiers(&[">=0.8.0", "<0.10.0", ">=0.9.0"])).expect("ok");
        assert_eq!(describe_range(&range), ">=0.9.0, <0.10.0");
        let exact = reduce_versions(&specifiers(&[">=1.0.0", "1.1.0", "<2.0.0"])).expect("ok");
        assert_eq!(describe_range(&exact), "=1.1.0, =1.1.0");
        assert_eq!(
            describe_range(&reduce_versions(&[]).expect("empty is any")),
            "ANY"
        );
        assert_eq!(
            reduce_versions(&specifiers(&[">=2.0.0", "<1.0.0"])),
            Err(VersionsNotCompatible)
        );
        assert_eq!(
            reduce_versions(&specifiers(&["1.0.0", "1.0.1"])),
            Err(VersionsNotCompatible)
        );
        assert_eq!(
            reduce_versions(&specifiers(&["<1.0.0", "1.0.0"])),
            Err(VersionsNotCompatible)
        );
        assert!(reduce_versions(&specifiers(&["<=1.0.0", "1.0.0"])).is_ok());
    }

    #[test]
    fn resolves_to_the_highest_version_in_range() {
        let available = strings(&["0.8.0", "0.9.0", "0.9.5", "1.0.0", "1.1.0"]);
        let range = reduce_versions(&specifiers(&[">=0.9.0", "<1.0.0"])).expect("ok");
        assert_eq!(
            resolve_to_specific_version(&range, &available).as_deref(),
            Some("0.9.5")
        );
        let any = reduce_versions(&[]).expect("ok");
        assert_eq!(
            resolve_to_specific_version(&any, &available).as_deref(),
            Some("1.1.0")
        );
        let none = reduce_versions(&specifiers(&[">2.0.0"])).expect("ok");
        assert_eq!(resolve_to_specific_version(&none, &available), None);
        // A `<1.0.0` bound keeps out 1.0.0's prereleases too, as in dbt.
        let below_one = reduce_versions(&specifiers(&["<1.0.0"])).expect("ok");
        assert_eq!(
            resolve_to_specific_version(&below_one, &strings(&["0.9.0", "1.0.0-rc1"])).as_deref(),
            Some("0.9.0")
        );
    }
}
