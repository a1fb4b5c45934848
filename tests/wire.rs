//! Integration tests of the wire codecs (`src/wire`): round trips and robustness as properties,
//! and differential tests against etherparse, an independent parser, as an oracle.
//!
//! Modules are named `wire_*` so that `cargo test wire` selects them.

#[path = "wire/strategies.rs"]
mod strategies;

#[path = "wire/properties.rs"]
mod wire_properties;

#[path = "wire/differential.rs"]
mod wire_differential;
