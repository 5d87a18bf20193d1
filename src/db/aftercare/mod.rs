//! After the pick (docs/aftercare.md): public notices and objections (`notices`), handover with
//! the area difference, rescission and move-in (`handover`).

pub mod handover;
pub mod notices;
