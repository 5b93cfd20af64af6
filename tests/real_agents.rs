//! The real agent CLIs, opt-in (`bench/real-agents.sh` installs them and runs these):
//! each of Aider, Claude Code, Codex and Gemini CLI in two worker panes and a validator
//! pane, answering to the scripted model on loopback, runs a mission to completion with
//! every prompt reaching the model once and no keystroke from a person.
use crate::common::real::{Cli, Run};

fn mission(cli: Cli) -> Run {
    let run = Run::start(cli);
    run.wait_complete(240);
    run.check();
    run
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh"]
fn aider_completes_a_mission_unattended() {
    let run = mission(Cli::Aider);
    // Aider asks before each command; the orchestrator answered both questions of
    // every report, and nothing else.
    let granted = run.team.of_type("approval_granted");
    assert_eq!(granted.len(), 6, "{granted:#?}");
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh"]
fn claude_code_completes_a_mission_unattended() {
    mission(Cli::Claude);
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh"]
fn codex_completes_a_mission_unattended() {
    mission(Cli::Codex);
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh"]
fn gemini_cli_completes_a_mission_unattended() {
    mission(Cli::Gemini);
}

#[test]
fn the_script_that_runs_them_is_there() {
    assert!(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/real-agents.sh").exists());
}
