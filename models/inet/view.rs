//! The internet-layer models in the Explorer: a packet's header in the bracketed notation of
//! RFC 9293's segments (`<SRC=10.0.1.10><DST=10.0.3.20><TTL=4><UDP 4000→7 DATA=1>`, the fields
//! of RFC 791 and of RFC 768 or RFC 792 after it), a packet on a link with its direction, and
//! a network action told with the packet it acts on.

use super::{Body, Flight, Internet, NetAction, Packet, kind_name, topology::STATION_NAMES};
use std::fmt;

/// A station's name in the shared topology ([`super::two_routers`]).
pub fn station(s: u8) -> String {
    STATION_NAMES
        .get(usize::from(s))
        .map_or_else(|| format!("station {s}"), |n| (*n).to_string())
}

impl fmt::Display for Packet {
    /// The header: RFC 791's addresses and TTL, then the upper layer's fields.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<SRC={}><DST={}><TTL={}>", self.src, self.dst, self.ttl)?;
        match &self.body {
            Body::Udp { datagram: d, .. } => {
                write!(
                    f,
                    "<UDP {}\u{2192}{} DATA={}>",
                    d.src_port, d.dst_port, d.payload
                )
            }
            Body::Echo { reply, id } => {
                let what = if *reply { "ECHO-REPLY" } else { "ECHO" };
                write!(f, "<ICMP {what} ID={:#x} SEQ={}>", id.ident, id.seq)
            }
            Body::Error { kind, quote } => {
                let proto = format!("{:?}", quote.protocol).to_uppercase();
                write!(
                    f,
                    "<ICMP {}><ABOUT {}\u{2192}{} {proto}>",
                    kind_name(*kind).to_uppercase(),
                    quote.src,
                    quote.dst
                )
            }
        }
    }
}

/// A packet on its link: `A → R1 <SRC=...>...: datagram 1 of 3`, with the model's name for it.
pub fn flight_text(f: &Flight, label: &dyn Fn(&Packet) -> String) -> String {
    format!(
        "{} \u{2192} {} {}: {}",
        station(f.from),
        station(f.to),
        f.pkt,
        label(&f.pkt)
    )
}

/// The packets on links, one indented line each, or `nothing`.
pub fn links_text(net: &[Flight], label: &dyn Fn(&Packet) -> String) -> String {
    if net.is_empty() {
        return "on links: nothing".to_string();
    }
    let mut s = "on links:".to_string();
    for x in net {
        s += "\n   ";
        s += &flight_text(x, label);
    }
    s
}

impl Internet {
    /// A network action on `net`, told with the packet it acts on: the packet arrives
    /// (`A → R1 <...>`), is lost (`lose A → R1 <...>`) or duplicated. An arrival at a station
    /// whose route flaps names the routing table in force.
    pub fn explain(
        &self,
        net: &[Flight],
        a: NetAction,
        label: &dyn Fn(&Packet) -> String,
    ) -> String {
        match a {
            NetAction::Arrive { index, table } => {
                let f = &net[index];
                let tables = self.topo.stations[usize::from(f.to)].tables.len();
                let text = flight_text(f, label);
                if tables > 1 {
                    format!(
                        "{text} ({} routes by its table {})",
                        station(f.to),
                        table + 1
                    )
                } else {
                    text
                }
            }
            NetAction::Lose(i) => format!("lose {}", flight_text(&net[i], label)),
            NetAction::Duplicate(i) => format!("duplicate {}", flight_text(&net[i], label)),
        }
    }
}
