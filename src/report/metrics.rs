//! `tmux-ide metrics`: task counts, completion rate, task durations, throughput, an ETA,
//! validation rounds and remediations, computed from the plan and the event log.
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Serialize;

use super::timefmt::{ago, count, duration, percent, secs_between};
use crate::plan::{Event, EventKind, Plan, TaskStatus};

/// Tasks by status. `total` counts every task, cancelled ones included.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskCounts {
    pub total: usize,
    pub todo: usize,
    pub in_progress: usize,
    pub done: usize,
    pub cancelled: usize,
    /// Given up on after `orchestrator.max_retries` failures; absent from JSON when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub blocked: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Durations (started → finished, whole seconds) of the done tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationStats {
    pub count: usize,
    pub avg_secs: u64,
    pub median_secs: u64,
    /// Nearest-rank 90th percentile.
    pub p90_secs: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValidationStats {
    /// `milestone_validating` events: every round begun.
    pub rounds: usize,
    /// Rounds that ended with the milestone done.
    pub passed: usize,
    /// Rounds that ended with failing assertions.
    pub failed: usize,
    /// passed / (passed + failed); `None` before a round has ended.
    pub pass_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub mission: Option<String>,
    pub tasks: TaskCounts,
    /// done / (total − cancelled); 0 with no tasks.
    pub completion_rate: f64,
    pub durations: Option<DurationStats>,
    /// Done tasks per hour of mission wall clock.
    pub throughput_per_hour: f64,
    /// Tasks still to finish: todo + in_progress.
    pub remaining: usize,
    /// Agents the estimate assumes work in parallel.
    pub agents: usize,
    /// remaining × avg task duration ÷ agents; `None` before any task is done.
    pub eta_secs: Option<u64>,
    /// `now + eta_secs`.
    pub eta_at: Option<Timestamp>,
    pub validation: ValidationStats,
    /// Remediation tasks created, and those not yet done or cancelled.
    pub remediations: usize,
    pub remediations_open: usize,
    /// Mission activation (else its first task start); `None` before it starts.
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    /// started → completed (or now).
    pub wall_clock_secs: u64,
}

/// The events of the current mission: those from the mission's creation on (the log is
/// append-only and spans every mission of the project). All events without a mission.
pub fn mission_events<'e>(plan: &Plan, events: &'e [Event]) -> &'e [Event] {
    match &plan.mission {
        Some(m) => {
            let from = events.iter().position(|e| e.ts >= m.created).unwrap_or(events.len());
            &events[from..]
        }
        None => events,
    }
}

/// When the mission's clock starts (activation, else the first task start) and stops
/// (completion, else `now`).
pub fn mission_window(plan: &Plan, now: Timestamp) -> (Option<Timestamp>, Timestamp) {
    let first_start = plan.tasks.iter().filter_map(|t| t.started).min();
    let mission = plan.mission.as_ref();
    let start = mission.and_then(|m| m.activated).or(first_start);
    let end = mission.and_then(|m| m.completed).unwrap_or(now);
    (start, end)
}

pub fn task_counts(plan: &Plan) -> TaskCounts {
    let mut c = TaskCounts { total: plan.tasks.len(), ..TaskCounts::default() };
    for t in &plan.tasks {
        match t.status {
            TaskStatus::Todo => c.todo += 1,
            TaskStatus::InProgress => c.in_progress += 1,
            TaskStatus::Done => c.done += 1,
            TaskStatus::Cancelled => c.cancelled += 1,
            TaskStatus::Blocked => c.blocked += 1,
        }
    }
    c
}

/// Average, median and nearest-rank p90 of `secs`; `None` when empty.
pub fn duration_stats(mut secs: Vec<u64>) -> Option<DurationStats> {
    if secs.is_empty() {
        return None;
    }
    secs.sort_unstable();
    let n = secs.len();
    let avg = secs.iter().sum::<u64>() / n as u64;
    let median = if n % 2 == 1 { secs[n / 2] } else { (secs[n / 2 - 1] + secs[n / 2]) / 2 };
    let rank = (n * 9).div_ceil(10).max(1);
    Some(DurationStats { count: n, avg_secs: avg, median_secs: median, p90_secs: secs[rank - 1] })
}

pub fn validation_stats(events: &[Event]) -> ValidationStats {
    let mut v = ValidationStats::default();
    // A milestone that checks no assertion is done without a round: not a passed round.
    let mut validating = std::collections::HashSet::new();
    for e in events {
        let milestone = e.milestone.as_deref();
        match &e.kind {
            EventKind::MilestoneValidating => {
                v.rounds += 1;
                validating.insert(milestone);
            }
            EventKind::MilestoneDone if validating.remove(&milestone) => v.passed += 1,
            EventKind::MilestoneValidationFailed => {
                v.failed += 1;
                validating.remove(&milestone);
            }
            _ => {}
        }
    }
    let ended = v.passed + v.failed;
    v.pass_rate = (ended > 0).then(|| v.passed as f64 / ended as f64);
    v
}

/// All of `tmux-ide metrics`. `agents` is how many agents take tasks (for the ETA; at
/// least 1 is assumed); `now` is the clock.
pub fn metrics(plan: &Plan, events: &[Event], agents: usize, now: Timestamp) -> Metrics {
    let events = mission_events(plan, events);
    let tasks = task_counts(plan);
    let live = tasks.total - tasks.cancelled;
    let completion_rate = if live == 0 { 0.0 } else { tasks.done as f64 / live as f64 };
    let durations = duration_stats(
        plan.tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Done)
            .filter_map(|t| Some(secs_between(t.started?, t.finished?)))
            .collect(),
    );
    let (started, end) = mission_window(plan, now);
    let wall_clock_secs = started.map_or(0, |s| secs_between(s, end));
    let throughput_per_hour = if wall_clock_secs == 0 {
        0.0
    } else {
        tasks.done as f64 * 3600.0 / wall_clock_secs as f64
    };
    let remaining = tasks.todo + tasks.in_progress;
    let eta_secs =
        durations.as_ref().map(|d| (remaining as u64 * d.avg_secs).div_ceil(agents.max(1) as u64));
    let eta_at =
        eta_secs.and_then(|s| now.checked_add(jiff::SignedDuration::from_secs(s as i64)).ok());
    let remediation = plan.tasks.iter().filter(|t| t.remediation_for.is_some());
    let remediations = remediation.clone().count();
    let remediations_open = remediation
        .filter(|t| matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress))
        .count();
    Metrics {
        mission: plan.mission.as_ref().map(|m| m.title.clone()),
        tasks,
        completion_rate,
        durations,
        throughput_per_hour,
        remaining,
        agents: agents.max(1),
        eta_secs,
        eta_at,
        validation: validation_stats(events),
        remediations,
        remediations_open,
        started,
        completed: plan.mission.as_ref().and_then(|m| m.completed),
        wall_clock_secs,
    }
}

/// The text of `tmux-ide metrics`.
pub fn render_metrics(m: &Metrics, now: Timestamp) -> String {
    let mut out = String::new();
    let title = super::text::one_line(m.mission.as_deref().unwrap_or("(no mission)"));
    let _ = writeln!(out, "Metrics — {title}");
    let _ = writeln!(out, "{}", "─".repeat(10 + super::text::width(&title)));
    let t = &m.tasks;
    let _ = writeln!(
        out,
        "Tasks        {} total: {} done, {} in progress, {} todo, {} cancelled",
        t.total, t.done, t.in_progress, t.todo, t.cancelled
    );
    if t.blocked > 0 {
        let _ = writeln!(out, "Blocked      {} (see `tmux-ide orch`)", t.blocked);
    }
    let _ = writeln!(out, "Completion   {}", percent(m.completion_rate));
    match &m.durations {
        Some(d) => {
            let _ = writeln!(
                out,
                "Duration     avg {} · median {} · p90 {} (over {} tasks)",
                duration(d.avg_secs),
                duration(d.median_secs),
                duration(d.p90_secs),
                d.count
            );
        }
        None => out.push_str("Duration     no task done yet\n"),
    }
    let _ = writeln!(out, "Throughput   {:.1} tasks/hour", m.throughput_per_hour);
    match m.eta_secs {
        Some(s) if m.remaining > 0 => {
            let _ = writeln!(
                out,
                "ETA          {} for {} remaining with {}",
                duration(s),
                count(m.remaining, "task"),
                count(m.agents, "agent")
            );
        }
        _ if m.remaining == 0 => out.push_str("ETA          nothing remaining\n"),
        _ => out.push_str("ETA          unknown until a task is done\n"),
    }
    let v = &m.validation;
    let rate = v.pass_rate.map_or_else(|| "—".to_string(), percent);
    let _ = writeln!(
        out,
        "Validation   {}: {} passed, {} failed (pass rate {rate})",
        count(v.rounds, "round"),
        v.passed,
        v.failed
    );
    let _ = writeln!(
        out,
        "Remediation  {} ({} open)",
        count(m.remediations, "task"),
        m.remediations_open
    );
    match m.started {
        Some(s) => {
            let state = match m.completed {
                Some(c) => format!("completed {}", ago(c, now)),
                None => "running".to_string(),
            };
            let _ = writeln!(
                out,
                "Wall clock   {} (started {}, {state})",
                duration(m.wall_clock_secs),
                ago(s, now)
            );
        }
        None => out.push_str("Wall clock   not started\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_milestone_done_without_a_round_is_not_a_passed_round() {
        use crate::plan::Event;
        let t = jiff::Timestamp::UNIX_EPOCH;
        let ev = |kind: &str, m: &str| Event::new(t, kind).milestone(m);
        let v = super::validation_stats(&[
            ev("milestone_done", "M1"),
            ev("milestone_validating", "M2"),
            ev("milestone_validation_failed", "M2"),
            ev("milestone_validating", "M2"),
            ev("milestone_done", "M2"),
            ev("milestone_validating", "M3"),
            ev("milestone_done", "M3"),
        ]);
        assert_eq!((v.rounds, v.passed, v.failed), (3, 2, 1));
    }

    use super::*;
    use crate::report::fixture::{self, at};

    #[test]
    fn metrics_of_the_scripted_mission_match_the_hand_computed_figures() {
        let m = metrics(&fixture::plan(), &fixture::events(), 2, fixture::now());
        assert_eq!(
            m.tasks,
            TaskCounts { total: 10, todo: 4, in_progress: 1, done: 4, cancelled: 1, blocked: 0 }
        );
        assert!((m.completion_rate - 4.0 / 9.0).abs() < 1e-9);
        // 20m, 30m, 10m, 10m
        let d = m.durations.clone().unwrap();
        assert_eq!((d.count, d.avg_secs, d.median_secs, d.p90_secs), (4, 1050, 900, 1800));
        assert_eq!(m.wall_clock_secs, 90 * 60);
        assert!((m.throughput_per_hour - 4.0 / 1.5).abs() < 1e-9);
        // 5 remaining × 1050 s ÷ 2 agents
        assert_eq!(m.remaining, 5);
        assert_eq!(m.eta_secs, Some(2625));
        assert_eq!(m.eta_at, Some("2026-03-02T12:13:45Z".parse().unwrap()));
        assert_eq!(m.validation.rounds, 2);
        assert_eq!((m.validation.passed, m.validation.failed), (1, 1));
        assert_eq!(m.validation.pass_rate, Some(0.5));
        assert_eq!((m.remediations, m.remediations_open), (1, 0));
    }

    #[test]
    fn the_eta_shrinks_with_more_agents_and_never_divides_by_zero() {
        let (plan, events) = (fixture::plan(), fixture::events());
        assert_eq!(metrics(&plan, &events, 5, fixture::now()).eta_secs, Some(1050));
        assert_eq!(metrics(&plan, &events, 0, fixture::now()).eta_secs, Some(5250));
    }

    #[test]
    fn events_of_earlier_missions_are_not_counted() {
        let plan = fixture::plan();
        let events = fixture::events();
        assert_eq!(mission_events(&plan, &events).len(), events.len() - 1);
    }

    #[test]
    fn a_mission_without_done_tasks_has_no_durations_and_no_eta() {
        let mut plan = fixture::plan();
        plan.tasks.iter_mut().for_each(|t| t.status = TaskStatus::Todo);
        let m = metrics(&plan, &[], 2, fixture::now());
        assert_eq!((m.durations, m.eta_secs, m.throughput_per_hour), (None, None, 0.0));
    }

    #[test]
    fn a_completed_mission_stops_its_wall_clock() {
        let mut plan = fixture::plan();
        plan.mission.as_mut().unwrap().completed = Some(at("11:00"));
        let m = metrics(&plan, &fixture::events(), 2, fixture::now());
        assert_eq!(m.wall_clock_secs, 3600);
    }

    #[test]
    fn p90_uses_the_nearest_rank() {
        let d = duration_stats((1..=10).collect()).unwrap();
        assert_eq!((d.median_secs, d.p90_secs), (5, 9));
        assert_eq!(duration_stats(vec![7]).unwrap().p90_secs, 7);
    }

    #[test]
    fn metrics_text_matches_the_snapshot() {
        let m = metrics(&fixture::plan(), &fixture::events(), 2, fixture::now());
        insta::assert_snapshot!(render_metrics(&m, fixture::now()));
    }
}
