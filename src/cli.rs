//! Subcommands: `serve`, `migrate`, `import-units`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db::audit::{Actor, AuditCtx};
use crate::startup::{open_database, prepare_state, Application};

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
    Serve,
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
}

pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    crate::telemetry::init(&config.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => {
            open_database(&config, SystemClock.now_ms())?;
            eprintln!("migrations applied to {}", redact_url(&config.database_url));
            Ok(())
        }
        Command::ImportUnits { project, file } => import_units(config, project, &file),
        Command::Reindex => reindex(config),
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
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
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn import_units(config: Config, project_id: i64, file: &std::path::Path) -> anyhow::Result<()> {
    use crate::upload::UploadFormat;
    // the database only: a running service keeps the index writer and catches up from the outbox
    let pool = open_database(&config, SystemClock.now_ms())?;
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
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("parsing {}", file.display()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let rows = match crate::upload::units::parse_units(&bytes, format, config.upload.max_rows) {
        Ok(rows) => rows,
        Err(crate::upload::UploadError::Rejected(errors)) => {
            bar.finish_and_clear();
            for e in &errors {
                eprintln!(
                    "row {} {}: {}",
                    e.row,
                    e.field.as_deref().unwrap_or("-"),
                    e.message
                );
            }
            anyhow::bail!("upload rejected: {} problems, nothing stored", errors.len());
        }
        Err(e) => anyhow::bail!("upload rejected: {e}"),
    };
    let parsed = started.elapsed();
    bar.set_message(format!("storing {} units", rows.len()));
    let mut conn = pool.get()?;
    let project = crate::db::projects::get(&mut conn, project_id)?.context("no such project")?;
    let ctx = AuditCtx {
        actor: Actor::System,
        request_id: None,
        now_ms: SystemClock.now_ms(),
    };
    let outcome = crate::db::units::import(&mut conn, &ctx, project_id, &rows)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
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
        rows.len() as f64 / total.as_secs_f64()
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
    let count =
        crate::indexer::Indexer::rebuild(&state.search, &state.pool, &|n| bar.set_position(n))?;
    bar.finish_and_clear();
    eprintln!(
        "reindexed {count} listed units into {} in {:.1?} (applied through change {})",
        config.index_dir.display(),
        started.elapsed(),
        state.search.applied_seq()
    );
    Ok(())
}

/// A database URL without its password, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("sqlite://anju.db"), "sqlite://anju.db");
    }
}
