//! The hall's policy (docs/domain.md, "The policy"): zone ratios, reward, hold and login limits, and
//! the housing tickets' keys (`ticket.rs`). Values are validated on construction; zone ratios are
//! kept as exact integers in ten-thousandths.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ticket::{SpeedTier, TicketPolicy};
use super::usage::Usage;
pub use super::zone::Zone;
use super::FieldError;

mod aftercare;
mod ticket;

pub use aftercare::AftercarePolicy;

/// Zone ratios are stored in units of 1/10 000 (1.2 → 12 000), so the arithmetic stays exact.
pub const RATIO_SCALE: i64 = 10_000;

/// A valid policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    zone_ratio: [[i64; 3]; 3],
    pub relocation_reward_yuan_per_m2: i64,
    pub hold_minutes: i64,
    pub max_active_holds: i64,
    pub voucher_validity_days: i64,
    pub monetization_target_pct: i64,
    pub login_max_failures: i64,
    pub login_lockout_minutes: i64,
    pub ticket: TicketPolicy,
    pub aftercare: AftercarePolicy,
}

impl Default for Policy {
    /// docs/domain.md's defaults (also inserted as version 1 by the migration).
    fn default() -> Self {
        Policy {
            zone_ratio: [
                [10_000, 12_000, 15_000],
                [8_000, 10_000, 12_000],
                [6_000, 8_000, 10_000],
            ],
            relocation_reward_yuan_per_m2: 300,
            hold_minutes: 15,
            max_active_holds: 1,
            voucher_validity_days: 365,
            monetization_target_pct: 60,
            login_max_failures: 5,
            login_lockout_minutes: 15,
            ticket: TicketPolicy::default(),
            aftercare: AftercarePolicy::default(),
        }
    }
}

/// The policy values as JSON shows them: ratios as decimal numbers keyed by zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyValues {
    /// `zone_ratio["1"]["2"]` = area multiplier when moving from zone 1 into zone 2
    #[schema(value_type = Object, example = json!({"1": {"1": 1.0, "2": 1.2, "3": 1.5}, "2": {"1": 0.8, "2": 1.0, "3": 1.2}, "3": {"1": 0.6, "2": 0.8, "3": 1.0}}))]
    pub zone_ratio: BTreeMap<String, BTreeMap<String, f64>>,
    pub relocation_reward_yuan_per_m2: i64,
    pub hold_minutes: i64,
    pub max_active_holds: i64,
    pub voucher_validity_days: i64,
    pub monetization_target_pct: i64,
    pub login_max_failures: i64,
    pub login_lockout_minutes: i64,
    // The ticket keys came later: a version stored before them reads with their defaults.
    #[serde(default = "ticket::default_validity_days")]
    pub ticket_validity_days: i64,
    #[serde(default = "ticket::default_speed_tiers")]
    pub ticket_speed_tiers: Vec<SpeedTier>,
    /// bonus percent added by the zone class of the unit, keyed "1", "2", "3"
    #[serde(default = "ticket::default_zone_bonus_pct")]
    #[schema(example = json!({"1": 0, "2": 2, "3": 4}))]
    pub ticket_zone_bonus_pct: BTreeMap<String, i64>,
    #[serde(default = "ticket::default_transfers_allowed")]
    pub ticket_transfers_allowed: i64,
    #[serde(default = "ticket::default_usages_allowed")]
    pub ticket_usages_allowed: Vec<Usage>,
    #[serde(default = "ticket::default_cash_out_bonus")]
    pub ticket_cash_out_bonus: bool,
    #[serde(default = "ticket::default_open_selection")]
    pub ticket_open_selection: bool,
    // The after-the-pick keys came later still (docs/aftercare.md).
    #[serde(default = "aftercare::default_notice_days")]
    pub notice_days: i64,
    #[serde(default = "aftercare::default_review_days")]
    pub review_days: i64,
    #[serde(default = "aftercare::default_contract_requires_notice")]
    pub contract_requires_notice: bool,
    #[serde(default = "aftercare::default_no_show_minutes")]
    pub no_show_minutes: i64,
    #[serde(default = "aftercare::default_rescind_days")]
    pub rescind_days: i64,
    #[serde(default = "aftercare::default_move_in_deadline_days")]
    pub move_in_deadline_days: i64,
    #[serde(default = "aftercare::default_hall_address")]
    pub hall_address: String,
}

/// A change to the policy: every field is optional and keeps the current value when left out;
/// `zone_ratio` and `ticket_zone_bonus_pct` may name only the zones that change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyChange {
    /// RFC 3339; when the new version comes into force (default: now; never in the past)
    pub effective_from: Option<String>,
    pub zone_ratio: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    pub relocation_reward_yuan_per_m2: Option<i64>,
    pub hold_minutes: Option<i64>,
    pub max_active_holds: Option<i64>,
    pub voucher_validity_days: Option<i64>,
    pub monetization_target_pct: Option<i64>,
    pub login_max_failures: Option<i64>,
    pub login_lockout_minutes: Option<i64>,
    pub ticket_validity_days: Option<i64>,
    pub ticket_speed_tiers: Option<Vec<SpeedTier>>,
    #[schema(example = json!({"3": 5}))]
    pub ticket_zone_bonus_pct: Option<BTreeMap<String, i64>>,
    pub ticket_transfers_allowed: Option<i64>,
    /// usage codes; taken as text so that an unknown one is reported with its position
    #[schema(value_type = Option<Vec<Usage>>)]
    pub ticket_usages_allowed: Option<Vec<String>>,
    pub ticket_cash_out_bonus: Option<bool>,
    pub ticket_open_selection: Option<bool>,
    pub notice_days: Option<i64>,
    pub review_days: Option<i64>,
    pub contract_requires_notice: Option<bool>,
    pub no_show_minutes: Option<i64>,
    pub rescind_days: Option<i64>,
    pub move_in_deadline_days: Option<i64>,
    pub hall_address: Option<String>,
}

fn ratio_text(r: i64) -> f64 {
    r as f64 / RATIO_SCALE as f64
}

/// A decimal ratio with at most four decimals, 0 < r ≤ 10, as ten-thousandths.
fn parse_ratio(x: f64) -> Result<i64, String> {
    let scaled = x * RATIO_SCALE as f64;
    let rounded = scaled.round();
    if !x.is_finite() || (scaled - rounded).abs() > 1e-6 {
        return Err(format!("{x} must have at most four decimals"));
    }
    let r = rounded as i64;
    if r <= 0 || r > 10 * RATIO_SCALE {
        return Err(format!("{x} must be more than 0 and at most 10"));
    }
    Ok(r)
}

fn in_range(errors: &mut Vec<FieldError>, field: &str, v: i64, min: i64, max: i64) -> i64 {
    if !(min..=max).contains(&v) {
        errors.push(FieldError::new(
            field,
            format!("must be from {min} to {max}, got {v}"),
        ));
    }
    v
}

impl Policy {
    /// The area multiplier from zone `from` into zone `to`, in ten-thousandths.
    pub fn ratio(&self, from: Zone, to: Zone) -> i64 {
        self.zone_ratio[from.index()][to.index()]
    }

    pub fn values(&self) -> PolicyValues {
        let zone_ratio = Zone::ALL
            .iter()
            .map(|from| {
                let row = Zone::ALL
                    .iter()
                    .map(|to| (to.get().to_string(), ratio_text(self.ratio(*from, *to))))
                    .collect();
                (from.get().to_string(), row)
            })
            .collect();
        PolicyValues {
            zone_ratio,
            relocation_reward_yuan_per_m2: self.relocation_reward_yuan_per_m2,
            hold_minutes: self.hold_minutes,
            max_active_holds: self.max_active_holds,
            voucher_validity_days: self.voucher_validity_days,
            monetization_target_pct: self.monetization_target_pct,
            login_max_failures: self.login_max_failures,
            login_lockout_minutes: self.login_lockout_minutes,
            ticket_validity_days: self.ticket.validity_days,
            ticket_speed_tiers: self.ticket.speed_tiers.clone(),
            ticket_zone_bonus_pct: ticket::zone_bonus_map(self.ticket.zone_bonus_pct),
            ticket_transfers_allowed: self.ticket.transfers_allowed,
            ticket_usages_allowed: self.ticket.usages_allowed.clone(),
            ticket_cash_out_bonus: self.ticket.cash_out_bonus,
            ticket_open_selection: self.ticket.open_selection,
            notice_days: self.aftercare.notice_days,
            review_days: self.aftercare.review_days,
            contract_requires_notice: self.aftercare.contract_requires_notice,
            no_show_minutes: self.aftercare.no_show_minutes,
            rescind_days: self.aftercare.rescind_days,
            move_in_deadline_days: self.aftercare.move_in_deadline_days,
            hall_address: self.aftercare.hall_address.clone(),
        }
    }

    /// Applies a change to this policy and validates the result; every bad field is reported.
    pub fn changed(&self, change: &PolicyChange) -> Result<Policy, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut zone_ratio = self.zone_ratio;
        for (from, row) in change.zone_ratio.iter().flatten() {
            for (to, value) in row {
                let field = format!("zone_ratio.{from}.{to}");
                let zones = from
                    .parse()
                    .ok()
                    .and_then(Zone::new)
                    .zip(to.parse().ok().and_then(Zone::new));
                let Some((f, t)) = zones else {
                    errors.push(FieldError::new(&field, "zones are \"1\", \"2\" and \"3\""));
                    continue;
                };
                match parse_ratio(*value) {
                    Ok(r) => zone_ratio[f.index()][t.index()] = r,
                    Err(m) => errors.push(FieldError::new(&field, m)),
                }
            }
        }
        let mut pick = |field: &str, new: Option<i64>, old: i64, min: i64, max: i64| {
            in_range(&mut errors, field, new.unwrap_or(old), min, max)
        };
        let policy = Policy {
            zone_ratio,
            relocation_reward_yuan_per_m2: pick(
                "relocation_reward_yuan_per_m2",
                change.relocation_reward_yuan_per_m2,
                self.relocation_reward_yuan_per_m2,
                0,
                100_000,
            ),
            hold_minutes: pick(
                "hold_minutes",
                change.hold_minutes,
                self.hold_minutes,
                1,
                1_440,
            ),
            max_active_holds: pick(
                "max_active_holds",
                change.max_active_holds,
                self.max_active_holds,
                1,
                10,
            ),
            voucher_validity_days: pick(
                "voucher_validity_days",
                change.voucher_validity_days,
                self.voucher_validity_days,
                1,
                3_650,
            ),
            monetization_target_pct: pick(
                "monetization_target_pct",
                change.monetization_target_pct,
                self.monetization_target_pct,
                0,
                100,
            ),
            login_max_failures: pick(
                "login_max_failures",
                change.login_max_failures,
                self.login_max_failures,
                1,
                100,
            ),
            login_lockout_minutes: pick(
                "login_lockout_minutes",
                change.login_lockout_minutes,
                self.login_lockout_minutes,
                1,
                1_440,
            ),
            // after the fields above, so errors come in the order the keys are documented
            ticket: ticket::changed(&self.ticket, change, &mut errors),
            aftercare: aftercare::changed(&self.aftercare, change, &mut errors),
        };
        if errors.is_empty() {
            Ok(policy)
        } else {
            Err(errors)
        }
    }

    /// Reads a stored version (the JSON of [`PolicyValues`]), validating it like a change.
    pub fn from_stored(body: &str) -> Result<Policy, String> {
        let values: PolicyValues =
            serde_json::from_str(body).map_err(|e| format!("stored policy is unreadable: {e}"))?;
        Policy::default()
            .changed(&PolicyChange {
                effective_from: None,
                zone_ratio: Some(values.zone_ratio),
                relocation_reward_yuan_per_m2: Some(values.relocation_reward_yuan_per_m2),
                hold_minutes: Some(values.hold_minutes),
                max_active_holds: Some(values.max_active_holds),
                voucher_validity_days: Some(values.voucher_validity_days),
                monetization_target_pct: Some(values.monetization_target_pct),
                login_max_failures: Some(values.login_max_failures),
                login_lockout_minutes: Some(values.login_lockout_minutes),
                ticket_validity_days: Some(values.ticket_validity_days),
                ticket_speed_tiers: Some(values.ticket_speed_tiers),
                ticket_zone_bonus_pct: Some(values.ticket_zone_bonus_pct),
                ticket_transfers_allowed: Some(values.ticket_transfers_allowed),
                ticket_usages_allowed: Some(
                    values
                        .ticket_usages_allowed
                        .iter()
                        .map(|u| u.as_str().to_string())
                        .collect(),
                ),
                ticket_cash_out_bonus: Some(values.ticket_cash_out_bonus),
                ticket_open_selection: Some(values.ticket_open_selection),
                notice_days: Some(values.notice_days),
                review_days: Some(values.review_days),
                contract_requires_notice: Some(values.contract_requires_notice),
                no_show_minutes: Some(values.no_show_minutes),
                rescind_days: Some(values.rescind_days),
                move_in_deadline_days: Some(values.move_in_deadline_days),
                hall_address: Some(values.hall_address),
            })
            .map_err(|e| format!("stored policy is invalid: {e:?}"))
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(&self.values()).expect("policy values serialize")
    }
}

#[cfg(test)]
mod tests;
