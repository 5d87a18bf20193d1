//! After the pick: notices and objections, proxies, call-up and no-shows, handover, move-in.

mod figures;
mod handover;
mod notices;
