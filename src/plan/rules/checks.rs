//! Input checks shared by the transitions: known ids, priority range, no cycles. Each
//! failure is one bad-input line naming the value and what is allowed.
use super::super::model::{Plan, normalize_milestone_id, normalize_task_id};
use super::find_cycle;
use crate::{Error, Result};

/// Highest and lowest allowed priority.
pub const PRIORITY_RANGE: std::ops::RangeInclusive<u8> = 1..=9;

pub fn check_priority(priority: u8) -> Result<()> {
    if PRIORITY_RANGE.contains(&priority) {
        Ok(())
    } else {
        Err(Error::bad_input(format!(
            "priority {priority} is out of range (allowed: 1..=9, 1 = highest)"
        )))
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

/// Resolves a task id typed by the user (`3` → `003`) to an existing task's id.
pub fn resolve_task(plan: &Plan, id: &str) -> Result<String> {
    let id = normalize_task_id(id);
    if plan.task(&id).is_some() {
        return Ok(id);
    }
    Err(Error::bad_input(format!(
        "unknown task {id:?} (existing tasks: {})",
        known_list(plan.tasks.iter().map(|t| t.id.as_str()))
    )))
}

/// Resolves a milestone id (`M2`, `m2`, `2`) to an existing milestone's id.
pub fn resolve_milestone(plan: &Plan, id: &str) -> Result<String> {
    let id = normalize_milestone_id(id);
    if plan.milestone(&id).is_some() {
        return Ok(id);
    }
    Err(Error::bad_input(format!(
        "unknown milestone {id:?} (existing milestones: {})",
        known_list(plan.milestones.iter().map(|m| m.id.as_str()))
    )))
}

/// Checks that every id is an assertion of the contract.
pub fn check_assertions(ids: &[String], contract: &[String]) -> Result<()> {
    for id in ids {
        if !contract.contains(id) {
            return Err(Error::bad_input(format!(
                "unknown assertion {id:?} (assertions in .tasks/validation-contract.md: {})",
                known_list(contract.iter().map(String::as_str))
            )));
        }
    }
    Ok(())
}

/// Resolves dependency ids of task `of` (which may not exist yet): each must be an
/// existing task other than `of` itself.
pub fn resolve_depends(plan: &Plan, of: &str, depends: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for d in depends {
        let id = resolve_task(plan, d)
            .map_err(|e| Error::bad_input(format!("--depends: {}", e.message)))?;
        if id == of {
            return Err(Error::bad_input(format!(
                "--depends {id}: a task cannot depend on itself (give other task ids)"
            )));
        }
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Fails when the plan's dependencies contain a cycle, naming it.
pub fn check_no_cycle(plan: &Plan) -> Result<()> {
    match find_cycle(plan) {
        None => Ok(()),
        Some(cycle) => Err(Error::bad_input(format!(
            "dependency cycle {} (dependencies must not form a cycle)",
            cycle.join(" → ")
        ))),
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
pub fn check_not_blank(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::bad_input(format!("{what} is empty (give a non-empty {what})")))
    } else {
        Ok(())
    }
}
