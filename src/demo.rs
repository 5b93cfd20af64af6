//! The demo scenario: the seed's Auth v2 mission (contract, 3 milestones, 8 tasks) in a
//! fresh project whose agent panes run the simulated agent.
use std::path::Path;
use std::process::Command;

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
pub fn ide_yml(name: &str, exe: &Path, work_ms: u64) -> String {
    let sim = |extra: &str| {
        let exe = shell_quote(&exe.to_string_lossy());
        yaml_str(&format!("{exe} agent sim --work-ms {work_ms}{extra}"))
    };
    let worker = sim("");
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
    out
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
