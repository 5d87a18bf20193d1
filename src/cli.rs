//! Subcommands: `serve`, `migrate`, `reindex`, `import-units`, `import-households`, `demo`,
//! `rotate-data-key`, `audit verify`, `prune` (the last two in `maintenance`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::config::{create_private_file, Config};
use crate::db::audit::{Actor, AuditCtx};
use crate::startup::{open_database, prepare_state, Application};

/// Moved to `config` so that `demo` needs nothing from `cli`; kept here for callers.
pub use crate::config::redact_url;

#[derive(Debug, Parser)]
#[command(
    name = "anju",
    version,
    about = "安居: relocation housing marketplace backend"
)]
pub struct Cli {
    /// settings file (default: ./anju.toml when present)
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default)
    Serve {
        /// load the demo marketplace first (unless it is there) and print where to click
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit
    Migrate,
    /// Rebuild the search index from the database (run it while the service is stopped)
    Reindex,
    /// Upload a unit table (CSV / XLSX / JSON) into a project, all-or-nothing, as its developer would
    ImportUnits {
        #[arg(long)]
        project: i64,
        file: PathBuf,
    },
    /// Import a household table (CSV / XLSX / JSON), all-or-nothing; writes each household's
    /// voucher number and PIN to a CSV of slips to print
    ImportHouseholds {
        file: PathBuf,
        /// where to write the slips (default: voucher-slips-<time>.csv; mode 0600, it holds PINs)
        #[arg(long)]
        slips: Option<PathBuf>,
    },
    /// Load a realistic demo marketplace (idempotent): developers, projects, units, households
    /// with voucher slips, an open round
    Demo {
        /// where to write the slips (default: demo-voucher-slips.csv beside the database; mode
        /// 0600, it holds PINs)
        #[arg(long)]
        slips: Option<PathBuf>,
    },
    /// Re-encrypt all personal data under ANJU_DATA_KEY, reading what is still under
    /// ANJU_DATA_KEY_PREVIOUS; safe while the service runs with both keys, and safe to repeat
    RotateDataKey {
        /// rows per transaction
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
    /// The audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Delete finished webhook deliveries, idempotency keys and kiosk sessions past their
    /// retention once (the service does it every ANJU_RETENTION_EVERY_SECS); never audit events
    Prune,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain from the first event: exits 0 with the count and the head, or
    /// non-zero naming the first changed, missing or unchained event
    Verify {
        /// events read per query
        #[arg(long, default_value_t = 1_000)]
        batch: i64,
    },
}

pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    crate::telemetry::init(&config.log);
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config, demo),
        Command::Demo { slips } => crate::demo::console::demo_command(config, slips),
        Command::Migrate => {
            open_database(&config, SystemClock.now_ms())?;
            eprintln!("migrations applied to {}", redact_url(&config.database_url));
            Ok(())
        }
        Command::ImportUnits { project, file } => import_units(config, project, &file),
        Command::RotateDataKey { batch } => rotate_data_key(&config, batch),
        Command::ImportHouseholds { file, slips } => import_households(config, &file, slips),
        Command::Reindex => reindex(config),
        Command::Audit {
            command: AuditCommand::Verify { batch },
        } => crate::maintenance::audit_verify(&config, batch),
        Command::Prune => crate::maintenance::prune(&config),
    }
}

fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let demo = demo
        .then(|| crate::demo::console::load(&config, None))
        .transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = Application::build(&config)?;
        if config.admin_token_generated {
            // announced once, on the console only, never in the structured log
            eprintln!(
                "\n  first start: the admin token was written to {}\n  ANJU admin token: {}\n",
                config.secrets_dir.join("admin.token").display(),
                config.admin_token.expose()
            );
        }
        tracing::info!(
            address = %format!("{}:{}", config.listen.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1"), app.port()),
            database = %redact_url(&config.database_url),
            index = %config.index_dir.display(),
            "anju listening"
        );
        if let Some(demo) = &demo {
            crate::demo::console::welcome(&config, app.port(), demo);
        }
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn import_units(config: Config, project_id: i64, file: &std::path::Path) -> anyhow::Result<()> {
    // the database only: a running service keeps the index writer and catches up from the outbox
    let pool = open_database(&config, SystemClock.now_ms())?;
    let (format, bytes) = read_table_file(file)?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("parsing {}", file.display()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let checked = crate::upload::units::check_units(&bytes, format, config.upload.budgets());
    let table = checked.map_err(|e| rejection(e, &bar))?;
    let rows = table.units.len();
    let parsed = started.elapsed();
    bar.set_message(format!("storing {rows} units"));
    let mut conn = pool.get()?;
    let project = crate::db::projects::get(&mut conn, project_id)?.context("no such project")?;
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: None,
        now_ms: SystemClock.now_ms(),
    };
    let mode = crate::upload::units::ImportMode::Upsert;
    let outcome = crate::db::units::import(&mut conn, &ctx, project_id, mode, &table)
        .map_err(|e| stored_rejection(e, &bar))?;
    bar.finish_and_clear();
    let total = started.elapsed();
    eprintln!(
        "project {} ({}): {} created, {} updated, {} unchanged; parse {:.2?}, store {:.2?}, {:.0} units/s",
        project.0.id,
        project.0.name,
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        parsed,
        total - parsed,
        rows as f64 / total.as_secs_f64()
    );
    Ok(())
}

fn reindex(config: Config) -> anyhow::Result<()> {
    let state = prepare_state(&config, Arc::new(SystemClock))?;
    let total = {
        let mut conn = state.pool.get()?;
        crate::db::listings::count_listed(&mut conn)?
    };
    let bar = indicatif::ProgressBar::new(total.max(0) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} {bar:40} {pos}/{len} ({per_sec}, {eta} left)",
        )
        .expect("static template"),
    );
    bar.set_message("reindexing");
    let started = std::time::Instant::now();
    let count = crate::jobs::indexer::Indexer::rebuild(&state.search, &state.pool, &|n| {
        bar.set_position(n)
    })?;
    bar.finish_and_clear();
    eprintln!(
        "reindexed {count} listed units into {} in {:.1?} (applied through change {})",
        config.index_dir.display(),
        started.elapsed(),
        state.search.applied_seq()
    );
    Ok(())
}

/// The format (by extension) and bytes of a table file.
fn read_table_file(
    file: &std::path::Path,
) -> anyhow::Result<(crate::upload::UploadFormat, Vec<u8>)> {
    use crate::upload::UploadFormat;
    let format = match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => UploadFormat::Csv,
        Some("xlsx") => UploadFormat::Xlsx,
        Some("json") => UploadFormat::Json,
        _ => anyhow::bail!("the file must end in .csv, .xlsx or .json"),
    };
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    Ok((format, bytes))
}

/// The parsed rows, or every bad row printed and an error.
/// Prints every bad row of a rejected table and turns the rejection into the command's error.
fn rejection(e: crate::upload::UploadError, bar: &indicatif::ProgressBar) -> anyhow::Error {
    match e {
        crate::upload::UploadError::Rejected(errors) => {
            bar.finish_and_clear();
            for e in &errors {
                eprintln!(
                    "row {} {}: {}",
                    e.row,
                    e.field.as_deref().unwrap_or("-"),
                    e.message
                );
            }
            anyhow::anyhow!("upload rejected: {} problems, nothing stored", errors.len())
        }
        e => anyhow::anyhow!("upload rejected: {e}"),
    }
}

/// [`rejection`] for an import's error, which carries format errors and conflicts together.
fn stored_rejection(e: crate::db::error::DbError, bar: &indicatif::ProgressBar) -> anyhow::Error {
    match e {
        crate::db::error::DbError::Upload(e) => rejection(e, bar),
        e => anyhow::anyhow!("{e}"),
    }
}

fn import_households(
    config: Config,
    file: &std::path::Path,
    slips_path: Option<PathBuf>,
) -> anyhow::Result<()> {
    let pool = open_database(&config, SystemClock.now_ms())?;
    let (format, bytes) = read_table_file(file)?;
    let now = SystemClock.now_ms();
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&crate::domain::household::shanghai())
        .date_naive();
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!("checking {}", file.display()));
    let checked =
        crate::upload::households::check_households(&bytes, format, config.upload.budgets(), today);
    let table = checked.map_err(|e| rejection(e, &spinner))?;
    spinner.finish_and_clear();
    let slips_path =
        slips_path.unwrap_or_else(|| PathBuf::from(format!("voucher-slips-{}.csv", now / 1000)));
    if slips_path.exists() {
        anyhow::bail!(
            "{} exists; choose another --slips path",
            slips_path.display()
        );
    }
    let bar = indicatif::ProgressBar::new(table.households.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta} left)")
            .expect("static template"),
    );
    bar.set_message("issuing vouchers and PINs");
    let cipher = crate::crypto::DataCipher::from_config(&config);
    let enrolment =
        crate::enrolment::prepare(table, &cipher, now, crate::enrolment::all_cores(), &|n| {
            bar.set_position(n)
        });
    bar.finish_and_clear();
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: None,
        now_ms: now,
    };
    let mut conn = pool.get()?;
    let ids = enrolment
        .store(&mut conn, &ctx)
        .map_err(|e| stored_rejection(e, &bar))?;
    let mut out = csv::Writer::from_writer(create_private_file(&slips_path)?);
    out.write_record(["row", "household_id", "name", "voucher_no", "pin"])?;
    for (slip, id) in enrolment.slips.iter().zip(&ids) {
        out.write_record([
            slip.row.to_string(),
            id.to_string(),
            slip.name_masked.clone(),
            slip.voucher_no.clone(),
            slip.pin.clone(),
        ])?;
    }
    out.flush()?;
    eprintln!(
        "imported {} households; voucher slips (with PINs) written to {}",
        ids.len(),
        slips_path.display()
    );
    Ok(())
}

fn rotate_data_key(config: &Config, batch: i64) -> anyhow::Result<()> {
    let cipher = crate::crypto::DataCipher::from_config(config);
    if !cipher.has_previous() {
        anyhow::bail!(
            "set ANJU_DATA_KEY to the new key and ANJU_DATA_KEY_PREVIOUS to the key being replaced"
        );
    }
    if !(1..=10_000).contains(&batch) {
        anyhow::bail!("--batch must be from 1 to 10000");
    }
    let pool = open_database(config, SystemClock.now_ms())?;
    let mut conn = pool.get()?;
    let total = crate::db::rekey::rows_to_visit(&mut conn)?;
    let bar = indicatif::ProgressBar::new(total.max(0) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta} left)")
            .expect("static template"),
    );
    bar.set_message("re-encrypting personal data");
    let done = crate::db::rekey::rekey_all(&mut conn, &cipher, batch, SystemClock.now_ms(), &|n| {
        bar.set_position(n as u64)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    eprintln!(
        "{} rows visited, {} re-encrypted under the new key; ANJU_DATA_KEY_PREVIOUS can now be removed",
        done.visited, done.changed
    );
    Ok(())
}
