//! Bearer tokens: official tokens (`ot_`), developer keys (`dk_`), kiosk sessions (`ks_`); random,
//! shown once, stored only as a SHA-256 hash (they carry 192 bits of entropy, so a fast hash is
//! enough; argon2 is kept for low-entropy secrets such as PINs).

use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Official,
    Developer,
    Kiosk,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Official => "ot_",
            TokenKind::Developer => "dk_",
            TokenKind::Kiosk => "ks_",
        }
    }

    pub fn generate(self) -> String {
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        format!("{}{}", self.prefix(), hex::encode(bytes))
    }

    pub fn of(token: &str) -> Option<TokenKind> {
        [TokenKind::Official, TokenKind::Developer, TokenKind::Kiosk]
            .into_iter()
            .find(|k| token.starts_with(k.prefix()))
    }
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The part of a key that may be shown later to tell keys apart (`dk_1a2b3c…`).
pub fn display_prefix(token: &str) -> String {
    token.chars().take(9).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_carry_their_kind_and_differ() {
        let a = TokenKind::Developer.generate();
        let b = TokenKind::Developer.generate();
        assert!(a.starts_with("dk_") && a.len() == 51);
        assert_ne!(a, b);
        assert_eq!(TokenKind::of(&a), Some(TokenKind::Developer));
        assert_eq!(TokenKind::of("xx_123"), None);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
