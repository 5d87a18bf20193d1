//! The real release binary as child processes: found (or built) under the target directory,
//! `anju serve` started with `ANJU_*` variables in a temp dir, a scratch PostgreSQL database.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::api::ADMIN;

const DATA_KEY: &str = "0707070707070707070707070707070707070707070707070707070707070707";

/// `target/release/anju` (honouring `CARGO_TARGET_DIR`), built with `cargo build --release --bin
/// anju` when it is missing.
pub fn binary() -> anyhow::Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { manifest.join(t) })
        .unwrap_or_else(|| manifest.join("target"));
    let bin = target.join("release").join("anju");
    if !bin.exists() {
        println!(
            "{} is missing: cargo build --release --bin anju",
            bin.display()
        );
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "--bin", "anju"])
            .current_dir(&manifest)
            .status()?;
        anyhow::ensure!(status.success(), "cargo build --release --bin anju failed");
    }
    Ok(bin)
}

/// One `anju serve` child process; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `anju serve` on a free loopback port with its own index directory under `dir`
    /// (`name` tells instances apart) and waits for `/healthz`.
    pub fn start(bin: &Path, dir: &Path, name: &str, database_url: &str) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log)?;
        let child = Command::new(bin)
            .arg("serve")
            .current_dir(dir)
            .env("ANJU_LISTEN", format!("127.0.0.1:{port}"))
            .env("ANJU_DATABASE_URL", database_url)
            .env("ANJU_INDEX_DIR", dir.join(format!("index-{name}")))
            .env("ANJU_ADMIN_TOKEN", ADMIN)
            .env("ANJU_DATA_KEY", DATA_KEY)
            .env("ANJU_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("anju serve exited with {status}: {}", server.log_tail(20));
            }
            if healthy(port) {
                return Ok(server);
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(120),
                "anju serve not healthy within 120 s: {}",
                server.log_tail(20)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last `lines` lines of the server's log (stderr and stdout).
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Lines of the log at level WARN or ERROR (what `ANJU_LOG=warn` lets through), at most 20.
    pub fn warnings(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARN") || l.contains("panicked"))
            .take(20)
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /healthz` answers 200 (a plain HTTP/1.0 request, no client needed).
fn healthy(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}

/// A database made for this run: PostgreSQL created through the given admin URL (the `test`
/// database) and dropped afterwards, or nothing to do for SQLite.
pub struct ScratchDb {
    pub url: String,
    admin: Option<(String, String)>,
}

impl ScratchDb {
    pub fn sqlite(dir: &Path) -> ScratchDb {
        ScratchDb {
            url: format!("sqlite://{}", dir.join("anju.db").display()),
            admin: None,
        }
    }

    pub fn postgres(admin_url: &str) -> anyhow::Result<ScratchDb> {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("anju_bench_sel_{}", std::process::id());
        let mut c = diesel::PgConnection::establish(admin_url)?;
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut c)?;
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url, String::new()),
        };
        let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
        Ok(ScratchDb {
            url: format!("{prefix}/{name}{query}"),
            admin: Some((admin_url.to_string(), name)),
        })
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Some((admin_url, name)) = &self.admin {
            if let Ok(mut c) = diesel::PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}
