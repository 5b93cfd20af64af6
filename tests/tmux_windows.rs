//! Layouts of several windows (`windows:`) and sessions past one tmux command line:
//! a 3-window, 60-pane session builds and the orchestrator dispatches into a pane of its
//! last window; `status`, `send` and `detect` see every window; a 45-pane single window
//! builds; what does not fit is refused by `config validate` and `up` alike.
use std::time::Duration;

use serde_json::Value;

use crate::common::{TmuxServer, bin, wait_for};
use crate::tmux_support::*;

/// `windows` windows of `rows` rows of `per_row` `cat` panes titled `P<w>-<n>`; the first
/// pane is the lead, the last pane of the last window the one sim teammate `Worker`.
fn grid(windows: usize, rows: usize, per_row: usize) -> String {
    let sim = format!("'{} agent sim --work-ms 100'", bin().display());
    let mut yml = String::from("name: grid\nwindows:\n");
    for w in 1..=windows {
        yml.push_str(&format!("  - name: agents-{w}\n    rows:\n"));
        for r in 0..rows {
            yml.push_str("      - panes:\n");
            for c in 0..per_row {
                let n = r * per_row + c;
                let last = w == windows && r == rows - 1 && c == per_row - 1;
                if w == 1 && n == 0 {
                    yml.push_str("          - {title: Lead, role: lead, command: cat}\n");
                } else if last {
                    yml.push_str(&format!(
                        "          - {{title: Worker, role: teammate, agent: sim, command: {sim}}}\n"
                    ));
                } else {
                    yml.push_str(&format!("          - {{title: P{w}-{n}, command: cat}}\n"));
                }
            }
        }
    }
    yml.push_str("orchestrator:\n  enabled: true\n  dispatch_mode: tasks\n  poll_interval: 250\n");
    yml
}

fn status(p: &crate::common::TestProject, server: &TmuxServer) -> Vec<Value> {
    let json: Value = serde_json::from_str(&ok(p, server, &["status", "--json"])).unwrap();
    json["panes"].as_array().unwrap().clone()
}

#[test]
fn three_windows_of_sixty_panes_build_and_the_last_window_gets_a_task() {
    let p = project(&grid(3, 4, 5));
    assert!(p.ok(&["config", "validate"]).contains("ok (60 panes in 3 windows)"));
    p.ok(&["task", "create", "Far away work"]);
    let server = TmuxServer::new();
    let out = up(&p, &server);
    assert!(out.contains("session grid: 60 panes + orchestrator window"), "{out}");

    // The layout windows in ide.yml order, the orchestrator after them.
    let windows = server.tmux_ok(&["list-windows", "-t", "=grid", "-F", "#{window_name}"]);
    let names: Vec<&str> = windows.lines().collect();
    assert_eq!(names, ["agents-1", "agents-2", "agents-3", "orchestrator"]);

    // `status --json`: every pane, with its window; 20 in each, rows of equal width.
    let panes = status(&p, &server);
    assert_eq!(panes.len(), 60);
    for w in ["agents-1", "agents-2", "agents-3"] {
        let in_w: Vec<&Value> = panes.iter().filter(|x| x["window"] == w).collect();
        assert_eq!(in_w.len(), 20, "{w}");
        let widths: Vec<u64> = in_w.iter().map(|x| x["width"].as_u64().unwrap()).collect();
        assert!(widths.iter().all(|&x| (39..=40).contains(&x)), "{w}: {widths:?}");
    }
    let by = |t: &str| panes.iter().find(|x| x["title"] == t).unwrap().clone();
    assert_eq!(by("Worker")["window"], "agents-3");
    assert_eq!(by("Lead")["window"], "agents-1");
    assert!(by("Worker")["window_index"].as_u64() > by("Lead")["window_index"].as_u64());
    assert!(ok(&p, &server, &["status"]).contains(":agents-3"), "the table names windows");

    // `send` reaches a pane of the middle window by title; `cat` echoes it back.
    ok(&p, &server, &["send", "P2-7", "hello from window one"]);
    let target = by("P2-7")["id"].as_str().unwrap().to_string();
    wait_for("the text in P2-7", DEADLINE, || {
        server.capture(&target).contains("hello from window one").then_some(())
    });

    // The orchestrator dispatches the task into the last window's Worker, which does it.
    let events = || -> Vec<Value> {
        let text =
            std::fs::read_to_string(p.path().join(".tasks/events.jsonl")).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    };
    let done = wait_for("task 001 done", Duration::from_secs(60), || {
        events().into_iter().find(|e| e["type"] == "task_done" && e["task"] == "001")
    });
    let dispatched: Vec<Value> =
        events().into_iter().filter(|e| e["type"] == "task_dispatched").collect();
    assert_eq!(dispatched.len(), 1, "{dispatched:?}");
    assert_eq!(dispatched[0]["pane"], "Worker", "{dispatched:?} then {done}");

    // The agent report names the window of each agent pane.
    let agents: Value =
        serde_json::from_str(&ok(&p, &server, &["--json", "metrics", "agents"])).unwrap();
    let list = agents["agents"].as_array().unwrap();
    let worker = list.iter().find(|a| a["pane"] == "Worker").unwrap();
    assert_eq!((&worker["window"], &worker["tasks_done"]), (&"agents-3".into(), &1.into()));

    // `detect` judges every pane of every window.
    let detected: Value = serde_json::from_str(&ok(&p, &server, &["--json", "detect"])).unwrap();
    let detected = detected["panes"].as_array().unwrap();
    assert_eq!(detected.len(), 60);
    let worker = detected.iter().find(|d| d["title"] == "Worker").unwrap();
    assert_eq!(worker["window"], "agents-3", "{worker}");
    let text = ok(&p, &server, &["detect"]);
    let line = text.lines().find(|l| l.contains("Worker")).unwrap();
    assert!(line.contains(":agents-3"), "{text}");
}

#[test]
fn a_single_window_of_45_panes_builds() {
    let mut yml = String::from("name: wide\nrows:\n");
    for r in 0..5 {
        yml.push_str("  - panes:\n");
        for c in 0..9 {
            yml.push_str(&format!("      - {{title: T{r}-{c}, command: cat}}\n"));
        }
    }
    let p = project(&yml);
    let server = TmuxServer::new();
    let out = up(&p, &server);
    assert!(out.contains("session wide: 45 panes"), "{out}");
    let panes = panes(&server, "wide");
    assert_eq!(panes.len(), 45);
    // Row by row, left to right, in ide.yml order, each pane with its title.
    let mut sorted = panes.clone();
    sorted.sort_by_key(|x| (x.top, x.left));
    let titles: Vec<String> = sorted.iter().map(|x| x.title.clone()).collect();
    let want: Vec<String> = (0..5).flat_map(|r| (0..9).map(move |c| format!("T{r}-{c}"))).collect();
    assert_eq!(titles, want);
    wait_for("cat in every pane", DEADLINE, || {
        panes_now(&server).iter().all(|x| x.command == "cat").then_some(())
    });
}

fn panes_now(server: &TmuxServer) -> Vec<Pane> {
    panes(server, "wide")
}

#[test]
fn a_window_that_does_not_fit_is_refused_by_validate_and_up_alike() {
    let p = project(&fixture("invalid/window-too-many-panes.yml"));
    let server = TmuxServer::new();
    let want = "windows[1].rows: row 0: 19 panes do not fit 200 columns";
    let check = p.run(&["config", "validate"]);
    let err = String::from_utf8_lossy(&check.stderr).into_owned();
    assert_eq!(check.status.code(), Some(2), "{err}");
    assert!(err.contains(want), "{err}");
    let up = run(&p, &server, &["up", "--detach", "--size", "200x50"]);
    let err = String::from_utf8_lossy(&up.stderr).into_owned();
    assert_eq!(up.status.code(), Some(2), "{err}");
    assert!(err.contains(want) && err.contains("up --size"), "{err}");
    assert!(sessions(&server).is_empty(), "nothing was built");
    // At a size it fits, the same file builds.
    let out = ok(&p, &server, &["up", "--detach", "--size", "220x50"]);
    assert!(out.contains("20 panes"), "{out}");
}

#[test]
fn a_pane_command_near_the_limit_builds_beside_many_panes() {
    // 8 KiB of command (the most a pane may carry) and 30 more panes: more than one tmux
    // command line, none of them past tmux's limit.
    let long = format!("echo {} > long.out; exec cat", "y".repeat(8000));
    let mut yml =
        format!("name: long\nrows:\n  - panes:\n      - title: Long\n        command: '{long}'\n");
    for r in 0..3 {
        yml.push_str("  - panes:\n");
        for c in 0..10 {
            yml.push_str(&format!("      - {{title: T{r}-{c}, command: cat}}\n"));
        }
    }
    let p = project(&yml);
    p.ok(&["config", "validate"]);
    let server = TmuxServer::new();
    assert!(up(&p, &server).contains("session long: 31 panes"));
    let out = wait_for_file(&p, "long.out", |t| t.ends_with('\n'));
    assert_eq!(out.trim().len(), 8000);
}
