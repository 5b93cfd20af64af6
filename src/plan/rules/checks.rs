//! Input checks shared by the transitions: known ids, priority range, one-line titles, no
//! cycles. Each failure is a [`PlanError`] naming the value and what is allowed.
use super::super::model::{Plan, Task, normalize_milestone_id, normalize_task_id};
use super::errors::PlanError;
use super::find_cycle;

/// What the rules return: the plan error says what was refused, in plan terms.
pub type RuleResult<T> = std::result::Result<T, PlanError>;

/// Highest and lowest allowed priority.
pub const PRIORITY_RANGE: std::ops::RangeInclusive<u8> = 1..=9;

pub fn check_priority(priority: u8) -> RuleResult<()> {
    if PRIORITY_RANGE.contains(&priority) {
        Ok(())
    } else {
        Err(PlanError::PriorityOutOfRange { priority })
    }
}

/// Lists up to ten known ids for an error message.
pub fn known_list<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    match ids.len() {
        0 => "none yet".to_string(),
        n if n <= 10 => ids.join(", "),
        n => format!("{} … {} ({n} in all)", ids[..5].join(", "), ids[n - 1]),
    }
}

fn known_tasks(plan: &Plan) -> String {
    known_list(plan.tasks.iter().map(|t| t.id.as_str()))
}

/// Resolves a task id typed by the user (`3` → `003`) to an existing task's id.
pub fn resolve_task(plan: &Plan, id: &str) -> RuleResult<String> {
    let id = normalize_task_id(id);
    if plan.task(&id).is_some() {
        return Ok(id);
    }
    Err(PlanError::UnknownTask { id, known: known_tasks(plan) })
}

/// The existing task a typed id names, to change it.
pub(super) fn resolve_task_mut<'p>(plan: &'p mut Plan, id: &str) -> RuleResult<&'p mut Task> {
    let id = normalize_task_id(id);
    match plan.tasks.iter().position(|t| t.id == id) {
        Some(i) => Ok(&mut plan.tasks[i]),
        None => Err(PlanError::UnknownTask { id, known: known_tasks(plan) }),
    }
}

/// Resolves a milestone id (`M2`, `m2`, `2`) to an existing milestone's id.
pub fn resolve_milestone(plan: &Plan, id: &str) -> RuleResult<String> {
    let id = normalize_milestone_id(id);
    if plan.milestone(&id).is_some() {
        return Ok(id);
    }
    Err(PlanError::UnknownMilestone {
        id,
        known: known_list(plan.milestones.iter().map(|m| m.id.as_str())),
    })
}

/// Checks that every id is an assertion of the contract.
pub fn check_assertions(ids: &[String], contract: &[String]) -> RuleResult<()> {
    match ids.iter().find(|id| !contract.contains(id)) {
        None => Ok(()),
        Some(id) => Err(PlanError::UnknownAssertion {
            id: id.clone(),
            known: known_list(contract.iter().map(String::as_str)),
        }),
    }
}

/// Resolves dependency ids of task `of` (which may not exist yet): each must be an
/// existing task other than `of` itself.
pub fn resolve_depends(plan: &Plan, of: &str, depends: &[String]) -> RuleResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for d in depends {
        let id = match resolve_task(plan, d) {
            Ok(id) => id,
            Err(PlanError::UnknownTask { id, known }) => {
                return Err(PlanError::UnknownDependency { id, known });
            }
            Err(e) => return Err(e),
        };
        if id == of {
            return Err(PlanError::SelfDependency { id });
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Fails when the plan's dependencies contain a cycle, naming it.
pub fn check_no_cycle(plan: &Plan) -> RuleResult<()> {
    match find_cycle(plan) {
        None => Ok(()),
        Some(cycle) => Err(PlanError::DependencyCycle { cycle }),
    }
}

/// Splits a comma-separated list (`"001, 002"`), dropping empty items.
pub fn split_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Rejects empty (or all-blank) text for a required field.
pub fn check_not_blank(field: &'static str, value: &str) -> RuleResult<()> {
    if value.trim().is_empty() { Err(PlanError::Blank { field }) } else { Ok(()) }
}

/// A title: not blank, and one line. Control characters (C0 with newline, CR and tab, DEL,
/// C1) and the Unicode line and paragraph separators are refused, because titles are
/// quoted inline in prompts, headings and table rows where a line break forges structure.
pub fn check_title(field: &'static str, value: &str) -> RuleResult<()> {
    check_not_blank(field, value)?;
    match value.chars().find(|&c| c.is_control() || c == '\u{2028}' || c == '\u{2029}') {
        Some(ch) => Err(PlanError::ControlCharacter { field, ch }),
        None => Ok(()),
    }
}
