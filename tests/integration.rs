//! The one integration-test binary: each module drives the real `tmux-ide` binary.
mod common;

mod agents_dispatch;
mod agents_failures;
mod agents_hooks;
mod cli_basics;
mod orchestrator_e2e;
mod orchestrator_recovery;
mod reports;
mod session_lifecycle;
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
mod web_api;
mod web_browser;
mod web_launch;
mod web_support;
