//! Captures of the real CLIs' screens (opt-in: `bench/real-agents.sh --screens`): each CLI
//! alone in a private tmux window, driven through idle, busy (the scripted model holds its
//! answer), approval (the CLI left asking), rate-limited (HTTP 429) and error (HTTP 500),
//! each screen captured at pane widths 60, 80, 120 and 200 into
//! tests/fixtures/agents/screens/<agent>-<state>-<width>.txt, which the ordinary suite
//! reads back through `detect` (src/agent/screen_fixtures.rs).
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::real::{Cli, Model, Setup, reap_run};
use crate::common::{TestProject, TmuxServer, bin};

const WIDTHS: [u16; 4] = [60, 80, 120, 200];

fn set_mode(port: u16, mode: &str) {
    let body = format!("{{\"mode\": \"{mode}\"}}");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /_mode HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let _ = s.read_to_end(&mut Vec::new());
}

/// Texts that say each CLI is at its prompt, at work, or asking.
fn marks(cli: Cli) -> (&'static str, &'static str, &'static str) {
    match cli {
        Cli::Aider => ("\n>", "Waiting for", "Run shell command?"),
        Cli::Claude => ("❯", "esc to interrupt", "Do you want to proceed?"),
        Cli::Codex => ("Ask Codex to do anything", "esc to interrupt", "Would you like to run"),
        Cli::Gemini => ("Type your message", "esc to cancel", "Allow execution"),
    }
}

struct Cap<'a> {
    tmux: &'a TmuxServer,
    cli: Cli,
    dir: PathBuf,
}

impl Cap<'_> {
    fn screen(&self) -> String {
        let out = self.tmux.tmux(&["capture-pane", "-p", "-J", "-t", "cap"]);
        String::from_utf8_lossy(&out.stdout).trim_end_matches(['\n', ' ']).to_string()
    }

    /// Waits up to `secs` for `pred` on the screen; whether it came.
    fn until(&self, secs: u64, pred: impl Fn(&str) -> bool) -> bool {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if pred(&self.screen()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        false
    }

    /// The screen once it has not changed for a second (at most `secs`).
    fn settled(&self, secs: u64) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        let mut last = self.screen();
        let mut since = Instant::now();
        while Instant::now() < end {
            std::thread::sleep(Duration::from_millis(250));
            let now = self.screen();
            if now != last {
                (last, since) = (now, Instant::now());
            } else if since.elapsed() >= Duration::from_secs(1) {
                break;
            }
        }
        last
    }

    /// The current state captured at every width.
    fn shoot(&self, state: &str) {
        for w in WIDTHS {
            self.tmux.tmux_ok(&["resize-window", "-t", "cap", "-x", &w.to_string(), "-y", "40"]);
            let screen = self.settled(6);
            let name = format!("{}-{state}-{w}.txt", self.cli.agent());
            std::fs::write(self.dir.join(name), format!("{screen}\n")).unwrap();
        }
        self.tmux.tmux_ok(&["resize-window", "-t", "cap", "-x", "80", "-y", "40"]);
    }

    fn paste(&self, text: &str) {
        self.tmux.tmux_ok(&["set-buffer", "-b", "cap", text]);
        self.tmux.tmux_ok(&["paste-buffer", "-p", "-d", "-b", "cap", "-t", "cap"]);
        std::thread::sleep(Duration::from_millis(400));
        self.tmux.tmux_ok(&["send-keys", "-t", "cap", "Enter"]);
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "cap"];
        args.extend(keys);
        self.tmux.tmux_ok(&args);
    }
}

fn prompt(id: &str) -> String {
    format!(
        "# tmux-ide task {id}: Capture\nTMUX-IDE-TASK: {id}\n\nReport it with exactly this command:\n\ntmux-ide task done {id} --proof \"…\" --summary \"…\""
    )
}

fn capture(cli: Cli) {
    let project = TestProject::new();
    let tmux = TmuxServer::new();
    let home = tempfile::Builder::new().prefix("tmux-ide-real-home-").tempdir().unwrap();
    let model = Model::start(home.path());
    let run = home.path().file_name().unwrap().to_string_lossy().into_owned();
    let bindir = home.path().join("bin");
    std::fs::create_dir(&bindir).unwrap();
    std::os::unix::fs::symlink(bin(), bindir.join("tmux-ide")).unwrap();
    let project_dir = project.path().canonicalize().unwrap();
    let mut env = BTreeMap::from([
        ("HOME".to_string(), home.path().display().to_string()),
        ("PATH".to_string(), format!("{}:/usr/local/bin:/usr/bin:/bin", bindir.display())),
        ("TMUX_IDE_REAL_RUN".to_string(), run.clone()),
    ]);
    let setup = Setup { home: home.path(), project: &project_dir, port: model.port, asking: true };
    // As people run them, in colour: Aider shows its `Waiting for` spinner only then.
    let command = format!("env -u NO_COLOR {}", setup.configure(cli, &mut env));
    let mut args = vec!["new-session", "-d", "-s", "cap", "-x", "80", "-y", "40", "-c"];
    let dir = project_dir.display().to_string();
    args.push(&dir);
    let pairs: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for p in &pairs {
        args.extend(["-e", p.as_str()]);
    }
    args.push(&command);
    tmux.tmux_ok(&args);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agents/screens");
    let cap = Cap { tmux: &tmux, cli, dir: out };
    let (ready, busy, asks) = marks(cli);
    let at_prompt = |s: &str| s.contains(ready) && !s.contains(busy);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert!(cap.until(60, at_prompt), "never at its prompt:\n{}", cap.screen());

        cap.shoot("idle");
        set_mode(model.port, "hold");
        cap.paste(&prompt("901"));
        let offer = |s: &str| s.contains("Not answered yet");
        if cli == Cli::Claude && cap.until(10, offer) {
            // In `default` mode Claude Code offers auto mode at the first prompt: "No, keep
            // manual mode", then the prompt again.
            cap.keys(&["Down", "Enter"]);
            cap.until(20, |s| at_prompt(s) && !offer(s));
            cap.paste(&prompt("901"));
        }
        // Aider shows `Waiting for` only while it streams: a held request is its busy time.
        let held = || model.requests().iter().any(|r| r["kind"] == "held");
        assert!(cap.until(40, |s| s.contains(busy) || held()), "never busy:\n{}", cap.screen());
        std::thread::sleep(Duration::from_secs(2));
        cap.shoot("busy");
        set_mode(model.port, "ask");
        if cap.until(30, |s| s.contains(asks)) {
            cap.shoot("approval");
        } else {
            eprintln!("{cli:?} did not ask:\n{}", cap.screen());
        }
        cap.keys(&["Escape"]);
        if cli == Cli::Aider {
            cap.keys(&["n", "Enter"]);
        }
        cap.until(30, at_prompt);
        // The error first: a rate-limit message left above would outrank what follows.
        set_mode(model.port, "500");
        cap.paste(&prompt("902"));
        std::thread::sleep(Duration::from_secs(8));
        cap.shoot("error");
        set_mode(model.port, "429");
        cap.keys(&[if cli == Cli::Aider { "C-c" } else { "Escape" }]);
        cap.until(20, at_prompt);
        cap.paste(&prompt("903"));
        std::thread::sleep(Duration::from_secs(8));
        cap.shoot("rate-limit");
    }));
    let _ = tmux.tmux(&["kill-server"]);
    reap_run(&run);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh --screens"]
fn capture_aider_screens() {
    capture(Cli::Aider);
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh --screens"]
fn capture_claude_code_screens() {
    capture(Cli::Claude);
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh --screens"]
fn capture_codex_screens() {
    capture(Cli::Codex);
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh --screens"]
fn capture_gemini_cli_screens() {
    capture(Cli::Gemini);
}
