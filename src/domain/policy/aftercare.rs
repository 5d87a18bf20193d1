//! The policy's after-the-pick keys (docs/aftercare.md): the notice and review periods, whether a
//! contract waits for a final notice, the no-show interval, the rescission and move-in deadlines,
//! and the hall's address sent with call-up notices. Versions stored before these keys read with
//! their defaults.

use super::{in_range, PolicyChange};
use crate::domain::FieldError;

/// The hall's address when the policy names none.
const DEFAULT_HALL_ADDRESS: &str = "异地安置商品房选购大厅";
/// An address longer than this is not one a text message can carry.
const MAX_ADDRESS_CHARS: usize = 200;

/// The after-the-pick keys, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AftercarePolicy {
    /// 公示期: days a round's notice stays open for objections
    pub notice_days: i64,
    /// 复核期: days an admin has to resolve an objection, counted from the objection
    pub review_days: i64,
    /// a contract (网签) is refused while its reservation's notice is not final
    pub contract_requires_notice: bool,
    /// minutes after its call-up a household that has neither held nor confirmed is 过号
    pub no_show_minutes: i64,
    /// days after the handover date within which a household may rescind (beyond ±3 %)
    pub rescind_days: i64,
    /// days after the handover date after which a household not moved in is overdue
    pub move_in_deadline_days: i64,
    /// where the hall is, for call-up notices
    pub hall_address: String,
}

impl Default for AftercarePolicy {
    fn default() -> Self {
        AftercarePolicy {
            notice_days: 7,
            review_days: 10,
            contract_requires_notice: true,
            no_show_minutes: 30,
            rescind_days: 30,
            move_in_deadline_days: 180,
            hall_address: DEFAULT_HALL_ADDRESS.to_string(),
        }
    }
}

// serde's `default = "…"` takes functions; each reads the one place the defaults are written.
pub(super) fn default_notice_days() -> i64 {
    AftercarePolicy::default().notice_days
}
pub(super) fn default_review_days() -> i64 {
    AftercarePolicy::default().review_days
}
pub(super) fn default_contract_requires_notice() -> bool {
    AftercarePolicy::default().contract_requires_notice
}
pub(super) fn default_no_show_minutes() -> i64 {
    AftercarePolicy::default().no_show_minutes
}
pub(super) fn default_rescind_days() -> i64 {
    AftercarePolicy::default().rescind_days
}
pub(super) fn default_move_in_deadline_days() -> i64 {
    AftercarePolicy::default().move_in_deadline_days
}
pub(super) fn default_hall_address() -> String {
    AftercarePolicy::default().hall_address
}

/// The after-the-pick part of `current` with `change` applied; bad values are pushed to `errors`.
pub(super) fn changed(
    current: &AftercarePolicy,
    change: &PolicyChange,
    errors: &mut Vec<FieldError>,
) -> AftercarePolicy {
    let mut pick = |field: &str, new: Option<i64>, old: i64, min: i64, max: i64| {
        in_range(errors, field, new.unwrap_or(old), min, max)
    };
    let notice_days = pick(
        "notice_days",
        change.notice_days,
        current.notice_days,
        1,
        90,
    );
    let review_days = pick(
        "review_days",
        change.review_days,
        current.review_days,
        1,
        90,
    );
    let no_show_minutes = pick(
        "no_show_minutes",
        change.no_show_minutes,
        current.no_show_minutes,
        1,
        1_440,
    );
    let rescind_days = pick(
        "rescind_days",
        change.rescind_days,
        current.rescind_days,
        1,
        365,
    );
    let move_in_deadline_days = pick(
        "move_in_deadline_days",
        change.move_in_deadline_days,
        current.move_in_deadline_days,
        1,
        3_650,
    );
    let hall_address = match &change.hall_address {
        None => current.hall_address.clone(),
        Some(text) => {
            let text = text.trim();
            let chars = text.chars().count();
            if chars == 0 || chars > MAX_ADDRESS_CHARS || text.chars().any(char::is_control) {
                errors.push(FieldError::new(
                    "hall_address",
                    format!("must be 1 to {MAX_ADDRESS_CHARS} characters on one line"),
                ));
            }
            text.to_string()
        }
    };
    AftercarePolicy {
        notice_days,
        review_days,
        contract_requires_notice: change
            .contract_requires_notice
            .unwrap_or(current.contract_requires_notice),
        no_show_minutes,
        rescind_days,
        move_in_deadline_days,
        hall_address,
    }
}
