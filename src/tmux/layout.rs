//! Building a session from ide.yml in two tmux processes: `new-session` (which tells us
//! the first pane's id and the window size), then one chain that splits every row and
//! pane at its exact cell size, gives each pane its dir, env (`-e`, with `TMUX_IDE_PANE`
//! computed from the ids tmux hands out in order) and command, records the `@ide_*`
//! options, applies the theme to this session only, selects the focus pane and opens
//! the orchestrator window. The split ids tmux prints are checked against the prediction.
use std::path::PathBuf;

use super::Tmux;
use super::runner::{Chain, literal_format};
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
    let first = tmux.run(&[
        "new-session",
        "-d",
        "-P",
        "-F",
        "#{pane_id} #{session_id} #{window_id} #{window_width} #{window_height}",
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
    ])?;
    let mut fields = first.split_whitespace();
    let mut next = || fields.next().unwrap_or("");
    let (id0, session_id, window_id) = (next(), next(), next());
    let (width, height) = (next(), next());
    if !session_id.starts_with('$') || !window_id.starts_with('@') {
        return Err(Error::failed(format!("tmux new-session printed {first:?}")));
    };
    let base: u32 = id0
        .trim_start_matches('%')
        .parse()
        .map_err(|_| Error::failed(format!("tmux new-session printed {first:?}")))?;
    let width: u32 = width.parse().unwrap_or(spec.width);
    let height: u32 = height.parse().unwrap_or(spec.height);

    let plan = plan_ids(spec.config, base);
    let ids = Ids { session: session_id, window: window_id };
    let chain = build_chain(spec, dirs, &plan, &ids, &root, width, height);
    let out = match tmux.run(&chain.args()) {
        Ok(out) => out,
        Err(err) => {
            let _ = tmux.try_run(&["kill-session", "-t", session_id], None);
            return Err(err);
        }
    };
    let printed: Vec<&str> = out.lines().filter(|l| l.starts_with('%')).collect();
    let expected: Vec<String> = plan.split_order.iter().map(|&i| plan.ids[i].clone()).collect();
    if printed != expected {
        let _ = tmux.try_run(&["kill-session", "-t", session_id], None);
        return Ok(None);
    }
    let panes = spec.config.panes().zip(&plan.ids).map(|(p, id)| (p.title.clone(), id.clone()));
    Ok(Some(Launched { panes: panes.collect(), width, height }))
}

/// tmux's ids of the new session and its layout window (`$N`, `@N`).
struct Ids<'a> {
    session: &'a str,
    window: &'a str,
}

/// Pane ids in ide.yml order, and the order in which the splits create them.
struct IdPlan {
    ids: Vec<String>,
    /// Indexes (ide.yml order) of the panes created by splits, in creation order.
    split_order: Vec<usize>,
}

/// tmux numbers panes from one counter; pane 0 has `base`, each split takes the next:
/// first the first pane of each further row, then the other panes row by row.
fn plan_ids(config: &Config, base: u32) -> IdPlan {
    let starts: Vec<usize> = config
        .rows
        .iter()
        .scan(0, |n, row| {
            let start = *n;
            *n += row.panes.len();
            Some(start)
        })
        .collect();
    let mut split_order: Vec<usize> = starts.iter().skip(1).copied().collect();
    for (row, &start) in config.rows.iter().zip(&starts) {
        split_order.extend(start + 1..start + row.panes.len());
    }
    let mut ids = vec![String::new(); config.panes().count()];
    ids[0] = format!("%{base}");
    for (k, &i) in split_order.iter().enumerate() {
        ids[i] = format!("%{}", base + 1 + k as u32);
    }
    IdPlan { ids, split_order }
}

/// `-c DIR -e K=V ... -e TMUX_IDE_PANE=%N -e TMUX_IDE_PROJECT=ROOT`.
fn spawn_args(pane: &Pane, dir: &std::path::Path, id: &str, root: &str) -> Vec<String> {
    let mut args = vec!["-c".to_string(), literal_format(&dir.to_string_lossy())];
    for (k, v) in &pane.env {
        args.extend(["-e".to_string(), format!("{k}={v}")]);
    }
    args.extend(["-e".into(), format!("TMUX_IDE_PANE={id}")]);
    args.extend(["-e".into(), format!("TMUX_IDE_PROJECT={root}")]);
    args
}

fn with_command(mut args: Vec<String>, pane: &Pane) -> Vec<String> {
    if let Some(command) = &pane.command {
        args.extend(["--".to_string(), command.clone()]);
    }
    args
}

fn build_chain(
    spec: &LaunchSpec,
    dirs: &[PathBuf],
    plan: &IdPlan,
    ids: &Ids,
    root: &str,
    width: u32,
    height: u32,
) -> Chain {
    let config = spec.config;
    let panes: Vec<&Pane> = config.panes().collect();
    let id0 = plan.ids[0].as_str();
    let (sid, wid) = (ids.session, ids.window);
    let mut chain = Chain::new();
    // Titles in the borders come from @ide_title, which programs cannot overwrite.
    chain.cmd(["set-option", "-w", "-t", wid, "pane-border-status", "top"]);
    chain.cmd(["set-option", "-w", "-t", wid, "pane-border-format", " #{@ide_title} "]);
    chain.cmd(["set-option", "-t", sid, "@ide_project", root]);
    chain.cmd(["set-option", "-t", sid, "@ide_config_hash", spec.config_hash]);
    if let Some(theme) = &config.theme {
        if let Some(accent) = &theme.accent {
            let style = format!("fg={accent}");
            chain.cmd(["set-option", "-w", "-t", wid, "pane-active-border-style", &style]);
        }
        if let Some(border) = &theme.border {
            let style = format!("fg={border}");
            chain.cmd(["set-option", "-w", "-t", wid, "pane-border-style", &style]);
        }
        let status: Vec<String> = [("bg", &theme.bg), ("fg", &theme.fg)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .collect();
        if !status.is_empty() {
            chain.cmd(["set-option", "-t", sid, "status-style", &status.join(",")]);
        }
    }
    let mut head = vec!["respawn-pane".to_string(), "-k".into(), "-t".into(), id0.into()];
    head.extend(spawn_args(panes[0], &dirs[0], id0, root));
    chain.cmd(with_command(head, panes[0]));

    // Rows: the pane-border line at the top belongs to the first row's cell.
    let n = config.rows.len() as u32;
    let row_sizes: Vec<Option<Percent>> = config.rows.iter().map(|r| r.size).collect();
    let mut cells = cell_sizes(height.saturating_sub(n), &row_sizes);
    cells[0] += 1;
    let starts: Vec<usize> = config
        .rows
        .iter()
        .scan(0, |acc, row| {
            let s = *acc;
            *acc += row.panes.len();
            Some(s)
        })
        .collect();
    let split = |chain: &mut Chain, flag: &str, target: &str, size: u32, i: usize| {
        let mut args: Vec<String> =
            ["split-window", flag, "-d", "-t", target, "-l"].map(String::from).to_vec();
        args.push(size.to_string());
        args.extend(["-P".into(), "-F".into(), "#{pane_id}".into()]);
        args.extend(spawn_args(panes[i], &dirs[i], &plan.ids[i], root));
        chain.cmd(with_command(args, panes[i]));
    };
    for r in 1..config.rows.len() {
        let rest: u32 = cells[r..].iter().sum::<u32>() + (cells.len() - 1 - r) as u32;
        split(&mut chain, "-v", &plan.ids[starts[r - 1]], rest, starts[r]);
    }
    for (r, row) in config.rows.iter().enumerate() {
        let m = row.panes.len();
        let sizes: Vec<Option<Percent>> = row.panes.iter().map(|p| p.size).collect();
        let widths = cell_sizes(width.saturating_sub(m as u32 - 1), &sizes);
        for p in 1..m {
            let rest: u32 = widths[p..].iter().sum::<u32>() + (m - 1 - p) as u32;
            split(&mut chain, "-h", &plan.ids[starts[r] + p - 1], rest, starts[r] + p);
        }
    }
    for (pane, id) in panes.iter().zip(&plan.ids) {
        let mut set = |option: &str, value: &str| {
            chain.cmd(["set-option", "-p", "-t", id, option, value]);
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
    chain.cmd(["select-pane", "-t", &plan.ids[focus]]);
    if let Some(argv) = &spec.orchestrator {
        let project_env = format!("TMUX_IDE_PROJECT={root}");
        let mut args: Vec<String> =
            ["new-window", "-a", "-d", "-n", "orchestrator", "-t", wid].map(String::from).to_vec();
        args.extend(["-c".into(), literal_format(root), "-e".into(), project_env, "--".into()]);
        args.extend(argv.iter().cloned());
        chain.cmd(args);
        // Keep the window when the orchestrator exits, so its last words stay readable.
        let window = format!("{sid}:orchestrator");
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
        assert_eq!(plan.split_order, [3, 1, 2, 4]);
    }
}
