//! The per-voucher PIN lock-out, as pure decisions: `max_failures` wrong PINs lock a voucher for
//! the policy's lock-out time, each further lock-out of the same voucher doubles the last (up to a
//! cap, 24 h by default), and however the lock-outs fall, at most `daily_max` wrong PINs count
//! within 24 hours of the first. A right PIN ends the escalation, not the 24-hour count.

const DAY_MS: i64 = 24 * 3_600_000;

/// A voucher's PIN attempts as stored with its household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinState {
    /// attempts counted since the last lock-out ended or the last right PIN
    pub failures: i32,
    pub locked_until_ms: Option<i64>,
    /// lock-outs since the last right PIN: the next one lasts `base × 2^lockouts`
    pub lockouts: i32,
    /// start of the 24 hours the daily count belongs to
    pub day_start_ms: Option<i64>,
    pub day_failures: i32,
}

/// The lock-out rule in force: the policy's counts and base time, the service's cap and day limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutRule {
    pub max_failures: i64,
    pub base_ms: i64,
    pub cap_ms: i64,
    pub daily_max: i64,
}

impl LockoutRule {
    /// How long the lock-out after `lockouts` earlier ones lasts.
    pub fn lockout_ms(&self, lockouts: i32) -> i64 {
        let doubling = 1i64 << lockouts.clamp(0, 30);
        self.base_ms.saturating_mul(doubling).min(self.cap_ms)
    }
}

/// Starts an attempt: `Err(until)` when the voucher may not try now (`until` may be `now` when
/// attempts already in flight used up the guesses), else the state with this attempt counted as a
/// failure until a right PIN takes it back.
pub fn begin_attempt(mut s: PinState, rule: &LockoutRule, now_ms: i64) -> Result<PinState, i64> {
    match s.locked_until_ms {
        Some(until) if until > now_ms => return Err(until),
        Some(_) => {
            s.failures = 0;
            s.locked_until_ms = None;
        }
        None => {}
    }
    if s.day_start_ms.is_some_and(|start| now_ms - start >= DAY_MS) {
        s.day_start_ms = None;
        s.day_failures = 0;
    }
    if let Some(start) = s.day_start_ms {
        if i64::from(s.day_failures) >= rule.daily_max {
            return Err(start + DAY_MS);
        }
    }
    if i64::from(s.failures) >= rule.max_failures {
        return Err(now_ms);
    }
    s.failures += 1;
    s.day_failures += 1;
    s.day_start_ms.get_or_insert(now_ms);
    Ok(s)
}

/// A wrong PIN (its attempt already counted): the state, and the lock's end when it locks now.
pub fn wrong_pin(mut s: PinState, rule: &LockoutRule, now_ms: i64) -> (PinState, Option<i64>) {
    if s.locked_until_ms.is_some_and(|u| u > now_ms) {
        return (s, None);
    }
    let mut until = None;
    if i64::from(s.failures) >= rule.max_failures {
        until = Some(now_ms + rule.lockout_ms(s.lockouts));
    }
    if let Some(start) = s.day_start_ms {
        if i64::from(s.day_failures) >= rule.daily_max {
            until = Some(until.unwrap_or(0).max(start + DAY_MS));
        }
    }
    if let Some(u) = until {
        s.locked_until_ms = Some(u);
        s.lockouts = s.lockouts.saturating_add(1);
    }
    (s, until)
}

/// A right PIN: the attempt was no failure, the escalation ends; the 24-hour count stays.
pub fn right_pin(mut s: PinState) -> PinState {
    s.failures = 0;
    s.locked_until_ms = None;
    s.lockouts = 0;
    s.day_failures = (s.day_failures - 1).max(0);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const RULE: LockoutRule = LockoutRule {
        max_failures: 5,
        base_ms: 15 * MIN,
        cap_ms: DAY_MS,
        daily_max: 10,
    };

    /// `n` wrong PINs from `s` at `now`; the lock's end if one was set.
    fn guesses(s: PinState, n: usize, now: i64) -> (PinState, Option<i64>) {
        guesses_under(&RULE, s, n, now)
    }

    fn guesses_under(
        rule: &LockoutRule,
        mut s: PinState,
        n: usize,
        now: i64,
    ) -> (PinState, Option<i64>) {
        let mut locked = None;
        for _ in 0..n {
            s = begin_attempt(s, rule, now).expect("may try");
            let (next, until) = wrong_pin(s, rule, now);
            s = next;
            locked = locked.or(until);
        }
        (s, locked)
    }

    #[test]
    fn lockouts_double_and_the_day_allows_ten_wrong_pins() {
        let (s, until) = guesses(PinState::default(), 5, 0);
        assert_eq!(until, Some(15 * MIN));
        assert_eq!(begin_attempt(s, &RULE, 15 * MIN - 1), Err(15 * MIN));
        // the second lock-out lasts twice as long, and it is also the day's tenth wrong PIN
        let (s, until) = guesses(s, 5, 15 * MIN);
        assert_eq!(until, Some(DAY_MS));
        // after the day the count starts afresh, and the escalation continues
        let (_, until) = guesses(s, 5, DAY_MS);
        assert_eq!(until, Some(DAY_MS + 60 * MIN));
    }

    #[test]
    fn escalation_is_capped_and_a_right_pin_ends_it() {
        assert_eq!(RULE.lockout_ms(0), 15 * MIN);
        assert_eq!(RULE.lockout_ms(3), 120 * MIN);
        assert_eq!(RULE.lockout_ms(7), DAY_MS);
        assert_eq!(RULE.lockout_ms(500), DAY_MS);
        let rule = LockoutRule {
            daily_max: 100,
            ..RULE
        };
        let (s, _) = guesses_under(&rule, PinState::default(), 5, 0);
        let (s, _) = guesses_under(&rule, s, 5, 15 * MIN);
        assert_eq!(s.lockouts, 2);
        let s = begin_attempt(s, &rule, 50 * MIN).unwrap();
        let s = right_pin(s);
        assert_eq!((s.failures, s.lockouts, s.day_failures), (0, 0, 10));
        // the next lock-out is the base again
        let (_, until) = guesses_under(&rule, s, 5, 60 * MIN);
        assert_eq!(until, Some(75 * MIN));
    }

    #[test]
    fn attempts_in_flight_cannot_pass_the_count() {
        let mut s = PinState::default();
        for _ in 0..5 {
            s = begin_attempt(s, &RULE, 0).unwrap();
        }
        assert_eq!(begin_attempt(s, &RULE, 0), Err(0));
    }
}
