//! Selection rounds (选房批次): members, their order (by signing time at creation, or by the
//! verifiable lottery at the draw), open / close and the call-up pointer that only moves forward.

use diesel::prelude::*;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::schema::{households, round_members, rounds};
use super::{write_tx, AnyConnection};
use crate::domain::refusal::RefusalKind;
use crate::domain::selection::{lottery_order, seed_commitment, Ordering, RoundStatus};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rounds)]
pub struct Round {
    pub id: i64,
    pub name: String,
    pub ordering: String,
    pub seed_sha256: Option<String>,
    pub seed: Option<String>,
    pub status: RoundStatus,
    pub ordered: bool,
    pub called_up_to: i32,
    pub created_by_official_id: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Round {
    pub fn status(&self) -> RoundStatus {
        self.status
    }
}

/// Who a new round is for.
#[derive(Debug, Clone)]
pub enum Members {
    Households(Vec<i64>),
    ExpropriationProject(String),
}

#[derive(Insertable)]
#[diesel(table_name = rounds)]
struct NewRound<'a> {
    name: &'a str,
    ordering: &'a str,
    seed_sha256: Option<&'a str>,
    status: &'a str,
    ordered: bool,
    called_up_to: i32,
    created_by_official_id: Option<i64>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

#[derive(Insertable)]
#[diesel(table_name = round_members)]
struct NewMember {
    round_id: i64,
    household_id: i64,
    position: Option<i32>,
}

fn invalid(message: impl Into<String>) -> DbError {
    DbError::validation(vec![crate::domain::FieldError::new(
        "household_ids",
        message,
    )])
}

/// Creates a round of hall households; a signing-time round is ordered at once (signing time,
/// ties by household id).
pub fn create(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    official_id: i64,
    name: &str,
    ordering: Ordering,
    seed_sha256: Option<&str>,
    members: &Members,
) -> Result<Round, DbError> {
    write_tx(conn, |conn| {
        let mut q = households::table
            .filter(households::method.eq("hall"))
            .into_boxed();
        q = match members {
            Members::Households(ids) => q.filter(households::id.eq_any(ids.clone())),
            Members::ExpropriationProject(p) => {
                q.filter(households::expropriation_project.eq(p.clone()))
            }
        };
        let found: Vec<(i64, i64)> = q
            .order((households::signed_at_ms.asc(), households::id.asc()))
            .select((households::id, households::signed_at_ms))
            .load(conn)?;
        if let Members::Households(ids) = members {
            let missing: Vec<i64> = ids
                .iter()
                .filter(|id| !found.iter().any(|(f, _)| f == *id))
                .copied()
                .collect();
            if !missing.is_empty() {
                return Err(invalid(format!(
                    "no hall household (选购大厅) with id {missing:?}"
                )));
            }
        }
        if found.is_empty() {
            return Err(invalid("the round would have no hall households"));
        }
        let signing = ordering == Ordering::SigningTime;
        let new = NewRound {
            name,
            ordering: ordering.as_str(),
            seed_sha256,
            status: RoundStatus::Created.as_str(),
            ordered: signing,
            called_up_to: 0,
            created_by_official_id: Some(official_id),
            created_at_ms: ctx.now_ms,
            updated_at_ms: ctx.now_ms,
        };
        let id: i64 = (diesel::insert_into(rounds::table)
            .values(&new)
            .returning(rounds::id)
            .get_result(conn))?;
        let rows: Vec<NewMember> = found
            .iter()
            .enumerate()
            .map(|(i, (household_id, _))| NewMember {
                round_id: id,
                household_id: *household_id,
                position: signing.then_some(i as i32 + 1),
            })
            .collect();
        for chunk in rows.chunks(1_000) {
            super::insert_rows(conn, round_members::table, chunk)?;
        }
        audit::record(
            conn,
            ctx,
            "round.create",
            "round",
            Some(id),
            serde_json::json!({ "name": name, "ordering": ordering.as_str(),
                                "seed_sha256": seed_sha256, "households": found.len() }),
        )?;
        Ok(get(conn, id)?.expect("just inserted"))
    })
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Round>> {
    let found = rounds::table
        .find(id)
        .select(Round::as_select())
        .first(conn)
        .optional();
    crate::db::in_row(found, "rounds", id)
}

pub fn list(conn: &mut AnyConnection) -> QueryResult<Vec<Round>> {
    rounds::table
        .order(rounds::id.desc())
        .select(Round::as_select())
        .load(conn)
}

/// The household ids of a round in call-up order (empty until a lottery is drawn).
pub fn order(conn: &mut AnyConnection, round_id: i64) -> QueryResult<Vec<i64>> {
    round_members::table
        .filter(round_members::round_id.eq(round_id))
        .filter(round_members::position.is_not_null())
        .order(round_members::position.asc())
        .select(round_members::household_id)
        .load(conn)
}

pub fn size(conn: &mut AnyConnection, round_id: i64) -> QueryResult<i64> {
    round_members::table
        .filter(round_members::round_id.eq(round_id))
        .count()
        .get_result(conn)
}

fn locked(conn: &mut AnyConnection, id: i64) -> Result<Round, DbError> {
    super::lock_row(conn, "rounds", id)?;
    get(conn, id)?.ok_or_else(|| DbError::not_found("round"))
}

/// Reveals a lottery round's seed: it must hash to the commitment; the order is docs/domain.md's
/// shuffle of the member ids. Only once.
pub fn draw(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    seed: &str,
) -> Result<Round, DbError> {
    write_tx(conn, |conn| {
        let round = locked(conn, id)?;
        if round.ordering != Ordering::Lottery.as_str() {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "only a lottery round is drawn; a signing-time round is ordered at creation",
            ));
        }
        if round.ordered {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "the round has been drawn already",
            ));
        }
        if round.seed_sha256.as_deref() != Some(seed_commitment(seed).as_str()) {
            return Err(DbError::new(
                RefusalKind::SeedMismatch,
                "sha256 of this seed is not the commitment made when the round was created",
            ));
        }
        let members: Vec<i64> = round_members::table
            .filter(round_members::round_id.eq(id))
            .select(round_members::household_id)
            .load(conn)?;
        for (i, household_id) in lottery_order(seed, &members).into_iter().enumerate() {
            diesel::update(
                round_members::table
                    .filter(round_members::round_id.eq(id))
                    .filter(round_members::household_id.eq(household_id)),
            )
            .set(round_members::position.eq(i as i32 + 1))
            .execute(conn)?;
        }
        diesel::update(rounds::table.find(id))
            .set((
                rounds::seed.eq(seed),
                rounds::ordered.eq(true),
                rounds::updated_at_ms.eq(ctx.now_ms),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            ctx,
            "round.draw",
            "round",
            Some(id),
            serde_json::json!({ "seed": seed }),
        )?;
        Ok(get(conn, id)?.expect("exists"))
    })
}

/// Opens or closes a round; a round opens only once it has an order.
pub fn set_status(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    to: RoundStatus,
) -> Result<Round, DbError> {
    write_tx(conn, |conn| {
        let round = locked(conn, id)?;
        let from = round.status();
        if !from.can_become(to) {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                format!("a {} round cannot become {}", from.as_str(), to.as_str()),
            ));
        }
        if to == RoundStatus::Open && !round.ordered {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "draw the lottery before opening the round",
            ));
        }
        diesel::update(
            rounds::table
                .find(id)
                .filter(rounds::status.eq(from.as_str())),
        )
        .set((
            rounds::status.eq(to.as_str()),
            rounds::updated_at_ms.eq(ctx.now_ms),
        ))
        .execute(conn)?;
        let action = if to == RoundStatus::Open {
            "round.open"
        } else {
            "round.close"
        };
        audit::record(
            conn,
            ctx,
            action,
            "round",
            Some(id),
            serde_json::json!({ "from": from.as_str() }),
        )?;
        Ok(get(conn, id)?.expect("exists"))
    })
}

/// Moves the call-up pointer (叫号) forward to `up_to` (at most the round's size).
pub fn call(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: i64,
    up_to: i64,
) -> Result<Round, DbError> {
    write_tx(conn, |conn| {
        let round = locked(conn, id)?;
        if !round.ordered {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                "the round has no order yet",
            ));
        }
        let size = size(conn, id)?;
        if up_to < i64::from(round.called_up_to) {
            return Err(DbError::new(
                RefusalKind::InvalidTransition,
                format!(
                    "the call-up pointer only moves forward (it is at {})",
                    round.called_up_to
                ),
            ));
        }
        if up_to > size {
            return Err(DbError::validation(vec![crate::domain::FieldError::new(
                "up_to",
                format!("the round has {size} households"),
            )]));
        }
        diesel::update(rounds::table.find(id))
            .set((
                rounds::called_up_to.eq(up_to as i32),
                rounds::updated_at_ms.eq(ctx.now_ms),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            ctx,
            "round.call",
            "round",
            Some(id),
            serde_json::json!({ "from": round.called_up_to, "up_to": up_to }),
        )?;
        Ok(get(conn, id)?.expect("exists"))
    })
}

/// The household's places in rounds: `(round, position)`.
pub fn memberships(
    conn: &mut AnyConnection,
    household_id: i64,
) -> QueryResult<Vec<(Round, Option<i32>)>> {
    rounds::table
        .inner_join(round_members::table)
        .filter(round_members::household_id.eq(household_id))
        .order(rounds::id.desc())
        .select((Round::as_select(), round_members::position))
        .load(conn)
}
