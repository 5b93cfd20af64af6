//! The one integration-test binary: each module drives the real `tmux-ide` binary.
mod common;

mod cli_basics;
mod orchestrator_e2e;
mod reports;
mod store_commands;
mod store_concurrency;
mod store_init;
mod store_seed;
