//! The demo scenario: the seed's Auth v2 mission (contract, 3 milestones, 8 tasks) in a
//! fresh project whose agent panes run the simulated agent.
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::plan::{Event, EventKind, Plan};
use crate::report::orch::describe_event;
use crate::report::text::one_line;
use crate::{Error, Result};

pub const CONTRACT: &str = include_str!("../templates/demo/validation-contract.md");
pub const MISSION: (&str, &str) =
    ("Auth v2", "JWT login, token refresh, route protection, and full test coverage");
pub const MILESTONES: [&str; 3] = ["Foundation", "Implementation", "Validation & Polish"];

/// One `task create` of the seed, as its flags.
#[derive(Debug)]
pub struct DemoTask {
    pub title: &'static str,
    pub milestone: &'static str,
    pub specialty: &'static str,
    pub priority: u8,
    pub fulfills: &'static str,
    pub goal: &'static str,
    pub depends: &'static str,
}

pub const TASKS: [DemoTask; 8] = [
    t(
        "Set up auth database schema",
        "M1",
        "backend",
        1,
        "",
        "Establish the data layer for auth",
        "",
    ),
    t(
        "Create JWT utility functions",
        "M1",
        "backend",
        2,
        "VAL-AUTH-001,VAL-AUTH-003",
        "Token creation and validation helpers",
        "",
    ),
    t(
        "Build login endpoint",
        "M2",
        "backend",
        1,
        "VAL-AUTH-001,VAL-AUTH-002",
        "POST /api/auth/login with JWT response",
        "001,002",
    ),
    t(
        "Build refresh endpoint",
        "M2",
        "backend",
        2,
        "VAL-AUTH-003",
        "POST /api/auth/refresh with token rotation",
        "002",
    ),
    t(
        "Add route protection middleware",
        "M2",
        "backend",
        3,
        "VAL-AUTH-004",
        "Middleware that rejects expired or missing JWTs",
        "",
    ),
    t("Build login page", "M2", "frontend", 2, "", "Login form that calls the auth API", ""),
    t(
        "Write unit tests for auth service",
        "M3",
        "backend",
        1,
        "VAL-TEST-001",
        "Unit test coverage for all auth functions",
        "",
    ),
    t(
        "Write integration tests for auth flow",
        "M3",
        "backend",
        2,
        "VAL-TEST-002",
        "End-to-end login, refresh, and logout test",
        "007",
    ),
];

const fn t(
    title: &'static str,
    milestone: &'static str,
    specialty: &'static str,
    priority: u8,
    fulfills: &'static str,
    goal: &'static str,
    depends: &'static str,
) -> DemoTask {
    DemoTask { title, milestone, specialty, priority, fulfills, goal, depends }
}

/// The assertion the demo's validator fails in its first round, to show remediation.
pub const FAILING_ASSERTION: &str = "VAL-AUTH-003";

/// The demo's ide.yml: the missions layout with simulated agents in every agent pane.
/// With `isolation`, each agent works in its own git worktree and edits files for real.
pub fn ide_yml(name: &str, exe: &Path, work_ms: u64, isolation: bool) -> String {
    let sim = |extra: &str| {
        let exe = shell_quote(&exe.to_string_lossy());
        yaml_str(&format!("{exe} agent sim --work-ms {work_ms}{extra}"))
    };
    let edit = if isolation { " --edit" } else { "" };
    let worker = sim(edit);
    let validator = sim(&format!(" --fail {FAILING_ASSERTION}"));
    let rows: [(&str, [DemoPane; 3]); 2] = [
        (
            "70%",
            [
                ("Lead", "lead", "", "", &worker),
                ("Frontend", "teammate", "frontend", "frontend", &worker),
                ("Backend", "teammate", "backend", "backend", &worker),
            ],
        ),
        (
            "30%",
            [
                ("Validator", "validator", "", "reviewer", &validator),
                ("Researcher", "researcher", "research", "researcher", &worker),
                ("Shell", "shell", "", "", ""),
            ],
        ),
    ];
    let mut out = format!("name: {}\nrows:\n", yaml_str(name));
    for (size, panes) in rows {
        out.push_str(&format!("  - size: {size}\n    panes:\n"));
        for (title, role, specialty, skill, command) in panes {
            out.push_str(&format!("      - title: {title}\n        role: {role}\n"));
            for (key, value) in [("specialty", specialty), ("skill", skill)] {
                if !value.is_empty() {
                    out.push_str(&format!("        {key}: {value}\n"));
                }
            }
            if !command.is_empty() {
                out.push_str(&format!("        agent: sim\n        command: {command}\n"));
            }
            if title == "Lead" {
                out.push_str("        focus: true\n");
            }
        }
    }
    out.push_str(
        "orchestrator:\n  enabled: true\n  poll_interval: 1000\n  stall_timeout: 300000\n",
    );
    if isolation {
        out.push_str("  isolation: worktree\n");
    }
    out
}

/// Makes the demo project a throwaway git repository with one commit, so the mission runs
/// isolated. `false` (and no repository) when git is not installed or fails.
pub fn git_repository(dir: &Path) -> bool {
    let git = crate::git::Git::new(dir);
    let steps: [&[&str]; 3] = [
        &["init", "-q"],
        &["add", "-A", "--", ".", ":(exclude).tasks", ":(exclude).tmux-ide"],
        &["commit", "-q", "--no-verify", "-m", "demo project"],
    ];
    steps.iter().all(|args| {
        if args[0] == "commit" { git.run_committing(args).is_ok() } else { git.run(args).is_ok() }
    })
}

/// (title, role, specialty, skill, command) of one demo pane.
type DemoPane<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// A single-quoted YAML scalar.
fn yaml_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A single-quoted POSIX shell word (ide.yml commands are shell command lines by design).
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Plans the mission in `dir` with the same commands a user types (seed Phase 2).
pub fn plan(exe: &Path, dir: &Path) -> Result<()> {
    let run = |args: &[&str]| -> Result<()> {
        let out = Command::new(exe).arg("-C").arg(dir).args(args).output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::failed(format!(
                "demo setup: `tmux-ide {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    };
    run(&["mission", "set", MISSION.0, "--description", MISSION.1])?;
    for (i, title) in MILESTONES.iter().enumerate() {
        run(&["milestone", "create", title, "--sequence", &(i + 1).to_string()])?;
    }
    for task in &TASKS {
        let priority = task.priority.to_string();
        let mut args = vec![
            "task",
            "create",
            task.title,
            "--milestone",
            task.milestone,
            "--specialty",
            task.specialty,
            "--priority",
            &priority,
            "--goal",
            task.goal,
        ];
        if !task.fulfills.is_empty() {
            args.extend(["--fulfills", task.fulfills]);
        }
        if !task.depends.is_empty() {
            args.extend(["--depends", task.depends]);
        }
        run(&args)?;
    }
    run(&["mission", "plan-complete"])
}

/// The demo's story so far: one line per notable event of the log, oldest first.
///
/// A pure function of the whole log, so a longer log only appends lines and the caller
/// prints the ones it has not printed. A remediation is told when it is dispatched, the
/// first moment its pane is known, in place of the usual "took" line.
pub fn narration(events: &[Event], plan: &Plan) -> Vec<String> {
    let title = |id: &str| plan.tasks.iter().find(|t| t.id == id).map(|t| t.title.as_str());
    // Remediation task -> the assertion it fixes; assertion -> who reported it failing.
    let mut remediates: HashMap<&str, &str> = HashMap::new();
    let mut failed_by: HashMap<&str, &str> = HashMap::new();
    let mut lines = Vec::new();
    // Planning is told only when the lead was asked to plan (`demo --plan`).
    let mut planning = false;
    let (mut milestones, mut created) = (0, 0);
    for e in events {
        milestones += usize::from(e.kind == EventKind::MilestoneCreated);
        created += usize::from(e.kind == EventKind::TaskCreated);
        let task = e.task.as_deref().unwrap_or("?");
        let pane = e.pane.as_deref().unwrap_or("?");
        let task_and_title = match title(task) {
            Some(t) => format!("{task} {t}"),
            None => task.to_string(),
        };
        let line = match &e.kind {
            EventKind::AssertionReported => {
                if let (Some(a), Some("failing")) =
                    (e.assertion.as_deref(), e.extra.get("status").and_then(|v| v.as_str()))
                {
                    failed_by.insert(a, pane);
                }
                None
            }
            EventKind::RemediationCreated => {
                remediates.insert(task, e.assertion.as_deref().unwrap_or("?"));
                None
            }
            EventKind::TaskDispatched => Some(match remediates.get(task) {
                Some(a) => format!(
                    // Its title repeats the assertion's text: the id is enough here.
                    "{}: {a} failing → remediation {task} for {pane}",
                    failed_by.get(a).copied().unwrap_or("Validator")
                ),
                None => format!("{pane} took {task_and_title}"),
            }),
            EventKind::PlanningDispatched => {
                planning = true;
                Some(format!("{pane} got the planning prompt"))
            }
            EventKind::PlanCompleted if planning => Some(format!(
                "planning done: {milestones} milestones, {created} tasks; mission active"
            )),
            EventKind::ResearchTriggered => Some(describe_event(e)),
            EventKind::TaskDone if e.pane.is_some() => {
                Some(format!("{pane} finished {task_and_title}"))
            }
            EventKind::MilestoneValidating
            | EventKind::MilestoneDone
            | EventKind::MissionComplete
            | EventKind::StallDetected
            | EventKind::DeliveryFailed
            | EventKind::AgentExited
            | EventKind::TaskMerged
            | EventKind::MergeConflict
            | EventKind::MergeFailed
            | EventKind::MissionBranchReady => Some(describe_event(e)),
            _ => None,
        };
        lines.extend(line.map(|l| one_line(&l)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn the_recorded_run_narrates_one_line_per_notable_event() {
        let lines = narration(&fixture::demo_events(), &fixture::demo_plan());
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn a_longer_log_only_appends_lines() {
        let (events, plan) = (fixture::demo_events(), fixture::demo_plan());
        let all = narration(&events, &plan);
        for n in 0..events.len() {
            let some = narration(&events[..n], &plan);
            assert_eq!(some[..], all[..some.len()], "after {n} events");
        }
    }

    #[test]
    fn titles_from_the_plan_cannot_drive_the_terminal() {
        let mut plan = fixture::demo_plan();
        plan.tasks[0].title = "evil\x1b]52;c;aGk=\x07\nnext".to_string();
        let first = plan.tasks[0].id.clone();
        let took = narration(&fixture::demo_events(), &plan)
            .into_iter()
            .find(|l| l.contains(&format!("took {first}")))
            .unwrap_or_default();
        assert!(!took.contains('\x1b') && !took.contains('\n'), "{took:?}");
    }
}
