//! Nothing is written through a symbolic link in `.tasks/` or `.tmux-ide/`: a repository
//! that ships `events.jsonl -> ~/some-file` gets a clear refusal (exit 1), the link's
//! target is untouched and the plan is unchanged.
use std::os::unix::fs::symlink;
use std::path::PathBuf;

use crate::common::TestProject;

/// A project with one task, and a file outside it that links will point at.
fn project() -> (TestProject, tempfile::TempDir, PathBuf) {
    let p = TestProject::new();
    p.ok(&["task", "create", "First", "--specialty", "research"]);
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("precious");
    std::fs::write(&target, "precious\n").unwrap();
    (p, outside, target)
}

fn link(p: &TestProject, rel: &str, target: &std::path::Path) {
    let path = p.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    symlink(target, path).unwrap();
}

/// Runs `args`, expecting exit 1 with a message naming `rel` as a symlink, `target`
/// untouched and tasks.json (when it is not the link) unchanged.
fn refused(p: &TestProject, rel: &str, target: &std::path::Path, args: &[&str]) {
    let plan_before = std::fs::read_to_string(p.path().join(".tasks/tasks.json")).ok();
    let out = p.run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?} with {rel} a symlink: {stderr}");
    assert!(stderr.contains(rel) && stderr.contains("symbolic link"), "{rel}: {stderr}");
    assert_eq!(std::fs::read_to_string(target).unwrap(), "precious\n", "{rel}: target changed");
    if rel != ".tasks/tasks.json" && rel != ".tasks" {
        let plan_after = std::fs::read_to_string(p.path().join(".tasks/tasks.json")).ok();
        assert_eq!(plan_before, plan_after, "{rel}: the plan changed");
    }
}

#[test]
fn each_store_file_that_is_a_symlink_is_refused_and_its_target_left_alone() {
    for rel in [".tasks/events.jsonl", ".tasks/.lock", ".tasks/tasks.json"] {
        let (p, _outside, target) = project();
        link(&p, rel, &target);
        refused(&p, rel, &target, &["task", "create", "Second"]);
    }
}

#[test]
fn library_files_that_are_symlinks_are_refused_and_the_task_stays_open() {
    for rel in [".tmux-ide/library/learnings.md", ".tmux-ide/library/research-findings.md"] {
        let (p, _outside, target) = project();
        link(&p, rel, &target);
        refused(&p, rel, &target, &["task", "done", "001", "--proof", "p", "--summary", "s"]);
        let task = p.ok(&["--json", "task", "show", "001"]);
        assert!(task.contains("\"todo\""), "{rel}: {task}");
    }
}

#[test]
fn symlinked_directories_are_refused_and_nothing_is_created_through_them() {
    for rel in [".tmux-ide/library", ".tmux-ide", ".tasks"] {
        let (p, outside, _target) = project();
        let dir = outside.path().join("dir");
        std::fs::create_dir(&dir).unwrap();
        if rel == ".tasks" {
            std::fs::remove_dir_all(p.path().join(".tasks")).unwrap();
        }
        let path = p.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(&dir, &path).unwrap();
        let args: &[&str] = if rel == ".tasks" {
            &["task", "create", "Again"]
        } else {
            &["task", "done", "001", "--proof", "p", "--summary", "s"]
        };
        let out = p.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{rel}: {stderr}");
        assert!(stderr.contains("symbolic link"), "{rel}: {stderr}");
        let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(entries.is_empty(), "{rel}: something was written through the link");
    }
}

#[test]
fn init_does_not_write_through_a_dangling_symlink() {
    let p = TestProject::new();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("created-outside");
    link(&p, ".tmux-ide/library/learnings.md", &target);
    let out = p.run(&["init", "--template", "missions"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!target.exists(), "init created a file outside the project");
    assert!(!p.path().join(".tasks/tasks.json").exists(), "init wrote part of the project");
}

#[test]
fn the_orchestrators_run_files_that_are_symlinks_are_refused() {
    for rel in [".tmux-ide/run/orchestrator.lock", ".tmux-ide/run/orchestrator.pid"] {
        let (p, _outside, target) = project();
        p.write("ide.yml", "name: links\nrows:\n  - panes:\n      - title: Shell\n");
        link(&p, rel, &target);
        let tmux = crate::common::TmuxServer::new();
        let mut cmd = p.std_cmd();
        let mut child = cmd
            .args(["--tmux-socket", &tmux.socket, "orchestrator", "run"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // An orchestrator that started would run until stopped: give it a deadline.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                child.wait().unwrap();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.and_then(|s| s.code()), Some(1), "{rel}: {stderr}");
        assert!(stderr.contains(rel) && stderr.contains("symbolic link"), "{rel}: {stderr}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n", "{rel}");
    }
}
