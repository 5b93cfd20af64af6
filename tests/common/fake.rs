//! A project whose panes run the scripted fake agents (tests/fixtures/agents), with a
//! mission planned through the CLI and the session (orchestrator included) on a private
//! tmux server; the event log read back for assertions.
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::{TestProject, TmuxServer, bin};

/// The fake agent script.
pub fn fake_agent() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agents/fake-agent.py")
}

/// One worker pane: its title, `agent:` and the fake's flags.
pub struct Worker<'a> {
    pub title: &'a str,
    pub agent: &'a str,
    pub flags: &'a str,
}

/// A running session of fake agents working through `tasks` (titles, one milestone).
pub struct Team {
    pub project: TestProject,
    pub tmux: TmuxServer,
}

impl Team {
    /// Writes ide.yml (a `cat` lead pane that collects notices, then the workers), plans
    /// the mission and starts the session with its orchestrator. `extra` is appended to
    /// ide.yml (an `agents:` section); `stall_ms` is the stall timeout.
    pub fn start(workers: &[Worker], tasks: &[&str], extra: &str, stall_ms: u64) -> Team {
        Team::start_polling(workers, tasks, extra, stall_ms, 250)
    }

    /// [`Team::start`] with the orchestrator's `poll_interval` in ms.
    pub fn start_polling(
        workers: &[Worker],
        tasks: &[&str],
        extra: &str,
        stall_ms: u64,
        poll_ms: u64,
    ) -> Team {
        let project = TestProject::new();
        let tmux = TmuxServer::new();
        let script = fake_agent();
        let mut yml = String::from(
            "name: fakes\nrows:\n  - panes:\n      - title: Lead\n        role: lead\n        command: cat\n",
        );
        for w in workers {
            yml.push_str(&format!(
                "      - title: {}\n        role: teammate\n        agent: {}\n        command: '{} {}'\n        env: {{TMUX_IDE_BIN: '{}'}}\n",
                w.title,
                w.agent,
                script.display(),
                w.flags,
                bin().display()
            ));
        }
        yml.push_str(&format!(
            "orchestrator:\n  enabled: true\n  poll_interval: {poll_ms}\n  stall_timeout: {stall_ms}\n"
        ));
        yml.push_str(extra);
        project.write("ide.yml", &yml);
        project.ok(&["mission", "set", "Fakes", "--description", "fake agents at work"]);
        project.ok(&["milestone", "create", "Work", "--sequence", "1"]);
        for t in tasks {
            project.ok(&["task", "create", t, "--milestone", "M1"]);
        }
        project.ok(&["mission", "plan-complete"]);
        tmux.on(project.cmd()).args(["up", "--detach"]).assert().success();
        Team { project, tmux }
    }

    pub fn events(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.project.path().join(".tasks/events.jsonl"))
            .unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    pub fn of_type(&self, kind: &str) -> Vec<Value> {
        self.events().into_iter().filter(|e| e["type"] == kind).collect()
    }

    pub fn task(&self, id: &str) -> Value {
        let text = std::fs::read_to_string(self.project.path().join(".tasks/tasks.json")).unwrap();
        let plan: Value = serde_json::from_str(&text).unwrap();
        plan["tasks"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap().clone()
    }

    /// Waits until an event of `kind` matching `pred` is in the log; returns it.
    pub fn wait_event(&self, kind: &str, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait(&format!("a {kind} event"), secs, || {
            self.of_type(kind).into_iter().find(|e| pred(e))
        })
    }

    /// Waits until every task is done.
    pub fn wait_all_done(&self, ids: &[&str], secs: u64) {
        self.wait(&format!("tasks {ids:?} done"), secs, || {
            ids.iter().all(|id| self.task(id)["status"] == "done").then_some(())
        });
    }

    /// [`wait_for`], showing the event log and every pane's screen when it times out.
    pub fn wait<T>(&self, what: &str, secs: u64, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(v) = check() {
                return v;
            }
            if std::time::Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        for e in self.events() {
            eprintln!("{e}");
        }
        let panes = self.tmux.tmux_ok(&["list-panes", "-a", "-F", "#{pane_id} #{@ide_title}"]);
        for line in panes.lines() {
            let id = line.split(' ').next().unwrap_or_default();
            eprintln!("==== {line}\n{}", self.tmux.capture(id).trim_end());
        }
        panic!("timed out after {secs}s waiting for {what}");
    }

    /// The tmux id of the pane titled `title`.
    pub fn pane(&self, title: &str) -> String {
        let panes = self.tmux.tmux_ok(&["list-panes", "-a", "-F", "#{pane_id} #{@ide_title}"]);
        panes
            .lines()
            .find_map(|l| l.strip_suffix(&format!(" {title}")).map(str::to_string))
            .unwrap_or_else(|| panic!("no pane {title}:\n{panes}"))
    }

    /// Per task, how many times `kind` was recorded.
    pub fn count(&self, kind: &str, task: &str) -> usize {
        self.of_type(kind).iter().filter(|e| e["task"] == task).count()
    }
}
