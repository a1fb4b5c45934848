use super::*;
use crate::tcp::{Connection, Event, State};
use proptest::prelude::*;
use std::net::{Ipv4Addr, SocketAddrV4};

const KEY: CookieKey = CookieKey([0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210]);

fn tuple(port: u16) -> FourTuple {
    FourTuple {
        local: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80),
        remote: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), port),
    }
}

fn ext() -> Config {
    Config {
        rcv_wnd: 1 << 20,
        mss: 1460,
        ..Config::default().with_extensions()
    }
}

fn syn(isn: u32, mss: Option<u16>, opt: Options) -> Segment {
    Segment {
        mss,
        opt,
        ..Segment::control(Seq(isn), Seq(0), Ctl::SYN, 65_535)
    }
}

fn linux_opt(tsval: u32) -> Options {
    Options {
        window_scale: Some(7),
        sack_permitted: true,
        timestamps: Some(Timestamps { tsval, tsecr: 0 }),
        ..Options::default()
    }
}

/// The peer's ACK of `syn_ack`: SEQ = its ISN + 1, ACK = cookie + 1, TSecr echoing our TSval.
fn ack_of(syn_ack: &Segment, isn: u32, tsval: u32) -> Segment {
    let mut a = Segment::control(Seq(isn) + 1, syn_ack.seq + 1, Ctl::ACK, 1000);
    a.opt.timestamps = syn_ack.opt.timestamps.map(|t| Timestamps {
        tsval,
        tsecr: t.tsval,
    });
    a
}

#[test]
fn the_ack_of_a_cookie_gives_back_the_isns_the_mss_and_the_options() {
    let cfg = ext();
    let s = syn(5000, Some(1460), linux_opt(777));
    let sa = syn_ack(&cfg, (&s).into(), &tuple(40_000), &KEY, 100, 123_456).unwrap();
    assert_eq!(sa.ctl, Ctl::SYN | Ctl::ACK);
    assert_eq!(sa.ack, Seq(5001));
    assert_eq!(sa.mss, Some(1460));
    assert_eq!(sa.opt.window_scale, Some(5), "ours, for a 1 MiB buffer");
    assert!(sa.opt.sack_permitted);
    let ts = sa.opt.timestamps.unwrap();
    assert_eq!(
        ts.tsecr, 777,
        "TSecr echoes the SYN's TSval (RFC 7323 §3.2)"
    );
    assert_eq!(ts.tsval & 31, 7 | 16, "shift 7 and SACK in the low bits");
    assert!(!ts_older(123_456, ts.tsval), "never ahead of the clock");
    assert!(123_456 - ts.tsval < 32);
    let d = check((&ack_of(&sa, 5000, 800)).into(), &tuple(40_000), &KEY, 100).unwrap();
    assert_eq!(
        d,
        Decoded {
            iss: sa.seq,
            irs: Seq(5000),
            mss: 1460,
            snd_wscale: Some(7),
            sack_ok: true,
            timestamps: Some(Timestamps {
                tsval: 800,
                tsecr: ts.tsval
            }),
        }
    );
}

#[test]
fn without_timestamps_no_window_scaling_and_no_sack_are_offered_or_kept() {
    let cfg = ext();
    let opt = Options {
        timestamps: None,
        ..linux_opt(0)
    };
    let s = syn(9, Some(1400), opt);
    let sa = syn_ack(&cfg, (&s).into(), &tuple(1), &KEY, 7, 0).unwrap();
    assert_eq!(sa.opt, Options::default(), "only the MSS option");
    let d = check((&ack_of(&sa, 9, 0)).into(), &tuple(1), &KEY, 7).unwrap();
    assert_eq!((d.mss, d.snd_wscale, d.sack_ok), (1300, None, false));
    assert_eq!(d.timestamps, None);
}

#[test]
fn a_wrong_key_tuple_isn_or_old_slot_is_refused() {
    let cfg = ext();
    let s = syn(5000, None, Options::default());
    let sa = syn_ack(&cfg, (&s).into(), &tuple(40_000), &KEY, 64, 0).unwrap();
    let ack = ack_of(&sa, 5000, 0);
    let ok = |a: &Segment, t: &FourTuple, k: &CookieKey, c: u32| check(a.into(), t, k, c);
    assert!(ok(&ack, &tuple(40_000), &KEY, 64).is_some());
    assert!(
        ok(&ack, &tuple(40_000), &KEY, 65).is_some(),
        "the previous slot"
    );
    for later in [66, 67, 64 + 32, 64 + 33, 63] {
        assert_eq!(
            ok(&ack, &tuple(40_000), &KEY, later),
            None,
            "counter {later}"
        );
    }
    assert_eq!(ok(&ack, &tuple(40_001), &KEY, 64), None, "another port");
    let other = CookieKey([KEY.0[0], KEY.0[1] ^ 1]);
    assert_eq!(ok(&ack, &tuple(40_000), &other, 64), None, "another key");
    let mut isn = ack.clone();
    isn.seq = isn.seq + 1;
    assert_eq!(ok(&isn, &tuple(40_000), &KEY, 64), None, "another ISN");
    for bit in 0..32 {
        let mut forged = ack.clone();
        forged.ack = Seq(forged.ack.0 ^ (1 << bit));
        assert_eq!(ok(&forged, &tuple(40_000), &KEY, 64), None, "bit {bit}");
    }
    let mut rst = ack.clone();
    rst.ctl = Ctl::ACK | Ctl::RST;
    assert_eq!(ok(&rst, &tuple(40_000), &KEY, 64), None);
    assert!(syn_ack(&cfg, (&ack).into(), &tuple(1), &KEY, 64, 0).is_none());
}

#[test]
fn each_check_can_be_switched_off_for_the_models_ablations() {
    let cfg = ext();
    let s = syn(5000, None, Options::default());
    let sa = syn_ack(&cfg, (&s).into(), &tuple(1), &KEY, 64, 0).unwrap();
    let ack = ack_of(&sa, 5000, 0);
    let no_mac = CookieRules {
        verify_mac: false,
        ..CookieRules::default()
    };
    let mut forged = ack.clone();
    forged.seq = Seq(777);
    assert_eq!(check((&forged).into(), &tuple(1), &KEY, 64), None);
    let d = check_with((&forged).into(), &tuple(1), &KEY, 64, no_mac).unwrap();
    assert_eq!(d.irs, Seq(776), "a connection no SYN asked for");
    let any_age = CookieRules {
        reject_old_slots: false,
        ..CookieRules::default()
    };
    assert_eq!(check((&ack).into(), &tuple(1), &KEY, 66), None);
    for later in [66, 80, 95] {
        assert!(check_with((&ack).into(), &tuple(1), &KEY, later, any_age).is_some());
    }
    assert_eq!(
        check_with((&ack).into(), &tuple(1), &KEY, 96, any_age),
        None
    );
}

#[test]
fn the_mss_is_rounded_down_to_the_table() {
    let cases = [
        (None, 536),
        (Some(0), 64),
        (Some(1), 64),
        (Some(300), 256),
        (Some(536), 536),
        (Some(1459), 1440),
        (Some(1460), 1460),
        (Some(9000), 8960),
        (Some(u16::MAX), 8960),
    ];
    for (mss, want) in cases {
        let c = cookie(&KEY, &tuple(2), Seq(1), mss, 3);
        assert_eq!(MSS_TABLE[((c.0 >> 24) & 7) as usize], want, "{mss:?}");
    }
    assert!(MSS_TABLE.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_cookie_connection_is_the_one_the_syn_asked_for_and_carries_text() {
    // A client offering every option against a listener answering with a cookie.
    let cfg = ext();
    let t0 = Duration::from_secs(1000);
    let mut a = Connection::new(cfg);
    a.open_active(t0, Seq(u32::MAX - 1)).unwrap();
    let s = a.poll_transmit(t0).unwrap();
    let offset = 0xdead_0000;
    let ts_now = crate::tcp::ts_clock(offset, t0);
    let c = counter(t0);
    let sa = syn_ack(&cfg, (&s).into(), &tuple(9), &KEY, c, ts_now).unwrap();
    a.on_segment(t0, &sa);
    assert_eq!(a.state(), State::Established);
    let ack = a.poll_transmit(t0).unwrap();
    let d = check((&ack).into(), &tuple(9), &KEY, counter(t0 + SLOT)).unwrap();
    let (mut b, _) = Connection::from_cookie(cfg, t0, offset, &d, &ack);
    assert_eq!(b.poll_event(), Some(Event::Established));
    let (ta, tb) = (a.tcb(), b.tcb());
    assert_eq!(
        (tb.iss, tb.irs),
        (ta.irs, ta.iss),
        "the ISNs of the handshake"
    );
    assert_eq!((tb.snd_nxt, tb.rcv_nxt), (ta.rcv_nxt, ta.snd_nxt));
    assert_eq!(
        (tb.snd_wscale, tb.rcv_wscale),
        (ta.rcv_wscale, ta.snd_wscale)
    );
    assert!(tb.sack_ok && tb.ts_ok && ta.sack_ok && ta.ts_ok);
    assert_eq!(b.send_mss(), 1460);
    // Text both ways, with scaled windows and timestamps.
    let t1 = t0 + Duration::from_millis(5);
    a.send(t1, &[7; 3000]).unwrap();
    while let Some(seg) = a.poll_transmit(t1) {
        b.on_segment(t1, &seg);
    }
    assert_eq!(b.read_to_vec(t1), vec![7; 3000]);
    b.send(t1, b"reply").unwrap();
    while let Some(seg) = b.poll_transmit(t1) {
        assert!(seg.opt.timestamps.is_some());
        a.on_segment(t1, &seg);
    }
    assert_eq!(a.read_to_vec(t1), b"reply");
    while let Some(seg) = a.poll_transmit(t1) {
        b.on_segment(t1, &seg);
    }
    assert_eq!(b.tcb().snd_una, b.tcb().snd_nxt, "acknowledged");
    assert_eq!(a.tcb().snd_una, a.tcb().snd_nxt, "acknowledged");
}

#[test]
fn text_on_the_cookie_ack_is_delivered() {
    let cfg = Config::default();
    let s = syn(100, None, Options::default());
    let sa = syn_ack(&cfg, (&s).into(), &tuple(3), &KEY, 0, 0).unwrap();
    let mut ack = Segment::text(Seq(101), sa.seq + 1, 1000, b"GET /");
    ack.ctl = Ctl::ACK | Ctl::PSH;
    let d = check((&ack).into(), &tuple(3), &KEY, 0).unwrap();
    let (mut b, _) = Connection::from_cookie(cfg, Duration::ZERO, 0, &d, &ack);
    assert_eq!(b.read_to_vec(Duration::ZERO), b"GET /");
    assert_eq!(b.state(), State::Established);
    assert_eq!(b.tcb().rcv_nxt, Seq(106));
}

fn options() -> impl Strategy<Value = (Option<u8>, bool, Option<u32>)> {
    (
        prop::option::of(0u8..=20),
        any::<bool>(),
        prop::option::of(any::<u32>()),
    )
}

proptest! {
    /// The SYN-cookie round trip: for any 4-tuple, ISN, MSS option, options offered, clock and
    /// counter, the ACK of the cookie SYN,ACK (within the current or the previous slot) opens
    /// exactly the connection the SYN asked for: the same ISNs, the MSS rounded down to the
    /// table, the options as offered when timestamps carry them and none otherwise; two
    /// slots later, or with any other acknowledgment number, nothing opens.
    #[test]
    fn the_ack_of_a_cookie_opens_exactly_the_connection_the_syn_asked_for(
        port in any::<u16>(), isn in any::<u32>(), mss in prop::option::of(any::<u16>()),
        (wscale, sack, tsval) in options(), ts_now in any::<u32>(), c in any::<u32>(),
        age in 0u32..=1, key in any::<[u64; 2]>(), wrong in 1u32..,
    ) {
        let cfg = ext();
        let key = CookieKey(key);
        let opt = Options {
            window_scale: wscale,
            sack_permitted: sack,
            timestamps: tsval.map(|tsval| Timestamps { tsval, tsecr: 0 }),
            ..Options::default()
        };
        let s = syn(isn, mss, opt);
        let sa = syn_ack(&cfg, (&s).into(), &tuple(port), &key, c, ts_now).unwrap();
        prop_assert_eq!(sa.ack, Seq(isn) + 1);
        let ack = ack_of(&sa, isn, 1);
        let now = c.wrapping_add(age);
        let d = check((&ack).into(), &tuple(port), &key, now).unwrap();
        prop_assert_eq!(d.iss, sa.seq);
        prop_assert_eq!(d.irs, Seq(isn));
        let want = mss.unwrap_or(536);
        prop_assert!(d.mss <= want.max(64) && MSS_TABLE.contains(&d.mss));
        prop_assert!(MSS_TABLE.iter().all(|&m| m <= d.mss || m > want));
        let with_ts = tsval.is_some();
        prop_assert_eq!(d.snd_wscale, wscale.filter(|_| with_ts).map(|w| w.min(14)));
        prop_assert_eq!(d.sack_ok, sack && with_ts);
        prop_assert_eq!(d.timestamps.is_some(), with_ts);
        if let Some(ts) = sa.opt.timestamps {
            prop_assert!(!ts_older(ts_now, ts.tsval) && ts_now.wrapping_sub(ts.tsval) < 32);
        }
        prop_assert_eq!(check((&ack).into(), &tuple(port), &key, c.wrapping_add(2)), None);
        let mut forged = ack.clone();
        forged.ack = forged.ack + wrong;
        prop_assert_eq!(check((&forged).into(), &tuple(port), &key, now), None);
    }
}

#[test]
fn a_half_open_connection_gives_up_after_max_syn_ack_retransmits() {
    // The SYN-RECEIVED retry budget (RFC 4987 §3.2): 5 SYN,ACK retransmissions, 63 s from a
    // 1 s RTO, then the entry is deleted; an active opener's SYN keeps its 8.
    let cfg = Config {
        max_syn_ack_retransmits: Some(crate::tcp::SYN_ACK_RETRANSMITS),
        ..Config::default()
    };
    assert_eq!(cfg.max_syn_ack_retransmits, Some(5));
    let mut b = Connection::new(cfg);
    let mut now = Duration::ZERO;
    b.open_passive(now).unwrap();
    b.on_listen_segment(now, &syn(1, None, Options::default()), Seq(50));
    assert_eq!(b.state(), State::SynReceived);
    assert!(b.poll_transmit(now).unwrap().has(Ctl::SYN));
    let mut sent = 0;
    while let Some(t) = b.poll_timeout() {
        now = t;
        b.handle_timeout(now);
        sent += std::iter::from_fn(|| b.poll_transmit(now)).count();
    }
    assert_eq!((sent, b.state()), (5, State::Closed));
    assert_eq!(now, Duration::from_secs(63));
    let mut a = Connection::new(cfg);
    a.open_active(Duration::ZERO, Seq(1)).unwrap();
    assert!(a.poll_transmit(Duration::ZERO).is_some());
    let mut resent = 0;
    while let Some(t) = a.poll_timeout() {
        a.handle_timeout(t);
        resent += std::iter::from_fn(|| a.poll_transmit(t)).count();
    }
    assert_eq!(resent, 8);
}
