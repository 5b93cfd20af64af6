//! Isolation in real tmux and real git: three simulated agents, each in its own worktree,
//! work through eight tasks; every task becomes one commit and one merge on the mission
//! branch, two appends to the same file conflict and are handed back and resolved, and
//! the user's branch and working tree stay byte-identical throughout.
use std::time::Duration;

use serde_json::Value;

use crate::common::repo::{fingerprint, git, merged_tasks, user_repository};
use crate::common::{TestProject, TmuxServer, bin, wait_for};

const BRANCH: &str = "tmux-ide/isolated-work";

/// A second long enough that the two appends are surely both under way before either is
/// merged (the agents come up at slightly different times).
fn ide_yml(workers: &[&str], orchestrator: bool, extra: &str) -> String {
    let sim = format!("'{}' agent sim --edit --work-ms 1000", bin().display());
    let mut yml = String::from(
        "name: iso\nrows:\n  - panes:\n      - title: Lead\n        role: lead\n        command: cat\n",
    );
    for w in workers {
        let role = if *w == "Validator" { "validator" } else { "teammate" };
        yml.push_str(&format!(
            "      - title: {w}\n        role: {role}\n        agent: sim\n        command: {sim:?}\n"
        ));
    }
    yml.push_str(&format!(
        "orchestrator:\n  enabled: {orchestrator}\n  poll_interval: 250\n  isolation: worktree\n{extra}"
    ));
    yml
}

/// Plans one milestone of `tasks` (title, description) in a user repository.
fn planned(
    workers: &[&str],
    tasks: &[(&str, &str)],
    orchestrator: bool,
    extra: &str,
) -> TestProject {
    let p = TestProject::new();
    user_repository(&p);
    p.write("ide.yml", &ide_yml(workers, orchestrator, extra));
    p.ok(&["mission", "set", "Isolated work"]);
    p.ok(&["milestone", "create", "Work", "--sequence", "1"]);
    p.write(".tasks/validation-contract.md", "## Area\n- **VAL-A-001**: it all works\n");
    for (i, (title, description)) in tasks.iter().enumerate() {
        let mut args = vec!["task", "create", title, "--milestone", "M1", "--description"];
        args.push(description);
        if i + 1 == tasks.len() {
            args.extend(["--fulfills", "VAL-A-001"]);
        }
        p.ok(&args);
    }
    let out = p.ok(&["mission", "plan-complete"]);
    assert!(out.contains(&format!("Mission branch {BRANCH} from work")), "{out}");
    p
}

fn events(p: &TestProject) -> Vec<Value> {
    p.read(".tasks/events.jsonl").lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn count(p: &TestProject, kind: &str, task: &str) -> usize {
    events(p).iter().filter(|e| e["type"] == kind && e["task"] == task).count()
}

fn plan(p: &TestProject) -> Value {
    serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap()
}

fn wait_complete(p: &TestProject, secs: u64) {
    wait_for("the mission to complete", Duration::from_secs(secs), || {
        (plan(p)["mission"]["status"] == "complete").then_some(())
    });
}

fn show(p: &TestProject, rev: &str) -> String {
    git(p, p.path(), &["show", &format!("{BRANCH}:{rev}")])
}

#[test]
fn three_isolated_agents_merge_eight_tasks_once_each_and_resolve_a_conflict() {
    let mut tasks = vec![
        ("Append the first line", "Please edit file shared.txt with a line."),
        ("Append the second line", "Also edit file shared.txt with a line."),
    ];
    let rest: Vec<String> = (3..=8).map(|i| format!("Task number {i}")).collect();
    tasks.extend(rest.iter().map(|t| (t.as_str(), "")));
    let p = planned(&["A", "B", "C", "Validator"], &tasks, true, "");
    let before = fingerprint(&p);
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    // Each agent runs in its own worktree.
    let a = tmux.pane_titled("A").unwrap();
    let cwd = tmux.tmux_ok(&["display-message", "-p", "-t", &a, "#{pane_current_path}"]);
    assert!(cwd.trim().ends_with(".tmux-ide/worktrees/a"), "{cwd}");
    wait_complete(&p, 120);

    let ids: Vec<String> = (1..=8).map(|i| format!("{i:03}")).collect();
    let mut merged = merged_tasks(&p, BRANCH);
    merged.sort();
    assert_eq!(merged, ids, "exactly one merge per task");
    // Both appends survive the conflict, next to the base line; every other change is there.
    let shared = show(&p, "shared.txt");
    assert!(shared.starts_with("base line\n"), "{shared}");
    for line in ["task 001: Append the first line", "task 002: Append the second line"] {
        assert_eq!(shared.lines().filter(|l| *l == line).count(), 1, "{line} in {shared}");
    }
    for i in 3..=8 {
        assert_eq!(show(&p, &format!("sim/{i:03}.txt")), format!("task {i:03}: Task number {i}\n"));
    }
    // The second of the two appends conflicted, went back to its agent and was resolved.
    let conflicts: Vec<Value> =
        events(&p).into_iter().filter(|e| e["type"] == "merge_conflict").collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0]["files"], serde_json::json!(["shared.txt"]));
    let loser = conflicts[0]["task"].as_str().unwrap();
    assert!(["001", "002"].contains(&loser), "{loser}");
    for id in &ids {
        assert_eq!(count(&p, "task_dispatched", id), 1, "task {id} dispatched once");
        assert_eq!(count(&p, "task_merged", id), 1, "task {id} merged once");
    }
    assert_eq!(count(&p, "task_done", loser), 2);
    // Each task records its commits and diffstat; show and diff print them.
    for t in plan(&p)["tasks"].as_array().unwrap() {
        let git = &t["git"];
        assert!(!git["commits"].as_array().unwrap().is_empty(), "{t}");
        assert_eq!(git["files_changed"], 1, "{t}");
    }
    let shown = p.ok(&["task", "show", "3"]);
    assert!(shown.contains("Merged:") && shown.contains("1 file changed, +1 -0"), "{shown}");
    assert!(shown.contains("sim/003.txt"), "{shown}");
    let diff = p.ok(&["task", "diff", loser]);
    assert!(diff.contains(&format!("+task {loser}: Append the")), "{diff}");
    // The dashboard shows each done task's diffstat (in /api/tasks) and its diff.
    let d = crate::web_support::Dashboard::start(&p, &[]);
    let tasks = d.get_json("/api/tasks");
    assert_eq!(tasks[2]["git"]["insertions"], 1, "{tasks}");
    let diff = d.get_json("/api/tasks/003/diff");
    assert!(diff["diff"].as_str().unwrap().contains("+task 003: Task number 3"), "{diff}");
    drop(d);
    // The validator checked the integrated result; the lead heard how to take it.
    let head = git(&p, p.path(), &["rev-parse", BRANCH]);
    let checked = git(&p, &p.path().join(".tmux-ide/worktrees/validator"), &["rev-parse", "HEAD"]);
    assert_eq!(checked, head);
    let text = wait_for("the lead to hear where the result is", Duration::from_secs(20), || {
        events(&p).into_iter().find_map(|e| {
            let text = e["text"].as_str().filter(|t| t.starts_with("Mission complete: "))?;
            (e["type"] == "lead_notified").then(|| text.to_string())
        })
    });
    assert!(text.starts_with("Mission complete: 8 task merges."), "{text}");
    assert!(text.contains(&format!("git merge {BRANCH}")), "{text}");
    let said = p.ok(&["mission", "show"]);
    assert!(said.contains(&format!("git checkout work && git merge {BRANCH}")), "{said}");

    assert_eq!(fingerprint(&p), before, "the user's branch and working tree are untouched");
    // Archive removes the worktrees, but never while one holds uncommitted work.
    p.write(".tmux-ide/worktrees/b/draft.txt", "unsaved\n");
    let refused = p.run(&["mission", "archive"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("pane B") && err.contains("uncommitted work"), "{err}");
    assert!(p.path().join(".tmux-ide/worktrees/a").is_dir());
    std::fs::remove_file(p.path().join(".tmux-ide/worktrees/b/draft.txt")).unwrap();
    tmux.on(p.cmd()).args(["stop"]).assert().success();
    let out = p.ok(&["mission", "archive"]);
    assert!(out.contains("Removed 4 worktrees"), "{out}");
    assert!(!p.path().join(".tmux-ide/worktrees/a").exists());
    let trees = git(&p, p.path(), &["worktree", "list", "--porcelain"]);
    assert_eq!(trees.matches("worktree ").count(), 1, "{trees}");
    assert_eq!(fingerprint(&p), before);
}

#[test]
fn the_missions_template_turns_isolation_on_in_a_git_repository_only() {
    let p = TestProject::outside();
    git(&p, p.path(), &["init", "-q"]);
    p.ok(&["init", "--template", "missions"]);
    assert!(p.read("ide.yml").contains("\n  isolation: worktree "), "{}", p.read("ide.yml"));
    let q = TestProject::outside();
    q.ok(&["init", "--template", "missions"]);
    assert!(q.read("ide.yml").contains("\n  isolation: none "), "{}", q.read("ide.yml"));
}

#[test]
fn agents_started_before_the_plan_get_no_work_until_restarted_in_their_worktrees() {
    let p = TestProject::new();
    user_repository(&p);
    let yml = ide_yml(&["A"], true, "").replace("--work-ms 1000", "--work-ms 100");
    p.write("ide.yml", &yml);
    p.ok(&["mission", "set", "Isolated work"]);
    p.ok(&["milestone", "create", "Work", "--sequence", "1"]);
    p.ok(&["task", "create", "Only", "--milestone", "M1"]);
    let before = fingerprint(&p);
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let out = tmux.on(p.cmd()).args(["mission", "plan-complete"]).assert().success();
    let out = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(out.contains("`tmux-ide restart` starts them in their worktrees"), "{out}");
    let refused = wait_for("the refusal", Duration::from_secs(30), || {
        events(&p).into_iter().find(|e| e["type"] == "worktree_refused")
    });
    assert_eq!(refused["pane"], "A");
    assert!(refused["reason"].as_str().unwrap().contains("not in its worktree"), "{refused}");
    assert_eq!(count(&p, "task_dispatched", "001"), 0);
    assert_eq!(fingerprint(&p), before);
    tmux.on(p.cmd()).args(["restart", "--detach"]).assert().success();
    wait_complete(&p, 60);
    assert_eq!(merged_tasks(&p, BRANCH), ["001"]);
    assert_eq!(show(&p, "sim/001.txt"), "task 001: Only\n");
    assert_eq!(fingerprint(&p), before);
}
