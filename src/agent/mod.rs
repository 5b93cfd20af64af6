//! Agents in panes: their profiles (how to recognise, read and feed each program), reading
//! their screens, self-reported state (`tmux-ide agent idle|busy`, Codex's notify payload),
//! hook installation and the built-in simulated agent (`tmux-ide agent sim`).
pub mod approval;
pub mod hooks;
pub mod notify;
pub mod profiles;
pub mod screen;
#[cfg(test)]
mod screen_fixtures;
pub mod sim;
pub mod sim_edit;
pub mod sim_plan;
pub mod sim_usage;
pub mod state;
mod tty;
pub mod usage;
