//! Where a notification goes, and sending one there within its bounds: a command (its
//! argument vector run without a shell, the JSON on stdin, killed at the timeout), a
//! webhook (POST, retried with a doubling pause on a refused connection, a timeout, 5xx
//! or 429), the desktop (`notify-send` / `osascript`), the tmux session's clients.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Payload;
use super::http;
use crate::config::{HttpUrl, NotifyConfig};
use crate::tmux::Tmux;

/// First pause between webhook attempts; each further one doubles.
const FIRST_PAUSE: Duration = Duration::from_millis(500);

/// One configured destination.
#[derive(Debug, Clone)]
pub enum Target {
    /// An argument vector, run in the project directory.
    Command {
        argv: Vec<String>,
        dir: PathBuf,
    },
    Webhook {
        url: String,
        parsed: HttpUrl,
    },
    /// The program found for desktop notifications, if any.
    Desktop(Option<PathBuf>),
    Tmux {
        tmux: Tmux,
        session: String,
    },
}

/// Every target `config` names, commands to run in `root`. `tmux` and `session` serve
/// the tmux message.
pub fn targets(config: &NotifyConfig, root: &Path, tmux: &Tmux, session: &str) -> Vec<Target> {
    let command = |argv: &Vec<String>| Target::Command { argv: argv.clone(), dir: root.into() };
    let mut out: Vec<Target> = config.commands.iter().map(command).collect();
    for url in &config.webhooks {
        // The ide.yml check refused any URL that does not parse.
        if let Ok(parsed) = HttpUrl::parse(url) {
            out.push(Target::Webhook { url: url.clone(), parsed });
        }
    }
    if config.desktop {
        out.push(Target::Desktop(desktop_program()));
    }
    if config.tmux {
        out.push(Target::Tmux { tmux: tmux.clone(), session: session.to_string() });
    }
    out
}

fn desktop_program() -> Option<PathBuf> {
    let name = if cfg!(target_os = "macos") { "osascript" } else { "notify-send" };
    which::which(name).ok()
}

/// A delivery that did not succeed: why, after how many attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub attempts: u32,
    pub error: String,
}

impl Target {
    /// How the target is named in events and reports.
    pub fn label(&self) -> String {
        match self {
            Target::Command { argv, .. } => {
                format!("command {}", argv.first().map_or("", |s| s))
            }
            Target::Webhook { url, .. } => format!("webhook {url}"),
            Target::Desktop(_) => "desktop".into(),
            Target::Tmux { .. } => "tmux".into(),
        }
    }

    /// Sends `payload`; the number of attempts it took, or the failure.
    pub fn deliver(&self, payload: &Payload, config: &NotifyConfig) -> Result<u32, Failure> {
        let timeout = Duration::from_millis(config.timeout);
        let once = |error: String| Failure { attempts: 1, error };
        match self {
            Target::Command { argv, dir } => {
                // One JSON document per line, so a command may append what it gets to a file.
                let mut input = payload.json.clone();
                input.push(b'\n');
                run(argv, dir, &input, timeout).map(|()| 1).map_err(once)
            }
            Target::Webhook { parsed, .. } => post(parsed, payload, timeout, config.retries),
            Target::Desktop(None) => {
                Err(once("no notify-send (or osascript) on PATH for desktop notifications".into()))
            }
            Target::Desktop(Some(program)) => {
                let argv = desktop_argv(program, &payload.text);
                run(&argv, Path::new("/"), b"", timeout).map(|()| 1).map_err(once)
            }
            Target::Tmux { tmux, session } => tmux
                .display_message(session, &format!("tmux-ide: {}", payload.text))
                .map(|_| 1)
                .map_err(|e| once(e.to_string())),
        }
    }
}

/// POSTs with retries: a refused connection, a timeout, 5xx and 429 are tried again.
fn post(url: &HttpUrl, payload: &Payload, timeout: Duration, retries: u32) -> Result<u32, Failure> {
    let mut pause = FIRST_PAUSE;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match http::post(url, &payload.json, timeout) {
            Ok(code) if (200..300).contains(&code) => return Ok(attempts),
            Ok(code) if code >= 500 || code == 429 => format!("answered {code}"),
            Ok(code) => return Err(Failure { attempts, error: format!("answered {code}") }),
            Err(e) => e,
        };
        if attempts > retries {
            return Err(Failure { attempts, error });
        }
        tracing::info!(attempts, %error, pause_ms = pause.as_millis() as u64, "webhook attempt failed; trying again");
        // A pause between attempts, on this target's own thread: nothing else waits.
        std::thread::sleep(pause);
        pause *= 2;
    }
}

/// `notify-send -a tmux-ide -- tmux-ide TEXT`, or `osascript` with the text as an
/// argument of its script (never inside the script's source).
fn desktop_argv(program: &std::path::Path, text: &str) -> Vec<String> {
    let program = program.display().to_string();
    if program.ends_with("osascript") {
        let script = [
            "on run argv",
            "display notification (item 1 of argv) with title \"tmux-ide\"",
            "end run",
        ];
        let mut argv = vec![program];
        for line in script {
            argv.extend(["-e".to_string(), line.to_string()]);
        }
        argv.push(text.to_string());
        argv
    } else {
        [program.as_str(), "-a", "tmux-ide", "--", "tmux-ide", text].map(String::from).to_vec()
    }
}

/// Runs `argv` (no shell) in `dir` with `input` on stdin, its output discarded; killed
/// when it outlasts `timeout`. Ok when it exits 0.
fn run(argv: &[String], dir: &Path, input: &[u8], timeout: Duration) -> Result<(), String> {
    let (program, args) = argv.split_first().ok_or("the command is empty")?;
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let input = input.to_vec();
        // Written on its own thread: a program that never reads cannot hold this one.
        let _ = std::thread::Builder::new().name("notify-stdin".into()).spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("{program} exited with {status}")),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{program} still ran after {}ms; killed", timeout.as_millis()));
            }
            // Polling the child's exit with a deadline (std has no wait with a timeout).
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Event, EventKind};

    fn payload() -> Payload {
        let event = Event::new(jiff::Timestamp::UNIX_EPOCH, EventKind::MissionComplete);
        Payload::new("mission_complete", &event, "/p", "s")
    }

    #[test]
    fn a_command_gets_the_json_on_stdin_and_a_slow_one_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got.json");
        let config = NotifyConfig { timeout: 300, ..NotifyConfig::default() };
        let command = |argv: &[&str]| Target::Command {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            dir: dir.path().into(),
        };
        let copy = command(&["sh", "-c", "cat > got.json"]);
        assert_eq!(copy.deliver(&payload(), &config), Ok(1));
        let got: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(got["event"]["type"], "mission_complete");

        let slow = command(&["sleep", "30"]);
        let started = Instant::now();
        let err = slow.deliver(&payload(), &config).unwrap_err();
        assert!(err.error.contains("killed"), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let failing = command(&["false"]);
        assert!(failing.deliver(&payload(), &config).unwrap_err().error.contains("exited"));
        let missing = command(&["/nonexistent/notifier"]);
        assert!(missing.deliver(&payload(), &config).unwrap_err().error.contains("cannot run"));
    }

    #[test]
    fn a_refused_webhook_is_retried_then_reported() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}/");
        let target = Target::Webhook { parsed: HttpUrl::parse(&url).unwrap(), url };
        let config = NotifyConfig { timeout: 200, retries: 1, ..NotifyConfig::default() };
        let err = target.deliver(&payload(), &config).unwrap_err();
        assert_eq!(err.attempts, 2, "{err:?}");
        assert!(err.error.contains("connect"), "{err:?}");
    }

    #[test]
    fn desktop_text_is_an_argument_never_script_source() {
        let argv =
            desktop_argv(std::path::Path::new("/usr/bin/osascript"), "\" & do shell script \"x");
        assert_eq!(argv.last().unwrap(), "\" & do shell script \"x");
        assert!(argv.iter().filter(|a| a.contains("do shell")).count() == 1);
        let argv = desktop_argv(std::path::Path::new("/usr/bin/notify-send"), "-u critical");
        assert_eq!(argv[3..], ["--", "tmux-ide", "-u critical"]);
    }
}
