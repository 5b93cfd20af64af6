//! `tmux-ide notify test`: a sample notification to every target `notify:` names, all at
//! once, with each one's result (exit 1 when any failed).
use std::io::Write;
use std::process::ExitCode;

use super::Ctx;
use crate::config::Config;
use crate::notify::{Payload, sanitize, targets};
use crate::plan::{Event, EventKind};
use crate::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Send a sample event (`notify_test`) to every configured target; exit 1 if any failed.
    Test,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    let Command::Test = cmd;
    let project = ctx.project()?;
    let config = Config::load(&project)?;
    crate::notify::check(&config)?;
    let notify = &config.notify;
    if !notify.has_targets() {
        return Err(Error::bad_input(
            "ide.yml's notify: names no target (allowed: commands, webhooks, desktop: true, tmux: true)",
        ));
    }
    let tmux = super::session::tmux_of(ctx);
    let session = crate::tmux::session_name(&project, &config);
    let event = Event::new(ctx.now, EventKind::from("notify_test"))
        .with("text", "a sample notification from `tmux-ide notify test`");
    let root = project.root.display().to_string();
    let payload = Payload::new("notify_test", &event, &root, &session);
    let all = targets(notify, &project.root, &tmux, &session);
    // Every target at once, so a slow one adds its time only once.
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> =
            all.iter().map(|t| s.spawn(|| (t.label(), t.deliver(&payload, notify)))).collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    if ctx.json {
        let rows: Vec<_> = results
            .iter()
            .map(|(label, r)| match r {
                Ok(attempts) => {
                    serde_json::json!({"target": label, "ok": true, "attempts": attempts})
                }
                Err(f) => serde_json::json!({
                    "target": label, "ok": false, "attempts": f.attempts, "error": f.error
                }),
            })
            .collect();
        let doc = serde_json::json!({"targets": rows, "failed": failed});
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        for (label, r) in &results {
            let label = sanitize(label, 200);
            match r {
                Ok(_) => writeln!(ctx.out(), "ok      {label}")?,
                Err(f) => writeln!(
                    ctx.out(),
                    "FAILED  {label}: {} (after {} attempt(s))",
                    sanitize(&f.error, 300),
                    f.attempts
                )?,
            }
        }
        writeln!(ctx.out(), "{} of {} target(s) failed", failed, results.len())?;
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
