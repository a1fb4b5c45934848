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
    /// In a SYN-RECEIVED reached by a simultaneous open, the peer's SYN,ACK establishes the
    /// connection (and is acknowledged), as RFC 9293 §3.5 Figure 7 line 6 draws it; the
    /// event processing of §3.10.7.4 finds it unacceptable (it begins at RCV.NXT - 1), drops
    /// it after the acknowledgment, and establishes on the peer's ACK. Linux special-cases it
    /// (`tcp_validate_incoming`). The rule is `tcp::Config::crossing_syn_ack_establishes`.
    SynAckInSynReceived,
    /// A tail loss probe (RFC 8985 §7.3, RACK-TLP): before the retransmission timer, the
    /// most recently sent segment is sent again, not the earliest unacknowledged one (RFC
    /// 6298 (5.4)). RACK-TLP is not among the RFCs these rules follow; Linux runs it by
    /// default (`net.ipv4.tcp_recovery`, `tcp_early_retrans`). The rule is
    /// `tcp::Connection::probe_tail`.
    TailLossProbe,
}

impl Profile {
    /// The allowances of the Linux profile.
    pub const LINUX: &'static [Allowance] = &[
        Allowance::RstAckOnAbort,
        Allowance::SynAckInSynReceived,
        Allowance::TailLossProbe,
    ];

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
            Allowance::SynAckInSynReceived => "syn-ack-in-syn-received",
            Allowance::TailLossProbe => "tail-loss-probe",
        }
    }
}

impl fmt::Display for Allowance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
