//! Background workers: the search indexer, the hold sweeper and the webhook delivery worker.

pub mod delivery;
pub mod indexer;
pub mod sweeper;
