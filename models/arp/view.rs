//! The `arp` model in the Explorer: an ARP message in RFC 826's field names
//! (`<OP=REQUEST><SHA=A><SPA=10.0.0.1><TPA=10.0.0.2>`), each action told with the frame it acts
//! on, and the state as both caches, the link and the named facts.

use super::{A_IP, Action, ArpModel, B_IP, Frame, PACKETS, World, a_entry, fact, forged, scenario};
use crate::arp::{ArpPacket, Entry, HwAddr, Operation};
use crate::models::explorer::Explain;
use std::fmt;

/// A hardware address by its owner's name.
fn hw(h: HwAddr) -> String {
    match h {
        super::A_HW => "A".to_string(),
        super::B_HW => "B".to_string(),
        super::M_HW => "M".to_string(),
        HwAddr::ZERO => "0".to_string(),
        other => other.to_string(),
    }
}

/// An ARP packet in RFC 826's field names (ar$op, ar$sha, ar$spa, ar$tha, ar$tpa); a
/// request's target hardware address is unknown and left out.
pub fn packet_text(p: &ArpPacket) -> String {
    let op = match p.op {
        Operation::Request => "REQUEST",
        Operation::Reply => "REPLY",
    };
    let tha = match p.op {
        Operation::Request => String::new(),
        Operation::Reply => format!("<THA={}>", hw(p.target_hw)),
    };
    format!(
        "<OP={op}><SHA={}><SPA={}>{tha}<TPA={}>",
        hw(p.sender_hw),
        p.sender_ip,
        p.target_ip
    )
}

/// A frame on the link with its direction.
pub fn frame_text(f: &Frame) -> String {
    format!("{:?} \u{2192} {:?} {}", f.from, f.to, packet_text(&f.arp))
}

fn entry(e: Option<&Entry<u8>>) -> String {
    match e {
        None => "none".to_string(),
        Some(Entry::Incomplete {
            retries,
            retry_at,
            pending,
        }) => {
            let waiting: Vec<String> = pending.iter().map(|p| format!("#{p}")).collect();
            format!(
                "INCOMPLETE (retries {retries}, next at tick {retry_at}, waiting: {})",
                if waiting.is_empty() {
                    "nothing".to_string()
                } else {
                    waiting.join(" ")
                }
            )
        }
        Some(Entry::Resolved { hw: h, .. }) => format!("RESOLVED at {}'s MAC", hw(*h)),
    }
}

/// The names of the ghost facts that hold.
fn facts(bits: u16) -> Vec<&'static str> {
    [
        (fact::RETRY_SENT, "retry-sent"),
        (fact::QUEUED_SENT, "queued-sent"),
        (fact::QUEUE_FULL_DROP, "queue-full-drop"),
        (fact::RESOLUTION_FAILED, "resolution-failed"),
        (fact::POISONED_INCOMPLETE, "poisoned-incomplete"),
        (fact::POISONED_RESOLVED, "poisoned-resolved"),
        (fact::POISONED_BY_REQUEST, "poisoned-by-request"),
        (fact::UNSOLICITED_IGNORED, "unsolicited-ignored"),
    ]
    .iter()
    .filter(|(b, _)| bits & b != 0)
    .map(|(_, n)| *n)
    .collect()
}

impl Explain for ArpModel {
    fn explain(&self, w: &World, action: &Action) -> String {
        match *action {
            Action::AppSends => format!(
                "A's application sends IP packet #{} to {B_IP}",
                w.app_sent + 1
            ),
            Action::Deliver(i) => frame_text(&w.link[i]),
            Action::Lose(i) => format!("lose {}", frame_text(&w.link[i])),
            Action::Tick => format!("tick {} (A's retry timer)", w.now + 1),
            Action::ForgedReply => format!(
                "M \u{2192} A {} (forged)",
                packet_text(&forged(Operation::Reply))
            ),
            Action::ForgedRequest => format!(
                "M \u{2192} A {} (forged)",
                packet_text(&forged(Operation::Request))
            ),
        }
    }
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "scenario: {}", scenario(self.racing))?;
        writeln!(
            f,
            "A ({A_IP}): entry for {B_IP}: {}; tick {}",
            entry(a_entry(self)),
            self.now
        )?;
        writeln!(
            f,
            "B ({B_IP}): entry for {A_IP}: {}",
            entry(self.b.entry(A_IP))
        )?;
        let sent: Vec<String> = self
            .transmitted
            .iter()
            .map(|(p, h)| format!("#{p} to {}'s MAC", hw(*h)))
            .collect();
        writeln!(
            f,
            "A's application sent {} of {PACKETS}; transmitted: {}",
            self.app_sent,
            if sent.is_empty() {
                "nothing".to_string()
            } else {
                sent.join(", ")
            }
        )?;
        if self.link.is_empty() {
            writeln!(f, "on the link: nothing")?;
        } else {
            writeln!(f, "on the link:")?;
            for x in &self.link {
                writeln!(f, "   {}", frame_text(x))?;
            }
        }
        let names = facts(self.facts);
        if !names.is_empty() {
            writeln!(f, "facts: {}", names.join(", "))?;
        }
        write!(
            f,
            "budgets: losses {}, forged replies {}, forged requests {}",
            self.losses, self.forged_replies, self.forged_requests
        )
    }
}
