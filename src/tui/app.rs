//! The live view's state: the latest snapshot (or why it could not be read), the selected
//! panel, zoom; and what each key does. No I/O and no drawing here.
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::source::Snapshot;

/// The four panels, in key order (`1`–`4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Mission,
    Agents,
    Queue,
    Events,
}

impl Panel {
    pub const ALL: [Panel; 4] = [Panel::Mission, Panel::Agents, Panel::Queue, Panel::Events];

    pub fn title(self) -> &'static str {
        match self {
            Panel::Mission => "Mission",
            Panel::Agents => "Agents",
            Panel::Queue => "Queue",
            Panel::Events => "Events",
        }
    }

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    fn step(self, by: isize) -> Panel {
        let n = Panel::ALL.len() as isize;
        Panel::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
}

/// What the loop should do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    Quit,
}

#[derive(Debug, Default)]
pub struct App {
    /// The last snapshot read; kept on screen when a later read fails.
    pub snapshot: Option<Snapshot>,
    /// Why the last read failed (e.g. `tasks.json` mid-edit by hand), until one succeeds.
    pub error: Option<String>,
    pub selected: Option<Panel>,
    /// Show only the selected panel.
    pub zoomed: bool,
    /// The agents panel's selected row (Up/Down while it has the focus).
    pub agent: usize,
    /// The last lines of the selected agent's pane, read by the loop while it shows.
    pub preview: Option<Preview>,
}

/// What a pane shows now: its last lines, as tmux has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub pane: String,
    pub lines: Vec<String>,
}

impl App {
    /// Takes the result of a read: a snapshot replaces the old one, an error is shown
    /// over the old one.
    pub fn update(&mut self, read: crate::Result<Snapshot>) {
        match read {
            Ok(s) => {
                self.snapshot = Some(s);
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The selected agent's pane title, while the agents panel has the focus: the one
    /// whose pane is previewed.
    pub fn selected_agent<'a>(&self, s: &'a Snapshot) -> Option<&'a str> {
        if self.focus() != Panel::Agents {
            return None;
        }
        let agents = &s.orch.agents.agents;
        agents.get(self.agent.min(agents.len().saturating_sub(1))).map(|a| a.pane.as_str())
    }

    /// The panel that has the focus (Mission until one is chosen).
    pub fn focus(&self) -> Panel {
        self.selected.unwrap_or(Panel::Mission)
    }

    /// Tab / Shift-Tab cycle the panels, `1`–`4` pick one, Enter or `z` zoom it, Up/Down
    /// (`k`/`j`) pick an agent in the agents panel, `q` and
    /// Ctrl-C quit. Esc steps back: out of a zoomed panel first, so reaching for "back"
    /// does not end the view, and quits from the grid.
    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::Continue;
        }
        match key.code {
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Outcome::Quit;
            }
            KeyCode::Esc if self.zoomed => self.zoomed = false,
            KeyCode::Char('q') | KeyCode::Esc => return Outcome::Quit,
            KeyCode::Tab => self.selected = Some(self.focus().step(1)),
            KeyCode::BackTab => self.selected = Some(self.focus().step(-1)),
            KeyCode::Char(c @ '1'..='4') => {
                self.selected = Some(Panel::ALL[(c as u8 - b'1') as usize]);
            }
            KeyCode::Enter | KeyCode::Char('z') => self.zoomed = !self.zoomed,
            KeyCode::Down | KeyCode::Char('j') if self.focus() == Panel::Agents => {
                let last = self.snapshot.as_ref().map_or(0, |s| s.orch.agents.agents.len());
                self.agent = (self.agent + 1).min(last.saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') if self.focus() == Panel::Agents => {
                self.agent = self.agent.saturating_sub(1);
            }
            _ => {}
        }
        Outcome::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn tab_cycles_the_panels_and_digits_pick_one() {
        let mut app = App::default();
        assert_eq!(app.focus(), Panel::Mission);
        app.on_key(key(KeyCode::Tab));
        assert_eq!(app.focus(), Panel::Agents);
        app.on_key(key(KeyCode::BackTab));
        app.on_key(key(KeyCode::BackTab));
        assert_eq!(app.focus(), Panel::Events);
        app.on_key(key(KeyCode::Char('3')));
        assert_eq!(app.focus(), Panel::Queue);
        app.on_key(key(KeyCode::Enter));
        assert!(app.zoomed);
    }

    #[test]
    fn q_escape_and_ctrl_c_quit() {
        let mut app = App::default();
        assert_eq!(app.on_key(key(KeyCode::Char('q'))), Outcome::Quit);
        assert_eq!(app.on_key(key(KeyCode::Esc)), Outcome::Quit);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(app.on_key(ctrl_c), Outcome::Quit);
        assert_eq!(app.on_key(key(KeyCode::Char('c'))), Outcome::Continue);
    }

    #[test]
    fn escape_leaves_a_zoomed_panel_before_it_quits() {
        let mut app = App::default();
        app.on_key(key(KeyCode::Char('2')));
        app.on_key(key(KeyCode::Enter));
        assert_eq!(app.on_key(key(KeyCode::Esc)), Outcome::Continue);
        assert!(!app.zoomed);
        assert_eq!(app.focus(), Panel::Agents, "the panel stays selected");
        assert_eq!(app.on_key(key(KeyCode::Esc)), Outcome::Quit);
        app.on_key(key(KeyCode::Enter));
        assert_eq!(app.on_key(key(KeyCode::Char('q'))), Outcome::Quit, "q quits even zoomed");
    }

    #[test]
    fn up_and_down_pick_an_agent_only_in_the_agents_panel() {
        let mut app = App::default();
        app.on_key(key(KeyCode::Down));
        assert_eq!(app.agent, 0, "the mission panel has no agents to pick");
        app.on_key(key(KeyCode::Char('2')));
        app.on_key(key(KeyCode::Down));
        assert_eq!(app.agent, 0, "no snapshot, no agents: stays on the first");
        app.agent = 1;
        app.on_key(key(KeyCode::Up));
        app.on_key(key(KeyCode::Char('k')));
        assert_eq!(app.agent, 0);
    }

    #[test]
    fn a_failed_read_keeps_the_last_snapshot_and_says_why() {
        let mut app = App::default();
        app.update(Err(crate::Error::failed("tasks.json:3:1: oops")));
        assert!(app.snapshot.is_none());
        assert_eq!(app.error.as_deref(), Some("tasks.json:3:1: oops"));
    }
}
