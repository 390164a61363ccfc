//! Names that several packages may define, found in dbt's search order.
//!
//! A project and its installed packages each have their own models, seeds,
//! snapshots and sources; two packages may both define `stg_orders`. dbt
//! finds `ref('stg_orders')` written in a node of package `p` by searching
//! the root project first, then `p`, then any package
//! (`dbt.contracts.graph.manifest._packages_to_search`), and
//! `ref('p', 'stg_orders')` only in `p`. [`ByPackage`] keeps values by name
//! and package and answers in that order.

use rustc_hash::FxHashMap;

/// Values by name and package.
#[derive(Debug)]
pub(crate) struct ByPackage<T> {
    /// Each name's definitions, in the order they were added.
    entries: FxHashMap<String, Vec<(String, T)>>,
}

impl<T> Default for ByPackage<T> {
    fn default() -> ByPackage<T> {
        ByPackage {
            entries: FxHashMap::default(),
        }
    }
}

/// Where a name is looked up from: the package of the node that names it
/// and the root project's name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SearchFrom<'a> {
    pub(crate) node_package: &'a str,
    pub(crate) root_package: &'a str,
}

impl<T> ByPackage<T> {
    /// Adds `value` as `package`'s `name`; when the package already has
    /// one, keeps the first and gives `value` back with it.
    pub(crate) fn insert(&mut self, package: &str, name: &str, value: T) -> Result<(), (T, &T)> {
        let definitions = self.entries.entry(name.to_string()).or_default();
        match definitions
            .iter()
            .position(|(owner, _)| owner.as_str() == package)
        {
            Some(index) => Err((value, &definitions[index].1)),
            None => {
                definitions.push((package.to_string(), value));
                Ok(())
            }
        }
    }

    /// `package`'s `name`.
    pub(crate) fn get_in(&self, package: &str, name: &str) -> Option<&T> {
        self.entries
            .get(name)?
            .iter()
            .find(|(owner, _)| owner.as_str() == package)
            .map(|(_, value)| value)
    }

    /// `name` as a node of `from.node_package` finds it: in `package` when
    /// the call names one; else in the root project, then the node's
    /// package, then the first package that defines it.
    pub(crate) fn find(&self, package: Option<&str>, name: &str, from: SearchFrom) -> Option<&T> {
        let definitions = self.entries.get(name)?;
        let in_package = |wanted: &str| {
            definitions
                .iter()
                .find(|(owner, _)| owner.as_str() == wanted)
                .map(|(_, value)| value)
        };
        match package {
            Some(package) => in_package(package),
            None => in_package(from.root_package)
                .or_else(|| in_package(from.node_package))
                .or_else(|| definitions.first().map(|(_, value)| value)),
        }
    }

    /// `package`'s `name`, to change it.
    pub(crate) fn get_in_mut(&mut self, package: &str, name: &str) -> Option<&mut T> {
        self.entries
            .get_mut(name)?
            .iter_mut()
            .find(|(owner, _)| owner.as_str() == package)
            .map(|(_, value)| value)
    }

    /// Takes `package`'s `name` out.
    pub(crate) fn remove(&mut self, package: &str, name: &str) -> Option<T> {
        let definitions = self.entries.get_mut(name)?;
        let index = definitions
            .iter()
            .position(|(owner, _)| owner.as_str() == package)?;
        let (_, value) = definitions.remove(index);
        if definitions.is_empty() {
            self.entries.remove(name);
        }
        Some(value)
    }

    /// Every value.
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.entries
            .values()
            .flat_map(|definitions| definitions.iter().map(|(_, value)| value))
    }

    /// Every value, to change it.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.entries
            .values_mut()
            .flat_map(|definitions| definitions.iter_mut().map(|(_, value)| value))
    }

    /// Every name, once.
    pub(crate) fn names(&self) -> impl Iterator<Item = &String> {
        self.entries.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_comes_first_then_the_node_package_then_any() {
        let mut names = ByPackage::default();
        names.insert("utils", "dates", 1).unwrap();
        names.insert("shop", "dates", 2).unwrap();
        names.insert("utils", "helpers", 3).unwrap();
        names.insert("other", "helpers", 4).unwrap();
        names.insert("other", "lonely", 5).unwrap();
        let from_utils = SearchFrom {
            node_package: "utils",
            root_package: "shop",
        };
        assert_eq!(names.find(None, "dates", from_utils), Some(&2));
        assert_eq!(names.find(Some("utils"), "dates", from_utils), Some(&1));
        assert_eq!(names.find(None, "helpers", from_utils), Some(&3));
        assert_eq!(names.find(None, "lonely", from_utils), Some(&5));
        assert_eq!(names.find(Some("shop"), "lonely", from_utils), None);
        assert_eq!(names.insert("utils", "dates", 6), Err((6, &1)));
    }
}
