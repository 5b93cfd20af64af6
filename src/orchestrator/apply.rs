//! Carrying out `decide`'s actions: every change goes through the store under its lock
//! (re-checked there, so a stale decision is dropped, never applied twice), and only then
//! is a prompt sent. The assignment is on disk before any text reaches a pane.
use jiff::Timestamp;

use super::decide::{Action, Remediation};
use super::gather;
use super::run::Runner;
use super::world::{PaneView, Role};
use crate::agent::profiles::enter_delay;
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
            Action::MissionComplete => self.mission_complete(panes, now),
            Action::NotifyLead { text } => {
                self.notify_lead(panes, text)?;
                Ok(false)
            }
            Action::AgentExited { pane_title, task } => {
                self.exited_reported.insert(pane_title.clone());
                let event = Event::new(now, "agent_exited").task(task).pane(pane_title);
                self.store.append_events(&[event])?;
                Ok(false)
            }
            Action::Stall { task, pane_title } => {
                self.stalls_reported.insert(task.clone());
                let event = Event::new(now, "stall_detected").task(task).pane(pane_title);
                self.store.append_events(&[event])?;
                Ok(false)
            }
        }
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
        let text = self.task_prompt(&plan, task)?;
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
        let text = self.validation_prompt(&plan, milestone, round, assertions)?;
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
                let id = plan.next_task_id();
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

    fn mission_complete(&mut self, panes: &[PaneView], now: Timestamp) -> Result<bool> {
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
        let _ = panes;
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
            task: None,
            notice: Some(text.to_string()),
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
        fs_err::create_dir_all(&dir)?;
        let stamp = now.strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
        let name = format!("{stamp}-{}.md", task.unwrap_or("validation"));
        fs_err::write(dir.join(name), &text)?;
        self.pending.push(Delivery {
            pane: pane.to_string(),
            title: title.to_string(),
            text,
            task: task.map(str::to_string),
            notice: None,
        });
        Ok(())
    }

    /// Sends every queued text, panes in parallel (one pane's pause before Enter never
    /// holds up another's), texts for the same pane in order; then records what landed.
    pub(crate) fn flush_deliveries(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return Ok(());
        }
        let mut by_pane: Vec<(String, Vec<Delivery>)> = Vec::new();
        for d in pending {
            match by_pane.iter_mut().find(|(p, _)| *p == d.pane) {
                Some((_, list)) => list.push(d),
                None => by_pane.push((d.pane.clone(), vec![d])),
            }
        }
        let (tmux, agents) = (&self.tmux, &self.agents);
        let results: Vec<(Delivery, Result<Timestamp>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = by_pane
                .into_iter()
                .map(|(pane, list)| {
                    let delay = enter_delay(agents.get(&pane).copied());
                    scope.spawn(move || {
                        list.into_iter()
                            .map(|d| {
                                let sent = tmux
                                    .paste_then_enter(&d.pane, &d.text, Some(delay))
                                    .map(|()| Timestamp::now());
                                (d, sent)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        });
        let mut events = Vec::new();
        for (d, sent) in results {
            let event = match (sent, &d.notice) {
                (Ok(ts), Some(text)) => Event::new(ts, "lead_notified").with("text", text.as_str()),
                (Ok(ts), None) => Event::new(ts, "prompt_delivered"),
                (Err(e), _) => {
                    eprintln!("orchestrator: could not deliver to {}: {e}", d.title);
                    Event::new(Timestamp::now(), "delivery_failed").with("error", e.to_string())
                }
            };
            let mut event = event.pane(&d.title).with("pane_id", d.pane.as_str());
            if let Some(task) = &d.task {
                event = event.task(task);
            }
            events.push(event);
        }
        self.store.append_events(&events)
    }

    fn task_prompt(&self, plan: &crate::plan::Plan, task: &str) -> Result<String> {
        gather::task_prompt(&self.project, plan, task)
    }

    fn validation_prompt(
        &self,
        plan: &crate::plan::Plan,
        milestone: &str,
        round: u32,
        assertions: &[String],
    ) -> Result<String> {
        gather::validation_prompt(&self.project, plan, milestone, round, assertions)
    }
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
    let count = |s: TaskStatus| plan.tasks.iter().filter(|t| t.status == s).count();
    let started = plan.mission.as_ref().and_then(|m| m.activated);
    serde_json::json!({
        "tasks_done": count(TaskStatus::Done),
        "tasks_cancelled": count(TaskStatus::Cancelled),
        "remediations": plan.tasks.iter().filter(|t| t.remediation_for.is_some()).count(),
        "milestones": plan.milestones.len(),
        "validation_rounds": plan.milestones.iter().filter_map(|m| m.validation.as_ref()).map(|v| v.round).sum::<u32>(),
        "duration_s": started.map(|s| (now.as_millisecond() - s.as_millisecond()) as f64 / 1000.0),
    })
}

/// A text waiting to be pasted into a pane at the end of the tick.
pub(crate) struct Delivery {
    pane: String,
    title: String,
    text: String,
    task: Option<String>,
    /// For a notice to the lead: the notice itself (recorded as `lead_notified`).
    notice: Option<String>,
}
