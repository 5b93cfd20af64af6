//! Building a session from ide.yml in two tmux processes: `new-session` (a placeholder
//! window; tmux tells us the next pane id and the window size), then one chain that puts
//! the layout window in its place, splits every row and pane at its exact cell size,
//! gives each pane its dir, env (`-e`, with `TMUX_IDE_PANE` computed from the ids tmux
//! hands out in order, and `TMUX_IDE_BIN`) and command (with the pane's `PATH`), records the `@ide_*` options, applies the theme to
//! this session only, selects the focus pane and opens the orchestrator window. The ids
//! tmux prints are checked against the prediction.
use std::path::{Path, PathBuf};

use super::Tmux;
use super::runner::{Chain, literal_format};
use super::spawn::{spawn_args, with_command};
use crate::config::{Config, Pane, Percent};
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

/// Name of the window holding the layout.
pub const LAYOUT_WINDOW: &str = "ide";

/// Splits `total` cells between siblings sized in percent (unsized ones share what the
/// others leave); the parts add up to `total` exactly (largest remainder).
pub fn cell_sizes(total: u32, sizes: &[Option<Percent>]) -> Vec<u32> {
    let explicit: u32 = sizes.iter().flatten().map(|p| u32::from(p.0)).sum();
    let unsized_count = sizes.iter().filter(|s| s.is_none()).count() as u32;
    let whole = if unsized_count > 0 { 100.max(explicit) } else { explicit.max(1) };
    let share = if unsized_count > 0 {
        f64::from(whole - explicit) / f64::from(unsized_count)
    } else {
        0.0
    };
    let targets: Vec<f64> = sizes
        .iter()
        .map(|s| {
            let pct = s.map(|p| f64::from(p.0)).unwrap_or(share);
            f64::from(total) * pct / f64::from(whole)
        })
        .collect();
    let mut cells: Vec<u32> = targets.iter().map(|t| t.floor() as u32).collect();
    let mut left = total.saturating_sub(cells.iter().sum());
    let mut order: Vec<usize> = (0..targets.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (targets[a] - targets[a].floor(), targets[b] - targets[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for i in order.into_iter().cycle().take(targets.len() * 2) {
        if left == 0 {
            break;
        }
        cells[i] += 1;
        left -= 1;
    }
    cells
}

/// Builds the session; fails if a session of that name exists. Tries again (a fresh
/// session) if another client created panes between the two tmux calls, which would
/// make the predicted pane ids wrong.
pub fn launch(tmux: &Tmux, spec: &LaunchSpec) -> Result<Launched> {
    let dirs = resolve_dirs(spec)?;
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

fn resolve_dirs(spec: &LaunchSpec) -> Result<Vec<PathBuf>> {
    let root = &spec.project.root;
    let mut dirs = Vec::new();
    for (r, row) in spec.config.rows.iter().enumerate() {
        for (p, pane) in row.panes.iter().enumerate() {
            let dir = match pane.dir.as_deref() {
                None => root.clone(),
                Some(d) => match d.strip_prefix("~/") {
                    Some(rest) => {
                        std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(rest)
                    }
                    None => root.join(d),
                },
            };
            if !dir.is_dir() {
                return Err(Error::bad_input(format!(
                    "rows[{r}].panes[{p}].dir: {} is not a directory",
                    dir.display()
                )));
            }
            dirs.push(dir);
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

    let plan = plan_ids(spec.config, base + 1);
    let target = Target {
        session: session_id,
        window: format!("{session_id}:{index}"),
        pane_base,
        shell: if shell.is_empty() { "/bin/sh" } else { shell },
    };
    let chain = build_chain(spec, dirs, &plan, &target, &root, width, height);
    let out = match tmux.run(&chain.args()) {
        Ok(out) => out,
        Err(err) => {
            let _ = tmux.try_run(&["kill-session", "-t", session_id], None);
            return Err(err);
        }
    };
    let printed: Vec<&str> = out.lines().filter(|l| l.starts_with('%')).collect();
    let expected: Vec<&str> = plan.creation.iter().map(|&i| plan.ids[i].as_str()).collect();
    if printed != expected {
        let _ = tmux.try_run(&["kill-session", "-t", session_id], None);
        return Ok(None);
    }
    let panes = spec.config.panes().zip(&plan.ids).map(|(p, id)| (p.title.clone(), id.clone()));
    Ok(Some(Launched { panes: panes.collect(), width, height }))
}

/// How the chain names what it changes: the new session by id, the layout window by
/// session id and index, panes by their index in that window. Never by a predicted
/// pane id, so a wrong prediction cannot touch another session.
struct Target<'a> {
    session: &'a str,
    window: String,
    pane_base: u32,
    /// tmux's `default-shell`, which runs a pane's command.
    shell: &'a str,
}

/// Pane ids in ide.yml order, and the order in which tmux creates them.
struct IdPlan {
    ids: Vec<String>,
    /// Indexes (ide.yml order) in creation order: pane 0, the first pane of each further
    /// row, then the other panes row by row.
    creation: Vec<usize>,
}

/// tmux numbers panes from one server-wide counter; within one command chain nothing
/// else creates panes, so the panes get `first`, `first + 1`, ... in creation order.
fn plan_ids(config: &Config, first: u32) -> IdPlan {
    let starts = row_starts(config);
    let mut creation = vec![0];
    creation.extend(starts.iter().skip(1).copied());
    for (row, &start) in config.rows.iter().zip(&starts) {
        creation.extend(start + 1..start + row.panes.len());
    }
    let mut ids = vec![String::new(); config.panes().count()];
    for (k, &i) in creation.iter().enumerate() {
        ids[i] = format!("%{}", first + k as u32);
    }
    IdPlan { ids, creation }
}

/// Index (ide.yml order) of each row's first pane.
fn row_starts(config: &Config) -> Vec<usize> {
    let mut n = 0;
    config
        .rows
        .iter()
        .map(|row| {
            let start = n;
            n += row.panes.len();
            start
        })
        .collect()
}

fn strings<const N: usize>(args: [&str; N]) -> Vec<String> {
    args.map(String::from).to_vec()
}

fn build_chain(
    spec: &LaunchSpec,
    dirs: &[PathBuf],
    plan: &IdPlan,
    target: &Target,
    root: &str,
    width: u32,
    height: u32,
) -> Chain {
    let config = spec.config;
    let panes: Vec<&Pane> = config.panes().collect();
    let (sid, win) = (target.session, target.window.as_str());
    let mut chain = Chain::new();
    let mut first =
        strings(["new-window", "-k", "-t", win, "-n", LAYOUT_WINDOW, "-P", "-F", "#{pane_id}"]);
    first.extend(spawn_args(spec, panes[0], &dirs[0], &plan.ids[0], root));
    chain.cmd(with_command(first, spec, panes[0], target.shell));
    // Titles in the borders come from @ide_title, which programs cannot overwrite.
    chain.cmd(["set-option", "-w", "-t", win, "pane-border-status", "top"]);
    chain.cmd(["set-option", "-w", "-t", win, "pane-border-format", " #{@ide_title} "]);
    // A pane whose program exits stays in place, marked dead (`PaneInfo::dead`), so the
    // layout keeps its shape and the orchestrator can tell the agent is gone.
    chain.cmd(["set-option", "-w", "-t", win, "remain-on-exit", "on"]);
    chain.cmd(["set-option", "-t", sid, "@ide_project", root]);
    chain.cmd(["set-option", "-t", sid, "@ide_config_hash", spec.config_hash]);
    if let Some(theme) = &config.theme {
        if let Some(accent) = &theme.accent {
            let style = format!("fg={accent}");
            chain.cmd(["set-option", "-w", "-t", win, "pane-active-border-style", &style]);
        }
        if let Some(border) = &theme.border {
            let style = format!("fg={border}");
            chain.cmd(["set-option", "-w", "-t", win, "pane-border-style", &style]);
        }
        let status: Vec<String> = [("bg", &theme.bg), ("fg", &theme.fg)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .collect();
        if !status.is_empty() {
            chain.cmd(["set-option", "-t", sid, "status-style", &status.join(",")]);
        }
    }

    // The window's pane list, as tmux keeps it: a split goes right after its target.
    let mut list: Vec<usize> = vec![0];
    let pane_at = |list: &[usize], i: usize| {
        let pos = list.iter().position(|&x| x == i).unwrap_or(0) as u32;
        format!("{win}.{}", target.pane_base + pos)
    };
    let mut split = |chain: &mut Chain, flag: &str, from: usize, size: u32, i: usize| {
        let mut args = strings(["split-window", flag, "-d", "-t", &pane_at(&list, from), "-l"]);
        args.extend([size.to_string(), "-P".into(), "-F".into(), "#{pane_id}".into()]);
        args.extend(spawn_args(spec, panes[i], &dirs[i], &plan.ids[i], root));
        chain.cmd(with_command(args, spec, panes[i], target.shell));
        let pos = list.iter().position(|&x| x == from).unwrap_or(0);
        list.insert(pos + 1, i);
    };
    // Rows: the pane-border line at the top belongs to the first row's cell.
    let n = config.rows.len() as u32;
    let row_sizes: Vec<Option<Percent>> = config.rows.iter().map(|r| r.size).collect();
    let mut cells = cell_sizes(height.saturating_sub(n), &row_sizes);
    cells[0] += 1;
    let starts = row_starts(config);
    for r in 1..config.rows.len() {
        let rest: u32 = cells[r..].iter().sum::<u32>() + (cells.len() - 1 - r) as u32;
        split(&mut chain, "-v", starts[r - 1], rest, starts[r]);
    }
    for (r, row) in config.rows.iter().enumerate() {
        let m = row.panes.len();
        let sizes: Vec<Option<Percent>> = row.panes.iter().map(|p| p.size).collect();
        let widths = cell_sizes(width.saturating_sub(m as u32 - 1), &sizes);
        for p in 1..m {
            let rest: u32 = widths[p..].iter().sum::<u32>() + (m - 1 - p) as u32;
            split(&mut chain, "-h", starts[r] + p - 1, rest, starts[r] + p);
        }
    }
    for (i, pane) in panes.iter().enumerate() {
        let at = pane_at(&list, i);
        let mut set = |option: &str, value: &str| {
            chain.cmd(["set-option", "-p", "-t", &at, option, value]);
        };
        set("@ide_title", &pane.title);
        set("@ide_role", pane.role.as_str());
        set("@ide_agent", pane.agent().as_str());
        if let Some(specialty) = &pane.specialty {
            set("@ide_specialty", specialty);
        }
        if let Some(skill) = &pane.skill {
            set("@ide_skill", skill);
        }
    }
    let focus = panes.iter().position(|p| p.focus).unwrap_or(0);
    chain.cmd(["select-pane", "-t", &pane_at(&list, focus)]);
    // Helper windows after the layout; each stays when its program exits, so its last
    // words stay readable.
    for (name, argv) in [("orchestrator", &spec.orchestrator), ("dashboard", &spec.dashboard)] {
        let Some(argv) = argv else { continue };
        let project_env = format!("TMUX_IDE_PROJECT={root}");
        let bin_env = format!("TMUX_IDE_BIN={}", spec.bin.display());
        let mut args = strings(["new-window", "-a", "-d", "-n", name, "-t", win]);
        args.extend(["-c".into(), literal_format(root), "-e".into(), project_env]);
        args.extend(["-e".into(), bin_env, "--".into()]);
        args.extend(argv.iter().cloned());
        chain.cmd(args);
        let window = format!("{sid}:{name}");
        chain.cmd(["set-option", "-w", "-t", &window, "remain-on-exit", "on"]);
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: u8) -> Option<Percent> {
        Some(Percent(n))
    }

    #[test]
    fn cells_follow_percentages_and_add_up() {
        assert_eq!(cell_sizes(48, &[p(70), p(30)]), vec![34, 14]);
        assert_eq!(cell_sizes(198, &[None, None, None]), vec![66, 66, 66]);
        assert_eq!(cell_sizes(100, &[p(50), None, None]), vec![50, 25, 25]);
        assert_eq!(cell_sizes(10, &[p(30), p(30)]), vec![5, 5]);
        assert_eq!(cell_sizes(7, &[None, None]).iter().sum::<u32>(), 7);
    }

    #[test]
    fn pane_ids_follow_the_split_order() {
        let config = Config::parse(
            "rows:\n  - panes: [{title: a}, {title: b}, {title: c}]\n  - panes: [{title: d}, {title: e}]\n",
        )
        .unwrap();
        let plan = plan_ids(&config, 10);
        assert_eq!(plan.ids, ["%10", "%12", "%13", "%11", "%14"]);
        assert_eq!(plan.creation, [0, 3, 1, 2, 4]);
    }
}
