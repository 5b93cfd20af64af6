//! `tmux-ide task create`.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::Result;
use crate::cli::Ctx;
use crate::contract::Contract;
use crate::plan::Store;
use crate::plan::rules::{NewTask, create_task};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's title.
    pub title: String,
    /// Milestone id (M1, M2, …).
    #[arg(long, short)]
    pub milestone: Option<String>,
    /// Specialty that should take it (frontend, backend, research, …).
    #[arg(long, short)]
    pub specialty: Option<String>,
    /// 1 (highest) ..= 9 (lowest).
    #[arg(long, short, default_value = "5", value_parser = super::parse_priority)]
    pub priority: u8,
    /// Goal title; an existing goal with this title is reused.
    #[arg(long, short)]
    pub goal: Option<String>,
    /// Task ids it depends on, comma-separated ("001,002").
    #[arg(long, value_delimiter = ',')]
    pub depends: Vec<String>,
    /// Assertion ids it fulfils, comma-separated ("VAL-AUTH-001,VAL-AUTH-003").
    #[arg(long, value_delimiter = ',')]
    pub fulfills: Vec<String>,
    /// Longer description given to the agent.
    #[arg(long, short, default_value = "")]
    pub description: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let contract = if args.fulfills.is_empty() { vec![] } else { Contract::load(&project)?.ids() };
    let new = NewTask {
        title: args.title,
        description: args.description,
        milestone: args.milestone,
        specialty: args.specialty,
        priority: args.priority,
        goal: args.goal,
        depends: args.depends,
        fulfills: args.fulfills,
        remediation_for: None,
    };
    let now = Timestamp::now();
    let store = Store::new(&project);
    let want_json = ctx.json;
    let (id, json) = store.update(|plan, events| {
        let id = create_task(plan, events, new, &contract, now).map_err(super::plan_error)?;
        let json = match (want_json, plan.task(&id)) {
            (true, Some(t)) => {
                let index = crate::plan::rules::TaskIndex::new(plan);
                Some(serde_json::to_value(super::TaskJson::new(&index, t)))
            }
            _ => None,
        };
        Ok((id, json))
    })?;
    if ctx.json {
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&json.transpose()?)?)?;
    } else {
        writeln!(ctx.out(), "Created task {id}")?;
    }
    Ok(ExitCode::SUCCESS)
}
