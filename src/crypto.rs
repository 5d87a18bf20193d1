//! Personal data at rest: encryption with XChaCha20-Poly1305 (`ANJU_DATA_KEY`; ciphertexts are
//! stored as hex of nonce ‖ ciphertext), keyed look-up hashes (HMAC-SHA256 under a key derived
//! from the data key) for de-duplication and search, and argon2id hashes of kiosk PINs. While a
//! data key is being replaced (`anju rotate-data-key`), the previous key
//! (`ANJU_DATA_KEY_PREVIOUS`) still decrypts and its look-up hashes still match.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct DataCipher {
    current: Keys,
    /// the key being replaced, readable until `anju rotate-data-key` has re-encrypted everything
    previous: Option<Keys>,
}

/// The cipher and look-up key one data key gives.
#[derive(Clone)]
struct Keys {
    cipher: XChaCha20Poly1305,
    lookup_key: [u8; 32],
}

impl Keys {
    fn new(key: &[u8; 32]) -> Self {
        let mut derive =
            <HmacSha256 as Mac>::new_from_slice(key).expect("hmac takes any key length");
        derive.update(b"anju look-up hash key v1");
        Keys {
            cipher: XChaCha20Poly1305::new(key.into()),
            lookup_key: derive.finalize().into_bytes().into(),
        }
    }

    fn lookup_hash(&self, kind: &str, value: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.lookup_key).expect("32-byte key");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn decrypt(&self, stored: &str) -> Result<String, DecryptError> {
        let bytes = hex::decode(stored).map_err(|_| DecryptError)?;
        if bytes.len() < 24 {
            return Err(DecryptError);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
}

impl std::fmt::Debug for DataCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataCipher(***)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("personal data could not be decrypted (wrong ANJU_DATA_KEY?)")]
pub struct DecryptError;

impl DataCipher {
    pub fn new(key: &[u8; 32]) -> Self {
        DataCipher {
            current: Keys::new(key),
            previous: None,
        }
    }

    /// The configured key, and the previous one while a rotation is under way.
    pub fn from_config(config: &crate::config::Config) -> Self {
        DataCipher {
            current: Keys::new(&config.data_key),
            previous: config.data_key_previous.as_ref().map(Keys::new),
        }
    }

    /// Adds the key being replaced: it still decrypts, and its look-up hashes still match.
    pub fn with_previous(mut self, previous: &[u8; 32]) -> Self {
        self.previous = Some(Keys::new(previous));
        self
    }

    pub fn has_previous(&self) -> bool {
        self.previous.is_some()
    }

    /// A keyed hash of `value` in the namespace `kind` (e.g. `id_number`), hex: equal inputs give
    /// equal hashes, and without the data key nobody can test a guess against it.
    pub fn lookup_hash(&self, kind: &str, value: &str) -> String {
        self.current.lookup_hash(kind, value)
    }

    /// Every hash `value` may be stored under: the current key's, then the previous key's.
    pub fn lookup_hashes(&self, kind: &str, value: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .map(|k| k.lookup_hash(kind, value))
            .collect()
    }

    pub fn encrypt(&self, plaintext: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .current
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("xchacha20poly1305 encryption cannot fail for in-memory data");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        hex::encode(out)
    }

    /// The plaintext under the current key or, failing that, the previous one.
    pub fn decrypt(&self, stored: &str) -> Result<String, DecryptError> {
        self.current
            .decrypt(stored)
            .or_else(|e| match &self.previous {
                Some(previous) => previous.decrypt(stored),
                None => Err(e),
            })
    }

    /// `Some(re-encrypted)` when `stored` is under the previous key, `None` when it is under the
    /// current one already; an error when neither key opens it.
    pub fn reseal(&self, stored: &str) -> Result<Option<String>, DecryptError> {
        if self.current.decrypt(stored).is_ok() {
            return Ok(None);
        }
        let previous = self.previous.as_ref().ok_or(DecryptError)?;
        Ok(Some(self.encrypt(&previous.decrypt(stored)?)))
    }
}

/// An argon2id hash (PHC string, fresh salt) of a kiosk PIN.
pub fn hash_pin(pin: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

/// `true` when `pin` matches the stored hash; an unreadable hash matches nothing.
pub fn verify_pin(stored: &str, pin: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks `pin` against a hash no voucher has, with the same argon2 work as [`verify_pin`]: what a
/// log-in with an unknown voucher spends, so that its answer takes as long as a wrong PIN's.
pub fn verify_pin_of_nobody(pin: &str) -> bool {
    static NOBODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = NOBODY.get_or_init(|| hash_pin("no voucher has this pin"));
    let _ = verify_pin(stored, pin);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn during_a_rotation_both_keys_open_and_reseal_moves_data_to_the_new_one() {
        let old = DataCipher::new(&[7u8; 32]);
        let stored = old.encrypt("张小明");
        let both = DataCipher::new(&[8u8; 32]).with_previous(&[7u8; 32]);
        assert_eq!(both.decrypt(&stored).unwrap(), "张小明");
        let resealed = both
            .reseal(&stored)
            .unwrap()
            .expect("was under the old key");
        assert!(both.reseal(&resealed).unwrap().is_none());
        assert_eq!(
            DataCipher::new(&[8u8; 32]).decrypt(&resealed).unwrap(),
            "张小明"
        );
        assert!(old.decrypt(&resealed).is_err());
        assert_eq!(
            both.lookup_hashes("name", "张小明"),
            [
                DataCipher::new(&[8u8; 32]).lookup_hash("name", "张小明"),
                old.lookup_hash("name", "张小明")
            ]
        );
        assert!(DataCipher::new(&[9u8; 32]).reseal(&stored).is_err());
    }

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let c = DataCipher::new(&[7u8; 32]);
        let stored = c.encrypt("13812345678");
        assert!(!stored.contains("13812345678"));
        assert_ne!(stored, c.encrypt("13812345678"), "fresh nonce every time");
        assert_eq!(c.decrypt(&stored).unwrap(), "13812345678");
        assert!(DataCipher::new(&[8u8; 32]).decrypt(&stored).is_err());
    }

    #[test]
    fn lookup_hashes_are_keyed_and_namespaced() {
        let c = DataCipher::new(&[7u8; 32]);
        let h = c.lookup_hash("id_number", "11010519491231002X");
        assert_eq!(h, c.lookup_hash("id_number", "11010519491231002X"));
        assert_ne!(h, c.lookup_hash("name", "11010519491231002X"));
        assert_ne!(
            h,
            DataCipher::new(&[8u8; 32]).lookup_hash("id_number", "11010519491231002X")
        );
        assert_eq!(h.len(), 64);
    }

    #[test]
    fn pins_are_argon2id_hashed() {
        let stored = hash_pin("123456");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_pin(&stored, "123456"));
        assert!(!verify_pin(&stored, "123457"));
        assert!(!verify_pin("garbage", "123456"));
    }
}
