//! `tmux-ide config`: ide.yml checks.
use std::io::Write;
use std::process::ExitCode;

use super::Ctx;
use crate::Result;
use crate::config::{self, Config};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check ide.yml and list every problem (exit 2 when there is one).
    Validate,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Validate => validate(ctx),
    }
}

fn validate(ctx: &Ctx) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let mut problems = config::problems(&project, super::session::build_size(None))?;
    if problems.is_empty() {
        // Event names are checked above the config layer, where the event types are known.
        problems = crate::notify::problems(&Config::load(&project)?.notify);
    }
    let path = project.ide_yml();
    if ctx.json {
        let list: Vec<_> = problems
            .iter()
            .map(|p| serde_json::json!({ "path": p.path, "message": p.message }))
            .collect();
        let out = serde_json::json!({
            "file": path,
            "valid": problems.is_empty(),
            "problems": list,
        });
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&out)?)?;
    } else if problems.is_empty() {
        let config = Config::load(&project)?;
        writeln!(ctx.out(), "{}: ok ({})", path.display(), config.shape())?;
    } else {
        for problem in &problems {
            let _ = writeln!(std::io::stderr(), "{}: {problem}", path.display());
        }
        let _ = writeln!(std::io::stderr(), "{} problem(s) in {}", problems.len(), path.display());
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
