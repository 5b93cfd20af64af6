//! The one integration-test binary: each module drives the real `tmux-ide` binary.
mod common;

mod cli_basics;
mod tmux_config;
mod tmux_layout;
mod tmux_send;
mod tmux_status;
mod tmux_support;
