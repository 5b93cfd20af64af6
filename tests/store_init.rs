//! `tmux-ide init`: the seed's missions tree, the 6-pane layout, never overwriting.
use serde_json::{Value, json};

use crate::common::TestProject;

const MISSIONS_TREE: [&str; 12] = [
    ".gitignore",
    ".tasks/tasks.json",
    ".tasks/validation-contract.md",
    ".tmux-ide/library/architecture.md",
    ".tmux-ide/library/learnings.md",
    ".tmux-ide/library/research-findings.md",
    ".tmux-ide/skills/backend.md",
    ".tmux-ide/skills/frontend.md",
    ".tmux-ide/skills/researcher.md",
    ".tmux-ide/skills/reviewer.md",
    "AGENTS.md",
    "ide.yml",
];

fn files(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn init_missions_scaffolds_exactly_the_seed_tree() {
    let p = TestProject::new();
    p.ok(&["init", "--template", "missions", "--name", "auth"]);
    assert_eq!(files(p.path()), MISSIONS_TREE);
    assert_eq!(p.read(".gitignore"), ".tmux-ide/run/\n.tasks/.lock\n");
    assert_eq!(p.ok(&["--json", "task", "list"]), "[]\n");
    assert!(p.ok(&["validate", "coverage"]).ends_with("Coverage: 0/0 assertions covered (100%)\n"));
    for skill in ["frontend", "backend", "reviewer", "researcher"] {
        let text = p.read(&format!(".tmux-ide/skills/{skill}.md"));
        assert!(text.lines().count() > 15, "{skill}.md is too thin");
    }
    assert!(p.read(".tmux-ide/skills/reviewer.md").contains("tmux-ide validate assert"));
    assert!(p.read("AGENTS.md").contains("tmux-ide task done <id>"));
    assert!(p.read(".tasks/validation-contract.md").contains("- **VAL-AUTH-001**:"));
}

#[test]
fn the_missions_layout_has_six_panes_with_roles_specialties_and_skills() {
    let p = TestProject::new();
    p.ok(&["init", "--template", "missions", "--name", "auth"]);
    let yml: Value = serde_saphyr::from_str(&p.read("ide.yml")).unwrap();
    assert_eq!(yml["name"], "auth");
    let rows = yml["rows"].as_array().unwrap();
    assert_eq!((rows[0]["size"].as_str(), rows[1]["size"].as_str()), (Some("70%"), Some("30%")));
    let pane = |r: usize, i: usize| rows[r]["panes"][i].clone();
    assert_eq!(
        pane(0, 0),
        json!({"title": "Lead", "command": "claude", "role": "lead", "focus": true})
    );
    assert_eq!(
        pane(0, 1),
        json!({"title": "Frontend", "command": "claude", "role": "teammate", "specialty": "frontend", "skill": "frontend"})
    );
    assert_eq!(
        pane(0, 2),
        json!({"title": "Backend", "command": "claude", "role": "teammate", "specialty": "backend", "skill": "backend"})
    );
    assert_eq!(
        pane(1, 0),
        json!({"title": "Validator", "command": "claude", "role": "validator", "skill": "reviewer"})
    );
    assert_eq!(
        pane(1, 1),
        json!({"title": "Researcher", "command": "claude", "role": "researcher", "specialty": "research", "skill": "researcher"})
    );
    assert_eq!(pane(1, 2), json!({"title": "Shell", "role": "shell"}));
    assert_eq!(
        yml["orchestrator"],
        json!({"enabled": true, "auto_dispatch": true, "dispatch_mode": "missions", "poll_interval": 5000,
               "stall_timeout": 300000, "master_pane": "Lead", "max_concurrent_agents": 4,
               "isolation": "none"})
    );
}

#[test]
fn init_never_overwrites_and_lists_what_it_skipped_unless_forced() {
    let p = TestProject::new();
    p.write("AGENTS.md", "mine\n");
    p.write(".gitignore", "/target");
    let out = p.ok(&["init", "--template", "missions"]);
    assert!(out.contains("skipped  AGENTS.md (already exists; --force overwrites)"), "{out}");
    assert_eq!(p.read("AGENTS.md"), "mine\n");
    assert_eq!(p.read(".gitignore"), "/target\n.tmux-ide/run/\n.tasks/.lock\n");
    p.ok(&["task", "create", "keep me"]);
    let again = p.ok(&["init", "--template", "missions"]);
    assert_eq!(again.lines().filter(|l| l.starts_with("skipped")).count(), 11, "{again}");
    assert_eq!(p.ok(&["--json", "task", "list"]).matches("keep me").count(), 1);
    p.ok(&["init", "--template", "missions", "--force"]);
    assert!(p.read("AGENTS.md").starts_with("# AGENTS.md"));
    assert_eq!(p.read(".gitignore"), "/target\n.tmux-ide/run/\n.tasks/.lock\n");
}

#[test]
fn plain_init_writes_a_two_pane_layout_only() {
    let p = TestProject::new();
    p.ok(&["init", "--name", "demo"]);
    assert_eq!(files(p.path()), ["ide.yml"]);
    let yml: Value = serde_saphyr::from_str(&p.read("ide.yml")).unwrap();
    let panes: usize =
        yml["rows"].as_array().unwrap().iter().map(|r| r["panes"].as_array().unwrap().len()).sum();
    assert_eq!(panes, 2);
    let out = p.run(&["init", "--template", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}
