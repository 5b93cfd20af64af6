//! Contract coverage: which (non-cancelled) tasks fulfil each assertion of the contract.
use serde::Serialize;

use crate::contract::Contract;
use crate::plan::rules::id_order;
use crate::plan::{Plan, TaskStatus};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// One row per assertion, in contract order.
    pub assertions: Vec<CoverageRow>,
    pub covered: usize,
    pub total: usize,
    /// Rounded half up; 100 for an empty contract.
    pub percent: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageRow {
    pub id: String,
    pub text: String,
    /// Ids of the tasks that fulfil it, in id order; empty = not covered.
    pub covered_by: Vec<String>,
}

pub fn coverage(plan: &Plan, contract: &Contract) -> Coverage {
    let assertions: Vec<CoverageRow> = contract
        .assertions
        .iter()
        .map(|a| {
            let mut covered_by: Vec<String> = plan
                .tasks
                .iter()
                .filter(|t| t.status != TaskStatus::Cancelled && t.fulfills.contains(&a.id))
                .map(|t| t.id.clone())
                .collect();
            covered_by.sort_by(|x, y| id_order(x, y));
            CoverageRow { id: a.id.clone(), text: a.text.clone(), covered_by }
        })
        .collect();
    let covered = assertions.iter().filter(|r| !r.covered_by.is_empty()).count();
    let total = assertions.len();
    Coverage { assertions, covered, total, percent: super::percent(covered, total) }
}

impl Coverage {
    pub fn complete(&self) -> bool {
        self.covered == self.total
    }
}
