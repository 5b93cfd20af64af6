//! Isolation under a crash: the orchestrator is SIGKILLed in the middle of a merge (held
//! there by a test hook); the mission branch is left at a clean commit and the restarted
//! orchestrator makes that merge again, once. At completion the branch is pushed and a
//! pull request opened through `gh` (a fake that records its arguments).
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::common::repo::{git, merged_tasks, user_repository};
use crate::common::{Reaped, TestProject, TmuxServer, bin, wait_for};

const BRANCH: &str = "tmux-ide/crash-test";

fn events(p: &TestProject) -> Vec<Value> {
    p.read(".tasks/events.jsonl").lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn count(p: &TestProject, kind: &str, task: &str) -> usize {
    events(p).iter().filter(|e| e["type"] == kind && e["task"] == task).count()
}

fn orchestrator(
    p: &TestProject,
    tmux: &TmuxServer,
    path: &str,
    pause: Option<&std::path::Path>,
) -> Reaped {
    let mut cmd = p.std_cmd();
    cmd.args(["--tmux-socket", &tmux.socket, "orchestrator", "run", "--exit-when-complete"])
        .env("PATH", path)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(marker) = pause {
        cmd.env("TMUX_IDE_TEST_MERGE_PAUSE", marker);
    }
    Reaped(cmd.spawn().unwrap())
}

#[test]
fn a_sigkill_in_the_middle_of_a_merge_leaves_the_branch_clean_and_the_merge_is_redone_once() {
    let p = TestProject::new();
    user_repository(&p);
    // An origin to push to, and a `gh` that records what it was asked.
    let origin = p.path().join(".tmux-ide/origin.git");
    git(&p, p.path(), &["init", "-q", "--bare", &origin.to_string_lossy()]);
    git(&p, p.path(), &["remote", "add", "origin", &origin.to_string_lossy()]);
    let bin_dir = p.path().join(".tmux-ide/fakebin");
    let gh_log = p.path().join(".tmux-ide/gh.log");
    p.write(
        ".tmux-ide/fakebin/gh",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\necho https://example.invalid/pull/7\n",
            gh_log.display()
        ),
    );
    std::fs::set_permissions(
        bin_dir.join("gh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let sim = format!("'{}' agent sim --edit --work-ms 100", bin().display());
    p.write(
        "ide.yml",
        &format!(
            "name: crash\nrows:\n  - panes:\n      - title: Lead\n        role: lead\n        command: cat\n\
             \x20     - title: W\n        role: teammate\n        agent: sim\n        command: {sim:?}\n\
             orchestrator:\n  enabled: false\n  poll_interval: 250\n  isolation: worktree\n  pull_request: true\n"
        ),
    );
    p.ok(&["mission", "set", "Crash test"]);
    p.ok(&["milestone", "create", "Work", "--sequence", "1"]);
    p.ok(&["task", "create", "First", "--milestone", "M1"]);
    p.ok(&["task", "create", "Second", "--milestone", "M1", "--depends", "001"]);
    p.ok(&["mission", "plan-complete"]);
    let base = git(&p, p.path(), &["rev-parse", BRANCH]);
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();

    let marker = p.path().join(".tmux-ide/merge-paused");
    let mut first = orchestrator(&p, &tmux, &path, Some(&marker));
    wait_for("the merge to pause", Duration::from_secs(60), || marker.exists().then_some(()));
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "001");
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    // The branch never moved: still the clean commit it was made from.
    assert_eq!(git(&p, p.path(), &["rev-parse", BRANCH]), base);
    assert_eq!(count(&p, "merge_started", "001"), 1);
    assert_eq!(count(&p, "task_merged", "001"), 0);

    let mut second = orchestrator(&p, &tmux, &path, None);
    let status = wait_for("the orchestrator to finish", Duration::from_secs(60), || {
        second.0.try_wait().unwrap()
    });
    assert!(status.success());
    assert_eq!(merged_tasks(&p, BRANCH), ["001", "002"]);
    assert_eq!(count(&p, "merge_started", "001"), 2, "redone after the crash");
    assert_eq!(count(&p, "task_merged", "001"), 1, "and recorded once");
    assert_eq!(count(&p, "task_merged", "002"), 1);
    let status = git(&p, &p.path().join(".tmux-ide/integration"), &["status", "--porcelain"]);
    assert_eq!(status, "");
    // Pushed, and a pull request opened from the mission branch into the user's branch.
    let pushed = git(&p, &origin, &["rev-parse", BRANCH]);
    assert_eq!(pushed, git(&p, p.path(), &["rev-parse", BRANCH]));
    let argv = std::fs::read_to_string(&gh_log).unwrap();
    let argv: Vec<&str> = argv.lines().collect();
    assert_eq!(&argv[..4], ["pr", "create", "--head", BRANCH], "{argv:?}");
    assert!(argv.windows(2).any(|w| w == ["--base", "work"]), "{argv:?}");
    let ready: Vec<Value> =
        events(&p).into_iter().filter(|e| e["type"] == "mission_branch_ready").collect();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0]["merges"], 2);
    assert_eq!(ready[0]["pull_request"], "https://example.invalid/pull/7");
}
