//! The real binary as a child process: `anju reindex` timed, `anju serve` driven over HTTP by
//! concurrent keep-alive clients, peak memory read from `/proc/<pid>/status`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::queries::{BenchQuery, Class};

const ADMIN_TOKEN: &str = "ot_bench_admin_token_000000000001";
const DATA_KEY: &str = "0101010101010101010101010101010101010101010101010101010101010101";

/// The `anju` executable cargo built for this bench, with the environment of one data dir.
pub fn anju(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anju"));
    cmd.args(args)
        .current_dir(dir)
        .env(
            "ANJU_DATABASE_URL",
            format!("sqlite://{}", dir.join("anju.db").display()),
        )
        .env("ANJU_INDEX_DIR", dir.join("index"))
        .env("ANJU_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("ANJU_DATA_KEY", DATA_KEY);
    cmd
}

/// `VmHWM` / `VmRSS` of a live process, in KiB.
pub fn memory_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system) a process has used so far; `self` for this process.
pub fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // fields after the command name (which may contain spaces): utime and stime are 14 and 15
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    // clock ticks are 1/100 s on Linux (USER_HZ)
    Duration::from_millis(ticks * 10)
}

/// Runs a command to the end, sampling its peak RSS; returns (wall time, peak RSS KiB, stderr).
pub fn run_measured(mut cmd: Command) -> anyhow::Result<(Duration, u64, String)> {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
    let pid = child.id();
    let stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        peak = peak.max(memory_kib(pid, "VmHWM:").unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let err = reader.join().unwrap_or_default();
    anyhow::ensure!(status.success(), "{cmd:?} failed: {err}");
    Ok((elapsed, peak, err))
}

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `anju serve` on a free port (log to `server.log`) and waits for `/healthz`.
    pub fn start(dir: &Path) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = std::fs::File::create(dir.join("server.log"))?;
        let child = anju(dir, &["serve"])
            .env("ANJU_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let server = Server { child, port };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(60),
                "anju serve did not listen within 60 s (see server.log)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct LoadResult {
    pub by_class: Vec<(Class, Duration)>,
    pub wall: Duration,
    pub errors: usize,
}

/// `clients` keep-alive connections (tokio tasks on one thread, so the load driver takes at
/// most one of the machine's cores) working through `count` requests of the mix, in order.
pub fn drive(
    port: u16,
    queries: &[BenchQuery],
    count: usize,
    clients: usize,
) -> anyhow::Result<LoadResult> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let urls: Arc<Vec<(Class, String)>> = Arc::new(
        queries
            .iter()
            .map(|q| (q.class, format!("http://127.0.0.1:{port}{}", q.path())))
            .collect(),
    );
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .build()?;
        let next = Arc::new(AtomicUsize::new(0));
        let results = Arc::new(Mutex::new(Vec::with_capacity(count)));
        let errors = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let (client, urls, next) = (client.clone(), urls.clone(), next.clone());
                let (results, errors) = (results.clone(), errors.clone());
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            break;
                        }
                        let (class, url) = &urls[i % urls.len()];
                        let t = Instant::now();
                        let ok = match client.get(url).send().await {
                            Ok(resp) => {
                                let status = resp.status();
                                resp.bytes().await.is_ok() && status.is_success()
                            }
                            Err(_) => false,
                        };
                        let elapsed = t.elapsed();
                        if ok {
                            results.lock().expect("results").push((*class, elapsed));
                        } else {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await?;
        }
        let wall = started.elapsed();
        let by_class = std::mem::take(&mut *results.lock().expect("results"));
        Ok(LoadResult {
            by_class,
            wall,
            errors: errors.load(Ordering::Relaxed),
        })
    })
}

/// Total size of the files in a directory, in bytes.
pub fn dir_size(dir: &PathBuf) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
