//! `tmux-ide metrics history`: the current mission's timeline (milestones activated,
//! validating, failed, done; remediations; completion) with times and durations, and the
//! project's earlier missions read from `.tasks/history/` (see [`super::archive`]).
use std::collections::HashMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::archive::ArchiveSummary;
use super::metrics::mission_events;
use super::table::table;
use super::timefmt::{ago, count, duration, secs_between};
use crate::plan::{Event, EventKind, Plan};

/// What happened, in the words of the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    MissionActivated,
    MilestoneActivated,
    MilestoneValidating,
    MilestoneValidationFailed,
    MilestoneDone,
    RemediationCreated,
    MissionComplete,
}

/// One step of a mission's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub ts: Timestamp,
    pub kind: Step,
    pub milestone: Option<String>,
    pub task: Option<String>,
    pub assertion: Option<String>,
    pub round: Option<u32>,
    /// Failing assertion ids, for `milestone_validation_failed`.
    #[serde(default)]
    pub failing: Vec<String>,
    /// How long the step took: activation → validating / done for a milestone, round
    /// start → result for a validation, activation → completion for the mission.
    pub duration_secs: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    pub mission: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// Archived missions, oldest first.
    pub earlier: Vec<ArchiveSummary>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

/// The current mission's timeline from its events. The first milestone is activated by
/// `plan_completed`, which is also the mission's activation.
pub fn timeline(plan: &Plan, events: &[Event]) -> Vec<TimelineEntry> {
    let events = match &plan.mission {
        Some(_) => mission_events(plan, events),
        // The log outlives `mission archive`; what came before it is an earlier mission's.
        None => {
            let archived = events.iter().rposition(|e| e.kind == EventKind::MissionArchived);
            &events[archived.map_or(0, |i| i + 1)..]
        }
    };
    let mut active_since: HashMap<String, Timestamp> = HashMap::new();
    let mut round_since: HashMap<String, Timestamp> = HashMap::new();
    let mut mission_since = plan.mission.as_ref().and_then(|m| m.activated);
    let mut out = Vec::new();
    for e in events {
        let ms = e.milestone.clone();
        let key = ms.clone().unwrap_or_default();
        let since =
            |map: &HashMap<String, Timestamp>| map.get(&key).map(|s| secs_between(*s, e.ts));
        let (kind, duration_secs) = match &e.kind {
            EventKind::PlanCompleted => {
                mission_since = Some(e.ts);
                if let Some(first) = plan.milestones.iter().min_by_key(|m| m.sequence) {
                    active_since.insert(first.id.clone(), e.ts);
                }
                (Step::MissionActivated, None)
            }
            EventKind::MilestoneActivated => {
                active_since.insert(key.clone(), e.ts);
                (Step::MilestoneActivated, None)
            }
            EventKind::MilestoneValidating => {
                let took = since(&active_since);
                round_since.insert(key.clone(), e.ts);
                (Step::MilestoneValidating, took)
            }
            EventKind::MilestoneValidationFailed => {
                (Step::MilestoneValidationFailed, since(&round_since))
            }
            EventKind::MilestoneDone => (Step::MilestoneDone, since(&active_since)),
            EventKind::RemediationCreated => (Step::RemediationCreated, None),
            EventKind::MissionComplete => {
                (Step::MissionComplete, mission_since.map(|s| secs_between(s, e.ts)))
            }
            _ => continue,
        };
        out.push(TimelineEntry {
            ts: e.ts,
            kind,
            milestone: ms,
            task: e.task.clone(),
            assertion: e.assertion.clone(),
            round: e.extra.get("round").and_then(Value::as_u64).map(|r| r as u32),
            failing: strings(e.extra.get("failing")),
            duration_secs,
        });
    }
    out
}

/// `tmux-ide metrics history`: the timeline plus the earlier missions given.
pub fn history(plan: &Plan, events: &[Event], earlier: Vec<ArchiveSummary>) -> History {
    History {
        mission: plan.mission.as_ref().map(|m| m.title.clone()),
        timeline: timeline(plan, events),
        earlier,
    }
}

/// One timeline entry in words: `M1 validation failed: VAL-AUTH-001`.
pub fn describe_entry(e: &TimelineEntry) -> String {
    let ms = e.milestone.as_deref().unwrap_or("?");
    let round = e.round.map(|r| format!(" (round {r})")).unwrap_or_default();
    match e.kind {
        Step::MissionActivated => "mission activated".to_string(),
        Step::MilestoneActivated => format!("{ms} activated"),
        Step::MilestoneValidating => format!("{ms} validating{round}"),
        Step::MilestoneValidationFailed => {
            format!("{ms} validation failed: {}", e.failing.join(", "))
        }
        Step::MilestoneDone => format!("{ms} done"),
        Step::RemediationCreated => format!(
            "remediation {} for {}",
            e.task.as_deref().unwrap_or("?"),
            e.assertion.as_deref().unwrap_or("?")
        ),
        Step::MissionComplete => "mission complete".to_string(),
    }
}

/// The text of `tmux-ide metrics history`.
pub fn render_history(h: &History, now: Timestamp) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "History — {}",
        super::text::one_line(h.mission.as_deref().unwrap_or("(no mission)"))
    );
    if h.timeline.is_empty() {
        out.push_str("Nothing has happened yet.\n");
    } else {
        let rows: Vec<Vec<String>> = h
            .timeline
            .iter()
            .map(|e| {
                vec![
                    ago(e.ts, now),
                    describe_entry(e),
                    e.duration_secs.map(|d| format!("after {}", duration(d))).unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&table(&["WHEN", "WHAT", "TOOK"], &rows, &[0]));
    }
    out.push('\n');
    if h.earlier.is_empty() {
        out.push_str("Earlier missions: none archived\n");
        return out;
    }
    out.push_str("Earlier missions\n");
    let rows: Vec<Vec<String>> = h
        .earlier
        .iter()
        .map(|a| {
            vec![
                a.archived.strftime("%Y-%m-%d").to_string(),
                a.title.clone(),
                a.status.clone(),
                format!("{}/{}", a.tasks_done, a.tasks_total),
                count(a.remediations, "remediation"),
                duration(a.wall_clock_secs),
            ]
        })
        .collect();
    out.push_str(&table(
        &["ARCHIVED", "MISSION", "STATUS", "TASKS", "REMEDIATIONS", "WALL CLOCK"],
        &rows,
        &[3, 5],
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{self, at};

    #[test]
    fn the_timeline_lists_milestone_steps_with_their_durations() {
        let t = timeline(&fixture::plan(), &fixture::events());
        let kinds: Vec<(Step, Option<u64>)> = t.iter().map(|e| (e.kind, e.duration_secs)).collect();
        assert_eq!(
            kinds,
            [
                (Step::MissionActivated, None),
                (Step::MilestoneValidating, Some(50 * 60)),
                // The orchestrator writes the remediation before the failure it answers.
                (Step::RemediationCreated, None),
                (Step::MilestoneValidationFailed, Some(5 * 60)),
                (Step::MilestoneValidating, Some(65 * 60)),
                (Step::MilestoneDone, Some(70 * 60)),
                (Step::MilestoneActivated, None),
            ]
        );
        assert_eq!(t[3].failing, ["VAL-AUTH-001"]);
        assert_eq!(t[4].round, Some(2));
    }

    #[test]
    fn mission_completion_reports_the_whole_wall_clock() {
        let mut events = fixture::events();
        events.push(Event::new(at("12:00"), EventKind::MissionComplete));
        let t = timeline(&fixture::plan(), &events);
        let last = t.last().unwrap();
        assert_eq!((last.kind, last.duration_secs), (Step::MissionComplete, Some(7200)));
    }

    #[test]
    fn after_an_archive_the_archived_missions_steps_are_not_the_current_timeline() {
        let mut plan = fixture::plan();
        plan.mission = None;
        let mut events = fixture::events();
        events.push(Event::new(at("12:00"), EventKind::MissionArchived));
        let h = history(&plan, &events, vec![fixture::earlier_mission()]);
        assert!(h.timeline.is_empty(), "{:?}", h.timeline);
        assert!(render_history(&h, fixture::now()).contains("Nothing has happened yet."));
    }

    #[test]
    fn history_text_matches_the_snapshot() {
        let h = history(&fixture::plan(), &fixture::events(), vec![fixture::earlier_mission()]);
        insta::assert_snapshot!(render_history(&h, fixture::now()));
    }
}
