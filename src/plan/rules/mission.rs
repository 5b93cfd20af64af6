//! Mission, milestone and assertion transitions: `mission set`, `milestone create`,
//! `mission plan-complete` and recorded assertion results.
use jiff::Timestamp;

use super::super::events::{Event, EventKind};
use super::super::model::*;
use super::assertion_milestone;
use super::checks::*;
use super::errors::PlanError;

/// Creates the mission in `planning`, or updates the title (and the description, when
/// given) of the existing one. Never touches milestones or tasks.
pub fn set_mission(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    title: &str,
    description: Option<&str>,
    now: Timestamp,
) -> RuleResult<()> {
    check_title("title", title)?;
    match &mut plan.mission {
        Some(m) => {
            m.title = title.to_string();
            if let Some(d) = description {
                m.description = d.to_string();
            }
        }
        None => {
            plan.mission = Some(Mission {
                title: title.to_string(),
                description: description.unwrap_or_default().to_string(),
                status: MissionStatus::Planning,
                created: now,
                activated: None,
                completed: None,
            });
        }
    }
    events.push(Event::new(now, EventKind::MissionSet).with("title", title));
    Ok(())
}

/// Creates milestone `M<sequence>`, `locked` until the plan is completed.
pub fn create_milestone(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    title: &str,
    sequence: u32,
    description: Option<&str>,
    now: Timestamp,
) -> RuleResult<String> {
    check_title("title", title)?;
    if sequence == 0 {
        return Err(PlanError::SequenceZero);
    }
    if let Some(m) = plan.milestones.iter().find(|m| m.sequence == sequence) {
        let used: Vec<String> = plan.milestones.iter().map(|m| m.sequence.to_string()).collect();
        return Err(PlanError::SequenceTaken {
            sequence,
            by: m.id.clone(),
            title: m.title.clone(),
            used: used.join(", "),
        });
    }
    let id = format!("M{sequence}");
    plan.milestones.push(Milestone {
        id: id.clone(),
        title: title.to_string(),
        sequence,
        description: description.unwrap_or_default().to_string(),
        status: MilestoneStatus::Locked,
        created: now,
        validation: None,
    });
    plan.milestones.sort_by_key(|m| m.sequence);
    events.push(Event::new(now, EventKind::MilestoneCreated).milestone(&id).with("title", title));
    Ok(id)
}

/// Why planning cannot be completed yet: uncovered assertions, milestones without a task
/// (in contract and sequence order), and dependencies on a later milestone. Empty when the plan is ready.
pub fn plan_complete_problems(plan: &Plan, contract: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    if plan.milestones.is_empty() {
        problems.push("there are no milestones".to_string());
    }
    for id in contract {
        if assertion_milestone(plan, id).is_none() {
            problems.push(format!("{id} is not covered by any task"));
        }
    }
    for m in &plan.milestones {
        let has_task = plan
            .tasks
            .iter()
            .any(|t| t.status != TaskStatus::Cancelled && t.milestone.as_deref() == Some(&m.id));
        if !has_task {
            problems.push(format!("milestone {} has no task", m.id));
        }
    }
    problems.extend(later_milestone_dependencies(plan, None).iter().map(ToString::to_string));
    problems
}

/// `mission plan-complete`: mission `planning` → `active`, the lowest-sequence milestone
/// `active`, the rest `locked`. Refuses while [`plan_complete_problems`] finds any, unless
/// `force`. Returns the id of the milestone made active.
pub fn plan_complete(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    contract: &[String],
    force: bool,
    now: Timestamp,
) -> RuleResult<String> {
    let Some(mission) = &plan.mission else {
        return Err(PlanError::NoMission);
    };
    if mission.status != MissionStatus::Planning {
        return Err(PlanError::NotPlanning { status: mission.status });
    }
    let problems = plan_complete_problems(plan, contract);
    let Some(first) = plan.milestones.iter().map(|m| m.sequence).min() else {
        return Err(PlanError::NoMilestones);
    };
    if !problems.is_empty() && !force {
        return Err(PlanError::PlanNotReady { problems });
    }
    let mut active = String::new();
    for m in &mut plan.milestones {
        if m.sequence == first {
            m.status = MilestoneStatus::Active;
            active = m.id.clone();
        } else {
            m.status = MilestoneStatus::Locked;
        }
    }
    if let Some(m) = &mut plan.mission {
        m.status = MissionStatus::Active;
        m.activated = Some(now);
    }
    let mut ev = Event::new(now, EventKind::PlanCompleted).milestone(&active);
    if force && !problems.is_empty() {
        ev = ev.with("forced", true).with("problems", problems);
    }
    events.push(ev);
    Ok(active)
}

/// One reported assertion result.
#[derive(Debug, Clone)]
pub struct AssertionReport {
    pub id: String,
    pub status: AssertionStatus,
    pub evidence: String,
    /// Pane title, `validate run` or `user`.
    pub reporter: String,
}

/// Records a reported assertion result (`validate assert`, `validate run`).
pub fn report_assertion(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    report: &AssertionReport,
    contract: &[String],
    now: Timestamp,
) -> RuleResult<()> {
    let AssertionReport { id, status, evidence, reporter } = report;
    let (id, status) = (id.as_str(), *status);
    check_assertions(&[id.to_string()], contract)?;
    plan.assertions.insert(
        id.to_string(),
        AssertionResult {
            status,
            evidence: evidence.clone(),
            reporter: Some(reporter.clone()),
            updated: now,
            seq: Some(plan.seq),
        },
    );
    let mut ev = Event::new(now, EventKind::AssertionReported)
        .assertion(id)
        .pane(reporter.as_str())
        .with("status", status.as_str());
    if let Some(m) = assertion_milestone(plan, id) {
        ev = ev.milestone(m);
    }
    events.push(ev);
    Ok(())
}
