//! What a task left in git when its work was merged into the mission branch (isolation):
//! its commits, the merge commit and the diffstat of the change it brought.
use serde::{Deserialize, Serialize};

/// The task's merged change; absent until the orchestrator merged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskGit {
    /// The task's own commits (oldest first), full ids.
    pub commits: Vec<String>,
    /// The merge commit on the mission branch.
    pub merge: String,
    /// The mission branch's head the merge was made on (the diff's base).
    pub base: String,
    pub files_changed: u32,
    pub insertions: u32,
    pub deletions: u32,
    /// `git diff --stat` of the change, as git prints it.
    #[serde(default)]
    pub stat: String,
}

impl TaskGit {
    /// `3 files changed, +12 -4`.
    pub fn summary(&self) -> String {
        let s = if self.files_changed == 1 { "" } else { "s" };
        format!("{} file{s} changed, +{} -{}", self.files_changed, self.insertions, self.deletions)
    }
}
