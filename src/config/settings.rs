//! The typed settings groups of `Config`, with their defaults and how the numeric ones are read
//! from `ANJU_*` variables.

use std::fmt;

use crate::domain::outbound::OutboundPolicy;

/// Limits on uploads (docs/security.md, "Limits and hardening"; the reading budgets beyond these
/// three are `upload::Budgets`' defaults).
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// The body, read no further (`ANJU_UPLOAD_MAX_BYTES`): past it 413 `payload_too_large`.
    pub max_body_bytes: usize,
    /// Data rows (`ANJU_UPLOAD_MAX_ROWS`): past it 413 `too_many_rows`.
    pub max_rows: usize,
    /// What an XLSX's zip entries may inflate to together (`ANJU_UPLOAD_MAX_INFLATED_BYTES`).
    pub max_inflated_bytes: u64,
    /// Uploads parsed at the same time (`ANJU_UPLOAD_MAX_PARALLEL`); more wait their turn (each
    /// may hold several times its body while it is read).
    pub max_parallel: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_body_bytes: 50 * 1024 * 1024,
            max_rows: 200_000,
            max_inflated_bytes: 256 * 1024 * 1024,
            max_parallel: 2,
        }
    }
}

impl UploadLimits {
    /// What reading one upload may cost.
    pub fn budgets(&self) -> crate::upload::Budgets {
        crate::upload::Budgets::new(self.max_rows, self.max_inflated_bytes)
    }
}

/// Kiosk sessions and the per-address log-in throttle.
#[derive(Debug, Clone, Copy)]
pub struct KioskSettings {
    /// A kiosk session ends after this long without a request (`ANJU_KIOSK_IDLE_SECS`).
    pub idle_timeout_secs: i64,
    /// Failed log-ins one address may make per window before it must wait.
    pub address_max_failures: usize,
    pub address_window_secs: i64,
    /// Objections to a public notice one address may file per window (in memory, per instance):
    /// enough for a family filing on several lines, too few for a flood.
    pub objection_max_per_window: usize,
    pub objection_window_secs: i64,
    /// How often expired holds are swept back into search (0: never; expiry stays correct).
    pub hold_sweep_ms: u64,
}

impl Default for KioskSettings {
    fn default() -> Self {
        KioskSettings {
            idle_timeout_secs: 300,
            address_max_failures: 30,
            address_window_secs: 600,
            objection_max_per_window: 5,
            objection_window_secs: 600,
            hold_sweep_ms: 1_000,
        }
    }
}

impl KioskSettings {
    pub fn idle_timeout_ms(&self) -> i64 {
        self.idle_timeout_secs * 1000
    }
}

/// Delivery of webhooks to developers' sales systems.
#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    /// Wait after the first failed attempt (`ANJU_WEBHOOK_BACKOFF_MS`); doubles every attempt.
    pub backoff_base_ms: i64,
    /// The longest wait between two attempts.
    pub backoff_cap_ms: i64,
    /// After this many failed attempts a delivery is `failed` (`ANJU_WEBHOOK_MAX_ATTEMPTS`).
    pub max_attempts: i32,
    /// Time limit of one request, connecting included.
    pub timeout_ms: u64,
    /// How often the worker looks for due deliveries (local writes also wake it).
    pub poll_ms: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            backoff_base_ms: 1_000,
            backoff_cap_ms: 600_000,
            max_attempts: 10,
            timeout_ms: 5_000,
            poll_ms: 200,
        }
    }
}

/// Requests to URLs that others chose (webhooks): the SSRF guard (docs/security.md).
#[derive(Debug, Clone, Default)]
pub struct OutboundSettings {
    /// Networks and host names that may be reached although they are loopback, private,
    /// link-local … (`ANJU_OUTBOUND_ALLOW`): on-premises sales systems, tests. Empty: only public
    /// unicast addresses.
    pub allow: OutboundPolicy,
}

pub(super) fn outbound(
    env: &impl Fn(&str) -> Option<String>,
    from_file: Option<String>,
) -> anyhow::Result<OutboundSettings> {
    let list = env("ANJU_OUTBOUND_ALLOW").or(from_file).unwrap_or_default();
    let allow =
        OutboundPolicy::parse(&list).map_err(|e| anyhow::anyhow!("ANJU_OUTBOUND_ALLOW: {e}"))?;
    Ok(OutboundSettings { allow })
}

/// Credentials and look-ups under attack (docs/security.md, "Limits and hardening").
#[derive(Debug, Clone, Copy)]
pub struct SecuritySettings {
    /// A household search answers no sooner than this after it began, found or not
    /// (`ANJU_LOOKUP_FLOOR_MS`): its time tells nothing about whether an ID ending is registered.
    pub lookup_floor_ms: u64,
    /// Wrong PINs one voucher may make within 24 hours, whatever its lock-outs
    /// (`ANJU_PIN_DAILY_MAX`).
    pub pin_daily_max: i64,
    /// The longest lock-out: each lock-out of the same voucher doubles the last, up to this.
    pub lockout_cap_ms: i64,
    /// argon2 hashes and checks (kiosk log-ins, PINs at import) running at once
    /// (`ANJU_HASH_THREADS`); default: the cores, less one for the holds, at least one.
    pub hash_threads: usize,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            lookup_floor_ms: 100,
            pin_daily_max: 10,
            lockout_cap_ms: 24 * 3_600_000,
            hash_threads: std::thread::available_parallelism()
                .map_or(1, |n| n.get().saturating_sub(1))
                .max(1),
        }
    }
}

/// Limits on HTTP connections and request reading (docs/security.md).
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Time to receive a request's head (`ANJU_HTTP_HEADER_TIMEOUT_MS`): slower → 408, closed.
    pub header_timeout_ms: u64,
    /// Longest wait for the next piece of a request body (`ANJU_HTTP_BODY_IDLE_MS`): a body that
    /// stalls → 408 `request_timeout` and the connection is closed.
    pub body_idle_ms: u64,
    /// How long an idle keep-alive connection stays open (`ANJU_HTTP_KEEP_ALIVE_SECS`).
    pub keep_alive_secs: u64,
    /// Open connections in all (`ANJU_HTTP_MAX_CONNECTIONS`); more wait in the accept queue.
    pub max_connections: usize,
    /// Open connections from one address (`ANJU_HTTP_MAX_PER_PEER`); requests on connections past
    /// it → 429 `too_many_connections`, closed.
    pub max_per_peer: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout_ms: 5_000,
            body_idle_ms: 15_000,
            keep_alive_secs: 15,
            max_connections: 4_096,
            max_per_peer: 256,
        }
    }
}

/// How long finished rows are kept before the pruning job deletes them (docs/security.md,
/// "Retention"); 0 keeps them for ever. The audit log is never pruned.
#[derive(Debug, Clone, Copy)]
pub struct RetentionSettings {
    /// Delivered or failed webhook deliveries, by age (`ANJU_RETENTION_DELIVERIES_DAYS`).
    pub deliveries_days: i64,
    /// Idempotency keys, by age (`ANJU_RETENTION_IDEMPOTENCY_DAYS`): a retry within this many
    /// days is answered from the stored response.
    pub idempotency_days: i64,
    /// Kiosk sessions, days after they expired or ended (`ANJU_RETENTION_SESSIONS_DAYS`).
    pub sessions_days: i64,
    /// How often the job runs (`ANJU_RETENTION_EVERY_SECS`; 0: never, run `anju prune` instead).
    pub every_secs: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            deliveries_days: 30,
            idempotency_days: 7,
            sessions_days: 30,
            every_secs: 3_600,
        }
    }
}

pub(super) fn retention(
    env: &impl Fn(&str) -> Option<String>,
    file: &super::FileConfig,
) -> anyhow::Result<RetentionSettings> {
    let d = RetentionSettings::default();
    let days = |name, from_file, default| {
        Ok::<_, anyhow::Error>(number(env, name, from_file, 0..=36_500)?.unwrap_or(default))
    };
    Ok(RetentionSettings {
        deliveries_days: days(
            "ANJU_RETENTION_DELIVERIES_DAYS",
            file.retention_deliveries_days,
            d.deliveries_days,
        )?,
        idempotency_days: days(
            "ANJU_RETENTION_IDEMPOTENCY_DAYS",
            file.retention_idempotency_days,
            d.idempotency_days,
        )?,
        sessions_days: days(
            "ANJU_RETENTION_SESSIONS_DAYS",
            file.retention_sessions_days,
            d.sessions_days,
        )?,
        every_secs: number(
            env,
            "ANJU_RETENTION_EVERY_SECS",
            file.retention_every_secs,
            0..=604_800,
        )?
        .unwrap_or(d.every_secs),
    })
}

/// `name` from the environment or, failing that, `from_file` (its `anju.toml` key), as a number
/// within `range`; `None` when neither sets it.
pub(super) fn number<T>(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    from_file: Option<T>,
    range: std::ops::RangeInclusive<T>,
) -> anyhow::Result<Option<T>>
where
    T: std::str::FromStr + PartialOrd + fmt::Display,
{
    let value = match env(name) {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} must be a number"))?,
        None => match from_file {
            Some(v) => v,
            None => return Ok(None),
        },
    };
    if !range.contains(&value) {
        anyhow::bail!("{name} must be from {} to {}", range.start(), range.end());
    }
    Ok(Some(value))
}

pub(super) fn http_limits(
    env: &impl Fn(&str) -> Option<String>,
    file: &super::FileConfig,
) -> anyhow::Result<HttpLimits> {
    let d = HttpLimits::default();
    Ok(HttpLimits {
        header_timeout_ms: number(
            env,
            "ANJU_HTTP_HEADER_TIMEOUT_MS",
            file.http_header_timeout_ms,
            100..=600_000,
        )?
        .unwrap_or(d.header_timeout_ms),
        body_idle_ms: number(
            env,
            "ANJU_HTTP_BODY_IDLE_MS",
            file.http_body_idle_ms,
            100..=600_000,
        )?
        .unwrap_or(d.body_idle_ms),
        keep_alive_secs: number(
            env,
            "ANJU_HTTP_KEEP_ALIVE_SECS",
            file.http_keep_alive_secs,
            0..=3_600,
        )?
        .unwrap_or(d.keep_alive_secs),
        max_connections: number(
            env,
            "ANJU_HTTP_MAX_CONNECTIONS",
            file.http_max_connections,
            16..=1_000_000,
        )?
        .unwrap_or(d.max_connections),
        max_per_peer: number(
            env,
            "ANJU_HTTP_MAX_PER_PEER",
            file.http_max_per_peer,
            1..=1_000_000,
        )?
        .unwrap_or(d.max_per_peer),
    })
}

pub(super) fn upload_limits(
    env: &impl Fn(&str) -> Option<String>,
    file: &super::FileConfig,
) -> anyhow::Result<UploadLimits> {
    const MIB: usize = 1024 * 1024;
    let d = UploadLimits::default();
    Ok(UploadLimits {
        max_body_bytes: number(
            env,
            "ANJU_UPLOAD_MAX_BYTES",
            file.upload_max_bytes,
            MIB..=1024 * MIB,
        )?
        .unwrap_or(d.max_body_bytes),
        max_rows: number(
            env,
            "ANJU_UPLOAD_MAX_ROWS",
            file.upload_max_rows,
            1..=10_000_000,
        )?
        .unwrap_or(d.max_rows),
        max_inflated_bytes: number(
            env,
            "ANJU_UPLOAD_MAX_INFLATED_BYTES",
            file.upload_max_inflated_bytes,
            MIB as u64..=4096 * MIB as u64,
        )?
        .unwrap_or(d.max_inflated_bytes),
        max_parallel: number(
            env,
            "ANJU_UPLOAD_MAX_PARALLEL",
            file.upload_max_parallel,
            1..=64,
        )?
        .unwrap_or(d.max_parallel),
    })
}

#[cfg(test)]
mod tests;
