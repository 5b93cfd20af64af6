//! Computed views shared by the CLI, the terminal view and the dashboard: coverage,
//! validation results, mission overview, metrics, agents, history, orchestrator state.
//! Each returns plain data (serde `Serialize` for `--json`); renderers sit beside them.
pub mod agents;
pub mod archive;
pub mod cost;
pub mod coverage;
pub mod delivery;
#[cfg(test)]
pub(crate) mod fixture;
pub mod history;
pub mod metrics;
pub mod orch;
pub mod overview;
pub mod prices;
pub mod table;
pub mod text;
pub mod timefmt;
pub mod validation;
pub mod working;

pub use coverage::{Coverage, CoverageRow, coverage};
pub use validation::{ValidationReport, ValidationRow, Verdict, default_milestone, validation};

/// `part` of `whole` as a whole percentage, rounded half up; 100 when `whole` is 0.
pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 100;
    }
    ((part * 200 + whole) / (whole * 2)) as u32
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentages_round_half_up() {
        assert_eq!(super::percent(6, 7), 86);
        assert_eq!(super::percent(1, 8), 13);
        assert_eq!(super::percent(0, 0), 100);
        assert_eq!(super::percent(6, 6), 100);
    }
}
