//! Encryption of personal data at rest with XChaCha20-Poly1305 (`ANJU_DATA_KEY`); ciphertexts are
//! stored as hex of nonce ‖ ciphertext.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

#[derive(Clone)]
pub struct DataCipher {
    cipher: XChaCha20Poly1305,
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
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    pub fn encrypt(&self, plaintext: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("xchacha20poly1305 encryption cannot fail for in-memory data");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        hex::encode(out)
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, DecryptError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let c = DataCipher::new(&[7u8; 32]);
        let stored = c.encrypt("13812345678");
        assert!(!stored.contains("13812345678"));
        assert_ne!(stored, c.encrypt("13812345678"), "fresh nonce every time");
        assert_eq!(c.decrypt(&stored).unwrap(), "13812345678");
        assert!(DataCipher::new(&[8u8; 32]).decrypt(&stored).is_err());
    }
}
