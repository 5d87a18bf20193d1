//! Officials' lists of tickets (filtered by status as of now, and by expiry) and one ticket's
//! ledger.

use diesel::prelude::*;

use super::Ticket;
use crate::db::schema::{ticket_entries, tickets};
use crate::db::AnyConnection;
use crate::domain::status::TicketStatus;
use crate::domain::PageRequest;

/// What an official filters the ticket list by.
#[derive(Debug, Clone, Copy, Default)]
pub struct TicketFilter {
    /// the status as of `now_ms` (`expired` is read from the clock, never stored)
    pub status: Option<TicketStatus>,
    /// still valid, and expiring within this many days of `now_ms`
    pub expiring_within_days: Option<i64>,
    pub household_id: Option<i64>,
}

macro_rules! filtered {
    ($f:expr, $now:expr) => {{
        let f: &TicketFilter = $f;
        let now: i64 = $now;
        let mut q = tickets::table.into_boxed();
        match f.status {
            Some(TicketStatus::Expired) => {
                q = q
                    .filter(
                        tickets::status
                            .eq(TicketStatus::Active)
                            .or(tickets::status.eq(TicketStatus::Exhausted)),
                    )
                    .filter(tickets::valid_until_ms.le(now))
            }
            Some(s @ (TicketStatus::Active | TicketStatus::Exhausted)) => {
                q = q
                    .filter(tickets::status.eq(s))
                    .filter(tickets::valid_until_ms.gt(now))
            }
            Some(s) => q = q.filter(tickets::status.eq(s)),
            None => {}
        }
        if let Some(days) = f.expiring_within_days {
            q = q
                .filter(
                    tickets::status
                        .eq(TicketStatus::Active)
                        .or(tickets::status.eq(TicketStatus::Exhausted)),
                )
                .filter(tickets::valid_until_ms.gt(now))
                .filter(tickets::valid_until_ms.le(now + days * crate::domain::ticket::DAY_MS));
        }
        if let Some(h) = f.household_id {
            q = q.filter(tickets::household_id.eq(h));
        }
        q
    }};
}

/// One page of tickets, soonest expiry first, and how many match.
pub fn list(
    conn: &mut AnyConnection,
    f: &TicketFilter,
    now_ms: i64,
    page: PageRequest,
) -> QueryResult<(Vec<Ticket>, i64)> {
    let total = filtered!(f, now_ms).count().get_result(conn)?;
    let items = filtered!(f, now_ms)
        .order((tickets::valid_until_ms.asc(), tickets::id.asc()))
        .offset(page.offset())
        .limit(page.per_page())
        .select(Ticket::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// One ledger line as stored.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = ticket_entries)]
pub struct EntryRow {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: String,
    pub amount_yuan: i64,
    pub reservation_id: Option<i64>,
    pub developer_id: Option<i64>,
    pub bonus_pct: Option<i32>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub details: String,
    pub at_ms: i64,
    pub entry_day: i32,
}

/// A ticket's ledger, oldest first.
pub fn entries(conn: &mut AnyConnection, ticket_id: i64) -> QueryResult<Vec<EntryRow>> {
    ticket_entries::table
        .filter(ticket_entries::ticket_id.eq(ticket_id))
        .order(ticket_entries::id.asc())
        .select(EntryRow::as_select())
        .load(conn)
}
