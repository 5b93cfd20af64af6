//! Computed views shared by the CLI, the TUI and the web dashboard: each returns plain
//! data (serde `Serialize` for `--json`) and has a text renderer beside it.
pub mod agents;
pub mod archive;
pub mod eventlog;
#[cfg(test)]
mod fixture;
pub mod history;
pub mod metrics;
pub mod orch;
pub mod overview;
pub mod table;
pub mod timefmt;
