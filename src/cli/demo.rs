//! `tmux-ide demo`: a whole mission in real tmux with simulated agents — plan, launch,
//! live progress per milestone, and the final reports.
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use super::Ctx;
use crate::plan::store::Store;
use crate::plan::{MissionStatus, Plan, TaskStatus};
use crate::project::Project;
use crate::{Error, Result, demo};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make the demo project in DIR (must be empty or absent) instead of a temp dir.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Attach to the session to watch the agents (detach with the tmux prefix + d).
    #[arg(long)]
    pub attach: bool,
    /// Leave the session running and the temp project in place when the demo ends.
    #[arg(long)]
    pub keep: bool,
    /// How long each simulated task takes, in milliseconds.
    #[arg(long, default_value_t = 1500, value_name = "MS", value_parser = super::agent::work_ms_arg())]
    pub work_ms: u64,
    /// Start from a one-line goal instead of the Auth v2 plan: the mission is set in
    /// planning and the simulated lead plans it (contract, milestones, tasks) when the
    /// orchestrator sends it the planning prompt.
    #[arg(long, value_name = "GOAL")]
    pub plan: Option<String>,
    /// Give up (exit 1) after this many seconds.
    #[arg(long, default_value_t = 180, value_name = "S", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    if args.plan.as_deref().is_some_and(|g| g.trim().is_empty()) {
        return Err(Error::bad_input(
            "--plan: the goal is blank (give the mission's goal in one line)",
        ));
    }
    let exe = crate::agent::sim::current_exe()?;
    // Say so before making anything, rather than leaving a half-made project behind.
    if which::which("tmux").is_err() {
        return Err(crate::tmux::tmux_missing());
    }
    let dir = prepare_dir(args.dir.as_deref())?;
    let project = Project::at(&dir);
    let socket: Vec<String> =
        ctx.tmux_socket.iter().flat_map(|s| ["--tmux-socket".to_string(), s.clone()]).collect();
    let name = format!("demo-{}", dir.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    let _ = writeln!(std::io::stderr(), "demo project: {}", dir.display());

    tmux_ide(&exe, &dir, &[], &["init", "--template", "missions"])?;
    match &args.plan {
        // Panes start before the plan exists, while worktrees are made at plan-complete for
        // the panes started after it: a demo planned from a goal runs without isolation.
        Some(goal) => {
            fs_err::write(project.ide_yml(), demo::ide_yml(&name, &exe, args.work_ms, false))?;
            // The template's contract has no assertion yet: the lead writes them.
            tmux_ide(&exe, &dir, &[], &["mission", "set", goal])?;
        }
        None => {
            fs_err::write(project.contract(), demo::CONTRACT)?;
            // A throwaway repository: each agent works in its own worktree (isolation).
            fs_err::write(project.ide_yml(), demo::ide_yml(&name, &exe, args.work_ms, true))?;
            if !demo::git_repository(&dir) {
                let plain = demo::ide_yml(&name, &exe, args.work_ms, false);
                fs_err::write(project.ide_yml(), plain)?;
            }
            demo::plan(&exe, &dir)?;
        }
    }
    tmux_ide(&exe, &dir, &socket, &["up", "--detach"])?;
    let socket_flag =
        ctx.tmux_socket.as_ref().map(|s| format!(" --tmux-socket {s}")).unwrap_or_default();
    let _ = writeln!(
        std::io::stderr(),
        "session {name} is running; `tmux-ide -C {}{socket_flag} attach` to watch",
        dir.display()
    );

    let tmux = crate::tmux::Tmux::new(ctx.tmux_socket.clone());
    // Inside tmux on the demo's server, `attach` moves this very client to the demo.
    let home = if args.attach { home_session(&tmux) } else { None };
    if args.attach {
        let mut attach = Command::new(&exe);
        attach.arg("-C").arg(&dir).args(&socket).arg("attach");
        attach.status()?;
    }
    // Ctrl-C ends the demo the same way a timeout does: the session is stopped.
    crate::signals::install();
    let outcome = follow(ctx, &project, Duration::from_secs(args.timeout));
    let reported = report(ctx, &exe, &dir);
    if !args.keep {
        if let Some(home) = &home {
            go_home(&tmux, &name, home);
        }
        let _ = tmux_ide(&exe, &dir, &socket, &["stop"]);
    }
    // A temp project nobody asked to keep is only clutter once the reports are printed.
    let removed = !args.keep && args.dir.is_none() && remove_project(&dir);
    let complete = outcome?;
    reported?;
    let mut out = ctx.out();
    let code = match complete {
        true => {
            writeln!(out, "Mission complete.")?;
            ExitCode::SUCCESS
        }
        false if crate::signals::stop_requested() => {
            writeln!(out, "Interrupted.")?;
            ExitCode::from(130)
        }
        false => {
            writeln!(out, "Timed out after {} s.", args.timeout)?;
            ExitCode::FAILURE
        }
    };
    for line in next_steps(&dir, ctx.tmux_socket.as_deref(), args.keep, removed) {
        writeln!(out, "{line}")?;
    }
    Ok(code)
}

/// The session of the pane this runs in, when that pane is on the demo's tmux server.
fn home_session(tmux: &crate::tmux::Tmux) -> Option<String> {
    let inside = std::env::var("TMUX").ok().filter(|v| !v.is_empty())?;
    let socket_path = inside.split(',').next().unwrap_or("");
    if socket_path.rsplit('/').next() != Some(tmux.socket().unwrap_or("default")) {
        return None;
    }
    let pane = std::env::var("TMUX_PANE").ok()?;
    let name = tmux.run(&["display-message", "-p", "-t", &pane, "#{session_name}"]).ok()?;
    Some(name.trim_end().to_string()).filter(|n| !n.is_empty())
}

/// Switches every client still on the demo's session back to `home` before the session
/// goes: killing a session detaches its clients, which would throw the user out of tmux.
/// The orchestrator's control-mode client stays: it ends with the session.
fn go_home(tmux: &crate::tmux::Tmux, demo: &str, home: &str) {
    let (demo, home) = (format!("={demo}"), format!("={home}"));
    let format = "#{client_control_mode} #{client_name}";
    let Ok(clients) = tmux.run(&["list-clients", "-t", &demo, "-F", format]) else {
        return;
    };
    for client in clients.lines().filter_map(|c| c.strip_prefix("0 ")).filter(|c| !c.is_empty()) {
        let _ = tmux.run(&["switch-client", "-c", client, "-t", &home]);
    }
}

/// Removes the demo's temp project; false (and says why) when it could not.
fn remove_project(dir: &Path) -> bool {
    match fs_err::remove_dir_all(dir) {
        Ok(()) => true,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "warning: the demo project stays: {e}");
            false
        }
    }
}

/// What to try next, by what is left: the running session, the project, or nothing.
pub fn next_steps(dir: &Path, socket: Option<&str>, keep: bool, removed: bool) -> Vec<String> {
    let socket = socket.map(|s| format!(" --tmux-socket {s}")).unwrap_or_default();
    let at = format!("tmux-ide -C {}", crate::report::text::one_line(&dir.to_string_lossy()));
    let mut steps: Vec<(String, &str)> = Vec::new();
    if removed {
        steps.push(("tmux-ide demo --keep".into(), "keep the session and project to look around"));
    } else {
        if keep {
            steps.push((format!("{at}{socket} attach"), "watch the agents' panes"));
            steps.push((format!("{at}{socket} top"), "the live view"));
        }
        steps.push((format!("{at} mission status"), "where the mission stands"));
        steps.push((format!("{at} logs"), "the orchestrator's decisions"));
        steps.push((format!("{at} task diff 003"), "what task 003 merged into the mission branch"));
        if keep {
            steps.push((format!("{at}{socket} stop"), "end the session when you are done"));
        }
    }
    steps.push(("tmux-ide init --template missions".into(), "start a mission in your own project"));
    let width = steps.iter().map(|(cmd, _)| cmd.chars().count()).max().unwrap_or(0);
    let mut lines = vec![String::new(), "What to try next:".to_string()];
    lines.extend(steps.into_iter().map(|(cmd, why)| format!("  {cmd:<width$}  # {why}")));
    lines
}

/// One line per milestone: id, title, bar, tasks done/total, status.
pub fn progress_lines(plan: &Plan) -> Vec<String> {
    let mut milestones: Vec<_> = plan.milestones.iter().collect();
    milestones.sort_by_key(|m| m.sequence);
    milestones
        .iter()
        .map(|m| {
            let tasks: Vec<_> = plan
                .tasks
                .iter()
                .filter(|t| {
                    t.milestone.as_deref() == Some(&m.id) && t.status != TaskStatus::Cancelled
                })
                .collect();
            let done = tasks.iter().filter(|t| t.status == TaskStatus::Done).count();
            let working = tasks.iter().filter(|t| t.status == TaskStatus::InProgress).count();
            let width = 20;
            let filled = (done * width).checked_div(tasks.len()).unwrap_or(0);
            let round =
                m.validation.as_ref().map(|v| format!(" round {}", v.round)).unwrap_or_default();
            format!(
                "{:<3} {:<22} {}{} {done}/{} done, {working} working  {}{}",
                m.id,
                m.title,
                "█".repeat(filled),
                "░".repeat(width - filled),
                tasks.len(),
                m.status.as_str(),
                if m.status == crate::plan::MilestoneStatus::Validating {
                    round
                } else {
                    String::new()
                },
            )
        })
        .collect()
}

/// The mission's status, validation and metrics, as the commands print them.
fn report(ctx: &Ctx, exe: &Path, dir: &Path) -> Result<()> {
    writeln!(ctx.out())?;
    for report in [&["mission", "status"][..], &["validate", "report", "--all"], &["metrics"]] {
        // The child writes to the same stdout: what this process printed goes first.
        ctx.out().flush()?;
        let _ = Command::new(exe).arg("-C").arg(dir).args(report).status();
        writeln!(ctx.out())?;
    }
    Ok(())
}

fn prepare_dir(dir: Option<&Path>) -> Result<PathBuf> {
    match dir {
        Some(d) => {
            if d.exists() && fs_err::read_dir(d)?.next().is_some() {
                return Err(Error::bad_input(format!(
                    "--dir {}: not empty (give an empty or new directory)",
                    d.display()
                )));
            }
            fs_err::create_dir_all(d)?;
            Ok(d.canonicalize()?)
        }
        None => {
            let tmp = tempfile::Builder::new().prefix("tmux-ide-demo-").tempdir()?;
            Ok(tmp.keep())
        }
    }
}

fn tmux_ide(exe: &Path, dir: &Path, socket: &[String], args: &[&str]) -> Result<()> {
    let out = Command::new(exe).arg("-C").arg(dir).args(socket).args(args).output()?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or("").trim_start_matches("error: ");
    Err(Error::failed(format!("demo: `tmux-ide {}` failed: {first}", args.join(" "))))
}

/// Narrates the log and shows progress until the mission completes (true) or the timeout
/// passes (false). Into a pipe or a log only the narration, which never needs redrawing.
fn follow(ctx: &Ctx, project: &Project, timeout: Duration) -> Result<bool> {
    let store = Store::new(project);
    let deadline = Instant::now() + timeout;
    let tty = std::io::stdout().is_terminal();
    let mut shown: Vec<String> = Vec::new();
    let mut told = 0;
    loop {
        let plan = store.load()?;
        // Without the lock: a torn last line is skipped and told on the next look.
        let story = demo::narration(&store.read_log()?.0, &plan);
        let lines = if tty { progress_lines(&plan) } else { Vec::new() };
        if lines != shown || story.len() > told {
            let mut out = ctx.out();
            if !shown.is_empty() {
                write!(out, "\x1b[{}A", shown.len())?;
            }
            for line in story.iter().skip(told) {
                let clear = if tty { "\x1b[2K" } else { "" };
                writeln!(out, "{clear}{line}")?;
            }
            for line in &lines {
                writeln!(out, "\x1b[2K{line}")?;
            }
            out.flush()?;
            shown = lines;
            told = told.max(story.len());
        }
        if plan.mission.as_ref().is_some_and(|m| m.status == MissionStatus::Complete) {
            return Ok(true);
        }
        if Instant::now() > deadline || crate::signals::stop_requested() {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_to_try_next_follows_what_the_demo_left() {
        let dir = Path::new("/tmp/d");
        let gone = next_steps(dir, None, false, true).join("\n");
        assert!(gone.contains("tmux-ide demo --keep") && !gone.contains("/tmp/d"), "{gone}");
        let kept = next_steps(dir, Some("s1"), true, false);
        assert!(kept.iter().any(|l| l.contains("-C /tmp/d --tmux-socket s1 stop")), "{kept:?}");
        // The explanations line up whatever the commands' lengths.
        let at: Vec<usize> = kept.iter().filter_map(|l| l.find("  # ")).collect();
        assert!(at.len() > 3 && at.iter().all(|&c| c == at[0]), "{kept:#?}");
    }
}
