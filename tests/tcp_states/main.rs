//! The RFC 9293 §3.10 connection machine, state by state.
//!
//! One module per state of §3.3.2. Each test drives one event (a segment, a user call, a
//! timer) into a TCB that a fixture brought into that state through the public API, and pins
//! what comes out: the segments in RFC figure notation, the next state and its variables, the
//! text delivered and the events. `ablations` shows each switchable rule doing its job;
//! `transitions` checks the whole state x event table against a reviewed snapshot.

mod ablations;
mod close_wait;
mod closed;
mod closing;
mod established;
mod fin_wait_1;
mod fin_wait_2;
mod fixtures;
mod last_ack;
mod listen;
mod syn_received;
mod syn_sent;
mod time_wait;
mod transitions;
