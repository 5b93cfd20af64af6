//! What the dispatch mode changes. `missions` works milestone by milestone behind an
//! active mission; `tasks` is a plain queue for work without one: every `todo` task whose
//! dependencies are done is ready, whatever its milestone, nothing is validated, and the
//! work is finished when no task is `todo` or `in_progress`.
use super::Scan;
use crate::orchestrator::world::DispatchMode;
use crate::plan::rules::id_order;
use crate::plan::{MissionStatus, Plan, Task, TaskStatus};

/// Whether there is anything to decide: an active mission, or (a queue) always, so a
/// project without a mission, or with one still being planned, gets its tasks done.
pub fn in_play(plan: &Plan, mode: DispatchMode) -> bool {
    match mode {
        DispatchMode::Missions => {
            plan.mission.as_ref().is_some_and(|m| m.status == MissionStatus::Active)
        }
        DispatchMode::Tasks => true,
    }
}

/// Whether `orchestrator run --exit-when-complete` may stop: the mission is complete, or
/// the queue is drained (nothing `todo`, nothing `in_progress`).
pub fn finished(plan: &Plan, mode: DispatchMode) -> bool {
    match mode {
        DispatchMode::Missions => {
            plan.mission.as_ref().is_some_and(|m| m.status == MissionStatus::Complete)
        }
        DispatchMode::Tasks => !plan
            .tasks
            .iter()
            .any(|t| matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress)),
    }
}

/// Why the loop ended when it ended because [`finished`] said so (logged).
pub fn finished_reason(mode: DispatchMode) -> &'static str {
    match mode {
        DispatchMode::Missions => "mission complete",
        DispatchMode::Tasks => "no task left",
    }
}

/// Ready tasks of the queue in dispatch order: lowest priority number, then lowest id —
/// the same order as the missions mode, over every milestone (and none).
pub(super) fn ready_in_queue<'p>(plan: &'p Plan, scan: &Scan) -> Vec<&'p Task> {
    let mut ready: Vec<&Task> = plan
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Todo && t.depends.iter().all(|d| scan.is_done(d)))
        .collect();
    ready.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| id_order(&a.id, &b.id)));
    ready
}
