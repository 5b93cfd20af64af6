//! The dashboard page in headless Chromium, driven over the DevTools protocol: the board
//! shows the seed mission, a `task done` on the command line reaches the page within 1 s
//! without a reload, the page reconnects to a restarted server, and a screenshot is saved to `target/test-artifacts/dashboard.png`.
//! Chromium is found on PATH (`chromium`, `chromium-browser`) when the tests are built
//! (build.rs sets `cfg(chromium)`); without it the test is reported as ignored with how to
//! install it, never as a pass that ran nothing.
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use crate::common::{TestProject, bin, wait_for};
use crate::store_seed::plan_auth_v2;
use crate::web_support::Dashboard;

/// Chromium on PATH (build.rs saw it when the tests were built).
fn chromium() -> PathBuf {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|n| which::which(n).ok())
        .expect("chromium was on PATH when the tests were built, and is gone now")
}

/// Headless Chromium in its own process group (killed whole on drop).
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    devtools_port: u16,
}

impl Browser {
    fn start(chromium: &std::path::Path, url: &str) -> Browser {
        let profile = tempfile::Builder::new().prefix("tmux-ide-chromium-").tempdir().unwrap();
        let mut cmd = Command::new(chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1100",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().expect("chromium starts");
        let port_file = profile.path().join("DevToolsActivePort");
        let devtools_port = wait_for("DevToolsActivePort", Duration::from_secs(30), || {
            std::fs::read_to_string(&port_file).ok()?.lines().next()?.trim().parse().ok()
        });
        Browser { child, _profile: profile, devtools_port }
    }

    /// The DevTools websocket of the page showing `url`.
    fn page(&self, url: &str) -> Cdp {
        let ws_url = wait_for("the dashboard page target", Duration::from_secs(20), || {
            let list = http_get(self.devtools_port, "/json/list")?;
            let targets: Value = serde_json::from_str(&list).ok()?;
            let target = targets.as_array()?.iter().find(|t| {
                t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url))
            })?;
            target["webSocketDebuggerUrl"].as_str().map(str::to_string)
        });
        let (ws, _) = tungstenite::connect(ws_url.as_str()).expect("devtools websocket");
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        }
        Cdp { ws, next_id: 0 }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // SAFETY: signals to the process group this test started (pgid = child's pid).
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// A plain GET to the DevTools HTTP endpoint (which keeps the connection open: the
/// body is read up to its Content-Length).
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").ok()?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
            });
            if len.is_some_and(|n| body.len() >= n) {
                return Some(body.to_string());
            }
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => {
                let text = String::from_utf8_lossy(&raw).into_owned();
                return text.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
            }
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A DevTools protocol session over the page's websocket.
struct Cdp {
    ws: WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Cdp {
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({ "id": id, "method": method, "params": params });
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let reply = self.ws.read().expect("devtools reply");
            let Message::Text(text) = reply else { continue };
            let v: Value = serde_json::from_str(text.as_str()).unwrap();
            if v["id"] == id {
                assert!(v["error"].is_null(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// Evaluates a JavaScript expression in the page; its value as JSON.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call("Runtime.evaluate", json!({ "expression": expr, "returnByValue": true }));
        r["result"]["value"].clone()
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()) {
        let v = ABC.iter().position(|&a| a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

const CARD_STATUS: &str = r#"(() => { const c = document.querySelector('#board [data-task="001"]');
    return c ? c.closest('.col').dataset.status : null; })()"#;

#[test]
#[cfg_attr(not(chromium), ignore = "needs Chromium on PATH: apt-get install -y chromium")]
fn the_page_shows_the_seed_board_and_a_cli_task_done_within_one_second() {
    let chromium = chromium();
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.ok(&["mission", "plan-complete"]);
    p.ok(&["task", "claim", "002", "--pane", "Backend"]);
    let d = Dashboard::start(&p, &[]);
    let url = d.url("/");
    let browser = Browser::start(&chromium, &url);
    let mut page = browser.page(&url);

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = page.eval(
            "document.querySelectorAll('#board .card').length === 8 && \
             document.querySelector('#conn').dataset.state === 'live'",
        );
        if ready == json!(true) {
            break;
        }
        assert!(Instant::now() < deadline, "the board never showed 8 live cards");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(page.eval("document.querySelector('#mission-title').textContent"), "Auth v2");
    assert_eq!(page.eval(CARD_STATUS), "todo");
    let card_002 = page.eval(r#"document.querySelector('[data-task="002"]').textContent"#);
    let card_002 = card_002.as_str().unwrap();
    for part in ["Create JWT utility functions", "P2", "backend", "@Backend", "VAL-AUTH-001"] {
        assert!(card_002.contains(part), "card 002 lacks {part:?}: {card_002}");
    }
    let rail =
        page.eval("[...document.querySelectorAll('#milestones li')].map(l => l.dataset.status)");
    assert_eq!(rail, json!(["active", "locked", "locked"]));
    assert_eq!(page.eval("document.querySelectorAll('#assertions tbody tr').length"), 6);
    page.eval("window.__notReloaded = true");

    p.ok(&["task", "done", "001", "--proof", "migrations run", "--summary", "schema in place"]);
    let done_at = Instant::now();
    loop {
        if page.eval(CARD_STATUS) == "done" {
            break;
        }
        let waited = done_at.elapsed();
        assert!(waited < Duration::from_secs(1), "task 001 not shown done after {waited:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown_after = done_at.elapsed();
    assert_eq!(page.eval("window.__notReloaded === true"), true, "the page was reloaded");
    let proof = page.eval(r#"document.querySelector('[data-task="001"] .proof').textContent"#);
    assert_eq!(proof, "proof: migrations run");
    let event_shown = wait_for("the task_done event in the list", Duration::from_secs(1), || {
        let text = page.eval("document.querySelector('#events li').textContent");
        text.as_str().filter(|t| t.contains("001")).map(str::to_string)
    });
    println!("task done shown after {shown_after:?}; event: {event_shown}");

    // A restarted server: the page reconnects by itself and shows what happened since.
    let port = d.port();
    drop(d);
    let _d = Dashboard::start_on(&p, port, &[]);
    p.ok(&["task", "done", "005", "--proof", "middleware rejects expired JWTs"]);
    let status_005 = CARD_STATUS.replace("001", "005");
    wait_for("the page to reconnect and show 005 done", Duration::from_secs(10), || {
        (page.eval(&status_005) == "done").then_some(())
    });
    assert_eq!(page.eval("document.querySelector('#conn').dataset.state"), "live");
    assert_eq!(page.eval("window.__notReloaded === true"), true, "the page was reloaded");

    // A blocked task has a column of its own, with why.
    p.ok(&["task", "update", "006", "--status", "blocked"]);
    let card_006 =
        r#"document.querySelector('#board .col[data-status="blocked"] [data-task="006"]')"#;
    let why = wait_for("006 in the Blocked column", Duration::from_secs(5), || {
        let text = page.eval(&format!("{card_006}?.textContent ?? ''"));
        text.as_str().filter(|t| !t.is_empty()).map(str::to_string)
    });
    assert!(why.contains("blocked: blocked by hand"), "{why}");

    let shot = page
        .call("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true }));
    let png = base64_decode(shot["data"].as_str().unwrap());
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let dir: PathBuf = bin().parent().unwrap().parent().unwrap().join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("dashboard.png"), &png).unwrap();
}
