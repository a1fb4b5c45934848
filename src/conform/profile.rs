//! Profiles: behaviour beyond the RFCs' latitude that real stacks show, allowed only by name.
//!
//! The latitude the RFCs grant (when to acknowledge, how to segment, what window to offer,
//! when a timer fires) is allowed by the search itself. What a stack does beyond it is
//! allowed only under a named profile, each allowance named and documented here, and a
//! judgment lists the allowances it used. `--strict` (the default) allows none.

use serde::Serialize;
use std::fmt;

/// Which behaviour beyond the RFCs is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The RFCs alone.
    #[default]
    Strict,
    /// Linux: the allowances of [`Profile::LINUX`].
    Linux,
}

/// One named behaviour beyond the RFCs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Allowance {
    /// ABORT (or a CLOSE with unread text, RFC 9293 §3.6 SHLD-3) in a synchronized state
    /// sends `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>`; RFC 9293 §3.10.5 sends
    /// `<SEQ=SND.NXT><CTL=RST>`. Linux sets the ACK bit with RCV.NXT (`tcp_send_active_reset`).
    RstAckOnAbort,
}

impl Profile {
    /// The allowances of the Linux profile.
    pub const LINUX: &'static [Allowance] = &[Allowance::RstAckOnAbort];

    /// The profile named `name` on the command line (`linux`).
    pub fn from_name(name: &str) -> Option<Profile> {
        match name {
            "linux" => Some(Profile::Linux),
            "strict" | "rfc" => Some(Profile::Strict),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Strict => "strict",
            Profile::Linux => "linux",
        }
    }

    /// Whether it allows `a`.
    pub fn allows(self, a: Allowance) -> bool {
        match self {
            Profile::Strict => false,
            Profile::Linux => Profile::LINUX.contains(&a),
        }
    }
}

impl Allowance {
    /// The stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Allowance::RstAckOnAbort => "rst-ack-on-abort",
        }
    }
}

impl fmt::Display for Allowance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
