//! Agents in panes: self-reported state (`tmux-ide agent idle|busy`) and the built-in
//! simulated agent (`tmux-ide agent sim`).
pub mod profiles;
pub mod sim;
pub mod state;
