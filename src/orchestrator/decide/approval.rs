//! Approval questions on the panes: yes when a pane asks to run one of the reporting
//! commands its prompt asked for (`tmux-ide task done <its task>`, `tmux-ide validate
//! assert <an assertion of its round>`, `tmux-ide agent …`), else the lead is told once.
//! Pure: the run loop reads the questions off the screens and applies the actions.
use super::Action;
use crate::agent::approval::{ApprovalRequest, Reporting, reporting};
use crate::orchestrator::world::PaneView;
use crate::plan::{MilestoneStatus, Plan, TaskStatus};

/// A question a pane shows on this tick.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub pane: &'a PaneView,
    pub request: &'a ApprovalRequest,
    /// ide.yml lets the orchestrator answer it (`orchestrator.auto_approve` and the
    /// profile's `auto_approve`).
    pub auto_approve: bool,
    /// Already answered or reported while it has been on screen.
    pub handled: bool,
}

/// What to do about each question not handled yet.
pub fn approvals(plan: &Plan, questions: &[Question]) -> Vec<Action> {
    let mut actions = Vec::new();
    for q in questions.iter().filter(|q| !q.handled) {
        let title = &q.pane.title;
        let command = &q.request.command;
        let granted = match reporting(command) {
            Some(r) if q.auto_approve => grants(plan, title, &r),
            _ => None,
        };
        match granted {
            Some(task) => actions.push(Action::Approve {
                pane: q.pane.id.clone(),
                pane_title: title.clone(),
                question: q.request.question.to_string(),
                command: command.clone(),
                task,
            }),
            None => {
                actions.push(Action::ApprovalNeeded {
                    pane: q.pane.id.clone(),
                    pane_title: title.clone(),
                    question: q.request.question.to_string(),
                    command: command.clone(),
                });
                actions.push(Action::NotifyLead {
                    text: format!(
                        "Pane \"{title}\" ({}) is waiting for an answer: \"{}\" about `{command}`.",
                        q.pane.id, q.request.question
                    ),
                });
            }
        }
    }
    actions
}

/// `Some(task it reports for, if any)` when `title`'s prompt asked for `r`.
fn grants(plan: &Plan, title: &str, r: &Reporting) -> Option<Option<String>> {
    match r {
        Reporting::Agent => Some(None),
        // Done too: Aider asks about adding the output after the report went through.
        Reporting::TaskDone(id) => plan
            .tasks
            .iter()
            .any(|t| {
                t.id == *id
                    && matches!(t.status, TaskStatus::InProgress | TaskStatus::Done)
                    && t.assignee.as_deref() == Some(title)
            })
            .then(|| Some(id.clone())),
        // Done too, as for a task: Aider asks about the output of the round's last report
        // once it has passed the milestone.
        Reporting::ValidateAssert(id) => plan
            .milestones
            .iter()
            .filter(|m| matches!(m.status, MilestoneStatus::Validating | MilestoneStatus::Done))
            .filter_map(|m| m.validation.as_ref())
            .any(|v| v.pane.as_deref() == Some(title) && v.assertions.contains(id))
            .then_some(None),
    }
}

#[cfg(test)]
#[path = "approval_tests.rs"]
mod tests;
