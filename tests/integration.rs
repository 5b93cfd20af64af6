//! The one integration-test binary: each module drives the real `tmux-ide` binary.
mod common;

mod cli_basics;
mod tmux_config;
