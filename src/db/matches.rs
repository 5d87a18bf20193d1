//! Candidate units for a household's matches, read from the database (the truth), with the
//! listing filters and the top-up limit applied in SQL. One zone and one tier per query, each
//! already in the order of `domain::matching`, so a page needs only its first `limit` rows.

use crate::domain::status::{DeveloperStatus, ProjectStatus, UnitStatus};
use diesel::prelude::*;

use super::schema::{developers, projects, units};
use super::AnyConnection;
use crate::domain::entitlement::{entitled_area, quote, Entitlement, UnitTerms};
use crate::domain::matching::{compare, Ranked};
use crate::domain::policy::{Policy, Zone};
use crate::domain::ticket::{pct_of, quote as ticket_quote, TicketQuote};
use crate::search::ListingQuery;

/// Fully covered (area ≤ entitled) or needing a top-up (area > entitled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Covered,
    TopUp,
}

/// A candidate: `(unit id, area in centi-m², price per m²)`.
pub type Candidate = (i64, i64, i64);

/// What divides a zone's candidates into tiers: an area entitlement (units up to the entitled
/// area are covered), or a housing ticket's buying power in the zone (units up to the power in
/// total price are covered, and a top-up is the price beyond it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Area { entitled_centi: i64 },
    Ticket { power_yuan: i64 },
}

/// The listed units of zone `zone` matching `f`, restricted to `tier` of `basis` and (for
/// top-ups) to a rounded top-up of at most `max_top_up_yuan`.
macro_rules! candidates_query {
    ($f:expr, $zone:expr, $basis:expr, $tier:expr, $max_top_up:expr) => {{
        let f: &ListingQuery = $f;
        let mut q = units::table
            .inner_join(projects::table.inner_join(developers::table))
            .filter(units::status.eq(UnitStatus::Available))
            .filter(projects::status.eq(ProjectStatus::Approved))
            .filter(developers::status.eq(DeveloperStatus::Approved))
            .filter(projects::zone_class.eq($zone as i32))
            .into_boxed();
        match $basis {
            Basis::Area {
                entitled_centi: entitled,
            } => {
                q = match $tier {
                    Tier::Covered => q.filter(units::area_centi_m2.le(entitled)),
                    Tier::TopUp => q.filter(units::area_centi_m2.gt(entitled)),
                };
                if let (Tier::TopUp, Some(max)) = ($tier, $max_top_up) {
                    // round((a − E) × p / 100) ≤ max  ⇔  (a − E) × p ≤ 100 × max + 49
                    let bound: i64 = max.saturating_mul(100).saturating_add(49);
                    q = q.filter(
                        (units::area_centi_m2 * units::price_per_m2_yuan)
                            .le(units::price_per_m2_yuan * entitled + bound),
                    );
                }
            }
            Basis::Ticket { power_yuan: power } => {
                q = match $tier {
                    Tier::Covered => q.filter(units::total_price_yuan.le(power)),
                    Tier::TopUp => q.filter(units::total_price_yuan.gt(power)),
                };
                if let (Tier::TopUp, Some(max)) = ($tier, $max_top_up) {
                    // the top-up is exactly the price beyond the power
                    q = q.filter(units::total_price_yuan.le(power.saturating_add(max)));
                }
            }
        }
        if let Some(d) = &f.district {
            q = q.filter(projects::district.eq(d.clone()));
        }
        if let Some(r) = f.rooms {
            q = q.filter(units::rooms.eq(r as i32));
        }
        if let Some(a) = f.min_area_centi {
            q = q.filter(units::area_centi_m2.ge(a));
        }
        if let Some(a) = f.max_area_centi {
            q = q.filter(units::area_centi_m2.le(a));
        }
        if let Some(p) = f.min_price_yuan {
            q = q.filter(units::total_price_yuan.ge(p));
        }
        if let Some(p) = f.max_price_yuan {
            q = q.filter(units::total_price_yuan.le(p));
        }
        if let Some(p) = f.max_price_per_m2_yuan {
            q = q.filter(units::price_per_m2_yuan.le(p));
        }
        if let Some(n) = f.min_floor {
            q = q.filter(units::floor.ge(n.min(i64::from(i32::MAX)) as i32));
        }
        if let Some(n) = f.max_floor {
            q = q.filter(units::floor.le(n.min(i64::from(i32::MAX)) as i32));
        }
        if let Some(o) = &f.orientation {
            q = q.filter(units::orientation.eq(o.clone()));
        }
        if let Some(d) = &f.decoration {
            q = q.filter(units::decoration.eq(d.clone()));
        }
        if let Some(d) = &f.delivery {
            q = q.filter(projects::delivery.eq(d.clone()));
        }
        if !f.usages.is_empty() {
            q = q.filter(units::usage.eq_any(f.usages.clone()));
        }
        if let Some(id) = f.developer_id {
            q = q.filter(projects::developer_id.eq(id));
        }
        if let Some(id) = f.project_id {
            q = q.filter(units::project_id.eq(id));
        }
        for a in &f.amenities {
            // amenities are stored as a JSON array of strings
            let needle = serde_json::to_string(a).expect("strings serialize");
            q = q.filter(
                projects::amenities
                    .like(format!("%{}%", super::like_escape(&needle)))
                    .escape('\\'),
            );
        }
        q
    }};
}

/// How many candidates the tier holds.
pub fn count(
    conn: &mut AnyConnection,
    f: &ListingQuery,
    zone: i64,
    basis: Basis,
    tier: Tier,
    max_top_up_yuan: Option<i64>,
) -> QueryResult<i64> {
    candidates_query!(f, zone, basis, tier, max_top_up_yuan)
        .count()
        .get_result(conn)
}

/// The tier's first `limit` candidates in ranking order. By area: covered units by area
/// descending (closest to the entitlement first), top-ups by uncovered value ascending; then
/// price per m² and id. By ticket: covered units by total price descending (closest to the
/// power first), top-ups by total price ascending; then id.
pub fn first(
    conn: &mut AnyConnection,
    f: &ListingQuery,
    zone: i64,
    basis: Basis,
    tier: Tier,
    max_top_up_yuan: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Candidate>> {
    let q = candidates_query!(f, zone, basis, tier, max_top_up_yuan)
        .select((units::id, units::area_centi_m2, units::price_per_m2_yuan))
        .limit(limit);
    match (basis, tier) {
        (Basis::Area { .. }, Tier::Covered) => q
            .order((
                units::area_centi_m2.desc(),
                units::price_per_m2_yuan.asc(),
                units::id.asc(),
            ))
            .load(conn),
        (Basis::Area { entitled_centi }, Tier::TopUp) => q
            .order((
                (units::area_centi_m2 * units::price_per_m2_yuan
                    - units::price_per_m2_yuan * entitled_centi)
                    .asc(),
                units::price_per_m2_yuan.asc(),
                units::id.asc(),
            ))
            .load(conn),
        (Basis::Ticket { .. }, Tier::Covered) => q
            .order((units::total_price_yuan.desc(), units::id.asc()))
            .load(conn),
        (Basis::Ticket { .. }, Tier::TopUp) => q
            .order((units::total_price_yuan.asc(), units::id.asc()))
            .load(conn),
    }
}

/// One page of ranked matches and how many there are in all.
#[derive(Debug, Clone)]
pub struct MatchPage {
    pub items: Vec<Ranked>,
    pub total: i64,
}

/// The page `f.offset .. f.offset + f.limit` of the household's matches in `zones`: each zone and
/// tier gives its first `offset + limit` candidates already in order, their union is ranked.
pub fn ranked_page(
    conn: &mut AnyConnection,
    f: &ListingQuery,
    e: Entitlement,
    zones: &[Zone],
    policy: &Policy,
    max_top_up_yuan: Option<i64>,
) -> QueryResult<MatchPage> {
    let wanted = (f.offset + f.limit) as i64;
    let (mut total, mut ranked) = (0, Vec::new());
    for zone in zones {
        let entitled = entitled_area(e, *zone, policy);
        for tier in [Tier::Covered, Tier::TopUp] {
            let basis = Basis::Area {
                entitled_centi: entitled,
            };
            total += count(conn, f, zone.get(), basis, tier, max_top_up_yuan)?;
            for (unit_id, area_centi, price) in
                first(conn, f, zone.get(), basis, tier, max_top_up_yuan, wanted)?
            {
                let terms = UnitTerms {
                    zone: *zone,
                    area_centi,
                    price_per_m2_yuan: price,
                };
                let quote = quote(e, terms, policy);
                ranked.push(Ranked {
                    unit_id,
                    terms,
                    quote,
                });
            }
        }
    }
    ranked.sort_by(compare);
    let items = ranked.into_iter().skip(f.offset).take(f.limit).collect();
    Ok(MatchPage { items, total })
}

/// A ticket holder's match: the unit, its zone, and the ticket quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketMatch {
    pub unit_id: i64,
    pub zone: Zone,
    pub quote: TicketQuote,
}

/// The page `f.offset .. f.offset + f.limit` of a ticket's matches in `zones` at `rates` (the
/// bonus percent of each zone today): units the ticket pays in full first, closest to its buying
/// power, then those needing a top-up, smallest first. `f.usages` must already be limited to the
/// usages the policy lets a ticket buy.
pub fn ranked_ticket_page(
    conn: &mut AnyConnection,
    f: &ListingQuery,
    balance_yuan: i64,
    rates: &[(Zone, i64)],
    max_top_up_yuan: Option<i64>,
) -> QueryResult<(Vec<TicketMatch>, i64)> {
    let wanted = (f.offset + f.limit) as i64;
    let (mut total, mut ranked) = (0, Vec::new());
    for (zone, pct) in rates {
        let power = balance_yuan + pct_of(balance_yuan, *pct);
        let basis = Basis::Ticket { power_yuan: power };
        for tier in [Tier::Covered, Tier::TopUp] {
            total += count(conn, f, zone.get(), basis, tier, max_top_up_yuan)?;
            let ids: Vec<i64> = first(conn, f, zone.get(), basis, tier, max_top_up_yuan, wanted)?
                .into_iter()
                .map(|(id, _, _)| id)
                .collect();
            let prices: Vec<(i64, i64)> = units::table
                .filter(units::id.eq_any(&ids))
                .select((units::id, units::total_price_yuan))
                .load(conn)?;
            for (unit_id, price) in prices {
                let quote = ticket_quote(balance_yuan, price, *pct);
                ranked.push((
                    tier == Tier::TopUp,
                    (power - price).abs(),
                    unit_id,
                    *zone,
                    quote,
                ));
            }
        }
    }
    ranked.sort_by_key(|(top_up, distance, id, _, _)| (*top_up, *distance, *id));
    let items = ranked
        .into_iter()
        .skip(f.offset)
        .take(f.limit)
        .map(|(_, _, unit_id, zone, quote)| TicketMatch {
            unit_id,
            zone,
            quote,
        })
        .collect();
    Ok((items, total))
}
