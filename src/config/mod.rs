//! ide.yml: reading it, checking it (every problem at once), and the typed [`Config`].
mod agents;
mod cost;
mod model;
mod notify;
pub mod research;
mod validate;
mod window;

use serde_json::Value;

pub use agents::{HookKind, ProfileSpec};
pub use cost::{BudgetConfig, PriceSpec, TaskBudget};
pub use model::{
    Agent, Config, DEFAULT_DASHBOARD_PORT, DashboardConfig, DispatchMode, Isolation,
    OrchestratorConfig, Pane, Percent, Role, Row, Team, Theme,
};
pub use notify::{DEFAULT_NOTIFY_EVENTS, HttpUrl, NotifyConfig};
pub(crate) use validate::limits::pane_dir;
pub use validate::{Problem, nearest};
pub use window::{
    DEFAULT_SIZE, HELPER_WINDOWS, LayoutWindow, MIN_PANE_HEIGHT, MIN_PANE_WIDTH, SINGLE_WINDOW,
    Window, WindowCells, cell_sizes, fit_problems, window_cells,
};

use crate::project::Project;
use crate::{Error, Result};

impl Config {
    /// Reads and checks the project's ide.yml. Bad content is bad input (exit 2) naming
    /// the first problem; `tmux-ide config validate` lists them all.
    pub fn load(project: &Project) -> Result<Config> {
        Ok(Config::load_with_hash(project)?.0)
    }

    /// Like [`Config::load`], also returning the hash of the file's bytes
    /// (recorded on the session to notice later edits).
    pub fn load_with_hash(project: &Project) -> Result<(Config, String)> {
        let text = read(project)?;
        let hash = content_hash(text.as_bytes());
        match Config::parse(&text) {
            Ok(config) => Ok((config, hash)),
            Err(problems) => {
                let path = project.ide_yml();
                let mut err = Error::bad_input(format!("{}: {}", path.display(), problems[0]));
                if problems.len() > 1 {
                    err = err.with_hint(format!(
                        "{} more problem(s); `tmux-ide config validate` lists them all",
                        problems.len() - 1
                    ));
                }
                Err(err)
            }
        }
    }

    /// Parses ide.yml text: the config, or every problem found (never empty).
    pub fn parse(text: &str) -> std::result::Result<Config, Vec<Problem>> {
        let mut doc: Value = match serde_saphyr::from_str(text) {
            Ok(doc) => doc,
            Err(err) => {
                let at = err
                    .location()
                    .map(|l| format!("line {}, column {}: ", l.line(), l.column()))
                    .unwrap_or_default();
                let message = err.without_snippet().to_string();
                let first = message.lines().next().unwrap_or("invalid YAML").to_string();
                return Err(vec![Problem { path: String::new(), message: format!("{at}{first}") }]);
            }
        };
        if doc.is_null() {
            let message = "ide.yml is empty; it needs at least `rows:` with panes (or `windows:`)"
                .to_string();
            return Err(vec![Problem { path: String::new(), message }]);
        }
        let problems = validate::check(&doc);
        if !problems.is_empty() {
            return Err(problems);
        }
        fill_defaults(&mut doc);
        serde_json::from_value(doc)
            .map_err(|e| vec![Problem { path: String::new(), message: e.to_string() }])
    }

    /// All panes, window by window, row by row, left to right.
    pub fn panes(&self) -> impl Iterator<Item = &Pane> {
        let windows = self.windows.iter().flat_map(|w| w.rows.iter());
        self.rows.iter().chain(windows).flat_map(|row| row.panes.iter())
    }

    /// All panes, mutably, in the order of [`Config::panes`].
    pub fn panes_mut(&mut self) -> impl Iterator<Item = &mut Pane> {
        let windows = self.windows.iter_mut().flat_map(|w| w.rows.iter_mut());
        self.rows.iter_mut().chain(windows).flat_map(|row| row.panes.iter_mut())
    }

    /// The pane with this title.
    pub fn pane(&self, title: &str) -> Option<&Pane> {
        self.panes().find(|p| p.title == title)
    }
}

/// Every problem in the project's ide.yml (empty when it is valid).
/// Also checks what `up` checks against the disk (pane directories) and whether every
/// window fits `size` (columns, lines: what `up` would build at), so that a file it
/// passes is one `up` takes.
pub fn problems(project: &Project, size: (u32, u32)) -> Result<Vec<Problem>> {
    let text = read(project)?;
    Ok(match Config::parse(&text) {
        Ok(config) => {
            let mut problems = validate::limits::check_dirs(&config, &project.root);
            problems.extend(fit_problems(&config, size.0, size.1));
            problems
        }
        Err(problems) => problems,
    })
}

fn read(project: &Project) -> Result<String> {
    let path = project.ide_yml();
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            Error::bad_input(format!(
                "{}: not UTF-8 text (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::bad_input(format!("no ide.yml in {}", project.root.display()))
                .with_hint("create one with `tmux-ide init`"))
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Titles ("Pane N", N counted over every window) and roles (from the agent) that
/// ide.yml leaves out.
fn fill_defaults(doc: &mut Value) {
    let Some(map) = doc.as_object_mut() else { return };
    let mut rows: Vec<&mut Value> = Vec::new();
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("rows", Value::Array(list)) => rows.extend(list.iter_mut()),
            ("windows", Value::Array(windows)) => {
                for window in windows {
                    if let Some(Value::Array(list)) = window.get_mut("rows") {
                        rows.extend(list.iter_mut());
                    }
                }
            }
            _ => {}
        }
    }
    let mut n = 0;
    for row in rows {
        let Some(panes) = row.get_mut("panes").and_then(Value::as_array_mut) else { continue };
        for pane in panes {
            n += 1;
            let Some(map) = pane.as_object_mut() else { continue };
            map.entry("title").or_insert_with(|| Value::String(format!("Pane {n}")));
            if !map.contains_key("role") {
                let agent = match map.get("agent").and_then(Value::as_str) {
                    Some(a) => a.parse().unwrap_or(Agent::Shell),
                    None => Agent::infer(map.get("command").and_then(Value::as_str)),
                };
                map.insert("role".into(), Value::String(Pane::default_role(agent).to_string()));
            }
        }
    }
}

/// FNV-1a (64 bit) of the bytes, as 16 hex digits: stable across builds and platforms.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_of(text: &str) -> Vec<String> {
        Config::parse(text).err().unwrap_or_default().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_minimal_layout_gets_titles_roles_and_orchestrator_defaults() {
        let c = Config::parse("rows:\n  - panes:\n      - command: claude\n      - {}\n").unwrap();
        let panes: Vec<_> = c.panes().collect();
        assert_eq!(panes[0].title, "Pane 1");
        assert_eq!(panes[0].role, Role::Teammate);
        assert_eq!(panes[0].agent(), Agent::Claude);
        assert_eq!(panes[1].role, Role::Shell);
        assert_eq!(c.orchestrator.poll_interval, 5000);
        assert_eq!(c.orchestrator.stall_timeout, 300_000);
        assert!(c.orchestrator.auto_dispatch && !c.orchestrator.enabled);
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let text = "nmae: x\nrows:\n  - size: 80%\n    panes:\n      - titel: A\n        role: boss\n  - size: 30%\n    panes:\n      - title: B\n        focus: true\n      - title: B\n        focus: true\n";
        let got = problems_of(text);
        let want = [
            "nmae: unknown key (did you mean `name`?)",
            "rows[0].panes[0].titel: unknown key (did you mean `title`?)",
            "rows[0].panes[0].role: role `boss` is not one of",
            "rows: row sizes add up to 110% (at most 100%)",
            "rows[1].panes[1].title: title `B` is already used by rows[1].panes[0]",
            "rows[1].panes[1].focus: only one pane may have focus",
        ];
        for w in want {
            assert!(got.iter().any(|g| g.starts_with(w)), "missing {w:?} in {got:#?}");
        }
        assert_eq!(got.len(), want.len(), "{got:#?}");
    }

    #[test]
    fn env_values_may_be_numbers_and_sizes_bare_numbers() {
        let c =
            Config::parse("rows:\n  - size: 60\n    panes:\n      - env: {PORT: 3000}\n").unwrap();
        assert_eq!(c.rows[0].size, Some(Percent(60)));
        assert_eq!(c.rows[0].panes[0].env["PORT"], "3000");
    }

    #[test]
    fn agent_profiles_are_read_from_the_agents_map_with_typo_hints() {
        let text = "rows:
  - panes:
      - command: mybot
agents:
  mybot:
    base: claude
    busy: [\"thinking\"]
    second_enter: true
  claude:
    receipt_timeout: 900
";
        let c = Config::parse(text).unwrap();
        assert_eq!(c.agents["mybot"].second_enter, Some(true));
        assert_eq!(c.agents["claude"].receipt_timeout, Some(900));
        let got = problems_of(
            "rows:
  - panes:
      - {}
agents:
  x:
    bussy: [a]
    base: clude
",
        );
        assert!(
            got.iter().any(|g| g.starts_with("agents.x.bussy: unknown key (did you mean `busy`?)")),
            "{got:#?}"
        );
        assert!(got.iter().any(|g| g.contains("(did you mean `claude`?)")), "{got:#?}");
    }
}
