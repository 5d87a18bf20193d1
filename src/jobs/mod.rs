//! Background workers: the search indexer, the hold sweeper, the webhook delivery worker, the
//! running totals' compactor and the retention pruner.

pub mod compactor;
pub mod delivery;
pub mod indexer;
pub mod pruner;
pub mod sweeper;
