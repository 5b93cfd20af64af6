//! What each pane of a new session is started with: its directory, its env (with
//! `TMUX_IDE_PANE`, `TMUX_IDE_TITLE`, `TMUX_IDE_PROJECT`, `TMUX_IDE_BIN`), its PATH and its
//! command.
use std::path::Path;

use super::layout::LaunchSpec;
use super::runner::literal_format;
use crate::config::Pane;

/// `-c DIR -e K=V ... -e TMUX_IDE_PANE=%N -e TMUX_IDE_TITLE=T -e TMUX_IDE_PROJECT=ROOT
/// -e TMUX_IDE_BIN=EXE`. The title spares every self-report a tmux call to learn it
/// (`cli::pane::title_of`): a hundred agents report several times a task.
pub(super) fn spawn_args(
    spec: &LaunchSpec,
    pane: &Pane,
    dir: &Path,
    id: &str,
    root: &str,
) -> Vec<String> {
    let mut args = vec!["-c".to_string(), literal_format(&dir.to_string_lossy())];
    for (k, v) in &pane.env {
        args.extend(["-e".to_string(), format!("{k}={v}")]);
    }
    args.extend(["-e".into(), format!("TMUX_IDE_PANE={id}")]);
    args.extend(["-e".into(), format!("TMUX_IDE_TITLE={}", pane.title)]);
    args.extend(["-e".into(), format!("TMUX_IDE_PROJECT={root}")]);
    args.extend(["-e".into(), format!("TMUX_IDE_BIN={}", spec.bin.display())]);
    args
}

/// Appends the pane's program: `-- COMMAND` (run by tmux's default shell), or nothing (a
/// login shell). tmux 3.3a gives every new pane the building client's PATH, overriding
/// `-e PATH=…` and the session environment alike, so a pane whose `env` sets PATH runs
/// `env PATH=… SHELL -c COMMAND` (an argument vector, no shell string) — without a
/// command an interactive, non-login shell, since a login shell's profile resets PATH.
pub(super) fn with_command(
    mut args: Vec<String>,
    spec: &LaunchSpec,
    pane: &Pane,
    shell: &str,
) -> Vec<String> {
    let configured = pane.env.get("PATH").map(String::as_str);
    let path = pane_path(configured, spec.client_path, spec.bin);
    if configured.is_none() || path == spec.client_path {
        if let Some(command) = &pane.command {
            args.extend(["--".to_string(), command.clone()]);
        }
        return args;
    }
    args.extend(["--".into(), "env".into(), format!("PATH={path}"), shell.into()]);
    if let Some(command) = &pane.command {
        args.extend(["-c".to_string(), command.clone()]);
    }
    args
}

/// The PATH a pane runs with: its `env: PATH` if ide.yml sets one, else the client's;
/// with `bin`'s directory in front unless `tmux-ide` there already is `bin`.
pub fn pane_path(configured: Option<&str>, client_path: &str, bin: &Path) -> String {
    let path = configured.unwrap_or(client_path);
    if resolves_to(path, bin) {
        return path.to_string();
    }
    let dir = bin.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    if path.is_empty() { dir } else { format!("{dir}:{path}") }
}

/// Whether `tmux-ide` looked up on `path` is the executable `bin`.
pub fn resolves_to(path: &str, bin: &Path) -> bool {
    let found = std::env::split_paths(path).map(|d| d.join("tmux-ide")).find(|c| c.is_file());
    let same = |a: &Path| std::fs::canonicalize(a).ok();
    found.is_some_and(|f| same(&f).is_some() && same(&f) == same(bin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pane_path_gets_the_binary_directory_in_front_only_when_tmux_ide_is_not_it() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("tmux-ide");
        std::fs::write(&bin, "").unwrap();
        let d = dir.path().display();
        assert_eq!(pane_path(None, "/usr/bin:/bin", &bin), format!("{d}:/usr/bin:/bin"));
        assert_eq!(pane_path(Some("/x:/bin"), "/usr/bin", &bin), format!("{d}:/x:/bin"));
        let on_path = format!("/nowhere:{d}:/bin");
        assert_eq!(pane_path(None, &on_path, &bin), on_path);
        assert_eq!(pane_path(Some(""), "/usr/bin", &bin), d.to_string());
    }
}
