//! Taking a session down so that nothing of it is left: the project's orchestrator is
//! stopped and its lock seen free (restart), and every process the panes started is
//! ended even if it ignores the hangup (stop, restart).
use std::time::{Duration, Instant};

use crate::project::Project;
use crate::tmux::{Tmux, procs};
use crate::{Error, Result};

/// How long the orchestrator gets to finish its last deliveries after SIGTERM, and
/// pane processes to exit after TERM, before KILL.
const GRACE: Duration = Duration::from_secs(5);

/// Stops the orchestrator holding this project's lock, if any: SIGTERM, wait for the
/// lock to be free, SIGKILL if it is still held after [`GRACE`]. A new orchestrator can
/// take the lock as soon as this returns.
pub(crate) fn stop_orchestrator(project: &Project) -> Result<Option<u32>> {
    let Some(pid) = project.orchestrator_alive() else { return Ok(None) };
    for signal in [libc::SIGTERM, libc::SIGKILL] {
        // SAFETY: kill has no memory preconditions. The pid is the one the lock holder
        // wrote after taking the lock, and the lock is held, so it is that process.
        unsafe {
            libc::kill(pid as libc::pid_t, signal);
        }
        let deadline = Instant::now() + GRACE;
        while project.orchestrator_alive().is_some() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if project.orchestrator_alive().is_none() {
            tracing::info!(pid, signal, "stopped the orchestrator");
            return Ok(Some(pid));
        }
    }
    Err(Error::failed(format!(
        "the orchestrator (pid {pid}) still holds {} after SIGKILL",
        project.orchestrator_lock().display()
    )))
}

/// Kills session `name` and ends every process its panes started, also those that
/// ignore the hangup. The process trees are collected first: once re-parented to init,
/// a pane's processes can no longer be told from anyone else's.
pub(crate) fn end_session(tmux: &Tmux, name: &str) -> Result<()> {
    let target = format!("={name}");
    let pids = tmux.run(&["list-panes", "-s", "-t", &target, "-F", "#{pane_pid}"])?;
    let roots: Vec<u32> = pids.lines().filter_map(|l| l.trim().parse().ok()).collect();
    let procs = procs::descendants(&roots);
    tmux.run(&["kill-session", "-t", &target])?;
    // The name is free only once tmux has finished with the old session.
    let deadline = Instant::now() + Duration::from_secs(2);
    while tmux.has_session(name)? && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let left = procs::terminate(&procs, GRACE);
    if !left.is_empty() {
        let pids: Vec<String> = left.iter().map(|p| p.pid.to_string()).collect();
        return Err(Error::failed(format!(
            "session {name} is gone but processes {} survived SIGKILL",
            pids.join(", ")
        )));
    }
    Ok(())
}
