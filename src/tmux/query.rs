//! Asking tmux about sessions and panes: existence, the `@ide_*` options, screen text.
use serde::Serialize;

use super::runner::not_running;
use super::{PaneInfo, Tmux};
use crate::Result;

/// A running tmux-ide session (one whose `@ide_project` option is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    pub name: String,
    pub project: String,
    /// Layout panes (those with an `@ide_title`).
    pub panes: usize,
    pub attached: bool,
}

const SEP: char = '\t';

const PANE_FORMAT: &str = "#{pane_id}\t#{window_index}\t#{window_name}\t#{@ide_title}\t#{@ide_role}\t#{@ide_specialty}\t#{@ide_agent}\t#{pane_current_command}\t#{pane_pid}\t#{pane_dead}\t#{pane_width}\t#{pane_height}\t#{pane_left}\t#{pane_top}\t#{pane_title}";

impl Tmux {
    /// Whether a session with exactly this name exists (false when no server runs).
    pub fn has_session(&self, name: &str) -> Result<bool> {
        let target = format!("={name}");
        Ok(self.try_run(&["has-session", "-t", &target], None)?.ok)
    }

    /// A format expanded for a session (e.g. `#{@ide_config_hash}`), or `None` when the
    /// session does not exist; one tmux process.
    pub fn session_format(&self, name: &str, format: &str) -> Result<Option<String>> {
        // A pane target: `=NAME` alone would be read as a window name.
        let (session, pane) = (format!("={name}"), format!("={name}:"));
        let args =
            ["has-session", "-t", &session, ";", "display-message", "-p", "-t", &pane, format];
        let out = self.try_run(&args, None)?;
        if out.ok {
            Ok(Some(out.stdout.trim_end_matches('\n').to_string()))
        } else if not_running(&out.stderr) || out.stderr.trim().is_empty() {
            Ok(None)
        } else {
            Err(self.failure(&args, &out.stderr))
        }
    }

    /// The layout panes of a session (every pane with an `@ide_title`), in tmux's order.
    pub fn list_panes(&self, session: &str) -> Result<Vec<PaneInfo>> {
        let target = format!("={session}");
        let out = self.run(&["list-panes", "-s", "-t", &target, "-F", PANE_FORMAT])?;
        Ok(out.lines().filter_map(parse_pane).collect())
    }

    /// A session's id (`$3`) read before and after its layout panes, in one tmux process;
    /// `None` when it does not exist (or no server runs). Equal ids mean the panes are
    /// that session's (not a same-named one that replaced it meanwhile).
    pub fn session_panes(&self, name: &str) -> Result<Option<(String, Vec<PaneInfo>, String)>> {
        let (session, pane) = (format!("={name}"), format!("={name}:"));
        let id = ["display-message", "-p", "-t", &pane, "#{session_id}"];
        let mut args = vec!["has-session", "-t", &session, ";"];
        args.extend(id);
        args.extend([";", "list-panes", "-s", "-t", &session, "-F", PANE_FORMAT, ";"]);
        args.extend(id);
        let out = self.try_run(&args, None)?;
        if !out.ok {
            if not_running(&out.stderr) || out.stderr.trim().is_empty() {
                return Ok(None);
            }
            return Err(self.failure(&args, &out.stderr));
        }
        let mut lines: Vec<&str> = out.stdout.lines().collect();
        let (Some(after), Some(before)) = (lines.pop(), lines.first().copied()) else {
            return Ok(None);
        };
        let panes = lines.iter().skip(1).filter_map(|l| parse_pane(l)).collect();
        Ok(Some((before.to_string(), panes, after.to_string())))
    }

    /// The last `last_lines` non-blank-trailing lines of a pane (screen and history).
    pub fn capture(&self, pane_id: &str, last_lines: usize) -> Result<String> {
        let start = format!("-{last_lines}");
        let out = self.run(&["capture-pane", "-p", "-J", "-t", pane_id, "-S", &start])?;
        let lines: Vec<&str> = out.trim_end_matches(['\n', ' ']).lines().collect();
        let from = lines.len().saturating_sub(last_lines);
        Ok(lines[from..].join("\n"))
    }

    /// The visible screen of a pane, without history, trailing blank lines dropped. Agent
    /// states are read here: a screen cleared by a redraw lingers in the history.
    pub fn capture_visible(&self, pane_id: &str) -> Result<String> {
        let out = self.run(&["capture-pane", "-p", "-J", "-t", pane_id])?;
        Ok(out.trim_end_matches(['\n', ' ']).to_string())
    }

    /// Every tmux-ide session on this server (none when no server runs); one process.
    pub fn sessions(&self) -> Result<Vec<SessionInfo>> {
        let args = [
            "list-sessions",
            "-F",
            "S\t#{session_name}\t#{@ide_project}\t#{session_attached}",
            ";",
            "list-panes",
            "-a",
            "-F",
            "P\t#{session_name}\t#{@ide_title}",
            // The orchestrator's control-mode client is not somebody attached.
            ";",
            "list-clients",
            "-F",
            "C\t#{client_session}\t#{client_control_mode}",
        ];
        let out = self.try_run(&args, None)?;
        if !out.ok {
            return if not_running(&out.stderr) {
                Ok(Vec::new())
            } else {
                Err(self.failure(&args, &out.stderr))
            };
        }
        let mut sessions: Vec<SessionInfo> = Vec::new();
        for line in out.stdout.lines() {
            let f: Vec<&str> = line.split(SEP).collect();
            match f.as_slice() {
                ["S", name, project, _] if !project.is_empty() => {
                    sessions.push(SessionInfo {
                        name: name.to_string(),
                        project: project.to_string(),
                        panes: 0,
                        attached: false,
                    });
                }
                ["C", name, "0"] => {
                    if let Some(s) = sessions.iter_mut().find(|s| s.name == *name) {
                        s.attached = true;
                    }
                }
                ["P", name, title] if !title.is_empty() => {
                    if let Some(s) = sessions.iter_mut().find(|s| s.name == *name) {
                        s.panes += 1;
                    }
                }
                _ => {}
            }
        }
        Ok(sessions)
    }
}

fn parse_pane(line: &str) -> Option<PaneInfo> {
    let f: Vec<&str> = line.split(SEP).collect();
    let [
        id,
        index,
        window,
        title,
        role,
        specialty,
        agent,
        cmd,
        pid,
        dead,
        w,
        h,
        left,
        top,
        rest @ ..,
    ] = f.as_slice()
    else {
        return None;
    };
    if title.is_empty() {
        return None;
    }
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Some(PaneInfo {
        id: id.to_string(),
        window: window.to_string(),
        window_index: index.parse().unwrap_or(0),
        title: title.to_string(),
        role: role.parse().ok(),
        specialty: opt(specialty),
        agent: agent.parse().ok(),
        current_command: cmd.to_string(),
        pid: pid.parse().unwrap_or(0),
        dead: *dead == "1",
        width: w.parse().unwrap_or(0),
        height: h.parse().unwrap_or(0),
        left: left.parse().unwrap_or(0),
        top: top.parse().unwrap_or(0),
        // The program's own title (OSC 2) may itself contain tabs.
        pane_title: rest.join("\t"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Agent, Role};

    #[test]
    fn a_pane_line_parses_and_panes_without_a_title_are_skipped() {
        let p = parse_pane(
            "%3\t2\tagents 2\tLead\tlead\t\tclaude\tnode\t42\t0\t66\t34\t0\t1\t✳ Claude Code",
        )
        .unwrap();
        assert_eq!(p.pane_title, "✳ Claude Code");
        assert_eq!(p.id, "%3");
        assert_eq!((p.window.as_str(), p.window_index), ("agents 2", 2));
        assert_eq!(p.role, Some(Role::Lead));
        assert_eq!(p.agent, Some(Agent::Claude));
        assert_eq!(p.specialty, None);
        assert_eq!((p.width, p.height, p.pid), (66, 34, 42));
        assert!(parse_pane("%4\t0\tide\t\t\t\t\tbash\t1\t0\t1\t1\t0\t0").is_none());
    }
}
