//! Which events are news: the `seq` of the last event looked at is kept in
//! `.tmux-ide/run/notified-seq`, written before the events are handed to the delivery
//! threads, so an event is notified at most once however often the orchestrator restarts.
//! On a start, the events logged while none ran are caught up on (the newest few).
use std::path::{Path, PathBuf};

use super::Filter;
use crate::Result;
use crate::plan::Event;
use crate::project::Project;

/// Most events notified on a start for what happened while no orchestrator ran.
pub const CATCH_UP: usize = 20;

/// The file holding the last `seq` looked at.
pub fn path(project: &Project) -> PathBuf {
    project.run_dir().join("notified-seq")
}

/// The remembered `seq`, if any (a missing or unreadable file is none).
pub fn load(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

pub fn save(root: &Path, path: &Path, seq: u64) -> Result<()> {
    crate::project::write_file(root, path, format!("{seq}\n").as_bytes())
}

/// On a start: the events of `history` to notify now, and the new cursor. Without a
/// remembered `seq` (notifications just turned on) nothing old is news; a remembered one
/// beyond the log (a log started anew) counts as the log's end.
pub fn resume<'a>(
    saved: Option<u64>,
    history: &'a [Event],
    filter: &Filter,
) -> (Vec<(String, &'a Event)>, u64) {
    let last = history.iter().filter_map(|e| e.seq).max().unwrap_or(0);
    let from = match saved {
        Some(seq) if seq <= last => seq,
        _ => return (Vec::new(), last),
    };
    let news: Vec<_> = history
        .iter()
        .filter(|e| e.seq.is_some_and(|s| s > from))
        .filter_map(|e| Some((filter.name_of(e)?, e)))
        .collect();
    let skip = news.len().saturating_sub(CATCH_UP);
    (news.into_iter().skip(skip).collect(), last)
}

/// Live: the events of `new` past `cursor` to notify, and the new cursor. Events without
/// a `seq` (logs of older versions) are taken as they come.
pub fn advance<'a>(
    cursor: u64,
    new: &'a [Event],
    filter: &Filter,
) -> (Vec<(String, &'a Event)>, u64) {
    let mut out = Vec::new();
    let mut at = cursor;
    for e in new {
        if e.seq.is_some_and(|s| s <= cursor) {
            continue;
        }
        at = at.max(e.seq.unwrap_or(0));
        if let Some(name) = filter.name_of(e) {
            out.push((name, e));
        }
    }
    (out, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NotifyConfig;
    use crate::plan::EventKind;
    use jiff::Timestamp;

    fn log(kinds: &[EventKind]) -> Vec<Event> {
        let at = Timestamp::UNIX_EPOCH;
        kinds
            .iter()
            .zip(1..)
            .map(|(k, s)| Event { seq: Some(s), ..Event::new(at, k.clone()) })
            .collect()
    }

    #[test]
    fn a_restart_notifies_only_what_came_after_the_remembered_seq() {
        let filter = Filter::new(&NotifyConfig::default());
        let history = log(&[
            EventKind::TaskBlocked,
            EventKind::TaskDone,
            EventKind::StallDetected,
            EventKind::MissionComplete,
        ]);
        // First start: nothing old is news.
        assert_eq!(resume(None, &history, &filter).0.len(), 0);
        assert_eq!(resume(None, &history, &filter).1, 4);
        // Restart after seq 2 was looked at: the stall and the completion.
        let (news, cursor) = resume(Some(2), &history, &filter);
        let names: Vec<_> = news.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["stall_detected", "mission_complete"]);
        assert_eq!(cursor, 4);
        // A log started anew: the remembered seq is past its end.
        assert!(resume(Some(99), &history, &filter).0.is_empty());
        // Live: what the cursor passed is never taken twice.
        let (news, cursor) = advance(2, &history, &filter);
        assert_eq!((news.len(), cursor), (2, 4));
        assert!(advance(4, &history, &filter).0.is_empty());
    }

    #[test]
    fn a_long_absence_catches_up_on_the_newest_few() {
        let filter = Filter::new(&NotifyConfig::default());
        let history = log(&vec![EventKind::TaskBlocked; CATCH_UP + 15]);
        let (news, _) = resume(Some(0), &history, &filter);
        assert_eq!(news.len(), CATCH_UP);
        assert_eq!(news[0].1.seq, Some(16));
    }
}
