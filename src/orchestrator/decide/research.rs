//! Research triggers: a pure function of (plan, panes, research history, settings, now)
//! that says whether a research task starts now, why, and in which pane.
//!
//! Rules: research only while the mission is active; at most one research task open (a
//! `research` task in progress, or a milestone-less one waiting); each trigger waits out
//! its cooldown. The pane: an idle researcher (role `researcher` or specialty `research`)
//! that this tick's dispatches left free — task work comes first, so a researcher that
//! ready tasks need is never taken. With no idle researcher, an idle generalist teammate
//! may take it only when another worker stays idle: research never takes the last idle
//! worker.
use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use super::Action;
use crate::config::research::{ResearchConfig, TriggerKind};
use crate::orchestrator::lookout::ResearchHistory;
use crate::orchestrator::world::{AgentState, PaneView, RESEARCH, Role};
use crate::plan::rules::is_open_research;
use crate::plan::{MilestoneStatus, MissionStatus, Plan, Task, TaskStatus};

/// What `Action::Research` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Research {
    /// The trigger that fired; `None` when an open research task is handed out again.
    pub trigger: Option<TriggerKind>,
    /// Why, in one line (the event's `reason`, the task's description).
    pub reason: String,
    /// The open research task to hand out again, or `None` to create one.
    pub task: Option<String>,
    pub title: String,
    pub description: String,
    /// The milestone the trigger is about (`tasks_done`, `milestone_done`).
    pub milestone: Option<String>,
    /// `tasks_done`: the milestone's done-task count it fired at.
    pub done: Option<u64>,
    pub pane: String,
    pub pane_title: String,
}

/// What the research decision looks at.
#[derive(Debug, Clone, Copy)]
pub struct ResearchView<'a> {
    pub plan: &'a Plan,
    pub panes: &'a [PaneView],
    pub config: &'a ResearchConfig,
    pub history: &'a ResearchHistory,
    /// Ids of panes this tick already gave work to (dispatches, validation rounds).
    pub taken: &'a HashSet<String>,
    pub now: Timestamp,
}

/// A research task: specialty `research`.
pub fn is_research(task: &Task) -> bool {
    task.specialty.as_deref() == Some(RESEARCH)
}

/// Open research work (see [`is_open_research`]).
pub fn open_research(plan: &Plan) -> Vec<&Task> {
    plan.tasks.iter().filter(|t| is_open_research(t)).collect()
}

/// The research to start now, if any.
pub fn research(view: &ResearchView) -> Option<Action> {
    let plan = view.plan;
    if !view.config.enabled
        || plan.mission.as_ref().is_none_or(|m| m.status != MissionStatus::Active)
    {
        return None;
    }
    let open = open_research(plan);
    if open.iter().any(|t| t.status == TaskStatus::InProgress) {
        return None;
    }
    let pane = pick_pane(view)?;
    if let Some(waiting) = open.first() {
        if waiting.retry_after.is_some_and(|at| at > view.now) || !deps_done(plan, waiting) {
            return None;
        }
        return Some(Action::Research(Research {
            trigger: None,
            reason: "handed out again".into(),
            task: Some(waiting.id.clone()),
            title: waiting.title.clone(),
            description: waiting.description.clone(),
            milestone: None,
            done: None,
            pane: pane.id.clone(),
            pane_title: pane.title.clone(),
        }));
    }
    let (kind, due) = TriggerKind::ALL.into_iter().find_map(|k| due(view, k).map(|d| (k, d)))?;
    let mission = plan.mission.as_ref().map_or("", |m| m.title.as_str());
    Some(Action::Research(Research {
        trigger: Some(kind),
        title: format!("Research: {}", due.topic),
        description: description(mission, &due.reason),
        reason: due.reason,
        task: None,
        milestone: due.milestone,
        done: due.done,
        pane: pane.id.clone(),
        pane_title: pane.title.clone(),
    }))
}

fn deps_done(plan: &Plan, task: &Task) -> bool {
    task.depends.iter().all(|d| plan.task(d).is_some_and(|t| t.status == TaskStatus::Done))
}

/// A worker pane free for research now, by the rules in the module doc.
fn pick_pane<'p>(view: &ResearchView<'p>) -> Option<&'p PaneView> {
    let working: HashSet<&str> = view
        .plan
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::InProgress)
        .filter_map(|t| t.assignee.as_deref())
        .collect();
    let idle: Vec<&PaneView> = view
        .panes
        .iter()
        .filter(|p| p.role.takes_tasks() && p.state == AgentState::Idle)
        .filter(|p| !working.contains(p.title.as_str()) && !view.taken.contains(&p.id))
        .collect();
    if let Some(r) = idle.iter().find(|p| p.effective_specialty() == Some(RESEARCH)) {
        return Some(r);
    }
    let generalist = idle.iter().find(|p| p.role == Role::Teammate && p.specialty.is_none())?;
    (idle.len() >= 2).then_some(*generalist)
}

/// A trigger that is due: what to research and why.
struct Due {
    topic: String,
    reason: String,
    milestone: Option<String>,
    done: Option<u64>,
}

fn due(view: &ResearchView, kind: TriggerKind) -> Option<Due> {
    let rule = view.config.trigger(kind);
    if !rule.enabled {
        return None;
    }
    let h = view.history;
    let cooldown = SignedDuration::from_millis(i64::try_from(rule.cooldown).unwrap_or(i64::MAX));
    if h.last.get(&kind).is_some_and(|t| view.now.duration_since(*t) < cooldown) {
        return None;
    }
    let plan = view.plan;
    let mission = plan.mission.as_ref()?;
    let due = |topic: String, reason: String| Due { topic, reason, milestone: None, done: None };
    match kind {
        TriggerKind::MissionStart => {
            let key = mission.created.to_string();
            (!h.mission_starts.contains(&key)).then(|| {
                due(
                    "approaches and risks before work starts".into(),
                    format!("the mission \"{}\" started", one_line(&mission.title)),
                )
            })
        }
        TriggerKind::MilestoneDone => {
            let m = plan
                .milestones
                .iter()
                .filter(|m| m.status == MilestoneStatus::Done)
                .max_by_key(|m| m.sequence)?;
            (!h.milestones_done.contains(&m.id)).then(|| Due {
                milestone: Some(m.id.clone()),
                ..due(
                    format!("what the milestones after {} should know", m.id),
                    format!("milestone {} \"{}\" is done", m.id, one_line(&m.title)),
                )
            })
        }
        TriggerKind::Trouble => {
            let window =
                SignedDuration::from_millis(i64::try_from(rule.window).unwrap_or(i64::MAX));
            let from = view.now.checked_sub(window).unwrap_or(Timestamp::MIN);
            let since = h.last.get(&kind).map_or(from, |t| (*t).max(from));
            let n = h.trouble_since(since) as u64;
            (n >= rule.count.max(1)).then(|| {
                due(
                    "why tasks keep failing or stalling".into(),
                    format!("{n} retries, blocks or stalls within {} s", rule.window / 1000),
                )
            })
        }
        TriggerKind::TasksDone => {
            let m = plan.milestones.iter().find(|m| m.status == MilestoneStatus::Active)?;
            let done = plan
                .tasks
                .iter()
                .filter(|t| t.milestone.as_deref() == Some(m.id.as_str()))
                .filter(|t| t.status == TaskStatus::Done && !is_research(t))
                .count() as u64;
            let last = h.tasks_done_at.get(&m.id).copied().unwrap_or(0);
            (done > 0 && done >= last.saturating_add(rule.every.max(1))).then(|| Due {
                milestone: Some(m.id.clone()),
                done: Some(done),
                ..due(
                    format!("a check of the approach after {done} tasks of {}", m.id),
                    format!("{done} tasks of milestone {} are done", m.id),
                )
            })
        }
        TriggerKind::Interval => {
            let since = h.last_any.or(mission.activated)?;
            let every = SignedDuration::from_millis(i64::try_from(rule.every).unwrap_or(i64::MAX));
            (view.now.duration_since(since) >= every).then(|| {
                due(
                    "a periodic review of the mission".into(),
                    format!("no research for {} s", rule.every / 1000),
                )
            })
        }
    }
}

/// The research task's description: why it exists and where its findings go.
pub fn description(mission: &str, reason: &str) -> String {
    format!(
        "Research task for the mission \"{}\", started because {reason}.\n\n\
         Look into it: read the code and the library, check the approach, the risks and \
         what the next tasks will need. Change no code. Report what you found in the \
         --summary of `tmux-ide task done`: it is appended to research-findings.md (and \
         learnings.md). Start a line with `Architecture:` for a finding about the \
         architecture: those lines are appended to architecture.md as well.",
        one_line(mission)
    )
}

fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
#[path = "research_tests.rs"]
mod tests;
