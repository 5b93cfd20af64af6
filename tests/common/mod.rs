//! Test helpers: a temp project, a private tmux server killed on drop, polling waits;
//! every command they spawn runs in the hermetic environment of [`env::hermetic`].
#![allow(dead_code, reason = "not every test binary module uses every helper")]
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

/// A temporary project directory; the `tmux-ide` command runs with `-C` pointing at it
/// and a hermetic environment whose HOME and TMPDIR are in a second temp dir (not in the
/// project, whose files the tests inspect).
pub struct TestProject {
    pub dir: tempfile::TempDir,
    sandbox: Sandbox,
}

impl TestProject {
    /// A project with an empty `.tasks/` (what makes a directory a project), no plan yet.
    pub fn new() -> Self {
        let p = Self::outside();
        std::fs::create_dir(p.path().join(".tasks")).unwrap();
        p
    }

    /// A temp directory that is no project: neither `ide.yml` nor `.tasks/`.
    pub fn outside() -> Self {
        let dir = tempfile::Builder::new().prefix("tmux-ide-test-").tempdir().unwrap();
        TestProject { dir, sandbox: Sandbox::new() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `program` in this project's hermetic environment (see [`hermetic`]).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        hermetic(&mut cmd, self.sandbox.path());
        cmd
    }

    /// `tmux-ide -C <project> ARGS...` in the hermetic environment, to spawn.
    pub fn std_cmd(&self) -> Command {
        let mut cmd = self.command(bin());
        cmd.arg("-C").arg(self.path());
        cmd
    }

    /// [`TestProject::std_cmd`] to run and assert on.
    pub fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_cmd())
    }

    /// Runs `tmux-ide ARGS` and returns the output (without asserting success).
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs `tmux-ide ARGS`, asserts exit 0 and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        success(args, self.run(args))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    /// The status of task `id` in `tasks.json`.
    pub fn task_status(&self, id: &str) -> String {
        let plan: serde_json::Value =
            serde_json::from_str(&self.read(".tasks/tasks.json")).unwrap();
        let tasks = plan["tasks"].as_array().unwrap();
        let task = tasks.iter().find(|t| t["id"] == id).unwrap();
        task["status"].as_str().unwrap().to_string()
    }
}

/// Asserts that `tmux-ide ARGS` succeeded (showing both streams if not); its stdout.
pub fn success(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "tmux-ide {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub mod env;
pub mod fake;
pub mod real;
pub mod repo;

pub use env::{Sandbox, hermetic};

static SERVER_SEQ: AtomicU32 = AtomicU32::new(0);

/// A private tmux server (`tmux -L <unique>`); only this server is killed on drop. Its own
/// `tmux` commands run in a hermetic environment, so a server they start has a temp HOME
/// (no user `.tmux.conf`, no shell rc files in its panes).
pub struct TmuxServer {
    pub socket: String,
    sandbox: Sandbox,
}

impl TmuxServer {
    pub fn new() -> Self {
        let n = SERVER_SEQ.fetch_add(1, Ordering::SeqCst);
        let socket = format!("tmux-ide-test-{}-{n}", std::process::id());
        TmuxServer { socket, sandbox: Sandbox::new() }
    }

    /// `tmux -L <socket> ARGS`.
    pub fn tmux(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("tmux");
        hermetic(&mut cmd, self.sandbox.path());
        cmd.arg("-L").arg(&self.socket).args(args).output().expect("tmux runs")
    }

    /// `tmux -L <socket> ARGS`, asserting success; stdout as a string.
    pub fn tmux_ok(&self, args: &[&str]) -> String {
        let out = self.tmux(args);
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// The visible text of a pane.
    pub fn capture(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-J", "-t", target]).stdout)
            .into_owned()
    }

    /// The id (`%N`) of the pane titled `title` by tmux-ide, if there is one.
    pub fn pane_titled(&self, title: &str) -> Option<String> {
        let panes = self.tmux_ok(&["list-panes", "-a", "-F", "#{pane_id} #{@ide_title}"]);
        let line = panes.lines().find(|l| l.split_once(' ').is_some_and(|(_, t)| t == title))?;
        Some(line.split(' ').next()?.to_string())
    }

    /// Adds `--tmux-socket <socket>` to a tmux-ide command.
    pub fn on(&self, mut cmd: assert_cmd::Command) -> assert_cmd::Command {
        cmd.arg("--tmux-socket").arg(&self.socket);
        cmd
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
        // tmux leaves the socket file behind; remove it so test runs do not pile them up.
        // The hermetic environment has no TMUX_TMPDIR, so tmux put it under /tmp.
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        let _ =
            std::fs::remove_file(Path::new("/tmp").join(format!("tmux-{uid}")).join(&self.socket));
    }
}

/// A spawned child that is killed (by its pid) if the test ends before it does.
pub struct Reaped(pub std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Polls `check` until it returns `Some` or `timeout` passes; panics with `what` on timeout.
pub fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// xorshift64: enough randomness for kill timing without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Path of the built binary, for tests that spawn it directly.
pub fn bin() -> PathBuf {
    cargo_bin("tmux-ide")
}
