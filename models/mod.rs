//! stateright models that enumerate the pure protocol rules of this crate.
