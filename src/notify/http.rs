//! The smallest HTTP/1.1 client a webhook needs: one POST over a fresh connection, its
//! status code read back, everything (name lookup included) within one deadline. Written
//! on std rather than pulling a client crate: no TLS, no redirects, no body read.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::config::HttpUrl;

/// Most bytes of the answer read while looking for its status line.
const MAX_HEAD: usize = 8 * 1024;

/// POSTs `body` as JSON to `url`; the response's status code, or why there is none.
pub fn post(url: &HttpUrl, body: &[u8], timeout: Duration) -> Result<u16, String> {
    let deadline = Instant::now() + timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    let addrs = resolve(url, timeout)?;
    let mut stream = None;
    let mut last_error = format!("{} has no address", url.host);
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, left().max(Duration::from_millis(1))) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_error = format!("connect to {addr}: {e}"),
        }
    }
    let mut stream = stream.ok_or(last_error)?;
    let host = if url.port == 80 { url.host.clone() } else { format!("{}:{}", url.host, url.port) };
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tmux-ide/{}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        url.path,
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    let timed_out = |what: &str| format!("no answer within {}ms ({what})", timeout.as_millis());
    for chunk in [head.as_bytes(), body] {
        let _ = stream.set_write_timeout(Some(left().max(Duration::from_millis(1))));
        stream.write_all(chunk).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => timed_out("sending"),
            _ => format!("send: {e}"),
        })?;
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        let remaining = left();
        if remaining.is_zero() {
            return Err(timed_out("waiting"));
        }
        let _ = stream.set_read_timeout(Some(remaining));
        match stream.read(&mut buf) {
            Ok(0) => return Err("the connection closed without an answer".into()),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            // A signal arrived (a socket read with a timeout is never restarted): read on.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out("waiting"));
            }
            Err(e) => return Err(format!("receive: {e}")),
        }
        if answer.len() > MAX_HEAD {
            return Err("the answer has no status line".into());
        }
    }
    status_code(&answer).ok_or_else(|| "the answer is not HTTP".into())
}

/// The addresses of the URL's host, looked up on a helper thread so a slow resolver
/// cannot outlast the timeout (the thread finishes on its own).
fn resolve(url: &HttpUrl, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    let target = url.socket_host();
    if let Ok(ip) = target.0.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, target.1)]);
    }
    let (tx, rx) = mpsc::channel();
    let shown = target.0.clone();
    std::thread::Builder::new()
        .name("notify-resolve".into())
        .spawn(move || {
            let _ = tx.send(target.to_socket_addrs().map(Iterator::collect::<Vec<_>>));
        })
        .map_err(|e| format!("cannot start a lookup thread: {e}"))?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) => Ok(addrs),
        Ok(Err(e)) => Err(format!("cannot resolve {shown}: {e}")),
        Err(_) => Err(format!("cannot resolve {shown} within {}ms", timeout.as_millis())),
    }
}

/// `HTTP/1.1 204 No Content` → 204.
fn status_code(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|&b| b == b'\n').next()?;
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split_whitespace();
    words.next().filter(|v| v.starts_with("HTTP/"))?;
    words.next()?.parse().ok().filter(|c| (100..=999).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn the_status_line_gives_the_code() {
        assert_eq!(status_code(b"HTTP/1.1 204 No Content\r\n"), Some(204));
        assert_eq!(status_code(b"HTTP/1.0 500\r\n"), Some(500));
        assert_eq!(status_code(b"SSH-2.0-OpenSSH\r\n"), None);
    }

    #[test]
    fn a_post_reaches_a_loopback_server_and_a_silent_one_times_out() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut conn, _) = server.accept().unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&got).contains("{\"a\":1}") {
                let n = conn.read(&mut buf).unwrap();
                got.extend_from_slice(&buf[..n]);
            }
            conn.write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n").unwrap();
            String::from_utf8(got).unwrap()
        });
        let url = HttpUrl::parse(&format!("http://127.0.0.1:{port}/hook")).unwrap();
        assert_eq!(post(&url, br#"{"a":1}"#, Duration::from_secs(5)), Ok(202));
        let request = handle.join().unwrap();
        assert!(request.starts_with("POST /hook HTTP/1.1\r\n"), "{request}");
        assert!(request.contains("Content-Length: 7\r\n"), "{request}");

        // Accepted by the kernel, never answered.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = HttpUrl::parse(&format!("http://{}/", silent.local_addr().unwrap())).unwrap();
        let started = Instant::now();
        let err = post(&url, b"{}", Duration::from_millis(300)).unwrap_err();
        assert!(err.contains("no answer within 300ms"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(3));
        drop(silent);
    }
}
