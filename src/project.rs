//! Finding the project directory (like git finds its repo) and the paths inside it.
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The project directory and the well-known paths in it (`ide.yml`, `.tasks/`, `.tmux-ide/`).
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
}

impl Project {
    /// `-C DIR` if given (must exist), else the nearest ancestor of the working directory
    /// holding `ide.yml` or `.tasks/`, else `$TMUX_IDE_PROJECT` (set in every pane), else
    /// the working directory itself.
    pub fn discover(explicit: Option<&Path>) -> Result<Self> {
        if let Some(dir) = explicit {
            if !dir.is_dir() {
                return Err(Error::bad_input(format!(
                    "-C {}: no such directory (give an existing project directory)",
                    dir.display()
                )));
            }
            let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
            return Ok(Project { root });
        }
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let found = cwd
            .ancestors()
            .find(|d| d.join("ide.yml").is_file() || d.join(".tasks").is_dir())
            .map(Path::to_path_buf);
        // An agent in a pane whose `dir` lies outside the project still reports to it.
        let from_pane =
            || std::env::var_os("TMUX_IDE_PROJECT").map(PathBuf::from).filter(|p| p.is_dir());
        Ok(Project { root: found.or_else(from_pane).unwrap_or(cwd) })
    }

    pub fn at(root: impl Into<PathBuf>) -> Self {
        Project { root: root.into() }
    }

    pub fn ide_yml(&self) -> PathBuf {
        self.root.join("ide.yml")
    }
    pub fn tasks_dir(&self) -> PathBuf {
        self.root.join(".tasks")
    }
    pub fn tasks_json(&self) -> PathBuf {
        self.tasks_dir().join("tasks.json")
    }
    pub fn lock_file(&self) -> PathBuf {
        self.tasks_dir().join(".lock")
    }
    pub fn events_jsonl(&self) -> PathBuf {
        self.tasks_dir().join("events.jsonl")
    }
    pub fn contract(&self) -> PathBuf {
        self.tasks_dir().join("validation-contract.md")
    }
    pub fn skills_dir(&self) -> PathBuf {
        self.root.join(".tmux-ide/skills")
    }
    pub fn library_dir(&self) -> PathBuf {
        self.root.join(".tmux-ide/library")
    }
    pub fn run_dir(&self) -> PathBuf {
        self.root.join(".tmux-ide/run")
    }
    /// Held (exclusive `File::lock`) by the running orchestrator for its whole life.
    pub fn orchestrator_lock(&self) -> PathBuf {
        self.run_dir().join("orchestrator.lock")
    }
    /// The running orchestrator's pid and start time, written after it takes the lock.
    pub fn orchestrator_pid(&self) -> PathBuf {
        self.run_dir().join("orchestrator.pid")
    }

    /// The pid of the orchestrator running for this project, if one holds the lock.
    pub fn orchestrator_alive(&self) -> Option<u32> {
        let file = std::fs::File::open(self.orchestrator_lock()).ok()?;
        match file.try_lock_shared() {
            Ok(()) => None,
            Err(std::fs::TryLockError::WouldBlock) => {
                let text = std::fs::read_to_string(self.orchestrator_pid()).ok()?;
                text.split_whitespace().next()?.parse().ok()
            }
            Err(std::fs::TryLockError::Error(_)) => None,
        }
    }
}
