//! Dispatching several tasks decided on one tick in one store update: the same rules and
//! events, in the same order, as one `Dispatch` at a time, with one lock, one write and
//! its fsyncs instead of one per task (with the tick's `pane_state` events), so a tick
//! that frees many panes hands out their work without queueing each behind the store
//! lock the agents' reports hold. Prompts are delivered after the write.
use jiff::Timestamp;

use super::decide::Action;
use super::gather;
use super::run::Runner;
use super::world::{DispatchMode, PaneView};
use crate::Result;
use crate::plan::rules::{self, PaneRef};

impl Runner {
    /// Applies the leading run of `Dispatch` actions of `actions`; how many it took and
    /// whether any was recorded. Each one recorded is delivered; one the rules refuse (no
    /// longer ready) is skipped.
    pub(crate) fn dispatch_run(
        &mut self,
        actions: &[Action],
        panes: &[PaneView],
        now: Timestamp,
    ) -> Result<(usize, bool)> {
        let run: Vec<(&str, PaneRef)> = actions
            .iter()
            .map_while(|action| match action {
                Action::Dispatch { task, pane, pane_title } => {
                    tracing::info!(?action, "decided");
                    let pid = panes.iter().find(|p| &p.id == pane).map_or(0, |p| p.pid);
                    Some((task.as_str(), PaneRef { id: pane, title: pane_title, pid }))
                }
                _ => None,
            })
            .collect();
        let taken = run.len();
        // With isolation, a pane's worktree goes to the mission branch's head first (or the
        // task stays undispatched, the lead told); the note says where to work.
        let mut notes = Vec::with_capacity(run.len());
        let mut ready = Vec::with_capacity(run.len());
        for (task, pane) in run {
            if let Some(note) = self.prepare_worktree(panes, pane.title, task, now)? {
                notes.push(note);
                ready.push((task, pane));
            }
        }
        let run = ready;
        if run.is_empty() {
            return Ok((taken, false));
        }
        let rule = match self.settings.mode {
            DispatchMode::Missions => rules::dispatch_task,
            DispatchMode::Tasks => rules::dispatch_queued_task,
        };
        // What was seen goes first (still queued, then this tick's), as when written alone.
        let mut observed = self.log_writer.take_queued();
        observed.append(&mut self.pane_events);
        let started = std::time::Instant::now();
        // The prompts are written under the lock from the plan as changed (no copy of the
        // whole plan for after), and delivered after the commit. The library is read
        // there too: a `task done` appends its learnings under the lock after its commit,
        // so read earlier it could lack the entry of the very task this one waited for.
        // The agents' `task done` requests queued meanwhile are committed in the same
        // write, ahead of the dispatches (they were decided without them: a pane they
        // free gets its work next tick), instead of in a write of their own.
        let queued = self.log_writer.take_requests();
        let (project, contract) = (&self.project, &self.contract);
        let mut waited = std::time::Duration::ZERO;
        let mut warnings = Vec::new();
        let (prompts, reports) = self.store.update_then(
            |plan, events| {
                waited = started.elapsed();
                events.extend(observed);
                let reports = super::requests::apply(project, plan, events, &queued);
                let done: Vec<usize> = (0..run.len())
                    .filter(|&i| rule(plan, events, run[i].0, run[i].1, now).applied())
                    .collect();
                let files = match done.is_empty() {
                    true => gather::PromptFiles::default(),
                    false => gather::PromptFiles::read(project),
                };
                let prompts = done
                    .into_iter()
                    .map(|i| {
                        (i, gather::task_prompt_with(project, &files, plan, run[i].0, contract))
                    })
                    .collect::<Vec<_>>();
                Ok((prompts, reports))
            },
            |(_, reports)| {
                warnings = super::requests::write_libraries(reports, &queued);
                Ok(())
            },
        )?;
        super::requests::answer_all(reports, queued, warnings);
        let written = started.elapsed();
        if prompts.is_empty() {
            return Ok((taken, false));
        }
        for (i, text) in prompts {
            let (task, pane) = run[i];
            let mut text = text?;
            text.push_str(&notes[i]);
            self.deliver(pane.id, pane.title, text, Some(task), now)?;
        }
        if started.elapsed() >= std::time::Duration::from_millis(100) {
            tracing::debug!(
                tasks = run.len(),
                write_ms = written.as_millis() as u64,
                lock_wait_ms = waited.as_millis() as u64,
                ms = started.elapsed().as_millis() as u64,
                "slow dispatch"
            );
        }
        Ok((taken, true))
    }
}
