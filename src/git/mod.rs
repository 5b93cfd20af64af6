//! The only code that runs `git`: one small runner, argument vectors (never a shell),
//! `-C <dir>`, an environment cleared of the variables that would point git elsewhere,
//! and errors that name the git command and quote its stderr.
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{Error, Result};

/// Variables that redirect git to another repository, index or work tree: a pane or a
/// hook that exported one must not make tmux-ide write into the wrong place.
const CLEARED: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_PREFIX",
];

/// The identity commits get when the repository names none (a fresh CI machine, tests).
const FALLBACK_NAME: &str = "tmux-ide";
const FALLBACK_EMAIL: &str = "tmux-ide@localhost";

/// `git -C <dir> …` for one directory (a repository's work tree or a worktree of it).
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    pub fn new(dir: impl Into<PathBuf>) -> Git {
        Git { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The command, not yet run: `git -C <dir> ARGS` in a cleared git environment, with
    /// no pager, no prompt for credentials and no editor.
    pub fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new("git");
        for var in CLEARED {
            cmd.env_remove(var);
        }
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_PAGER", "cat")
            .env("GIT_EDITOR", "true")
            .env("GIT_MERGE_AUTOEDIT", "no")
            .env("LC_ALL", "C")
            .arg("-C")
            .arg(&self.dir)
            .args(args);
        cmd
    }

    /// Runs git and returns the whole output, whatever the exit status.
    pub fn output<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<Output> {
        self.command(args).output().map_err(|e| {
            Error::failed(format!("cannot run git {}: {e}", shown(args)))
                .with_hint("install git (2.25 or newer) and put it on PATH")
        })
    }

    /// Runs git; its stdout on success, else an error naming the command and its stderr.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<String> {
        let out = self.output(args)?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        Err(self.failure(args, &out))
    }

    /// Runs git; whether it exited 0 (for the commands that answer by exit status).
    pub fn check<S: AsRef<OsStr>>(&self, args: &[S]) -> Result<bool> {
        Ok(self.output(args)?.status.success())
    }

    /// The error for a git command that failed with `out`.
    pub fn failure<S: AsRef<OsStr>>(&self, args: &[S], out: &Output) -> Error {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        Error::failed(format!(
            "git {} (in {}) failed: {}",
            shown(args),
            self.dir.display(),
            first.chars().filter(|c| !c.is_control()).collect::<String>()
        ))
    }

    /// The commit `rev` names, or `None` when it names none.
    pub fn resolve(&self, rev: &str) -> Result<Option<String>> {
        let spec = format!("{rev}^{{commit}}");
        let out = self.output(&["rev-parse", "--verify", "--quiet", &spec])?;
        let sha = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok((out.status.success() && !sha.is_empty()).then_some(sha))
    }

    /// Whether the work tree holds changes (tracked or untracked, ignored files aside).
    pub fn is_dirty(&self) -> Result<bool> {
        Ok(!self.run(&["status", "--porcelain", "--untracked-files=all"])?.trim().is_empty())
    }

    /// `-c user.name=… -c user.email=…` when the repository has no identity, so commits
    /// made for the user never fail on a machine where git was never configured.
    pub fn identity_args(&self) -> Result<Vec<String>> {
        let has = |key: &str| self.check(&["config", "--get", key]);
        let mut args = Vec::new();
        if !has("user.name")? {
            args.extend(["-c".into(), format!("user.name={FALLBACK_NAME}")]);
        }
        if !has("user.email")? {
            args.extend(["-c".into(), format!("user.email={FALLBACK_EMAIL}")]);
        }
        Ok(args)
    }

    /// Runs a command that writes commits (`commit`, `merge`) with an identity.
    pub fn run_committing(&self, args: &[&str]) -> Result<String> {
        let mut all = self.identity_args()?;
        all.extend(args.iter().map(|a| a.to_string()));
        self.run(&all)
    }

    /// Whether `dir` is inside a git work tree.
    pub fn is_repository(dir: &Path) -> bool {
        Git::new(dir).check(&["rev-parse", "--is-inside-work-tree"]).unwrap_or(false)
    }
}

/// The arguments as the error shows them.
fn shown<S: AsRef<OsStr>>(args: &[S]) -> String {
    let words: Vec<String> =
        args.iter().map(|a| a.as_ref().to_string_lossy().into_owned()).collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> (tempfile::TempDir, Git) {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::new(dir.path());
        git.run(&["init", "-q", "-b", "main"]).unwrap();
        (dir, git)
    }

    #[test]
    fn a_failing_command_is_named_with_its_stderr() {
        let (_dir, git) = repo();
        let err = git.run(&["rev-parse", "--verify", "nosuchref"]).unwrap_err();
        assert!(err.message.starts_with("git rev-parse --verify nosuchref (in "), "{err:?}");
        assert!(err.message.contains("fatal"), "{err:?}");
    }

    #[test]
    fn commits_work_without_a_configured_identity_and_refs_resolve() {
        let (dir, git) = repo();
        assert_eq!(git.resolve("HEAD").unwrap(), None);
        std::fs::write(dir.path().join("a.txt"), "a\n").unwrap();
        assert!(git.is_dirty().unwrap());
        git.run(&["add", "-A"]).unwrap();
        git.run_committing(&["commit", "-q", "-m", "first"]).unwrap();
        assert!(!git.is_dirty().unwrap());
        let head = git.resolve("HEAD").unwrap().unwrap();
        assert_eq!(head.len(), 40);
        assert!(Git::is_repository(dir.path()));
    }
}
