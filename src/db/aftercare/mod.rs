//! After the pick (docs/aftercare.md): public notices and objections (`notices`).

pub mod notices;
