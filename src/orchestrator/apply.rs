//! Carrying out `decide`'s actions. This only sequences: every plan change is a rule in
//! `plan::rules` run under the store lock (which re-checks it there, so a stale decision
//! is dropped, never applied twice), and only then is a prompt sent. The assignment is on
//! disk before any text reaches a pane.
use jiff::Timestamp;

use super::decide::Action;
use super::deliver::{Delivery, Purpose};
use super::gather;
use super::run::Runner;
use super::world::{PaneView, Role};
use crate::Result;
use crate::plan::rules::{self, NewRemediation, PaneRef, ReturnReason};
use crate::plan::{Event, EventKind, Plan, TaskStatus};

impl Runner {
    /// Applies one action; returns whether anything changed.
    pub(crate) fn apply(
        &mut self,
        action: &Action,
        panes: &[PaneView],
        now: Timestamp,
    ) -> Result<bool> {
        match action {
            // One way to dispatch: the tick's batch, here a batch of one.
            Action::Dispatch { .. } => {
                self.dispatch_run(std::slice::from_ref(action), panes, now).map(|(_, any)| any)
            }
            Action::ReturnTask { task, pane_title, reason } => {
                if *reason == ReturnReason::PaneRestarted
                    && let Some(pane) = panes.iter().find(|p| &p.title == pane_title)
                {
                    // Its old agent's last report (say `busy`) may still look current.
                    self.observer.forget(&pane.id);
                }
                let policy = self.settings.retry;
                let applied = self.store.update(|plan, events| {
                    let outcome =
                        rules::return_task(plan, events, task, pane_title, *reason, policy, now);
                    Ok(outcome.applied().then(|| plan.clone()))
                })?;
                self.tell_if_blocked(panes, applied.as_ref(), task)?;
                Ok(applied.is_some())
            }
            Action::ReturnValidation { milestone, pane_title, reason } => {
                self.store.update(|plan, events| {
                    let outcome = rules::release_validation(
                        plan, events, milestone, pane_title, *reason, now,
                    );
                    Ok(outcome.applied())
                })
            }
            Action::StartValidation { milestone, round, pane, pane_title, assertions } => {
                let pid = panes.iter().find(|p| &p.id == pane).map_or(0, |p| p.pid);
                let pane_ref = PaneRef { id: pane, title: pane_title, pid };
                let work = format!("validate {milestone}");
                if self.prepare_worktree(panes, pane_title, &work, now)?.is_none() {
                    return Ok(false);
                }
                self.start_validation(milestone, *round, pane_ref, assertions, now)
            }
            Action::MilestoneDone { milestone, next } => {
                self.milestone_done(milestone, next.as_deref(), now)
            }
            Action::ValidationFailed { milestone, remediations } => {
                self.validation_failed(milestone, remediations, now)
            }
            Action::MissionComplete => {
                let complete = self.mission_complete(now)?;
                if complete {
                    self.mission_branch_ready(panes, now)?;
                }
                Ok(complete)
            }
            Action::Budget { level, task, limits } => {
                let kind = match level {
                    crate::plan::rules::budget::BudgetLevel::Exhausted => {
                        EventKind::BudgetExhausted
                    }
                    _ => EventKind::BudgetWarning,
                };
                let mut event = Event::new(now, kind).with("limits", limits.as_str());
                event.task.clone_from(task);
                self.store.append_events(&[event])?;
                Ok(false)
            }
            Action::NotifyLead { text } => {
                self.notify_lead(panes, text)?;
                Ok(false)
            }
            Action::AgentExited { pane_title, task } => {
                let applied = self.agent_exited(pane_title, task, now)?;
                self.tell_if_blocked(panes, applied.as_ref(), task)?;
                Ok(applied.is_some())
            }
            Action::Approve { pane, pane_title, question, command, task } => {
                self.approve(pane, pane_title, question, command, task.as_deref(), now)?;
                Ok(false)
            }
            Action::ApprovalNeeded { pane, pane_title, question, command } => {
                self.observer.handled(pane, question, command);
                let event = Event::new(now, EventKind::ApprovalNeeded)
                    .pane(pane_title)
                    .with("pane_id", pane.as_str())
                    .with("question", question.as_str())
                    .with("command", command.as_str());
                self.store.append_events(&[event])?;
                Ok(false)
            }
            Action::Plan { pane, pane_title } => self.send_planning(pane, pane_title, now),
            Action::Research(r) => self.start_research(r, panes, now),
            Action::Stall { task, pane_title } => {
                self.stalls_reported.insert(task.clone());
                let event = Event::new(now, EventKind::StallDetected).task(task).pane(pane_title);
                self.store.append_events(&[event])?;
                // One nudge: the agent may be waiting for a word, or have forgotten to report.
                if let Some(pane) = panes.iter().find(|p| &p.title == pane_title) {
                    self.pending.push(Delivery {
                        pane: pane.id.clone(),
                        title: pane.title.clone(),
                        text: nudge_text(task),
                        purpose: Purpose::Nudge { task: task.clone() },
                        deferrals: 0,
                    });
                }
                Ok(false)
            }
        }
    }

    /// Answers yes with the pane's profile keys: `send-keys` arguments, so nothing typed
    /// can be more than those keys.
    fn approve(
        &mut self,
        pane: &str,
        title: &str,
        question: &str,
        command: &str,
        task: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.observer.handled(pane, question, command);
        let keys = self.profiles.get(pane).map(|p| p.approve_keys.clone()).unwrap_or_default();
        if keys.is_empty() {
            return Ok(());
        }
        let mut args = vec!["send-keys", "-t", pane];
        args.extend(keys.iter().map(String::as_str));
        let mut event = match self.tmux.run(&args) {
            Ok(_) => Event::new(now, EventKind::ApprovalGranted).with("keys", keys.join(" ")),
            Err(e) => Event::new(now, EventKind::DeliveryFailed).with("error", e.to_string()),
        };
        event = event
            .pane(title)
            .with("pane_id", pane)
            .with("question", question)
            .with("command", command);
        if let Some(t) = task {
            event = event.task(t);
        }
        tracing::info!(pane, title, command, "approval question answered yes");
        self.store.append_events(&[event])
    }

    /// The agent of `title` exited mid-task: a failed attempt, so its task is retried after
    /// a backoff on another pane, or blocked once the retries are used up.
    fn agent_exited(&mut self, title: &str, task: &str, now: Timestamp) -> Result<Option<Plan>> {
        self.exited_reported.insert(title.to_string());
        let policy = self.settings.retry;
        self.store.update(|plan, events| {
            let outcome = rules::return_exited_agents_task(plan, events, title, task, policy, now);
            Ok(outcome.applied().then(|| plan.clone()))
        })
    }

    /// A return that used up the task's last retry blocked it: the lead hears why and how
    /// to try again (the return itself was already announced by `decide`).
    fn tell_if_blocked(
        &mut self,
        panes: &[PaneView],
        plan: Option<&Plan>,
        task: &str,
    ) -> Result<()> {
        let Some(t) = plan.and_then(|p| p.task(task)) else { return Ok(()) };
        if t.status != TaskStatus::Blocked {
            return Ok(());
        }
        let why = t.blocked_reason.as_deref().unwrap_or("it failed too often");
        let text = format!(
            "Task {task} \"{}\" is blocked: {why}. Retry it with: tmux-ide task update {task} --status todo",
            t.title
        );
        self.notify_lead(panes, &text)
    }

    fn start_validation(
        &mut self,
        milestone: &str,
        round: u32,
        pane_ref: PaneRef,
        assertions: &[String],
        now: Timestamp,
    ) -> Result<bool> {
        let (pane, title) = (pane_ref.id, pane_ref.title);
        let started = self.store.update(|plan, events| {
            let outcome =
                rules::start_validation(plan, events, milestone, round, pane_ref, assertions, now);
            Ok(outcome.applied().then(|| plan.clone()))
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
            Ok(rules::finish_milestone(plan, events, milestone, next, now).applied())
        })
    }

    fn validation_failed(
        &mut self,
        milestone: &str,
        remediations: &[NewRemediation],
        now: Timestamp,
    ) -> Result<bool> {
        self.store.update(|plan, events| {
            Ok(rules::fail_validation(plan, events, milestone, remediations, now)?.applied())
        })
    }

    fn mission_complete(&mut self, now: Timestamp) -> Result<bool> {
        self.store.update(|plan, events| {
            let metrics = |plan: &Plan| final_metrics(plan, now);
            Ok(rules::complete_mission(plan, events, metrics, now).applied())
        })
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
            deferrals: 0,
        });
        Ok(())
    }

    /// Saves the prompt under `.tmux-ide/run/prompts/` and queues it for delivery.
    pub(crate) fn deliver(
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
            deferrals: 0,
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

/// The figures recorded with `mission_complete`.
fn final_metrics(plan: &Plan, now: Timestamp) -> serde_json::Value {
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
