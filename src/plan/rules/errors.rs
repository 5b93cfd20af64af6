//! Why a plan rule refused a change, in plan terms. The rules know nothing of flags or
//! JSON fields: the CLI and the dashboard API each turn these into a line that names what
//! their own users typed (`--depends`, `"depends"`); `From<PlanError> for Error` is the
//! plain phrasing for everything else.
use super::super::model::{MilestoneStatus, MissionStatus, TaskStatus};
use crate::Error;

/// A refused plan change. Every variant but the mission-lifecycle ones is bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{field} is empty (give a non-empty {field})")]
    Blank { field: &'static str },
    /// Titles are quoted on one line of every prompt and `## Task` heading; a newline would
    /// forge structure there.
    #[error(
        "{field} contains the control character U+{:04X} (allowed: one line of printable \
         text, without newlines, tabs or other control characters)",
        u32::from(*.ch)
    )]
    ControlCharacter { field: &'static str, ch: char },
    #[error("priority {priority} is out of range (allowed: 1..=9, 1 = highest)")]
    PriorityOutOfRange { priority: u8 },
    #[error("unknown task {id:?} (existing tasks: {known})")]
    UnknownTask { id: String, known: String },
    #[error("unknown milestone {id:?} (existing milestones: {known})")]
    UnknownMilestone { id: String, known: String },
    #[error("unknown assertion {id:?} (assertions in .tasks/validation-contract.md: {known})")]
    UnknownAssertion { id: String, known: String },
    /// A dependency names no task; `known` lists the tasks there are.
    #[error("dependency on unknown task {id:?} (existing tasks: {known})")]
    UnknownDependency { id: String, known: String },
    #[error("task {id} cannot depend on itself (give other task ids)")]
    SelfDependency { id: String },
    #[error("dependency cycle {} (dependencies must not form a cycle)", .cycle.join(" → "))]
    DependencyCycle { cycle: Vec<String> },
    #[error("milestone sequence 0 is not allowed (sequences start at 1)")]
    SequenceZero,
    #[error(
        "milestone sequence {sequence} is already used by {by} {title:?} (use a sequence \
         other than {used})"
    )]
    SequenceTaken { sequence: u32, by: String, title: String, used: String },
    #[error("task {id} is already claimed by {by:?} (only todo tasks can be claimed)")]
    AlreadyClaimed { id: String, by: String },
    /// `action` is what was refused ("claimed"), `allowed` the statuses it applies to.
    #[error("task {id} is {} (only {allowed} tasks can be {action})", .status.as_str())]
    WrongTaskStatus { id: String, status: TaskStatus, action: &'static str, allowed: &'static str },
    /// Ids past the bound are refused rather than wrapped around to reuse low ids.
    #[error(
        "{what} id {id} in tasks.json leaves no next {what} id ({what} ids run from 1 to {max})"
    )]
    IdsExhausted { what: &'static str, id: String, max: u64 },
    /// A task waiting on a task of a later milestone waits forever: milestones unlock in
    /// sequence, so the later one stays locked until this one is done.
    #[error(
        "task {id} ({milestone}) cannot depend on {dep} ({dep_milestone}): a task can depend \
         only on tasks in its own or an earlier milestone"
    )]
    DependsOnLaterMilestone { id: String, milestone: String, dep: String, dep_milestone: String },
    #[error(
        "task {id} is in milestone {milestone}, which is {} (a task can be claimed once its \
         milestone is active)",
        .status.as_str()
    )]
    MilestoneNotActive { id: String, milestone: String, status: MilestoneStatus },
    /// `waiting` names each unfinished dependency with its status (`001 (todo)`).
    #[error(
        "task {id} waits on {} (a task can be claimed once every task it depends on is done)",
        .waiting.join(", ")
    )]
    DependenciesNotDone { id: String, waiting: Vec<String> },
    #[error("unknown pane {pane:?} (panes in ide.yml: {known})")]
    UnknownPane { pane: String, known: String },
    #[error("there is no mission yet")]
    NoMission,
    #[error("the mission is {}, not planning (planning can be completed only once)", .status.as_str())]
    NotPlanning { status: MissionStatus },
    #[error("cannot complete planning: there are no milestones")]
    NoMilestones,
    /// `problems` is never empty; the first is named, the rest counted.
    #[error(
        "cannot complete planning: {}{}",
        .problems.first().map_or("", String::as_str),
        more_problems(.problems)
    )]
    PlanNotReady { problems: Vec<String> },
}

impl PlanError {
    /// Whether the change was refused for what was asked (bad input, exit 2) rather than
    /// for the state the mission is in (exit 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            PlanError::NoMission
                | PlanError::NotPlanning { .. }
                | PlanError::NoMilestones
                | PlanError::PlanNotReady { .. }
        )
    }

    /// This error as a crate error of the right kind, with `message` instead of the plain
    /// phrasing: how a caller words a variant for its own users.
    pub fn reworded(&self, message: impl Into<String>) -> Error {
        if self.is_bad_input() { Error::bad_input(message) } else { Error::failed(message) }
    }
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        e.reworded(e.to_string())
    }
}

/// `" (and 2 more problem(s))"` after the first of several problems.
pub(crate) fn more_problems(problems: &[String]) -> String {
    match problems.len() {
        0 | 1 => String::new(),
        n => format!(" (and {} more problem(s))", n - 1),
    }
}
