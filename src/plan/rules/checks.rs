//! Input checks shared by the transitions: known ids, priority range, one-line titles, no
//! cycles. Each failure is a [`PlanError`] naming the value and what is allowed.
use super::super::model::{
    MilestoneStatus, Plan, Task, TaskStatus, normalize_milestone_id, normalize_task_id,
};
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

/// Every dependency on a task of a later milestone (higher sequence), in task order; with
/// `of`, only those where task `of` is either end. Such a task can never start: milestones
/// unlock in sequence, and the later one waits for this one to finish.
pub fn later_milestone_dependencies(plan: &Plan, of: Option<&str>) -> Vec<PlanError> {
    // The pairs to check first, without a lookup: with `of` (every `task create`) they
    // are a handful, looked up directly; the index is built only for many.
    let pairs: Vec<(&Task, &str)> = plan
        .tasks
        .iter()
        .filter(|t| t.status != TaskStatus::Cancelled)
        .flat_map(|t| {
            t.depends
                .iter()
                .filter(move |d| of.is_none_or(|of| of == t.id || of == d.as_str()))
                .map(move |d| (t, d.as_str()))
        })
        .collect();
    // Looked up through an index beyond a few: a check of the whole plan stays linear.
    let index = (pairs.len() > 16).then(|| super::TaskIndex::new(plan));
    let task = |id: &str| index.as_ref().map_or_else(|| plan.task(id), |i| i.task(id));
    let sequence = |t: &Task| {
        let id = t.milestone.as_deref()?;
        let m = index.as_ref().map_or_else(|| plan.milestone(id), |i| i.milestone(id))?;
        Some((m.id.as_str(), m.sequence))
    };
    let mut found = Vec::new();
    for (from, dep) in pairs {
        let Some((milestone, seq)) = sequence(from) else { continue };
        let Some(dep) = task(dep) else { continue };
        match sequence(dep) {
            Some((dep_milestone, dep_seq)) if dep_seq > seq => {
                found.push(PlanError::DependsOnLaterMilestone {
                    id: from.id.clone(),
                    milestone: milestone.to_string(),
                    dep: dep.id.clone(),
                    dep_milestone: dep_milestone.to_string(),
                });
            }
            _ => {}
        }
    }
    found
}

/// Refuses a plan where task `id` depends on, or is depended on across, a later milestone.
pub fn check_dependency_order(plan: &Plan, id: &str) -> RuleResult<()> {
    match later_milestone_dependencies(plan, Some(id)).into_iter().next() {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// A task can be claimed only when the orchestrator could dispatch it: its milestone (if
/// any) is not locked and every task it depends on is done.
pub fn check_claimable(plan: &Plan, task: &Task) -> RuleResult<()> {
    if let Some(m) = task.milestone.as_deref().and_then(|m| plan.milestone(m))
        && m.status == MilestoneStatus::Locked
    {
        return Err(PlanError::MilestoneNotActive {
            id: task.id.clone(),
            milestone: m.id.clone(),
            status: m.status,
        });
    }
    let waiting: Vec<String> = task
        .depends
        .iter()
        .filter_map(|d| plan.task(d))
        .filter(|d| d.status != TaskStatus::Done)
        .map(|d| format!("{} ({})", d.id, d.status.as_str()))
        .collect();
    if waiting.is_empty() {
        Ok(())
    } else {
        Err(PlanError::DependenciesNotDone { id: task.id.clone(), waiting })
    }
}

/// A pane named by title must be one of `known` (the titles in ide.yml).
pub fn check_pane(pane: &str, known: &[String]) -> RuleResult<()> {
    if known.iter().any(|k| k == pane) {
        Ok(())
    } else {
        Err(PlanError::UnknownPane {
            pane: pane.to_string(),
            known: known_list(known.iter().map(String::as_str)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{now, plan_with};
    use super::super::*;
    use crate::plan::model::{MilestoneStatus, Plan};

    fn task(plan: &mut Plan, milestone: &str, depends: &[&str]) -> RuleResult<String> {
        let new = NewTask {
            title: "t".into(),
            milestone: Some(milestone.into()),
            priority: 1,
            depends: depends.iter().map(|s| s.to_string()).collect(),
            ..NewTask::default()
        };
        create_task(plan, &mut Vec::new(), new, &[], now())
    }

    fn seeded() -> Plan {
        let mut plan = plan_with(&[
            (1, MilestoneStatus::Active),
            (2, MilestoneStatus::Locked),
            (3, MilestoneStatus::Locked),
        ]);
        task(&mut plan, "M1", &[]).unwrap();
        task(&mut plan, "M2", &["001"]).unwrap();
        task(&mut plan, "M3", &[]).unwrap();
        plan
    }

    fn later(id: &str, m: &str, dep: &str, dm: &str) -> PlanError {
        PlanError::DependsOnLaterMilestone {
            id: id.into(),
            milestone: m.into(),
            dep: dep.into(),
            dep_milestone: dm.into(),
        }
    }

    #[test]
    fn a_task_cannot_be_created_or_updated_to_wait_on_a_later_milestone() {
        let mut plan = seeded();
        assert_eq!(task(&mut plan, "M1", &["003"]), Err(later("004", "M1", "003", "M3")));
        let depends = TaskChanges { depends: Some(vec!["003".into()]), ..Default::default() };
        let err = update_task(&mut plan, &mut Vec::new(), "001", depends, &[], now());
        assert_eq!(err, Err(later("001", "M1", "003", "M3")));
        // Moving the task depended on to a later milestone is the same deadlock.
        let moved = TaskChanges { milestone: Some("M3".into()), ..Default::default() };
        let err = update_task(&mut plan, &mut Vec::new(), "001", moved, &[], now());
        assert_eq!(err, Err(later("002", "M2", "001", "M3")));
        assert_eq!(task(&mut plan, "M3", &["001", "002"]), Ok("004".into()));
    }

    #[test]
    fn plan_complete_names_every_dependency_on_a_later_milestone() {
        let mut plan = seeded();
        plan.task_mut("001").unwrap().depends = vec!["003".into()];
        assert_eq!(later_milestone_dependencies(&plan, None), [later("001", "M1", "003", "M3")]);
        let problems = plan_complete_problems(&plan, &[]);
        assert!(
            problems.iter().any(|p| p.starts_with("task 001 (M1) cannot depend on 003 (M3)")),
            "{problems:?}"
        );
    }

    #[test]
    fn the_check_of_one_task_finds_what_the_whole_plan_check_finds_at_that_task() {
        // Few pairs (looked up directly) and many (through the index) give the same answer.
        for n in [3, 40] {
            let mut plan = seeded();
            for i in 0..n {
                let mut t = Task::new(format!("{:03}", 100 + i), "t", now());
                t.milestone = Some("M1".into());
                t.depends = vec!["003".into(), "001".into(), "404".into()];
                plan.tasks.push(t);
            }
            plan.task_mut("001").unwrap().depends = vec!["002".into()];
            let all = later_milestone_dependencies(&plan, None);
            assert_eq!(all.len(), n + 1, "{all:?}");
            for id in ["003", "002", "100", "001", "404"] {
                let want: Vec<PlanError> = all
                    .iter()
                    .filter(|e| matches!(e, PlanError::DependsOnLaterMilestone { id: a, dep: b, .. } if a == id || b == id))
                    .cloned()
                    .collect();
                assert_eq!(later_milestone_dependencies(&plan, Some(id)), want, "{id}, {n} tasks");
            }
        }
    }

    #[test]
    fn a_task_is_claimable_only_in_an_unlocked_milestone_with_its_dependencies_done() {
        let mut plan = seeded();
        let claim = |plan: &mut Plan, id: &str| claim_task(plan, &mut Vec::new(), id, "P", now());
        let locked = PlanError::MilestoneNotActive {
            id: "002".into(),
            milestone: "M2".into(),
            status: MilestoneStatus::Locked,
        };
        assert_eq!(claim(&mut plan, "002"), Err(locked));
        plan.milestones[1].status = MilestoneStatus::Active;
        let waiting =
            PlanError::DependenciesNotDone { id: "002".into(), waiting: vec!["001 (todo)".into()] };
        assert_eq!(claim(&mut plan, "002"), Err(waiting));
        assert_eq!(claim(&mut plan, "001"), Ok("001".into()));
        plan.task_mut("001").unwrap().status = TaskStatus::Done;
        assert_eq!(claim(&mut plan, "002"), Ok("002".into()));
    }

    #[test]
    fn a_pane_must_be_one_of_the_layout() {
        let known = ["Lead".to_string(), "Backend".to_string()];
        assert_eq!(check_pane("Backend", &known), Ok(()));
        assert_eq!(
            check_pane("Nobody", &known).unwrap_err().to_string(),
            "unknown pane \"Nobody\" (panes in ide.yml: Lead, Backend)"
        );
    }
}
