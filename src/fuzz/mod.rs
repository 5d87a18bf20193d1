//! Fuzz tests: the upload readers (CSV, XLSX, JSON, through the unit and household checks), the
//! layout and ID-number parsers and the listing search, fed random and mutated input. Each must
//! return a value or its typed error, never panic, and answer within `CASE_LIMIT`.
//!
//! In the normal suite every target runs `FUZZ_CASES` (64) cases. `.ci/run` sets `FUZZ_SECS`
//! to run each for that long instead. A failure is shrunk to a small input and reported with
//! the seed that finds it again (`FUZZ_SEED=… cargo nextest run --lib fuzz::`); a crash found
//! this way is fixed and its input kept as a test of its own.

mod parsers;
mod uploads;

use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};

/// The longest one case may take in a debug build on a busy machine; slower is a failure, so
/// an input that makes a reader crawl is found like one that makes it panic.
const CASE_LIMIT: Duration = Duration::from_secs(3);
/// Cases per seed; a timed run goes through seeds until its time is up.
const BATCH: u32 = 64;

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number")),
    )
}

/// Runs `property` on values of `strategy`: `FUZZ_CASES` cases, or for `FUZZ_SECS` seconds.
pub(crate) fn fuzz<S>(strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let seconds = env_number("FUZZ_SECS");
    let cases = env_number("FUZZ_CASES").map_or(BATCH, |n| n.clamp(1, u64::from(u32::MAX)) as u32);
    let first_seed = env_number("FUZZ_SEED").unwrap_or_else(rand::random);
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let timed = |value: S::Value| {
        let started = Instant::now();
        property(value)?;
        match started.elapsed() {
            took if took > CASE_LIMIT => Err(TestCaseError::fail(format!("took {took:?}"))),
            _ => Ok(()),
        }
    };
    let mut total = 0u64;
    for batch in 0u64.. {
        let seed = first_seed.wrapping_add(batch);
        let config = Config {
            cases: if deadline.is_some() { BATCH } else { cases },
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(seed),
            max_shrink_time: 30_000,
            ..Config::default()
        };
        let result = TestRunner::new(config.clone()).run(&strategy, timed);
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, input)) => {
                panic!("{reason}\nminimal input: {input:#?}\nfound again with FUZZ_SEED={seed}")
            }
            Err(TestError::Abort(reason)) => panic!("fuzzing stopped: {reason}"),
        }
        total += u64::from(config.cases);
        if deadline.is_none_or(|d| Instant::now() >= d) {
            break;
        }
    }
    eprintln!("{total} cases, first seed {first_seed}");
}
