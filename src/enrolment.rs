//! Enrolment of imported households: a voucher number and PIN for each, personal data
//! encrypted and masked, the ID number and name keyed-hashed. Shared by the import route and
//! `anju import-households`.

use crate::crypto::{hash_pin, DataCipher};
use crate::db::audit::AuditCtx;
use crate::db::error::DbError;
use crate::db::households::{IdKey, NewHousehold};
use crate::db::AnyConnection;
use crate::domain::household::{generate_pin, generate_voucher, IdNumber};
use crate::domain::mask::{mask_name, mask_phone};
use crate::upload::households::{HouseholdTable, ParsedHousehold};
use crate::upload::RowError;

/// What the household is given once, on its slip.
#[derive(Debug, Clone)]
pub struct Slip {
    pub row: usize,
    pub voucher_no: String,
    pub pin: String,
    pub name_masked: String,
}

/// A checked household table made ready to store: every row's ID-number key for the check
/// against registered households, the table's format errors, and — only when there are none —
/// the sealed rows with their slips (sealing hashes a PIN per row, wasted on a rejected file).
/// No `Debug`: the slips hold PINs.
pub struct Enrolment {
    pub keys: Vec<IdKey>,
    pub errors: Vec<RowError>,
    pub sealed: Vec<(usize, NewHousehold)>,
    pub slips: Vec<Slip>,
}

impl Enrolment {
    /// Stores the households, or rejects the import naming every format error and every
    /// already-registered ID number together; returns the new ids in row order.
    pub fn store(&self, conn: &mut AnyConnection, ctx: &AuditCtx) -> Result<Vec<i64>, DbError> {
        crate::db::households::import(conn, ctx, &self.keys, &self.errors, &self.sealed)
    }
}

/// Prepares a checked table for [`Enrolment::store`]; `progress` as in [`seal`].
pub fn prepare(
    table: HouseholdTable,
    cipher: &DataCipher,
    now_ms: i64,
    progress: &dyn Fn(u64),
) -> Enrolment {
    let keys = id_keys(&table.ids, cipher);
    let (sealed, slips) = if table.errors.is_empty() {
        seal(&table.households, cipher, now_ms, progress)
    } else {
        (Vec::new(), Vec::new())
    };
    Enrolment {
        keys,
        errors: table.errors,
        sealed,
        slips,
    }
}

/// The keyed hashes (two while a data key is being replaced) and masked form of each row's ID
/// number.
pub fn id_keys(ids: &[(usize, IdNumber)], cipher: &DataCipher) -> Vec<IdKey> {
    ids.iter()
        .map(|(row, id)| IdKey {
            row: *row,
            hmacs: cipher.lookup_hashes("id_number", id.as_str()),
            masked: id.masked(),
        })
        .collect()
}

/// Seals every row; `progress` is called after each (PIN hashing with argon2id takes ~10–30 ms).
pub fn seal(
    rows: &[ParsedHousehold],
    cipher: &DataCipher,
    now_ms: i64,
    progress: &dyn Fn(u64),
) -> (Vec<(usize, NewHousehold)>, Vec<Slip>) {
    let mut rng = rand::rngs::OsRng;
    let mut sealed = Vec::with_capacity(rows.len());
    let mut slips = Vec::with_capacity(rows.len());
    let mut vouchers = std::collections::HashSet::new();
    for (i, p) in rows.iter().enumerate() {
        let h = &p.household;
        let voucher_no = loop {
            let v = generate_voucher(&mut rng);
            if vouchers.insert(v.clone()) {
                break v;
            }
        };
        let pin = generate_pin(&mut rng);
        let name_masked = mask_name(&h.name);
        sealed.push((
            p.row,
            NewHousehold {
                name_enc: cipher.encrypt(&h.name),
                name_masked: name_masked.clone(),
                name_hmac: cipher.lookup_hash("name", &h.name),
                id_number_enc: cipher.encrypt(h.id_number.as_str()),
                id_number_masked: h.id_number.masked(),
                id_number_hmac: cipher.lookup_hash("id_number", h.id_number.as_str()),
                phone_enc: cipher.encrypt(&h.phone),
                phone_masked: mask_phone(&h.phone),
                expropriation_project: h.expropriation_project.clone(),
                origin_area_centi_m2: h.origin_area_centi,
                remaining_origin_area_centi_m2: h.origin_area_centi,
                origin_zone: h.origin_zone.get() as i32,
                assessed_price_yuan_per_m2: h.assessed_price_yuan_per_m2,
                signed_at_ms: h.signed_at_ms,
                family_size: h.family_size,
                method: h.method.as_str().to_string(),
                voucher_no: voucher_no.clone(),
                pin_hash: hash_pin(&pin),
                login_failures: 0,
                created_at_ms: now_ms,
                updated_at_ms: now_ms,
            },
        ));
        slips.push(Slip {
            row: p.row,
            voucher_no,
            pin,
            name_masked,
        });
        progress(i as u64 + 1);
    }
    (sealed, slips)
}
