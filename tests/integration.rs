//! The one integration-test binary: each module drives the real `tmux-ide` binary.
// Helpers outside `#[test]` functions unwrap and print too: a test that cannot go on
// panics with what it saw, and a timeout dumps the panes it waited on.
#![allow(clippy::unwrap_used, clippy::print_stderr, reason = "test code")]
mod common;

mod agents_approval;
mod agents_attribution;
mod agents_dispatch;
mod agents_failures;
mod agents_fresh_context;
mod agents_hooks;
mod agents_sim_markers;
mod cli_basics;
mod cli_docs;
mod cli_errors;
mod cli_output;
mod config_checks;
mod demo_story;
mod dispatch_modes;
mod escaping;
mod flag_bounds;
mod module_deps;
mod orchestrator_e2e;
mod orchestrator_reconcile;
mod orchestrator_recovery;
mod pane_states;
mod pane_watching;
mod paste_safety;
mod plan_deadlocks;
mod readme;
mod reports;
mod send_enter_delay;
mod session_lifecycle;
mod session_tables;
mod small_fixes;
mod store_commands;
mod store_concurrency;
mod store_init;
mod store_integrity;
mod store_seed;
mod store_symlinks;
mod tmux_config;
mod tmux_layout;
mod tmux_send;
mod tmux_status;
mod tmux_support;
mod tui_live;
mod validate_bounds;
mod web_api;
mod web_browser;
mod web_launch;
mod web_slowloris;
mod web_support;
