//! A hermetic run of the binary, as jj's `TestEnvironment` does it: [`hermetic`], the
//! environment every test command gets (cleared but for PATH, HOME and TMPDIR in temp
//! dirs, fixed `COLUMNS`, no colour), plus a fixed clock (`TMUX_IDE_NOW`); and
//! [`CommandOutput`], stdout, stderr and the exit status in one text, so a snapshot shows
//! all a user would see.
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The clock every `TestEnv` command sees.
pub const NOW: &str = "2026-11-28T08:35:30Z";

/// What a spawned command sees, and all it sees: PATH (to find tmux, sh, python3), HOME and
/// TMPDIR in `sandbox` (its `home/` and `tmp/`), a fixed UTF-8 locale, width and zone,
/// and no colour. Nothing else is inherited: no TMUX or TMUX_TMPDIR of a developer inside
/// tmux, no TMUX_IDE_* settings, no `.bashrc` or `.tmux.conf` from the real HOME.
pub fn hermetic(cmd: &mut Command, sandbox: &Path) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.join("home"))
        .env("TMPDIR", sandbox.join("tmp"))
        .env("LANG", "C.UTF-8")
        .env("COLUMNS", "120")
        .env("NO_COLOR", "1")
        .env("TZ", "UTC");
}

/// A temp dir with the `home/` and `tmp/` that [`hermetic`] points HOME and TMPDIR at.
pub struct Sandbox(tempfile::TempDir);

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("tmux-ide-home-").tempdir().unwrap();
        for sub in ["home", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Sandbox(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

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
        hermetic(&mut cmd, self.root.path());
        cmd.env("TMUX_IDE_NOW", &self.now).arg("-C").arg(self.project()).args(args);
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

#[test]
fn test_commands_inherit_nothing_but_path() {
    let p = super::TestProject::new();
    let out = p.command("env").output().unwrap();
    let mut names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| Some(l.split_once('=')?.0.to_string()))
        .collect();
    names.sort();
    assert_eq!(names, ["COLUMNS", "HOME", "LANG", "NO_COLOR", "PATH", "TMPDIR", "TZ"]);
}

#[test]
fn a_test_tmux_server_and_its_panes_have_a_temp_home() {
    let tmux = super::TmuxServer::new();
    tmux.tmux_ok(&["new-session", "-d", "-s", "home", "cat"]);
    let env = tmux.tmux_ok(&["show-environment", "-g", "HOME"]);
    let home = env.trim().strip_prefix("HOME=").unwrap();
    assert!(Path::new(home).ends_with("home"), "{env}");
    assert_ne!(Some(home.into()), std::env::var_os("HOME"), "{env}");
    assert!(Path::new(home).is_dir(), "{env}");
}
