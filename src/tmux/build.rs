//! The tmux commands that build a session's windows, and how they are packed into as few
//! tmux processes as tmux takes: per layout window, the window (the first replaces the
//! placeholder), its options, one split per further row and pane at its exact cell size,
//! each pane's `@ide_*` options; then the focus and the helper windows. Panes are named by
//! window index and pane index, never by a predicted pane id.
use std::path::PathBuf;

use super::layout::LaunchSpec;
use super::runner::{Chain, escape_arg, literal_format};
use super::spawn::{spawn_args, with_command};
use crate::config::{LayoutWindow, Pane, window_cells};
use crate::{Error, Result};

/// tmux 3.3 refuses a command line whose arguments (each with its NUL) pass 16 380 bytes
/// (`MAX_IMSGSIZE` less its header: "command too long"); each tmux process of the build
/// stays under this, with room to spare.
pub const MAX_CHAIN_BYTES: usize = 12 * 1024;

/// Where the build happens: the new session by id, its first window's index.
pub(super) struct Target<'a> {
    pub session: &'a str,
    /// Index of the placeholder window, which layout window 0 replaces; window `k`
    /// gets index `first_window + k`.
    pub first_window: u32,
    pub pane_base: u32,
    /// tmux's `default-shell`, which runs a pane's command.
    pub shell: &'a str,
}

impl Target<'_> {
    fn window(&self, k: usize) -> String {
        format!("{}:{}", self.session, self.first_window as usize + k)
    }
}

/// One tmux command, and the pane it creates (its index in ide.yml order), if any.
pub(super) struct Step {
    pub args: Vec<String>,
    pub creates: Option<usize>,
}

/// The panes' ids in ide.yml order. tmux numbers panes from one server-wide counter;
/// while nothing else creates panes, ours get `first`, `first + 1`, ... in creation order: window by window, its first pane,
/// the first pane of each further row, then the other panes row by row.
pub(super) fn plan_ids(windows: &[LayoutWindow], first: u32) -> Vec<String> {
    let mut creation = Vec::new();
    let mut offset = 0;
    for window in windows {
        let starts = row_starts(window, offset);
        creation.push(offset);
        creation.extend(starts.iter().skip(1).copied());
        for (row, &start) in window.rows.iter().zip(&starts) {
            creation.extend(start + 1..start + row.panes.len());
        }
        offset += window.panes().count();
    }
    let mut ids = vec![String::new(); creation.len()];
    for (k, &i) in creation.iter().enumerate() {
        ids[i] = format!("%{}", first + k as u32);
    }
    ids
}

/// Index (ide.yml order, counted from `offset`) of each row's first pane.
fn row_starts(window: &LayoutWindow, offset: usize) -> Vec<usize> {
    let mut n = offset;
    let starts = window.rows.iter().map(|row| {
        let start = n;
        n += row.panes.len();
        start
    });
    starts.collect()
}

fn strings<const N: usize>(args: [&str; N]) -> Vec<String> {
    args.map(String::from).to_vec()
}

/// What every window's steps share.
pub(super) struct Build<'a> {
    pub spec: &'a LaunchSpec<'a>,
    /// Each pane's start directory, ide.yml order (`layout::start_dirs`).
    pub dirs: &'a [PathBuf],
    pub ids: &'a [String],
    pub target: Target<'a>,
    pub root: &'a str,
    pub width: u32,
    pub height: u32,
}

/// Every command of the build, in order.
pub(super) fn steps(b: &Build) -> Result<Vec<Step>> {
    let config = b.spec.config;
    let windows = config.layout_windows();
    let panes: Vec<&Pane> = config.panes().collect();
    let sid = b.target.session;
    let mut out = Vec::new();
    let mut cmd = |args: Vec<String>| out.push(Step { args, creates: None });
    cmd(strings(["set-option", "-t", sid, "@ide_project", b.root]));
    cmd(strings(["set-option", "-t", sid, "@ide_config_hash", b.spec.config_hash]));
    if let Some(theme) = &config.theme {
        let status: Vec<String> = [("bg", &theme.bg), ("fg", &theme.fg)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
            .collect();
        if !status.is_empty() {
            cmd(strings(["set-option", "-t", sid, "status-style", &status.join(",")]));
        }
    }
    let mut offset = 0;
    let mut focus = None;
    for (k, window) in windows.iter().enumerate() {
        let list = window_steps(b, k, window, offset, &panes, &mut out)?;
        if let Some(p) = (offset..offset + list.len()).find(|&i| panes[i].focus) {
            focus = Some((k, list.iter().position(|&x| x == p).unwrap_or(0)));
        }
        offset += list.len();
    }
    let (k, pos) = focus.unwrap_or((0, 0));
    let window = b.target.window(k);
    let pane = format!("{window}.{}", b.target.pane_base + pos as u32);
    out.push(Step { args: strings(["select-pane", "-t", &pane]), creates: None });
    out.push(Step { args: strings(["select-window", "-t", &window]), creates: None });
    helper_steps(b, windows.len(), &mut out);
    Ok(out)
}

/// One layout window: created, its options set, split row by row and pane by pane, its
/// panes' options recorded. Returns the window's pane list (ide.yml indexes) in tmux's
/// order.
fn window_steps(
    b: &Build,
    k: usize,
    window: &LayoutWindow,
    offset: usize,
    panes: &[&Pane],
    out: &mut Vec<Step>,
) -> Result<Vec<usize>> {
    let cells = window_cells(window.rows, b.width, b.height).map_err(|why| {
        Error::bad_input(format!(
            "{}: {why} in a {}x{} window",
            window.rows_path(),
            b.width,
            b.height
        ))
    })?;
    let win = b.target.window(k);
    let name = literal_format(window.name);
    let spawn = |mut args: Vec<String>, i: usize| {
        let (spec, shell) = (b.spec, b.target.shell);
        args.extend(spawn_args(spec, panes[i], &b.dirs[i], &b.ids[i], b.root));
        Step { args: with_command(args, spec, panes[i], shell), creates: Some(i) }
    };
    // The first window replaces the placeholder (`-k`); the others take the next indexes.
    let kill = if k == 0 { "-k" } else { "-d" };
    let first = strings(["new-window", kill, "-t", &win, "-n", &name, "-P", "-F", "#{pane_id}"]);
    out.push(spawn(first, offset));
    let mut set_w = |option: &str, value: &str| {
        let args = strings(["set-option", "-w", "-t", &win, option, value]);
        out.push(Step { args, creates: None });
    };
    // Titles in the borders come from @ide_title, which programs cannot overwrite.
    set_w("pane-border-status", "top");
    set_w("pane-border-format", " #{@ide_title} ");
    // A pane whose program exits stays in place, marked dead (`PaneInfo::dead`), so the
    // layout keeps its shape and the orchestrator can tell the agent is gone.
    set_w("remain-on-exit", "on");
    if let Some(theme) = &b.spec.config.theme {
        if let Some(accent) = &theme.accent {
            set_w("pane-active-border-style", &format!("fg={accent}"));
        }
        if let Some(border) = &theme.border {
            set_w("pane-border-style", &format!("fg={border}"));
        }
    }

    // The window's pane list, as tmux keeps it: a split goes right after its target.
    let mut list: Vec<usize> = vec![offset];
    let pane_at = |list: &[usize], i: usize| {
        let pos = list.iter().position(|&x| x == i).unwrap_or(0) as u32;
        format!("{win}.{}", b.target.pane_base + pos)
    };
    let mut split = |out: &mut Vec<Step>, flag: &str, from: usize, size: u32, i: usize| {
        let mut args = strings(["split-window", flag, "-d", "-t", &pane_at(&list, from), "-l"]);
        args.extend([size.to_string(), "-P".into(), "-F".into(), "#{pane_id}".into()]);
        out.push(spawn(args, i));
        let pos = list.iter().position(|&x| x == from).unwrap_or(0);
        list.insert(pos + 1, i);
    };
    // Rows: the pane-border line at the top belongs to the first row's cell.
    let mut heights = cells.heights.clone();
    heights[0] += 1;
    let starts = row_starts(window, offset);
    for r in 1..window.rows.len() {
        let rest: u32 = heights[r..].iter().sum::<u32>() + (heights.len() - 1 - r) as u32;
        split(out, "-v", starts[r - 1], rest, starts[r]);
    }
    for (r, widths) in cells.widths.iter().enumerate() {
        let m = widths.len();
        for p in 1..m {
            let rest: u32 = widths[p..].iter().sum::<u32>() + (m - 1 - p) as u32;
            split(out, "-h", starts[r] + p - 1, rest, starts[r] + p);
        }
    }
    for (i, pane) in panes.iter().enumerate().skip(offset).take(list.len()) {
        let at = pane_at(&list, i);
        let mut set = |option: &str, value: &str| {
            let args = strings(["set-option", "-p", "-t", &at, option, value]);
            out.push(Step { args, creates: None });
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
    Ok(list)
}

/// Helper windows after the last layout window; each stays when its program exits, so
/// its last words stay readable.
fn helper_steps(b: &Build, layout_windows: usize, out: &mut Vec<Step>) {
    let last = b.target.window(layout_windows.saturating_sub(1));
    let spec = b.spec;
    for (name, argv) in [("orchestrator", &spec.orchestrator), ("dashboard", &spec.dashboard)] {
        let Some(argv) = argv else { continue };
        let project_env = format!("TMUX_IDE_PROJECT={}", b.root);
        let bin_env = format!("TMUX_IDE_BIN={}", spec.bin.display());
        let mut args = strings(["new-window", "-a", "-d", "-n", name, "-t", &last]);
        args.extend(["-c".into(), literal_format(b.root), "-e".into(), project_env]);
        args.extend(["-e".into(), bin_env, "--".into()]);
        args.extend(argv.iter().cloned());
        out.push(Step { args, creates: None });
        let window = format!("{}:{name}", b.target.session);
        out.push(Step {
            args: strings(["set-option", "-w", "-t", &window, "remain-on-exit", "on"]),
            creates: None,
        });
    }
}

/// Bytes a command adds to a tmux command line: each argument as sent, its NUL, and the
/// `;` argument before it.
fn step_bytes(step: &Step) -> usize {
    step.args.iter().map(|a| escape_arg(a).len() + 1).sum::<usize>() + 2
}

/// The steps packed in order into chains of at most `max` bytes each, with the panes each
/// chain creates (ide.yml indexes, in order). A single command past `max` is refused,
/// naming the pane it would create.
pub(super) fn pack(
    steps: &[Step],
    panes: &[&Pane],
    max: usize,
) -> Result<Vec<(Chain, Vec<usize>)>> {
    let mut chains: Vec<(Chain, Vec<usize>)> = Vec::new();
    let mut used = max;
    for step in steps {
        let bytes = step_bytes(step);
        if bytes > max {
            let what = match step.creates {
                Some(i) => format!("pane `{}`", panes[i].title),
                None => format!("`{}`", step.args.first().map(String::as_str).unwrap_or("")),
            };
            return Err(Error::bad_input(format!(
                "{what}: its tmux command is {bytes} bytes, more than one tmux command line \
                 takes ({max}); shorten its command, env or dir"
            )));
        }
        if used + bytes > max {
            chains.push((Chain::new(), Vec::new()));
            used = 0;
        }
        if let Some((chain, created)) = chains.last_mut() {
            chain.cmd(&step.args);
            created.extend(step.creates);
        }
        used += bytes;
    }
    Ok(chains)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::tmux::LaunchSpec;

    #[test]
    fn pane_ids_follow_the_split_order_window_by_window() {
        let config = Config::parse(
            "windows:\n  - name: one\n    rows:\n      - panes: [{title: a}, {title: b}, {title: c}]\n      - panes: [{title: d}, {title: e}]\n  - name: two\n    rows:\n      - panes: [{title: f}, {title: g}]\n      - panes: [{title: h}]\n",
        )
        .unwrap();
        let ids = plan_ids(&config.layout_windows(), 10);
        assert_eq!(ids, ["%10", "%12", "%13", "%11", "%14", "%15", "%17", "%16"]);
    }

    #[test]
    fn a_hundred_agent_panes_over_five_windows_take_a_few_command_lines_under_the_bound() {
        let mut yml = String::from("windows:\n");
        for w in 0..5 {
            yml.push_str(&format!("  - name: agents-{w}\n    rows:\n"));
            for r in 0..4 {
                yml.push_str("      - panes:\n");
                for c in 0..5 {
                    yml.push_str(&format!(
                        "          - {{title: Agent {w}-{r}-{c}, role: teammate, specialty: backend, \
                         command: '/opt/tools/bin/tmux-ide agent sim --work-ms 2000', env: {{RUST_LOG: info}}}}\n"
                    ));
                }
            }
        }
        yml.push_str("orchestrator: {enabled: true}\n");
        let config = Config::parse(&yml).unwrap();
        let project = crate::project::Project::at("/home/someone/src/a-project-of-some-length");
        let bin = std::path::PathBuf::from("/home/someone/.cargo/bin/tmux-ide");
        let spec = LaunchSpec {
            session: "big",
            project: &project,
            config: &config,
            config_hash: "0123456789abcdef",
            width: 200,
            height: 50,
            orchestrator: Some(vec![
                bin.display().to_string(),
                "orchestrator".into(),
                "run".into(),
            ]),
            dashboard: None,
            bin: &bin,
            client_path: "/usr/local/bin:/usr/bin:/bin",
        };
        let dirs = vec![project.root.clone(); 100];
        let ids = plan_ids(&config.layout_windows(), 1);
        let target = Target { session: "$1", first_window: 0, pane_base: 0, shell: "/bin/bash" };
        let root = project.root.to_string_lossy().into_owned();
        let b = Build {
            spec: &spec,
            dirs: &dirs,
            ids: &ids,
            target,
            root: &root,
            width: 200,
            height: 50,
        };
        let steps = steps(&b).unwrap();
        let panes: Vec<&Pane> = config.panes().collect();
        let chains = pack(&steps, &panes, MAX_CHAIN_BYTES).unwrap();
        let sizes: Vec<usize> =
            chains.iter().map(|(c, _)| c.args().iter().map(|a| a.len() + 1).sum()).collect();
        assert!(sizes.iter().all(|&s| s <= MAX_CHAIN_BYTES), "{sizes:?}");
        // A few lines for 100 panes (about one per 20 panes), each pane created once, in order.
        assert!((4..=6).contains(&chains.len()), "{} chains: {sizes:?}", chains.len());
        let created: Vec<usize> = chains.iter().flat_map(|(_, c)| c.clone()).collect();
        assert_eq!(created.len(), 100);
    }

    #[test]
    fn steps_are_packed_in_order_under_the_bound() {
        let step = |n: usize, creates| Step { args: vec!["x".repeat(n)], creates };
        let steps = [step(40, Some(0)), step(40, None), step(40, Some(1)), step(10, None)];
        let pane = Pane { title: "A".into(), ..Pane::default() };
        let panes = [&pane, &pane];
        let chains = pack(&steps, &panes, 100).unwrap();
        let shape: Vec<(usize, Vec<usize>)> =
            chains.iter().map(|(c, p)| (c.args().len(), p.clone())).collect();
        assert_eq!(shape, [(3, vec![0]), (3, vec![1])]);
        let err = pack(&[step(200, Some(1))], &panes, 100).unwrap_err();
        assert!(err.to_string().starts_with("pane `A`: its tmux command is 203 bytes"), "{err}");
    }
}
