//! Helpers for the dashboard tests: a `tmux-ide dashboard --port 0` child process (killed
//! on drop), a tiny HTTP/1.1 client over `TcpStream`, and an SSE reader.
#![allow(dead_code, reason = "not every web test uses every helper")]
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestProject;

/// A running dashboard; SIGTERM + wait on drop.
pub struct Dashboard {
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    pub stdout: BufReader<ChildStdout>,
}

impl Dashboard {
    /// Starts `tmux-ide -C <project> dashboard --port 0 EXTRA...` and reads its URL.
    pub fn start(p: &TestProject, extra: &[&str]) -> Dashboard {
        Dashboard::start_on(p, 0, extra)
    }

    /// Like [`Dashboard::start`] on a given port.
    pub fn start_on(p: &TestProject, port: u16, extra: &[&str]) -> Dashboard {
        let mut cmd = p.std_cmd();
        cmd.args(["dashboard", "--port", &port.to_string()]).args(extra);
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("dashboard starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("dashboard: http://")
            .and_then(|s| s.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Dashboard { child, addr, stdout }
    }

    pub fn port(&self) -> u16 {
        self.addr.rsplit(':').next().unwrap().parse().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], "")
    }

    pub fn get_json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r.json()
    }

    /// One request with `Connection: close`; extra headers as (name, value).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            req.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    }

    /// Opens `/api/stream` with extra headers; returns the reader after the headers.
    pub fn stream(&self, path: &str, headers: &[(&str, &str)]) -> SseReader {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        let mut req =
            format!("GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n", self.addr);
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let mut r = SseReader { stream: s, buf: Vec::new(), head: String::new() };
        r.read_head();
        r
    }

    /// SIGTERM, then the exit status within `timeout`.
    pub fn terminate(&mut self, timeout: Duration) -> std::process::ExitStatus {
        unsafe_kill(self.child.id(), libc::SIGTERM);
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "dashboard did not stop within {timeout:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn unsafe_kill(pid: u32, sig: i32) {
    // SAFETY: sending a signal to our own child process by its pid.
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            unsafe_kill(self.child.id(), libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines.next().unwrap_or("").split(' ').nth(1).unwrap_or("0").parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v == "chunked");
        let body = if chunked { dechunk(body) } else { body.to_string() };
        Response { status, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!("not JSON ({e}): status {} body {:?}", self.status, self.body)
        })
    }

    /// Asserts a 4xx status with a JSON `{"error": "..."}` body; returns the message.
    pub fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "body: {}", self.body);
        let msg = self.json()["error"].as_str().map(str::to_string);
        msg.unwrap_or_else(|| panic!("no error field in {}", self.body))
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// One server-sent message.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

/// Reads SSE messages from a raw (chunked) HTTP response.
pub struct SseReader {
    stream: TcpStream,
    buf: Vec<u8>,
    pub head: String,
}

impl SseReader {
    fn fill(&mut self, deadline: Instant) -> bool {
        let mut chunk = [0u8; 8192];
        while Instant::now() < deadline {
            match self.stream.read(&mut chunk) {
                Ok(0) => return false,
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return true;
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return false,
            }
        }
        false
    }

    fn read_head(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                self.head = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 4);
                return;
            }
            assert!(self.fill(deadline), "no response head");
        }
    }

    /// The next message, or `None` at `timeout` or when the server closes the stream.
    /// Chunk-size lines of the chunked encoding are skipped (they never look like fields).
    pub fn next(&mut self, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(msg) = self.take_message() {
                return Some(msg);
            }
            if !self.fill(deadline) {
                return None;
            }
        }
    }

    fn take_message(&mut self) -> Option<Message> {
        loop {
            let text = String::from_utf8_lossy(&self.buf).into_owned();
            let end = text.find("\n\n")?;
            self.buf.drain(..end + 2);
            let mut msg = Message::default();
            for line in text[..end].lines() {
                let line = line.trim_end_matches('\r');
                if let Some(v) = line.strip_prefix("event: ") {
                    msg.event = v.to_string();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    msg.id = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    msg.data.push_str(v);
                }
            }
            if !msg.event.is_empty() || !msg.data.is_empty() {
                return Some(msg);
            }
        }
    }

    /// Messages until one of `event` arrives (or the timeout).
    /// Everything left on the connection until the server closes it; `None` if it is
    /// still open after `timeout`.
    pub fn rest_until_closed(&mut self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut chunk = [0u8; 8192];
        while Instant::now() < deadline {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Some(std::mem::take(&mut self.buf)),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return Some(std::mem::take(&mut self.buf)),
            }
        }
        None
    }

    pub fn next_of(&mut self, event: &str, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now() + timeout;
        while let Some(m) = self.next(deadline.saturating_duration_since(Instant::now())) {
            if m.event == event {
                return Some(m);
            }
        }
        None
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Number of complete lines in the project's event log.
pub fn event_lines(p: &TestProject) -> usize {
    std::fs::read_to_string(p.path().join(".tasks/events.jsonl"))
        .unwrap_or_default()
        .lines()
        .count()
}
