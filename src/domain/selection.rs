//! Selection rules: the verifiable lottery of docs/domain.md, round and reservation states, and when a
//! voucher or a hold runs out.

use sha2::{Digest, Sha256};

/// `sha256(seed)` as lowercase hex: what an official commits to when creating a lottery round.
pub fn seed_commitment(seed: &str) -> String {
    hex::encode(Sha256::digest(seed.as_bytes()))
}

/// A commitment as given: 64 hex characters (any case), returned lowercase.
pub fn parse_commitment(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

/// docs/domain.md's shuffle: ids ascending, then for i from n−1 down to 1 swap ids[i] with ids[j],
/// j = (first 8 bytes of SHA-256(seed ":" i), big-endian) mod (i + 1).
pub fn lottery_order(seed: &str, household_ids: &[i64]) -> Vec<i64> {
    let mut ids = household_ids.to_vec();
    ids.sort_unstable();
    for i in (1..ids.len()).rev() {
        let h = Sha256::digest(format!("{seed}:{i}").as_bytes());
        let first8: [u8; 8] = h[..8].try_into().expect("32-byte digest");
        let j = (u64::from_be_bytes(first8) % (i as u64 + 1)) as usize;
        ids.swap(i, j);
    }
    ids
}

crate::domain::status::string_enum!(RoundStatus { Created => "created", Open => "open", Closed => "closed" });
crate::domain::status::string_enum!(Ordering { SigningTime => "signing_time", Lottery => "lottery" });
crate::domain::status::string_enum!(ReservationStatus {
    Held => "held",
    Confirmed => "confirmed",
    Contracted => "contracted",
    Expired => "expired",
    Released => "released",
    Cancelled => "cancelled",
    Rescinded => "rescinded",
});

impl RoundStatus {
    /// `created → open ⇄ closed`: a closed round may reopen, so households that missed their
    /// turn keep their right (顺延).
    pub fn can_become(self, to: RoundStatus) -> bool {
        use RoundStatus::*;
        matches!(
            (self, to),
            (Created, Open) | (Open, Closed) | (Closed, Open)
        )
    }
}

/// The last moment a voucher allows a new hold.
pub fn voucher_valid_until_ms(signed_at_ms: i64, validity_days: i64) -> i64 {
    signed_at_ms + validity_days * 86_400_000
}

/// Whether a hold has run out at `now_ms` (a hold is live strictly before its expiry).
pub fn hold_expired(expires_at_ms: i64, now_ms: i64) -> bool {
    now_ms >= expires_at_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lottery_matches_domain_md_s_example() {
        assert_eq!(lottery_order("abc", &[1, 3, 5, 7, 9]), [9, 1, 3, 5, 7]);
        assert_eq!(
            lottery_order("abc", &[9, 7, 5, 3, 1]),
            [9, 1, 3, 5, 7],
            "input order is irrelevant"
        );
        assert_eq!(lottery_order("x", &[]), Vec::<i64>::new());
        assert_eq!(lottery_order("x", &[4]), [4]);
        let mut a = lottery_order("seed-1", &(1..=100).collect::<Vec<_>>());
        assert_ne!(a, (1..=100).collect::<Vec<_>>());
        a.sort_unstable();
        assert_eq!(a, (1..=100).collect::<Vec<_>>(), "a permutation");
    }

    #[test]
    fn commitments_are_sha256_hex() {
        assert_eq!(
            seed_commitment("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            parse_commitment(&seed_commitment("abc").to_uppercase()),
            Some(seed_commitment("abc"))
        );
        assert_eq!(parse_commitment("abc"), None);
    }

    #[test]
    fn rounds_reopen_but_never_go_back_to_created() {
        use RoundStatus::*;
        assert!(Created.can_become(Open) && Open.can_become(Closed) && Closed.can_become(Open));
        assert!(!Created.can_become(Closed) && !Open.can_become(Created));
        assert!(hold_expired(1_000, 1_000) && !hold_expired(1_000, 999));
        assert_eq!(voucher_valid_until_ms(0, 1), 86_400_000);
    }
}
