//! `mission archive`: closing a mission into `.tasks/history/<date>-<slug>.json` so a new
//! one can start. The file holds a summary, the timeline and the final plan; `metrics
//! history` lists these files. Building the archive is pure; writing and listing are the
//! only I/O.
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::history::{TimelineEntry, timeline};
use super::metrics::{metrics, mission_window};
use super::timefmt::secs_between;
use crate::plan::{AssertionStatus, MissionStatus, Plan};
use crate::{Error, Result};

/// Version of the archive file format; bump when its shape changes.
pub const ARCHIVE_VERSION: u32 = 1;

/// The figures of a closed mission, as `metrics history` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveSummary {
    /// The archive's file name in `.tasks/history/`.
    pub file: String,
    pub title: String,
    /// `planning`, `active` or `complete` when archived.
    pub status: String,
    pub created: Timestamp,
    pub activated: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub archived: Timestamp,
    pub wall_clock_secs: u64,
    pub milestones: usize,
    pub tasks_total: usize,
    pub tasks_done: usize,
    pub tasks_cancelled: usize,
    pub remediations: usize,
    pub validation_rounds: usize,
    pub validation_pass_rate: Option<f64>,
    pub assertions_passing: usize,
    pub assertions_reported: usize,
}

/// One file of `.tasks/history/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Archive {
    pub version: u32,
    pub summary: ArchiveSummary,
    pub timeline: Vec<TimelineEntry>,
    /// `tasks.json` as it was when the mission was archived.
    pub plan: Plan,
}

/// A title as a file-name slug: lowercase ASCII letters and digits joined by `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out.truncate(60);
    if out.is_empty() { "mission".to_string() } else { out.trim_end_matches('-').to_string() }
}

/// Refuses to archive a mission that is still running, unless `force`.
pub fn check_archivable(plan: &Plan, force: bool) -> Result<()> {
    match &plan.mission {
        None => Err(Error::bad_input("no mission to archive (create one with `mission set`)")),
        Some(m) if m.status != MissionStatus::Complete && !force => Err(Error::bad_input(format!(
            "mission \"{}\" is {}, not complete",
            m.title,
            m.status.as_str()
        ))
        .with_hint("finish it first, or pass --force to archive it as it is")),
        Some(_) => Ok(()),
    }
}

/// The archive of the current mission at `now`; `None` without a mission.
pub fn archive(plan: &Plan, events: &[crate::plan::Event], now: Timestamp) -> Option<Archive> {
    let mission = plan.mission.as_ref()?;
    let m = metrics(plan, events, 1, now);
    let (start, end) = mission_window(plan, now);
    let reported = plan.assertions.values();
    let summary = ArchiveSummary {
        file: format!("{}-{}.json", now.strftime("%Y-%m-%d"), slug(&mission.title)),
        title: mission.title.clone(),
        status: mission.status.as_str().to_string(),
        created: mission.created,
        activated: mission.activated,
        completed: mission.completed,
        archived: now,
        wall_clock_secs: start.map_or(0, |s| secs_between(s, end)),
        milestones: plan.milestones.len(),
        tasks_total: m.tasks.total,
        tasks_done: m.tasks.done,
        tasks_cancelled: m.tasks.cancelled,
        remediations: m.remediations,
        validation_rounds: m.validation.rounds,
        validation_pass_rate: m.validation.pass_rate,
        assertions_passing: reported
            .clone()
            .filter(|r| r.status == AssertionStatus::Passing)
            .count(),
        assertions_reported: reported.count(),
    };
    Some(Archive {
        version: ARCHIVE_VERSION,
        summary,
        timeline: timeline(plan, events),
        plan: plan.clone(),
    })
}

/// Writes `archive` into `dir` (created if missing) under its file name, or with `-2`,
/// `-3`, ... appended when that name is taken; never overwrites. Atomic: a temp file in
/// `dir` is renamed into place. Returns the path written.
pub fn write_archive(dir: &Path, archive: &Archive) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let stem = archive.summary.file.trim_end_matches(".json").to_string();
    let mut archive = archive.clone();
    for n in 1.. {
        let name = if n == 1 { format!("{stem}.json") } else { format!("{stem}-{n}.json") };
        let path = dir.join(&name);
        if path.exists() {
            continue;
        }
        archive.summary.file = name;
        let mut text = serde_json::to_string_pretty(&archive)?;
        text.push('\n');
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
        std::fs::write(tmp.path(), text).map_err(|e| Error::io(tmp.path(), e))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(tmp.path(), e))?;
        match tmp.persist_noclobber(&path) {
            Ok(_) => return Ok(path),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&path, e.error)),
        }
    }
    unreachable!("an unbounded range always yields a free name")
}

/// The summaries of every archive in `dir`, oldest first, and one warning per file that
/// could not be read. A missing directory is an empty history.
pub fn read_history(dir: &Path) -> Result<(Vec<ArchiveSummary>, Vec<String>)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((vec![], vec![])),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let (mut found, mut warnings) = (Vec::new(), Vec::new());
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<Archive>(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(a) => found.push(a.summary),
            Err(e) => warnings.push(format!("{}: not a mission archive ({e})", path.display())),
        }
    }
    // Same-second archives: `x.json` was written before `x-2.json`, before `x-10.json`.
    found.sort_by(|a, b| {
        (a.archived, a.file.len(), &a.file).cmp(&(b.archived, b.file.len(), &b.file))
    });
    Ok((found, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{self, at};

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slug("Auth v2: JWT & Refresh!"), "auth-v2-jwt-refresh");
        assert_eq!(slug("   "), "mission");
    }

    #[test]
    fn a_running_mission_is_archived_only_with_force() {
        let plan = fixture::plan();
        assert_eq!(check_archivable(&plan, false).unwrap_err().exit_code(), 2);
        assert!(check_archivable(&plan, true).is_ok());
        assert!(check_archivable(&Plan::default(), true).is_err());
    }

    #[test]
    fn the_archive_summarises_the_mission_and_keeps_the_final_plan() {
        let a = archive(&fixture::plan(), &fixture::events(), fixture::now()).unwrap();
        assert_eq!(a.summary.file, "2026-03-02-auth-v2.json");
        assert_eq!(
            (a.summary.tasks_done, a.summary.tasks_total, a.summary.remediations),
            (4, 10, 1)
        );
        assert_eq!((a.summary.validation_rounds, a.summary.wall_clock_secs), (2, 5400));
        assert_eq!(a.plan, fixture::plan());
        assert_eq!(a.timeline.len(), 7);
    }

    #[test]
    fn archives_are_never_overwritten_and_read_back_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let a = archive(&fixture::plan(), &fixture::events(), fixture::now()).unwrap();
        let first = write_archive(dir.path(), &a).unwrap();
        let second = write_archive(dir.path(), &a).unwrap();
        assert_eq!(second.file_name().unwrap(), "2026-03-02-auth-v2-2.json");
        assert_ne!(first, second);
        let older = archive(&fixture::plan(), &fixture::events(), at("11:00")).unwrap();
        write_archive(dir.path(), &older).unwrap();
        std::fs::write(dir.path().join("junk.json"), "{").unwrap();
        let (found, warnings) = read_history(dir.path()).unwrap();
        let files: Vec<&str> = found.iter().map(|s| s.file.as_str()).collect();
        assert_eq!(
            files,
            ["2026-03-02-auth-v2-3.json", "2026-03-02-auth-v2.json", "2026-03-02-auth-v2-2.json"]
        );
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn a_missing_history_directory_is_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_history(&dir.path().join("history")).unwrap(), (vec![], vec![]));
    }
}
