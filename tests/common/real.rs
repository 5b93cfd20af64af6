//! The real agent CLIs (installed by bench/real-agents.sh into a cache directory) at work
//! on a mission, answering to the scripted model (bench/model/scripted_model.py) on
//! loopback: each CLI's offline setup as /work/shared/notes describe it (config files,
//! endpoints, trust and onboarding), a two-worker, one-validator mission, and the model's
//! request log read back.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::fake::Team;
use super::{Reaped, TestProject, TmuxServer, bin, wait_for};

/// The real CLIs tested.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cli {
    Aider,
    Claude,
    Codex,
    Gemini,
}

impl Cli {
    /// The `agent:` profile name.
    pub fn agent(self) -> &'static str {
        match self {
            Cli::Aider => "aider",
            Cli::Claude => "claude",
            Cli::Codex => "codex",
            Cli::Gemini => "gemini",
        }
    }
}

/// Where bench/real-agents.sh installed the CLIs (`TMUX_IDE_REAL_AGENTS_CACHE`).
pub fn cache() -> PathBuf {
    match std::env::var_os("TMUX_IDE_REAL_AGENTS_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/tmux-ide-real-agents")
        }
    }
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The scripted model, listening on a loopback port, killed on drop.
pub struct Model {
    _child: Reaped,
    pub port: u16,
    pub log: PathBuf,
}

impl Model {
    pub fn start(dir: &Path) -> Model {
        Model::start_with(dir, &[])
    }

    /// The model with more arguments (`--answer-model NAME`).
    pub fn start_with(dir: &Path, args: &[&str]) -> Model {
        let log = dir.join("model.jsonl");
        let port_file = dir.join("model.port");
        let child = Command::new("python3")
            .arg(repo("bench/model/scripted_model.py"))
            .args(args)
            .arg("--log")
            .arg(&log)
            .arg("--port-file")
            .arg(&port_file)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let child = Reaped(child);
        let port = wait_for("the scripted model's port", Duration::from_secs(10), || {
            std::fs::read_to_string(&port_file).ok()?.trim().parse().ok()
        });
        Model { _child: child, port, log }
    }

    /// Every request the model got, in order.
    pub fn requests(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// How many times the prompt with `marker` (`task 001`, `validate M1 round=1`)
    /// reached the model as the agent's own turn.
    pub fn prompts(&self, marker: &str) -> usize {
        self.requests().iter().filter(|r| r["kind"] == "prompt" && r["marker"] == marker).count()
    }
}

/// Kills, by pid, every process whose environment holds `TMUX_IDE_REAL_RUN=<run>`:
/// Gemini CLI ignores the hangup of a killed pane and Codex leaves its daemon running.
pub fn reap_run(run: &str) {
    let needle = format!("TMUX_IDE_REAL_RUN={run}");
    let Ok(dir) = std::fs::read_dir("/proc") else { return };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(env) = std::fs::read(entry.path().join("environ")) else { continue };
        if env.split(|&b| b == 0).any(|v| v == needle.as_bytes()) {
            // SAFETY: kill has no memory preconditions; pid is one of this run's processes.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// A mission run by one real CLI in all three working panes.
pub struct Run {
    pub team: Team,
    pub model: Model,
    pub cli: Cli,
    run: String,
    _home: tempfile::TempDir,
}

impl Drop for Run {
    fn drop(&mut self) {
        // The model's log outlives the run, to read after a failure.
        let keep = std::env::temp_dir().join(format!("tmux-ide-real-{}.jsonl", self.cli.agent()));
        let _ = std::fs::copy(&self.model.log, keep);
        let _ = self.team.tmux.tmux(&["kill-server"]);
        reap_run(&self.run);
    }
}

/// The working panes, in ide.yml order.
pub const PANES: [&str; 3] = ["Worker A", "Worker B", "Validator"];

impl Run {
    /// Sets up `cli` offline, writes ide.yml and the plan (two tasks, each fulfilling the
    /// one assertion), starts the session with its orchestrator and, once every working
    /// pane is at its prompt, completes the plan (the mission starts).
    pub fn start(cli: Cli) -> Run {
        Run::start_with(cli, &["First", "Second"], &[])
    }

    /// As [`Run::start`], with these tasks (all independent) and these arguments to the
    /// scripted model.
    pub fn start_with(cli: Cli, tasks: &[&str], model_args: &[&str]) -> Run {
        let project = TestProject::new();
        let tmux = TmuxServer::new();
        let home = tempfile::Builder::new().prefix("tmux-ide-real-home-").tempdir().unwrap();
        let model = Model::start_with(home.path(), model_args);
        let run = home.path().file_name().unwrap().to_string_lossy().into_owned();
        let bindir = home.path().join("bin");
        std::fs::create_dir(&bindir).unwrap();
        std::os::unix::fs::symlink(bin(), bindir.join("tmux-ide")).unwrap();
        let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bindir.display());
        // Codex runs commands through a login shell, which keeps only ~/.profile's PATH.
        std::fs::write(
            home.path().join(".profile"),
            format!("export PATH=\"{}:$PATH\"\n", bindir.display()),
        )
        .unwrap();
        let project_dir = project.path().canonicalize().unwrap();
        let mut env = BTreeMap::from([
            ("HOME".to_string(), home.path().display().to_string()),
            ("PATH".to_string(), path),
            ("TMUX_IDE_REAL_RUN".to_string(), run.clone()),
        ]);
        let setup =
            Setup { home: home.path(), project: &project_dir, port: model.port, asking: false };
        let command = setup.configure(cli, &mut env);
        let env_yml: Vec<String> = env
            .iter()
            .map(|(k, v)| format!("{k}: {}", serde_json::to_string(v).unwrap()))
            .collect();
        let mut yml = String::from(
            "name: real\nrows:\n  - panes:\n      - {title: Lead, role: lead, command: cat}\n",
        );
        for (title, role) in
            [("Worker A", "teammate"), ("Worker B", "teammate"), ("Validator", "validator")]
        {
            yml.push_str(&format!(
                "      - title: {title}\n        role: {role}\n        agent: {}\n        command: {}\n        env: {{{}}}\n",
                cli.agent(),
                serde_json::to_string(&command).unwrap(),
                env_yml.join(", ")
            ));
        }
        yml.push_str(
            "orchestrator:\n  enabled: true\n  poll_interval: 500\n  stall_timeout: 600000\n",
        );
        project.write("ide.yml", &yml);
        setup.hooks(cli, &project, &env);
        project.write(".tasks/validation-contract.md", "## Area\n- **VAL-A-001**: it works\n");
        project.ok(&["mission", "set", "Real", "--description", "real agents at work"]);
        project.ok(&["milestone", "create", "Only", "--sequence", "1"]);
        for title in tasks {
            project.ok(&["task", "create", title, "--milestone", "M1", "--fulfills", "VAL-A-001"]);
        }
        tmux.on(project.cmd()).args(["up", "--detach"]).assert().success();
        let run = Run { team: Team { project, tmux }, model, cli, run, _home: home };
        // The mission becomes active once every working pane is at its prompt, so a CLI
        // that starts faster in one pane cannot take both tasks before the other is up.
        run.team.wait("every pane ready", 120, || {
            PANES.iter().all(|p| run.states(p).last().is_some_and(|s| s == "idle")).then_some(())
        });
        run.team.project.ok(&["mission", "plan-complete"]);
        run
    }

    /// Waits for `mission_complete` (dumping the events and screens on a timeout).
    /// Then waits for each working pane to be back at its prompt (a last question about
    /// a report may still be answered after the mission is complete).
    pub fn wait_complete(&self, secs: u64) {
        self.team.wait_event("mission_complete", secs, |_| true);
        self.team.wait("every pane idle", 30, || {
            PANES.iter().all(|p| self.states(p).last().is_some_and(|s| s == "idle")).then_some(())
        });
    }

    /// The `pane_state` changes of `pane`, as `state` names.
    pub fn states(&self, pane: &str) -> Vec<String> {
        self.team
            .of_type("pane_state")
            .iter()
            .filter(|e| e["pane"] == pane)
            .map(|e| e["state"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// The event log, one event a line, for an assertion's message.
    pub fn log(&self) -> String {
        self.team.events().iter().map(|e| format!("{e}\n")).collect()
    }

    /// Checks what the issue asks of every CLI: each prompt reached the model once, the
    /// mission completed without a person, and each pane's reports were its own.
    pub fn check(&self) {
        let team = &self.team;
        for marker in ["task 001", "task 002", "validate M1 round=1"] {
            assert_eq!(self.model.prompts(marker), 1, "{marker}: {:#?}", self.model.requests());
        }
        for task in ["001", "002"] {
            assert_eq!(team.count("prompt_delivered", task), 1, "task {task}: {}", self.log());
            assert_eq!(team.task(task)["status"], "done");
        }
        let workers: Vec<String> =
            team.of_type("task_dispatched").iter().map(|e| e["pane"].to_string()).collect();
        assert_eq!(workers.len(), 2, "{workers:?}");
        assert_ne!(workers[0], workers[1], "one task to each worker\n{}", self.log());
        assert!(
            team.of_type("approval_needed").is_empty(),
            "{:?}",
            team.of_type("approval_needed")
        );
        assert!(team.of_type("stall_detected").is_empty(), "{:?}", team.of_type("stall_detected"));
        assert!(team.of_type("delivery_failed").is_empty());
        // Every self-report names a working pane, and is the pane's own: reported while
        // the pane had a prompt of its own in flight or after it.
        for e in team.of_type("agent_state") {
            let pane = e["pane"].as_str().unwrap_or_default();
            assert!(PANES.contains(&pane), "{e}");
        }
        // Each pane ends its work at its prompt, judged idle.
        for pane in PANES {
            let states = self.states(pane);
            let log = || format!("{pane}: {states:?}\n{}", self.log());
            assert_eq!(states.last().map(String::as_str), Some("idle"), "{}", log());
            // Seen at work (Aider, which shows no spinner while an answer streams, reads
            // `unknown` then), never stalled, exited or rate-limited.
            let started: Vec<&String> = states.iter().skip_while(|s| *s == "unknown").collect();
            assert!(started.iter().any(|s| *s == "busy" || *s == "waiting"), "{}", log());
            let bad = ["stalled", "exited", "rate_limited"];
            assert!(!started.iter().any(|s| bad.contains(&s.as_str())), "{}", log());
        }
    }
}

/// Writes one CLI's offline configuration as observed (shared/notes/<cli>-observed.md).
pub struct Setup<'a> {
    pub home: &'a Path,
    pub project: &'a Path,
    pub port: u16,
    /// Leave the CLI asking before it runs a command (no allow rule or policy; Codex
    /// on-request in a read-only sandbox), for screen captures of its questions.
    pub asking: bool,
}

impl Setup<'_> {
    fn write(&self, rel: &str, text: &str) {
        let path = self.home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Writes the CLI's files under HOME, adds its environment; its command line.
    pub fn configure(&self, cli: Cli, env: &mut BTreeMap<String, String>) -> String {
        let mut set = |k: &str, v: String| env.insert(k.to_string(), v);
        let base = format!("http://127.0.0.1:{}", self.port);
        let cache = cache();
        match cli {
            Cli::Aider => {
                set("OPENAI_API_BASE", format!("{base}/v1"));
                set("OPENAI_API_KEY", "sk-scripted-model".into());
                // litellm's price list, fresh, so Aider does not fetch it at start.
                let prices = std::fs::read_dir(cache.join("aider-venv/lib"))
                    .unwrap()
                    .flatten()
                    .map(|d| {
                        d.path().join(
                            "site-packages/litellm/model_prices_and_context_window_backup.json",
                        )
                    })
                    .find(|p| p.exists())
                    .expect("litellm's price list in the aider venv");
                self.write(
                    ".aider/caches/model_prices_and_context_window.json",
                    &std::fs::read_to_string(prices).unwrap(),
                );
                format!(
                    "{} --model gpt-4o --no-git --no-check-update --analytics-disable \
                     --no-show-release-notes --no-show-model-warnings --no-gitignore \
                     --no-auto-commits",
                    cache.join("aider-venv/bin/aider").display()
                )
            }
            Cli::Claude => {
                let key = "sk-ant-scripted-model-0123456789abcdefghij";
                set("ANTHROPIC_BASE_URL", base);
                set("ANTHROPIC_API_KEY", key.into());
                set("DISABLE_AUTOUPDATER", "1".into());
                set("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1".into());
                let state = json!({
                    "hasCompletedOnboarding": true,
                    "customApiKeyResponses": {"approved": [&key[key.len() - 20..]], "rejected": []},
                    "projects": {self.project.display().to_string(): {"hasTrustDialogAccepted": true}},
                });
                self.write(".claude.json", &state.to_string());
                if self.asking {
                    // Its default mode here is `auto`, which runs the command unasked.
                    let mode = json!({"permissions": {"defaultMode": "default"}});
                    self.write(".claude/settings.json", &mode.to_string());
                }
                cache.join("claude/node_modules/.bin/claude").display().to_string()
            }
            Cli::Codex => {
                let codex_home = self.home.join(".codex");
                set("CODEX_HOME", codex_home.display().to_string());
                set("LOCAL_API_KEY", "sk-scripted-model".into());
                // A model name of its own: a known older one (`gpt-5.5`) opens a `Meet
                // GPT-6 Sol` migration choice at start; the default one (`gpt-6.2-sol`)
                // gets its tools as a JavaScript `exec` tool instead of `exec_command`.
                self.write(
                    ".codex/config.toml",
                    &format!(
                        "model_provider = \"local\"\nmodel = \"scripted-model\"\n\
                         approval_policy = \"{}\"\nsandbox_mode = \"{}\"\n\
                         check_for_update_on_startup = false\n\
                         [model_providers.local]\nname = \"Local\"\nbase_url = \"{base}/v1\"\n\
                         env_key = \"LOCAL_API_KEY\"\nwire_api = \"responses\"\n\
                         supports_websockets = false\n\
                         [projects.\"{}\"]\ntrust_level = \"trusted\"\n",
                        if self.asking { "on-request" } else { "never" },
                        if self.asking { "read-only" } else { "danger-full-access" },
                        self.project.display()
                    ),
                );
                cache.join("codex/node_modules/.bin/codex").display().to_string()
            }
            Cli::Gemini => {
                set("GEMINI_API_KEY", "scripted-model".into());
                set("GOOGLE_GEMINI_BASE_URL", base);
                let settings = json!({
                    "security": {"auth": {"selectedType": "gemini-api-key"}},
                    "general": {"enableAutoUpdate": false, "enableAutoUpdateNotification": false},
                    "privacy": {"usageStatisticsEnabled": false},
                    "telemetry": {"enabled": false},
                    "ide": {"enabled": false},
                    "model": {"name": "gemini-2.5-flash"},
                });
                self.write(".gemini/settings.json", &settings.to_string());
                let trusted = json!({self.project.display().to_string(): "TRUST_FOLDER"});
                self.write(".gemini/trustedFolders.json", &trusted.to_string());
                if self.asking {
                    return cache.join("gemini/node_modules/.bin/gemini").display().to_string();
                }
                self.write(
                    ".gemini/policies/tmux-ide.toml",
                    "[[rule]]\ntoolName = \"run_shell_command\"\ncommandPrefix = \"tmux-ide\"\n\
                     decision = \"allow\"\npriority = 100\n",
                );
                cache.join("gemini/node_modules/.bin/gemini").display().to_string()
            }
        }
    }

    /// `tmux-ide hooks install <cli>` where the CLI has hooks, plus Claude Code's allow
    /// rule for tmux-ide's own commands.
    fn hooks(&self, cli: Cli, project: &TestProject, env: &BTreeMap<String, String>) {
        let agent = match cli {
            Cli::Aider => return,
            other => other.agent(),
        };
        let mut cmd = project.std_cmd();
        cmd.envs(env.iter().filter(|(k, _)| k.as_str() == "CODEX_HOME"));
        let out = cmd.args(["hooks", "install", agent]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        if cli == Cli::Claude {
            let path = project.path().join(".claude/settings.json");
            let mut settings: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            settings["permissions"] = json!({"allow": ["Bash(tmux-ide:*)"]});
            std::fs::write(path, settings.to_string()).unwrap();
        }
    }
}
