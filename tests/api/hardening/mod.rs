//! Issue 14's hardening, tried as an attacker would: credentials revoked and rotated, PIN guessing
//! against escalating lock-outs, household searches probed by ID ending, and connections that
//! stall or pile up.

mod connections;
mod credentials;
mod lockouts;
mod rotation;
mod searches;
