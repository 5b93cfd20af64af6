//! `tmux-ide mission status`: the mission, one line per milestone (status, progress,
//! tasks, assertions, the current validation round), totals, and what the orchestrator
//! is doing now.
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Serialize;

use super::orch::{ORCHESTRATOR_EVENTS, describe_event};
use super::table::table;
use super::text::{multi_line, one_line};
use super::timefmt::{ago, bar, percent};
#[cfg(doc)]
use crate::plan::rules::assertion_milestone;
use crate::plan::rules::ready_tasks;
use crate::plan::{AssertionStatus, Event, Milestone, MilestoneStatus, Plan, TaskStatus};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AssertionCounts {
    pub passing: usize,
    pub failing: usize,
    pub pending: usize,
}

/// The validation round of a validating milestone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundProgress {
    pub round: u32,
    pub pane: Option<String>,
    pub started: Timestamp,
    /// Assertions of the round reported since it began.
    pub reported: usize,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneLine {
    pub id: String,
    pub title: String,
    pub status: MilestoneStatus,
    /// Cancelled tasks are left out of both counts.
    pub tasks_done: usize,
    pub tasks_total: usize,
    /// tasks_done / tasks_total, 0..=1 (1 for a done milestone without tasks).
    pub progress: f64,
    pub assertions: AssertionCounts,
    pub validation: Option<RoundProgress>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub milestones_done: usize,
    pub milestones_total: usize,
    pub tasks_done: usize,
    pub tasks_total: usize,
    pub progress: f64,
    pub assertions: AssertionCounts,
}

/// What the orchestrator is doing now, in a sentence, and its latest event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub orchestrator_alive: bool,
    pub text: String,
    pub last_event: Option<String>,
    pub last_event_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    pub title: String,
    pub status: Option<crate::plan::MissionStatus>,
    pub description: String,
    pub milestones: Vec<MilestoneLine>,
    pub totals: Totals,
    pub activity: Activity,
}

fn count(into: &mut AssertionCounts, s: AssertionStatus) {
    match s {
        AssertionStatus::Passing => into.passing += 1,
        AssertionStatus::Failing => into.failing += 1,
        AssertionStatus::Pending => into.pending += 1,
    }
}

/// `mission status`. `orchestrator_alive` is whether an orchestrator holds the lock.
pub fn overview(plan: &Plan, events: &[Event], orchestrator_alive: bool) -> Overview {
    let (checked_at, per_milestone) = one_pass(plan);
    let mut by_ms: BTreeMap<&str, AssertionCounts> = BTreeMap::new();
    let mut all = AssertionCounts::default();
    for (id, ms) in checked_at {
        let status = plan.assertion_status(id);
        count(&mut all, status);
        if let Some(ms) = ms {
            count(by_ms.entry(ms).or_default(), status);
        }
    }
    let mut milestones: Vec<MilestoneLine> = plan
        .milestones
        .iter()
        .map(|m| {
            let (total, done) = per_milestone.get(m.id.as_str()).copied().unwrap_or_default();
            let progress = match (total, m.status) {
                (0, MilestoneStatus::Done) => 1.0,
                (0, _) => 0.0,
                _ => done as f64 / total as f64,
            };
            let validation =
                m.validation.as_ref().filter(|_| m.status == MilestoneStatus::Validating);
            MilestoneLine {
                id: m.id.clone(),
                title: m.title.clone(),
                status: m.status,
                tasks_done: done,
                tasks_total: total,
                progress,
                assertions: by_ms.get(m.id.as_str()).copied().unwrap_or_default(),
                validation: validation.map(|v| RoundProgress {
                    round: v.round,
                    pane: v.pane.clone(),
                    started: v.started,
                    reported: v
                        .assertions
                        .iter()
                        .filter(|a| plan.assertions.get(*a).is_some_and(|r| v.counts(r)))
                        .count(),
                    total: v.assertions.len(),
                }),
            }
        })
        .collect();
    milestones.sort_by_key(|m| plan.milestone(&m.id).map_or(0, |m| m.sequence));
    let tasks_total: usize = milestones.iter().map(|m| m.tasks_total).sum();
    let tasks_done: usize = milestones.iter().map(|m| m.tasks_done).sum();
    let mission = plan.mission.as_ref();
    Overview {
        title: mission.map_or_else(String::new, |m| m.title.clone()),
        status: mission.map(|m| m.status),
        description: mission.map_or_else(String::new, |m| m.description.clone()),
        totals: Totals {
            milestones_done: milestones
                .iter()
                .filter(|m| m.status == MilestoneStatus::Done)
                .count(),
            milestones_total: milestones.len(),
            tasks_done,
            tasks_total,
            progress: if tasks_total == 0 { 0.0 } else { tasks_done as f64 / tasks_total as f64 },
            assertions: all,
        },
        milestones,
        activity: activity(plan, events, orchestrator_alive),
    }
}

/// Milestone id → (tasks, of them done), cancelled tasks left out.
type TaskCounts<'p> = HashMap<&'p str, (usize, usize)>;

/// In one pass over the tasks: every assertion a (not cancelled) task fulfils, with the
/// milestone that checks it (as [`assertion_milestone`] finds it, for each in O(1)), and
/// the task counts by milestone.
fn one_pass(plan: &Plan) -> (BTreeMap<&str, Option<&str>>, TaskCounts<'_>) {
    let mut milestones: HashMap<&str, &Milestone> = HashMap::new();
    for m in &plan.milestones {
        milestones.entry(m.id.as_str()).or_insert(m); // the first of equal ids, as `Plan::milestone`
    }
    let mut checked_at: BTreeMap<&str, Option<&Milestone>> = BTreeMap::new();
    let mut counts = TaskCounts::new();
    for t in plan.tasks.iter().filter(|t| t.status != TaskStatus::Cancelled) {
        let ms = t.milestone.as_deref().and_then(|m| milestones.get(m).copied());
        for a in &t.fulfills {
            let best = checked_at.entry(a.as_str()).or_default();
            // The highest sequence; of equal ones the last, as `max_by_key` picks.
            if let Some(m) = ms
                && best.is_none_or(|b| m.sequence >= b.sequence)
            {
                *best = Some(m);
            }
        }
        if let Some(id) = t.milestone.as_deref() {
            let c = counts.entry(id).or_default();
            c.0 += 1;
            c.1 += usize::from(t.status == TaskStatus::Done);
        }
    }
    let checked_at = checked_at.into_iter().map(|(a, m)| (a, m.map(|m| m.id.as_str()))).collect();
    (checked_at, counts)
}

fn activity(plan: &Plan, events: &[Event], alive: bool) -> Activity {
    let last = events.iter().rev().find(|e| ORCHESTRATOR_EVENTS.contains(&e.kind));
    let current = plan.current_milestone();
    let text = match (plan.mission.as_ref().map(|m| m.status), alive) {
        (None, _) => "no mission yet".to_string(),
        (Some(crate::plan::MissionStatus::Complete), _) => "mission complete; nothing to do".into(),
        (Some(crate::plan::MissionStatus::Planning), _) => {
            "planning: waiting for `mission plan-complete`".into()
        }
        (Some(_), false) => "orchestrator not running: nothing is being dispatched".into(),
        (Some(_), true) => match current {
            Some(m) if m.status == MilestoneStatus::Validating => {
                let who = m.validation.as_ref().and_then(|v| v.pane.as_deref());
                let round = m.validation.as_ref().map_or(1, |v| v.round);
                match who {
                    Some(p) => format!("validating {} (round {round}) with {p}", m.id),
                    None => format!("validating {} (round {round}): waiting for a validator", m.id),
                }
            }
            Some(m) => {
                let working: Vec<String> = plan
                    .tasks
                    .iter()
                    .filter(|t| t.status == TaskStatus::InProgress)
                    .map(|t| match &t.assignee {
                        Some(p) => format!("{} on {p}", t.id),
                        None => t.id.clone(),
                    })
                    .collect();
                let ready = ready_tasks(plan).len();
                let working =
                    if working.is_empty() { "nothing".into() } else { working.join(", ") };
                format!("{} active: working on {working}; {ready} ready to dispatch", m.id)
            }
            None => "no active milestone".into(),
        },
    };
    Activity {
        orchestrator_alive: alive,
        text,
        last_event: last.map(describe_event),
        last_event_at: last.map(|e| e.ts),
    }
}

fn assertions_text(a: &AssertionCounts) -> String {
    format!("{} passing, {} failing, {} pending", a.passing, a.failing, a.pending)
}

/// The text of `tmux-ide mission status`.
pub fn render_overview(o: &Overview, now: Timestamp) -> String {
    let mut out = String::new();
    let Some(status) = o.status else {
        out.push_str("No mission yet. Create one with `tmux-ide mission set \"Title\"`.\n");
        return out;
    };
    let _ = writeln!(out, "Mission: {} [{}]", one_line(&o.title), status.as_str());
    if !o.description.is_empty() {
        let _ = writeln!(out, "{}", multi_line(&o.description));
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = o
        .milestones
        .iter()
        .map(|m| {
            let round = m.validation.as_ref().map_or_else(String::new, |v| {
                let who = v.pane.as_deref().map(|p| format!(" by {p}")).unwrap_or_default();
                format!("round {}{who}: {}/{} reported", v.round, v.reported, v.total)
            });
            vec![
                m.id.clone(),
                m.title.clone(),
                m.status.as_str().into(),
                bar(m.progress, 10),
                format!("{}/{} tasks", m.tasks_done, m.tasks_total),
                assertions_text(&m.assertions),
                round,
            ]
        })
        .collect();
    out.push_str(&table(
        &["", "MILESTONE", "STATUS", "PROGRESS", "TASKS", "ASSERTIONS", "VALIDATION"],
        &rows,
        &[4],
    ));
    let t = &o.totals;
    let _ = writeln!(
        out,
        "\nTotal: {}/{} milestones done, {}/{} tasks ({}), assertions {}",
        t.milestones_done,
        t.milestones_total,
        t.tasks_done,
        t.tasks_total,
        percent(t.progress),
        assertions_text(&t.assertions)
    );
    let _ = writeln!(out, "Now: {}", one_line(&o.activity.text));
    if let (Some(e), Some(at)) = (&o.activity.last_event, o.activity.last_event_at) {
        let _ = writeln!(out, "Last: {} ({})", one_line(e), ago(at, now));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Task;
    use crate::report::fixture;

    #[test]
    fn milestones_count_tasks_without_the_cancelled_and_place_assertions_where_checked() {
        let o = overview(&fixture::plan(), &fixture::events(), true);
        let m: Vec<(&str, usize, usize, AssertionCounts)> = o
            .milestones
            .iter()
            .map(|m| (m.id.as_str(), m.tasks_done, m.tasks_total, m.assertions))
            .collect();
        let counts = |passing, pending| AssertionCounts { passing, failing: 0, pending };
        assert_eq!(
            m,
            [("M1", 4, 4, counts(1, 0)), ("M2", 0, 4, counts(0, 2)), ("M3", 0, 1, counts(0, 1))]
        );
        assert_eq!((o.totals.tasks_done, o.totals.tasks_total), (4, 9));
    }

    #[test]
    fn one_pass_places_assertions_as_the_plan_rule_does_however_tasks_are_spread() {
        use crate::plan::rules::assertion_milestone;
        let mut plan = fixture::plan();
        // Assertions fulfilled in several milestones, by cancelled tasks, by a task of a
        // milestone that does not exist, and two milestones with the same sequence.
        let extra = [("M2", "VAL-X", false), ("M3", "VAL-X", true), ("M9", "VAL-Y", false)];
        for (i, (ms, a, cancelled)) in extra.into_iter().enumerate() {
            let mut t = Task::new(format!("9{i:02}"), "extra", fixture::at("10:00"));
            t.milestone = Some(ms.into());
            t.fulfills = vec![a.into(), "VAL-Z".into()];
            if cancelled {
                t.status = TaskStatus::Cancelled;
            }
            plan.tasks.push(t);
        }
        plan.milestones[2].sequence = plan.milestones[1].sequence;
        let (checked_at, counts) = one_pass(&plan);
        for (a, ms) in &checked_at {
            assert_eq!(*ms, assertion_milestone(&plan, a), "{a}");
        }
        assert!(checked_at.contains_key("VAL-Y") && checked_at["VAL-Y"].is_none());
        for m in &plan.milestones {
            let live = |t: &&Task| {
                t.milestone.as_deref() == Some(&m.id) && t.status != TaskStatus::Cancelled
            };
            let total = plan.tasks.iter().filter(live).count();
            let done = plan.tasks.iter().filter(live).filter(|t| t.status == TaskStatus::Done);
            let expected = (total, done.count());
            assert_eq!(counts.get(m.id.as_str()).copied().unwrap_or_default(), expected);
        }
    }

    #[test]
    fn a_validating_milestone_shows_its_round_progress() {
        let mut plan = fixture::plan();
        let m1 = plan.milestone_mut("M1").unwrap();
        m1.status = MilestoneStatus::Validating;
        m1.validation.as_mut().unwrap().started = fixture::at("11:08");
        let o = overview(&plan, &fixture::events(), true);
        let v = o.milestones[0].validation.clone().unwrap();
        assert_eq!((v.round, v.reported, v.total), (2, 1, 1));
        assert_eq!(o.activity.text, "validating M1 (round 2) with Validator");
    }

    #[test]
    fn the_activity_says_what_the_orchestrator_does_now() {
        let o = overview(&fixture::plan(), &fixture::events(), true);
        assert_eq!(o.activity.text, "M2 active: working on 005 on Backend; 2 ready to dispatch");
        let down = overview(&fixture::plan(), &fixture::events(), false);
        assert_eq!(down.activity.text, "orchestrator not running: nothing is being dispatched");
    }

    #[test]
    fn mission_status_text_matches_the_snapshot() {
        let o = overview(&fixture::plan(), &fixture::events(), true);
        insta::assert_snapshot!(render_overview(&o, fixture::now()));
    }

    #[test]
    fn mission_status_text_while_validating_matches_the_snapshot() {
        let mut plan = fixture::plan();
        let m1 = plan.milestone_mut("M1").unwrap();
        m1.status = MilestoneStatus::Validating;
        m1.validation.as_mut().unwrap().started = fixture::at("11:20");
        let o = overview(&plan, &fixture::events(), true);
        insta::assert_snapshot!(render_overview(&o, fixture::now()));
    }

    #[test]
    fn mission_status_text_without_a_mission_matches_the_snapshot() {
        let o = overview(&Plan::default(), &[], false);
        insta::assert_snapshot!(render_overview(&o, fixture::now()));
    }
}
