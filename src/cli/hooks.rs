//! `tmux-ide hooks install|uninstall claude|codex|gemini`: make real agents report busy / idle /
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
    /// Gemini CLI: the project's `.gemini/settings.json` (read only in a trusted folder).
    Gemini,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    let (args, install) = match cmd {
        Command::Install(a) => (a, true),
        Command::Uninstall(a) => (a, false),
    };
    let (path, before) = match args.agent {
        HookAgent::Claude => {
            let path = ctx.project_dir()?.root.join(".claude").join("settings.json");
            let text = read(&path)?;
            (path, text)
        }
        HookAgent::Codex => {
            let path = codex_home()?.join("config.toml");
            let text = read(&path)?;
            (path, text)
        }
        HookAgent::Gemini => {
            let path = ctx.project()?.root.join(".gemini").join("settings.json");
            let text = read(&path)?;
            (path, text)
        }
    };
    let unchanged_text;
    let after = match (args.agent, install) {
        (HookAgent::Claude | HookAgent::Gemini, _) => {
            let text = if before.trim().is_empty() { "{}" } else { &before };
            let doc = hooks::Node::parse(text).map_err(|e| {
                Error::failed(format!("{}: not valid JSON ({e}); left unchanged", path.display()))
            })?;
            // Compared as re-printed trees, so a file that only differs from ours in
            // layout is not rewritten.
            unchanged_text = doc.to_pretty();
            let gemini = args.agent == HookAgent::Gemini;
            let doc = if install {
                let add = if gemini { hooks::gemini_install } else { hooks::claude_install };
                add(doc).map_err(|e| {
                    Error::failed(format!("{}: {e}; left unchanged", path.display()))
                })?
            } else if gemini {
                hooks::gemini_uninstall(doc)
            } else {
                hooks::claude_uninstall(doc)
            };
            doc.to_pretty()
        }
        (HookAgent::Codex, install) => {
            unchanged_text = before.clone();
            let edited = if install {
                hooks::codex_install(&before)
            } else {
                hooks::codex_uninstall(&before)
            };
            edited.map_err(|e| {
                let err = Error::failed(format!("{}: {e}", path.display()));
                if install && e.contains("notify program of yours") {
                    err.with_hint("remove your notify line or call `tmux-ide agent idle` from it")
                } else {
                    err
                }
            })?
        }
    };
    let verb = if install { "installed in" } else { "removed from" };
    if after == unchanged_text || (!install && before.is_empty()) {
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

/// Replaces the file `path` names, atomically. A symlink is followed and its target
/// replaced (the link stays a link), and the target keeps its permissions; a new file
/// gets the usual mode (0666 less the umask), not a temp file's 0600.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let target = resolve_links(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    let existing = match std::fs::metadata(&target) {
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&target, e)),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmux-ide-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    if let Some(perms) = existing {
        tmp.as_file().set_permissions(perms).map_err(|e| Error::io(&target, e))?;
    }
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| Error::io(&target, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(&target, e))?;
    tmp.persist(&target).map_err(|e| Error::io(&target, e.error))?;
    Ok(())
}

/// The file at the end of `path`'s symlinks (which need not exist yet).
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    // As many hops as Linux follows before ELOOP.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|e| Error::io(&current, e))?;
                current = current.parent().unwrap_or(Path::new("/")).join(link);
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(Error::io(&current, e)),
        }
    }
    Err(Error::failed(format!("{}: too many levels of symbolic links", path.display())))
}
