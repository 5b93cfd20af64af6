//! Validation results of one milestone's assertions (the seed's `validate report`), and
//! the verdict its `Status:` line states.
use jiff::Timestamp;
use serde::Serialize;

use crate::contract::Contract;
use crate::plan::rules::milestone_assertions;
use crate::plan::{AssertionStatus, MilestoneStatus, Plan, TaskStatus};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    /// Milestone id (`M2`), or empty for a report over explicit assertion ids.
    pub milestone: String,
    pub title: String,
    pub rows: Vec<ValidationRow>,
    pub passing: usize,
    pub failing: usize,
    pub pending: usize,
    pub total: usize,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationRow {
    pub id: String,
    /// The assertion's text in the contract.
    pub text: String,
    pub status: AssertionStatus,
    /// The full reported evidence (empty when never reported).
    pub evidence: String,
    pub reporter: Option<String>,
    pub updated: Option<Timestamp>,
    /// Open (todo / in progress) remediation tasks for this assertion.
    pub remediation: Vec<String>,
}

/// What the `Status:` line says after `N/M passing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No assertion is checked here.
    Empty,
    /// Every assertion passes.
    AllPassing,
    /// At least one fails: remediation is (or is about to be) under way.
    RemediationInProgress,
    /// None fails, some are not reported yet.
    Pending,
}

/// The report for milestone `id` (assertions in contract order).
pub fn validation(plan: &Plan, contract: &Contract, id: &str) -> ValidationReport {
    let all = contract.ids();
    let ids: Vec<String> =
        milestone_assertions(plan, id, &all).into_iter().map(str::to_string).collect();
    let title = plan.milestone(id).map(|m| m.title.clone()).unwrap_or_default();
    report_for(plan, contract, id, &title, &ids)
}

/// The report over the given assertion ids, under a heading of your choice.
pub fn report_for(
    plan: &Plan,
    contract: &Contract,
    milestone: &str,
    title: &str,
    ids: &[String],
) -> ValidationReport {
    let rows: Vec<ValidationRow> = ids
        .iter()
        .map(|id| {
            let result = plan.assertions.get(id);
            let remediation = plan
                .tasks
                .iter()
                .filter(|t| {
                    t.remediation_for.as_deref() == Some(id)
                        && matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress)
                })
                .map(|t| t.id.clone())
                .collect();
            ValidationRow {
                id: id.clone(),
                text: contract.get(id).map(|a| a.text.clone()).unwrap_or_default(),
                status: plan.assertion_status(id),
                evidence: result.map(|r| r.evidence.clone()).unwrap_or_default(),
                reporter: result.and_then(|r| r.reporter.clone()),
                updated: result.map(|r| r.updated),
                remediation,
            }
        })
        .collect();
    let count = |s| rows.iter().filter(|r| r.status == s).count();
    let (passing, failing, pending) = (
        count(AssertionStatus::Passing),
        count(AssertionStatus::Failing),
        count(AssertionStatus::Pending),
    );
    let total = rows.len();
    let verdict = if total == 0 {
        Verdict::Empty
    } else if failing > 0 {
        Verdict::RemediationInProgress
    } else if pending > 0 {
        Verdict::Pending
    } else {
        Verdict::AllPassing
    };
    ValidationReport {
        milestone: milestone.to_string(),
        title: title.to_string(),
        rows,
        passing,
        failing,
        pending,
        total,
        verdict,
    }
}

/// The milestone `validate report` shows by default: the active or validating one; else
/// the last done one when all are done; else the first by sequence.
pub fn default_milestone(plan: &Plan) -> Option<String> {
    if let Some(m) = plan.current_milestone() {
        return Some(m.id.clone());
    }
    let mut ms: Vec<_> = plan.milestones.iter().collect();
    ms.sort_by_key(|m| m.sequence);
    if !ms.is_empty() && ms.iter().all(|m| m.status == MilestoneStatus::Done) {
        return ms.last().map(|m| m.id.clone());
    }
    ms.first().map(|m| m.id.clone())
}
