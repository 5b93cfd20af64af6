//! The mission overview behind `mission status`: the mission and, per milestone, task
//! and assertion progress.
use serde::Serialize;

use crate::contract::Contract;
use crate::plan::rules::milestone_assertions;
use crate::plan::{AssertionStatus, MilestoneStatus, Mission, Plan, TaskStatus};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissionOverview {
    pub mission: Option<Mission>,
    pub milestones: Vec<MilestoneProgress>,
    pub tasks_done: usize,
    pub tasks_total: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneProgress {
    pub id: String,
    pub title: String,
    pub sequence: u32,
    pub status: MilestoneStatus,
    /// Done tasks / tasks, cancelled tasks not counted.
    pub tasks_done: usize,
    pub tasks_total: usize,
    pub passing: usize,
    pub failing: usize,
    pub pending: usize,
}

pub fn mission_overview(plan: &Plan, contract: &Contract) -> MissionOverview {
    let all = contract.ids();
    let mut milestones: Vec<MilestoneProgress> = plan
        .milestones
        .iter()
        .map(|m| {
            let tasks: Vec<_> = plan
                .tasks
                .iter()
                .filter(|t| {
                    t.milestone.as_deref() == Some(&m.id) && t.status != TaskStatus::Cancelled
                })
                .collect();
            let ids = milestone_assertions(plan, &m.id, &all);
            let count = |s| ids.iter().filter(|a| plan.assertion_status(a) == s).count();
            MilestoneProgress {
                id: m.id.clone(),
                title: m.title.clone(),
                sequence: m.sequence,
                status: m.status,
                tasks_done: tasks.iter().filter(|t| t.status == TaskStatus::Done).count(),
                tasks_total: tasks.len(),
                passing: count(AssertionStatus::Passing),
                failing: count(AssertionStatus::Failing),
                pending: count(AssertionStatus::Pending),
            }
        })
        .collect();
    milestones.sort_by_key(|m| m.sequence);
    let live = plan.tasks.iter().filter(|t| t.status != TaskStatus::Cancelled);
    MissionOverview {
        mission: plan.mission.clone(),
        milestones,
        tasks_done: live.clone().filter(|t| t.status == TaskStatus::Done).count(),
        tasks_total: live.count(),
    }
}
