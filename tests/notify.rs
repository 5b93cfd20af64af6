//! Notifications to people (`notify:` in ide.yml) in a simulated mission on real tmux: a
//! loopback webhook receiver and a command get each configured event once, across an
//! orchestrator restart; a receiver that never answers, or answers 500, does not hold up
//! dispatch; `notify test` reports each target; bad `notify:` settings are refused.
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::fake::{Team, Worker};
use crate::common::{TestProject, TmuxServer, bin, wait_for};

/// How a test receiver answers.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Ok,
    Fail,
    /// Reads the request and never answers (the connection is held until the test ends).
    Hang,
}

/// A webhook receiver on 127.0.0.1: records each request body (with when it came) and
/// answers as told; its threads stop when it is dropped.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(Instant, Value)>>>,
    stop: Arc<AtomicBool>,
}

impl Receiver {
    fn start(answer: Answer) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (got2, stop2) = (Arc::clone(&got), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        conn.set_nonblocking(false).unwrap();
                        conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                        // Held until the receiver stops: a hanging answer stays unanswered.
                        held.extend(serve(conn, answer, &got2));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Receiver { url, got, stop }
    }

    fn bodies(&self) -> Vec<Value> {
        self.got.lock().unwrap().iter().map(|(_, v)| v.clone()).collect()
    }

    fn first_at(&self) -> Option<Instant> {
        self.got.lock().unwrap().first().map(|(at, _)| *at)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one request, records its JSON body, answers; a hanging answer returns the
/// connection to be held open.
fn serve(
    mut conn: TcpStream,
    answer: Answer,
    got: &Mutex<Vec<(Instant, Value)>>,
) -> Option<TcpStream> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let (head_end, length) = loop {
        let n = conn.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..i]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())?;
            break (i + 4, length);
        }
    };
    while data.len() < head_end + length {
        let n = conn.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let body = serde_json::from_slice(&data[head_end..head_end + length]).ok()?;
    got.lock().unwrap().push((Instant::now(), body));
    match answer {
        Answer::Ok => conn.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").ok().map(|_| conn),
        Answer::Fail => {
            conn.write_all(b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n").ok().map(|_| conn)
        }
        Answer::Hang => Some(conn),
    }
}

/// The seq of each logged event notified as one of `names` (a rate-limited `pane_state`
/// counts as `rate_limited`).
fn expected_seqs(team: &Team, names: &[&str]) -> BTreeSet<u64> {
    team.events()
        .iter()
        .filter(|e| {
            let kind = e["type"].as_str().unwrap_or("");
            names.contains(&kind)
                || (kind == "pane_state"
                    && e["state"] == "rate_limited"
                    && names.contains(&"rate_limited"))
        })
        .map(|e| e["seq"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_loopback_webhook_and_a_command_get_each_configured_event_once_across_a_restart() {
    let receiver = Receiver::start(Answer::Ok);
    let names = ["task_dispatched", "task_done", "mission_complete", "rate_limited"];
    let notify = format!(
        "notify:\n  events: [{}]\n  webhooks: ['{}']\n  commands:\n    - [tee, -a, notified.jsonl]\n",
        names.join(", "),
        receiver.url
    );
    let workers = [
        Worker { title: "Limited", agent: "claude", flags: "--rate-limit-until limit-over" },
        Worker { title: "Steady", agent: "claude", flags: "--work-ms 200" },
    ];
    let team = Team::start(&workers, &["Task A", "Task B", "Task C"], &notify, 300_000);
    team.wait_event("pane_state", 15, |e| e["pane"] == "Limited" && e["state"] == "rate_limited");
    team.project.write("limit-over", "");
    team.wait_event("mission_complete", 60, |_| true);
    let want = expected_seqs(&team, &names);
    // At least three dispatches, three completions, the completion and the rate limit.
    assert!(want.len() >= 8, "{want:?}");
    let seqs = |bodies: &[Value]| -> Vec<u64> {
        bodies.iter().map(|b| b["event"]["seq"].as_u64().unwrap()).collect()
    };
    team.wait("every notification at the webhook", 15, || {
        (seqs(&receiver.bodies()).into_iter().collect::<BTreeSet<_>>() == want).then_some(())
    });
    let from_command = || -> Vec<Value> {
        let text =
            std::fs::read_to_string(team.project.path().join("notified.jsonl")).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    team.wait("every notification at the command", 15, || {
        (seqs(&from_command()).into_iter().collect::<BTreeSet<_>>() == want).then_some(())
    });
    let bodies = receiver.bodies();
    let limited = bodies.iter().find(|b| b["notify"] == "rate_limited").unwrap();
    assert_eq!(limited["event"]["type"], "pane_state");
    assert_eq!(limited["text"], "Pane Limited is rate limited");
    let done = bodies.iter().find(|b| b["notify"] == "mission_complete").unwrap();
    assert_eq!(done["project"], team.project.path().display().to_string());
    assert!(team.of_type("notify_failed").is_empty(), "{:?}", team.of_type("notify_failed"));

    // Killed and started again: nothing is notified a second time.
    let root = team.project.path();
    let pid = std::fs::read_to_string(root.join(".tmux-ide/run/orchestrator.pid")).unwrap();
    let pid = pid.split_whitespace().next().unwrap().to_string();
    assert!(Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    wait_for("the orchestrator lock to be free", Duration::from_secs(10), || {
        let f = std::fs::File::open(root.join(".tmux-ide/run/orchestrator.lock")).ok()?;
        f.try_lock().ok()
    });
    let status = team
        .project
        .command(bin())
        .arg("-C")
        .arg(root)
        .args(["--tmux-socket", &team.tmux.socket, "orchestrator", "run", "--exit-when-complete"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(team.of_type("orchestrator_started").len(), 2);
    // The second orchestrator delivered what it queued before it exited: none.
    let mut got = seqs(&receiver.bodies());
    got.sort_unstable();
    assert_eq!(got, want.iter().copied().collect::<Vec<_>>(), "each event exactly once");
    assert_eq!(from_command().len(), want.len());
}

#[test]
fn a_hanging_or_failing_webhook_does_not_hold_up_dispatch() {
    let hang = Receiver::start(Answer::Hang);
    let fail = Receiver::start(Answer::Fail);
    // Each attempt may take a minute: the mission must not wait for one.
    let notify = format!(
        "notify:\n  events: [task_dispatched, mission_complete]\n  webhooks: ['{}', '{}']\n  \
         timeout: 60000\n  retries: 1\n",
        hang.url, fail.url
    );
    let workers = [Worker { title: "Steady", agent: "claude", flags: "--work-ms 100" }];
    let team = Team::start(&workers, &["Task A", "Task B", "Task C"], &notify, 300_000);
    team.wait_event("mission_complete", 60, |_| true);
    let completed = Instant::now();
    // The first notification reached the silent receiver before the second dispatch, and
    // the mission finished while that one delivery still waited for its answer.
    let first = hang.first_at().expect("the hanging receiver got a request");
    assert!(completed - first < Duration::from_secs(60), "{:?}", completed - first);
    assert_eq!(hang.bodies().len(), 1, "one delivery at a time per target");
    assert_eq!(team.of_type("task_dispatched").len(), 3);
    // The failing receiver: each notification tried twice, then a `notify_failed` event.
    let failed = team.wait_event("notify_failed", 15, |e| e["notify"] == "mission_complete");
    assert_eq!(failed["target"], format!("webhook {}", fail.url));
    assert_eq!(failed["attempts"], 2);
    assert_eq!(failed["error"], "answered 500");
    let tries: Vec<u64> =
        fail.bodies().iter().map(|b| b["event"]["seq"].as_u64().unwrap()).collect();
    assert_eq!(tries.len(), 8, "4 notifications, 2 attempts each: {tries:?}");
}

fn project_with(notify: &str) -> TestProject {
    let p = TestProject::new();
    p.write("ide.yml", &format!("rows:\n  - panes:\n      - title: Shell\n{notify}"));
    p
}

#[test]
fn notify_test_sends_a_sample_to_every_target_and_reports_each() {
    let receiver = Receiver::start(Answer::Ok);
    let p = project_with(&format!(
        "notify:\n  webhooks: ['{}']\n  commands:\n    - [tee, sample.json]\n",
        receiver.url
    ));
    let out = p.ok(&["notify", "test"]);
    assert!(out.contains(&format!("ok      webhook {}\n", receiver.url)), "{out}");
    assert!(out.contains("ok      command tee\n"), "{out}");
    assert!(out.ends_with("0 of 2 target(s) failed\n"), "{out}");
    let sample: Value = serde_json::from_str(&p.read("sample.json")).unwrap();
    assert_eq!(sample["notify"], "notify_test");
    assert_eq!(receiver.bodies()[0]["event"]["type"], "notify_test");

    let p = project_with(&format!(
        "notify:\n  webhooks: ['{}']\n  commands:\n    - ['false']\n",
        receiver.url
    ));
    let out = p.run(&["--json", "notify", "test"]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["failed"], 1);
    let rows = json["targets"].as_array().unwrap();
    assert_eq!(rows[0]["target"], "command false");
    assert_eq!(rows[0]["ok"], false);
    assert!(rows[0]["error"].as_str().unwrap().contains("exited"), "{json}");
    assert_eq!(rows[1]["ok"], true);

    let p = project_with("notify:\n  events: [mission_complete]\n");
    let out = p.run(&["notify", "test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("names no target"));
}

#[test]
fn bad_notify_settings_are_refused_naming_the_value_and_what_is_allowed() {
    let p = project_with(
        "notify:\n  events: [task_blokced]\n  webhooks: ['https://hooks.example/x', 'http://h:0/']\n  \
         commands:\n    - ['', -x]\n  timeout: 5\n",
    );
    let out = p.run(&["config", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("notify.webhooks[0]: \"https://hooks.example/x\" https is not built in"),
        "{err}"
    );
    assert!(err.contains("notify.webhooks[1]: \"http://h:0/\" has a bad port"), "{err}");
    assert!(err.contains("notify.commands[0][0]: the program is empty"), "{err}");
    assert!(err.contains("notify.timeout: 5 is out of range (allowed: 100..=60000"), "{err}");

    // Event names are checked once the rest is valid, by every command that acts on them.
    let p = project_with("notify:\n  events: [task_blokced]\n  tmux: true\n");
    let out = p.run(&["config", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "notify.events[0]: `task_blokced` is not an event type (did you mean `task_blocked`?"
        ),
        "{err}"
    );
    assert!(err.contains("allowed: mission_set,") && err.contains("rate_limited"), "{err}");
    let tmux = TmuxServer::new();
    for args in [&["up", "--detach"][..], &["orchestrator", "run"], &["notify", "test"]] {
        let out = tmux.on(p.cmd()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("`task_blokced` is not an event type"), "{args:?}: {err}");
    }
}

#[test]
fn the_tmux_message_shows_a_hostile_title_literally_on_an_attached_client() {
    let tmux = TmuxServer::new();
    let p = TestProject::new();
    p.write(
        "ide.yml",
        "name: notes\nrows:\n  - panes:\n      - title: Shell\n        command: bash --norc --noprofile\n\
         orchestrator:\n  enabled: true\n  poll_interval: 200\n\
         notify:\n  events: [task_created]\n  tmux: true\n",
    );
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    wait_for("the orchestrator", Duration::from_secs(15), || {
        let log = std::fs::read_to_string(p.path().join(".tasks/events.jsonl"));
        log.unwrap_or_default().contains("orchestrator_started").then_some(())
    });
    // A client attached to the session, itself running in a pane of another session, so
    // its screen (and the message on its status line) can be captured.
    let attach = format!("env -u TMUX tmux -L {} attach -t =notes", tmux.socket);
    tmux.tmux_ok(&["new-session", "-d", "-s", "viewer", "-x", "150", "-y", "8", &attach]);
    wait_for("the client to attach", Duration::from_secs(10), || {
        let clients = tmux.tmux_ok(&["list-clients", "-t", "=notes"]);
        (!clients.trim().is_empty()).then_some(())
    });
    p.ok(&["task", "create", "#(touch pwned) #[fg=red]styled"]);
    let screen = wait_for("the message on the client", Duration::from_secs(10), || {
        let screen = tmux.capture("=viewer:");
        screen.contains("tmux-ide: task created").then_some(screen)
    });
    assert!(
        screen.contains("tmux-ide: task created (task 001): #(touch pwned) #[fg=red]styled"),
        "{screen}"
    );
    assert!(!p.path().join("pwned").exists());
}
