//! Carrying out planning dispatch and research triggers (decided in `decide::planning` and
//! `decide::research`): the planning prompt built from the project's files and sent to the
//! lead with `planning_dispatched` recorded first; a research task created and handed to
//! its pane under the store lock, then its task prompt sent.
use std::collections::HashSet;

use jiff::Timestamp;

use super::decide::Action;
use super::decide::planning::{PlanningView, mission_key, planning};
use super::decide::research::{Research, ResearchView, research};
use super::deliver::{Delivery, Purpose};
use super::gather;
use super::prompt_plan::{PlanningPromptInput, planning_prompt};
use super::run::Runner;
use super::world::PaneView;
use crate::Result;
use crate::contract::Contract;
use crate::plan::rules::{self, NewResearch, PaneRef};
use crate::plan::{Event, EventKind, Plan, TaskStatus};
use crate::project::Project;

impl Runner {
    /// While the mission is being planned: the planning prompt, once, when it is due.
    pub(crate) fn planning_tick(&mut self, plan: &Plan, panes: &[PaneView]) -> Result<()> {
        let agents: HashSet<String> = self
            .profiles
            .iter()
            .filter(|(_, p)| p.name != crate::config::Agent::Shell.as_str())
            .map(|(id, _)| id.clone())
            .collect();
        let action = planning(&PlanningView {
            plan,
            mode: self.settings.mode,
            panes,
            master_pane: self.master_pane.as_deref(),
            sent: &self.lookout.planned,
            agents: &agents,
        });
        if let Some(action) = action {
            tracing::info!(?action, "decided");
            self.apply(&action, panes, Timestamp::now())?;
        }
        // Outside an active mission nothing else flushes: send what is queued now.
        for u in self.flush_deliveries()? {
            tracing::warn!(pane = %u.pane, title = %u.title, "prompt unconfirmed");
        }
        Ok(())
    }

    /// Research to start this tick, after `decided` (whose dispatches come first).
    pub(crate) fn research_actions(
        &self,
        plan: &Plan,
        panes: &[PaneView],
        decided: &[Action],
        now: Timestamp,
    ) -> Option<Action> {
        // The mission ends this tick: no research for it.
        if decided.contains(&Action::MissionComplete) {
            return None;
        }
        // A spent budget stops new work of every kind, research included.
        if self.budget.verdict.level == crate::plan::rules::budget::BudgetLevel::Exhausted {
            return None;
        }
        let taken: HashSet<String> = decided
            .iter()
            .filter_map(|a| match a {
                Action::Dispatch { pane, .. } | Action::StartValidation { pane, .. } => {
                    Some(pane.clone())
                }
                _ => None,
            })
            .collect();
        // Research is an agent at work too: it counts against max_concurrent_agents.
        let working = plan.tasks.iter().filter(|t| t.status == TaskStatus::InProgress).count();
        let dispatched = decided.iter().filter(|a| matches!(a, Action::Dispatch { .. })).count();
        if self.settings.max_concurrent_agents.is_some_and(|cap| working + dispatched >= cap) {
            return None;
        }
        research(&ResearchView {
            plan,
            panes,
            config: &self.research,
            history: &self.lookout.research,
            taken: &taken,
            now,
        })
    }

    /// Records `planning_dispatched` (so no restart sends it again), then queues the prompt.
    pub(crate) fn send_planning(
        &mut self,
        pane: &str,
        title: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let plan = self.store.load()?;
        let Some(key) = mission_key(&plan) else { return Ok(false) };
        let text = planning_text(&self.project, &plan, &self.specialties)?;
        self.store.append_events(&[Event::new(now, EventKind::PlanningDispatched)
            .pane(title)
            .with("pane_id", pane)
            .with("mission", key.as_str())])?;
        self.lookout.planned.insert(key);
        self.save_prompt(now, "planning", &text)?;
        self.pending.push(Delivery {
            pane: pane.to_string(),
            title: title.to_string(),
            text,
            purpose: Purpose::Prompt { task: None },
            deferrals: 0,
        });
        Ok(true)
    }

    /// Creates (or hands out again) the research task, then sends its task prompt.
    pub(crate) fn start_research(
        &mut self,
        r: &Research,
        panes: &[PaneView],
        now: Timestamp,
    ) -> Result<bool> {
        let pid = panes.iter().find(|p| p.id == r.pane).map_or(0, |p| p.pid);
        let pane_ref = PaneRef { id: &r.pane, title: &r.pane_title, pid };
        let started = self.store.update(|plan, events| {
            let (outcome, id) = match &r.task {
                Some(id) => {
                    (rules::dispatch_queued_task(plan, events, id, pane_ref, now), id.clone())
                }
                None => {
                    let mission = plan.mission.as_ref().map(|m| m.created.to_string());
                    let new = NewResearch {
                        title: &r.title,
                        description: &r.description,
                        trigger: r.trigger.map_or("", |t| t.as_str()),
                        reason: &r.reason,
                        mission: mission.as_deref().unwrap_or(""),
                        milestone: r.milestone.as_deref(),
                        done: r.done,
                    };
                    rules::start_research(plan, events, &new, pane_ref, now)?
                }
            };
            Ok(outcome.applied().then(|| (plan.clone(), id)))
        })?;
        let Some((plan, id)) = started else { return Ok(false) };
        let text = gather::task_prompt(&self.project, &plan, &id, &self.contract)?;
        self.save_prompt(now, &id, &text)?;
        self.pending.push(Delivery {
            pane: r.pane.clone(),
            title: r.pane_title.clone(),
            text,
            purpose: Purpose::Prompt { task: Some(id) },
            deferrals: 0,
        });
        Ok(true)
    }

    fn save_prompt(&self, now: Timestamp, name: &str, text: &str) -> Result<()> {
        let dir = self.project.run_dir().join("prompts");
        let stamp = now.strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
        let path = dir.join(format!("{stamp}-{name}.md"));
        crate::project::write_file(&self.project.root, &path, text.as_bytes())
    }
}

/// The planning prompt for the project as it is on disk now.
pub(crate) fn planning_text(
    project: &Project,
    plan: &Plan,
    specialties: &[String],
) -> Result<String> {
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).ok();
    let architecture = read(project.library_dir().join("architecture.md"));
    let contract_text = read(project.contract());
    let assertions = Contract::load(project).map(|c| c.assertions.len()).unwrap_or(0);
    let mut skills: Vec<(String, String)> = std::fs::read_dir(project.skills_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            std::fs::read_to_string(e.path()).ok().map(|text| (name, text))
        })
        .collect();
    skills.sort();
    Ok(planning_prompt(&PlanningPromptInput {
        plan,
        architecture: architecture.as_deref(),
        contract_text: contract_text.as_deref(),
        contract_assertions: assertions,
        skills: &skills,
        specialties,
    }))
}

/// The specialties of the layout's task-taking panes (`research` for a researcher with
/// none), sorted and unique.
pub(crate) fn specialties(config: &crate::config::Config) -> Vec<String> {
    let mut out: Vec<String> = config
        .panes()
        .filter(|p| p.role.takes_tasks())
        .filter_map(|p| match (&p.specialty, p.role) {
            (Some(s), _) => Some(s.clone()),
            (None, crate::config::Role::Researcher) => Some(super::world::RESEARCH.to_string()),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
