//! The upkeep subcommands: `anju audit verify` (walk the audit log's hash chain) and `anju prune`
//! (one pass of the retention job).

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::startup::open_database;

/// Checks the audit chain from its first event; prints how many events hold and the head, or
/// fails naming the first broken event.
pub fn audit_verify(config: &Config, batch: i64) -> anyhow::Result<()> {
    if !(1..=100_000).contains(&batch) {
        anyhow::bail!("--batch must be from 1 to 100000");
    }
    let pool = open_database(config, SystemClock.now_ms())?;
    let mut conn = pool.get()?;
    let total = crate::db::audit_chain::count(&mut conn)?;
    let bar = indicatif::ProgressBar::new(total.max(0) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta} left)")
            .expect("static template"),
    );
    bar.set_message("verifying the audit chain");
    let found = crate::db::audit_chain::verify(&mut conn, batch, &mut |n| bar.set_position(n))?;
    bar.finish_and_clear();
    if let Some(broken) = found.broken {
        anyhow::bail!(
            "audit chain broken after {} intact events: {broken}",
            found.verified
        );
    }
    match found.head {
        Some((seq, hash)) => println!(
            "audit chain intact: {} events verified; head seq {seq}, hash {hash}",
            found.verified
        ),
        None => println!("audit chain intact: 0 events verified (the log is empty)"),
    }
    Ok(())
}

/// Deletes what is past its retention now, as the pruning job does, and says how much.
pub fn prune(config: &Config) -> anyhow::Result<()> {
    let pool = open_database(config, SystemClock.now_ms())?;
    let pruned = crate::jobs::pruner::prune_once(&pool, SystemClock.now_ms(), &config.retention)?;
    eprintln!(
        "pruned {} webhook deliveries, {} idempotency keys, {} kiosk sessions (the audit log is never pruned)",
        pruned.deliveries, pruned.idempotency_keys, pruned.kiosk_sessions
    );
    Ok(())
}
