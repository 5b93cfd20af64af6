//! Which panes a tick reads. With tmux's control mode pushing which panes wrote output,
//! a tick captures only those, panes it has not read yet (new, or running a new program)
//! and, every [`SWEEP`], all of them as a safety net; without it (control mode failed),
//! every pane on every tick as before. Pure: the run loop feeds it what it saw.
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// How often every pane is read even when tmux reported no output from it.
pub const SWEEP: Duration = Duration::from_secs(5);

/// A pane a tick may read: its id and the pid of its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub pid: u32,
}

/// What the loop knows about the panes' output since the last tick.
#[derive(Debug, Clone, Copy)]
pub struct News<'a> {
    /// Panes that wrote output (`None`: nobody pushes news, read every pane).
    pub changed: Option<&'a HashSet<String>>,
    /// A full sweep is due.
    pub sweep: bool,
}

/// The candidates to capture now, in their order. `read` holds the pid each pane ran when
/// last read: a pane absent from it, or with another pid now, is read.
pub fn to_capture<'a>(
    candidates: &[Candidate<'a>],
    read: &HashMap<String, u32>,
    news: News,
) -> Vec<&'a str> {
    candidates
        .iter()
        .filter(|c| {
            let Some(changed) = news.changed else { return true };
            news.sweep || changed.contains(c.id) || read.get(c.id) != Some(&c.pid)
        })
        .map(|c| c.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cands(n: u32) -> Vec<(String, u32)> {
        (0..n).map(|i| (format!("%{i}"), 100 + i)).collect()
    }

    fn view(c: &[(String, u32)]) -> Vec<Candidate<'_>> {
        c.iter().map(|(id, pid)| Candidate { id, pid: *pid }).collect()
    }

    #[test]
    fn without_pushed_news_every_pane_is_read() {
        let c = cands(3);
        let read = c.iter().cloned().collect();
        let got = to_capture(&view(&c), &read, News { changed: None, sweep: false });
        assert_eq!(got, ["%0", "%1", "%2"]);
    }

    #[test]
    fn with_news_only_changed_new_and_respawned_panes_are_read() {
        let c = cands(4);
        let mut read: HashMap<String, u32> = c.iter().take(3).cloned().collect();
        read.insert("%1".into(), 999);
        let changed = HashSet::from(["%2".to_string()]);
        let got = to_capture(&view(&c), &read, News { changed: Some(&changed), sweep: false });
        assert_eq!(got, ["%1", "%2", "%3"]);
    }

    #[test]
    fn a_sweep_reads_every_pane() {
        let c = cands(3);
        let read = c.iter().cloned().collect();
        let none = HashSet::new();
        let got = to_capture(&view(&c), &read, News { changed: Some(&none), sweep: true });
        assert_eq!(got.len(), 3);
        assert!(
            to_capture(&view(&c), &read, News { changed: Some(&none), sweep: false }).is_empty()
        );
    }

    proptest! {
        #[test]
        fn the_reads_grow_with_the_changed_panes_not_with_all(n in 1u32..200, k in 0usize..20) {
            let c = cands(n);
            let read = c.iter().cloned().collect();
            let changed: HashSet<String> = c.iter().take(k).map(|(id, _)| id.clone()).collect();
            let got = to_capture(&view(&c), &read, News { changed: Some(&changed), sweep: false });
            prop_assert_eq!(got.len(), k.min(n as usize));
        }
    }
}
