//! Finding what a command or a dashboard request names: the project's running session,
//! and the pane a target (`%id`, title, role) means within it. Shared by `tmux-ide send`,
//! the session commands and the dashboard's `POST /api/send`.
use super::{PaneInfo, Tmux, session_name};
use crate::config::Config;
use crate::project::Project;
use crate::{Error, Result};

impl Tmux {
    /// The running session of this project: found by its `@ide_project`, else by name.
    pub fn running_session(&self, project: &Project) -> Result<String> {
        let root = project.root.to_string_lossy();
        if let Some(s) = self.sessions()?.into_iter().find(|s| s.project == root) {
            return Ok(s.name);
        }
        let expected = Config::load(project)
            .map(|c| session_name(project, &c))
            .unwrap_or_else(|_| session_name(project, &Config::default()));
        Err(Error::failed(format!("session {expected} is not running (project {root})"))
            .with_hint("start it with `tmux-ide` (or `tmux-ide up --detach`)"))
    }
}

/// The pane a target names: `%id`, exact title, title ignoring case, then a role held
/// by exactly one pane. Unknown targets list the panes.
pub fn resolve_pane<'a>(
    panes: &'a [PaneInfo],
    target: &str,
    session: &str,
) -> Result<&'a PaneInfo> {
    let listing = || {
        let list: Vec<String> = panes
            .iter()
            .map(|p| {
                let role = p.role.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
                format!("{} ({role}, {})", p.title, p.id)
            })
            .collect();
        format!("panes: {}", list.join(", "))
    };
    let by = |f: &dyn Fn(&PaneInfo) -> bool| panes.iter().filter(|p| f(p)).collect::<Vec<_>>();
    for found in [
        by(&|p| p.id == target),
        by(&|p| p.title == target),
        by(&|p| p.title.eq_ignore_ascii_case(target)),
    ] {
        if let [one] = found.as_slice() {
            return Ok(one);
        }
    }
    let with_role = by(&|p| p.role.is_some_and(|r| r.as_str() == target));
    match with_role.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::bad_input(format!("no pane `{target}` in session {session}"))
            .with_hint(listing())),
        many => {
            let titles: Vec<&str> = many.iter().map(|p| p.title.as_str()).collect();
            Err(Error::bad_input(format!(
                "role `{target}` matches {} panes ({}); name one by title",
                many.len(),
                titles.join(", ")
            ))
            .with_hint(listing()))
        }
    }
}
