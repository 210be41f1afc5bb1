//! Ingest throughput with 1, 2 and 4 worker **processes** on one PostgreSQL (issue 12), as a
//! criterion benchmark.
//!
//! ```sh
//! scripts/with-postgres.sh cargo bench -p faultdesk --bench scale_ingest
//! ```
//!
//! Needs an admin URL in `FAULTDESK_BENCH_PG_URL` or `FAULTDESK_TEST_PG_URL` (the latter is
//! what `scripts/with-postgres.sh` exports); without one it measures nothing. Every iteration
//! creates a fresh database and migrates it, starts the workers (this binary again, with
//! `FAULTDESK_SCALE_BENCH_WORKER` set; each opens its own `Desk` with its own correlator and
//! connection pool), releases them at once and times from the release until the last worker
//! has committed its last batch. Only that span is measured. Every worker ingests the same
//! amount (weak scaling): criterion's throughput is the events of all workers, so perfect
//! scaling doubles the elements/s with the workers.
//!
//! Scenarios (criterion groups):
//! - `scale_ingest/tenants`: each worker ingests its own tenant. Correlation runs in parallel;
//!   the workers share the database (and its outbox lock, which orders every commit that
//!   writes events).
//! - `scale_ingest/shared`: every worker ingests the same tenant, as when a load balancer
//!   spreads one operator's events over its API workers. Correlation of a tenant is serialised
//!   by its database lock, and a worker's cache is stale after another worker's batch, so it
//!   is rebuilt from the database before the next decision.
//!
//! Environment: `SCALE_BENCH_BATCHES` (batches per worker, default 12), `SCALE_BENCH_BATCH`
//! (events per batch, default 500), `SCALE_BENCH_KEYS` (distinct alarms per tenant, default
//! 2000), `SCALE_BENCH_WORKERS` (default `1,2,4`). The load average is printed before and
//! after each group: the machine is shared, compare the ratios of one run.

use chrono::{Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use faultdesk::fault::{AlarmEvent, Severity};
use faultdesk::{Actor, Desk, DeskConfig, ManualClock};
use sea_orm::ConnectionTrait;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

const WORKER_ENV: &str = "FAULTDESK_SCALE_BENCH_WORKER";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config() -> DeskConfig {
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    DeskConfig::default().with_clock(ManualClock::new(now))
}

/// The events of one worker: `batches` batches over `keys` alarms of `tenant`, the worker's
/// stream offset by `worker` so that workers of one tenant interleave over the same alarms.
fn workload(
    tenant: &str,
    worker: usize,
    batches: usize,
    batch: usize,
    keys: usize,
) -> Vec<Vec<AlarmEvent>> {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let kinds = [
        ("device.down", "olt", Severity::Critical),
        ("cpe.signal_loss", "ont", Severity::Minor),
        ("link.degraded", "link", Severity::Major),
        ("port.down", "switch", Severity::Major),
    ];
    let mut n = worker * 7919;
    (0..batches)
        .map(|b| {
            (0..batch)
                .map(|i| {
                    n = n
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let k = (n >> 33) % keys;
                    let (kind, rtype, sev) = kinds[k % kinds.len()];
                    let at = start + Duration::milliseconds(((b * batch + i) * 10) as i64);
                    AlarmEvent::new(tenant, kind, rtype, format!("{rtype}-{k}"), at)
                        .with_severity(sev)
                        .with_subscribers((k % 40) as u32)
                })
                .collect()
        })
        .collect()
}

fn worker_main() {
    let url = std::env::var("FAULTDESK_SCALE_BENCH_URL").unwrap();
    let tenant = std::env::var("FAULTDESK_SCALE_BENCH_TENANT").unwrap();
    let index = env_usize("FAULTDESK_SCALE_BENCH_INDEX", 0);
    let batches = env_usize("SCALE_BENCH_BATCHES", 12);
    let batch = env_usize("SCALE_BENCH_BATCH", 500);
    let keys = env_usize("SCALE_BENCH_KEYS", 2000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let desk = Desk::open(&url, config()).await.expect("worker: open");
        let actor = Actor::new(&tenant, "bench").with_roles(["ADMIN"]);
        let work = workload(&tenant, index, batches, batch, keys);
        println!("ready");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).unwrap();
        let t = Instant::now();
        let cpu = process_cpu("self").unwrap_or_default();
        let mut events = 0;
        for b in work {
            events += b.len();
            desk.ingest_batch(&actor, b).await.expect("worker: ingest");
        }
        let cpu = process_cpu("self").unwrap_or_default() - cpu;
        println!(
            "done {events} {:.6} {:.6}",
            t.elapsed().as_secs_f64(),
            cpu.as_secs_f64()
        );
        // Keep the connections (and their server processes) until the parent has read the
        // database's CPU time.
        line.clear();
        std::io::stdin().read_line(&mut line).unwrap();
        desk.close().await.ok();
    });
}

/// User + system CPU time of a process (`pid` or `self`), all threads, from `/proc`.
fn process_cpu(pid: &str) -> Option<StdDuration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14,
    // stime 15, in clock ticks (USER_HZ, 100 on Linux).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(StdDuration::from_millis(ticks * 10))
}

/// CPU time of every PostgreSQL server process connected to database `name`, by pid.
fn database_cpu(name: &str) -> std::collections::HashMap<String, StdDuration> {
    let mut out = std::collections::HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // A backend's title: `postgres: USER DATABASE HOST(PORT) STATE`.
        let Ok(title) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let title = String::from_utf8_lossy(&title);
        if title.starts_with("postgres: ")
            && title.split_whitespace().any(|w| w == name)
            && let Some(cpu) = process_cpu(&pid)
        {
            out.insert(pid, cpu);
        }
    }
    out
}

/// What one measurement saw.
#[derive(Default, Clone, Copy)]
struct Sample {
    /// From releasing the workers until the last is done.
    wall: StdDuration,
    events: usize,
    /// CPU time of the worker processes while ingesting.
    worker_cpu: StdDuration,
    /// CPU time of the PostgreSQL server processes serving the workers meanwhile.
    db_cpu: StdDuration,
}

/// One measurement: `workers` processes, `shared` tenant or one each. Checks that every event
/// was ingested.
fn measure(admin: &str, workers: usize, shared: bool) -> Sample {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let name = format!("fd_scale_bench_{}", uuid::Uuid::now_v7().simple());
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    let url = format!("{base}/{name}");
    rt.block_on(async {
        let store = faultdesk::storage::Store::connect(admin).await.unwrap();
        store
            .connection()
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        store.close().await.unwrap();
        // Migrate once, before the workers start.
        Desk::open(&url, config())
            .await
            .unwrap()
            .close()
            .await
            .unwrap();
    });
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..workers)
        .map(|i| {
            let tenant = if shared {
                "isp".to_string()
            } else {
                format!("isp-{i}")
            };
            Command::new(&exe)
                .env(WORKER_ENV, "1")
                .env("FAULTDESK_SCALE_BENCH_URL", &url)
                .env("FAULTDESK_SCALE_BENCH_TENANT", tenant)
                .env("FAULTDESK_SCALE_BENCH_INDEX", i.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn worker")
        })
        .collect();
    let mut outs: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().unwrap()))
        .collect();
    for o in &mut outs {
        let mut l = String::new();
        o.read_line(&mut l).unwrap();
        assert_eq!(l.trim(), "ready", "worker did not start");
    }
    let db_before = database_cpu(&name);
    let t = Instant::now();
    for c in &mut children {
        let stdin = c.stdin.as_mut().unwrap();
        writeln!(stdin, "go").unwrap();
        stdin.flush().unwrap();
    }
    let mut total = 0usize;
    let mut worker_cpu = StdDuration::ZERO;
    for o in &mut outs {
        let mut l = String::new();
        o.read_line(&mut l).unwrap();
        let parts: Vec<&str> = l.split_whitespace().collect();
        assert!(parts.len() == 4 && parts[0] == "done", "worker failed: {l}");
        total += parts[1].parse::<usize>().unwrap();
        worker_cpu += StdDuration::from_secs_f64(parts[3].parse().unwrap());
    }
    let wall = t.elapsed();
    let db_cpu = database_cpu(&name)
        .into_iter()
        .map(|(pid, cpu)| cpu.saturating_sub(db_before.get(&pid).copied().unwrap_or_default()))
        .sum();
    for c in &mut children {
        let stdin = c.stdin.as_mut().unwrap();
        writeln!(stdin, "exit").unwrap();
        stdin.flush().unwrap();
    }
    for mut c in children {
        let status = c.wait().expect("wait for worker");
        assert!(status.success(), "worker exited with {status}");
    }
    assert_eq!(total, workers * per_worker(), "events ingested");
    rt.block_on(async {
        let store = faultdesk::storage::Store::connect(admin).await.unwrap();
        let _ = store
            .connection()
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        store.close().await.ok();
    });
    Sample {
        wall,
        events: total,
        worker_cpu,
        db_cpu,
    }
}

fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn per_worker() -> usize {
    env_usize("SCALE_BENCH_BATCHES", 12) * env_usize("SCALE_BENCH_BATCH", 500)
}

fn scale_ingest(c: &mut Criterion) {
    let Some(admin) = std::env::var("FAULTDESK_BENCH_PG_URL")
        .ok()
        .or_else(|| std::env::var("FAULTDESK_TEST_PG_URL").ok())
    else {
        eprintln!(
            "scale_ingest: set FAULTDESK_BENCH_PG_URL (or run under scripts/with-postgres.sh)"
        );
        return;
    };
    let counts: Vec<usize> = std::env::var("SCALE_BENCH_WORKERS")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    eprintln!(
        "scale_ingest: {} batches x {} events per worker, {} alarms per tenant",
        env_usize("SCALE_BENCH_BATCHES", 12),
        env_usize("SCALE_BENCH_BATCH", 500),
        env_usize("SCALE_BENCH_KEYS", 2000),
    );
    for shared in [false, true] {
        let scenario = if shared { "shared" } else { "tenants" };
        eprintln!("scale_ingest/{scenario}: load before {}", uptime());
        let mut group = c.benchmark_group(format!("scale_ingest/{scenario}"));
        // An iteration takes seconds: one per sample, ten samples.
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(StdDuration::from_millis(1))
            .measurement_time(StdDuration::from_secs(1));
        for &n in &counts {
            group.throughput(Throughput::Elements((n * per_worker()) as u64));
            let mut seen = Vec::new();
            group.bench_with_input(BenchmarkId::new("workers", n), &n, |b, &n| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| {
                            let s = measure(&admin, n, shared);
                            seen.push(s);
                            s.wall
                        })
                        .sum()
                })
            });
            report(scenario, n, &seen);
        }
        group.finish();
        eprintln!("scale_ingest/{scenario}: load after {}", uptime());
    }
}

/// Prints the CPU cost per event behind a criterion figure: the load model of
/// `docs/scaling.md` is built from these.
fn report(scenario: &str, workers: usize, seen: &[Sample]) {
    let events: usize = seen.iter().map(|s| s.events).sum();
    if events == 0 {
        return;
    }
    let sum = |f: fn(&Sample) -> StdDuration| seen.iter().map(f).sum::<StdDuration>();
    let us = |d: StdDuration| d.as_secs_f64() * 1e6 / events as f64;
    let (wall, worker, db) = (sum(|s| s.wall), sum(|s| s.worker_cpu), sum(|s| s.db_cpu));
    eprintln!(
        "scale_ingest/{scenario}/{workers} workers: {} iterations, {:.0} events/s overall; per event: \
         worker CPU {:.1} us, PostgreSQL CPU {:.1} us, wall {:.1} us; CPUs busy {:.2}; load {}",
        seen.len(),
        events as f64 / wall.as_secs_f64(),
        us(worker),
        us(db),
        us(wall),
        (worker + db).as_secs_f64() / wall.as_secs_f64(),
        uptime()
    );
}

fn main() {
    // The worker processes are this binary again.
    if std::env::var(WORKER_ENV).is_ok() {
        worker_main();
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    scale_ingest(&mut c);
    c.final_summary();
}
