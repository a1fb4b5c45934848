//! A property table shared by the internet-layer models: each property once, with its kind,
//! stable name, meaning and condition, from which both the stateright properties and the
//! registry's [`PropertyInfo`]s are made.

use super::{Kind, PropertyInfo};
use stateright::{Model, Property};

/// A property of model `M`.
pub struct Prop<M: Model> {
    /// always or sometimes.
    pub kind: Kind,
    /// Stable name.
    pub name: &'static str,
    /// One sentence for `list` and REPORT.md.
    pub meaning: &'static str,
    /// The condition on a state.
    pub condition: fn(&M, &M::State) -> bool,
}

/// The stateright properties of a table.
pub fn properties<M: Model>(table: &[Prop<M>]) -> Vec<Property<M>> {
    table
        .iter()
        .map(|p| match p.kind {
            Kind::Always => Property::always(p.name, p.condition),
            Kind::Sometimes => Property::sometimes(p.name, p.condition),
        })
        .collect()
}

/// The registry's view of a table.
pub fn infos<M: Model>(table: &[Prop<M>]) -> Vec<PropertyInfo> {
    table
        .iter()
        .map(|p| PropertyInfo {
            name: p.name,
            kind: p.kind,
            meaning: p.meaning,
        })
        .collect()
}
