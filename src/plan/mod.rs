//! The plan: mission, milestones, goals, tasks and assertion results, the pure
//! rules over them, the store that persists them and the event log beside it.
pub mod bulk;
pub mod eventlog;
pub mod events;
pub mod library;
mod logfile;
pub mod model;
mod pretty;
pub mod rules;
mod sized;
pub mod store;
mod store_cache;
pub mod task_git;
mod ts;

pub use events::{Event, EventKind};
pub use model::*;
pub use store::Store;
pub use task_git::TaskGit;
