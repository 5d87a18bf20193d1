//! The selection rules as pure decisions over facts the database layer loaded: may this
//! household hold now (voucher, round, turn, entitlement, hold limit), until when, may it confirm,
//! release, and may an official cancel or a developer contract. Each returns a typed refusal;
//! `db::selection` writes conditionally afterwards and constraints back the rules up.

use super::entitlement::Quote;
use super::refusal::{Refusal, RefusalKind};
use super::selection::{hold_expired, voucher_valid_until_ms, ReservationStatus, RoundStatus};

/// One round a household is a member of: its state, how far it has called, and the household's
/// place in it (`None` until the order is drawn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub round_id: i64,
    pub status: RoundStatus,
    pub called_up_to: i32,
    pub position: Option<i32>,
}

/// What decides whether a household may start a hold, before the unit is looked at.
#[derive(Debug, Clone, Copy)]
pub struct TurnFacts<'a> {
    pub now_ms: i64,
    pub signed_at_ms: i64,
    pub voucher_validity_days: i64,
    pub remaining_origin_centi: i64,
    pub memberships: &'a [Membership],
}

/// The round in which the household may hold now, or why it may not: an expired voucher, no open
/// round, not yet called, or nothing left to consume.
pub fn decide_turn(f: &TurnFacts<'_>) -> Result<i64, Refusal> {
    if f.now_ms > voucher_valid_until_ms(f.signed_at_ms, f.voucher_validity_days) {
        return Err(Refusal::new(
            RefusalKind::VoucherExpired,
            "the voucher has expired: no new holds; ask the hall staff",
        ));
    }
    let round = round_turn(f.memberships)?;
    if f.remaining_origin_centi == 0 {
        return Err(Refusal::new(
            RefusalKind::EntitlementExhausted,
            "the household's entitlement is used up",
        ));
    }
    Ok(round)
}

/// The open round in which a member has been called, or why not: no open round, not yet called.
/// Shared by area households and ticket holders who are members of a round.
pub fn round_turn(memberships: &[Membership]) -> Result<i64, Refusal> {
    let mut open = memberships
        .iter()
        .filter(|m| m.status == RoundStatus::Open)
        .peekable();
    if open.peek().is_none() {
        return Err(Refusal::new(
            RefusalKind::RoundNotOpen,
            "no selection round of this household is open now",
        ));
    }
    let Some(round) = open.find(|m| m.position.is_some_and(|p| p <= m.called_up_to)) else {
        return Err(Refusal::new(
            RefusalKind::NotYourTurn,
            "it is not this household's turn yet; please wait to be called",
        ));
    };
    Ok(round.round_id)
}

/// A household may hold `max_active_holds` units at once.
pub fn check_hold_limit(live_holds: i64, max_active_holds: i64) -> Result<(), Refusal> {
    if live_holds >= max_active_holds {
        return Err(Refusal::new(
            RefusalKind::HoldLimitReached,
            format!(
                "a household may hold {max_active_holds} unit(s) at once; confirm or release the hold first"
            ),
        ));
    }
    Ok(())
}

/// The refusal when the unit is not listed, not available, or taken in the same instant.
pub fn unit_not_available() -> Refusal {
    Refusal::new(RefusalKind::UnitNotAvailable, "this unit is not available")
}

/// When a hold placed at `now_ms` runs out.
pub fn hold_expires_at_ms(now_ms: i64, hold_minutes: i64) -> i64 {
    now_ms + hold_minutes * 60_000
}

/// A hold may be confirmed while it is live.
pub fn decide_confirm(
    status: ReservationStatus,
    expires_at_ms: i64,
    now_ms: i64,
) -> Result<(), Refusal> {
    match status {
        ReservationStatus::Held if !hold_expired(expires_at_ms, now_ms) => Ok(()),
        ReservationStatus::Held | ReservationStatus::Expired => Err(Refusal::new(
            RefusalKind::HoldExpired,
            "the hold has expired; the unit may be taken by another household",
        )),
        other => Err(Refusal::new(
            RefusalKind::InvalidTransition,
            format!("the reservation is {}, not a live hold", other.as_str()),
        )),
    }
}

/// A confirmation must consume some of the remaining origin area.
pub fn check_consumes(q: &Quote) -> Result<(), Refusal> {
    if q.origin_consumed_centi == 0 {
        return Err(Refusal::new(
            RefusalKind::EntitlementExhausted,
            "the household's entitlement is used up",
        ));
    }
    Ok(())
}

/// How a released hold ends: `released`, or `expired` when it had already run out.
pub fn decide_release(
    status: ReservationStatus,
    expires_at_ms: i64,
    now_ms: i64,
) -> Result<ReservationStatus, Refusal> {
    if status != ReservationStatus::Held {
        return Err(Refusal::new(
            RefusalKind::InvalidTransition,
            format!("the reservation is {}, not a hold", status.as_str()),
        ));
    }
    Ok(if hold_expired(expires_at_ms, now_ms) {
        ReservationStatus::Expired
    } else {
        ReservationStatus::Released
    })
}

/// An official cancels a confirmed reservation; nothing else.
pub fn decide_cancel(status: ReservationStatus) -> Result<(), Refusal> {
    only_confirmed(status, "only a confirmed reservation can be cancelled")
}

/// A developer files a contract on a confirmed reservation; nothing else.
pub fn decide_contract(status: ReservationStatus) -> Result<(), Refusal> {
    only_confirmed(status, "only a confirmed reservation takes a contract")
}

fn only_confirmed(status: ReservationStatus, what: &str) -> Result<(), Refusal> {
    if status != ReservationStatus::Confirmed {
        return Err(Refusal::new(
            RefusalKind::InvalidTransition,
            format!("{what}; this one is {}", status.as_str()),
        ));
    }
    Ok(())
}

/// A request repeated under the same `Idempotency-Key` gets the stored response when it is the
/// same request (same hash of method, path and body), and is refused when it is another.
pub fn decide_replay(stored_request_hash: &str, request_hash: &str) -> Result<(), Refusal> {
    if stored_request_hash != request_hash {
        return Err(Refusal::new(
            RefusalKind::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        ));
    }
    Ok(())
}

/// The refusal when a conditional write found the row changed by another request.
pub fn changed_meanwhile(what: &str) -> Refusal {
    Refusal::new(
        RefusalKind::InvalidTransition,
        format!("the {what} changed meanwhile"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn member(status: RoundStatus, called: i32, position: Option<i32>) -> Membership {
        Membership {
            round_id: 7,
            status,
            called_up_to: called,
            position,
        }
    }

    fn facts(memberships: &[Membership]) -> TurnFacts<'_> {
        TurnFacts {
            now_ms: 10 * DAY,
            signed_at_ms: 0,
            voucher_validity_days: 365,
            remaining_origin_centi: 8_000,
            memberships,
        }
    }

    fn kind(r: Result<impl std::fmt::Debug, Refusal>) -> RefusalKind {
        r.expect_err("refused").kind
    }

    #[test]
    fn a_called_household_in_an_open_round_may_hold() {
        let m = [member(RoundStatus::Open, 5, Some(5))];
        assert_eq!(decide_turn(&facts(&m)), Ok(7));
    }

    #[test]
    fn each_refusal_of_the_turn_in_order() {
        let open = [member(RoundStatus::Open, 5, Some(3))];
        let mut f = facts(&open);
        f.now_ms = 365 * DAY + 1;
        assert_eq!(kind(decide_turn(&f)), RefusalKind::VoucherExpired);
        f.now_ms = 365 * DAY;
        assert!(decide_turn(&f).is_ok(), "the last moment of validity");

        let closed = [member(RoundStatus::Closed, 5, Some(3))];
        assert_eq!(
            kind(decide_turn(&facts(&closed))),
            RefusalKind::RoundNotOpen
        );
        assert_eq!(kind(decide_turn(&facts(&[]))), RefusalKind::RoundNotOpen);

        let waiting = [member(RoundStatus::Open, 2, Some(3))];
        assert_eq!(
            kind(decide_turn(&facts(&waiting))),
            RefusalKind::NotYourTurn
        );
        let undrawn = [member(RoundStatus::Open, 2, None)];
        assert_eq!(
            kind(decide_turn(&facts(&undrawn))),
            RefusalKind::NotYourTurn
        );

        let mut f = facts(&open);
        f.remaining_origin_centi = 0;
        assert_eq!(kind(decide_turn(&f)), RefusalKind::EntitlementExhausted);
    }

    #[test]
    fn the_called_round_is_chosen_among_several_open_ones() {
        let m = [
            Membership {
                round_id: 1,
                ..member(RoundStatus::Open, 1, Some(9))
            },
            Membership {
                round_id: 2,
                ..member(RoundStatus::Open, 4, Some(4))
            },
        ];
        assert_eq!(decide_turn(&facts(&m)), Ok(2));
    }

    #[test]
    fn hold_limit_expiry_and_transitions() {
        assert!(check_hold_limit(0, 1).is_ok());
        assert_eq!(kind(check_hold_limit(1, 1)), RefusalKind::HoldLimitReached);
        assert_eq!(hold_expires_at_ms(1_000, 15), 1_000 + 900_000);

        assert!(decide_confirm(ReservationStatus::Held, 2_000, 1_999).is_ok());
        assert_eq!(
            kind(decide_confirm(ReservationStatus::Held, 2_000, 2_000)),
            RefusalKind::HoldExpired
        );
        assert_eq!(
            kind(decide_confirm(ReservationStatus::Confirmed, 2_000, 1)),
            RefusalKind::InvalidTransition
        );
        assert_eq!(
            decide_release(ReservationStatus::Held, 2_000, 1_999),
            Ok(ReservationStatus::Released)
        );
        assert_eq!(
            decide_release(ReservationStatus::Held, 2_000, 2_000),
            Ok(ReservationStatus::Expired)
        );
        assert!(decide_replay("a", "a").is_ok());
        assert_eq!(
            kind(decide_replay("a", "b")),
            RefusalKind::IdempotencyKeyReused
        );
        assert!(decide_cancel(ReservationStatus::Confirmed).is_ok());
        assert_eq!(
            kind(decide_cancel(ReservationStatus::Held)),
            RefusalKind::InvalidTransition
        );
        assert_eq!(
            kind(decide_contract(ReservationStatus::Contracted)),
            RefusalKind::InvalidTransition
        );
    }
}
