//! The dashboard against clients that open connections and never finish a request: it
//! keeps answering real requests, closes them after the header timeout (and idle
//! kept-alive ones too), and SIGTERM ends it within 2 s whatever is connected.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{TestProject, bin};
use crate::web_support::Dashboard;

fn project() -> TestProject {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: Shell\n");
    p
}

/// A connection that sent half a request line and stops there.
fn half_open(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /api/mission HTTP/1.1\r\nHo").unwrap();
    s
}

/// The dashboard with at most `fds` open file descriptors (`ulimit -n`), so connections
/// that are never closed would exhaust them.
fn start_with_fd_limit(p: &TestProject, fds: u32) -> Dashboard {
    let mut cmd = p.command("sh");
    cmd.arg("-c").arg(format!("ulimit -n {fds} && exec \"$0\" \"$@\"")).arg(bin());
    cmd.arg("-C").arg(p.path()).args(["dashboard", "--port", "0"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line.trim().trim_start_matches("dashboard: http://").trim_end_matches('/');
    Dashboard { child, addr: addr.to_string(), stdout }
}

/// Waits (at most `within`) for the server to close `s`; how long that took.
fn closed_by_server(s: &mut TcpStream, within: Duration) -> Duration {
    let start = Instant::now();
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return start.elapsed(),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return start.elapsed(),
            Err(e) => panic!("not closed within {within:?}: {e}"),
        }
    }
}

#[test]
fn hundreds_of_half_open_connections_do_not_stop_it_answering() {
    let p = project();
    let d = start_with_fd_limit(&p, 128);
    let held: Vec<TcpStream> = (0..200).map(|_| half_open(&d.addr)).collect();
    let start = Instant::now();
    let mut s = TcpStream::connect(&d.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let req = format!("GET /api/mission HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", d.addr);
    s.write_all(req.as_bytes()).unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).expect("an answer within 3 s");
    assert_eq!(&head, b"HTTP/1.1 200", "after {:?}", start.elapsed());
    drop(held);
}

#[test]
fn half_open_and_idle_connections_are_closed_after_the_header_timeout() {
    let p = project();
    let d = Dashboard::start(&p, &[]);
    let mut idle = TcpStream::connect(&d.addr).unwrap();
    let req = format!("GET /api/mission HTTP/1.1\r\nHost: {}\r\n\r\n", d.addr);
    idle.write_all(req.as_bytes()).unwrap();
    let mut head = [0u8; 12];
    idle.read_exact(&mut head).unwrap();
    let mut half = half_open(&d.addr);
    let within = Duration::from_secs(9);
    let waited = closed_by_server(&mut half, within);
    assert!(waited >= Duration::from_secs(3), "closed too early ({waited:?})");
    closed_by_server(&mut idle, Duration::from_secs(2));
}

#[test]
fn sigterm_ends_it_within_2s_with_a_stream_and_a_half_open_connection() {
    let p = project();
    let mut d = Dashboard::start(&p, &[]);
    let _stream = d.stream("/api/stream", &[]);
    let _half = half_open(&d.addr);
    let mut busy = half_open(&d.addr);
    busy.write_all(b"st: x\r\n").unwrap();
    let start = Instant::now();
    assert!(d.terminate(Duration::from_secs(2)).success());
    assert!(start.elapsed() < Duration::from_secs(2));
}
