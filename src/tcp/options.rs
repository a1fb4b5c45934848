//! The options of RFC 7323 (window scale, timestamps, PAWS) and RFC 2018 (SACK-permitted):
//! what a SYN offers, what the two SYNs agree on, and how a connection uses the result.
//!
//! Negotiation (RFC 7323 §2.2, §3.2; RFC 2018 §2): each option is in force only when both SYNs
//! carried it. Our SYN offers what [`Config`] asks for; a SYN,ACK carries only what the peer's
//! SYN offered too ([`Tcb::syn_opt`] holds the options of our SYN, narrowed once the peer's SYN
//! is known).
//!
//! Window scaling (RFC 7323 §2): the shift we offer is the smallest that lets the window field
//! carry the whole receive buffer, at most 14 ([`window_shift_for`]); a received shift above 14
//! is used as 14 (§2.3). The window field of a SYN is never scaled (§2.2). RCV.WND is kept in
//! octets; the field we send is RCV.WND shifted right, rounded down. Rounding down can make the
//! window the peer sees retreat by less than 2^shift octets (§2.4 "window retraction"); the
//! receiver honours every window it offered because RCV.WND itself never retreats (see
//! `Connection::keep_window_within_buffer`).
//!
//! Timestamps (RFC 7323 §3–§5): once both SYNs carried TSopt, every segment we send carries it
//! (a RST too, which §3.2 allows), TSval from the caller's clock in milliseconds plus a
//! per-connection offset (§5.4: a clock between 1 ms and 1 s per tick; §7.1: a random offset
//! per connection, which the host chooses as it chooses the ISN). TS.Recent follows §4.3, PAWS
//! §5.3: a segment whose TSval is older than TS.Recent is acknowledged and dropped before its
//! sequence number is judged (R1), a RST never. A segment other than a RST that arrives
//! without TSopt on such a connection is dropped silently (§3.2, SHOULD). TS.Recent stops
//! being valid after 24 days without an update (§5.5), which the connection, having the
//! clock, enforces.

use super::mechanisms::{Config, Mechanism};
use super::segment::{Ctl, Options, SegmentRef, Timestamps};
use super::tcb::Tcb;
use std::time::Duration;

/// The largest shift count (RFC 7323 §2.3): windows up to 2^30 octets.
pub const MAX_WINDOW_SHIFT: u8 = 14;

/// How long TS.Recent stays valid without an update (RFC 7323 §5.5: 24 days, less than the
/// 2^31 ms after which a 1 ms timestamp clock's sign bit wraps).
pub const TS_RECENT_LIFETIME: Duration = Duration::from_secs(24 * 24 * 3600);

/// The shift we offer for a receive buffer of `buf` octets: the smallest that lets the 16-bit
/// window field carry all of it, at most [`MAX_WINDOW_SHIFT`].
///
/// ```
/// use tcpip_spec::tcp::window_shift_for;
/// assert_eq!(window_shift_for(65_535), 0);
/// assert_eq!(window_shift_for(65_536), 1);
/// assert_eq!(window_shift_for(4 << 20), 7);
/// assert_eq!(window_shift_for(u32::MAX), 14);
/// ```
pub fn window_shift_for(buf: u32) -> u8 {
    let mut shift = 0;
    while shift < MAX_WINDOW_SHIFT && (buf >> shift) > u32::from(u16::MAX) {
        shift += 1;
    }
    shift
}

/// The timestamp clock (RFC 7323 §5.4): milliseconds of the caller's clock plus the
/// connection's offset, modulo 2^32.
pub fn ts_clock(offset: u32, now: Duration) -> u32 {
    offset.wrapping_add(now.as_millis() as u32)
}

/// Whether timestamp `a` is older than `b` ("SEG.TSval < TS.Recent", RFC 7323 §5.3 R1): the
/// comparison is modulo 2^32, as sequence numbers are compared.
pub fn ts_older(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

impl Tcb {
    /// The options our SYN offers with `cfg` (RFC 7323 §2.2, §3.2; RFC 2018 §2). TSval is
    /// stamped when the SYN leaves.
    pub(crate) fn offer(cfg: &Config) -> Options {
        Options {
            window_scale: cfg.window_scale.then(|| window_shift_for(cfg.rcv_wnd)),
            sack_permitted: cfg.sack,
            timestamps: cfg.timestamps.then_some(Timestamps { tsval: 0, tsecr: 0 }),
            ..Options::default()
        }
    }

    /// The peer's SYN arrives, with our offer in `syn_opt`: each option is in force when both
    /// SYNs carry it, and a SYN,ACK of ours carries only those (RFC 7323 §2.2: "may send" the
    /// option in a SYN,ACK "only if" it was received; §3.2 likewise; RFC 2018 §2). TS.Recent
    /// starts from the SYN's TSval (§4.3).
    pub(crate) fn negotiate(&mut self, seg: SegmentRef<'_>) {
        let ours = self.syn_opt;
        let theirs = seg.opt;
        let scale = ours.window_scale.zip(theirs.window_scale);
        (self.rcv_wscale, self.snd_wscale) = match scale {
            Some((r, s)) => (r, s.min(MAX_WINDOW_SHIFT)),
            None => (0, 0),
        };
        self.sack_ok = ours.sack_permitted && theirs.sack_permitted;
        self.ts_ok = ours.timestamps.is_some() && theirs.timestamps.is_some();
        self.ts_recent = theirs.timestamps.filter(|_| self.ts_ok).map(|t| t.tsval);
        self.syn_opt = Options {
            window_scale: scale.map(|(r, _)| r),
            sack_permitted: self.sack_ok,
            timestamps: ours.timestamps.filter(|_| self.ts_ok),
            ..Options::default()
        };
    }

    /// SEG.WND in octets: the field shifted by Snd.Wind.Shift, but on a SYN (RFC 7323 §2.2,
    /// §2.3).
    pub(crate) fn peer_window(&self, seg: SegmentRef<'_>) -> u32 {
        let shift = if seg.has(Ctl::SYN) {
            0
        } else {
            self.snd_wscale
        };
        u32::from(seg.wnd) << shift
    }

    /// The window field of a segment we send but a SYN: RCV.WND shifted right by
    /// Rcv.Wind.Shift, rounded down, at most 65,535 (RFC 7323 §2.3).
    pub(crate) fn window_field(&self) -> u16 {
        u16::try_from(self.rcv_wnd >> self.rcv_wscale).unwrap_or(u16::MAX)
    }

    /// RFC 7323 §5.3 R1 (PAWS): on a connection with timestamps, a segment other than a RST
    /// whose TSval is older than a valid TS.Recent is not acceptable. Never with
    /// [`Mechanism::Paws`] off.
    pub(crate) fn paws_rejects(&self, seg: SegmentRef<'_>, cfg: &Config) -> bool {
        cfg.mechanisms.on(Mechanism::Paws)
            && self.ts_ok
            && !seg.has(Ctl::RST)
            && matches!(
                (seg.opt.timestamps, self.ts_recent),
                (Some(t), Some(recent)) if ts_older(t.tsval, recent)
            )
    }

    /// Whether a segment other than a RST lacks the timestamps option on a connection that
    /// negotiated it (RFC 7323 §3.2: it SHOULD be dropped silently).
    pub(crate) fn lacks_timestamps(&self, seg: SegmentRef<'_>) -> bool {
        self.ts_ok && !seg.has(Ctl::RST) && seg.opt.timestamps.is_none()
    }

    /// RFC 7323 §4.3 (2), §5.3 R3: an acceptable segment whose TSval is not older than
    /// TS.Recent and which begins at or before Last.ACK.sent sets TS.Recent.
    pub(crate) fn take_ts_recent(&mut self, seg: SegmentRef<'_>) {
        let Some(t) = seg.opt.timestamps.filter(|_| self.ts_ok) else {
            return;
        };
        let newer = self.ts_recent.is_none_or(|r| !ts_older(t.tsval, r));
        if newer && seg.seq.le(self.last_ack_sent) {
            self.ts_recent = Some(t.tsval);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{Segment, Seq, State};

    fn ext() -> Config {
        Config {
            rcv_wnd: 1 << 20,
            ..Config::default().with_extensions()
        }
    }

    fn syn(opt: Options) -> Segment {
        Segment {
            opt,
            ..Segment::control(Seq(100), Seq(0), Ctl::SYN, 65_535)
        }
    }

    fn linux_syn() -> Segment {
        syn(Options {
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some(Timestamps {
                tsval: 1000,
                tsecr: 0,
            }),
            ..Options::default()
        })
    }

    #[test]
    fn the_shift_offered_is_the_least_that_carries_the_buffer() {
        assert_eq!(window_shift_for(0), 0);
        assert_eq!(window_shift_for(1 << 20), 5);
        assert_eq!(window_shift_for(1 << 30), 14);
        assert_eq!(window_shift_for((1 << 30) + 1), 14, "capped at 14 (§2.3)");
    }

    #[test]
    fn a_listener_answers_only_the_options_the_syn_offered() {
        let cfg = ext();
        let mut b = Tcb::closed();
        b.open_passive(&cfg);
        let out = b.on_segment(&linux_syn(), Seq(300), &cfg);
        let syn_ack = &out.segments[0];
        assert_eq!(syn_ack.opt.window_scale, Some(5));
        assert!(syn_ack.opt.sack_permitted);
        assert_eq!(
            syn_ack.opt.timestamps.map(|t| t.tsecr),
            Some(1000),
            "TSecr echoes the SYN's TSval (§3.2)"
        );
        assert_eq!(syn_ack.wnd, 65_535, "a SYN's window is never scaled (§2.2)");
        assert_eq!((b.snd_wscale, b.rcv_wscale), (7, 5));
        assert!(b.ts_ok && b.sack_ok);

        let mut bare = Tcb::closed();
        bare.open_passive(&cfg);
        let plain = Segment::control(Seq(100), Seq(0), Ctl::SYN, 65_535);
        let out = bare.on_segment(&plain, Seq(300), &cfg);
        assert_eq!(out.segments[0].opt, Options::default());
        assert_eq!((bare.snd_wscale, bare.rcv_wscale), (0, 0));
        assert!(!bare.ts_ok && !bare.sack_ok);
    }

    #[test]
    fn a_shift_above_14_is_used_as_14() {
        let cfg = ext();
        let mut b = Tcb::closed();
        b.open_passive(&cfg);
        let mut s = linux_syn();
        s.opt.window_scale = Some(15);
        b.on_segment(&s, Seq(300), &cfg);
        assert_eq!(b.snd_wscale, 14);
    }

    fn established_with_timestamps() -> (Tcb, Config) {
        let cfg = ext();
        let mut b = Tcb::closed();
        b.open_passive(&cfg);
        b.on_segment(&linux_syn(), Seq(300), &cfg);
        let mut ack = Segment::control(Seq(101), Seq(301), Ctl::ACK, 100);
        ack.opt.timestamps = Some(Timestamps {
            tsval: 1010,
            tsecr: 0,
        });
        b.on_segment(&ack, Seq(0), &cfg);
        assert_eq!(b.state, State::Established);
        (b, cfg)
    }

    #[test]
    fn the_peers_window_is_scaled_after_the_syn() {
        let (b, _) = established_with_timestamps();
        assert_eq!(b.snd_wnd, 100 << 7);
        assert_eq!(b.ts_recent, Some(1010), "§4.3: SEG.SEQ <= Last.ACK.sent");
    }

    #[test]
    fn paws_drops_an_old_timestamp_but_never_a_rst() {
        let (mut b, cfg) = established_with_timestamps();
        let mut old = Segment::text(Seq(101), Seq(301), 100, b"old");
        old.opt.timestamps = Some(Timestamps {
            tsval: 1009,
            tsecr: 0,
        });
        let out = b.on_segment(&old, Seq(0), &cfg);
        assert!(out.has(crate::tcp::Signal::PawsRejected));
        assert!(out.delivered.is_empty());
        assert_eq!(out.segments.len(), 1, "acknowledged (§5.3 R1)");
        let mut off = b.clone();
        let without = Config {
            mechanisms: cfg.mechanisms.without(Mechanism::Paws),
            ..cfg
        };
        assert_eq!(off.on_segment(&old, Seq(0), &without).delivered, b"old");

        let mut rst = Segment::control(Seq(101), Seq(0), Ctl::RST, 0);
        rst.opt.timestamps = old.opt.timestamps;
        let out = b.on_segment(&rst, Seq(0), &cfg);
        assert!(!out.has(crate::tcp::Signal::PawsRejected));
        assert_eq!(
            b.state,
            State::Closed,
            "an exact RST resets whatever its TSval"
        );
    }

    #[test]
    fn a_segment_without_timestamps_is_dropped_silently() {
        let (mut b, cfg) = established_with_timestamps();
        let bare = Segment::text(Seq(101), Seq(301), 100, b"x");
        let out = b.on_segment(&bare, Seq(0), &cfg);
        assert!(out.delivered.is_empty() && out.segments.is_empty());
        assert!(out.has(crate::tcp::Signal::MissingTimestamps));
    }

    #[test]
    fn timestamps_compare_modulo_2_32() {
        assert!(ts_older(u32::MAX, 0));
        assert!(!ts_older(0, u32::MAX));
        assert!(ts_older(5, 6) && !ts_older(6, 6));
        assert_eq!(ts_clock(u32::MAX, Duration::from_millis(2)), 1);
    }

    #[test]
    fn our_windows_go_out_shifted_and_rounded_down() {
        let (mut b, _) = established_with_timestamps();
        b.rcv_wnd = (1 << 20) - 1;
        let seg = b.ack_segment();
        assert_eq!(u32::from(seg.wnd), ((1u32 << 20) - 1) >> 5);
        assert!(seg.opt.timestamps.is_some(), "every segment carries TSopt");
    }
}
