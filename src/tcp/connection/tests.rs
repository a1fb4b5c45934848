//! A connection's decisions around its transitions: timers, samples, recovery, MSS, buffers.

use super::*;
use crate::tcp::{Segment, Timestamps};

const MS: fn(u64) -> Duration = Duration::from_millis;
const T0: Duration = Duration::ZERO;

fn cfg() -> Config {
    Config {
        mss: 100,
        ..Config::default()
    }
}

/// A and B ESTABLISHED at `T0` through a handshake, with every segment delivered at once.
fn pair(cfg: Config) -> (Connection, Connection) {
    let (mut a, mut b) = (Connection::new(cfg), Connection::new(cfg));
    b.open_passive(T0).unwrap();
    a.open_active(T0, Seq(1000)).unwrap();
    let syn = a.poll_transmit(T0).unwrap();
    b.on_listen_segment(T0, &syn, Seq(5000));
    let syn_ack = b.poll_transmit(T0).unwrap();
    a.on_segment(T0, &syn_ack);
    let ack = a.poll_transmit(T0).unwrap();
    b.on_segment(T0, &ack);
    assert_eq!(
        (a.state(), b.state()),
        (State::Established, State::Established)
    );
    while a.poll_event().is_some() {}
    while b.poll_event().is_some() {}
    (a, b)
}

fn drain(c: &mut Connection, now: Duration) -> Vec<Segment> {
    std::iter::from_fn(|| c.poll_transmit(now)).collect()
}

#[test]
fn a_send_after_an_idle_period_arms_the_timer_from_the_time_of_the_send() {
    // The user's call carries its own time: an idle connection that sends 10 s after the
    // handshake sets its retransmission timer one RTO after the send, not 10 s in the past.
    let (mut a, mut b) = pair(cfg());
    let later = Duration::from_secs(10);
    a.send(later, b"x").unwrap();
    assert_eq!(a.timer(Timer::Retransmit), Some(later + a.rto()));
    assert_eq!(a.poll_timeout(), Some(later + a.rto()));
    let w = a.handle_timeout(later + MS(50));
    assert!(
        !w.has(Witness::RetransmitTimeout),
        "nothing is due 50 ms later"
    );
    let data = drain(&mut a, later);
    b.on_segment(later + MS(20), &data[0]);
    let ack = drain(&mut b, later + MS(20));
    a.on_segment(later + MS(40), &ack[0]);
    // SRTT = 7/8 of the handshake's sample (0 here) + 1/8 of this one: 40 ms, not 10 s.
    assert_eq!(
        a.srtt(),
        Some(MS(5)),
        "the sample is the round trip, not 10 s"
    );
}

#[test]
fn the_peers_mss_option_on_its_syn_sets_the_send_mss() {
    let mut cfg_a = cfg();
    cfg_a.mss = 1460;
    let cfg_b = Config { mss: 500, ..cfg() };
    let (mut a, mut b) = (Connection::new(cfg_a), Connection::new(cfg_b));
    b.open_passive(T0).unwrap();
    a.open_active(T0, Seq(1)).unwrap();
    let syn = a.poll_transmit(T0).unwrap();
    assert_eq!(syn.mss, Some(1460), "our MSS on our SYN (MUST-14)");
    b.on_listen_segment(T0, &syn, Seq(9));
    assert_eq!(b.send_mss(), 500, "never more than our own");
    let syn_ack = b.poll_transmit(T0).unwrap();
    assert_eq!(syn_ack.mss, Some(500));
    a.on_segment(T0, &syn_ack);
    assert_eq!(a.send_mss(), 500);
    let mut c = Connection::new(cfg_a);
    c.open_active(T0, Seq(1)).unwrap();
    c.poll_transmit(T0);
    c.on_segment(
        T0,
        &Segment::control(Seq(9), Seq(2), Ctl::SYN | Ctl::ACK, 100),
    );
    assert_eq!(c.send_mss(), 536, "no option: 536 (MUST-15)");
}

#[test]
fn the_retransmission_timer_runs_while_data_is_outstanding_and_restarts_on_progress() {
    let (mut a, mut b) = pair(cfg());
    a.send(T0, &[7; 300]).unwrap();
    let segs = drain(&mut a, T0);
    assert_eq!(segs.len(), 3);
    let rto = a.rto();
    assert_eq!(a.timer(Timer::Retransmit), Some(T0 + rto), "RFC 6298 (5.1)");
    b.on_segment(MS(10), &segs[0]);
    let ack = drain(&mut b, MS(10)).remove(0);
    a.on_segment(MS(20), &ack);
    assert_eq!(
        a.timer(Timer::Retransmit),
        Some(MS(20) + a.rto()),
        "(5.3): restarted by an acknowledgment of new data"
    );
    for s in &segs[1..] {
        b.on_segment(MS(30), s);
    }
    for s in drain(&mut b, MS(30)) {
        a.on_segment(MS(40), &s);
    }
    assert_eq!(a.timer(Timer::Retransmit), None, "(5.2): all acknowledged");
}

#[test]
fn without_the_restart_an_acknowledgment_leaves_outstanding_data_without_a_timer() {
    let mut c = cfg();
    c.mechanisms = c.mechanisms.without(Mechanism::RtoRestart);
    let (mut a, mut b) = pair(c);
    a.send(T0, &[7; 200]).unwrap();
    let segs = drain(&mut a, T0);
    b.on_segment(MS(10), &segs[0]);
    let ack = drain(&mut b, MS(10)).remove(0);
    a.on_segment(MS(20), &ack);
    assert!(a.tcb().has_unacked());
    assert_eq!(a.timer(Timer::Retransmit), None, "the rto-restart hazard");
}

#[test]
fn an_expired_timer_backs_off_resends_and_rearms() {
    let (mut a, _b) = pair(cfg());
    a.send(T0, b"abc").unwrap();
    drain(&mut a, T0);
    let due = a.poll_timeout().unwrap();
    let w = a.handle_timeout(due);
    assert!(w.has(Witness::RetransmitTimeout));
    assert_eq!(a.rto(), MS(2000), "(5.5) backed off");
    assert_eq!(a.timer(Timer::Retransmit), Some(due + MS(2000)), "(5.6)");
    let resent = drain(&mut a, due);
    assert_eq!(resent[0].data, b"abc");
}

#[test]
fn retransmissions_report_r1_then_give_up_at_r2() {
    let c = Config {
        r1: 2,
        max_retransmits: 3,
        ..cfg()
    };
    let (mut a, _b) = pair(c);
    a.send(T0, b"x").unwrap();
    let mut now = T0;
    let mut events = Vec::new();
    while let Some(t) = a.poll_timeout() {
        now = t;
        a.handle_timeout(now);
        drain(&mut a, now);
        events.extend(std::iter::from_fn(|| a.poll_event()));
    }
    assert_eq!(events, [Event::DeliveryProblem, Event::TimedOut]);
    assert_eq!(a.state(), State::Closed);
    assert_eq!(
        now,
        MS(1000 + 2000 + 4000 + 8000),
        "R2 after three backed-off resends"
    );
}

#[test]
fn a_syn_is_retransmitted_for_at_least_three_minutes() {
    // MUST-23, with the default configuration.
    let mut a = Connection::new(Config::default());
    a.open_active(T0, Seq(1)).unwrap();
    let mut now = T0;
    while let Some(t) = a.poll_timeout() {
        now = t;
        a.handle_timeout(now);
        drain(&mut a, now);
    }
    let events: Vec<_> = std::iter::from_fn(|| a.poll_event()).collect();
    assert_eq!(events, [Event::DeliveryProblem, Event::TimedOut]);
    assert!(now >= Duration::from_secs(180), "gave up after {now:?}");
}

#[test]
fn time_wait_is_armed_exactly_in_time_wait_for_two_msl() {
    let (mut a, mut b) = pair(cfg());
    a.close(T0).unwrap();
    let fin = drain(&mut a, T0).remove(0);
    b.on_segment(T0, &fin);
    b.close(T0).unwrap();
    let from_b = drain(&mut b, T0);
    assert_eq!(a.timer(Timer::TimeWait), None);
    for s in &from_b {
        a.on_segment(MS(5), s);
    }
    assert_eq!(a.state(), State::TimeWait);
    let two_msl = 2 * a.config().msl;
    assert_eq!(a.timer(Timer::TimeWait), Some(MS(5) + two_msl));
    assert_eq!(a.poll_timeout(), Some(MS(5) + two_msl));
    a.handle_timeout(MS(5) + two_msl);
    assert_eq!(a.state(), State::Closed);
    assert_eq!(a.poll_timeout(), None, "no timer in CLOSED");
}

#[test]
fn the_delayed_ack_timer_sends_what_was_owed() {
    let c = Config {
        delayed_ack: true,
        ..cfg()
    };
    let (mut a, mut b) = pair(c);
    a.send(T0, b"x").unwrap();
    let seg = drain(&mut a, T0).remove(0);
    b.on_segment(MS(1), &seg);
    assert!(drain(&mut b, MS(1)).is_empty(), "deferred");
    assert_eq!(b.timer(Timer::DelayedAck), Some(MS(1) + c.ack_delay));
    assert!(c.ack_delay < MS(500), "MUST-40");
    b.handle_timeout(MS(1) + c.ack_delay);
    let ack = drain(&mut b, MS(41)).remove(0);
    assert_eq!(ack.ack, seg.seq + 1);
    assert_eq!(b.timer(Timer::DelayedAck), None);
}

#[test]
fn a_zero_window_arms_the_persist_timer_and_its_probes_back_off() {
    let (mut a, mut b) = pair(cfg());
    // B's window closes: the ACK of a's first octet offers 0.
    b.on_segment(T0, &Segment::control(Seq(1001), Seq(5001), Ctl::ACK, 0));
    a.on_segment(T0, &Segment::control(Seq(5001), Seq(1001), Ctl::ACK, 0));
    a.send(T0, b"held").unwrap();
    assert!(drain(&mut a, T0).is_empty());
    assert_eq!(a.timer(Timer::Retransmit), None);
    let first = a.timer(Timer::Persist).expect("persist timer armed");
    let w = a.handle_timeout(first);
    assert!(w.has(Witness::WindowProbe));
    assert_eq!(
        drain(&mut a, first)[0].to_string(),
        "<SEQ=1000><ACK=5001><CTL=ACK>"
    );
    let second = a.timer(Timer::Persist).unwrap();
    assert!(second - first > first - T0, "backed off");
    a.on_segment(
        second,
        &Segment::control(Seq(5001), Seq(1001), Ctl::ACK, 100),
    );
    assert_eq!(a.timer(Timer::Persist), None);
    assert_eq!(drain(&mut a, second)[0].data, b"held");
}

#[test]
fn the_window_offered_is_the_free_receive_buffer_and_reading_reopens_it() {
    let c = Config {
        rcv_wnd: 400,
        ..cfg()
    };
    let (mut a, mut b) = pair(c);
    a.send(T0, &[1; 300]).unwrap();
    let mut last = None;
    for s in drain(&mut a, T0) {
        b.on_segment(T0, &s);
        last = drain(&mut b, T0).pop();
    }
    assert_eq!(last.unwrap().wnd, 100, "400 less 300 unread");
    let mut buf = [0; 300];
    assert_eq!(b.recv(MS(1), &mut buf), 300);
    let update = drain(&mut b, MS(1)).remove(0);
    assert_eq!((update.wnd, update.ack), (400, Seq(1301)));
}

#[test]
fn a_third_duplicate_ack_resends_at_once_when_fast_retransmit_is_on() {
    let c = Config {
        fast_retransmit: true,
        ..cfg()
    };
    let (mut a, _b) = pair(c);
    a.send(T0, &[3; 500]).unwrap();
    drain(&mut a, T0);
    let dup = Segment::control(Seq(5001), Seq(1001), Ctl::ACK, 65535);
    let ws: Vec<_> = (0..3).map(|_| a.on_segment(MS(10), &dup)).collect();
    assert!(!ws[1].has(Witness::FastRetransmit));
    assert!(ws[2].has(Witness::FastRetransmit));
    assert_eq!(drain(&mut a, MS(10))[0].seq, Seq(1001));
    let (mut off, _) = pair(cfg());
    off.send(T0, &[3; 500]).unwrap();
    drain(&mut off, T0);
    for _ in 0..3 {
        off.on_segment(MS(10), &dup);
    }
    assert!(
        drain(&mut off, MS(10)).is_empty(),
        "off: the timer alone resends"
    );
}

#[test]
fn user_calls_return_the_rfcs_errors() {
    let mut c = Connection::new(cfg());
    assert_eq!(c.send(T0, b"x"), Err(UserError::ConnectionDoesNotExist));
    assert_eq!(c.close(T0), Err(UserError::ConnectionDoesNotExist));
    c.open_passive(T0).unwrap();
    assert_eq!(c.send(T0, b"x"), Err(UserError::ForeignSocketUnspecified));
    assert_eq!(c.open_passive(T0), Err(UserError::ConnectionAlreadyExists));
}

#[test]
fn a_syn_given_to_a_listen_without_an_isn_is_dropped() {
    let mut c = Connection::new(cfg());
    c.open_passive(T0).unwrap();
    let w = c.on_segment(T0, &Segment::control(Seq(7), Seq(0), Ctl::SYN, 100));
    assert!(w.has(Witness::Unacceptable));
    assert_eq!(c.state(), State::Listen);
    assert!(c.poll_transmit(T0).is_none());
}

#[test]
fn rebasing_keeps_deadlines_relative_to_the_new_origin() {
    let (mut a, _b) = pair(cfg());
    a.send(T0, b"x").unwrap();
    drain(&mut a, T0);
    let rto = a.rto();
    a.rebase(MS(300));
    assert_eq!(a.timer(Timer::Retransmit), Some(rto - MS(300)));
    a.rebase(Duration::from_secs(100));
    assert_eq!(a.poll_timeout(), Some(T0), "overdue stays due");
}

#[test]
fn a_synchronized_connection_starts_with_the_given_numbers() {
    let c = Connection::synchronized(
        cfg(),
        Synchronized {
            state: State::FinWait2,
            iss: Seq(u32::MAX),
            irs: Seq(7),
            snd_wnd: 100,
            peer_mss: Some(80),
        },
    );
    let t = c.tcb();
    assert_eq!((t.snd_una, t.snd_nxt, t.rcv_nxt), (Seq(1), Seq(1), Seq(8)));
    assert!(t.fin_sent && t.fin_acked());
    assert_eq!(c.send_mss(), 80);
    assert_eq!(
        c.poll_timeout(),
        Some(crate::tcp::FIN_WAIT_2_TIMEOUT),
        "FIN-WAIT-2 waits for the peer's FIN for 60 s"
    );
    let tw = Connection::synchronized(
        cfg(),
        Synchronized {
            state: State::TimeWait,
            iss: Seq(1),
            irs: Seq(7),
            snd_wnd: 100,
            peer_mss: None,
        },
    );
    assert_eq!(tw.tcb().rcv_nxt, Seq(9), "the peer's FIN consumed");
    assert!(tw.timer(Timer::TimeWait).is_some());
}

#[test]
fn text_held_out_of_order_and_text_unread_never_exceed_the_receive_buffer() {
    // Issue 17 item 2. A 1000-octet buffer; the peer sends in-order text whose ACK is deferred
    // (so no segment re-offers the window), then floods the window with out-of-order,
    // overlapping and same-numbered text. Nothing beyond the edge offered is held, nothing
    // twice.
    let cfg = Config {
        rcv_wnd: 1000,
        delayed_ack: true,
        ..cfg()
    };
    let (_, mut b) = pair(cfg);
    let rcv_nxt = b.tcb().rcv_nxt;
    let ack = b.tcb().snd_nxt;
    b.on_segment(T0, &Segment::text(rcv_nxt, ack, 65535, &[b'a'; 300]));
    assert!(drain(&mut b, T0).is_empty(), "the ACK is deferred");
    assert_eq!(b.recv_queued(), 300);
    let edge = rcv_nxt + 1000;
    for i in 0..2000u32 {
        let seq = rcv_nxt + 301 + (i * 37) % 900;
        let fill = [(i % 251) as u8; 100];
        b.on_segment(T0, &Segment::text(seq, ack, 65535, &fill));
        assert!(b.rx_memory() <= 1000, "after {i}: {}", b.rx_memory());
    }
    let held: Vec<_> = b.tcb().rcv_queue.to_vec();
    let (first, last) = (held.first().unwrap(), held.last().unwrap());
    assert!(first.0.gt(rcv_nxt + 300));
    assert!(
        (last.0 + last.1.len() as u32).le(edge),
        "held beyond the edge offered"
    );
    assert_eq!(
        b.tcb().rcv_queue.octets(),
        1000 - 301,
        "301..1000 held once"
    );
    // The gap fills: everything held is delivered, up to the edge and no further.
    b.on_segment(T0, &Segment::text(rcv_nxt + 300, ack, 65535, b"z"));
    assert_eq!(b.recv_queued(), 1000);
    assert_eq!(b.tcb().rcv_nxt, edge);
    assert!(b.tcb().rcv_queue.is_empty());
}

#[test]
fn challenge_acks_are_limited_per_connection_by_a_token_bucket() {
    // RFC 5961 §7. In-window RSTs that do not sit at RCV.NXT each draw a challenge ACK
    // (§3.2) until the burst is spent; then one per millisecond at 1000/s.
    let (_, mut b) = pair(cfg());
    let forged = Segment::control(b.tcb().rcv_nxt + 10, Seq(0), Ctl::RST, 0);
    let mut sent = 0;
    let mut limited = 0;
    for _ in 0..200 {
        let w = b.on_segment(T0, &forged);
        let acks = drain(&mut b, T0);
        assert_eq!(acks.len(), usize::from(w.has(Witness::ChallengeAck)));
        sent += acks.len();
        limited += usize::from(w.has(Witness::ChallengeAckLimited));
    }
    assert_eq!((sent, limited), (50, 150));
    assert_eq!(b.state(), State::Established, "no forged RST acted");
    let w = b.on_segment(T0 + MS(1), &forged);
    assert!(w.has(Witness::ChallengeAck), "a token a millisecond");
    assert!(
        b.on_segment(T0 + MS(1), &forged)
            .has(Witness::ChallengeAckLimited)
    );
    // A SYN in ESTABLISHED draws a challenge ACK too (§4.2), from the same bucket.
    let syn = Segment::control(b.tcb().rcv_nxt, Seq(0), Ctl::SYN, 0);
    assert!(
        b.on_segment(T0 + MS(1), &syn)
            .has(Witness::ChallengeAckLimited)
    );
    // Without a limit every one is answered.
    let (_, mut free) = pair(Config {
        challenge_ack_limit: None,
        ..cfg()
    });
    let forged = Segment::control(free.tcb().rcv_nxt + 10, Seq(0), Ctl::RST, 0);
    for _ in 0..200 {
        assert!(free.on_segment(T0, &forged).has(Witness::ChallengeAck));
    }
}

fn fin_wait_2(cfg: Config) -> Connection {
    Connection::synchronized(
        cfg,
        Synchronized {
            state: State::FinWait2,
            iss: Seq(300),
            irs: Seq(100),
            snd_wnd: 1000,
            peer_mss: None,
        },
    )
}

#[test]
fn fin_wait_2_gives_up_on_a_silent_peer_after_the_timeout_and_text_restarts_it() {
    // Config::fin_wait_2_timeout (a deviation from RFC 9293 §3.6, which sets no limit).
    let d = crate::tcp::FIN_WAIT_2_TIMEOUT;
    let mut a = fin_wait_2(cfg());
    assert_eq!(a.timer(Timer::FinWait2), Some(d));
    // Text from the peer (a half-closed connection still receiving) restarts it.
    let at = Duration::from_secs(50);
    a.on_segment(at, &Segment::text(Seq(101), Seq(302), 1000, b"more"));
    assert_eq!(a.timer(Timer::FinWait2), Some(at + d));
    // A bare ACK does not.
    a.on_segment(
        at + MS(10),
        &Segment::control(Seq(105), Seq(302), Ctl::ACK, 1000),
    );
    assert_eq!(a.timer(Timer::FinWait2), Some(at + d));
    drain(&mut a, at);
    assert!(a.handle_timeout(at + d - MS(1)).is_empty());
    let w = a.handle_timeout(at + d);
    assert!(w.has(Witness::FinWait2Timeout));
    assert_eq!(a.state(), State::Closed);
    assert_eq!(
        drain(&mut a, at + d)
            .iter()
            .map(Segment::to_string)
            .collect::<Vec<_>>(),
        ["<SEQ=302><CTL=RST>"]
    );
    assert_eq!(a.poll_event(), Some(Event::TimedOut));
    assert_eq!(a.poll_timeout(), None);
    // Switched off, FIN-WAIT-2 waits for ever, as RFC 9293 alone.
    let b = fin_wait_2(Config {
        fin_wait_2_timeout: None,
        ..cfg()
    });
    assert_eq!(b.poll_timeout(), None);
}

#[test]
fn unanswered_zero_window_probes_count_toward_r2_and_answered_ones_do_not() {
    // RFC 6429 §2: a peer that vanishes behind a zero window is given up at R2; one that
    // answers every probe (with a zero window still) is probed for as long as it answers.
    let c = Config {
        max_retransmits: 4,
        ..cfg()
    };
    let zero = |c: Config| {
        let mut a = Connection::synchronized(
            c,
            Synchronized {
                state: State::Established,
                iss: Seq(300),
                irs: Seq(100),
                snd_wnd: 0,
                peer_mss: None,
            },
        );
        a.send(T0, b"blocked").unwrap();
        assert!(a.timer(Timer::Persist).is_some());
        a
    };
    let mut a = zero(c);
    let mut probes = 0;
    let mut now = T0;
    while let Some(t) = a.poll_timeout() {
        now = t;
        let w = a.handle_timeout(now);
        probes += usize::from(w.has(Witness::WindowProbe));
        if w.has(Witness::ProbesUnanswered) {
            break;
        }
        drain(&mut a, now);
    }
    assert_eq!(probes, 4, "R2 probes, then the connection is given up");
    assert_eq!(a.state(), State::Closed);
    assert_eq!(a.poll_event(), Some(Event::TimedOut));
    println!("given up after {now:?}");
    // A peer that answers each probe keeps the connection.
    let mut b = zero(c);
    for _ in 0..20 {
        let t = b.poll_timeout().expect("persist armed");
        assert!(b.handle_timeout(t).has(Witness::WindowProbe));
        drain(&mut b, t);
        let answer = Segment::control(Seq(101), Seq(301), Ctl::ACK, 0);
        assert!(!b.on_segment(t, &answer).has(Witness::Unacceptable));
    }
    assert_eq!(b.state(), State::Established);
}

#[test]
fn keep_alives_are_off_by_default_and_probe_an_idle_peer_when_on() {
    // RFC 9293 §3.8.4: MUST-24 off by default; MUST-26 at least two hours idle by default;
    // MUST-27 one unanswered probe is not a dead connection.
    let sync = |c: Config| {
        Connection::synchronized(
            c,
            Synchronized {
                state: State::Established,
                iss: Seq(300),
                irs: Seq(100),
                snd_wnd: 1000,
                peer_mss: None,
            },
        )
    };
    assert_eq!(sync(cfg()).poll_timeout(), None, "MUST-24: off");
    let k = crate::tcp::KeepAlive::default();
    assert!(k.idle >= Duration::from_secs(7200), "MUST-26");
    let mut a = sync(Config {
        keep_alive: Some(k),
        ..cfg()
    });
    assert_eq!(a.timer(Timer::KeepAlive), Some(k.idle));
    // Heard from the peer: the idle time starts again.
    let at = Duration::from_secs(3600);
    a.on_segment(at, &Segment::text(Seq(101), Seq(301), 1000, b"x"));
    drain(&mut a, at);
    assert_eq!(a.timer(Timer::KeepAlive), Some(at + k.idle));
    // Idle: probes k.interval apart, <SEQ=SND.NXT-1>, then given up after k.probes.
    let mut now = at + k.idle;
    let w = a.handle_timeout(now);
    assert!(w.has(Witness::KeepAliveProbe));
    let probe = drain(&mut a, now);
    assert_eq!(probe[0].to_string(), "<SEQ=300><ACK=102><CTL=ACK>");
    assert_eq!(a.timer(Timer::KeepAlive), Some(now + k.interval));
    // An answer resets the count and the idle time.
    a.on_segment(now, &Segment::control(Seq(102), Seq(301), Ctl::ACK, 1000));
    assert_eq!(a.timer(Timer::KeepAlive), Some(now + k.idle));
    let mut probes = 0;
    now += k.idle;
    loop {
        let w = a.handle_timeout(now);
        drain(&mut a, now);
        if w.has(Witness::ProbesUnanswered) {
            break;
        }
        assert!(w.has(Witness::KeepAliveProbe));
        probes += 1;
        now = a.poll_timeout().unwrap();
    }
    assert_eq!(probes, usize::from(k.probes));
    assert_eq!(a.state(), State::Closed);
    // Text in flight: the retransmission timer watches the peer, not the keep-alive.
    let mut b = sync(Config {
        keep_alive: Some(k),
        ..cfg()
    });
    b.send(T0, b"x").unwrap();
    assert_eq!(b.timer(Timer::KeepAlive), None);
}

/// RFC 7323 and RFC 2018 between two connections that both offer them.
fn extended() -> Config {
    Config {
        // 1000 octets of text beside the 12 of the timestamps option.
        mss: 1012,
        rcv_wnd: 1 << 20,
        snd_buf: 1 << 20,
        ..Config::default().with_extensions()
    }
}

#[test]
fn both_offering_the_extensions_agree_on_them_and_open_a_window_beyond_64_kib() {
    let (mut a, mut b) = pair(Config {
        congestion: None,
        ..extended()
    });
    for c in [&a, &b] {
        let t = c.tcb();
        assert!(t.ts_ok && t.sack_ok);
        assert_eq!((t.snd_wscale, t.rcv_wscale), (5, 5));
    }
    assert_eq!(a.tcb().snd_wnd, 65_535, "a SYN's window is never scaled");
    let text = vec![7u8; 300_000];
    assert_eq!(a.send(T0, &text).unwrap(), text.len());
    let first = drain(&mut a, T0);
    let flight: usize = first.iter().map(|s| s.data.len()).sum();
    assert_eq!(flight, 65_535, "the unscaled window of B's SYN,ACK");
    for s in &first {
        b.on_segment(T0, s);
    }
    let ack = drain(&mut b, T0).pop().unwrap();
    assert_eq!(
        u32::from(ack.wnd),
        ((1 << 20) - 65_535) >> 5,
        "scaled by 2^5"
    );
    a.on_segment(T0, &ack);
    let rest = drain(&mut a, T0);
    let flight: usize = rest.iter().map(|s| s.data.len()).sum();
    assert_eq!(
        flight,
        300_000 - 65_535,
        "the rest at once, far past 65,535 octets"
    );
    for s in &rest {
        b.on_segment(T0, s);
    }
    assert_eq!(b.read_to_vec(T0), text);
}

#[test]
fn tsval_is_the_clock_plus_the_offset_and_tsecr_measures_the_round_trip() {
    let (mut a, mut b) = (Connection::new(extended()), Connection::new(extended()));
    a.set_timestamp_offset(1_000_000);
    b.set_timestamp_offset(7);
    b.open_passive(T0).unwrap();
    a.open_active(T0, Seq(1)).unwrap();
    let syn = a.poll_transmit(MS(5)).unwrap();
    assert_eq!(
        syn.opt.timestamps,
        Some(Timestamps {
            tsval: 1_000_005,
            tsecr: 0
        })
    );
    b.on_listen_segment(MS(30), &syn, Seq(9));
    let syn_ack = b.poll_transmit(MS(30)).unwrap();
    assert_eq!(
        syn_ack.opt.timestamps,
        Some(Timestamps {
            tsval: 37,
            tsecr: 1_000_005
        }),
        "TSecr echoes the SYN's TSval (RFC 7323 §3.2)"
    );
    a.on_segment(MS(55), &syn_ack);
    assert_eq!(
        a.srtt(),
        Some(MS(50)),
        "the echoed TSval times the round trip (§4.1)"
    );
    let ack = a.poll_transmit(MS(55)).unwrap();
    assert_eq!(ack.opt.timestamps.map(|t| t.tsecr), Some(37));
}

#[test]
fn ts_recent_is_forgotten_after_24_days_of_silence() {
    let (mut a, b) = pair(extended());
    let old = TS_RECENT_LIFETIME + Duration::from_secs(1);
    // B's clock has run backwards (or wrapped) over a long idle period: its TSval is older
    // than A's TS.Recent, and PAWS would reject it were TS.Recent still valid (§5.5).
    let mut seg = Segment::text(b.tcb().snd_nxt, b.tcb().rcv_nxt, 100, b"late");
    seg.opt.timestamps = Some(Timestamps {
        tsval: u32::MAX - 5,
        tsecr: 0,
    });
    let mut early = a.clone();
    assert!(early.on_segment(MS(10), &seg).has(Witness::PawsRejected));
    assert!(!a.on_segment(old, &seg).has(Witness::PawsRejected));
    assert_eq!(a.read_to_vec(old), b"late");
}

#[test]
fn a_half_duplex_close_with_unread_text_resets_the_connection() {
    let (mut a, mut b) = pair(cfg());
    b.send(T0, b"unread").unwrap();
    for s in drain(&mut b, T0) {
        a.on_segment(T0, &s);
    }
    let w = a.close_and_discard(T0).unwrap();
    assert!(w.has(Witness::UnreadDataReset));
    assert_eq!(a.state(), State::Closed);
    let sent = drain(&mut a, T0);
    assert!(
        sent.last().unwrap().has(Ctl::RST),
        "SHLD-3: a RST shows that data was lost"
    );
}

#[test]
fn text_arriving_after_a_half_duplex_close_resets_the_connection() {
    let (mut a, mut b) = pair(cfg());
    a.close_and_discard(T0).unwrap();
    assert_eq!(a.state(), State::FinWait1);
    for s in drain(&mut a, T0) {
        b.on_segment(T0, &s);
    }
    drain(&mut b, T0);
    b.send(T0, b"late").unwrap();
    let data = drain(&mut b, T0);
    let w = a.on_segment(T0, &data[0]);
    assert!(w.has(Witness::UnreadDataReset));
    assert_eq!(a.state(), State::Closed);
    assert!(drain(&mut a, T0).iter().any(|s| s.has(Ctl::RST)));
    assert_eq!(a.recv_queued(), 0);
}

#[test]
fn the_initial_window_limits_the_first_flight_and_each_ack_grows_it_in_slow_start() {
    // RFC 6928: 10 segments of 1000 octets; RFC 5681 §3.1: cwnd += SMSS per ACK.
    let (mut a, mut b) = pair(extended());
    a.send(T0, &vec![1u8; 100_000]).unwrap();
    let first = drain(&mut a, T0);
    assert_eq!(first.len(), 10, "the initial window");
    assert_eq!(a.congestion().unwrap().cwnd(), 10_000);
    let mut acks = Vec::new();
    for s in &first {
        b.on_segment(MS(10), s);
        acks.extend(drain(&mut b, MS(10)));
    }
    for ack in &acks {
        a.on_segment(MS(20), ack);
    }
    assert_eq!(
        a.congestion().unwrap().cwnd(),
        10_000 + 1000 * acks.len() as u32
    );
    let second = drain(&mut a, MS(20));
    let flight: u32 = second.iter().map(|s| s.data.len() as u32).sum();
    assert_eq!(a.flight(), a.congestion().unwrap().cwnd());
    assert!(flight > 10_000, "slow start: the next flight is larger");
}

#[test]
fn without_the_congestion_window_the_first_flight_is_the_peers_whole_window() {
    let cfg = extended();
    let off = Config {
        mechanisms: cfg.mechanisms.without(Mechanism::CongestionWindow),
        ..cfg
    };
    let (mut a, _) = pair(off);
    a.send(T0, &vec![1u8; 100_000]).unwrap();
    let first = drain(&mut a, T0);
    assert_eq!(first.len(), 66, "all of B's unscaled 65,535 octets");
}

#[test]
fn sack_recovery_resends_only_the_holes_and_never_sacked_text() {
    // Ten segments; the first and the fourth are lost. B's ACKs carry SACK blocks (RFC 2018);
    // A enters recovery (RFC 6675 §5) and resends exactly the two holes.
    let (mut a, mut b) = pair(extended());
    a.send(T0, &vec![9u8; 10_000]).unwrap();
    let segs = drain(&mut a, T0);
    assert_eq!(segs.len(), 10);
    let lost = [segs[0].seq, segs[3].seq];
    let mut resent = Vec::new();
    for s in segs.iter().filter(|s| !lost.contains(&s.seq)) {
        b.on_segment(MS(10), s);
        for ack in drain(&mut b, MS(10)) {
            assert!(
                !ack.opt.sack.is_empty(),
                "an ACK while text is held carries SACK"
            );
            a.on_segment(MS(20), &ack);
            resent.extend(drain(&mut a, MS(20)));
        }
    }
    let holes: Vec<Seq> = resent
        .iter()
        .filter(|s| s.seq.lt(segs[9].seq + 1000))
        .map(|s| s.seq)
        .collect();
    assert_eq!(holes, lost, "the two holes, in order, and nothing SACKed");
    assert!(a.sack_recovery().in_recovery());
    let c = a.congestion().unwrap();
    assert!(
        c.ssthresh() < 10_000,
        "ssthresh lowered on entering recovery"
    );
    for s in &resent {
        b.on_segment(MS(30), s);
    }
    assert_eq!(
        b.read_to_vec(MS(30)).len(),
        10_000 + (resent.len() - 2) * 1000
    );
}

#[test]
fn without_the_scoreboard_the_sender_resends_text_the_receiver_reported_holding() {
    // The ablation `sack-scoreboard`: the first and the fourth of ten segments are lost, B's
    // ACKs SACK the rest, A ignores the blocks. No duplicate ACK counts (none SACKs anything
    // new to A), so the timer resends the first; B's ACK of the first three SACKs the fifth to
    // the tenth, and A resends beyond the fourth what B holds.
    let cfg = extended();
    let (mut a, mut b) = pair(Config {
        mechanisms: cfg.mechanisms.without(Mechanism::SackScoreboard),
        ..cfg
    });
    a.send(T0, &vec![9u8; 10_000]).unwrap();
    let segs = drain(&mut a, T0);
    let lost = [segs[0].seq, segs[3].seq];
    for s in segs.iter().filter(|s| !lost.contains(&s.seq)) {
        b.on_segment(MS(10), s);
        for ack in drain(&mut b, MS(10)) {
            a.on_segment(MS(20), &ack);
            assert!(
                drain(&mut a, MS(20)).is_empty(),
                "no recovery without SACK news"
            );
        }
    }
    assert!(!a.sack_recovery().in_recovery());
    let rto = a.timer(Timer::Retransmit).unwrap();
    a.handle_timeout(rto);
    let first = drain(&mut a, rto);
    assert_eq!(first[0].seq, lost[0]);
    b.on_segment(rto, &first[0]);
    let ack = drain(&mut b, rto).pop().unwrap();
    assert_eq!(ack.ack, lost[1]);
    let sacked = ack.opt.sack.first().unwrap();
    a.on_segment(rto + MS(10), &ack);
    let resent = drain(&mut a, rto + MS(10));
    assert_eq!(resent[0].seq, lost[1], "the hole first");
    assert!(
        resent
            .iter()
            .any(|s| !s.seq.lt(sacked.0) && s.seq.lt(sacked.1)),
        "then text B reported holding: {:?} against {sacked:?}",
        resent.iter().map(|s| s.seq).collect::<Vec<_>>()
    );
}

/// Ten segments from A; the first reaches B after the other nine (`reordered`: then the
/// fast retransmission reaches B as a duplicate) or never (lost, and its fast
/// retransmission fills the gap). Returns A after B's answers, whether A undid the recovery
/// on one of them, and cwnd before the recovery.
fn fast_recovery_then_the_gap_fills(reordered: bool) -> (Connection, bool, u32) {
    let (mut a, mut b) = pair(extended());
    a.send(T0, &vec![7u8; 10_000]).unwrap();
    let segs = drain(&mut a, T0);
    assert_eq!(segs.len(), 10);
    let cwnd_before = a.congestion().unwrap().cwnd();
    let mut resent = Vec::new();
    for s in &segs[1..] {
        b.on_segment(MS(10), s);
        for ack in drain(&mut b, MS(10)) {
            a.on_segment(MS(20), &ack);
            resent.extend(drain(&mut a, MS(20)));
        }
    }
    assert!(a.sack_recovery().in_recovery());
    assert_eq!(resent[0].seq, segs[0].seq, "the fast retransmit");
    assert!(a.congestion().unwrap().cwnd() < cwnd_before);
    // The first copy to reach B fills the gap; then the other one, if any, arrives.
    let copies: Vec<&Segment> = if reordered {
        vec![&segs[0], &resent[0]]
    } else {
        vec![&resent[0]]
    };
    let mut undone = false;
    for (i, copy) in copies.into_iter().enumerate() {
        b.on_segment(MS(25 + i as u64), copy);
        for ack in drain(&mut b, MS(25 + i as u64)) {
            assert_eq!(ack.ack, segs[9].seq + 1000);
            let w = a.on_segment(MS(30 + i as u64), &ack);
            undone |= w.has(Witness::SpuriousRecovery);
            drain(&mut a, MS(30 + i as u64));
        }
    }
    (a, undone, cwnd_before)
}

#[test]
fn a_fast_recovery_the_original_segment_makes_needless_is_undone() {
    // The original arrives after nine later segments; B's ACK of it reaches A 10 ms after
    // the fast retransmit left, sooner than the 20 ms round trip measured, so it answers the
    // original (RFC 8985 §6.2): the recovery was spurious. cwnd returns to what it was, and
    // DupThresh rises to the nine segments that overtook the first, plus one.
    let (a, undone, cwnd_before) = fast_recovery_then_the_gap_fills(true);
    assert!(undone);
    assert!(!a.sack_recovery().in_recovery());
    assert!(a.congestion().unwrap().cwnd() >= cwnd_before);
    assert_eq!(a.sack_recovery().dup_thresh(), 10);
}

#[test]
fn a_fast_recovery_the_retransmission_ends_is_kept() {
    // The original was lost: the ACK comes a round trip after the retransmission, with no
    // D-SACK; nothing is undone.
    let (a, undone, cwnd_before) = fast_recovery_then_the_gap_fills(false);
    assert!(!undone);
    assert!(a.congestion().unwrap().cwnd() < cwnd_before);
    assert_eq!(a.sack_recovery().dup_thresh(), 3);
}

#[test]
fn a_retransmission_timeout_sets_cwnd_to_the_loss_window() {
    let (mut a, _) = pair(extended());
    a.send(T0, &vec![1u8; 5000]).unwrap();
    drain(&mut a, T0);
    let rto = a.timer(Timer::Retransmit).unwrap();
    assert!(a.handle_timeout(rto).has(Witness::RetransmitTimeout));
    let c = a.congestion().unwrap();
    assert_eq!(c.cwnd(), 1000, "RFC 5681 §3.1: LW = 1 SMSS");
    assert_eq!(c.ssthresh(), 3500, "CUBIC: β·FlightSize (RFC 9438 §4.6)");
}

#[test]
fn after_a_timeout_with_sack_the_acks_resend_the_remaining_holes_without_another_timeout() {
    // Ten segments; the first three are lost, the rest SACKed (too few duplicate ACKs with
    // new SACK information arrive before the timer, since B answers the seven at once). The
    // timer resends the first; its ACK lets slow start resend the second and third at once
    // (RFC 6675 §5.1, RFC 5681 §3.1), and nothing SACKed is resent.
    let (mut a, mut b) = pair(extended());
    a.send(T0, &vec![5u8; 10_000]).unwrap();
    let segs = drain(&mut a, T0);
    let mut acks = Vec::new();
    for s in &segs[3..] {
        b.on_segment(MS(10), s);
        acks.extend(drain(&mut b, MS(10)));
    }
    // Only the last ACK reaches A (the others are lost): too little for fast recovery.
    a.on_segment(MS(20), acks.last().unwrap());
    drain(&mut a, MS(20));
    let rto = a.timer(Timer::Retransmit).unwrap();
    a.handle_timeout(rto);
    let first = drain(&mut a, rto);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].seq, segs[0].seq);
    b.on_segment(rto + MS(10), &first[0]);
    let ack = drain(&mut b, rto + MS(10)).pop().unwrap();
    a.on_segment(rto + MS(20), &ack);
    let resent: Vec<Seq> = drain(&mut a, rto + MS(20)).iter().map(|s| s.seq).collect();
    assert_eq!(
        resent,
        [segs[1].seq, segs[2].seq],
        "the other two holes, nothing SACKed"
    );
}

#[test]
fn a_tail_probe_resends_the_most_recently_sent_segment_and_nothing_else() {
    // RFC 8985 §7.3: 250 octets sent as 100 + 100 + 50; the probe resends the last segment,
    // not the one at SND.UNA, and leaves the timer and the RTO as they were.
    let (mut a, _b) = pair(cfg());
    a.send(T0, &[7; 250]).unwrap();
    let sent = drain(&mut a, T0);
    let last = sent.last().unwrap().clone();
    assert_eq!(last.data.len(), 50);
    let timer = a.timer(Timer::Retransmit);
    assert!(a.probe_tail(MS(10), last.seq));
    assert_eq!(drain(&mut a, MS(10)), vec![last.clone()]);
    assert_eq!(a.timer(Timer::Retransmit), timer);
    assert_eq!(a.rto(), MS(1000), "no back-off");
    // Not more than one MSS back from SND.NXT, nor anything already acknowledged.
    assert!(!a.probe_tail(MS(10), sent[0].seq));
    assert!(!a.probe_tail(MS(10), sent[1].seq));
    assert!(!a.probe_tail(MS(10), Seq(sent[0].seq.0.wrapping_sub(1))));
    assert!(drain(&mut a, MS(10)).is_empty());
    // After CLOSE, the FIN is the most recent segment.
    a.close(MS(20)).unwrap();
    let fin = drain(&mut a, MS(20)).pop().unwrap();
    assert!(fin.has(Ctl::FIN));
    assert!(a.probe_tail(MS(30), fin.seq));
    assert_eq!(drain(&mut a, MS(30)), vec![fin]);
}

#[test]
fn nagle_holds_a_runt_while_text_is_unacknowledged_but_not_a_full_segment_or_a_fin() {
    // RFC 9293 §3.7.4 (SHLD-7), MSS 100.
    let cfg = Config {
        nagle: true,
        ..cfg()
    };
    let (mut a, mut b) = pair(cfg);
    a.send(T0, b"first").unwrap();
    let first = drain(&mut a, T0);
    assert_eq!(first.len(), 1, "nothing outstanding: the runt goes");
    a.send(T0, b"second").unwrap();
    assert!(
        drain(&mut a, T0).is_empty(),
        "held while `first` is unacknowledged"
    );
    a.send(T0, &[1; 120]).unwrap();
    let full = drain(&mut a, T0);
    assert_eq!(
        full.iter().map(|s| s.data.len()).collect::<Vec<_>>(),
        [100],
        "a full segment goes, the 26-octet rest waits"
    );
    for s in first.iter().chain(&full) {
        b.on_segment(MS(5), s);
    }
    let acks = drain(&mut b, MS(5));
    for ack in &acks {
        a.on_segment(MS(10), ack);
    }
    let rest = drain(&mut a, MS(10));
    assert_eq!(rest.iter().map(|s| s.data.len()).sum::<usize>(), 26);
    // With text outstanding, CLOSE sends the runt with the FIN.
    a.send(MS(10), b"bye").unwrap();
    assert!(drain(&mut a, MS(10)).is_empty());
    a.close(MS(10)).unwrap();
    let fin = drain(&mut a, MS(10));
    assert_eq!(fin.len(), 1);
    assert!(fin[0].has(Ctl::FIN) && fin[0].data == b"bye");
    // Off (the default), every SEND goes at once.
    let (mut a, _b) = pair(super::tests::cfg());
    a.send(T0, b"first").unwrap();
    a.send(T0, b"second").unwrap();
    assert_eq!(drain(&mut a, T0).len(), 2);
}

#[test]
fn acknowledgments_queued_by_a_burst_never_move_the_right_edge_back() {
    // RFC 9293 §3.8.6 (SHLD-14): a burst delivered before the receiver's output is polled,
    // text left unread; the ACKs then polled offer right edges that never retreat.
    let cfg = Config {
        rcv_wnd: 1000,
        snd_buf: 4000,
        delayed_ack: true,
        ..cfg()
    };
    let (mut a, mut b) = pair(cfg);
    a.send(T0, &[1; 900]).unwrap();
    let burst = drain(&mut a, T0);
    assert!(burst.len() >= 5);
    for s in &burst {
        b.on_segment(MS(1), s);
    }
    let acks = drain(&mut b, MS(1));
    let edges: Vec<u32> = acks
        .iter()
        .map(|s| s.ack.0.wrapping_add(u32::from(s.wnd)))
        .collect();
    assert!(!edges.is_empty());
    assert!(edges.windows(2).all(|w| w[0] <= w[1]), "{edges:?}");
    // Later ACKs too.
    b.expire(MS(50), Timer::DelayedAck);
    let later: Vec<u32> = drain(&mut b, MS(50))
        .iter()
        .map(|s| s.ack.0.wrapping_add(u32::from(s.wnd)))
        .collect();
    let last = *edges.last().unwrap();
    assert!(later.iter().all(|e| *e >= last), "{edges:?} then {later:?}");
}

#[test]
fn acknowledgments_queued_by_a_scaled_burst_read_at_once_never_move_the_right_edge_back() {
    // The same with window scaling and the reader taking each segment as it arrives, 64 KiB
    // bursts delivered before the receiver's output is polled: the edge retreats by no more
    // than the rounding of scaling (RFC 7323 §2.4).
    let cfg = Config {
        delayed_ack: true,
        mss: 1460,
        rcv_wnd: 1 << 20,
        snd_buf: 1 << 20,
        ..Config::default().with_extensions()
    };
    let (mut a, mut b) = (Connection::new(cfg), Connection::new(cfg));
    b.open_passive(T0).unwrap();
    a.open_active(T0, Seq(7)).unwrap();
    let syn = a.poll_transmit(T0).unwrap();
    b.on_listen_segment(T0, &syn, Seq(9));
    let syn_ack = b.poll_transmit(T0).unwrap();
    a.on_segment(T0, &syn_ack);
    while let Some(s) = a.poll_transmit(T0) {
        b.on_segment(T0, &s);
    }
    drain(&mut b, T0);
    let shift = b.tcb().rcv_wscale;
    let mut edges = Vec::new();
    let mut now = MS(1);
    for round in 0..20 {
        a.send(now, &[0; 1 << 16]).unwrap();
        while let Some(s) = a.poll_transmit(now) {
            b.on_segment(now, &s);
            b.discard_received(now);
        }
        for s in drain(&mut b, now) {
            edges.push((round, s.ack.0.wrapping_add(u32::from(s.wnd) << shift)));
            a.on_segment(now, &s);
        }
        now += MS(1);
    }
    assert!(shift > 0 && edges.len() > 100, "{shift} {}", edges.len());
    let slack = (1u32 << shift) - 1;
    for w in edges.windows(2) {
        assert!(w[1].1 + slack >= w[0].1, "{w:?} shift {shift}");
    }
}
