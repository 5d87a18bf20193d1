//! Developers' webhooks and the outbox of deliveries to them: `enqueue` (inside the caller's
//! transaction), registration, the delivery worker's claim and result updates, and the list a
//! developer reads.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::json;

use super::audit::{self, AuditCtx};
use super::error::DbError;
use super::schema::{developer_webhooks, webhook_deliveries};
use super::{write_tx, AnyConnection};
use crate::domain::webhook::{DeliveryStatus, EVENTS};
use crate::domain::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = developer_webhooks)]
pub struct Webhook {
    pub developer_id: i64,
    pub url: String,
    /// the signing secret, encrypted with the data key (it is needed again to sign)
    pub secret_enc: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    pub developer_id: i64,
    pub event: String,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at_ms: i64,
    pub last_attempt_at_ms: Option<i64>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
}

impl Delivery {
    pub fn status(&self) -> DeliveryStatus {
        self.status
    }
}

#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
struct NewDelivery<'a> {
    developer_id: i64,
    event: &'a str,
    payload: String,
    status: &'static str,
    attempts: i32,
    next_attempt_at_ms: i64,
    created_at_ms: i64,
}

/// Queues `event` for the developer's webhook, if it has one; call it inside the transaction
/// that makes the change, so the notice exists exactly when the change does (the outbox).
/// `payload` must carry no personal data.
pub fn enqueue(
    conn: &mut AnyConnection,
    developer_id: i64,
    event: &str,
    payload: &serde_json::Value,
    now_ms: i64,
) -> QueryResult<()> {
    debug_assert!(EVENTS.contains(&event), "unknown webhook event {event}");
    let registered: i64 = developer_webhooks::table
        .filter(developer_webhooks::developer_id.eq(developer_id))
        .count()
        .get_result(conn)?;
    if registered == 0 {
        return Ok(());
    }
    diesel::insert_into(webhook_deliveries::table)
        .values(NewDelivery {
            developer_id,
            event,
            payload: payload.to_string(),
            status: DeliveryStatus::Pending.as_str(),
            attempts: 0,
            next_attempt_at_ms: now_ms,
            created_at_ms: now_ms,
        })
        .execute(conn)?;
    Ok(())
}

pub fn get_webhook(conn: &mut AnyConnection, developer_id: i64) -> QueryResult<Option<Webhook>> {
    developer_webhooks::table
        .find(developer_id)
        .select(Webhook::as_select())
        .first(conn)
        .optional()
}

/// Registers or replaces the developer's webhook (URL and secret); pending deliveries go to the
/// new URL, signed with the new secret.
pub fn set_webhook(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
    url: &str,
    secret_enc: &str,
) -> Result<Webhook, DbError> {
    write_tx(conn, |conn| {
        // one upsert statement valid on both backends (diesel's multi-backend has no
        // ON CONFLICT); `$n` parameters are positional on PostgreSQL and SQLite alike
        diesel::sql_query(
            "INSERT INTO developer_webhooks \
             (developer_id, url, secret_enc, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (developer_id) DO UPDATE SET \
             url = excluded.url, secret_enc = excluded.secret_enc, \
             updated_at_ms = excluded.updated_at_ms",
        )
        .bind::<BigInt, _>(developer_id)
        .bind::<Text, _>(url)
        .bind::<Text, _>(secret_enc)
        .bind::<BigInt, _>(ctx.now_ms)
        .execute(conn)?;
        audit::record(
            conn,
            ctx,
            "webhook.set",
            "developer",
            Some(developer_id),
            json!({ "url": url }),
        )?;
        Ok(get_webhook(conn, developer_id)?.expect("just written"))
    })
}

/// Removes the developer's webhook; its pending deliveries end `failed` (`webhook_removed`).
pub fn delete_webhook(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    developer_id: i64,
) -> Result<(), DbError> {
    use webhook_deliveries::dsl as d;
    write_tx(conn, |conn| {
        let removed = diesel::delete(developer_webhooks::table.find(developer_id)).execute(conn)?;
        if removed == 0 {
            return Err(DbError::not_found("webhook"));
        }
        let dropped = diesel::update(
            d::webhook_deliveries
                .filter(d::developer_id.eq(developer_id))
                .filter(d::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set((
            d::status.eq(DeliveryStatus::Failed.as_str()),
            d::last_error.eq("webhook_removed"),
            d::claim_token.eq(None::<String>),
            d::claimed_until_ms.eq(None::<i64>),
        ))
        .execute(conn)?;
        audit::record(
            conn,
            ctx,
            "webhook.delete",
            "developer",
            Some(developer_id),
            json!({ "pending_dropped": dropped }),
        )?;
        Ok(())
    })
}

/// One developer's deliveries, newest first.
pub fn list_deliveries(
    conn: &mut AnyConnection,
    developer_id: i64,
    status: Option<DeliveryStatus>,
    page: PageRequest,
) -> QueryResult<(Vec<Delivery>, i64)> {
    use webhook_deliveries::dsl as d;
    super::read_tx(conn, |conn| {
        let mut q = d::webhook_deliveries
            .filter(d::developer_id.eq(developer_id))
            .into_boxed();
        let mut count = d::webhook_deliveries
            .filter(d::developer_id.eq(developer_id))
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(d::status.eq(s.as_str()));
            count = count.filter(d::status.eq(s.as_str()));
        }
        let total = count.count().get_result(conn)?;
        let items = q
            .order(d::id.desc())
            .limit(page.per_page())
            .offset(page.offset())
            .select(Delivery::as_select())
            .load(conn)?;
        Ok((items, total))
    })
}

/// A delivery the worker has claimed, with where to send it (`None`: the webhook is gone).
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: Delivery,
    pub webhook: Option<Webhook>,
}

/// Claims up to `limit` due deliveries for `lease_ms` under `token` and counts the attempt.
/// The claim is a conditional UPDATE (still pending, due and unclaimed or with an expired
/// lease), so two instances on one database never hold the same row; `skip_developers` are
/// developers this worker already has enough requests in flight for.
pub fn claim_due(
    conn: &mut AnyConnection,
    token: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
    skip_developers: &[i64],
) -> QueryResult<Vec<Claimed>> {
    use webhook_deliveries::dsl as d;
    let pending = DeliveryStatus::Pending.as_str();
    let candidates: Vec<i64> = d::webhook_deliveries
        .filter(d::status.eq(pending))
        .filter(d::next_attempt_at_ms.le(now_ms))
        .filter(
            d::claimed_until_ms
                .is_null()
                .or(d::claimed_until_ms.lt(now_ms)),
        )
        .filter(d::developer_id.ne_all(skip_developers))
        .order((d::next_attempt_at_ms.asc(), d::id.asc()))
        .limit(limit)
        .select(d::id)
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let claimed = diesel::update(
        d::webhook_deliveries
            .filter(d::id.eq_any(&candidates))
            .filter(d::status.eq(pending))
            .filter(
                d::claimed_until_ms
                    .is_null()
                    .or(d::claimed_until_ms.lt(now_ms)),
            ),
    )
    .set((
        d::claim_token.eq(token),
        d::claimed_until_ms.eq(now_ms + lease_ms),
        d::attempts.eq(d::attempts + 1),
        d::last_attempt_at_ms.eq(now_ms),
    ))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(Vec::new());
    }
    let deliveries: Vec<Delivery> = d::webhook_deliveries
        .filter(d::claim_token.eq(token))
        .filter(d::status.eq(pending))
        .order(d::id.asc())
        .select(Delivery::as_select())
        .load(conn)?;
    let mut developer_ids: Vec<i64> = deliveries.iter().map(|x| x.developer_id).collect();
    developer_ids.sort_unstable();
    developer_ids.dedup();
    let webhooks: Vec<Webhook> = developer_webhooks::table
        .filter(developer_webhooks::developer_id.eq_any(&developer_ids))
        .select(Webhook::as_select())
        .load(conn)?;
    Ok(deliveries
        .into_iter()
        .map(|delivery| {
            let webhook = webhooks
                .iter()
                .find(|w| w.developer_id == delivery.developer_id)
                .cloned();
            Claimed { delivery, webhook }
        })
        .collect())
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered {
        status_code: i32,
    },
    /// try again at `retry_at_ms`, or give up (`failed`) when `None`
    Failed {
        status_code: Option<i32>,
        error: String,
        retry_at_ms: Option<i64>,
    },
}

#[derive(AsChangeset)]
#[diesel(table_name = webhook_deliveries, treat_none_as_null = true)]
struct AttemptChanges<'a> {
    status: &'static str,
    next_attempt_at_ms: i64,
    claim_token: Option<&'a str>,
    claimed_until_ms: Option<i64>,
    last_status_code: Option<i32>,
    last_error: Option<&'a str>,
    delivered_at_ms: Option<i64>,
}

/// Records the outcome of an attempt and releases the claim; a row whose claim was lost
/// meanwhile (lease expired, webhook removed) is left alone. Returns whether it was recorded.
pub fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    token: &str,
    outcome: &AttemptOutcome,
    now_ms: i64,
) -> QueryResult<bool> {
    use webhook_deliveries::dsl as d;
    let changes = match outcome {
        AttemptOutcome::Delivered { status_code } => AttemptChanges {
            status: DeliveryStatus::Delivered.as_str(),
            next_attempt_at_ms: now_ms,
            claim_token: None,
            claimed_until_ms: None,
            last_status_code: Some(*status_code),
            last_error: None,
            delivered_at_ms: Some(now_ms),
        },
        AttemptOutcome::Failed {
            status_code,
            error,
            retry_at_ms,
        } => AttemptChanges {
            status: match retry_at_ms {
                Some(_) => DeliveryStatus::Pending.as_str(),
                None => DeliveryStatus::Failed.as_str(),
            },
            next_attempt_at_ms: retry_at_ms.unwrap_or(now_ms),
            claim_token: None,
            claimed_until_ms: None,
            last_status_code: *status_code,
            last_error: Some(error),
            delivered_at_ms: None,
        },
    };
    let updated = diesel::update(
        d::webhook_deliveries
            .find(id)
            .filter(d::claim_token.eq(token)),
    )
    .set(changes)
    .execute(conn)?;
    Ok(updated == 1)
}
