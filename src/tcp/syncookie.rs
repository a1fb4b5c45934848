//! SYN cookies (RFC 4987 §3.6): a listener whose backlog is full answers a SYN without keeping
//! any state, and the ACK of that answer carries back everything needed to open the
//! connection the SYN asked for.
//!
//! The rules are pure: the caller passes a secret [`CookieKey`] and a coarse time counter
//! (the host uses [`counter`], one step per [`SLOT`]); nothing here reads a clock or draws a
//! random number.
//!
//! **The cookie** is our ISS on the SYN,ACK (the layout RFC 4987 §3.6 describes):
//!
//! ```text
//!  31      27 26   24 23                                            0
//! +----------+-------+-----------------------------------------------+
//! | t mod 32 |  MSS  | MAC(key; 4-tuple, peer's ISN, t, MSS index)   |
//! +----------+-------+-----------------------------------------------+
//! ```
//!
//! `t` is the time counter and the MAC the low 24 bits of SipHash-1-3 under the key. The top
//! bits keep the ISN advancing with the clock (RFC 9293 §3.4.1, MUST-8, one step per 64 s);
//! the MSS is the peer's MSS option (536 without one, MUST-15) rounded down to
//! [`MSS_TABLE`]. The peer's ACK acknowledges cookie + 1 and carries SEQ = its ISN + 1, so
//! [`check`] recovers both ISNs and verifies the MAC for the current and the previous counter
//! (a cookie lives 64 to 128 s, enough for a SYN,ACK retransmitted by no one and answered
//! across a slow path). A blind attacker must guess 24 bits of MAC per 4-tuple.
//!
//! **Options** (RFC 7323, RFC 2018) do not fit in the ISS. As Linux does, when the SYN
//! carried timestamps (and we offer them) the low 5 bits of our TSval on the SYN,ACK carry
//! the peer's window shift (4 bits; 15: none offered) and SACK-permitted (1 bit); the ACK's
//! TSecr echoes them back (RFC 7323 §3.2). The TSval is moved back by at most 31 clock ticks
//! so that it never runs ahead of the timestamp clock. Our own shift is recomputed from the
//! configuration. **What is lost** when the SYN carried no timestamps: the SYN,ACK offers no
//! option but MSS, so the connection has no window scaling (windows up to 65,535 octets) and
//! no SACK. In every case text carried on the SYN is not acknowledged (the peer sends it
//! again), and the MSS is rounded down to the table.

use super::demux::FourTuple;
use super::mechanisms::Config;
use super::options::{MAX_WINDOW_SHIFT, ts_older};
use super::segment::{Ctl, Options, Segment, SegmentRef, Timestamps};
use super::seq::Seq;
use super::tcb::Tcb;
use super::window::DEFAULT_MSS;
use siphasher::sip::SipHasher13;
use std::hash::Hasher;
use std::time::Duration;

/// The MSS values a cookie can carry, in 3 bits. A peer's MSS is rounded down to the largest
/// entry not above it: the floor of 64 octets (`MIN_SEND_MSS`, below which we never send
/// anyway), 256, 536 (the default of RFC 9293 §3.7.1, MUST-15), 1220 (IPv6 minimum MTU
/// paths), 1300 (tunnels, PPPoE and VPNs), 1440, 1460 (Ethernet with and without
/// timestamps' headroom, as Linux's IPv4 table) and 8960 (9000-octet jumbo frames).
pub const MSS_TABLE: [u16; 8] = [64, 256, 536, 1220, 1300, 1440, 1460, 8960];

/// The time slot of a cookie: the host's counter steps once per 64 s (as Linux's and RFC
/// 4987 §3.6's "t": a 32-slot wheel covers about 34 minutes).
pub const SLOT: Duration = Duration::from_secs(64);

/// The time counter for `now`: one step per [`SLOT`].
pub fn counter(now: Duration) -> u32 {
    (now.as_secs() / SLOT.as_secs()) as u32
}

/// The secret key of the cookie MAC (128 bits), chosen by the host.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct CookieKey(pub [u64; 2]);

/// What the ACK of a cookie tells: the connection its SYN asked for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Decoded {
    /// Our ISS: the cookie.
    pub iss: Seq,
    /// The peer's ISN (IRS).
    pub irs: Seq,
    /// The peer's MSS, rounded down to [`MSS_TABLE`].
    pub mss: u16,
    /// The peer's window shift, when its SYN offered window scaling (and timestamps).
    pub snd_wscale: Option<u8>,
    /// The peer's SYN offered SACK (and timestamps).
    pub sack_ok: bool,
    /// The ACK's timestamps, when timestamps are in force: TSval becomes TS.Recent.
    pub timestamps: Option<Timestamps>,
}

/// The index in [`MSS_TABLE`] of the largest entry not above `mss`.
pub fn mss_index(mss: u16) -> usize {
    MSS_TABLE.iter().rposition(|&m| m <= mss).unwrap_or(0)
}

/// The 24-bit MAC of a cookie.
fn mac(key: &CookieKey, t: &FourTuple, irs: Seq, counter: u32, index: usize) -> u32 {
    let mut h = SipHasher13::new_with_keys(key.0[0], key.0[1]);
    h.write(&t.local.ip().octets());
    h.write_u16(t.local.port());
    h.write(&t.remote.ip().octets());
    h.write_u16(t.remote.port());
    h.write_u32(irs.0);
    h.write_u32(counter);
    h.write_u8(index as u8);
    (h.finish() as u32) & 0x00ff_ffff
}

/// The cookie for a SYN of `tuple` with ISN `irs` and MSS option `peer_mss` at time counter
/// `counter` (see the module documentation for the layout).
pub fn cookie(
    key: &CookieKey,
    tuple: &FourTuple,
    irs: Seq,
    peer_mss: Option<u16>,
    counter: u32,
) -> Seq {
    let index = mss_index(peer_mss.unwrap_or(DEFAULT_MSS));
    Seq(((counter & 31) << 27) | ((index as u32) << 24) | mac(key, tuple, irs, counter, index))
}

/// The low 5 bits of a cookie SYN,ACK's TSval: the peer's shift (15: none) and SACK.
fn option_bits(snd_wscale: Option<u8>, sack: bool) -> u32 {
    u32::from(snd_wscale.map_or(15, |s| s.min(MAX_WINDOW_SHIFT))) | (u32::from(sack) << 4)
}

/// A TSval no later than `ts_now` whose low 5 bits are `bits`.
fn stamp(ts_now: u32, bits: u32) -> u32 {
    let v = (ts_now & !31) | bits;
    if ts_older(ts_now, v) {
        v.wrapping_sub(32)
    } else {
        v
    }
}

/// The stateless SYN,ACK of a listener configured with `cfg` to `syn` (a SYN without ACK or
/// RST; otherwise `None`), for a peer at `tuple`: ISS is the [`cookie`], the options are
/// those both sides offer as [`Tcb`] negotiates them (none but MSS when the SYN carried no
/// timestamps), the window unscaled (RFC 7323 §2.2), and with timestamps TSval is `ts_now`
/// (the connection's timestamp clock now) with the peer's shift and SACK-permitted in its low
/// bits. Text on the SYN is neither kept nor acknowledged.
pub fn syn_ack(
    cfg: &Config,
    syn: SegmentRef<'_>,
    tuple: &FourTuple,
    key: &CookieKey,
    counter: u32,
    ts_now: u32,
) -> Option<Segment> {
    if !syn.has(Ctl::SYN) || syn.has(Ctl::ACK) || syn.has(Ctl::RST) {
        return None;
    }
    let with_ts = cfg.timestamps && syn.opt.timestamps.is_some();
    let bare = SegmentRef {
        opt: if with_ts { syn.opt } else { Options::default() },
        ctl: Ctl::SYN,
        data: &[],
        ..syn
    };
    let iss = cookie(key, tuple, syn.seq, syn.mss, counter);
    let mut tcb = Tcb::closed();
    tcb.open_passive(cfg);
    let mut seg = tcb.on_segment(bare, iss, cfg).segments.into_iter().next()?;
    seg.mss = Some(cfg.mss);
    if let Some(ts) = &mut seg.opt.timestamps {
        let shift = tcb.syn_opt.window_scale.map(|_| tcb.snd_wscale);
        ts.tsval = stamp(ts_now, option_bits(shift, tcb.sack_ok));
    }
    Some(seg)
}

/// The two checks of a cookie's ACK, each of which a model can switch off (an ablation) to
/// show what it prevents; [`check`] runs both.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct CookieRules {
    /// The MAC must verify under the key (`cookie-mac`): without it any ACK whose
    /// acknowledgment number has plausible top bits opens a connection, so a blind attacker
    /// opens connections from forged addresses.
    pub verify_mac: bool,
    /// The cookie must be of the current or the previous time slot (`cookie-slot-age`):
    /// without it the slot bits are read as the most recent counter with those bits, and a
    /// cookie stays good for 32 slots (34 minutes), so a captured or long-delayed ACK opens a
    /// connection long after its SYN.
    pub reject_old_slots: bool,
}

impl Default for CookieRules {
    fn default() -> Self {
        CookieRules {
            verify_mac: true,
            reject_old_slots: true,
        }
    }
}

/// Whether `ack` (an ACK without SYN or RST, for a listener of `tuple`) acknowledges a cookie
/// made with `key` at counter `now_counter` or the one before, and if so the connection the
/// SYN asked for. The options come back from the ACK's TSecr when it carries timestamps;
/// without them the connection has none.
pub fn check(
    ack: SegmentRef<'_>,
    tuple: &FourTuple,
    key: &CookieKey,
    now_counter: u32,
) -> Option<Decoded> {
    check_with(ack, tuple, key, now_counter, CookieRules::default())
}

/// [`check`] with some of its rules switched off (for the models' ablations).
pub fn check_with(
    ack: SegmentRef<'_>,
    tuple: &FourTuple,
    key: &CookieKey,
    now_counter: u32,
    rules: CookieRules,
) -> Option<Decoded> {
    if !ack.has(Ctl::ACK) || ack.has(Ctl::SYN) || ack.has(Ctl::RST) {
        return None;
    }
    let iss = Seq(ack.ack.0.wrapping_sub(1));
    let irs = Seq(ack.seq.0.wrapping_sub(1));
    let slot = iss.0 >> 27;
    let index = ((iss.0 >> 24) & 7) as usize;
    let counter = if rules.reject_old_slots {
        (0..=1)
            .map(|age| now_counter.wrapping_sub(age))
            .find(|c| c & 31 == slot)?
    } else {
        now_counter.wrapping_sub(now_counter.wrapping_sub(slot) & 31)
    };
    if rules.verify_mac && mac(key, tuple, irs, counter, index) != iss.0 & 0x00ff_ffff {
        return None;
    }
    let (snd_wscale, sack_ok) = match ack.opt.timestamps {
        Some(ts) => {
            let shift = (ts.tsecr & 15) as u8;
            (
                (shift <= MAX_WINDOW_SHIFT).then_some(shift),
                ts.tsecr & 16 != 0,
            )
        }
        None => (None, false),
    };
    Some(Decoded {
        iss,
        irs,
        mss: MSS_TABLE[index],
        snd_wscale,
        sack_ok,
        timestamps: ack.opt.timestamps,
    })
}

#[cfg(test)]
mod tests;
