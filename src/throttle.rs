//! Per-address throttle of failed kiosk log-ins: more than `max_failures` failures from one
//! address within `window_ms` refuse further attempts from it until the window slides on. Kept in
//! memory per instance (a restart forgets it; the per-voucher lock-out lives in the database).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: usize,
    window_ms: i64,
    failures: Mutex<HashMap<IpAddr, VecDeque<i64>>>,
}

impl LoginThrottle {
    pub fn new(max_failures: usize, window_ms: i64) -> Self {
        LoginThrottle {
            max_failures,
            window_ms,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, VecDeque<i64>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some(ms to wait)` when `addr` may not try now.
    pub fn check(&self, addr: IpAddr, now_ms: i64) -> Option<i64> {
        let mut map = self.lock();
        let times = map.get_mut(&addr)?;
        while times.front().is_some_and(|t| *t <= now_ms - self.window_ms) {
            times.pop_front();
        }
        if times.is_empty() {
            map.remove(&addr);
            return None;
        }
        (times.len() >= self.max_failures).then(|| times[0] + self.window_ms - now_ms)
    }

    pub fn record_failure(&self, addr: IpAddr, now_ms: i64) {
        let mut map = self.lock();
        if map.len() > 100_000 {
            // bounded memory under a spray of addresses: forget windows that have passed
            map.retain(|_, t| t.back().is_some_and(|last| *last > now_ms - self.window_ms));
        }
        let times = map.entry(addr).or_default();
        times.push_back(now_ms);
        while times.len() > self.max_failures {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_failures_from_one_address_wait_for_the_window() {
        let t = LoginThrottle::new(3, 60_000);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for i in 0..3 {
            assert_eq!(t.check(a, 1_000 + i), None);
            t.record_failure(a, 1_000 + i);
        }
        assert_eq!(t.check(a, 2_000), Some(59_000));
        assert_eq!(t.check(b, 2_000), None, "other addresses are not affected");
        assert_eq!(
            t.check(a, 61_000),
            None,
            "the oldest failure left the window"
        );
    }
}
