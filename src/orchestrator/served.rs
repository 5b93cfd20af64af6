//! A socket the running orchestrator binds in `.tmux-ide/run/` and the thread that serves
//! it (agents' self-reports, `task done` requests): bound in place of a dead
//! orchestrator's, unbound and its thread ended on stop or drop. While there is none,
//! what it would take goes to the store.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crate::project::Project;

#[derive(Debug)]
pub(crate) struct Served {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Served {
    /// Binds `path` with `bind` and runs `serve` (with the stop flag it must watch) on a
    /// thread named `name`; `None` when either cannot be had. `what` names it in the log.
    pub(crate) fn start<S: Send + 'static>(
        project: &Project,
        path: PathBuf,
        name: &str,
        what: &'static str,
        bind: impl FnOnce(&Path) -> std::io::Result<S>,
        serve: impl FnOnce(&S, &AtomicBool) + Send + 'static,
    ) -> Option<Served> {
        crate::project::create_dir_safe(&project.root, &project.run_dir()).ok()?;
        crate::project::refuse_symlinks(&project.root, &path).ok()?;
        // Only the orchestrator lock's holder gets here: an old socket is a dead one's.
        let _ = std::fs::remove_file(&path);
        let socket = match bind(&path) {
            Ok(s) => s,
            Err(e) => {
                tracing::info!(path = %path.display(), error = %e, what, "no socket: they go to the store");
                return None;
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || serve(&socket, &flag))
            .ok()?;
        tracing::info!(path = %path.display(), what, "taking them on a socket");
        Some(Served { path, stop, handle: Some(handle) })
    }

    /// Unbinds first (later senders go to the store), then lets the thread take what
    /// already arrived and end.
    pub(crate) fn stop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}
