//! `tmux-ide mission status`: the mission overview as text or JSON.
use std::fmt::Write as _;
use std::process::ExitCode;

use crate::Result;
use crate::cli::Ctx;
use crate::contract::Contract;
use crate::plan::Store;
use crate::report::{MissionOverview, mission_overview};

pub fn run(ctx: &Ctx) -> Result<ExitCode> {
    let project = ctx.project()?;
    let plan = Store::new(&project).load()?;
    let contract = Contract::load(&project)?;
    let overview = mission_overview(&plan, &contract);
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&overview)?);
    } else {
        super::require(plan.mission.as_ref())?;
        print!("{}", render(&overview));
    }
    Ok(ExitCode::SUCCESS)
}

/// ```text
/// Mission: Auth v2 (active)
/// JWT login, token refresh, route protection, and full test coverage
///
/// M1  Foundation           active  tasks 1/2  assertions 0 passing, 0 failing, 0 pending
/// ```
pub fn render(o: &MissionOverview) -> String {
    let mut out = String::new();
    if let Some(m) = &o.mission {
        let _ = writeln!(out, "Mission: {} ({})", m.title, m.status.as_str());
        if !m.description.is_empty() {
            let _ = writeln!(out, "{}", m.description);
        }
    }
    let _ = writeln!(out);
    if o.milestones.is_empty() {
        let _ = writeln!(out, "No milestones yet (create them with `tmux-ide milestone create`).");
    }
    let id_w = o.milestones.iter().map(|m| m.id.len()).max().unwrap_or(0);
    let title_w = o.milestones.iter().map(|m| m.title.chars().count()).max().unwrap_or(0);
    for m in &o.milestones {
        let _ = writeln!(
            out,
            "{:<id_w$}  {:<title_w$}  {:<10}  tasks {}/{}  assertions {} passing, {} failing, {} pending",
            m.id,
            m.title,
            m.status.as_str(),
            m.tasks_done,
            m.tasks_total,
            m.passing,
            m.failing,
            m.pending
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Tasks: {}/{} done", o.tasks_done, o.tasks_total);
    out
}
