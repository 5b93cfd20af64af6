//! Building a session from ide.yml: `new-session` (a placeholder window; tmux tells us
//! the next pane id and the window size), then the build's commands ([`super::build`]:
//! every layout window, each pane with its dir, env (`-e`, with `TMUX_IDE_PANE` computed
//! from the ids tmux hands out in order, and `TMUX_IDE_BIN`) and command, the `@ide_*`
//! options, the theme, the focus, the helper windows) packed into as few tmux processes
//! as tmux's command-line limit allows. The ids tmux prints are checked against the
//! prediction after each process.
use std::path::{Path, PathBuf};

use super::Tmux;
use super::build::{Build, MAX_CHAIN_BYTES, Target, pack, plan_ids, steps};
use super::runner::literal_format;
use crate::config::{Config, Pane, SINGLE_WINDOW};
use crate::project::Project;
use crate::{Error, Result};

/// Everything needed to build one session.
#[derive(Debug, Clone)]
pub struct LaunchSpec<'a> {
    pub session: &'a str,
    pub project: &'a Project,
    pub config: &'a Config,
    /// Hash of ide.yml's bytes, recorded as `@ide_config_hash`.
    pub config_hash: &'a str,
    /// Window size in cells while detached (tmux rescales proportionally on attach).
    pub width: u32,
    pub height: u32,
    /// The orchestrator window's program and arguments, when it is enabled.
    pub orchestrator: Option<Vec<String>>,
    /// The dashboard window's program and arguments, when it is enabled.
    pub dashboard: Option<Vec<String>>,
    /// This tmux-ide executable: `TMUX_IDE_BIN` in every pane, and reachable as plain
    /// `tmux-ide` on every pane's PATH (hooks and prompts call it by that name).
    pub bin: &'a Path,
    /// The PATH of the tmux client building the session, which tmux gives every new pane
    /// (so it should already hold `bin`'s directory: see [`pane_path`]).
    pub client_path: &'a str,
}

/// The built session: each pane's title and tmux id, in ide.yml order.
#[derive(Debug, Clone)]
pub struct Launched {
    pub panes: Vec<(String, String)>,
    pub width: u32,
    pub height: u32,
}

/// Name of the window holding a single-window layout.
pub const LAYOUT_WINDOW: &str = SINGLE_WINDOW;

/// Builds the session; fails if a session of that name exists. Tries again (a fresh
/// session) if another client created panes between the two tmux calls, which would
/// make the predicted pane ids wrong.
pub fn launch(tmux: &Tmux, spec: &LaunchSpec) -> Result<Launched> {
    let dirs = start_dirs(spec)?;
    for _ in 0..3 {
        if let Some(launched) = attempt(tmux, spec, &dirs)? {
            return Ok(launched);
        }
    }
    Err(Error::failed(format!(
        "could not build session {}: other tmux clients kept creating panes at the same time",
        spec.session
    )))
}

/// Each pane's start directory, ide.yml order: the one place the build decides where a
/// pane starts (`dir`, relative to the project root, `~/…` under `$HOME`; the root when
/// absent). A pane `dir` that is not a directory is bad input naming its ide.yml path.
fn start_dirs(spec: &LaunchSpec) -> Result<Vec<PathBuf>> {
    let root = &spec.project.root;
    let mut dirs = Vec::new();
    for window in spec.config.layout_windows() {
        for (r, row) in window.rows.iter().enumerate() {
            for (p, pane) in row.panes.iter().enumerate() {
                let dir = crate::config::pane_dir(root, pane.dir.as_deref());
                if !dir.is_dir() {
                    return Err(Error::bad_input(format!(
                        "{}.dir: {} is not a directory",
                        window.pane_path(r, p),
                        dir.display()
                    )));
                }
                dirs.push(dir);
            }
        }
    }
    Ok(dirs)
}

/// One build: `Ok(None)` when the pane ids did not come out as predicted (retry).
fn attempt(tmux: &Tmux, spec: &LaunchSpec, dirs: &[PathBuf]) -> Result<Option<Launched>> {
    let root = spec.project.root.to_string_lossy().into_owned();
    let (w, h) = (spec.width.to_string(), spec.height.to_string());
    let name = literal_format(spec.session);
    let root_dir = literal_format(&root);
    // The session starts with a placeholder window running `cat` (nothing to clean up
    // when it is hung up), replaced by the layout window in the chain: no pane starts a
    // program only to have it killed.
    // The shell comes last: it is a path, which may hold spaces.
    let format = "#{pane_id} #{session_id} #{window_index} #{pane-base-index} #{window_width} #{window_height} #{default-shell}";
    let first = tmux.run(&[
        "new-session",
        "-d",
        "-P",
        "-F",
        format,
        "-s",
        &name,
        "-n",
        LAYOUT_WINDOW,
        "-x",
        &w,
        "-y",
        &h,
        "-c",
        &root_dir,
        "--",
        "cat",
    ])?;
    let bad = || Error::failed(format!("tmux new-session printed {first:?}"));
    let fields: Vec<&str> = first.trim_end_matches('\n').splitn(7, ' ').collect();
    let [placeholder, session_id, index, pane_base, width, height, shell] = fields.as_slice()
    else {
        return Err(bad());
    };
    let number = |s: &str| s.trim_start_matches(['%', '$']).parse::<u32>().map_err(|_| bad());
    let (base, pane_base) = (number(placeholder)?, number(pane_base)?);
    let (width, height) = (number(width)?, number(height)?);
    number(session_id)?;
    number(index)?;

    let windows = spec.config.layout_windows();
    let ids = plan_ids(&windows, base + 1);
    let build = Build {
        spec,
        dirs,
        ids: &ids,
        target: Target {
            session: session_id,
            first_window: number(index)?,
            pane_base,
            shell: if shell.is_empty() { "/bin/sh" } else { shell },
        },
        root: &root,
        width,
        height,
    };
    let panes: Vec<&Pane> = spec.config.panes().collect();
    let kill = || tmux.try_run(&["kill-session", "-t", session_id], None);
    let chains = match steps(&build).and_then(|steps| pack(&steps, &panes, MAX_CHAIN_BYTES)) {
        Ok(chains) => chains,
        Err(err) => {
            let _ = kill();
            return Err(err);
        }
    };
    for (chain, created) in &chains {
        let out = match tmux.run(&chain.args()) {
            Ok(out) => out,
            Err(err) => {
                let _ = kill();
                return Err(err);
            }
        };
        let printed: Vec<&str> = out.lines().filter(|l| l.starts_with('%')).collect();
        let expected: Vec<&str> = created.iter().map(|&i| ids[i].as_str()).collect();
        if printed != expected {
            let _ = kill();
            return Ok(None);
        }
    }
    let panes = panes.iter().zip(&ids).map(|(p, id)| (p.title.clone(), id.clone()));
    Ok(Some(Launched { panes: panes.collect(), width, height }))
}
