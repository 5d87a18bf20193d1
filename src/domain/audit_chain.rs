//! The audit log's hash chain: every event carries the SHA-256 of a canonical encoding of all its
//! stored columns and of the previous event's hash, so changing, removing or reordering a stored
//! event breaks the chain at that event. Pure: `db::audit_chain` loads and stores, this decides.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Bumped if the encoding ever changes; part of every hash.
const DOMAIN_TAG: &[u8] = b"anju.audit_events.v1";

/// Every stored column of an event except the chain's own (`prev_hash`, `hash`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFields<'a> {
    pub seq: i64,
    pub id: i64,
    pub at_ms: i64,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: Option<i64>,
    pub request_id: Option<&'a str>,
    pub details: &'a str,
}

/// The hash of an event that follows `prev_hash`, as 64 lowercase hex digits. Each field is
/// written with a type tag and text with its length, so no two different events encode alike
/// (`("ab", "c")` and `("a", "bc")` differ, and so do `None` and `Some("")`).
pub fn event_hash(e: &EventFields<'_>, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG);
    let int = |h: &mut Sha256, v: i64| {
        h.update(b"i");
        h.update(v.to_be_bytes());
    };
    let text = |h: &mut Sha256, v: &str| {
        h.update(b"s");
        h.update((v.len() as u64).to_be_bytes());
        h.update(v.as_bytes());
    };
    int(&mut h, e.seq);
    int(&mut h, e.id);
    int(&mut h, e.at_ms);
    text(&mut h, e.actor_kind);
    match e.actor_id {
        Some(v) => int(&mut h, v),
        None => h.update(b"n"),
    }
    text(&mut h, e.action);
    text(&mut h, e.object_kind);
    match e.object_id {
        Some(v) => int(&mut h, v),
        None => h.update(b"n"),
    }
    match e.request_id {
        Some(v) => text(&mut h, v),
        None => h.update(b"n"),
    }
    text(&mut h, e.details);
    text(&mut h, prev_hash);
    hex::encode(h.finalize())
}

/// An event as stored, chain columns included.
#[derive(Debug, Clone, Copy)]
pub struct StoredEvent<'a> {
    pub fields: EventFields<'a>,
    pub prev_hash: Option<&'a str>,
    pub hash: Option<&'a str>,
}

/// What is wrong where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Events `from..=to` (by sequence) are not there: deleted.
    Missing { from: i64, to: i64 },
    /// The event has no hash: written outside the chain.
    Unsealed,
    /// `prev_hash` is not the hash of the event before: that one was replaced or reordered.
    PrevMismatch,
    /// The stored columns no longer give the stored hash: the event was changed.
    ContentMismatch,
}

/// The first broken link: the event where the chain stops holding, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub id: i64,
    pub seq: i64,
    pub action: String,
    pub problem: Problem,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let event = format!("event {} (seq {}, {})", self.id, self.seq, self.action);
        match &self.problem {
            Problem::Missing { from, to } if from == to => write!(
                f,
                "the event with seq {from} is missing (deleted): the chain jumps to {event}"
            ),
            Problem::Missing { from, to } => write!(
                f,
                "the events with seq {from} to {to} are missing (deleted): the chain jumps to {event}"
            ),
            Problem::Unsealed => write!(f, "{event} carries no hash: it was written outside the chain"),
            Problem::PrevMismatch => write!(
                f,
                "{event} does not follow the event before it (its prev_hash differs): that event was replaced"
            ),
            Problem::ContentMismatch => write!(
                f,
                "{event} does not match its hash: it was changed after it was written"
            ),
        }
    }
}

/// Walks the chain in sequence order: where it stands after the events checked so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub next_seq: i64,
    pub prev_hash: String,
    pub verified: u64,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            next_seq: 1,
            prev_hash: GENESIS.to_string(),
            verified: 0,
        }
    }
}

impl Cursor {
    /// Checks the next stored event (the one with the lowest sequence above the last checked).
    pub fn check(&mut self, e: &StoredEvent<'_>) -> Result<(), Break> {
        let f = &e.fields;
        let broken = |problem| Break {
            id: f.id,
            seq: f.seq,
            action: f.action.to_string(),
            problem,
        };
        if f.seq != self.next_seq {
            return Err(broken(Problem::Missing {
                from: self.next_seq,
                to: f.seq - 1,
            }));
        }
        let (Some(prev_hash), Some(hash)) = (e.prev_hash, e.hash) else {
            return Err(broken(Problem::Unsealed));
        };
        if prev_hash != self.prev_hash {
            return Err(broken(Problem::PrevMismatch));
        }
        if event_hash(f, prev_hash) != hash {
            return Err(broken(Problem::ContentMismatch));
        }
        self.next_seq += 1;
        self.prev_hash = hash.to_string();
        self.verified += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(seq: i64, details: &str) -> EventFields<'_> {
        EventFields {
            seq,
            id: seq + 100,
            at_ms: 1_700_000_000_000,
            actor_kind: "official",
            actor_id: Some(1),
            action: "unit.edit",
            object_kind: "unit",
            object_id: Some(7),
            request_id: None,
            details,
        }
    }

    fn chain(details: &[&'static str]) -> Vec<(EventFields<'static>, String, String)> {
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for (i, d) in details.iter().enumerate() {
            let f = fields(i as i64 + 1, d);
            let hash = event_hash(&f, &prev);
            out.push((f, prev.clone(), hash.clone()));
            prev = hash;
        }
        out
    }

    fn walk(events: &[(EventFields<'_>, String, String)]) -> Result<u64, Break> {
        let mut cursor = Cursor::default();
        for (f, prev, hash) in events {
            cursor.check(&StoredEvent {
                fields: *f,
                prev_hash: Some(prev),
                hash: Some(hash),
            })?;
        }
        Ok(cursor.verified)
    }

    #[test]
    fn the_hash_is_sha256_hex_and_changes_with_every_field() {
        let base = fields(1, "{}");
        let h = event_hash(&base, GENESIS);
        assert_eq!(h.len(), 64);
        assert!(h
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let variants = [
            EventFields { seq: 2, ..base },
            EventFields { id: 2, ..base },
            EventFields { at_ms: 1, ..base },
            EventFields {
                actor_kind: "developer",
                ..base
            },
            EventFields {
                actor_id: None,
                ..base
            },
            EventFields {
                action: "unit.add",
                ..base
            },
            EventFields {
                object_kind: "units",
                ..base
            },
            EventFields {
                object_id: None,
                ..base
            },
            EventFields {
                request_id: Some(""),
                ..base
            },
            EventFields {
                details: "{ }",
                ..base
            },
        ];
        for v in variants {
            assert_ne!(event_hash(&v, GENESIS), h, "{v:?}");
        }
        assert_ne!(event_hash(&base, &"1".repeat(64)), h);
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let a = EventFields {
            action: "ab",
            object_kind: "c",
            ..fields(1, "{}")
        };
        let b = EventFields {
            action: "a",
            object_kind: "bc",
            ..fields(1, "{}")
        };
        assert_ne!(event_hash(&a, GENESIS), event_hash(&b, GENESIS));
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(walk(&chain(&["{}", "{\"a\":1}", "{}"])), Ok(3));
        assert_eq!(walk(&[]), Ok(0));
    }

    #[test]
    fn a_changed_event_is_named() {
        let mut c = chain(&["{}", "{\"a\":1}", "{}"]);
        c[1].0.details = "{\"a\":2}";
        let e = walk(&c).unwrap_err();
        assert_eq!(
            (e.id, e.seq, e.problem.clone()),
            (102, 2, Problem::ContentMismatch)
        );
        assert!(
            e.to_string().contains("event 102 (seq 2, unit.edit)"),
            "{e}"
        );
    }

    #[test]
    fn a_deleted_event_is_named_by_its_sequence() {
        let mut c = chain(&["{}", "{}", "{}", "{}"]);
        c.remove(1);
        let e = walk(&c).unwrap_err();
        assert_eq!(e.problem, Problem::Missing { from: 2, to: 2 });
        assert_eq!(e.id, 103);
        assert!(e.to_string().contains("seq 2 is missing"), "{e}");
    }

    #[test]
    fn a_rehashed_event_breaks_the_link_after_it() {
        let mut c = chain(&["{}", "{}", "{}"]);
        c[1].0.details = "{\"forged\":true}";
        c[1].2 = event_hash(&c[1].0, &c[1].1);
        let e = walk(&c).unwrap_err();
        assert_eq!((e.seq, e.problem), (3, Problem::PrevMismatch));
    }

    #[test]
    fn an_event_without_a_hash_is_unsealed() {
        let c = chain(&["{}"]);
        let mut cursor = Cursor::default();
        let e = cursor
            .check(&StoredEvent {
                fields: c[0].0,
                prev_hash: None,
                hash: None,
            })
            .unwrap_err();
        assert_eq!(e.problem, Problem::Unsealed);
    }
}
