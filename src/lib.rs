//! tmux-ide: run a team of AI coding agents in tmux panes through a planned mission.
//!
//! The crate is a pure core (plan rules, orchestrator decisions, reports) wrapped in a thin
//! shell of I/O (the store on disk, tmux, the clock). See `README.md` for the workflow.

pub mod agent;
pub mod cli;
pub mod config;
pub mod contract;
pub mod demo;
pub mod error;
pub mod git;
pub mod isolation;
pub mod log;
pub mod notify;
pub mod orchestrator;
pub mod out;
pub mod plan;
pub mod project;
pub mod report;
pub mod signals;
pub mod tmux;
pub mod tui;
pub mod verify;
pub mod web;

pub use error::{Error, Result};
