//! A connection's timers as deadlines (RFC 9293 §3.8, §3.10.8): which one runs, and when it
//! is due. Each is set, moved or cleared only here, after every input, from the TCB and the
//! estimator; what firing does is [`Tcb`](crate::tcp::Tcb)'s and
//! [`Connection::expire`](super::Connection::expire)'s.

use serde::Serialize;
use std::time::Duration;

/// One of a connection's timers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize)]
pub enum Timer {
    /// The retransmission timer (RFC 6298 §5; RFC 9293 §3.8.1).
    Retransmit,
    /// The persist timer: a zero-window probe is due (RFC 9293 §3.8.6.1).
    Persist,
    /// The delayed-ACK timer (RFC 9293 §3.8.6.3).
    DelayedAck,
    /// TIME-WAIT's 2·MSL (RFC 9293 §3.6, MUST-13).
    TimeWait,
    /// FIN-WAIT-2 has waited [`Config::fin_wait_2_timeout`](crate::tcp::Config) for the
    /// peer's FIN (a deviation from RFC 9293 §3.6, which sets no limit).
    FinWait2,
    /// A keep-alive probe is due (RFC 9293 §3.8.4).
    KeepAlive,
}

impl Timer {
    /// Every timer, in the order [`Connection::handle_timeout`](super::Connection::handle_timeout)
    /// fires those that are due.
    pub const ALL: [Timer; 6] = [
        Timer::Retransmit,
        Timer::Persist,
        Timer::DelayedAck,
        Timer::TimeWait,
        Timer::FinWait2,
        Timer::KeepAlive,
    ];

    /// The timer's name, as ladders and the JSON output show it.
    pub fn name(self) -> &'static str {
        match self {
            Timer::Retransmit => "retransmission",
            Timer::Persist => "persist",
            Timer::DelayedAck => "delayed-ACK",
            Timer::TimeWait => "TIME-WAIT",
            Timer::FinWait2 => "FIN-WAIT-2",
            Timer::KeepAlive => "keep-alive",
        }
    }
}

/// The deadlines of the armed timers, as instants of the caller's clock.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Timers {
    deadlines: [Option<Duration>; 6],
}

impl Timers {
    /// The deadline of `t`, if it is armed.
    pub fn get(&self, t: Timer) -> Option<Duration> {
        self.deadlines[t as usize]
    }

    pub(super) fn set(&mut self, t: Timer, d: Option<Duration>) {
        self.deadlines[t as usize] = d;
    }

    /// The earliest deadline.
    pub fn earliest(&self) -> Option<Duration> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Whether `t` is armed and due at `now`.
    pub fn due(&self, t: Timer, now: Duration) -> bool {
        self.get(t).is_some_and(|d| d <= now)
    }

    pub(super) fn rebase(&mut self, elapsed: Duration) {
        for d in self.deadlines.iter_mut().flatten() {
            *d = d.saturating_sub(elapsed);
        }
    }
}

/// The retransmission timer after an input (RFC 6298 §5.1–§5.3): stopped when nothing that may
/// be retransmitted is outstanding (§5.2); restarted for RTO when an acknowledgment of new
/// data arrives and data remains (§5.3); started when a segment occupying sequence space is
/// sent and it is not running (§5.1); else left as it is. With `restart_on_ack` off (the
/// `rto-restart` ablation) an acknowledgment of new data stops it instead.
pub(super) fn retransmit_deadline(
    running: Option<Duration>,
    outstanding: bool,
    new_data_acked: bool,
    sent: bool,
    restart_on_ack: bool,
    now: Duration,
    rto: Duration,
) -> Option<Duration> {
    let running = match (outstanding, new_data_acked, restart_on_ack) {
        (false, _, _) => return None,
        (true, true, true) => return Some(now + rto),
        (true, true, false) => None,
        (true, false, _) => running,
    };
    match running {
        None if sent => Some(now + rto),
        r => r,
    }
}

/// The persist timer (RFC 9293 §3.8.6.1): runs while a zero window holds text back and nothing
/// is in flight; a running timer is left alone.
pub(super) fn probe_deadline(
    running: Option<Duration>,
    blocked: bool,
    now: Duration,
    interval: Duration,
) -> Option<Duration> {
    if blocked {
        running.or(Some(now + interval))
    } else {
        None
    }
}

/// The delayed-ACK timer (RFC 9293 §3.8.6.3): runs while an acknowledgment is deferred, from
/// the first deferred segment on, so that no acknowledgment waits longer than `delay`.
pub(super) fn delayed_ack_deadline(
    running: Option<Duration>,
    pending: bool,
    now: Duration,
    delay: Duration,
) -> Option<Duration> {
    pending.then(|| running.unwrap_or(now + delay))
}

/// The FIN-WAIT-2 timer (`Config::fin_wait_2_timeout`; RFC 9293 §3.6 sets none): runs in
/// FIN-WAIT-2 when a timeout is configured (`timeout`), from entering the state and again from
/// each arrival of text (`restart`), so that it measures how long the peer has been silent.
pub(super) fn fin_wait_2_deadline(
    running: Option<Duration>,
    timeout: Option<Duration>,
    restart: bool,
    now: Duration,
) -> Option<Duration> {
    let d = timeout?;
    match running {
        Some(r) if !restart => Some(r),
        _ => Some(now + d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn the_retransmission_timer_runs_exactly_while_something_is_outstanding() {
        let rto = MS(1000);
        let f = |running, outstanding, acked, sent| {
            retransmit_deadline(running, outstanding, acked, sent, true, MS(5), rto)
        };
        assert_eq!(f(None, true, false, true), Some(MS(1005)), "§5.1");
        assert_eq!(
            f(Some(MS(900)), true, false, true),
            Some(MS(900)),
            "§5.1: a running timer is not restarted by more sends"
        );
        assert_eq!(f(Some(MS(900)), true, true, false), Some(MS(1005)), "§5.3");
        assert_eq!(f(Some(MS(900)), false, true, false), None, "§5.2");
        assert_eq!(f(None, true, false, false), None, "started by a send only");
    }

    #[test]
    fn without_the_restart_an_acknowledgment_of_new_data_stops_the_timer() {
        let d = retransmit_deadline(Some(MS(900)), true, true, false, false, MS(5), MS(1000));
        assert_eq!(
            d, None,
            "data outstanding, and no timer: the rto-restart hazard"
        );
        let d = retransmit_deadline(Some(MS(900)), true, true, true, false, MS(5), MS(1000));
        assert_eq!(d, Some(MS(1005)), "a send in the same step starts it again");
    }

    #[test]
    fn the_persist_and_delayed_ack_timers_keep_their_first_deadline() {
        assert_eq!(probe_deadline(None, true, MS(10), MS(1500)), Some(MS(1510)));
        assert_eq!(
            probe_deadline(Some(MS(900)), true, MS(10), MS(1500)),
            Some(MS(900))
        );
        assert_eq!(probe_deadline(Some(MS(900)), false, MS(10), MS(1500)), None);
        assert_eq!(
            delayed_ack_deadline(None, true, MS(10), MS(40)),
            Some(MS(50))
        );
        assert_eq!(
            delayed_ack_deadline(Some(MS(30)), true, MS(10), MS(40)),
            Some(MS(30))
        );
        assert_eq!(
            delayed_ack_deadline(Some(MS(30)), false, MS(10), MS(40)),
            None
        );
    }

    #[test]
    fn the_fin_wait_2_timer_runs_from_the_last_text_heard_in_fin_wait_2() {
        let d = Some(MS(60_000));
        assert_eq!(fin_wait_2_deadline(None, d, true, MS(5)), Some(MS(60_005)));
        assert_eq!(
            fin_wait_2_deadline(Some(MS(100)), d, false, MS(5)),
            Some(MS(100))
        );
        assert_eq!(
            fin_wait_2_deadline(Some(MS(100)), d, true, MS(50)),
            Some(MS(60_050)),
            "text arrived: restarted"
        );
        assert_eq!(fin_wait_2_deadline(Some(MS(100)), None, false, MS(5)), None);
    }

    #[test]
    fn rebasing_moves_every_deadline_and_keeps_past_ones_due() {
        let mut t = Timers::default();
        t.set(Timer::Retransmit, Some(MS(1000)));
        t.set(Timer::TimeWait, Some(MS(5000)));
        t.rebase(MS(3000));
        assert_eq!(t.get(Timer::Retransmit), Some(MS(0)));
        assert_eq!(t.get(Timer::TimeWait), Some(MS(2000)));
        assert!(t.due(Timer::Retransmit, MS(0)));
        assert_eq!(t.earliest(), Some(MS(0)));
    }
}
