//! A hermetic run of the binary, as jj's `TestEnvironment` does it: a cleared environment
//! (PATH kept), HOME and TMPDIR in temp dirs, a fixed clock (`TMUX_IDE_NOW`), fixed
//! `COLUMNS` and no colour; and [`CommandOutput`], stdout, stderr and the exit status in one
//! text, so a snapshot shows all a user would see.
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The clock every `TestEnv` command sees.
pub const NOW: &str = "2026-11-28T08:35:30Z";

/// A temp dir holding a project, a HOME and a TMPDIR.
pub struct TestEnv {
    root: tempfile::TempDir,
    now: String,
}

impl TestEnv {
    pub fn new() -> Self {
        let root = tempfile::Builder::new().prefix("tmux-ide-env-").tempdir().unwrap();
        for dir in ["project", "home", "tmp"] {
            std::fs::create_dir(root.path().join(dir)).unwrap();
        }
        TestEnv { root, now: NOW.to_string() }
    }

    /// The same environment with another clock.
    pub fn at(mut self, now: &str) -> Self {
        self.now = now.to_string();
        self
    }

    pub fn project(&self) -> PathBuf {
        self.root.path().join("project")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.project().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `tmux-ide -C <project> ARGS` with nothing inherited but PATH.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(super::bin());
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root.path().join("home"))
            .env("TMPDIR", self.root.path().join("tmp"))
            .env("TMUX_IDE_NOW", &self.now)
            .env("COLUMNS", "100")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .arg("-C")
            .arg(self.project())
            .args(args);
        cmd
    }

    /// Runs `tmux-ide ARGS`; what it printed and how it exited, temp paths redacted.
    pub fn run(&self, args: &[&str]) -> CommandOutput {
        let out = self.cmd(args).output().expect("tmux-ide runs");
        let text = |b: &[u8]| self.redact(&String::from_utf8_lossy(b));
        CommandOutput {
            stdout: text(&out.stdout),
            stderr: text(&out.stderr),
            status: out.status.code().unwrap_or(-1),
            raw_stdout: out.stdout,
        }
    }

    fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for root in [self.root.path().to_path_buf(), self.root.path().canonicalize().unwrap()] {
            text = text.replace(&root.join("project").display().to_string(), "$PROJECT");
            text = text.replace(&root.display().to_string(), "$TEST_ENV");
        }
        text
    }
}

/// What a command printed and its exit status.
pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
    /// Stdout byte for byte, for checks that must not go through a lossy decode.
    pub raw_stdout: Vec<u8>,
}

impl CommandOutput {
    /// Stdout, asserting the command exited 0.
    pub fn success(self) -> String {
        assert_eq!(self.status, 0, "{self}");
        self.stdout
    }
}

/// `stdout`, then `------- stderr -------` and stderr when there is any, then
/// `[exit status: N]`.
impl fmt::Display for CommandOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stdout)?;
        if !self.stderr.is_empty() {
            if !self.stdout.is_empty() && !self.stdout.ends_with('\n') {
                writeln!(f)?;
            }
            writeln!(f, "------- stderr -------")?;
            f.write_str(&self.stderr)?;
        }
        let last = if self.stderr.is_empty() { &self.stdout } else { &self.stderr };
        if !last.is_empty() && !last.ends_with('\n') {
            writeln!(f)?;
        }
        write!(f, "[exit status: {}]", self.status)
    }
}

/// A file of the recorded demo run (`src/report/fixtures/`) the report snapshots read.
pub fn demo_fixture(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report/fixtures");
    std::fs::read_to_string(dir.join(name)).unwrap()
}
