//! The policy's `ticket_*` keys: their defaults for versions stored before tickets existed, and
//! their validation, every bad value named by its path (`ticket_speed_tiers[1].within_days`).

use std::collections::BTreeMap;

use super::{in_range, PolicyChange, Zone};
use crate::domain::ticket::{SpeedTier, TicketPolicy};
use crate::domain::usage::Usage;
use crate::domain::FieldError;

/// More tiers than this is a typing mistake, not a scheme: the cities above use at most three.
const MAX_TIERS: usize = 10;
const MAX_DAYS: i64 = 3_650;
const MAX_PCT: i64 = 100;

// serde's `default = "…"` takes functions; each reads the one place the defaults are written.
pub(super) fn default_validity_days() -> i64 {
    TicketPolicy::default().validity_days
}
pub(super) fn default_speed_tiers() -> Vec<SpeedTier> {
    TicketPolicy::default().speed_tiers
}
pub(super) fn default_zone_bonus_pct() -> BTreeMap<String, i64> {
    zone_bonus_map(TicketPolicy::default().zone_bonus_pct)
}
pub(super) fn default_transfers_allowed() -> i64 {
    TicketPolicy::default().transfers_allowed
}
pub(super) fn default_usages_allowed() -> Vec<Usage> {
    TicketPolicy::default().usages_allowed
}
pub(super) fn default_cash_out_bonus() -> bool {
    TicketPolicy::default().cash_out_bonus
}
pub(super) fn default_open_selection() -> bool {
    TicketPolicy::default().open_selection
}

/// `{"1": …, "2": …, "3": …}`, as JSON keys zones everywhere else.
pub(super) fn zone_bonus_map(pcts: [i64; 3]) -> BTreeMap<String, i64> {
    Zone::ALL
        .iter()
        .map(|z| (z.get().to_string(), pcts[z.index()]))
        .collect()
}

/// The ticket part of `current` with `change` applied; bad values are pushed to `errors`.
pub(super) fn changed(
    current: &TicketPolicy,
    change: &PolicyChange,
    errors: &mut Vec<FieldError>,
) -> TicketPolicy {
    let validity_days = in_range(
        errors,
        "ticket_validity_days",
        change.ticket_validity_days.unwrap_or(current.validity_days),
        1,
        MAX_DAYS,
    );
    let speed_tiers = match &change.ticket_speed_tiers {
        Some(tiers) => speed_tiers(errors, tiers),
        None => current.speed_tiers.clone(),
    };
    let mut zone_bonus_pct = current.zone_bonus_pct;
    for (zone, pct) in change.ticket_zone_bonus_pct.iter().flatten() {
        let field = format!("ticket_zone_bonus_pct.{zone}");
        match zone.parse().ok().and_then(Zone::new) {
            Some(z) => zone_bonus_pct[z.index()] = in_range(errors, &field, *pct, 0, MAX_PCT),
            None => errors.push(FieldError::new(&field, "zones are \"1\", \"2\" and \"3\"")),
        }
    }
    let transfers_allowed = in_range(
        errors,
        "ticket_transfers_allowed",
        change
            .ticket_transfers_allowed
            .unwrap_or(current.transfers_allowed),
        0,
        10,
    );
    let usages_allowed = match &change.ticket_usages_allowed {
        Some(codes) => usages(errors, codes),
        None => current.usages_allowed.clone(),
    };
    TicketPolicy {
        validity_days,
        speed_tiers,
        zone_bonus_pct,
        transfers_allowed,
        usages_allowed,
        cash_out_bonus: change
            .ticket_cash_out_bonus
            .unwrap_or(current.cash_out_bonus),
        open_selection: change
            .ticket_open_selection
            .unwrap_or(current.open_selection),
    }
}

/// Tiers must be in order of `within_days`, strictly: "the first tier whose within_days ≥ e"
/// would otherwise hide a later tier and let two tiers claim one day.
fn speed_tiers(errors: &mut Vec<FieldError>, tiers: &[SpeedTier]) -> Vec<SpeedTier> {
    if tiers.len() > MAX_TIERS {
        errors.push(FieldError::new(
            "ticket_speed_tiers",
            format!("must have at most {MAX_TIERS} tiers, got {}", tiers.len()),
        ));
    }
    for (i, t) in tiers.iter().enumerate() {
        let days = format!("ticket_speed_tiers[{i}].within_days");
        let before = i.checked_sub(1).map(|j| tiers[j].within_days);
        if !(0..=MAX_DAYS).contains(&t.within_days) {
            in_range(errors, &days, t.within_days, 0, MAX_DAYS);
        } else if let Some(b) = before.filter(|b| t.within_days <= *b) {
            let message = format!(
                "must be more than the tier before's {b}, got {}",
                t.within_days
            );
            errors.push(FieldError::new(&days, message));
        }
        let pct = format!("ticket_speed_tiers[{i}].bonus_pct");
        in_range(errors, &pct, t.bonus_pct, 0, MAX_PCT);
    }
    tiers.to_vec()
}

/// Usage codes, at least one, each once; kept in the order given.
fn usages(errors: &mut Vec<FieldError>, codes: &[String]) -> Vec<Usage> {
    if codes.is_empty() {
        errors.push(FieldError::new(
            "ticket_usages_allowed",
            "must name at least one usage",
        ));
    }
    let mut usages = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let field = format!("ticket_usages_allowed[{i}]");
        match Usage::from_code(code) {
            None => errors.push(FieldError::new(
                &field,
                format!("{code} is not a usage: residential, commercial, office or parking"),
            )),
            Some(u) if usages.contains(&u) => {
                errors.push(FieldError::new(&field, format!("{code} is named twice")))
            }
            Some(u) => usages.push(u),
        }
    }
    usages
}
