//! Typed settings: defaults, then an optional `anju.toml`, then `ANJU_*` environment variables
//! (which win); secrets are generated on first start and never printed by `Debug`.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::RngCore;
use serde::Deserialize;

mod settings;
pub use settings::*;

/// A secret string whose `Debug` shows nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub database_url: String,
    pub index_dir: PathBuf,
    pub admin_token: Secret,
    /// 32-byte key for encrypting personal data at rest.
    pub data_key: [u8; 32],
    /// The key being replaced (`ANJU_DATA_KEY_PREVIOUS`): still read until `anju rotate-data-key`
    /// has re-encrypted everything under `data_key`.
    pub data_key_previous: Option<[u8; 32]>,
    pub log: String,
    pub db_pool_size: u32,
    pub upload: UploadLimits,
    pub kiosk: KioskSettings,
    pub webhooks: WebhookSettings,
    pub security: SecuritySettings,
    pub http: HttpLimits,
    pub outbound: OutboundSettings,
    pub retention: RetentionSettings,
    /// Where `admin.token` / `data.key` were read from or written to, if from files.
    pub secrets_dir: PathBuf,
    /// Set when the admin token was generated during this load (announce it once on the console).
    pub admin_token_generated: bool,
}

/// The optional `anju.toml`: every key optional, same names as the variables without `ANJU_`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database_url: Option<String>,
    index_dir: Option<PathBuf>,
    admin_token: Option<String>,
    data_key: Option<String>,
    data_key_previous: Option<String>,
    log: Option<String>,
    db_pool_size: Option<u32>,
    kiosk_idle_secs: Option<i64>,
    webhook_backoff_ms: Option<i64>,
    webhook_max_attempts: Option<i32>,
    lookup_floor_ms: Option<u64>,
    pin_daily_max: Option<i64>,
    hash_threads: Option<usize>,
    http_header_timeout_ms: Option<u64>,
    http_body_idle_ms: Option<u64>,
    http_keep_alive_secs: Option<u64>,
    http_max_connections: Option<usize>,
    http_max_per_peer: Option<usize>,
    outbound_allow: Option<String>,
    retention_deliveries_days: Option<i64>,
    retention_idempotency_days: Option<i64>,
    retention_sessions_days: Option<i64>,
    retention_every_secs: Option<u64>,
    upload_max_bytes: Option<usize>,
    upload_max_rows: Option<usize>,
    upload_max_inflated_bytes: Option<u64>,
    upload_max_parallel: Option<usize>,
}

impl Config {
    /// Loads `anju.toml` (or `path`) if present, then the environment; creates secrets on first
    /// start next to the SQLite file (or in the working directory for PostgreSQL).
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let file_path = path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("anju.toml"));
        let file: FileConfig = if file_path.exists() {
            let text = std::fs::read_to_string(&file_path)
                .with_context(|| format!("reading {}", file_path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing {}", file_path.display()))?
        } else if path.is_some() {
            anyhow::bail!("config file {} does not exist", file_path.display());
        } else {
            FileConfig::default()
        };

        let security = SecuritySettings {
            lookup_floor_ms: number(
                &env,
                "ANJU_LOOKUP_FLOOR_MS",
                file.lookup_floor_ms,
                0..=5_000,
            )?
            .unwrap_or(SecuritySettings::default().lookup_floor_ms),
            pin_daily_max: number(&env, "ANJU_PIN_DAILY_MAX", file.pin_daily_max, 1..=1_000)?
                .unwrap_or(SecuritySettings::default().pin_daily_max),
            hash_threads: number(&env, "ANJU_HASH_THREADS", file.hash_threads, 1..=64)?
                .unwrap_or(SecuritySettings::default().hash_threads),
            ..SecuritySettings::default()
        };
        let http = http_limits(&env, &file)?;
        let outbound = outbound(&env, file.outbound_allow.clone())?;
        let retention = retention(&env, &file)?;
        let upload = upload_limits(&env, &file)?;
        let listen = env("ANJU_LISTEN")
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let database_url = env("ANJU_DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| "sqlite://anju.db".into());
        let index_dir = env("ANJU_INDEX_DIR")
            .map(PathBuf::from)
            .or(file.index_dir)
            .unwrap_or_else(|| PathBuf::from("index"));
        let log = env("ANJU_LOG")
            .or(file.log)
            .unwrap_or_else(|| "info".into());
        let db_pool_size = env("ANJU_DB_POOL_SIZE")
            .map(|v| v.parse().context("ANJU_DB_POOL_SIZE must be a number"))
            .transpose()?
            .or(file.db_pool_size)
            .unwrap_or(16);

        let kiosk_idle_secs = env("ANJU_KIOSK_IDLE_SECS")
            .map(|v| v.parse().context("ANJU_KIOSK_IDLE_SECS must be a number"))
            .transpose()?
            .or(file.kiosk_idle_secs)
            .unwrap_or(KioskSettings::default().idle_timeout_secs);
        if !(10..=86_400).contains(&kiosk_idle_secs) {
            anyhow::bail!("ANJU_KIOSK_IDLE_SECS must be from 10 to 86400");
        }

        let webhook_defaults = WebhookSettings::default();
        let webhook_backoff_ms = env("ANJU_WEBHOOK_BACKOFF_MS")
            .map(|v| {
                v.parse()
                    .context("ANJU_WEBHOOK_BACKOFF_MS must be a number")
            })
            .transpose()?
            .or(file.webhook_backoff_ms)
            .unwrap_or(webhook_defaults.backoff_base_ms);
        if !(10..=3_600_000).contains(&webhook_backoff_ms) {
            anyhow::bail!("ANJU_WEBHOOK_BACKOFF_MS must be from 10 to 3600000");
        }
        let webhook_max_attempts = env("ANJU_WEBHOOK_MAX_ATTEMPTS")
            .map(|v| {
                v.parse()
                    .context("ANJU_WEBHOOK_MAX_ATTEMPTS must be a number")
            })
            .transpose()?
            .or(file.webhook_max_attempts)
            .unwrap_or(webhook_defaults.max_attempts);
        if !(1..=100).contains(&webhook_max_attempts) {
            anyhow::bail!("ANJU_WEBHOOK_MAX_ATTEMPTS must be from 1 to 100");
        }
        let webhooks = WebhookSettings {
            backoff_base_ms: webhook_backoff_ms,
            max_attempts: webhook_max_attempts,
            ..webhook_defaults
        };

        let secrets_dir = secrets_dir_for(&database_url);
        let (admin_token, admin_token_generated) =
            match env("ANJU_ADMIN_TOKEN").or(file.admin_token) {
                Some(t) => (t, false),
                None => load_or_create_secret(&secrets_dir.join("admin.token"), || {
                    crate::domain::token::TokenKind::Official.generate()
                })?,
            };
        if !admin_token.starts_with("ot_") || admin_token.len() < 20 {
            anyhow::bail!("ANJU_ADMIN_TOKEN must start with ot_ and be at least 20 characters");
        }
        let data_key_hex = match env("ANJU_DATA_KEY").or(file.data_key) {
            Some(k) => k,
            None => {
                load_or_create_secret(&secrets_dir.join("data.key"), || {
                    let mut key = [0u8; 32];
                    rand::thread_rng().fill_bytes(&mut key);
                    hex::encode(key)
                })?
                .0
            }
        };
        let data_key = parse_data_key(&data_key_hex)?;
        let data_key_previous = env("ANJU_DATA_KEY_PREVIOUS")
            .or(file.data_key_previous)
            .map(|k| parse_data_key(&k).context("ANJU_DATA_KEY_PREVIOUS"))
            .transpose()?;
        if data_key_previous == Some(data_key) {
            anyhow::bail!("ANJU_DATA_KEY_PREVIOUS is the same key as ANJU_DATA_KEY");
        }

        Ok(Config {
            listen,
            database_url,
            index_dir,
            admin_token: Secret::new(admin_token),
            data_key,
            data_key_previous,
            log,
            db_pool_size,
            upload,
            kiosk: KioskSettings {
                idle_timeout_secs: kiosk_idle_secs,
                ..KioskSettings::default()
            },
            webhooks,
            security,
            http,
            outbound,
            retention,
            secrets_dir,
            admin_token_generated,
        })
    }
}

fn secrets_dir_for(database_url: &str) -> PathBuf {
    match database_url.strip_prefix("sqlite://") {
        Some(path) => Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        None => PathBuf::from("."),
    }
}

pub fn parse_data_key(hex_key: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(hex_key.trim()).context("ANJU_DATA_KEY must be hex")?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("ANJU_DATA_KEY must be 32 bytes (64 hex characters)"))
}

/// Reads a secret file, or creates it with mode 0600. Returns the value and whether it was created.
fn load_or_create_secret(
    path: &Path,
    make: impl FnOnce() -> String,
) -> anyhow::Result<(String, bool)> {
    if path.exists() {
        let value =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok((value.trim().to_string(), false));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let value = make();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(value.as_bytes())?;
    Ok((value, true))
}

/// A new file readable by its owner only.
pub(crate) fn create_private_file(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))
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
    fn secrets_live_next_to_the_sqlite_file_or_in_the_working_directory() {
        assert_eq!(secrets_dir_for("sqlite://anju.db"), PathBuf::from("."));
        assert_eq!(
            secrets_dir_for("sqlite:///var/lib/anju/anju.db"),
            PathBuf::from("/var/lib/anju")
        );
        assert_eq!(
            secrets_dir_for("postgres://localhost/anju"),
            PathBuf::from(".")
        );
    }

    #[test]
    fn data_key_must_be_32_hex_bytes() {
        assert!(parse_data_key(&"ab".repeat(32)).is_ok());
        assert!(parse_data_key("abcd").is_err());
        assert!(parse_data_key(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn secret_debug_hides_the_value() {
        assert_eq!(
            format!("{:?}", Secret::new("ot_very_secret")),
            "Secret(***)"
        );
    }

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("sqlite://anju.db"), "sqlite://anju.db");
    }
}
