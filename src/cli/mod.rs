//! The command line: global flags, the command tree, and mapping outcomes to exit codes.
//! Each command lives in its own module (noun groups as folders) with an args type and a
//! `run(ctx, args)`; this file only wires them together.
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::Result;
use crate::project::Project;

pub mod agent;
pub mod agent_usage;
pub mod completions;
pub mod config;
pub mod cost;
pub mod dashboard;
pub mod demo;
pub mod detect;
pub mod doctor;
pub mod goal;
pub mod help;
pub mod hooks;
pub mod init;
pub mod logs;
pub mod metrics;
pub mod milestone;
pub mod mission;
pub mod notify;
pub mod orch;
pub mod orchestrator;
pub use crate::out;
pub mod pane;
pub mod send;
pub mod session;
pub mod task;
pub mod validate;

/// Run a team of AI coding agents in tmux panes through a planned mission.
///
/// With no command, builds the session described by ide.yml and attaches to it
/// (same as `tmux-ide up`).
#[derive(Debug, Parser)]
#[command(name = "tmux-ide", version, propagate_version = true)]
pub struct Cli {
    /// Run as if started in DIR (the project directory).
    #[arg(short = 'C', global = true, value_name = "DIR", help_heading = help::GLOBAL_OPTIONS)]
    pub dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of text (read commands).
    #[arg(long, global = true, help_heading = help::GLOBAL_OPTIONS)]
    pub json: bool,

    /// Use a private tmux server (`tmux -L NAME`) for every tmux call.
    #[arg(long, global = true, env = "TMUX_IDE_SOCKET", value_name = "NAME", help_heading = help::GLOBAL_OPTIONS)]
    pub tmux_socket: Option<String>,

    #[command(flatten)]
    pub up: session::UpArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold ide.yml (and with --template missions, the whole missions tree).
    Init(init::Args),
    /// Build the session from ide.yml and attach (the default command).
    Up(session::UpArgs),
    /// Kill this project's tmux session.
    Stop(session::StopArgs),
    /// Rebuild the session from the current ide.yml.
    Restart(session::UpArgs),
    /// Attach to this project's running session.
    Attach(session::AttachArgs),
    /// List running tmux-ide sessions.
    Ls(session::LsArgs),
    /// Show each pane of this project's session: title, role, agent, process, task.
    Status(session::StatusArgs),
    /// Send text to a pane (by title, role or %id), safely, through a tmux buffer.
    Send(send::Args),
    /// Check tmux, ide.yml, the store and pane commands; say how to fix what is wrong.
    Doctor(doctor::Args),
    /// Work with ide.yml.
    #[command(subcommand)]
    Config(config::Command),
    /// Set, show and activate the mission.
    #[command(subcommand)]
    Mission(mission::Command),
    /// Create and inspect milestones.
    #[command(subcommand)]
    Milestone(milestone::Command),
    /// List goals.
    #[command(subcommand)]
    Goal(goal::Command),
    /// Create, inspect and update tasks.
    #[command(subcommand)]
    Task(task::Command),
    /// Check the validation contract: coverage, assertion results, verify commands.
    #[command(subcommand)]
    Validate(validate::Command),
    /// Task counts, completion rate, durations and estimates.
    Metrics(metrics::Args),
    /// The orchestrator's live state: agents, queue, blocked tasks, events.
    Orch(orch::Args),
    /// Print the orchestrator's log (decisions, deliveries, errors).
    Logs(logs::Args),
    /// Run the orchestrator.
    #[command(subcommand)]
    Orchestrator(orchestrator::Command),
    /// Notifications to people (`notify:` in ide.yml): send a test.
    #[command(subcommand)]
    Notify(notify::Command),
    /// Agent self-reports and the built-in simulated agent.
    #[command(subcommand)]
    Agent(agent::Command),
    /// Live terminal view of the mission and the orchestrator (same as `orch --watch`).
    Top(orch::TopArgs),
    /// Install or remove agent hooks that report busy / idle / waiting to tmux-ide.
    #[command(subcommand)]
    Hooks(hooks::Command),
    /// What each pane is judged to be (agent, state) and which signal decided.
    Detect(detect::Args),
    /// Serve the live mission dashboard on 127.0.0.1.
    Dashboard(dashboard::Args),
    /// Run a whole mission in real tmux with simulated agents.
    Demo(demo::Args),
    /// Print shell completions.
    Completions(completions::Args),
    /// Print the man page, or write one per command with --dir.
    Man(completions::ManArgs),
}

/// What every command gets: the global flags, resolved lazily, and where to print.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub dir: Option<PathBuf>,
    pub json: bool,
    pub tmux_socket: Option<String>,
    pub out: out::Out,
    /// The time the report commands compute against: `TMUX_IDE_NOW` (RFC 3339) when set,
    /// so tests and recorded examples are stable; read once, here.
    pub now: jiff::Timestamp,
}

impl Ctx {
    /// Stdout, for a command's results: `writeln!(ctx.out(), …)?`.
    pub fn out(&self) -> out::OutLock<'_> {
        self.out.lock()
    }

    /// The project: `-C DIR`, else found upwards from the working directory; exit 1 when
    /// there is none (see [`Project::require`]).
    pub fn project(&self) -> Result<Project> {
        Project::require(self.dir.as_deref())
    }

    /// The directory a project would be in, whether or not there is one yet: for commands
    /// that create one (`init`) or say themselves what is missing (`up`, `doctor`).
    pub fn project_dir(&self) -> Result<Project> {
        Project::discover(self.dir.as_deref())
    }
}

/// Entry point of the binary.
///
/// SIGPIPE stays ignored (Rust's default): a closed pipe is an error value, quiet for
/// stdout and reported with its cause anywhere else (see `error::Kind::BrokenPipe`).
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = help::decorate_for(Cli::command(), args.get(1..).unwrap_or_default());
    let cli = match command.try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(err) => return report_clap_error(&err),
    };
    let outcome = clock_override().and_then(|now| {
        let ctx = Ctx {
            dir: cli.dir.clone(),
            json: cli.json,
            tmux_socket: cli.tmux_socket.clone(),
            out: out::Out::stdout(),
            now: now.unwrap_or_else(jiff::Timestamp::now),
        };
        let code = run(&ctx, cli)?;
        ctx.out().flush()?;
        Ok(code)
    });
    match outcome {
        Ok(code) => code,
        Err(err) => {
            // Nowhere left to report a failure to write stderr.
            let _ = std::io::stderr().write_all(err.render().as_bytes());
            ExitCode::from(err.exit_code())
        }
    }
}

fn run(ctx: &Ctx, cli: Cli) -> Result<ExitCode> {
    let Some(command) = cli.command else {
        return session::up(ctx, cli.up);
    };
    if ctx.json {
        refuse_json(&command)?;
    }
    match command {
        Command::Init(args) => init::run(ctx, args),
        Command::Up(args) => session::up(ctx, args),
        Command::Stop(args) => session::stop(ctx, args),
        Command::Restart(args) => session::restart(ctx, args),
        Command::Attach(args) => session::attach(ctx, args),
        Command::Ls(args) => session::ls(ctx, args),
        Command::Status(args) => session::status(ctx, args),
        Command::Send(args) => send::run(ctx, args),
        Command::Doctor(args) => doctor::run(ctx, args),
        Command::Config(cmd) => config::run(ctx, cmd),
        Command::Mission(cmd) => mission::run(ctx, cmd),
        Command::Milestone(cmd) => milestone::run(ctx, cmd),
        Command::Goal(cmd) => goal::run(ctx, cmd),
        Command::Task(cmd) => task::run(ctx, cmd),
        Command::Validate(cmd) => validate::run(ctx, cmd),
        Command::Metrics(args) => metrics::run(ctx, args),
        Command::Orch(args) => orch::run(ctx, args),
        Command::Logs(args) => logs::run(ctx, args),
        Command::Orchestrator(cmd) => orchestrator::run(ctx, cmd),
        Command::Notify(cmd) => notify::run(ctx, cmd),
        Command::Agent(cmd) => agent::run(ctx, cmd),
        Command::Top(args) => orch::top(ctx, args),
        Command::Hooks(cmd) => hooks::run(ctx, cmd),
        Command::Detect(args) => detect::run(ctx, args),
        Command::Dashboard(args) => dashboard::run(ctx, args),
        Command::Demo(args) => demo::run(ctx, args),
        Command::Completions(args) => completions::run(ctx, args),
        Command::Man(args) => completions::man(ctx, args),
    }
}

/// `--json` where a command prints no data: refused rather than silently ignored.
fn refuse_json(command: &Command) -> Result<()> {
    let name = match command {
        Command::Demo(_) => "demo",
        Command::Top(_) => "top",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
        _ => return Ok(()),
    };
    debug_assert!(help::NO_JSON.contains(&name));
    Err(crate::Error::bad_input(format!(
        "--json: `tmux-ide {name}` has no JSON output (allowed with read commands such as \
         `mission status`, `task list`, `metrics`)"
    )))
}

/// `TMUX_IDE_NOW`: a hidden override of the report clock (not a flag, so not in --help).
fn clock_override() -> Result<Option<jiff::Timestamp>> {
    let Some(value) = std::env::var_os("TMUX_IDE_NOW") else { return Ok(None) };
    let value = value.to_string_lossy();
    value.parse().map(Some).map_err(|_| {
        crate::Error::bad_input(format!(
            "TMUX_IDE_NOW={value:?} is not a time (allowed: RFC 3339, e.g. 2026-03-02T11:30:00Z)"
        ))
    })
}

/// Usage errors exit 2 with one line: clap's message plus its suggestion, if any.
fn report_clap_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || matches!(err.kind(), ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand)
    {
        let _ = err.print();
        return ExitCode::from(
            if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { 2 } else { 0 },
        );
    }
    let _ = writeln!(std::io::stderr(), "{}", one_line(&escaped_render(err)));
    ExitCode::from(2)
}

/// clap's message with every bad value it quotes escaped (`\n`, `<U+202E>`), so a value
/// holding a newline is named whole on the one line rather than cut at its first line,
/// and none reaches the terminal raw.
fn escaped_render(err: &clap::Error) -> String {
    use clap::error::ContextValue;
    let mut text = err.render().to_string();
    let mut values: Vec<&str> = Vec::new();
    for (_, value) in err.context() {
        match value {
            ContextValue::String(v) => values.push(v),
            ContextValue::Strings(vs) => values.extend(vs.iter().map(String::as_str)),
            _ => {}
        }
    }
    // Longest first, so a value inside another is not escaped twice.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        let escaped = crate::report::text::one_line(v);
        if escaped != v {
            text = text.replace(v, &escaped);
        }
    }
    text
}

/// clap's rendered error as one line. A first line ending in `:` lists its subjects on
/// the indented lines below it (the missing arguments); they join it, comma-separated.
fn one_line(rendered: &str) -> String {
    let mut lines = rendered.lines().skip_while(|l| l.trim().is_empty());
    let mut first = lines.next().unwrap_or("error: invalid arguments").trim().to_string();
    if first.ends_with(':') {
        let subjects: Vec<&str> =
            lines.by_ref().map(str::trim).take_while(|l| !l.is_empty()).collect();
        if !subjects.is_empty() {
            first = format!("{first} {}", subjects.join(", "));
        }
    }
    match lines.map(str::trim).find(|l| l.starts_with("tip:")) {
        Some(tip) => format!("{first} ({tip})"),
        None => first,
    }
}

/// The clap command tree as parsed and shown: grouped help (see [`help`]); also for
/// completions and the man pages.
pub fn command() -> clap::Command {
    help::decorate(Cli::command())
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn missing_arguments_are_named_on_the_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  \
                        --proof <PROOF>\n  <ID>\n\nUsage: tmux-ide task done --proof <PROOF> \
                        <ID>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(rendered),
            "error: the following required arguments were not provided: --proof <PROOF>, <ID>"
        );
    }

    #[test]
    fn a_tip_follows_the_message_in_parentheses() {
        let rendered = "error: unrecognized subcommand 'lst'\n\n  tip: a similar subcommand \
                        exists: 'list'\n\nUsage: tmux-ide task <COMMAND>\n";
        assert_eq!(
            one_line(rendered),
            "error: unrecognized subcommand 'lst' (tip: a similar subcommand exists: 'list')"
        );
    }
}
