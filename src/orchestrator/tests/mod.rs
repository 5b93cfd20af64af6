//! Unit and property tests of the orchestrator's pure core, with small plan builders.
mod budget;
mod dispatch;
mod lifecycle;
mod modes;
mod notices;
mod prompt;
mod properties;
mod reconcile;

use std::collections::{BTreeMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use super::{Action, AgentState, ContractAssertion, PaneView, Role, Settings, World, decide};
use crate::plan::{
    AssertionResult, AssertionStatus, Milestone, MilestoneStatus, Mission, MissionStatus, Plan,
    Task, TaskStatus, ValidationRound,
};

/// The fixed "now" of every test.
pub(super) fn now() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

pub(super) fn ago(secs: i64) -> Timestamp {
    now() - SignedDuration::from_secs(secs)
}

pub(super) fn milestone(seq: u32, status: MilestoneStatus) -> Milestone {
    Milestone {
        id: format!("M{seq}"),
        title: format!("Milestone {seq}"),
        sequence: seq,
        description: String::new(),
        status,
        created: ago(86_400),
        validation: None,
    }
}

pub(super) fn task(id: &str, milestone: &str) -> Task {
    Task {
        milestone: Some(milestone.to_string()),
        ..Task::new(id, format!("Task {id}"), ago(86_400))
    }
}

/// Chainable tweaks for test tasks.
pub(super) trait TaskExt: Sized {
    fn with(self, f: impl FnOnce(&mut Task)) -> Self;
    fn spec(self, s: &str) -> Self {
        self.with(|t| t.specialty = Some(s.to_string()))
    }
    fn prio(self, p: u8) -> Self {
        self.with(|t| t.priority = p)
    }
    fn deps(self, d: &[&str]) -> Self {
        self.with(|t| t.depends = d.iter().map(|s| s.to_string()).collect())
    }
    fn fulfills(self, a: &[&str]) -> Self {
        self.with(|t| t.fulfills = a.iter().map(|s| s.to_string()).collect())
    }
    fn status(self, s: TaskStatus) -> Self {
        self.with(|t| t.status = s)
    }
    fn working(self, pane_title: &str) -> Self {
        self.with(|t| {
            t.status = TaskStatus::InProgress;
            t.assignee = Some(pane_title.to_string());
        })
    }
    fn done_by(self, pane_title: &str) -> Self {
        self.with(|t| {
            t.status = TaskStatus::Done;
            t.assignee = Some(pane_title.to_string());
        })
    }
}

impl TaskExt for Task {
    fn with(mut self, f: impl FnOnce(&mut Task)) -> Self {
        f(&mut self);
        self
    }
}

/// Pane `%n` titled `<role>-<n>` (e.g. `teammate-2`), idle, output changed just now.
pub(super) fn pane(n: u32, role: Role, specialty: Option<&str>) -> PaneView {
    PaneView {
        id: format!("%{n}"),
        title: format!("{}-{n}", format!("{role:?}").to_lowercase()),
        role,
        specialty: specialty.map(str::to_string),
        state: AgentState::Idle,
        last_output_change: now(),
        pid: 1000 + n,
    }
}

pub(super) fn in_state(mut p: PaneView, state: AgentState) -> PaneView {
    p.state = state;
    p
}

/// A world's owned parts; `decide()` borrows them.
#[derive(Debug, Clone)]
pub(super) struct Fx {
    pub plan: Plan,
    pub contract: Vec<ContractAssertion>,
    pub panes: Vec<PaneView>,
    pub settings: Settings,
    pub stalls: HashSet<String>,
    pub exited: HashSet<String>,
    pub budget: crate::orchestrator::world::BudgetView,
}

impl Fx {
    /// An active mission "Auth v2" with the given milestones, tasks and panes.
    pub fn new(milestones: Vec<Milestone>, tasks: Vec<Task>, panes: Vec<PaneView>) -> Fx {
        let plan = Plan {
            mission: Some(Mission {
                title: "Auth v2".to_string(),
                description: "JWT login and refresh".to_string(),
                status: MissionStatus::Active,
                created: ago(86_400),
                activated: Some(ago(86_400)),
                completed: None,
            }),
            milestones,
            tasks,
            assertions: BTreeMap::new(),
            ..Plan::default()
        };
        Fx {
            plan,
            contract: Vec::new(),
            panes,
            settings: Settings::default(),
            stalls: HashSet::new(),
            exited: HashSet::new(),
            budget: Default::default(),
        }
    }

    pub fn contract(mut self, ids: &[&str]) -> Fx {
        self.contract = ids
            .iter()
            .map(|id| ContractAssertion { id: id.to_string(), text: format!("{id} holds") })
            .collect();
        self
    }

    pub fn world(&self) -> World<'_> {
        World {
            plan: &self.plan,
            contract: &self.contract,
            panes: &self.panes,
            now: now(),
            settings: &self.settings,
            stalls_reported: &self.stalls,
            exited_reported: &self.exited,
            budget: &self.budget,
        }
    }

    pub fn decide(&self) -> Vec<Action> {
        decide(&self.world())
    }

    /// Records a verdict for `id`, reported `secs` seconds ago.
    pub fn report(&mut self, id: &str, status: AssertionStatus, secs: i64, evidence: &str) {
        let result = AssertionResult {
            status,
            evidence: evidence.to_string(),
            reporter: Some("validator-9".to_string()),
            updated: ago(secs),
            seq: None,
        };
        self.plan.assertions.insert(id.to_string(), result);
    }

    /// Puts milestone `id` into `validating` with a round handed to `pane`, started `secs` ago.
    pub fn validating(
        &mut self,
        id: &str,
        round: u32,
        pane: Option<&str>,
        assertions: &[&str],
        secs: i64,
    ) {
        let m = self.plan.milestone_mut(id).unwrap();
        m.status = MilestoneStatus::Validating;
        m.validation = Some(ValidationRound {
            round,
            started: ago(secs),
            seq: None,
            pane: pane.map(str::to_string),
            assertions: assertions.iter().map(|s| s.to_string()).collect(),
            dispatched_to: None,
        });
    }
}

/// The (task, pane title) of every Dispatch, in order.
pub(super) fn dispatched(actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Dispatch { task, pane_title, .. } => Some((task.clone(), pane_title.clone())),
            _ => None,
        })
        .collect()
}

pub(super) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(t, p)| (t.to_string(), p.to_string())).collect()
}
