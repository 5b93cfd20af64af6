//! What tmux-ide knows about each kind of agent program: how long it needs between a
//! paste and the Enter that submits it.
use std::time::Duration;

use crate::config::Agent;

/// Pause between pasting a prompt and pressing Enter. Claude Code needs ~300 ms to take
/// a paste in (notes/claude-code-observed.md); the line-based simulated agent needs none,
/// a few milliseconds keep the order of paste and key certain.
pub fn enter_delay(agent: Option<Agent>) -> Duration {
    match agent {
        Some(Agent::Sim) | Some(Agent::Shell) => Duration::from_millis(20),
        _ => crate::tmux::ENTER_DELAY,
    }
}
