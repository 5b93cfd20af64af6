//! Picking up after a crash. The store is written before any prompt is pasted, so a crash
//! can leave work assigned whose prompt never reached its pane (or, from older versions,
//! whose `task_dispatched` / `validation_dispatched` event was lost). On start the
//! orchestrator looks at each such piece of work once: if its prompt is on the pane's
//! screen it landed and nothing is sent again; otherwise it is sent now. Work whose pane
//! now runs another process is left to the tick's reconcile, which returns it to `todo`.
use jiff::Timestamp;

use super::deliver::{Delivery, Purpose};
use super::run::Runner;
use crate::Result;
use crate::agent::sim::{TASK_MARKER, VALIDATE_MARKER};
use crate::plan::{Event, EventKind, MilestoneStatus, Plan, TaskStatus};
use crate::tmux::PaneInfo;

impl Runner {
    pub(crate) fn recover(&mut self) -> Result<()> {
        let plan = self.store.load()?;
        // Corrupt lines were already reported when the history was read at start; the
        // rest of the log is still good evidence, so they do not stop the orchestrator.
        let (events, _corrupt) = self.store.read_log()?;
        self.contract =
            super::gather::contract_assertions(&crate::contract::Contract::load(&self.project)?);
        let panes = self.tmux.list_panes(&self.session).unwrap_or_default();
        let now = Timestamp::now();
        for task in plan.tasks.iter().filter(|t| t.status == TaskStatus::InProgress) {
            let last = last_of(
                &events,
                &[EventKind::PromptDelivered, EventKind::TaskDispatched, EventKind::TaskClaimed],
                |e| e.task.as_deref() == Some(task.id.as_str()),
            );
            // Claimed by an agent itself, or delivered: nothing to do.
            if matches!(last, Some(EventKind::PromptDelivered | EventKind::TaskClaimed)) {
                continue;
            }
            let Some(pane) = panes.iter().find(|p| Some(&p.title) == task.assignee.as_ref()) else {
                continue;
            };
            // Handed to another process than the one in that pane now (a restart): the
            // first tick's reconcile returns it to todo rather than resuming it here.
            if task
                .dispatched_to
                .as_ref()
                .is_some_and(|d| d.pane_id != pane.id || d.pid != pane.pid)
            {
                continue;
            }
            if last.is_none() {
                let lost =
                    Event::new(now, EventKind::TaskDispatched).task(&task.id).pane(&pane.title);
                self.store.append_events(&[lost
                    .with("pane_id", pane.id.as_str())
                    .with("recovered", true)])?;
            }
            let marker = format!("{TASK_MARKER} {}", task.id);
            let (project, contract) = (self.project.clone(), self.contract.clone());
            let text = || super::gather::task_prompt(&project, &plan, &task.id, &contract);
            self.resend_unless_on_screen(pane, &marker, Some(&task.id), text, now)?;
        }
        self.recover_validation(&plan, &events, &panes, now)?;
        self.flush_deliveries()?;
        Ok(())
    }

    /// A validation round handed to a pane whose prompt may not have been sent.
    fn recover_validation(
        &mut self,
        plan: &Plan,
        events: &[Event],
        panes: &[PaneInfo],
        now: Timestamp,
    ) -> Result<()> {
        for m in plan.milestones.iter().filter(|m| m.status == MilestoneStatus::Validating) {
            let Some(round) = &m.validation else { continue };
            let Some(pane) = panes.iter().find(|p| Some(&p.title) == round.pane.as_ref()) else {
                continue;
            };
            if round
                .dispatched_to
                .as_ref()
                .is_some_and(|d| d.pane_id != pane.id || d.pid != pane.pid)
            {
                continue; // another process now: the tick's reconcile hands the round out again
            }
            let reported = round
                .assertions
                .iter()
                .all(|a| plan.assertions.get(a).is_some_and(|r| round.counts(r)));
            let last = last_of(
                events,
                &[EventKind::PromptDelivered, EventKind::ValidationDispatched],
                |e| {
                    round.logged_since(e)
                        && e.pane.as_deref() == Some(pane.title.as_str())
                        && e.task.is_none()
                },
            );
            if reported || last == Some(&EventKind::PromptDelivered) {
                continue;
            }
            if last.is_none() {
                let lost = Event::new(now, EventKind::ValidationDispatched)
                    .milestone(&m.id)
                    .pane(&pane.title)
                    .with("pane_id", pane.id.as_str())
                    .with("round", round.round)
                    .with("assertions", round.assertions.clone())
                    .with("recovered", true);
                self.store.append_events(&[lost])?;
            }
            let marker = format!("{VALIDATE_MARKER} {} round={}", m.id, round.round);
            let (project, contract) = (self.project.clone(), self.contract.clone());
            let text = || {
                super::gather::validation_prompt(
                    &project,
                    plan,
                    &m.id,
                    round.round,
                    &round.assertions,
                    &contract,
                )
            };
            self.resend_unless_on_screen(pane, &marker, None, text, now)?;
        }
        Ok(())
    }

    /// Queues the prompt for `pane` unless a line starting with `marker` is on its screen
    /// (then it landed before the crash, and that is recorded instead).
    fn resend_unless_on_screen(
        &mut self,
        pane: &PaneInfo,
        marker: &str,
        task: Option<&str>,
        text: impl FnOnce() -> Result<String>,
        now: Timestamp,
    ) -> Result<()> {
        let screen = self.tmux.capture(&pane.id, 2000).unwrap_or_default();
        let with_task = |e: Event| match task {
            Some(t) => e.task(t),
            None => e,
        };
        if screen.lines().any(|l| l.trim_start().starts_with(marker)) {
            let seen = with_task(Event::new(now, EventKind::PromptDelivered).pane(&pane.title));
            return self.store.append_events(&[seen.with("recovered", true)]);
        }
        let resend = with_task(Event::new(now, EventKind::PromptRedelivering).pane(&pane.title));
        self.store.append_events(&[resend])?;
        self.pending.push(Delivery {
            pane: pane.id.clone(),
            title: pane.title.clone(),
            text: text()?,
            purpose: Purpose::Prompt { task: task.map(str::to_string) },
            deferrals: 0,
        });
        Ok(())
    }
}

/// The kind of the latest event among `kinds` that `matches`.
fn last_of<'e>(
    events: &'e [Event],
    kinds: &[EventKind],
    matches: impl Fn(&Event) -> bool,
) -> Option<&'e EventKind> {
    events.iter().rev().find(|e| kinds.contains(&e.kind) && matches(e)).map(|e| &e.kind)
}
