//! A circuit breaker per source: after `threshold` failed attempts in a row
//! (5xx, timeouts, broken connections) the source rests for a cool-down,
//! then one probe call decides: success closes the circuit, failure opens
//! it again for twice as long. 429s are not failures here: the limiter
//! handles them.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    /// A probe is in flight after a cool-down.
    probing: bool,
    /// Times opened since the last success (doubles the cool-down).
    opened: u32,
}

/// What the breaker says to a call about to go.
#[derive(Debug, PartialEq)]
pub enum Gate {
    Go,
    /// Open (or a probe is out): ask again after this long.
    Wait(Duration),
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::new(State::default()),
        }
    }

    pub fn gate(&self) -> Gate {
        let now = Instant::now();
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match st.open_until {
            Some(until) if until > now => Gate::Wait(until - now),
            Some(_) if st.probing => Gate::Wait(Duration::from_millis(100)),
            Some(_) => {
                st.probing = true;
                Gate::Go
            }
            None => Gate::Go,
        }
    }

    pub fn success(&self) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *st = State::default();
    }

    pub fn failure(&self) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.failures += 1;
        if st.probing || (st.open_until.is_none() && st.failures >= self.threshold) {
            let factor = 1u32 << st.opened.min(6);
            st.open_until = Some(Instant::now() + self.cooldown * factor);
            st.opened += 1;
            st.probing = false;
            st.failures = 0;
        }
    }

    /// Times the circuit opened since the last success.
    pub fn times_opened(&self) -> u32 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).opened
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_and_probes_after_cooldown() {
        let b = Breaker::new(3, Duration::from_millis(30));
        for _ in 0..3 {
            assert_eq!(b.gate(), Gate::Go);
            b.failure();
        }
        assert!(matches!(b.gate(), Gate::Wait(_)));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.gate(), Gate::Go, "one probe");
        assert!(matches!(b.gate(), Gate::Wait(_)), "only one probe");
        b.failure();
        assert_eq!(b.times_opened(), 2);
        std::thread::sleep(Duration::from_millis(40));
        assert!(matches!(b.gate(), Gate::Wait(_)), "cool-down doubled");
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(b.gate(), Gate::Go);
        b.success();
        assert_eq!(b.gate(), Gate::Go);
        assert_eq!(b.times_opened(), 0);
    }
}
