//! Background workers: the search indexer, the hold sweeper, the webhook delivery worker and the
//! running totals' compactor.

pub mod compactor;
pub mod delivery;
pub mod indexer;
pub mod sweeper;
