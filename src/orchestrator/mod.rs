//! The orchestrator: a pure core — what to do next ([`decide`]) and what to tell agents
//! ([`prompt`]) — and the thin shell around it: the run loop ([`run`]) that watches the
//! store, observes the panes ([`observe`]), and applies actions ([`apply`]).
mod apply;
pub mod decide;
mod deliver;
mod dispatch_batch;
pub mod events_tail;
pub mod gather;
pub mod inbox;
pub mod integrate;
mod log_writer;
pub mod lookout;
pub mod observe;
pub mod planning;
pub mod prompt;
pub mod prompt_plan;
mod recover;
pub mod requests;
pub mod run;
mod served;
pub mod usage;
pub mod watch;
mod watching;
pub mod world;

#[cfg(test)]
mod tests;

pub use decide::{Action, decide};
pub use prompt::{
    Library, TaskPromptInput, ValidationPromptInput, remediation_title, task_prompt,
    validation_prompt,
};
pub use world::{AgentState, ContractAssertion, PaneView, Role, Settings, World};
