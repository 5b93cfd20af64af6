//! The store: `.tasks/tasks.json` read without a lock (it is only ever replaced
//! atomically), changed under an exclusive lock on `.tasks/.lock`, and the append-only
//! event log `.tasks/events.jsonl` written under the same lock.
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::events::Event;
use super::model::Plan;
use crate::project::Project;
use crate::{Error, Result};

/// Handle on a project's plan store. Cheap to create; holds no file open.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    tasks: PathBuf,
    lock: PathBuf,
    events: PathBuf,
}

impl Store {
    pub fn new(project: &Project) -> Store {
        Store {
            dir: project.tasks_dir(),
            tasks: project.tasks_json(),
            lock: project.lock_file(),
            events: project.events_jsonl(),
        }
    }

    /// Path of `tasks.json`.
    pub fn path(&self) -> &Path {
        &self.tasks
    }

    /// The current plan; `Plan::default()` when `tasks.json` does not exist yet. A file that
    /// does not parse is an error naming its path, line and column.
    pub fn load(&self) -> Result<Plan> {
        let text = match std::fs::read_to_string(&self.tasks) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Plan::default()),
            Err(e) => return Err(Error::io(&self.tasks, e)),
        };
        parse_plan(&self.tasks, &text)
    }

    /// Read-modify-write under the lock. `f` changes the plan and pushes the events that
    /// describe the change; when it returns `Err` nothing is written. The plan is written
    /// (atomically) only when it changed, the events only when there are some.
    pub fn update<T>(&self, f: impl FnOnce(&mut Plan, &mut Vec<Event>) -> Result<T>) -> Result<T> {
        let _lock = self.lock()?;
        let before = self.load()?;
        let mut plan = before.clone();
        let mut events = Vec::new();
        let value = f(&mut plan, &mut events)?;
        if plan != before {
            self.write_plan(&plan)?;
        }
        if !events.is_empty() {
            self.append_unlocked(&events)?;
        }
        Ok(value)
    }

    /// Appends events to the log, under the store lock.
    pub fn append_events(&self, events: &[Event]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let _lock = self.lock()?;
        self.append_unlocked(events)
    }

    /// Every event in the log, oldest first. A torn last line (a writer killed mid-append)
    /// is ignored; any other line that does not parse is an error naming its line.
    pub fn read_events(&self) -> Result<Vec<Event>> {
        let (events, corrupt) = super::eventlog::read_event_log(&self.events)?;
        match corrupt.first() {
            Some(bad) => Err(Error::failed(format!(
                "{}:{}: corrupt event ({})",
                self.events.display(),
                bad.line,
                bad.error
            ))),
            None => Ok(events),
        }
    }

    /// Takes the exclusive store lock (blocking); released when the guard drops.
    fn lock(&self) -> Result<File> {
        fs_err::create_dir_all(&self.dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
            .map_err(|e| Error::io(&self.lock, e))?;
        file.lock().map_err(|e| Error::io(&self.lock, e))?;
        Ok(file)
    }

    /// Unique temp file in `.tasks/`, fsync, rename over `tasks.json`, fsync the directory.
    fn write_plan(&self, plan: &Plan) -> Result<()> {
        let mut text = serde_json::to_vec_pretty(plan)?;
        text.push(b'\n');
        self.remove_stale_temp_files();
        // Like any file the user creates (0666 less the umask), not tempfile's 0600.
        let mode = std::fs::metadata(&self.tasks)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut tmp = tempfile::Builder::new()
            .prefix(".tasks.json.")
            .suffix(".tmp")
            .permissions(mode)
            .tempfile_in(&self.dir)
            .map_err(|e| Error::io(&self.dir, e))?;
        tmp.write_all(&text).map_err(|e| Error::io(tmp.path(), e))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(tmp.path(), e))?;
        tmp.persist(&self.tasks).map_err(|e| Error::io(&self.tasks, e.error))?;
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(&self.dir, e))?;
        Ok(())
    }

    /// Temp files only exist while a writer holds the lock; any found by the lock holder
    /// were left by a writer that was killed, and are removed (best effort).
    fn remove_stale_temp_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".tasks.json.") && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Appends whole lines in one write. A torn tail left by a killed writer is cut off
    /// first, so every line in the log stays a complete event. Caller holds the lock.
    fn append_unlocked(&self, events: &[Event]) -> Result<()> {
        let mut buf = Vec::new();
        for ev in events {
            serde_json::to_writer(&mut buf, ev)?;
            buf.push(b'\n');
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&self.events)
            .map_err(|e| Error::io(&self.events, e))?;
        cut_torn_tail(&mut file).map_err(|e| Error::io(&self.events, e))?;
        file.write_all(&buf).map_err(|e| Error::io(&self.events, e))?;
        file.sync_data().map_err(|e| Error::io(&self.events, e))?;
        Ok(())
    }
}

/// Parses `tasks.json`, reporting the path, line and column of a syntax or shape error.
pub fn parse_plan(path: &Path, text: &str) -> Result<Plan> {
    serde_json::from_str(text)
        .map_err(|e| Error::corrupt(path, e.line(), e.column(), e).with_hint(RECOVER_HINT))
}

const RECOVER_HINT: &str = "tasks.json was left untouched; fix it by hand or restore it from git \
     (`git checkout .tasks/tasks.json`), then run `tmux-ide doctor`";

/// If the file does not end with a newline, truncate it after its last newline.
fn cut_torn_tail(file: &mut File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))?;
    file.read_exact(&mut last)?;
    if last[0] == b'\n' {
        return Ok(());
    }
    // Rare path: find the last complete line.
    let mut text = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut text)?;
    let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    file.set_len(keep as u64)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Event;
    use jiff::Timestamp;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(&Project::at(dir.path()));
        (dir, store)
    }

    #[test]
    fn a_missing_file_loads_as_the_empty_plan() {
        let (_d, s) = store();
        assert_eq!(s.load().unwrap(), Plan::default());
    }

    #[test]
    fn an_error_in_the_closure_writes_nothing() {
        let (_d, s) = store();
        let r: Result<()> = s.update(|p, ev| {
            p.goals.push(crate::plan::Goal { id: "G1".into(), title: "x".into() });
            ev.push(Event::new(Timestamp::now(), "x"));
            Err(Error::bad_input("no"))
        });
        assert!(r.is_err());
        assert!(!s.path().exists());
        assert!(s.read_events().unwrap().is_empty());
    }

    #[test]
    fn a_torn_last_event_line_is_ignored_and_cut_before_the_next_append() {
        let (d, s) = store();
        s.append_events(&[Event::new(Timestamp::now(), "a")]).unwrap();
        let log = d.path().join(".tasks/events.jsonl");
        let mut f = OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all(b"{\"ts\":\"20").unwrap();
        assert_eq!(s.read_events().unwrap().len(), 1);
        s.append_events(&[Event::new(Timestamp::now(), "b")]).unwrap();
        let kinds: Vec<String> =
            s.read_events().unwrap().into_iter().map(|e| e.kind.to_string()).collect();
        assert_eq!(kinds, ["a", "b"]);
    }

    #[test]
    fn the_written_file_is_readable_by_others_like_any_user_file() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, s) = store();
        s.update(|p, _| {
            p.goals.push(crate::plan::Goal { id: "G1".into(), title: "x".into() });
            Ok(())
        })
        .unwrap();
        let mode = std::fs::metadata(s.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044 & !umask(), "mode {mode:o}");
    }

    /// The process umask, read without changing it (tests run in parallel).
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
        u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).unwrap()
    }

    #[test]
    fn a_corrupt_file_names_path_line_and_column() {
        let (d, s) = store();
        std::fs::create_dir_all(d.path().join(".tasks")).unwrap();
        std::fs::write(s.path(), "{\n  \"version\": 1,\n  oops\n}").unwrap();
        let err = s.load().unwrap_err();
        assert!(err.message.contains("tasks.json:3:3"), "{}", err.message);
    }
}
