//! A test project that is a git repository with a user's branch, uncommitted work and
//! untracked files, and a fingerprint of everything the user owns in it (to show that an
//! isolated mission leaves it byte-identical).
use std::collections::BTreeMap;
use std::path::Path;

use super::TestProject;

/// `git -C dir ARGS` in the project's hermetic environment, asserting success.
pub fn git(p: &TestProject, dir: &Path, args: &[&str]) -> String {
    let out = p
        .command("git")
        .args(["-c", "user.name=Test User", "-c", "user.email=user@example.invalid", "-C"])
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Makes the project a repository on branch `work`: `shared.txt` and `src/app.txt`
/// committed, then a tracked file modified and a file left untracked (the user's own
/// work in progress, which isolation must not touch).
pub fn user_repository(p: &TestProject) {
    let root = p.path();
    git(p, root, &["init", "-q", "-b", "work"]);
    p.write("shared.txt", "base line\n");
    p.write("src/app.txt", "the user's app\n");
    git(p, root, &["add", "shared.txt", "src/app.txt"]);
    git(p, root, &["commit", "-q", "-m", "the user's commit"]);
    p.write("src/app.txt", "the user's app\nan uncommitted edit\n");
    p.write("notes.txt", "untracked notes\n");
}

/// Everything the user owns: each file outside `.git/`, `.tasks/` and `.tmux-ide/` with its
/// bytes, plus HEAD, the branch, `git status` and the staged diff.
pub fn fingerprint(p: &TestProject) -> BTreeMap<String, Vec<u8>> {
    let root = p.path();
    let mut out = BTreeMap::new();
    collect(root, root, &mut out);
    for (key, args) in [
        ("@HEAD", &["rev-parse", "HEAD"][..]),
        ("@branch", &["symbolic-ref", "HEAD"]),
        // `.tasks/` is tmux-ide's plan, which the mission changes by design.
        ("@status", &["status", "--porcelain", "--untracked-files=all", "--", ".", ":!.tasks"]),
        ("@staged", &["diff", "--cached"]),
        ("@refs/heads/work", &["rev-parse", "refs/heads/work"]),
    ] {
        out.insert(key.to_string(), git(p, root, args).into_bytes());
    }
    out
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if [".git", ".tasks", ".tmux-ide"].contains(&rel.as_str()) {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
}

/// The task ids of the mission branch's merges, oldest first (first parents only).
pub fn merged_tasks(p: &TestProject, branch: &str) -> Vec<String> {
    let range = format!("refs/heads/work..{branch}");
    let out = git(
        p,
        p.path(),
        &[
            "log",
            "--reverse",
            "--first-parent",
            "--merges",
            "--format=%(trailers:key=Tmux-Ide-Task,valueonly,separator=)",
            &range,
        ],
    );
    out.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}
