//! The demo on the console (`anju demo`, `anju serve --demo`): loading it with a progress bar,
//! the voucher slips file (housing tickets' numbers and PINs too), and where to click with which
//! voucher or ticket.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{DemoReport, DemoSize, DemoSlip};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::DataCipher;

/// The slips file's header; a file that starts with it is a demo slips file we may replace.
const SLIPS_HEADER: &str = "name,voucher_no,pin,method,expropriation_project";

pub struct LoadedDemo {
    pub report: DemoReport,
    pub slips_path: PathBuf,
}

/// The default slips file: beside the SQLite file (or in the working directory), like `admin.token`.
pub fn default_slips_path(config: &Config) -> PathBuf {
    config.secrets_dir.join("demo-voucher-slips.csv")
}

/// Loads what is missing of the demo into the configured database (the database only: a
/// running service picks the changes up from the outbox) and writes new households' slips.
pub fn load(config: &Config, slips: Option<PathBuf>) -> anyhow::Result<LoadedDemo> {
    let slips_path = slips.unwrap_or_else(|| default_slips_path(config));
    if slips_path.exists() && !is_demo_slips(&slips_path)? {
        anyhow::bail!(
            "{} exists and is not a demo slips file; choose another --slips path",
            slips_path.display()
        );
    }
    let now = SystemClock.now_ms();
    let pool = crate::startup::open_database(config, now)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("demo: {msg:30} {bar:40} {pos}/{len} ({eta} left)")
            .expect("static template"),
    );
    let cipher = DataCipher::from_config(config);
    let mut conn = pool.get()?;
    let report = super::load(
        &mut conn,
        &cipher,
        now,
        DemoSize::FULL,
        &bar,
        &mut |slips, append| write_slips(&slips_path, slips, append),
    )?;
    bar.finish_and_clear();
    Ok(LoadedDemo { report, slips_path })
}

fn is_demo_slips(path: &Path) -> anyhow::Result<bool> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text.lines().next() == Some(SLIPS_HEADER))
}

/// Appends to the slips of earlier runs, or starts a new file (mode 0600: it holds PINs) when
/// they belong to a database that no longer has the demo.
fn write_slips(path: &Path, slips: &[DemoSlip], append: bool) -> anyhow::Result<()> {
    let file = if append && path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?
    } else {
        if path.exists() {
            std::fs::remove_file(path).with_context(|| format!("replacing {}", path.display()))?;
        }
        let mut file = crate::config::create_private_file(path)?;
        writeln!(file, "{SLIPS_HEADER}")?;
        file
    };
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(file);
    for s in slips {
        out.write_record([
            &s.name_masked,
            &s.voucher_no,
            &s.pin,
            &s.method,
            &s.expropriation_project,
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// The first of `vouchers` (in call order; or ticket numbers) that has a slip in the file, with
/// its PIN.
pub fn voucher_to_try(path: &Path, vouchers: &[String]) -> Option<(String, String)> {
    let mut reader = csv::Reader::from_path(path).ok()?;
    let pins: std::collections::HashMap<String, String> = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| Some((r.get(1)?.to_string(), r.get(2)?.to_string())))
        .collect();
    vouchers
        .iter()
        .find_map(|v| pins.get(v).map(|pin| (v.clone(), pin.clone())))
}

/// `anju demo`: load, then say what is there and which voucher to try.
pub fn demo_command(config: Config, slips: Option<PathBuf>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let demo = load(&config, slips)?;
    eprintln!(
        "demo marketplace in {} ({:.1?}):\n  {}",
        crate::config::redact_url(&config.database_url),
        started.elapsed(),
        summary(&demo.report)
    );
    eprintln!("{}", slips_and_voucher(&demo));
    eprintln!(
        "  officials' admin token: {}",
        admin_token_location(&config)
    );
    Ok(())
}

fn summary(r: &DemoReport) -> String {
    let [z1, z2, z3] = r.projects_by_zone;
    format!(
        "{} developers, {} projects (zone class 1: {z1}, 2: {z2}, 3: {z3}), {} units ({} withdrawn), \
         {} households; round {} open for {} hall households, called up to {}; {} confirmed and {} \
         contracted selections; {} housing tickets ({} active, {} used up, {} expired; {} \
         transferred) that paid for {} units; closed round {} with {} public notice(s), {} \
         handovers ({} rescinded, {} moved in)",
        r.developers,
        r.projects(),
        r.units,
        r.withdrawn_units,
        r.households,
        r.round_id,
        r.round_size,
        r.called_up_to,
        r.confirmed,
        r.contracted,
        r.tickets,
        r.tickets_active,
        r.tickets_exhausted,
        r.tickets_expired,
        r.tickets_transferred,
        r.ticket_purchases,
        r.history_round_id,
        r.notices,
        r.handovers,
        r.rescinded,
        r.moved_in
    )
}

fn slips_and_voucher(demo: &LoadedDemo) -> String {
    let path = demo.slips_path.display();
    let slips = if demo.report.enrolled_now > 0 {
        format!(
            "  voucher slips with PINs: {path} (mode 0600; {} written now)",
            demo.report.enrolled_now
        )
    } else {
        format!(
            "  voucher slips with PINs: {path} (written when the demo was first loaded; PINs are \
             shown only once, so nothing was issued again)"
        )
    };
    let household = match voucher_to_try(&demo.slips_path, &demo.report.vouchers_to_try) {
        Some((voucher, pin)) => {
            format!("{slips}\n  try a household at the kiosk: voucher {voucher}, PIN {pin}")
        }
        None => format!(
            "{slips}\n  no slip of a called household without a selection was found there: \
             load the demo into a fresh database to get new PINs"
        ),
    };
    match voucher_to_try(&demo.slips_path, &demo.report.tickets_to_try) {
        Some((ticket, pin)) => {
            format!("{household}\n  try a housing ticket at the kiosk: ticket {ticket}, PIN {pin}")
        }
        None => format!(
            "{household}\n  no slip of an unused housing ticket in its first bonus tier was found \
             there"
        ),
    }
}

fn admin_token_location(config: &Config) -> String {
    let file = config.secrets_dir.join("admin.token");
    if std::env::var_os("ANJU_ADMIN_TOKEN").is_none() && file.exists() {
        format!("in {}", file.display())
    } else {
        "ANJU_ADMIN_TOKEN, as configured".to_string()
    }
}

/// What `anju serve --demo` prints once the service listens: where to click, with what.
pub fn welcome(config: &Config, port: u16, demo: &LoadedDemo) {
    let host = match config.listen.rsplit_once(':').map(|(h, _)| h) {
        Some("0.0.0.0") | Some("[::]") | None => "127.0.0.1",
        Some(h) => h,
    };
    let base = format!("http://{host}:{port}");
    let token = admin_token_location(config);
    let try_line = voucher_to_try(&demo.slips_path, &demo.report.vouchers_to_try)
        .map(|(voucher, pin)| {
            format!(
                "\n  try a household:      voucher {voucher}, PIN {pin}\n    curl -s {base}/api/v1/kiosk/login -H 'Content-Type: application/json' \
                 -d '{{\"voucher_no\":\"{voucher}\",\"pin\":\"{pin}\"}}'"
            )
        })
        .unwrap_or_default();
    let ticket_line = voucher_to_try(&demo.slips_path, &demo.report.tickets_to_try)
        .map(|(ticket, pin)| format!("\n  try a ticket holder:  ticket {ticket}, PIN {pin}"))
        .unwrap_or_default();
    eprintln!(
        "\n  demo marketplace: {}\n\n  kiosk:                {base}/kiosk\n  officials' dashboard: {base}/dashboard\n  \
         hall board:           {base}/board\n  API, browsable:       \
         {base}/docs\n  listings:             {base}/api/v1/listings?q=地铁&facets=true\n  admin token:          \
         {token}\n  voucher slips:        {}{try_line}{ticket_line}\n",
        summary(&demo.report),
        demo.slips_path.display(),
    );
}
