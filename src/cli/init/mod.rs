//! `tmux-ide init`: scaffold ide.yml, or with `--template missions` the seed's whole tree.
//! Never overwrites an existing file unless `--force`; says what it skipped.
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::Ctx;
use crate::plan::Plan;
use crate::{Error, Result};

mod templates;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `missions`: ide.yml with six panes, .tasks/, skills, library and AGENTS.md.
    #[arg(long, value_parser = parse_template)]
    pub template: Option<Template>,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
    /// Session name in ide.yml (default: the directory's name).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Missions,
}

fn parse_template(s: &str) -> std::result::Result<Template, String> {
    match s {
        "missions" => Ok(Template::Missions),
        _ => Err(format!("unknown template {s:?} (allowed: missions)")),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    // `init` creates a project: -C DIR or the working directory, never an ancestor.
    let root = match &ctx.dir {
        Some(_) => ctx.project_dir()?.root,
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let name = args.name.clone().unwrap_or_else(|| {
        root.file_name().map_or("project".into(), |n| n.to_string_lossy().into_owned())
    });
    // A git repository gets a worktree per agent pane (`orchestrator.isolation`).
    let isolation = if crate::git::Git::is_repository(&root) { "worktree" } else { "none" };
    let ide_yml = |template: &str| {
        template.replace("{{name}}", &yaml_string(&name)).replace("{{isolation}}", isolation)
    };
    let mut files: Vec<(String, String)> = Vec::new();
    match args.template {
        None => files.push(("ide.yml".into(), ide_yml(templates::MINIMAL_IDE_YML))),
        Some(Template::Missions) => {
            for (path, text) in templates::MISSIONS {
                let text = if *path == "ide.yml" { ide_yml(text) } else { text.to_string() };
                files.push((path.to_string(), text));
            }
            let mut plan = serde_json::to_string_pretty(&Plan::default())?;
            plan.push('\n');
            files.insert(1, (".tasks/tasks.json".into(), plan));
        }
    }
    let ours = |rel: &str| rel.starts_with(".tasks/") || rel.starts_with(".tmux-ide/");
    // Refused before the first write, so a symlinked file leaves the project as it was.
    for (rel, _) in files.iter().filter(|(rel, _)| ours(rel)) {
        let path = root.join(rel);
        if args.force || !path.exists() {
            crate::project::refuse_symlinks(&root, &path)?;
        }
    }
    let (mut created, mut skipped) = (Vec::new(), Vec::new());
    for (rel, text) in &files {
        let path = root.join(rel);
        if path.exists() && !args.force {
            skipped.push(rel.clone());
            continue;
        }
        if ours(rel) {
            // Never through a symlink (a dangling one does not "exist" above).
            crate::project::write_file(&root, &path, text.as_bytes())?;
            created.push(rel.clone());
            continue;
        }
        if let Some(dir) = path.parent() {
            fs_err::create_dir_all(dir)?;
        }
        fs_err::write(&path, text)?;
        created.push(rel.clone());
    }
    if args.template == Some(Template::Missions)
        && let Some(what) = ensure_gitignore(&root)?
    {
        created.push(what);
    }
    for f in &created {
        writeln!(ctx.out(), "created  {f}")?;
    }
    for f in &skipped {
        writeln!(ctx.out(), "skipped  {f} (already exists; --force overwrites)")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"project\"".into())
}

/// Adds the runtime entries to `.gitignore` (creating it if needed); returns what was
/// done, or `None` when the entries were already there.
fn ensure_gitignore(root: &Path) -> Result<Option<String>> {
    let path = root.join(".gitignore");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    let text = existing.clone().unwrap_or_default();
    let have: Vec<&str> = text.lines().map(str::trim).collect();
    let missing: Vec<&str> =
        templates::GITIGNORE_ENTRIES.iter().copied().filter(|e| !have.contains(e)).collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut out = text.clone();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for m in &missing {
        out.push_str(m);
        out.push('\n');
    }
    fs_err::write(&path, out)?;
    Ok(Some(match existing {
        None => ".gitignore".into(),
        Some(_) => format!(".gitignore (added {})", missing.join(", ")),
    }))
}
