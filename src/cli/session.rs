//! The session commands: `up` (the default), `stop`, `restart`, `attach`, `ls`, `status`.
//! Building and attaching live here; the read-only views are in `session/view.rs`,
//! taking a session down in `session/teardown.rs`.
mod teardown;
mod view;

use std::io::IsTerminal;
use std::io::Write;
use std::process::ExitCode;
use std::str::FromStr;

pub use view::{ls, status};

use super::Ctx;
use crate::config::Config;
use crate::project::Project;
use crate::tmux::{self, LaunchSpec, Tmux};
use crate::{Error, Result};

#[derive(Debug, Clone, Default, clap::Args)]
pub struct UpArgs {
    /// Build the session but do not attach.
    #[arg(long)]
    pub detach: bool,

    /// Window size of a new session, COLSxROWS (default: this terminal's, else 200x50).
    #[arg(long, value_name = "COLSxROWS")]
    pub size: Option<Size>,

    /// Build the session even if a pane's command is not found on its PATH.
    #[arg(long)]
    pub force: bool,
}

/// A window size in cells, written `200x50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub cols: u32,
    pub rows: u32,
}

impl FromStr for Size {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Size, String> {
        let bad = || format!("`{s}` is not a size like 200x50 (columns x rows, each 10..=10000)");
        let (c, r) = s.split_once(['x', 'X']).ok_or_else(bad)?;
        let (cols, rows) = (c.parse().map_err(|_| bad())?, r.parse().map_err(|_| bad())?);
        let ok = |n: u32| (10..=10_000).contains(&n);
        if ok(cols) && ok(rows) { Ok(Size { cols, rows }) } else { Err(bad()) }
    }
}

#[derive(Debug, clap::Args)]
pub struct StopArgs {}
#[derive(Debug, clap::Args)]
pub struct AttachArgs {}
#[derive(Debug, clap::Args)]
pub struct LsArgs {}
#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

/// The tmux client for this invocation (`--tmux-socket` / `TMUX_IDE_SOCKET`).
pub(crate) fn tmux_of(ctx: &Ctx) -> Tmux {
    Tmux::new(ctx.tmux_socket.clone())
}

/// The running session of this project (see [`Tmux::running_session`]).
pub(crate) fn running_session(ctx: &Ctx, project: &Project) -> Result<String> {
    tmux_of(ctx).running_session(project)
}

pub fn up(ctx: &Ctx, args: UpArgs) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let (config, hash) = Config::load_with_hash(&project)?;
    crate::notify::check(&config)?;
    let tmux = tmux_of(ctx);
    let name = tmux::session_name(&project, &config);
    let root = project.root.to_string_lossy().into_owned();
    match tmux.session_format(&name, "#{@ide_config_hash}\t#{@ide_project}")? {
        Some(found) => {
            let (old_hash, owner) = found.split_once('\t').unwrap_or((found.as_str(), ""));
            if owner != root {
                let whose = if owner.is_empty() {
                    "is not a tmux-ide session".into()
                } else {
                    format!("belongs to {owner}")
                };
                return Err(Error::failed(format!(
                    "a tmux session named {name} already exists and {whose}"
                ))
                .with_hint("give this project its own `name:` in ide.yml"));
            }
            if old_hash != hash {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: ide.yml changed since session {name} was built; `tmux-ide restart` applies it"
                );
            }
            if args.detach {
                writeln!(ctx.out(), "session {name} is already running")?;
                return Ok(ExitCode::SUCCESS);
            }
        }
        None => {
            let exe = this_executable()?;
            let client_path = std::env::var("PATH").unwrap_or_default();
            // With isolation and an active mission, agent panes start in their worktrees.
            let config = crate::isolation::setup::session_config(&project, config)?;
            if !args.force {
                check_commands(&project, &config, &client_path, &exe)?;
            }
            let (cols, rows) = build_size(args.size);
            if let Some(problem) = crate::config::fit_problems(&config, cols, rows).first() {
                let path = project.ide_yml();
                return Err(Error::bad_input(format!("{}: {problem}", path.display())));
            }
            if let Some(before) = &config.before {
                run_before(&project, before)?;
            }
            let orchestrator =
                config.orchestrator.enabled.then(|| orchestrator_argv(ctx, &root)).transpose()?;
            let dashboard = config
                .dashboard
                .enabled
                .then(|| dashboard_argv(ctx, &root, config.dashboard.port))
                .transpose()?;
            // tmux gives each new pane the PATH of the client that creates it: the tmux
            // clients run with the PATH the panes should have, this binary reachable.
            let client_path = tmux::pane_path(None, &client_path, &exe);
            // SAFETY: `up` runs no other threads, so nothing reads the environment now.
            unsafe { std::env::set_var("PATH", &client_path) };
            let spec = LaunchSpec {
                session: &name,
                project: &project,
                config: &config,
                config_hash: &hash,
                width: cols,
                height: rows,
                orchestrator,
                dashboard,
                bin: &exe,
                client_path: &client_path,
            };
            let launched = tmux::launch(&tmux, &spec)?;
            let orch = if config.orchestrator.enabled { " + orchestrator window" } else { "" };
            let dash = if config.dashboard.enabled {
                format!(" + dashboard on http://127.0.0.1:{}/", config.dashboard.port)
            } else {
                String::new()
            };
            writeln!(ctx.out(), "session {name}: {} panes{orch}{dash}", launched.panes.len())?;
            if args.detach {
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    attach_session(ctx, &tmux, &name, true)
}

pub fn stop(ctx: &Ctx, _args: StopArgs) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let tmux = tmux_of(ctx);
    let root = project.root.to_string_lossy().into_owned();
    // Not `running_session`: its hint says how to start the session, which is no answer
    // to a `stop`.
    let Some(name) = tmux.sessions()?.into_iter().find(|s| s.project == root).map(|s| s.name)
    else {
        let expected = Config::load(&project)
            .map(|c| tmux::session_name(&project, &c))
            .unwrap_or_else(|_| tmux::session_name(&project, &Config::default()));
        return Err(crate::Error::failed(format!(
            "session {expected} is not running (project {root}): nothing to stop"
        )));
    };
    teardown::end_session(&tmux, &name)?;
    writeln!(ctx.out(), "stopped session {name}")?;
    Ok(ExitCode::SUCCESS)
}

pub fn restart(ctx: &Ctx, args: UpArgs) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    // Check ide.yml before taking the running session down.
    Config::load(&project)?;
    // The old orchestrator goes first, and for good: while it lives it holds the lock
    // the new one needs, and it could still deliver into the new session's panes.
    teardown::stop_orchestrator(&project)?;
    if let Ok(name) = running_session(ctx, &project) {
        teardown::end_session(&tmux_of(ctx), &name)?;
        writeln!(ctx.out(), "stopped session {name}")?;
    }
    up(ctx, args)
}

/// Refuses a layout with a pane whose program is not on that pane's PATH: such a pane
/// would die at once (status 127) and only look idle.
fn check_commands(
    project: &Project,
    config: &Config,
    client_path: &str,
    exe: &std::path::Path,
) -> Result<()> {
    for pane in config.panes() {
        let Some(command) = &pane.command else { continue };
        let path = tmux::pane_path(pane.env.get("PATH").map(String::as_str), client_path, exe);
        if let Some(program) = super::doctor::missing_program(command, &path, &project.root) {
            return Err(Error::failed(format!("pane {}: `{program}` is not on PATH", pane.title))
                .with_hint(format!(
                    "install `{program}` or change this pane's `command` in ide.yml \
(`tmux-ide up --force` builds the session anyway)"
                )));
        }
    }
    Ok(())
}

pub fn attach(ctx: &Ctx, _args: AttachArgs) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let name = running_session(ctx, &project)?;
    attach_session(ctx, &tmux_of(ctx), &name, false)
}

/// Attaches this terminal to the session; inside tmux on the same server, switches the
/// client instead. From `up` without a terminal, just says how to attach.
fn attach_session(ctx: &Ctx, tmux: &Tmux, name: &str, quiet_without_tty: bool) -> Result<ExitCode> {
    let target = format!("={name}");
    if quiet_without_tty && !std::io::stdin().is_terminal() {
        writeln!(ctx.out(), "session {name} is running; attach with `tmux-ide attach`")?;
        return Ok(ExitCode::SUCCESS);
    }
    let inside = std::env::var("TMUX").ok().filter(|v| !v.is_empty());
    let same_server = inside.as_deref().is_some_and(|v| {
        let socket_path = v.split(',').next().unwrap_or("");
        let socket_name = socket_path.rsplit('/').next().unwrap_or("");
        socket_name == tmux.socket().unwrap_or("default")
    });
    if same_server {
        tmux.run(&["switch-client", "-t", &target])?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut cmd = tmux.command();
    cmd.args(["attach-session", "-t", &target]).env_remove("TMUX");
    let status = cmd.status().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => tmux::tmux_missing(),
        _ => Error::failed(format!("tmux attach-session: {e}")),
    })?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `before:` runs once, in the project directory, before the session is created.
fn run_before(project: &Project, before: &str) -> Result<()> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(before)
        .current_dir(&project.root)
        .stdin(std::process::Stdio::null())
        .status()
        .map_err(|e| Error::failed(format!("before: could not run sh: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::failed(format!("before: `{before}` failed ({status}); session not created"))
            .with_hint("fix the command or remove `before:` from ide.yml"))
    }
}

/// `<this executable> -C <project> [--tmux-socket NAME] orchestrator run`, as argv.
fn orchestrator_argv(ctx: &Ctx, root: &str) -> Result<Vec<String>> {
    self_argv(ctx, root, &["orchestrator", "run"])
}

/// `<this executable> -C <project> [--tmux-socket NAME] dashboard --port PORT`, as argv.
fn dashboard_argv(ctx: &Ctx, root: &str, port: u16) -> Result<Vec<String>> {
    self_argv(ctx, root, &["dashboard", "--port", &port.to_string()])
}

fn this_executable() -> Result<std::path::PathBuf> {
    std::env::current_exe().map_err(|e| Error::failed(format!("cannot find this executable: {e}")))
}

fn self_argv(ctx: &Ctx, root: &str, command: &[&str]) -> Result<Vec<String>> {
    let exe = this_executable()?;
    let mut argv = vec![exe.to_string_lossy().into_owned(), "-C".into(), root.to_string()];
    if let Some(socket) = &ctx.tmux_socket {
        argv.extend(["--tmux-socket".into(), socket.clone()]);
    }
    argv.extend(command.iter().map(|s| s.to_string()));
    Ok(argv)
}

/// The size a new session is built at: `--size`, else this terminal's, else
/// [`config::DEFAULT_SIZE`]; `config validate` checks the layout fits the same size.
pub(crate) fn build_size(size: Option<Size>) -> (u32, u32) {
    match size.or_else(terminal_size) {
        Some(size) => (size.cols, size.rows),
        None => crate::config::DEFAULT_SIZE,
    }
}

/// The size of the terminal on stdin/stdout/stderr, if any is one.
fn terminal_size() -> Option<Size> {
    for fd in [1, 0, 2] {
        let mut ws = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: TIOCGWINSZ writes a winsize into the struct we own; fd is a plain fd number.
        let rc = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
        if rc == 0 && ws.ws_col >= 10 && ws.ws_row >= 10 {
            return Some(Size { cols: u32::from(ws.ws_col), rows: u32::from(ws.ws_row) });
        }
    }
    None
}
