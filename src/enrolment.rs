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

/// Prepares a checked table for [`Enrolment::store`]; `threads` and `progress` as in [`seal`].
pub fn prepare(
    table: HouseholdTable,
    cipher: &DataCipher,
    now_ms: i64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> Enrolment {
    let keys = id_keys(&table.ids, cipher);
    let (sealed, slips) = if table.errors.is_empty() {
        seal(&table.households, cipher, now_ms, threads, progress)
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

/// Seals every row, hashing the PINs on `threads` threads at once; `progress` is called with the
/// number of PINs hashed so far (argon2id takes ~10–30 ms a PIN, most of a sealing's time).
pub fn seal(
    rows: &[ParsedHousehold],
    cipher: &DataCipher,
    now_ms: i64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> (Vec<(usize, NewHousehold)>, Vec<Slip>) {
    let mut rng = rand::rngs::OsRng;
    let mut sealed = Vec::with_capacity(rows.len());
    let mut slips = Vec::with_capacity(rows.len());
    let mut vouchers = std::collections::HashSet::new();
    for p in rows {
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
                pin_hash: String::new(),
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
    }
    let pins: Vec<&str> = slips.iter().map(|s| s.pin.as_str()).collect();
    for ((_, row), hash) in sealed.iter_mut().zip(hash_pins(&pins, threads, progress)) {
        row.pin_hash = hash;
    }
    (sealed, slips)
}

/// The machine's cores: the threads a bulk enrolment hashes PINs on.
pub fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The argon2id hashes of `pins`, in order, computed on `threads` threads; `progress` gets the
/// count done so far (on the calling thread).
fn hash_pins(pins: &[&str], threads: usize, progress: &dyn Fn(u64)) -> Vec<String> {
    let threads = threads.clamp(1, pins.len().max(1));
    let per_thread = pins.len().div_ceil(threads).max(1);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let workers: Vec<_> = pins
            .chunks(per_thread)
            .map(|chunk| {
                let done = done_tx.clone();
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|pin| {
                            let hash = hash_pin(pin);
                            let _ = done.send(());
                            hash
                        })
                        .collect::<Vec<String>>()
                })
            })
            .collect();
        drop(done_tx);
        let mut n = 0;
        while done_rx.recv().is_ok() {
            n += 1;
            progress(n);
        }
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a PIN hashing thread panicked"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_hashed_on_several_threads_stay_in_order_and_are_counted() {
        let pins = ["123456", "654321", "000001", "999999", "424242"];
        let counted = std::sync::Mutex::new(Vec::new());
        let hashes = hash_pins(&pins, 2, &|n| counted.lock().unwrap().push(n));
        assert_eq!(hashes.len(), pins.len());
        for (pin, hash) in pins.iter().zip(&hashes) {
            assert!(crate::crypto::verify_pin(hash, pin), "{pin}");
        }
        assert_eq!(*counted.lock().unwrap(), vec![1, 2, 3, 4, 5]);
    }
}
