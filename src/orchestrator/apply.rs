//! Carrying out `decide`'s actions: every change goes through the store under its lock
//! (re-checked there, so a stale decision is dropped, never applied twice), and only then
//! is a prompt sent. The assignment is on disk before any text reaches a pane.
use jiff::Timestamp;

use super::decide::{Action, Remediation};
use super::deliver::{Delivery, Purpose};
use super::gather;
use super::run::Runner;
use super::world::{PaneView, Role};
use crate::plan::rules;
use crate::plan::{Event, MilestoneStatus, MissionStatus, Task, TaskStatus, ValidationRound};
use crate::{Error, Result};

impl Runner {
    /// Applies one action; returns whether anything changed.
    pub(crate) fn apply(
        &mut self,
        action: &Action,
        panes: &[PaneView],
        now: Timestamp,
    ) -> Result<bool> {
        match action {
            Action::Dispatch { task, pane, pane_title } => {
                self.dispatch(task, pane, pane_title, now)
            }
            Action::StartValidation { milestone, round, pane, pane_title, assertions } => {
                self.start_validation(milestone, *round, pane, pane_title, assertions, now)
            }
            Action::MilestoneDone { milestone, next } => {
                self.milestone_done(milestone, next.as_deref(), now)
            }
            Action::ValidationFailed { milestone, remediations } => {
                self.validation_failed(milestone, remediations, now)
            }
            Action::MissionComplete => self.mission_complete(now),
            Action::NotifyLead { text } => {
                self.notify_lead(panes, text)?;
                Ok(false)
            }
            Action::AgentExited { pane_title, task } => self.agent_exited(pane_title, task, now),
            Action::Stall { task, pane_title } => {
                self.stalls_reported.insert(task.clone());
                let event = Event::new(now, "stall_detected").task(task).pane(pane_title);
                self.store.append_events(&[event])?;
                // One nudge: the agent may be waiting for a word, or have forgotten to report.
                if let Some(pane) = panes.iter().find(|p| &p.title == pane_title) {
                    self.pending.push(Delivery {
                        pane: pane.id.clone(),
                        title: pane.title.clone(),
                        text: nudge_text(task),
                        purpose: Purpose::Nudge { task: task.clone() },
                    });
                }
                Ok(false)
            }
        }
    }

    /// The agent of `title` exited mid-task: the task goes back to `todo` (assignee and
    /// start cleared) so another pane takes it, recorded as `task_returned`.
    fn agent_exited(&mut self, title: &str, task: &str, now: Timestamp) -> Result<bool> {
        self.exited_reported.insert(title.to_string());
        self.store.update(|plan, events| {
            events.push(Event::new(now, "agent_exited").task(task).pane(title));
            let Some(t) = plan.task_mut(task) else { return Ok(false) };
            if t.status != TaskStatus::InProgress || t.assignee.as_deref() != Some(title) {
                return Ok(false);
            }
            t.status = TaskStatus::Todo;
            t.assignee = None;
            t.started = None;
            events.push(
                Event::new(now, "task_returned")
                    .task(task)
                    .pane(title)
                    .with("reason", "agent_exited"),
            );
            Ok(true)
        })
    }

    fn dispatch(&mut self, task: &str, pane: &str, title: &str, now: Timestamp) -> Result<bool> {
        let claimed = self.store.update(|plan, events| {
            let Some(t) = plan.task(task) else { return Ok(None) };
            let busy = plan.tasks.iter().any(|o| {
                o.status == TaskStatus::InProgress && o.assignee.as_deref() == Some(title)
            });
            if !rules::is_ready(plan, t) || busy {
                return Ok(None);
            }
            let t = plan.task_mut(task).ok_or_else(|| Error::failed("task vanished"))?;
            t.status = TaskStatus::InProgress;
            t.assignee = Some(title.to_string());
            t.started = Some(now);
            events.push(
                Event::new(now, "task_dispatched").task(task).pane(title).with("pane_id", pane),
            );
            Ok(Some(plan.clone()))
        })?;
        let Some(plan) = claimed else { return Ok(false) };
        let text = gather::task_prompt(&self.project, &plan, task, &self.contract)?;
        self.deliver(pane, title, text, Some(task), now)?;
        Ok(true)
    }

    fn start_validation(
        &mut self,
        milestone: &str,
        round: u32,
        pane: &str,
        title: &str,
        assertions: &[String],
        now: Timestamp,
    ) -> Result<bool> {
        let started = self.store.update(|plan, events| {
            let plan_seq = plan.seq;
            let Some(m) = plan.milestone_mut(milestone) else { return Ok(None) };
            let already = m.status == MilestoneStatus::Validating
                && m.validation.as_ref().is_some_and(|v| v.pane.is_some());
            if already || m.status == MilestoneStatus::Done || m.status == MilestoneStatus::Locked {
                return Ok(None);
            }
            m.status = MilestoneStatus::Validating;
            m.validation = Some(ValidationRound {
                round,
                started: now,
                seq: Some(plan_seq),
                pane: Some(title.to_string()),
                assertions: assertions.to_vec(),
            });
            events.push(
                Event::new(now, "milestone_validating").milestone(milestone).with("round", round),
            );
            events.push(
                Event::new(now, "validation_dispatched")
                    .milestone(milestone)
                    .pane(title)
                    .with("pane_id", pane)
                    .with("round", round)
                    .with("assertions", assertions.to_vec()),
            );
            Ok(Some(plan.clone()))
        })?;
        let Some(plan) = started else { return Ok(false) };
        let text = gather::validation_prompt(
            &self.project,
            &plan,
            milestone,
            round,
            assertions,
            &self.contract,
        )?;
        self.deliver(pane, title, text, None, now)?;
        Ok(true)
    }

    fn milestone_done(
        &mut self,
        milestone: &str,
        next: Option<&str>,
        now: Timestamp,
    ) -> Result<bool> {
        self.store.update(|plan, events| {
            let Some(m) = plan.milestone_mut(milestone) else { return Ok(false) };
            if m.status == MilestoneStatus::Done {
                return Ok(false);
            }
            m.status = MilestoneStatus::Done;
            events.push(Event::new(now, "milestone_done").milestone(milestone));
            if let Some(next) = next
                && let Some(n) = plan.milestone_mut(next)
                && n.status == MilestoneStatus::Locked
            {
                n.status = MilestoneStatus::Active;
                events.push(Event::new(now, "milestone_activated").milestone(next));
            }
            Ok(true)
        })
    }

    fn validation_failed(
        &mut self,
        milestone: &str,
        remediations: &[Remediation],
        now: Timestamp,
    ) -> Result<bool> {
        self.store.update(|plan, events| {
            let Some(m) = plan.milestone(milestone) else { return Ok(false) };
            if m.status != MilestoneStatus::Validating {
                return Ok(false);
            }
            let failing: Vec<String> = m
                .validation
                .iter()
                .flat_map(|v| v.assertions.iter())
                .filter(|a| plan.assertion_status(a) == crate::plan::AssertionStatus::Failing)
                .cloned()
                .collect();
            for r in remediations {
                let open = plan.tasks.iter().any(|t| {
                    t.remediation_for.as_deref() == Some(r.assertion.as_str())
                        && matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress)
                });
                if open {
                    continue;
                }
                let id = plan.next_task_id()?;
                plan.tasks.push(remediation_task(&id, milestone, r, now));
                events.push(Event::new(now, "task_created").task(&id).milestone(milestone));
                events.push(
                    Event::new(now, "remediation_created")
                        .task(&id)
                        .milestone(milestone)
                        .assertion(&r.assertion),
                );
            }
            if let Some(m) = plan.milestone_mut(milestone) {
                m.status = MilestoneStatus::Active;
            }
            events.push(
                Event::new(now, "milestone_validation_failed")
                    .milestone(milestone)
                    .with("failing", failing),
            );
            Ok(true)
        })
    }

    fn mission_complete(&mut self, now: Timestamp) -> Result<bool> {
        let done = self.store.update(|plan, events| {
            let Some(mission) = plan.mission.as_mut() else { return Ok(None) };
            if mission.status == MissionStatus::Complete {
                return Ok(None);
            }
            mission.status = MissionStatus::Complete;
            mission.completed = Some(now);
            let metrics = final_metrics(plan, now);
            events.push(Event::new(now, "mission_complete").with("metrics", metrics.clone()));
            Ok(Some(metrics))
        })?;
        Ok(done.is_some())
    }

    /// Tells the lead pane (the `master_pane`, else the pane with role lead) something.
    pub(crate) fn notify_lead(&mut self, panes: &[PaneView], text: &str) -> Result<()> {
        let lead = self
            .master_pane
            .as_deref()
            .and_then(|m| panes.iter().find(|p| p.title == m))
            .or_else(|| panes.iter().find(|p| p.role == Role::Lead));
        let Some(lead) = lead else { return Ok(()) };
        self.pending.push(Delivery {
            pane: lead.id.clone(),
            title: lead.title.clone(),
            text: format!("[tmux-ide] {text}"),
            purpose: Purpose::Notice(text.to_string()),
        });
        Ok(())
    }

    /// Saves the prompt under `.tmux-ide/run/prompts/` and queues it for delivery.
    fn deliver(
        &mut self,
        pane: &str,
        title: &str,
        text: String,
        task: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let dir = self.project.run_dir().join("prompts");
        let stamp = now.strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
        let name = format!("{stamp}-{}.md", task.unwrap_or("validation"));
        crate::project::write_file(&self.project.root, &dir.join(name), text.as_bytes())?;
        self.pending.push(Delivery {
            pane: pane.to_string(),
            title: title.to_string(),
            text,
            purpose: Purpose::Prompt { task: task.map(str::to_string) },
        });
        Ok(())
    }
}

/// The one nudge a stalled task's pane gets.
pub(crate) fn nudge_text(task: &str) -> String {
    format!(
        "[tmux-ide] Are you still working on task {task}? When it is done, run: \
tmux-ide task done {task} --proof \"<how you checked it>\" --summary \"<what you did>\""
    )
}

fn remediation_task(id: &str, milestone: &str, r: &Remediation, now: Timestamp) -> Task {
    Task {
        id: id.to_string(),
        title: r.title.clone(),
        description: r.description.clone(),
        milestone: Some(milestone.to_string()),
        specialty: r.specialty.clone(),
        priority: 1,
        goal: None,
        depends: Vec::new(),
        fulfills: vec![r.assertion.clone()],
        assignee: None,
        status: TaskStatus::Todo,
        proof: None,
        summary: None,
        remediation_for: Some(r.assertion.clone()),
        created: now,
        started: None,
        finished: None,
    }
}

/// The figures recorded with `mission_complete`.
fn final_metrics(plan: &crate::plan::Plan, now: Timestamp) -> serde_json::Value {
    let counts = crate::report::metrics::task_counts(plan);
    let started = plan.mission.as_ref().and_then(|m| m.activated);
    serde_json::json!({
        "tasks_done": counts.done,
        "tasks_cancelled": counts.cancelled,
        "remediations": plan.tasks.iter().filter(|t| t.remediation_for.is_some()).count(),
        "milestones": plan.milestones.len(),
        "validation_rounds": plan.milestones.iter().filter_map(|m| m.validation.as_ref()).map(|v| v.round).sum::<u32>(),
        "duration_s": started.map(|s| (now.as_millisecond() - s.as_millisecond()) as f64 / 1000.0),
    })
}
