//! Pins the spec's ticket arithmetic: its worked example, tier and rounding edges, and a ledger
//! model whose invariants hold over random uses and cancellations.

use super::*;
use proptest::prelude::*;

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn z(n: i64) -> Zone {
    Zone::new(n).unwrap()
}

const ISSUED: &str = "2026-01-10T00:00:00Z";

/// [debit, bonus, top-up, rate, balance after]: a quote on one line
fn parts(q: TicketQuote) -> [i64; 5] {
    let TicketQuote {
        debit_yuan,
        bonus_yuan,
        top_up_yuan,
        bonus_pct,
        balance_after_yuan,
    } = q;
    [
        debit_yuan,
        bonus_yuan,
        top_up_yuan,
        bonus_pct,
        balance_after_yuan,
    ]
}

#[test]
fn the_specs_worked_example() {
    let p = TicketPolicy::default();
    let issued = ms(ISSUED);
    let first_at = ms("2026-03-01T00:00:00Z");
    assert_eq!(elapsed_days(issued, first_at), Some(50));
    assert_eq!(p.bonus_pct(50, z(2)), 22);
    assert_eq!(1_000_000 + pct_of(1_000_000, 22), 1_220_000, "power");
    let first = p.quote_at(issued, 1_000_000, first_at, z(2), 900_000);
    assert_eq!(first.map(parts), Ok([737_705, 162_295, 0, 22, 262_295]));
    assert_eq!(
        737_704 + pct_of(737_704, 22),
        899_999,
        "one yuan less falls short"
    );

    let second_at = ms("2026-08-10T00:00:00Z");
    assert_eq!(elapsed_days(issued, second_at), Some(212));
    let second = p.quote_at(issued, 262_295, second_at, z(1), 400_000);
    assert_eq!(second.map(parts), Ok([262_295, 31_475, 106_230, 12, 0]));
    let refused = p.quote_at(issued, 0, second_at + DAY_MS, z(1), 1);
    assert_eq!(refused, Err(SpendRefusal::Exhausted));
}

#[test]
fn the_specs_expiry_example() {
    let p = TicketPolicy::default();
    let issued = ms(ISSUED);
    let until = p.valid_until_ms(issued);
    assert_eq!(until, ms("2027-07-04T00:00:00Z"));
    assert_eq!(valid_until_ms(issued, 540), until);
    assert_eq!(elapsed_days(issued, until - 1), Some(539), "the last day");
    assert!(p.quote_at(issued, 50_000, until - 1, z(1), 10_000).is_ok());
    assert_eq!(
        p.quote_at(issued, 50_000, until, z(1), 10_000),
        Err(SpendRefusal::Expired)
    );
    assert_eq!(
        p.quote_at(issued, 0, until, z(1), 10_000),
        Err(SpendRefusal::Expired),
        "expired is checked before exhausted"
    );
    assert_eq!(
        p.quote_at(issued, 50_000, issued - 1, z(1), 10_000),
        Err(SpendRefusal::NotYetIssued)
    );
    assert_eq!(elapsed_days(issued, issued - 1), None);
}

#[test]
fn speed_tiers_apply_up_to_and_including_their_last_day() {
    let p = TicketPolicy::default();
    let issued = ms(ISSUED);
    for (day, pct) in [(0, 20), (90, 20), (91, 16), (180, 16), (181, 12), (539, 12)] {
        assert_eq!(p.tier_pct(day), pct, "day {day}");
        // the last millisecond of the day still counts as that day
        let at = issued + day * DAY_MS + DAY_MS - 1;
        let q = p.quote_at(issued, 1_000, at, z(3), 100).unwrap();
        assert_eq!(q.bonus_pct, pct + 4, "day {day}, zone 3");
    }
    assert_eq!(p.tier_pct(540), 12);
    assert_eq!(
        p.quote_at(issued, 1_000, issued + 540 * DAY_MS, z(1), 100),
        Err(SpendRefusal::Expired)
    );
}

#[test]
fn after_the_last_tier_the_speed_bonus_is_zero() {
    let p = TicketPolicy {
        validity_days: 100,
        speed_tiers: vec![SpeedTier {
            within_days: 30,
            bonus_pct: 10,
        }],
        ..TicketPolicy::default()
    };
    let issued = ms(ISSUED);
    assert_eq!(p.tier_pct(30), 10);
    assert_eq!(p.tier_pct(31), 0);
    let q = p
        .quote_at(issued, 1_000, issued + 31 * DAY_MS, z(2), 500)
        .unwrap();
    assert_eq!((q.bonus_pct, q.debit_yuan, q.bonus_yuan), (2, 490, 10));
    let none = TicketPolicy {
        speed_tiers: vec![],
        ..TicketPolicy::default()
    };
    assert_eq!(none.bonus_pct(0, z(1)), 0);
}

#[test]
fn a_price_equal_to_the_power_takes_the_whole_balance() {
    let (b, r) = (262_295, 12);
    let power = b + pct_of(b, r);
    assert_eq!(power, 293_770);
    assert_eq!(parts(quote(b, power, r)), [b, 31_475, 0, r, 0]);
    assert_eq!(parts(quote(b, power + 1, r)), [b, 31_475, 1, r, 0]);
}

#[test]
fn no_rate_and_no_price_edges() {
    assert_eq!(parts(quote(1_000, 700, 0)), [700, 0, 0, 0, 300]);
    assert_eq!(parts(quote(1_000, 1_000, 0)), [1_000, 0, 0, 0, 0]);
    assert_eq!(parts(quote(1_000, 0, 20)), [0, 0, 0, 20, 1_000]);
}

#[test]
fn rounding_is_half_up_at_exact_halves() {
    assert_eq!(pct_of(5, 10), 1, "0.5 → 1");
    assert_eq!(pct_of(15, 10), 2, "1.5 → 2");
    assert_eq!(pct_of(14, 10), 1, "1.4 → 1");
    assert_eq!(pct_of(25, 2), 1, "0.5 → 1");
    assert_eq!(pct_of(75, 2), 2, "1.5 → 2");
    // 15 + round(1.5) = 17 reaches T = 17; half-down would need d = 16
    assert_eq!(parts(quote(100, 17, 10)), [15, 2, 0, 10, 85]);
    // 14 + round(1.4) = 15 < 16, so 16 also needs d = 15 and the bonus is what is left
    assert_eq!(parts(quote(100, 16, 10)), [15, 1, 0, 10, 85]);
}

/// The next drop seen `hours` into the ticket's life, as (whole days after the issue, from, to).
fn drop_after(p: &TicketPolicy, hours: i64) -> Option<(i64, i64, i64)> {
    let issued = ms(ISSUED);
    let d = p.next_drop(issued, issued + hours * 3_600_000)?;
    assert_eq!(
        (d.at_ms - issued) % DAY_MS,
        0,
        "drops come at the start of a day"
    );
    Some(((d.at_ms - issued) / DAY_MS, d.from_pct, d.to_pct))
}

#[test]
fn the_next_drop_with_the_defaults() {
    let p = TicketPolicy::default();
    assert_eq!(drop_after(&p, 50 * 24 + 1), Some((91, 20, 16)));
    assert_eq!(drop_after(&p, 100 * 24 + 1), Some((181, 16, 12)));
    assert_eq!(
        drop_after(&p, 200 * 24),
        None,
        "the last tier ends at expiry"
    );
    assert_eq!(drop_after(&p, -1), None, "not yet issued");
}

#[test]
fn the_next_drop_to_zero_and_over_equal_tiers() {
    let tier = |within_days, bonus_pct| SpeedTier {
        within_days,
        bonus_pct,
    };
    let p = TicketPolicy {
        validity_days: 100,
        speed_tiers: vec![tier(10, 8), tier(20, 8), tier(30, 5)],
        ..TicketPolicy::default()
    };
    assert_eq!(
        drop_after(&p, 0),
        Some((21, 8, 5)),
        "day 11 changes nothing"
    );
    assert_eq!(drop_after(&p, 25 * 24), Some((31, 5, 0)));
    assert_eq!(drop_after(&p, 31 * 24), None, "already at 0");
    // a tier that would end on the day of expiry: the ticket expires first
    let p = TicketPolicy {
        validity_days: 31,
        ..p
    };
    assert_eq!(drop_after(&p, 25 * 24), None);
}

proptest! {
    #[test]
    fn the_debit_is_the_smallest_that_reaches_the_price(
        b in 1i64..=5_000_000,
        t in 0i64..=8_000_000,
        r in 0i64..=200,
    ) {
        let q = quote(b, t, r);
        let d = q.debit_yuan;
        prop_assert!((0..=b).contains(&d));
        prop_assert_eq!(q.debit_yuan + q.bonus_yuan + q.top_up_yuan, t);
        prop_assert_eq!(q.balance_after_yuan, b - d);
        prop_assert!(q.bonus_yuan >= 0 && q.top_up_yuan >= 0);
        prop_assert!(q.bonus_yuan <= pct_of(d, r), "the city never adds more than the rate");
        if q.top_up_yuan == 0 {
            prop_assert!(d + pct_of(d, r) >= t);
            prop_assert!(d == 0 || d - 1 + pct_of(d - 1, r) < t);
        } else {
            prop_assert_eq!(d, b);
            prop_assert!(b + pct_of(b, r) < t);
        }
    }

    #[test]
    fn the_debit_matches_a_linear_scan(b in 1i64..=3_000, t in 0i64..=5_000, r in 0i64..=200) {
        let scanned = (0..=b).find(|d| d + pct_of(*d, r) >= t).unwrap_or(b);
        prop_assert_eq!(quote(b, t, r).debit_yuan, scanned);
    }
}

/// A ticket in memory, as the ledger of the spec's "Entities" keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Issue,
    Debit,
    Bonus,
    Refund,
    CashOut,
    Void,
}

struct Use {
    debit: i64,
    active: bool,
}

struct Ticket {
    face: i64,
    issued_at_ms: i64,
    balance: i64,
    entries: Vec<(Kind, i64)>,
    uses: Vec<Use>,
}

impl Ticket {
    fn issue(face: i64, issued_at_ms: i64) -> Ticket {
        Ticket {
            face,
            issued_at_ms,
            balance: face,
            entries: vec![(Kind::Issue, face)],
            uses: Vec::new(),
        }
    }

    fn sum(&self, kind: Kind) -> i64 {
        self.entries
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, a)| a)
            .sum()
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let ledger = self.sum(Kind::Issue) - self.sum(Kind::Debit) + self.sum(Kind::Refund)
            - self.sum(Kind::CashOut)
            - self.sum(Kind::Void);
        prop_assert_eq!(ledger, self.balance);
        let active: i64 = self.uses.iter().filter(|u| u.active).map(|u| u.debit).sum();
        prop_assert_eq!(
            self.face,
            self.balance + active + self.sum(Kind::CashOut) + self.sum(Kind::Void)
        );
        prop_assert!(self.balance >= 0);
        prop_assert!(self.entries.iter().all(|(_, a)| *a >= 0));
        Ok(())
    }

    fn spend(
        &mut self,
        p: &TicketPolicy,
        at: i64,
        zone: Zone,
        price: i64,
    ) -> Result<(), TestCaseError> {
        match p.quote_at(self.issued_at_ms, self.balance, at, zone, price) {
            Ok(q) => {
                prop_assert!(
                    q.debit_yuan <= self.balance,
                    "a debit never exceeds the balance"
                );
                prop_assert_eq!(q.debit_yuan + q.bonus_yuan + q.top_up_yuan, price);
                prop_assert_eq!(q.balance_after_yuan, self.balance - q.debit_yuan);
                self.entries.push((Kind::Debit, q.debit_yuan));
                self.entries.push((Kind::Bonus, q.bonus_yuan));
                self.balance = q.balance_after_yuan;
                self.uses.push(Use {
                    debit: q.debit_yuan,
                    active: true,
                });
            }
            Err(SpendRefusal::Expired) => prop_assert!(at >= p.valid_until_ms(self.issued_at_ms)),
            Err(SpendRefusal::Exhausted) => prop_assert_eq!(self.balance, 0),
            Err(SpendRefusal::NotYetIssued) => prop_assert!(false, "spent before its issue"),
        }
        Ok(())
    }

    /// Cancels the `pick`-th active use, if any: its debit comes back, its bonus is void.
    fn cancel(&mut self, pick: prop::sample::Index) {
        let active: Vec<usize> = (0..self.uses.len())
            .filter(|i| self.uses[*i].active)
            .collect();
        if active.is_empty() {
            return;
        }
        let used = &mut self.uses[active[pick.index(active.len())]];
        used.active = false;
        self.entries.push((Kind::Refund, used.debit));
        self.balance += used.debit;
    }

    fn close(&mut self, kind: Kind) {
        self.entries.push((kind, self.balance));
        self.balance = 0;
    }
}

#[derive(Debug, Clone)]
enum Step {
    Spend {
        price: i64,
        zone: i64,
        days_later: i64,
    },
    Cancel(prop::sample::Index),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0i64..=3_000_000, 1i64..=3, 0i64..=90)
            .prop_map(|(price, zone, days_later)| Step::Spend { price, zone, days_later }),
        1 => any::<prop::sample::Index>().prop_map(Step::Cancel),
    ]
}

proptest! {
    #[test]
    fn the_ledger_always_adds_up_to_the_face_value(
        face in 1i64..=5_000_000,
        steps in prop::collection::vec(step(), 0..12),
        ending in 0u8..3,
    ) {
        let p = TicketPolicy::default();
        let issued = ms(ISSUED);
        let mut ticket = Ticket::issue(face, issued);
        ticket.check()?;
        let mut at = issued;
        for s in steps {
            match s {
                Step::Spend { price, zone, days_later } => {
                    at += days_later * DAY_MS + 1_000;
                    ticket.spend(&p, at, z(zone), price)?;
                }
                Step::Cancel(pick) => ticket.cancel(pick),
            }
            ticket.check()?;
        }
        let until = p.valid_until_ms(issued);
        match ending {
            // expiry, then what is left is paid out in cash
            1 => {
                prop_assert_eq!(p.quote_at(issued, ticket.balance.max(1), until, z(1), 1),
                    Err(SpendRefusal::Expired));
                ticket.close(Kind::CashOut);
            }
            // void only before any use
            2 if ticket.uses.is_empty() => ticket.close(Kind::Void),
            _ => {}
        }
        ticket.check()?;
    }
}
