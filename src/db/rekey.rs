//! Re-encrypts personal data under the current data key (`anju rotate-data-key`), one batch per
//! short transaction so that the running service keeps writing in between: households' names, ID
//! numbers and phones (with their look-up hashes), developers' contacts, webhook secrets. Each row
//! is rewritten only if it still holds what was read (a compare-and-set), so a value the service
//! changed meanwhile is never overwritten; rows already under the current key are left alone.

use diesel::prelude::*;

use super::error::{DbError, DbResult};
use super::schema::{developer_webhooks, developers, households};
use super::{write_tx, AnyConnection};
use crate::crypto::DataCipher;

/// The tables holding encrypted data, in the order they are re-encrypted.
pub const TABLES: [&str; 3] = ["households", "developers", "developer_webhooks"];

/// One batch's outcome: the last key seen (`None` once the table is done), rows read, rows
/// re-encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub last: Option<i64>,
    pub read: usize,
    pub changed: usize,
}

/// Rows with encrypted data in all the tables: the length of the progress bar.
pub fn rows_to_visit(conn: &mut AnyConnection) -> QueryResult<i64> {
    let h: i64 = households::table.count().get_result(conn)?;
    let d: i64 = developers::table.count().get_result(conn)?;
    let w: i64 = developer_webhooks::table.count().get_result(conn)?;
    Ok(h + d + w)
}

fn reseal(cipher: &DataCipher, stored: &str, what: &str, id: i64) -> DbResult<Option<String>> {
    cipher
        .reseal(stored)
        .map_err(|e| DbError::broken(anyhow::anyhow!("{what} of row {id}: {e}")))
}

/// Re-encrypts the next `limit` rows of `table` whose key is above `after`.
pub fn rekey_batch(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    table: &str,
    after: i64,
    limit: i64,
) -> DbResult<Batch> {
    write_tx(conn, |conn| match table {
        "households" => households_batch(conn, cipher, after, limit),
        "developers" => developers_batch(conn, cipher, after, limit),
        "developer_webhooks" => webhooks_batch(conn, cipher, after, limit),
        other => Err(DbError::broken(anyhow::anyhow!(
            "no encrypted table {other}"
        ))),
    })
}

fn batch(ids: &[i64], limit: i64, changed: usize) -> Batch {
    Batch {
        last: (ids.len() as i64 == limit).then(|| ids[ids.len() - 1]),
        read: ids.len(),
        changed,
    }
}

fn households_batch(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    after: i64,
    limit: i64,
) -> DbResult<Batch> {
    let rows: Vec<(i64, String, String, String)> = households::table
        .filter(households::id.gt(after))
        .order(households::id.asc())
        .limit(limit)
        .select((
            households::id,
            households::name_enc,
            households::id_number_enc,
            households::phone_enc,
        ))
        .load(conn)?;
    let mut changed = 0;
    for (id, name, id_number, phone) in &rows {
        let sealed = (
            reseal(cipher, name, "name", *id)?,
            reseal(cipher, id_number, "ID number", *id)?,
            reseal(cipher, phone, "phone", *id)?,
        );
        if sealed == (None, None, None) {
            continue;
        }
        let plain = |s: &str| {
            cipher
                .decrypt(s)
                .map_err(|e| DbError::broken(anyhow::anyhow!("household {id}: {e}")))
        };
        let (name_plain, id_plain) = (plain(name)?, plain(id_number)?);
        changed += diesel::update(
            households::table
                .find(id)
                .filter(households::name_enc.eq(name))
                .filter(households::id_number_enc.eq(id_number))
                .filter(households::phone_enc.eq(phone)),
        )
        .set((
            households::name_enc.eq(sealed.0.unwrap_or_else(|| name.clone())),
            households::id_number_enc.eq(sealed.1.unwrap_or_else(|| id_number.clone())),
            households::phone_enc.eq(sealed.2.unwrap_or_else(|| phone.clone())),
            households::name_hmac.eq(cipher.lookup_hash("name", &name_plain)),
            households::id_number_hmac.eq(cipher.lookup_hash("id_number", &id_plain)),
        ))
        .execute(conn)?;
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    Ok(batch(&ids, limit, changed))
}

fn developers_batch(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    after: i64,
    limit: i64,
) -> DbResult<Batch> {
    let rows: Vec<(i64, String, String)> = developers::table
        .filter(developers::id.gt(after))
        .order(developers::id.asc())
        .limit(limit)
        .select((
            developers::id,
            developers::contact_name_enc,
            developers::contact_phone_enc,
        ))
        .load(conn)?;
    let mut changed = 0;
    for (id, name, phone) in &rows {
        let sealed = (
            reseal(cipher, name, "contact name", *id)?,
            reseal(cipher, phone, "contact phone", *id)?,
        );
        if sealed == (None, None) {
            continue;
        }
        changed += diesel::update(
            developers::table
                .find(id)
                .filter(developers::contact_name_enc.eq(name))
                .filter(developers::contact_phone_enc.eq(phone)),
        )
        .set((
            developers::contact_name_enc.eq(sealed.0.unwrap_or_else(|| name.clone())),
            developers::contact_phone_enc.eq(sealed.1.unwrap_or_else(|| phone.clone())),
        ))
        .execute(conn)?;
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    Ok(batch(&ids, limit, changed))
}

fn webhooks_batch(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    after: i64,
    limit: i64,
) -> DbResult<Batch> {
    let rows: Vec<(i64, String)> = developer_webhooks::table
        .filter(developer_webhooks::developer_id.gt(after))
        .order(developer_webhooks::developer_id.asc())
        .limit(limit)
        .select((
            developer_webhooks::developer_id,
            developer_webhooks::secret_enc,
        ))
        .load(conn)?;
    let mut changed = 0;
    for (id, secret) in &rows {
        if let Some(sealed) = reseal(cipher, secret, "webhook secret", *id)? {
            changed += diesel::update(
                developer_webhooks::table
                    .find(id)
                    .filter(developer_webhooks::secret_enc.eq(secret)),
            )
            .set(developer_webhooks::secret_enc.eq(sealed))
            .execute(conn)?;
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    Ok(batch(&ids, limit, changed))
}

/// What a whole re-encryption did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rekeyed {
    pub visited: usize,
    pub changed: usize,
}

/// Re-encrypts every table in batches of `limit`, reporting the rows visited so far to
/// `progress`; records `data_key.rotated` in the audit trail at the end. Safe to run again, and
/// alongside a running service that has both keys.
pub fn rekey_all(
    conn: &mut AnyConnection,
    cipher: &DataCipher,
    limit: i64,
    now_ms: i64,
    progress: &dyn Fn(usize),
) -> DbResult<Rekeyed> {
    let mut done = Rekeyed::default();
    for table in TABLES {
        let mut after = 0;
        loop {
            let b = rekey_batch(conn, cipher, table, after, limit)?;
            done.visited += b.read;
            done.changed += b.changed;
            progress(done.visited);
            match b.last {
                Some(last) => after = last,
                None => break,
            }
        }
    }
    let ctx = super::audit::AuditCtx {
        actor: super::audit::Actor::System,
        request_id: None,
        now_ms,
    };
    write_tx(conn, |conn| {
        super::audit::record(
            conn,
            &ctx,
            "data_key.rotated",
            "service",
            None,
            serde_json::json!({ "visited": done.visited, "re_encrypted": done.changed }),
        )
        .map_err(DbError::from)
    })?;
    Ok(done)
}
