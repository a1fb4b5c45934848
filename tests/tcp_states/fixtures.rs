//! Per-state fixtures and segment templates for the RFC 9293 §3.10 connection machine.
//!
//! Every fixture reaches its state through the public API only: our `Tcb` and a peer `Tcb`
//! exchange the segments they really emit (handshake, close), and each step is checked, so a
//! fixture that no longer reaches its state fails loudly instead of testing something else.
//!
//! The numbers follow the RFC figures: we choose ISS = 100, the peer ISS = 300. After the
//! handshake SND.NXT = 101 and RCV.NXT = 301. Both sides offer a window of [`WND`] octets, so
//! RCV.NXT + 100 is the first sequence number beyond our window.

use tcpip_spec::tcp::{Config, Ctl, Outputs, Segment, Seq, Signal, State, Tcb};

/// Our initial send sequence number.
pub const ISS: u32 = 100;
/// The peer's initial send sequence number.
pub const PEER_ISS: u32 = 300;
/// The receive window both sides offer (RCV.WND), and the window the templates advertise.
pub const WND: u16 = 100;

/// The configuration of every fixture: the full protocol, a 100-octet window.
pub fn cfg() -> Config {
    Config {
        rcv_wnd: u32::from(WND),
        ..Config::default()
    }
}

/// A connection under test: our TCB, the peer that drove it into its state (in the matching
/// state, with whatever we sent last still undelivered), and the configuration.
pub struct Fx {
    pub cfg: Config,
    pub tcb: Tcb,
    pub peer: Tcb,
}

impl Fx {
    fn new() -> Fx {
        Fx::with(cfg())
    }

    fn with(cfg: Config) -> Fx {
        Fx {
            cfg,
            tcb: Tcb::closed(),
            peer: Tcb::closed(),
        }
    }

    /// A segment arrives at our TCB. A LISTEN that accepts a SYN chooses ISS = 100.
    pub fn arrive(&mut self, seg: Segment) -> Outputs {
        self.tcb.on_segment(&seg, Seq(ISS), &self.cfg)
    }

    /// A segment arrives at the peer, which chooses ISS = 300 when it listens.
    pub fn peer_gets(&mut self, seg: &Segment) -> Outputs {
        self.peer.on_segment(seg, Seq(PEER_ISS), &self.cfg)
    }

    pub fn open_passive(&mut self) -> Outputs {
        self.tcb.open_passive(&self.cfg)
    }

    pub fn open_active(&mut self, iss: u32) -> Outputs {
        self.tcb.open_active(Seq(iss), &self.cfg)
    }

    pub fn send(&mut self, data: &[u8]) -> Outputs {
        self.tcb.send(data, &self.cfg)
    }

    pub fn close(&mut self) -> Outputs {
        self.tcb.close(&self.cfg)
    }

    pub fn abort(&mut self) -> Outputs {
        self.tcb.abort()
    }

    pub fn retransmit_timeout(&mut self) -> Outputs {
        self.tcb.on_retransmit_timeout(&self.cfg)
    }

    pub fn time_wait_timeout(&mut self) -> Outputs {
        self.tcb.on_time_wait_timeout()
    }

    pub fn state(&self) -> State {
        self.tcb.state
    }

    /// Our key variables in one line, e.g.
    /// `ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301`; a deleted TCB (every
    /// variable reset) reads `CLOSED`.
    pub fn vars(&self) -> String {
        vars(&self.tcb)
    }
}

/// See [`Fx::vars`].
pub fn vars(t: &Tcb) -> String {
    if *t == Tcb::closed() {
        return "CLOSED".into();
    }
    format!(
        "{} ISS={} IRS={} SND.UNA={} SND.NXT={} RCV.NXT={}",
        t.state, t.iss, t.irs, t.snd_una, t.snd_nxt, t.rcv_nxt
    )
}

/// The segments of `out` in RFC figure notation.
pub fn segs(out: &Outputs) -> Vec<String> {
    out.segments.iter().map(ToString::to_string).collect()
}

/// Asserts everything a transition produced: the segments (figure notation, in order), the
/// events (in order) and the delivered text.
#[track_caller]
pub fn expect(out: &Outputs, segments: &[&str], events: &[Signal], delivered: &[u8]) {
    assert_eq!(segs(out), segments, "segments sent");
    assert_eq!(out.signals, events, "events");
    assert_eq!(
        String::from_utf8_lossy(&out.delivered),
        String::from_utf8_lossy(delivered),
        "text delivered"
    );
}

/// The single segment of `out`.
#[track_caller]
pub fn only(out: Outputs) -> Segment {
    assert_eq!(out.segments.len(), 1, "expected one segment: {out:?}");
    out.segments.into_iter().next().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Segment templates: what the peer (or an old duplicate, or an attacker) sends us.

fn seg(seq: u32, ack: u32, ctl: Ctl, data: &[u8]) -> Segment {
    Segment {
        seq: Seq(seq),
        ack: Seq(ack),
        ctl,
        wnd: WND,
        mss: None,
        opt: Default::default(),
        data: data.to_vec(),
    }
}

/// `<SEQ=seq><CTL=SYN>`
pub fn syn(seq: u32) -> Segment {
    seg(seq, 0, Ctl::SYN, b"")
}

/// `<SEQ=seq><CTL=SYN><DATA=..>`
pub fn syn_data(seq: u32, data: &[u8]) -> Segment {
    seg(seq, 0, Ctl::SYN, data)
}

/// `<SEQ=seq><ACK=ack><CTL=SYN,ACK>`
pub fn syn_ack(seq: u32, ack: u32) -> Segment {
    seg(seq, ack, Ctl::SYN | Ctl::ACK, b"")
}

/// `<SEQ=seq><ACK=ack><CTL=ACK>`
pub fn ack(seq: u32, ack: u32) -> Segment {
    seg(seq, ack, Ctl::ACK, b"")
}

/// `<SEQ=seq><ACK=ack><CTL=ACK>` advertising window `wnd`.
pub fn ack_wnd(seq: u32, ack: u32, wnd: u16) -> Segment {
    Segment {
        wnd,
        ..seg(seq, ack, Ctl::ACK, b"")
    }
}

/// `<SEQ=seq><CTL=FIN>` without the ACK bit.
pub fn fin(seq: u32) -> Segment {
    seg(seq, 0, Ctl::FIN, b"")
}

/// `<SEQ=seq><ACK=ack><CTL=FIN,ACK>`
pub fn fin_ack(seq: u32, ack: u32) -> Segment {
    seg(seq, ack, Ctl::FIN | Ctl::ACK, b"")
}

/// `<SEQ=seq><ACK=ack><CTL=FIN,ACK><DATA=..>`
pub fn data_fin(seq: u32, ack: u32, data: &[u8]) -> Segment {
    seg(seq, ack, Ctl::FIN | Ctl::ACK, data)
}

/// `<SEQ=seq><CTL=RST>`
pub fn rst(seq: u32) -> Segment {
    seg(seq, 0, Ctl::RST, b"")
}

/// `<SEQ=seq><ACK=ack><CTL=RST,ACK>`
pub fn rst_ack(seq: u32, ack: u32) -> Segment {
    seg(seq, ack, Ctl::RST | Ctl::ACK, b"")
}

/// `<SEQ=seq><ACK=ack><CTL=ACK><DATA=..>`
pub fn data(seq: u32, ack: u32, data: &[u8]) -> Segment {
    seg(seq, ack, Ctl::ACK, data)
}

/// `<SEQ=seq><DATA=..>` without the ACK bit.
pub fn data_no_ack(seq: u32, data: &[u8]) -> Segment {
    seg(seq, 0, Ctl::NONE, data)
}

/// The first sequence number beyond a receive window that begins at `rcv_nxt`.
pub fn beyond_window(rcv_nxt: u32) -> u32 {
    rcv_nxt.wrapping_add(u32::from(WND))
}

/// `<SEQ=RCV.NXT+RCV.WND><CTL=RST>`: a reset just outside the window.
pub fn rst_out_of_window(rcv_nxt: u32) -> Segment {
    rst(beyond_window(rcv_nxt))
}

/// `<SEQ=RCV.NXT+RCV.WND><ACK=ack><CTL=ACK>`: an empty ACK just outside the window.
pub fn ack_out_of_window(rcv_nxt: u32, ack_no: u32) -> Segment {
    ack(beyond_window(rcv_nxt), ack_no)
}

// ---------------------------------------------------------------------------------------------
// The eleven states.

/// CLOSED: no TCB on either side.
pub fn closed() -> Fx {
    Fx::new()
}

/// LISTEN after a passive OPEN (§3.10.1).
pub fn listen() -> Fx {
    let mut fx = Fx::new();
    expect(&fx.open_passive(), &[], &[], b"");
    assert_eq!(
        fx.vars(),
        "LISTEN ISS=0 IRS=0 SND.UNA=0 SND.NXT=0 RCV.NXT=0"
    );
    fx
}

/// SYN-SENT after an active OPEN with ISS = `iss`; the peer listens, our SYN undelivered.
pub fn syn_sent_at(iss: u32) -> Fx {
    syn_sent_and_syn(cfg(), iss).0
}

fn syn_sent_and_syn(cfg: Config, iss: u32) -> (Fx, Segment) {
    let mut fx = Fx::with(cfg);
    fx.peer.open_passive(&fx.cfg);
    let syn = only(fx.open_active(iss));
    assert_eq!(syn.to_string(), format!("<SEQ={iss}><CTL=SYN>"));
    assert_eq!(fx.state(), State::SynSent);
    (fx, syn)
}

/// SYN-SENT with ISS = 100.
pub fn syn_sent() -> Fx {
    syn_sent_at(ISS)
}

/// SYN-RECEIVED from LISTEN: the peer's SYN 300 arrived and our SYN,ACK (ISS = `iss`) is in
/// flight to the peer, which waits in SYN-SENT.
pub fn syn_received_passive_at(iss: u32) -> Fx {
    let mut fx = listen();
    let syn = only(fx.peer.open_active(Seq(PEER_ISS), &fx.cfg));
    let syn_ack = only(fx.tcb.on_segment(&syn, Seq(iss), &fx.cfg));
    assert_eq!(
        syn_ack.to_string(),
        format!("<SEQ={iss}><ACK=301><CTL=SYN,ACK>")
    );
    assert!(fx.tcb.passive);
    assert_eq!(fx.state(), State::SynReceived);
    fx
}

/// SYN-RECEIVED from LISTEN with ISS = 100.
pub fn syn_received_passive() -> Fx {
    syn_received_passive_at(ISS)
}

/// SYN-RECEIVED from SYN-SENT (simultaneous open, RFC 9293 Figure 7): our SYN 100 and the
/// peer's SYN 300 crossed; the peer's arrived first and our SYN,ACK is in flight.
pub fn syn_received_active() -> Fx {
    let mut fx = Fx::new();
    let _our_syn = only(fx.open_active(ISS));
    let peer_syn = only(fx.peer.open_active(Seq(PEER_ISS), &fx.cfg));
    let syn_ack = only(fx.arrive(peer_syn));
    assert_eq!(syn_ack.to_string(), "<SEQ=100><ACK=301><CTL=SYN,ACK>");
    assert!(!fx.tcb.passive);
    assert_eq!(fx.state(), State::SynReceived);
    fx
}

/// ESTABLISHED after our active open with ISS = `iss` against a listening peer with ISS =
/// `peer_iss`, the three segments of Figure 6 all delivered.
pub fn established_at(iss: u32, peer_iss: u32) -> Fx {
    established_with(cfg(), iss, peer_iss)
}

/// ESTABLISHED as [`established_at`], both sides configured with `cfg`.
pub fn established_with(cfg: Config, iss: u32, peer_iss: u32) -> Fx {
    let (mut fx, syn) = syn_sent_and_syn(cfg, iss);
    let syn_ack = only(fx.peer.on_segment(&syn, Seq(peer_iss), &fx.cfg));
    let ack = only(fx.arrive(syn_ack));
    expect(&fx.peer_gets(&ack), &[], &[Signal::Established], b"");
    assert_eq!(
        (fx.state(), fx.peer.state),
        (State::Established, State::Established)
    );
    fx
}

/// ESTABLISHED with ISS = 100 and the peer's ISS = 300: SND.NXT = 101, RCV.NXT = 301.
pub fn established() -> Fx {
    established_at(ISS, PEER_ISS)
}

/// FIN-WAIT-1: we closed from ESTABLISHED; our FIN 101 is in flight, the peer is ESTABLISHED.
pub fn fin_wait_1() -> Fx {
    let mut fx = established();
    let fin = only(fx.close());
    assert_eq!(fin.to_string(), "<SEQ=101><ACK=301><CTL=FIN,ACK>");
    assert_eq!(fx.state(), State::FinWait1);
    fx
}

/// FIN-WAIT-2: the peer acknowledged our FIN and waits in CLOSE-WAIT.
pub fn fin_wait_2() -> Fx {
    let mut fx = established();
    let fin = only(fx.close());
    let ack = only(fx.peer_gets(&fin));
    assert_eq!(ack.to_string(), "<SEQ=301><ACK=102><CTL=ACK>");
    expect(&fx.arrive(ack), &[], &[Signal::OurFinAcked], b"");
    assert_eq!(
        (fx.state(), fx.peer.state),
        (State::FinWait2, State::CloseWait)
    );
    fx
}

/// CLOSE-WAIT: the peer closed first; we acknowledged its FIN 301 and it waits in FIN-WAIT-2.
pub fn close_wait() -> Fx {
    let mut fx = established();
    let fin = only(fx.peer.close(&fx.cfg));
    let ack = only(fx.arrive(fin));
    assert_eq!(ack.to_string(), "<SEQ=101><ACK=302><CTL=ACK>");
    fx.peer_gets(&ack);
    assert_eq!(
        (fx.state(), fx.peer.state),
        (State::CloseWait, State::FinWait2)
    );
    fx
}

/// CLOSING (simultaneous close, Figure 13): both FINs were sent; the peer's FIN 301 arrived
/// before the ACK of ours. Our FIN 101 is still in flight; the peer is in FIN-WAIT-1.
pub fn closing() -> Fx {
    let mut fx = fin_wait_1();
    let peer_fin = only(fx.peer.close(&fx.cfg));
    assert_eq!(peer_fin.to_string(), "<SEQ=301><ACK=101><CTL=FIN,ACK>");
    let ack = only(fx.arrive(peer_fin));
    assert_eq!(ack.to_string(), "<SEQ=102><ACK=302><CTL=ACK>");
    assert_eq!(
        (fx.state(), fx.peer.state),
        (State::Closing, State::FinWait1)
    );
    fx
}

/// LAST-ACK: we closed from CLOSE-WAIT; our FIN 101 is in flight to the peer in FIN-WAIT-2.
pub fn last_ack() -> Fx {
    let mut fx = close_wait();
    let fin = only(fx.close());
    assert_eq!(fin.to_string(), "<SEQ=101><ACK=302><CTL=FIN,ACK>");
    assert_eq!(fx.state(), State::LastAck);
    fx
}

/// TIME-WAIT from FIN-WAIT-2: the peer's FIN 301 arrived and our ACK of it is in flight to
/// the peer, which waits in LAST-ACK.
pub fn time_wait() -> Fx {
    let mut fx = fin_wait_2();
    let fin = only(fx.peer.close(&fx.cfg));
    assert_eq!(fin.to_string(), "<SEQ=301><ACK=102><CTL=FIN,ACK>");
    let out = fx.arrive(fin);
    expect(
        &out,
        &["<SEQ=102><ACK=302><CTL=ACK>"],
        &[Signal::PeerClosed, Signal::TimeWaitStarted],
        b"",
    );
    assert_eq!(
        (fx.state(), fx.peer.state),
        (State::TimeWait, State::LastAck)
    );
    fx
}

/// A fixture: builds a connection in one state.
pub type Fixture = fn() -> Fx;

/// Every state, for the state x event table. SYN-RECEIVED appears twice: how it treats a RST
/// and a SYN depends on whether it came from LISTEN or SYN-SENT (MUST-11).
pub fn all_states() -> Vec<(&'static str, Fixture)> {
    vec![
        ("CLOSED", closed),
        ("LISTEN", listen),
        ("SYN-SENT", syn_sent),
        ("SYN-RECEIVED(passive)", syn_received_passive),
        ("SYN-RECEIVED(active)", syn_received_active),
        ("ESTABLISHED", established),
        ("FIN-WAIT-1", fin_wait_1),
        ("FIN-WAIT-2", fin_wait_2),
        ("CLOSE-WAIT", close_wait),
        ("CLOSING", closing),
        ("LAST-ACK", last_ack),
        ("TIME-WAIT", time_wait),
    ]
}

// The fixtures themselves: each reaches its state with the variables of the RFC figures.
#[test]
fn fixtures_reach_their_states_with_figure_numbers() {
    let expected = [
        "CLOSED",
        "LISTEN ISS=0 IRS=0 SND.UNA=0 SND.NXT=0 RCV.NXT=0",
        "SYN-SENT ISS=100 IRS=0 SND.UNA=100 SND.NXT=101 RCV.NXT=0",
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301",
        "SYN-RECEIVED ISS=100 IRS=300 SND.UNA=100 SND.NXT=101 RCV.NXT=301",
        "ESTABLISHED ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=301",
        "FIN-WAIT-1 ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=301",
        "FIN-WAIT-2 ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=301",
        "CLOSE-WAIT ISS=100 IRS=300 SND.UNA=101 SND.NXT=101 RCV.NXT=302",
        "CLOSING ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302",
        "LAST-ACK ISS=100 IRS=300 SND.UNA=101 SND.NXT=102 RCV.NXT=302",
        "TIME-WAIT ISS=100 IRS=300 SND.UNA=102 SND.NXT=102 RCV.NXT=302",
    ];
    let got: Vec<String> = all_states().iter().map(|(_, f)| f().vars()).collect();
    assert_eq!(got, expected);
}
