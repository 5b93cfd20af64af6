//! `tmux-ide hooks install|uninstall claude|codex`: make real agents report busy / idle /
//! waiting to tmux-ide through their own hook mechanisms (see [`crate::agent::hooks`]).
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Ctx;
use crate::agent::hooks;
use crate::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add tmux-ide's hooks (idempotent; the agent's other settings are kept).
    Install(Args),
    /// Remove tmux-ide's hooks, and nothing else.
    Uninstall(Args),
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The agent whose hooks to change.
    #[arg(value_enum)]
    pub agent: HookAgent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HookAgent {
    /// Claude Code: the project's `.claude/settings.json`.
    Claude,
    /// Codex: `notify` in `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`).
    Codex,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    let (args, install) = match cmd {
        Command::Install(a) => (a, true),
        Command::Uninstall(a) => (a, false),
    };
    let (path, before) = match args.agent {
        HookAgent::Claude => {
            let path = ctx.project()?.root.join(".claude").join("settings.json");
            let text = read(&path)?;
            (path, text)
        }
        HookAgent::Codex => {
            let path = codex_home()?.join("config.toml");
            let text = read(&path)?;
            (path, text)
        }
    };
    let after = match (args.agent, install) {
        (HookAgent::Claude, _) => {
            let doc: serde_json::Value = if before.trim().is_empty() {
                serde_json::json!({})
            } else {
                serde_json::from_str(&before).map_err(|e| {
                    Error::failed(format!(
                        "{}: not valid JSON ({e}); left unchanged",
                        path.display()
                    ))
                })?
            };
            let doc = if install {
                hooks::claude_install(doc).map_err(|e| {
                    Error::failed(format!("{}: {e}; left unchanged", path.display()))
                })?
            } else {
                hooks::claude_uninstall(doc)
            };
            let mut text = serde_json::to_string_pretty(&doc)
                .map_err(|e| Error::failed(format!("cannot write settings: {e}")))?;
            text.push('\n');
            text
        }
        (HookAgent::Codex, true) => hooks::codex_install(&before).map_err(|e| {
            Error::failed(format!("{}: {e}", path.display()))
                .with_hint("remove your notify line or call `tmux-ide agent idle` from it")
        })?,
        (HookAgent::Codex, false) => hooks::codex_uninstall(&before),
    };
    let verb = if install { "installed in" } else { "removed from" };
    if normalise(&after) == normalise(&before) || (!install && before.is_empty()) {
        writeln!(
            ctx.out(),
            "tmux-ide hooks already {} {}",
            if install { "in" } else { "absent from" },
            path.display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    write_atomically(&path, &after)?;
    writeln!(ctx.out(), "tmux-ide hooks {verb} {}", path.display())?;
    if install && args.agent == HookAgent::Claude {
        writeln!(
            ctx.out(),
            "hint: let agents report without a prompt: add \"Bash(tmux-ide:*)\" to \
             permissions.allow in {}",
            path.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn normalise(text: &str) -> String {
    text.trim().to_string()
}

fn read(path: &Path) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// `$CODEX_HOME`, else `~/.codex`.
fn codex_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("CODEX_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".codex"))
        .ok_or_else(|| Error::failed("neither $CODEX_HOME nor $HOME is set"))
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
