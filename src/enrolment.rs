//! Enrolment of imported households: a voucher number and PIN for each, personal data
//! encrypted and masked, the ID number and name keyed-hashed. Shared by the import route and
//! `anju import-households`.

use crate::crypto::{hash_pin, DataCipher};
use crate::db::households::NewHousehold;
use crate::domain::household::{generate_pin, generate_voucher};
use crate::domain::mask::{mask_name, mask_phone};
use crate::upload::households::ParsedHousehold;

/// What the household is given once, on its slip.
#[derive(Debug, Clone)]
pub struct Slip {
    pub row: usize,
    pub voucher_no: String,
    pub pin: String,
    pub name_masked: String,
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
