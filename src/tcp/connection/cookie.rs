//! A connection opened by the ACK of a SYN cookie (RFC 4987 §3.6; the cookie rules are in
//! [`crate::tcp::syncookie`]).

use super::{Connection, Event, Synchronized, Witnesses};
use crate::tcp::options::window_shift_for;
use crate::tcp::segment::{Options, SegmentRef, Timestamps};
use crate::tcp::syncookie::Decoded;
use crate::tcp::{Config, State};
use std::time::Duration;

impl Connection {
    /// The connection that the ACK `ack` of a SYN cookie opens, `d` being what
    /// [`syncookie::check`](crate::tcp::syncookie::check) decoded from it: ESTABLISHED at
    /// once (the three-way handshake completed, RFC 9293 §3.5, with our half of it kept in
    /// the cookie rather than in a TCB), ISS the cookie, IRS the peer's ISN, the send MSS the
    /// decoded one, and the options both SYNs offered as far as the cookie carried them
    /// (RFC 7323 §2.2, §3.2; RFC 2018 §2): the peer's window shift with ours recomputed from
    /// `cfg`, SACK-permitted, and timestamps with TS.Recent the ACK's TSval (§4.3). The user
    /// is told [`Event::Established`]; then `ack` itself is processed as any segment in
    /// ESTABLISHED (text it carries is delivered), and its witnesses are returned.
    /// `ts_offset` is the offset of the timestamp clock that stamped the SYN,ACK (see
    /// [`set_timestamp_offset`](Self::set_timestamp_offset)).
    pub fn from_cookie<'a>(
        cfg: Config,
        now: Duration,
        ts_offset: u32,
        d: &Decoded,
        ack: impl Into<SegmentRef<'a>>,
    ) -> (Connection, Witnesses) {
        let ack = ack.into();
        let snd_wscale = d.snd_wscale.filter(|_| cfg.window_scale && cfg.timestamps);
        let sack_ok = d.sack_ok && cfg.sack && cfg.timestamps;
        let ts = d.timestamps.filter(|_| cfg.timestamps);
        let shift = snd_wscale.unwrap_or(0);
        let mut c = Connection::synchronized(
            cfg,
            Synchronized {
                state: State::Established,
                iss: d.iss,
                irs: d.irs,
                snd_wnd: u32::from(ack.wnd) << shift,
                peer_mss: Some(d.mss),
            },
        );
        c.ts_offset = ts_offset;
        let t = &mut c.tcb;
        t.passive = true;
        t.snd_wscale = shift;
        t.rcv_wscale = if snd_wscale.is_some() {
            window_shift_for(cfg.rcv_wnd)
        } else {
            0
        };
        t.rcv_wnd = t.rcv_wnd.min(u32::from(u16::MAX) << t.rcv_wscale);
        t.sack_ok = sack_ok;
        t.ts_ok = ts.is_some();
        t.ts_recent = ts.map(|x| x.tsval);
        t.last_ack_sent = t.rcv_nxt;
        t.syn_opt = Options {
            window_scale: snd_wscale.map(|_| t.rcv_wscale),
            sack_permitted: sack_ok,
            timestamps: ts.map(|_| Timestamps { tsval: 0, tsecr: 0 }),
            ..Options::default()
        };
        c.ts_recent_at = now;
        c.events.push_back(Event::Established);
        let w = c.on_segment(now, ack);
        (c, w)
    }
}
