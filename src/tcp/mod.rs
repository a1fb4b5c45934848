//! The TCP connection machine of RFC 9293 §3.10 as pure transition functions.
//!
//! No I/O, no clock, no randomness: an event goes in (a user call, a segment, a timer
//! expiry) and the outputs come back as data ([`Outputs`]: segments to send, text delivered,
//! events for the user and for the caller's timers). An ISN is passed in by the caller. Every
//! rule of the hazard catalogue can be switched off through [`Mechanisms`] so that a model
//! runs the very same functions with one rule disabled.
//!
//! ```
//! use tcpip_spec::tcp::{Config, Seq, State, Tcb};
//! let cfg = Config::default();
//! let (mut a, mut b) = (Tcb::closed(), Tcb::closed());
//! b.open_passive(&cfg);
//! let syn = a.open_active(Seq(100), &cfg).segments.remove(0);
//! let syn_ack = b.on_segment(&syn, Seq(300), &cfg).segments.remove(0);
//! assert_eq!(syn_ack.to_string(), "<SEQ=300><ACK=101><CTL=SYN,ACK>");
//! let ack = a.on_segment(&syn_ack, Seq(0), &cfg).segments.remove(0);
//! b.on_segment(&ack, Seq(0), &cfg);
//! assert_eq!((a.state, b.state), (State::Established, State::Established));
//! ```

mod arrival;
mod mechanisms;
mod segment;
mod seq;
mod state;
mod tcb;
mod timers;
mod user;

pub use arrival::reset_for;
pub use mechanisms::{Config, Mechanism, Mechanisms, time_wait_duration};
pub use segment::{Ctl, Segment};
pub use seq::Seq;
pub use state::State;
pub use tcb::{Event, Outputs, Tcb, UserError};
