//! A round's public notice (公示) and its objections (复核) as pure rules: a notice's status, when a
//! contract may be filed, when an objection may be filed and resolved, its review deadline, its
//! receipt number.

use super::refusal::{Refusal, RefusalKind};

const DAY_MS: i64 = 86_400_000;
/// The longest objection text, in characters.
pub const MAX_OBJECTION_CHARS: usize = 2000;

/// Where a notice stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    /// before `ends_at`: objections may be filed
    Open,
    /// ended, an objection still open
    Reviewing,
    /// ended and every objection resolved
    Final,
}

/// A notice's status at `now_ms`, given how many of its objections are still open.
pub fn notice_status(ends_at_ms: i64, open_objections: i64, now_ms: i64) -> NoticeStatus {
    if now_ms < ends_at_ms {
        NoticeStatus::Open
    } else if open_objections > 0 {
        NoticeStatus::Reviewing
    } else {
        NoticeStatus::Final
    }
}

/// When a notice published at `starts_at_ms` for `notice_days` days ends.
pub fn ends_at_ms(starts_at_ms: i64, notice_days: i64) -> i64 {
    starts_at_ms + notice_days.max(1) * DAY_MS
}

/// When an objection filed at `created_at_ms` must be resolved by.
pub fn review_deadline_ms(created_at_ms: i64, review_days: i64) -> i64 {
    created_at_ms + review_days.max(0) * DAY_MS
}

/// An open objection past its review deadline.
pub fn is_overdue(open: bool, review_deadline_ms: i64, now_ms: i64) -> bool {
    open && now_ms > review_deadline_ms
}

/// A contract may be filed when the policy does not wait for notices, or when the reservation's
/// notice (`(ends_at_ms, open objections)`) is final.
pub fn decide_contract(
    requires_notice: bool,
    notice: Option<(i64, i64)>,
    now_ms: i64,
) -> Result<(), Refusal> {
    if !requires_notice {
        return Ok(());
    }
    match notice {
        None => Err(Refusal::new(
            RefusalKind::NoticePending,
            "this reservation has not been published in a notice yet (公示)",
        )),
        Some((ends, open)) => match notice_status(ends, open, now_ms) {
            NoticeStatus::Final => Ok(()),
            NoticeStatus::Open => Err(Refusal::new(
                RefusalKind::NoticePending,
                "the notice of this reservation is still open for objections",
            )),
            NoticeStatus::Reviewing => Err(Refusal::new(
                RefusalKind::NoticePending,
                "an objection to the notice of this reservation is still under review",
            )),
        },
    }
}

/// An objection may be filed before the notice ends.
pub fn decide_objection(ends_at_ms: i64, now_ms: i64) -> Result<(), Refusal> {
    if now_ms >= ends_at_ms {
        return Err(Refusal::new(
            RefusalKind::NoticeClosed,
            "the notice period has ended; objections are no longer taken",
        ));
    }
    Ok(())
}

/// How an admin resolves an objection.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Upheld,
    Dismissed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Upheld => "upheld",
            Outcome::Dismissed => "dismissed",
        }
    }
}

/// An objection is resolved once; only an upheld objection on a line may cancel its reservation
/// (a request to cancel otherwise is refused before this, as a validation error).
pub fn decide_resolve(status: &str) -> Result<(), Refusal> {
    if status != "open" {
        return Err(Refusal::new(
            RefusalKind::ObjectionResolved,
            format!("this objection was already resolved ({status})"),
        ));
    }
    Ok(())
}

/// Whether `cancel_reservation` fits the outcome and the objection: an upheld objection on a line.
pub fn cancel_allowed(outcome: Outcome, line: Option<i32>) -> Result<(), &'static str> {
    match (outcome, line) {
        (Outcome::Dismissed, _) => Err("only an upheld objection may cancel a reservation"),
        (Outcome::Upheld, None) => Err("only an objection on a line may cancel its reservation"),
        (Outcome::Upheld, Some(_)) => Ok(()),
    }
}

/// A readable receipt number: the two-digit year (Asia/Shanghai), the notice id, the objection's
/// sequence in the notice: `260007-0003`.
pub fn receipt_no(created_at_ms: i64, notice_id: i64, seq: i64) -> String {
    use chrono::Datelike;
    let year = chrono::DateTime::from_timestamp_millis(created_at_ms)
        .unwrap_or_default()
        .with_timezone(&super::household::shanghai())
        .year();
    format!("{:02}{notice_id:04}-{seq:04}", year % 100)
}

/// An objection's text: 1 to 2 000 characters after trimming.
pub fn objection_text(text: &str) -> Result<String, String> {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 || n > MAX_OBJECTION_CHARS {
        return Err(format!("must be 1 to {MAX_OBJECTION_CHARS} characters"));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_final_once_ended_with_no_open_objection() {
        assert_eq!(notice_status(100, 0, 99), NoticeStatus::Open);
        assert_eq!(notice_status(100, 1, 100), NoticeStatus::Reviewing);
        assert_eq!(notice_status(100, 0, 100), NoticeStatus::Final);
    }

    #[test]
    fn a_contract_waits_for_a_final_notice_only_when_the_policy_says_so() {
        assert!(decide_contract(false, None, 0).is_ok());
        let pending = |r: Result<(), Refusal>| r.unwrap_err().kind == RefusalKind::NoticePending;
        assert!(pending(decide_contract(true, None, 0)));
        assert!(pending(decide_contract(true, Some((100, 0)), 50)));
        assert!(pending(decide_contract(true, Some((100, 2)), 150)));
        assert!(decide_contract(true, Some((100, 0)), 150).is_ok());
    }

    #[test]
    fn objections_close_with_the_notice_and_resolve_once() {
        assert!(decide_objection(100, 99).is_ok());
        assert_eq!(
            decide_objection(100, 100).unwrap_err().kind,
            RefusalKind::NoticeClosed
        );
        assert!(decide_resolve("open").is_ok());
        assert_eq!(
            decide_resolve("upheld").unwrap_err().kind,
            RefusalKind::ObjectionResolved
        );
        assert!(cancel_allowed(Outcome::Upheld, Some(1)).is_ok());
        assert!(cancel_allowed(Outcome::Upheld, None).is_err());
        assert!(cancel_allowed(Outcome::Dismissed, Some(1)).is_err());
    }

    #[test]
    fn deadlines_receipts_and_text() {
        assert_eq!(ends_at_ms(0, 7), 7 * DAY_MS);
        assert_eq!(review_deadline_ms(5, 10), 5 + 10 * DAY_MS);
        assert!(!is_overdue(true, 100, 100));
        assert!(is_overdue(true, 100, 101));
        assert!(!is_overdue(false, 100, 101));
        // 2026-03-02 in Shanghai
        assert_eq!(receipt_no(1_772_442_000_000, 7, 3), "260007-0003");
        assert!(objection_text("  ").is_err());
        assert!(objection_text(&"异".repeat(2000)).is_ok());
        assert!(objection_text(&"异".repeat(2001)).is_err());
    }
}
