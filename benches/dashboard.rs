//! Dashboard benchmark (`cargo bench --bench dashboard`, or `bench/dashboard.sh`): the
//! latency from a store change to its event at a connected SSE client, and the server's
//! memory (VmRSS) with 200 clients connected. Fails when the budgets are exceeded
//! (median latency ≤ 100 ms, RSS ≤ 30 MiB).
// The figures are this benchmark's output, and a setup that fails should panic.
#![allow(clippy::print_stdout, clippy::unwrap_used, reason = "a benchmark binary")]
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tmux_ide::plan::Store;
use tmux_ide::plan::rules::{TaskChanges, update_task};
use tmux_ide::project::Project;

const BIN: &str = env!("CARGO_BIN_EXE_tmux-ide");
const ROUNDS: usize = 60;
const CLIENTS: usize = 200;
const LATENCY_BUDGET_MS: f64 = 100.0;
const RSS_BUDGET_KIB: u64 = 30 * 1024;

fn cli(dir: &std::path::Path, args: &[&str]) {
    let ok = Command::new(BIN).arg("-C").arg(dir).args(args).stdout(Stdio::null()).status();
    assert!(ok.is_ok_and(|s| s.success()), "tmux-ide {args:?} failed");
}

fn connect(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(s, "GET /api/stream HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n")
        .unwrap();
    s
}

/// Reads until `needle` has been seen in this stream's new bytes (or the deadline).
fn read_until(s: &mut TcpStream, buf: &mut Vec<u8>, needle: &str, deadline: Instant) -> bool {
    let mut chunk = [0u8; 16384];
    loop {
        if String::from_utf8_lossy(buf).contains(needle) {
            buf.clear();
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        match s.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return false,
        }
    }
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Changes task 001's priority (a real read-modify-write with one event).
fn change(store: &Store, round: usize) {
    let changes = TaskChanges { priority: Some(1 + (round % 9) as u8), ..TaskChanges::default() };
    store
        .update(|plan, events| {
            Ok(update_task(plan, events, "001", changes, &[], Timestamp::now())?)
        })
        .expect("store update");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli(d, &["mission", "set", "Bench"]);
    cli(d, &["milestone", "create", "One", "--sequence", "1"]);
    for i in 0..50 {
        cli(d, &["task", "create", &format!("Task {i}"), "--milestone", "M1"]);
    }
    cli(d, &["mission", "plan-complete", "--force"]);
    let store = Store::new(&Project::at(d));

    let mut server: Child = Command::new(BIN)
        .arg("-C")
        .arg(d)
        .args(["dashboard", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr =
        line.trim().trim_start_matches("dashboard: http://").trim_end_matches('/').to_string();
    let pid = server.id();
    let rss_idle = status_kib(pid, "VmRSS:");

    // Latency: one client, ROUNDS store changes, one at a time.
    let mut s = connect(&addr);
    s.set_read_timeout(Some(Duration::from_millis(5))).unwrap();
    let mut buf = Vec::new();
    assert!(read_until(
        &mut s,
        &mut buf,
        "event: snapshot",
        Instant::now() + Duration::from_secs(5)
    ));
    let mut from_return = Vec::new();
    let mut from_start = Vec::new();
    for round in 0..ROUNDS {
        let start = Instant::now();
        change(&store, round);
        let changed = Instant::now();
        let got = read_until(&mut s, &mut buf, "event: event", changed + Duration::from_secs(5));
        assert!(got, "round {round}: no event within 5 s");
        from_return.push(changed.elapsed().as_secs_f64() * 1000.0);
        from_start.push(start.elapsed().as_secs_f64() * 1000.0);
        // Let the snapshot that follows drain, so rounds do not overlap.
        read_until(&mut s, &mut buf, "event: snapshot", Instant::now() + Duration::from_secs(1));
    }
    from_return.sort_by(f64::total_cmp);
    from_start.sort_by(f64::total_cmp);

    // Memory: CLIENTS connected clients, each past its first snapshot.
    let mut clients: Vec<(TcpStream, Vec<u8>)> = (0..CLIENTS)
        .map(|_| {
            let mut c = connect(&addr);
            c.set_read_timeout(Some(Duration::from_millis(2))).unwrap();
            let mut b = Vec::new();
            assert!(read_until(
                &mut c,
                &mut b,
                "event: snapshot",
                Instant::now() + Duration::from_secs(10)
            ));
            (c, b)
        })
        .collect();
    let rss_clients = status_kib(pid, "VmRSS:");
    // Fan-out: one change, until the last of the clients has its event.
    let changed = {
        change(&store, ROUNDS);
        Instant::now()
    };
    for (c, b) in &mut clients {
        assert!(
            read_until(c, b, "event: event", changed + Duration::from_secs(10)),
            "a client missed the event"
        );
    }
    let fan_out = changed.elapsed().as_secs_f64() * 1000.0;
    let rss_after = status_kib(pid, "VmRSS:");
    let hwm = status_kib(pid, "VmHWM:");
    let _ = server.kill();
    let _ = server.wait();

    let median = percentile(&from_return, 0.5);
    println!("dashboard benchmark ({ROUNDS} store changes, 50-task plan; release build)");
    println!(
        "  store change -> SSE event at the client: median {median:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(&from_return, 0.95),
        from_return[from_return.len() - 1]
    );
    println!(
        "  (from the start of the store update: median {:.1} ms, p95 {:.1} ms)",
        percentile(&from_start, 0.5),
        percentile(&from_start, 0.95)
    );
    println!("  one change fanned out to all {CLIENTS} clients in {fan_out:.1} ms");
    println!(
        "  VmRSS: idle {:.1} MiB, {CLIENTS} clients {:.1} MiB, after the fan-out {:.1} MiB (peak {:.1} MiB)",
        rss_idle as f64 / 1024.0,
        rss_clients as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    let mut failed = false;
    if median > LATENCY_BUDGET_MS {
        println!("FAIL: median latency {median:.1} ms > {LATENCY_BUDGET_MS} ms");
        failed = true;
    }
    if rss_clients.max(rss_after) > RSS_BUDGET_KIB {
        println!("FAIL: RSS with {CLIENTS} clients over {} MiB", RSS_BUDGET_KIB / 1024);
        failed = true;
    }
    if failed {
        std::process::exit(1);
    }
}
