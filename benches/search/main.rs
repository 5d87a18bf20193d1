//! Search benchmark, end to end: a generated corpus in a real SQLite database, `anju reindex`
//! timed, the search function (one client), `anju serve` under concurrent HTTP clients, and the
//! same corpus and queries in SQLite FTS5 with jieba as the baseline.
//!
//! Run: `cargo bench --bench search` (both sizes, a few minutes). Environment:
//! `ANJU_BENCH_DOCS` unit counts, comma-separated (default `100000,1000000`);
//! `ANJU_BENCH_DIR` data directory (default `/work/bench-data`; databases are reused);
//! `ANJU_BENCH_QUERIES` search-function queries (2 000); `ANJU_BENCH_HTTP_REQUESTS` (8 000);
//! `ANJU_BENCH_CLIENTS` (8); `ANJU_BENCH_FTS_QUERIES` (400); `ANJU_BENCH_SKIP_REINDEX=1`
//! keeps an existing index; `ANJU_BENCH_SKIP_FTS=1` leaves FTS5 out.

mod corpus;
mod fts5;
mod http;
mod queries;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anju::search::SearchIndex;
use queries::{BenchQuery, Class};

fn env_num(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn env_flag(key: &str) -> bool {
    std::env::var(key).is_ok_and(|v| v == "1")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One line per class and one for all: count, p50, p99, max, and the mean total if known.
fn report(samples: &[Sample]) {
    let mut by: BTreeMap<Option<Class>, (Vec<Duration>, usize)> = BTreeMap::new();
    for &(class, d, total) in samples {
        for key in [Some(class), None] {
            let entry = by.entry(key).or_default();
            entry.0.push(d);
            entry.1 += total.unwrap_or(0);
        }
    }
    let with_totals = samples.iter().any(|s| s.2.is_some());
    for (class, (mut times, totals)) in by.into_iter().rev() {
        times.sort();
        let label = class.map_or("all", Class::label);
        let mean_total = if with_totals {
            format!(", mean total {}", totals / times.len())
        } else {
            String::new()
        };
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        println!(
            "    {label:<13} n {:>5}  mean {:>7} ms  p50 {:>7} ms  p99 {:>7} ms  max {:>7} ms{mean_total}",
            times.len(),
            ms(mean),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(times[times.len() - 1]),
        );
    }
}

fn main() -> anyhow::Result<()> {
    let sizes: Vec<u64> = std::env::var("ANJU_BENCH_DOCS")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|s| s.trim().replace('_', "").parse())
        .collect::<Result<_, _>>()?;
    let root: PathBuf =
        std::env::var_os("ANJU_BENCH_DIR").map_or_else(|| "/work/bench-data".into(), Into::into);
    println!(
        "search benchmark: {} cores, load {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    for docs in sizes {
        bench_size(&root.join(format!("units-{docs}")), docs)?;
    }
    Ok(())
}

fn bench_size(dir: &Path, docs: u64) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    println!("\n== {docs} units ({}) ==", dir.display());
    let db = dir.join("anju.db");
    if corpus::count_units(&db) != Some(docs as i64) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("anju.db{suffix}")));
        }
        let started = Instant::now();
        http::run_measured(http::anju(dir, &["migrate"]))?;
        corpus::fill(&db, docs)?;
        println!(
            "  corpus written to SQLite in {:.1?} ({} MB)",
            started.elapsed(),
            std::fs::metadata(&db)?.len() / 1_000_000
        );
    }

    let index_dir = dir.join("index");
    if !(env_flag("ANJU_BENCH_SKIP_REINDEX") && index_dir.exists()) {
        let load = load_average();
        let (took, peak_kib, out) = http::run_measured(http::anju(dir, &["reindex"]))?;
        println!(
            "  anju reindex: {:.1} s ({:.0} units/s), index {} MB, peak RSS {} MiB, load {load}",
            took.as_secs_f64(),
            docs as f64 / took.as_secs_f64(),
            http::dir_size(&index_dir) / 1_000_000,
            peak_kib / 1024
        );
        print!("    {out}");
    } else {
        println!(
            "  index kept ({} MB)",
            http::dir_size(&index_dir) / 1_000_000
        );
    }

    let mix = queries::mix(env_num("ANJU_BENCH_QUERIES", 2_000));
    let in_process = search_function(&index_dir, &mix)?;

    let clients = env_num("ANJU_BENCH_CLIENTS", 8);
    let requests = env_num("ANJU_BENCH_HTTP_REQUESTS", 8_000);
    let server = http::Server::start(dir)?;
    let warm = http::drive(server.port, &mix, 400, clients)?;
    anyhow::ensure!(warm.errors == 0, "{} HTTP errors in warm-up", warm.errors);
    let load = load_average();
    let server_pid = server.pid().to_string();
    let cpu_before = (http::cpu_time(&server_pid), http::cpu_time("self"));
    let run = http::drive(server.port, &mix, requests, clients)?;
    let cpu_after = (http::cpu_time(&server_pid), http::cpu_time("self"));
    let (hwm, rss) = (
        http::memory_kib(server.pid(), "VmHWM:").unwrap_or(0),
        http::memory_kib(server.pid(), "VmRSS:").unwrap_or(0),
    );
    drop(server);
    println!(
        "  HTTP GET /api/v1/listings, {clients} clients, {} requests: {:.0} requests/s, {} errors; \
         server peak RSS {} MiB (now {} MiB); load {load}",
        run.by_class.len(),
        run.by_class.len() as f64 / run.wall.as_secs_f64(),
        run.errors,
        hwm / 1024,
        rss / 1024
    );
    // CPU per request does not depend on what else runs on the machine; the capacity of two free
    // cores follows from it (server and load driver share them in this benchmark)
    let n = run.by_class.len().max(1) as u32;
    let (server_cpu, client_cpu) = (
        (cpu_after.0 - cpu_before.0) / n,
        (cpu_after.1 - cpu_before.1) / n,
    );
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get()) as f64;
    println!(
        "    CPU per request: server {} ms, load driver {} ms; {cores} free cores would serve \
         {:.0} requests/s with this driver, {:.0} with the driver elsewhere",
        ms(server_cpu),
        ms(client_cpu),
        cores / (server_cpu + client_cpu).as_secs_f64(),
        cores / server_cpu.as_secs_f64()
    );
    let samples: Vec<_> = run.by_class.iter().map(|&(c, d)| (c, d, None)).collect();
    report(&samples);

    if !env_flag("ANJU_BENCH_SKIP_FTS") {
        baseline(dir, &mix, docs, &in_process)?;
    }
    Ok(())
}

/// The search function in this process, one client, as the server calls it.
type Sample = (Class, Duration, Option<usize>);

fn search_function(index_dir: &Path, mix: &[BenchQuery]) -> anyhow::Result<Vec<Sample>> {
    let index = SearchIndex::open_or_create(index_dir)?;
    let queries: Vec<_> = mix.iter().map(|q| (q.class, q.listing_query())).collect();
    for (_, q) in queries.iter().take(100) {
        index.search(q)?;
    }
    let load = load_average();
    let mut samples = Vec::with_capacity(queries.len());
    for (class, q) in &queries {
        let t = Instant::now();
        let result = index.search(q)?;
        samples.push((*class, t.elapsed(), Some(result.total)));
    }
    println!(
        "  search function, 1 client ({} queries), load {load}:",
        queries.len()
    );
    report(&samples);
    if env_flag("ANJU_BENCH_VERBOSE") {
        // the most expensive query shapes, for profiling
        let mut by_shape: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
        for (q, (_, d, _)) in mix.iter().zip(&samples) {
            let shape = format!(
                "{:?} q={:?} sort={} facets={}",
                q.class, q.q, q.sort, q.facets
            );
            by_shape.entry(shape).or_default().push(*d);
        }
        let mut shapes: Vec<_> = by_shape
            .into_iter()
            .map(|(k, v)| (v.iter().sum::<Duration>(), v.len(), k))
            .collect();
        shapes.sort();
        for (sum, n, shape) in shapes.iter().rev().take(25) {
            println!(
                "      {} ms total, {n} × {} ms: {shape}",
                ms(*sum),
                ms(*sum / *n as u32)
            );
        }
    }
    Ok(samples)
}

/// SQLite FTS5 + jieba over the same listed units and the same queries, one client.
fn baseline(
    dir: &Path,
    mix: &[BenchQuery],
    docs: u64,
    in_process: &[Sample],
) -> anyhow::Result<()> {
    let path = dir.join("fts5.db");
    let fresh = fts5::open(&path)
        .ok()
        .and_then(|mut c| fts5::run(&mut c, &mix[0]).ok())
        .is_none()
        || fts5::count(&path) != Some(docs as i64);
    if fresh {
        let started = Instant::now();
        let pool = anju::db::build_pool(&format!("sqlite://{}", dir.join("anju.db").display()), 1)?;
        fts5::build(&mut *pool.get()?, &path)?;
        println!(
            "  FTS5 table built in {:.1?} ({} MB)",
            started.elapsed(),
            std::fs::metadata(&path)?.len() / 1_000_000
        );
    }
    let n = env_num("ANJU_BENCH_FTS_QUERIES", 400).min(mix.len());
    // every class equally: the mix cycles through the classes
    let queries = &mix[..n];
    let mut conn = fts5::open(&path)?;
    let load = load_average();
    let timed = fts5::time_all(&mut conn, queries)?;
    println!("  SQLite FTS5 + jieba, 1 client ({n} queries), load {load}:");
    let samples: Vec<_> = queries
        .iter()
        .zip(timed)
        .map(|(q, (d, total))| (q.class, d, Some(total)))
        .collect();
    report(&samples);
    println!("  search function on the same {n} queries (for comparison):");
    report(&in_process[..n.min(in_process.len())]);
    Ok(())
}
