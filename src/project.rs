//! Finding the project directory (like git finds its repo) and the paths inside it, and
//! the one way to write there: never through a symbolic link, so a repository that ships
//! `.tasks/events.jsonl -> ~/.bashrc` cannot make a command cut or append to that file.
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
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
        let found = owner_of_worktree(&cwd)
            .or_else(|| cwd.ancestors().map(Project::at).find(Project::exists).map(|p| p.root));
        // An agent in a pane whose `dir` lies outside the project still reports to it.
        let from_pane =
            || std::env::var_os("TMUX_IDE_PROJECT").map(PathBuf::from).filter(|p| p.is_dir());
        Ok(Project { root: found.or_else(from_pane).unwrap_or(cwd) })
    }

    /// [`Project::discover`], for commands that read or change the plan: without `ide.yml`
    /// or `.tasks/` there is nothing to read, and writing would plant a `.tasks/` in
    /// whatever directory the command ran in.
    pub fn require(explicit: Option<&Path>) -> Result<Self> {
        let project = Self::discover(explicit)?;
        if project.exists() {
            Ok(project)
        } else {
            Err(Error::failed("no tmux-ide project here (run `tmux-ide init`)"))
        }
    }

    /// Whether `root` holds a project: an `ide.yml` or a `.tasks/` directory.
    pub fn exists(&self) -> bool {
        self.ide_yml().is_file() || self.tasks_dir().is_dir()
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

/// The project whose agent worktree (`<project>/.tmux-ide/worktrees/<pane>/…`, see
/// `isolation`) holds `dir`: an agent working there reports to that project, even when
/// the worktree's checkout has an `ide.yml` of its own.
fn owner_of_worktree(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find_map(|a| {
        let worktrees = a.parent()?;
        let ours = worktrees.parent()?;
        let root = ours.parent()?;
        (worktrees.file_name()? == "worktrees"
            && ours.file_name()? == ".tmux-ide"
            && Project::at(root).exists())
        .then(|| root.to_path_buf())
    })
}

/// Refuses `path` when it, or a directory between `root` and it, is a symbolic link.
/// Parts that do not exist yet are fine (they will be created as real files). `root`
/// itself may be a link: the user chose it. Paths outside `root` are not checked.
pub fn refuse_symlinks(root: &Path, path: &Path) -> Result<()> {
    let Ok(rel) = path.strip_prefix(root) else { return Ok(()) };
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Err(symlink_refused(&at)),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(e) => return Err(Error::io(&at, e)),
        }
    }
    Ok(())
}

/// The error for a symlink where tmux-ide writes (exit 1).
pub fn symlink_refused(path: &Path) -> Error {
    Error::failed(format!(
        "{}: is a symbolic link; tmux-ide does not write through symlinks in .tasks/ or \
         .tmux-ide/ (nothing was written)",
        path.display()
    ))
    .with_hint("replace the link with a regular file or directory")
}

/// `create_dir_all` that refuses to create inside, or accept, a symlinked directory.
pub fn create_dir_safe(root: &Path, dir: &Path) -> Result<()> {
    refuse_symlinks(root, dir)?;
    fs_err::create_dir_all(dir)?;
    // A link swapped in while the directories were made is still refused.
    refuse_symlinks(root, dir)
}

/// Opens `path` (created if missing, with its directories) for the given access, never
/// following a symlink: the directories are checked and the file is opened `O_NOFOLLOW`.
fn open_nofollow(root: &Path, path: &Path, opts: &mut OpenOptions) -> Result<File> {
    if let Some(dir) = path.parent() {
        create_dir_safe(root, dir)?;
    }
    refuse_symlinks(root, path)?;
    opts.custom_flags(libc::O_NOFOLLOW).open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            symlink_refused(path)
        } else {
            Error::io(path, e)
        }
    })
}

/// Opens `path` for appending (and reading), created if missing; never through a symlink.
pub fn open_append(root: &Path, path: &Path) -> Result<File> {
    open_nofollow(root, path, OpenOptions::new().create(true).read(true).append(true))
}

/// Opens `path` for writing without truncating it (a lock file); never through a symlink.
pub fn open_lock_file(root: &Path, path: &Path) -> Result<File> {
    open_nofollow(root, path, OpenOptions::new().create(true).truncate(false).write(true))
}

/// Replaces the contents of `path` in place; never through a symlink.
pub fn write_file(root: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut file =
        open_nofollow(root, path, OpenOptions::new().create(true).truncate(true).write(true))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn an_agent_worktree_belongs_to_the_project_around_it_even_with_its_own_ide_yml() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        let tree = root.join(".tmux-ide/worktrees/backend");
        fs_err::create_dir_all(tree.join("src")).unwrap();
        fs_err::create_dir_all(root.join(".tasks")).unwrap();
        fs_err::write(tree.join("ide.yml"), "rows: []\n").unwrap();
        assert_eq!(owner_of_worktree(&tree.join("src")), Some(root.clone()));
        assert_eq!(owner_of_worktree(&tree), Some(root.clone()));
        assert_eq!(owner_of_worktree(&root.join(".tmux-ide/worktrees")), None);
        assert_eq!(owner_of_worktree(&root), None);
    }

    #[test]
    fn a_symlinked_file_or_directory_under_the_root_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("p"), dir.path().join("outside"));
        fs_err::create_dir_all(root.join(".tasks")).unwrap();
        fs_err::create_dir_all(&outside).unwrap();
        fs_err::write(outside.join("f"), "keep").unwrap();
        symlink(outside.join("f"), root.join(".tasks/events.jsonl")).unwrap();
        let err = open_append(&root, &root.join(".tasks/events.jsonl")).unwrap_err();
        assert!(err.message.contains("symbolic link"), "{err}");
        symlink(&outside, root.join(".tmux-ide")).unwrap();
        let err = write_file(&root, &root.join(".tmux-ide/library/x.md"), b"x").unwrap_err();
        assert!(err.message.contains(".tmux-ide: is a symbolic link"), "{err}");
        assert_eq!(fs_err::read_to_string(outside.join("f")).unwrap(), "keep");
        assert!(!outside.join("library").exists());
    }

    #[test]
    fn regular_paths_are_created_and_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".tmux-ide/run/x");
        write_file(dir.path(), &path, b"one").unwrap();
        write_file(dir.path(), &path, b"two").unwrap();
        assert_eq!(fs_err::read_to_string(&path).unwrap(), "two");
    }
}
