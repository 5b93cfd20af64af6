//! The one integration-test binary: each module drives the real `tmux-ide` binary.
mod common;

mod cli_basics;
mod orchestrator_e2e;
mod reports;
mod store_commands;
mod store_concurrency;
mod store_init;
mod store_seed;
mod tmux_config;
mod tmux_layout;
mod tmux_send;
mod tmux_status;
mod tmux_support;
mod tui_live;
