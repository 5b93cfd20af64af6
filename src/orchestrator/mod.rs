//! The orchestrator's pure core: what to do next ([`decide`]) and what to tell agents
//! ([`prompt`]). The run loop (watch, tick, apply, deliver) feeds it a [`World`].
pub mod decide;
pub mod prompt;
pub mod world;

#[cfg(test)]
mod tests;

pub use decide::{Action, Remediation, decide};
pub use prompt::{
    Library, TaskPromptInput, ValidationPromptInput, remediation_title, task_prompt,
    validation_prompt,
};
pub use world::{AgentState, ContractAssertion, PaneView, Role, Settings, World};
