//! `tmux-ide doctor`: check tmux, ide.yml, the store, pane commands (on each pane's own
//! PATH, as `up` does), that `tmux-ide` in the panes is this binary, the session and the
//! orchestrator; each line ok / warn / fail with how to fix it.
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::Ctx;
use super::session::tmux_of;
use crate::config::{self, Config};
use crate::plan::model::Plan;
use crate::plan::rules::later_milestone_dependencies;
use crate::project::Project;
use crate::tmux;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    name: String,
    status: Level,
    message: String,
    fix: Option<String>,
}

fn check(name: &str, status: Level, message: impl Into<String>, fix: Option<&str>) -> Check {
    Check { name: name.into(), status, message: message.into(), fix: fix.map(str::to_string) }
}

/// Words a shell runs itself: a pane command starting with one needs nothing on PATH.
const SHELL_WORDS: &[&str] = &[
    "cd", "export", "source", ".", "true", "false", "echo", "test", "[", "if", "for", "while",
    "set", "eval", "trap", "ulimit", "umask", "wait", "read", "printf", "until", "case", "{", "(",
];

/// The program of `command` when it is not found on `path` (nor is a shell word); a
/// relative program path is looked up from `dir`. `up` refuses such a layout.
pub fn missing_program(command: &str, path: &str, dir: &std::path::Path) -> Option<String> {
    let program = program_of(command)?;
    let found = SHELL_WORDS.contains(&program.as_str())
        || which::which_in(&program, Some(path), dir).is_ok();
    (!found).then_some(program)
}

/// The program a pane command starts (after `VAR=value`, `env`, `exec`, `command`), its
/// quotes removed; `None` when it is computed (`$`, a backquote) and cannot be known.
pub fn program_of(command: &str) -> Option<String> {
    let word = first_words(command)
        .into_iter()
        .filter(|w| !w.contains('='))
        .find(|w| !matches!(w.as_str(), "env" | "exec" | "command" | "nohup"))?;
    (!word.contains(['$', '`'])).then_some(word)
}

/// The leading words of a shell command, with '…' and "…" quoting and backslashes
/// undone, up to the first operator (`;`, `&`, `|`, `<`, `>`) outside quotes.
fn first_words(command: &str) -> Vec<String> {
    let (mut words, mut word, mut quote) = (Vec::new(), None::<String>, None::<char>);
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => word.get_or_insert_default().extend(chars.next()),
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, '\\') => word.get_or_insert_default().extend(chars.next()),
            (None, ';' | '&' | '|' | '<' | '>') => break,
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words
}

pub fn run(ctx: &Ctx, _args: Args) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let mut checks = vec![tmux_check(ctx)];
    let config = config_checks(&project, &mut checks);
    checks.push(store_check(&project));
    checks.extend(plan_check(&project));
    if let Some(config) = &config {
        command_checks(&project, config, &mut checks);
        checks.push(bin_check(ctx, &project, config));
        session_checks(ctx, &project, config, &mut checks);
    }
    let failed = checks.iter().any(|c| c.status == Level::Fail);
    if ctx.json {
        let out = serde_json::json!({ "ok": !failed, "checks": checks });
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        for c in &checks {
            let tag = match c.status {
                Level::Ok => "ok  ",
                Level::Warn => "warn",
                Level::Fail => "fail",
            };
            writeln!(ctx.out(), "{tag}  {}: {}", c.name, c.message)?;
            if let Some(fix) = &c.fix {
                writeln!(ctx.out(), "      fix: {fix}")?;
            }
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn tmux_check(ctx: &Ctx) -> Check {
    let install = "install tmux ≥ 3.2: `apt-get install tmux` or `brew install tmux`";
    let out = tmux_of(ctx).command().arg("-V").output();
    let version = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        Ok(_) => return check("tmux", Level::Fail, "`tmux -V` failed", Some(install)),
        Err(_) => return check("tmux", Level::Fail, "tmux is not installed", Some(install)),
    };
    // "tmux 3.3a", "tmux next-3.4", "tmux master"
    let number = version.rsplit([' ', '-']).next().unwrap_or("");
    let digits: String = number.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let mut parts = digits.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if digits.is_empty() || (major, minor) >= (3, 2) {
        check("tmux", Level::Ok, version, None)
    } else {
        check("tmux", Level::Fail, format!("{version} is older than 3.2"), Some(install))
    }
}

fn config_checks(project: &Project, checks: &mut Vec<Check>) -> Option<Config> {
    let notify_problems = |project: &Project| {
        Config::load(project).map(|c| crate::notify::problems(&c.notify)).unwrap_or_default()
    };
    let found = config::problems(project, super::session::build_size(None))
        .map(|p| if p.is_empty() { notify_problems(project) } else { p });
    match found {
        Err(err) => {
            checks.push(check(
                "ide.yml",
                Level::Fail,
                err.message,
                Some("create one with `tmux-ide init`"),
            ));
            None
        }
        Ok(problems) if !problems.is_empty() => {
            let message = format!("{} problem(s), first: {}", problems.len(), problems[0]);
            checks.push(check(
                "ide.yml",
                Level::Fail,
                message,
                Some("run `tmux-ide config validate` and fix each line"),
            ));
            None
        }
        Ok(_) => {
            let config = Config::load(project).ok()?;
            let message = format!("valid ({})", config.shape());
            checks.push(check("ide.yml", Level::Ok, message, None));
            Some(config)
        }
    }
}

fn store_check(project: &Project) -> Check {
    let path = project.tasks_json();
    if !project.tasks_dir().is_dir() {
        return check(
            ".tasks",
            Level::Warn,
            "no .tasks/ directory (no mission yet)",
            Some("`tmux-ide init --template missions` or `tmux-ide mission set`"),
        );
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return check(".tasks", Level::Ok, ".tasks/ present, no tasks.json yet", None);
        }
        Err(e) => {
            return check(
                ".tasks",
                Level::Fail,
                Error::io(&path, e).message,
                Some("make .tasks/tasks.json readable"),
            );
        }
    };
    match serde_json::from_str::<Plan>(&text) {
        Ok(plan) => check(
            ".tasks",
            Level::Ok,
            format!("tasks.json readable ({} tasks)", plan.tasks.len()),
            None,
        ),
        Err(e) => {
            let err = Error::corrupt(&path, e.line(), e.column(), &e);
            check(
                ".tasks",
                Level::Fail,
                err.message,
                Some("fix the JSON at that line, or restore it: `git checkout .tasks/tasks.json`"),
            )
        }
    }
}

/// The PATH `up` would give `pane` when run by this binary now.
fn launch_path(pane: &config::Pane) -> String {
    let client = std::env::var("PATH").unwrap_or_default();
    let exe = std::env::current_exe().unwrap_or_default();
    tmux::pane_path(pane.env.get("PATH").map(String::as_str), &client, &exe)
}

/// One line per program, naming every pane that runs it: five agent panes on `claude`
/// with no `claude` installed is one problem with one fix, not five.
fn command_checks(project: &Project, config: &Config, checks: &mut Vec<Check>) {
    let mut programs: Vec<(String, bool, Vec<&str>)> = Vec::new();
    for pane in config.panes() {
        let Some(command) = &pane.command else { continue };
        let Some(program) = program_of(command) else { continue };
        let found = missing_program(command, &launch_path(pane), &project.root).is_none();
        match programs.iter_mut().find(|(p, f, _)| *p == program && *f == found) {
            Some((_, _, titles)) => titles.push(&pane.title),
            None => programs.push((program, found, vec![&pane.title])),
        }
    }
    for (program, found, titles) in programs {
        let (name, these) = match titles.len() {
            1 => (format!("pane {}", titles[0]), "this pane's"),
            _ => (format!("panes {}", titles.join(", ")), "these panes'"),
        };
        if found {
            checks.push(check(&name, Level::Ok, format!("`{program}` found"), None));
        } else {
            let fix = format!("install `{program}` or change {these} `command` in ide.yml");
            let message = format!("`{program}` is not on PATH");
            checks.push(check(&name, Level::Fail, message, Some(&fix)));
        }
    }
}

/// A dependency on a later milestone deadlocks the mission (see
/// [`later_milestone_dependencies`]); `None` when there is no readable plan.
fn plan_check(project: &Project) -> Option<Check> {
    let plan: Plan =
        serde_json::from_str(&std::fs::read_to_string(project.tasks_json()).ok()?).ok()?;
    let problems: Vec<String> =
        later_milestone_dependencies(&plan, None).iter().map(ToString::to_string).collect();
    let Some(first) = problems.first() else {
        return Some(check("plan", Level::Ok, "no task depends on a later milestone", None));
    };
    let more = match problems.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Some(check(
        "plan",
        Level::Fail,
        format!("{first}{more}"),
        Some(
            "`tmux-ide task update ID --depends …` or `--milestone …` so no task waits on a later milestone",
        ),
    ))
}

/// Hooks and prompts call plain `tmux-ide`: in every pane it must be this binary. The
/// running session's panes are asked (their process environment, on Linux); without a
/// session, the PATH `up` would give them.
fn bin_check(ctx: &Ctx, project: &Project, config: &Config) -> Check {
    let exe = std::env::current_exe().unwrap_or_default();
    let live = live_pane_paths(ctx, project, config);
    let paths: Vec<(String, Option<String>)> = match live {
        Some(live) => live,
        None => config.panes().map(|p| (p.title.clone(), Some(launch_path(p)))).collect(),
    };
    let wrong: Vec<&str> = paths
        .iter()
        .filter(|(_, path)| path.as_deref().is_some_and(|p| !tmux::resolves_to(p, &exe)))
        .map(|(title, _)| title.as_str())
        .collect();
    if wrong.is_empty() {
        let message = format!("`tmux-ide` in the panes is {}", exe.display());
        check("tmux-ide in panes", Level::Ok, message, None)
    } else {
        check(
            "tmux-ide in panes",
            Level::Warn,
            format!("`tmux-ide` in pane(s) {} is not {}", wrong.join(", "), exe.display()),
            Some("`tmux-ide restart` puts this binary's directory first on each pane's PATH"),
        )
    }
}

/// Each live pane's PATH, read from its process (`None` per pane when unreadable); `None`
/// when the session is not running or the platform has no `/proc`.
fn live_pane_paths(
    ctx: &Ctx,
    project: &Project,
    config: &Config,
) -> Option<Vec<(String, Option<String>)>> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let panes = tmux_of(ctx).list_panes(&tmux::session_name(project, config)).ok()?;
    let path_of = |pid: u32| {
        let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
        environ.split(|&b| b == 0).find_map(|kv| {
            kv.strip_prefix(b"PATH=").map(|v| String::from_utf8_lossy(v).into_owned())
        })
    };
    let paths = panes.iter().filter(|p| !p.dead).map(|p| (p.title.clone(), path_of(p.pid)));
    Some(paths.collect())
}

fn session_checks(ctx: &Ctx, project: &Project, config: &Config, checks: &mut Vec<Check>) {
    let name = tmux::session_name(project, config);
    match tmux_of(ctx).has_session(&name) {
        Ok(true) => checks.push(check("session", Level::Ok, format!("{name} is running"), None)),
        Ok(false) => checks.push(check(
            "session",
            Level::Warn,
            format!("{name} is not running"),
            Some("start it with `tmux-ide`"),
        )),
        Err(_) => {}
    }
    let alive = project.orchestrator_alive();
    let c = match (config.orchestrator.enabled, alive) {
        (_, Some(pid)) => check("orchestrator", Level::Ok, format!("running (pid {pid})"), None),
        (true, None) => check(
            "orchestrator",
            Level::Warn,
            "enabled but not running",
            Some("start the session (`tmux-ide`) or run `tmux-ide orchestrator run`"),
        ),
        (false, None) => {
            check("orchestrator", Level::Ok, "disabled in ide.yml (not running)", None)
        }
    };
    checks.push(c);
}

#[cfg(test)]
mod tests {
    use super::program_of;

    #[test]
    fn the_program_of_a_command_skips_assignments_and_launchers() {
        assert_eq!(program_of("FOO=1 exec claude --x").as_deref(), Some("claude"));
        assert_eq!(program_of("pnpm dev").as_deref(), Some("pnpm"));
        assert_eq!(program_of("  "), None);
    }

    #[test]
    fn the_program_of_a_command_loses_its_quotes_and_stops_at_an_operator() {
        assert_eq!(program_of("'/opt/my tools/sim' agent").as_deref(), Some("/opt/my tools/sim"));
        assert_eq!(program_of("\"a\\\"b\" x").as_deref(), Some("a\"b"));
        assert_eq!(program_of("cat>out.txt").as_deref(), Some("cat"));
        assert_eq!(program_of("$EDITOR file"), None);
    }
}
