//! Reads what a prompt quotes (skill, library, contract) from the project and hands it
//! to the pure prompt builders.
use super::prompt::{self, Library, TaskPromptInput, ValidationPromptInput};
use super::world::ContractAssertion;
use crate::contract::Contract;
use crate::plan::Plan;
use crate::project::Project;
use crate::{Error, Result};

/// A file's text, or `None` when it does not exist or cannot be read.
fn read(path: std::path::PathBuf) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The contract's assertions as the prompts and `decide` see them.
pub fn contract_assertions(contract: &Contract) -> Vec<ContractAssertion> {
    contract
        .assertions
        .iter()
        .map(|a| ContractAssertion { id: a.id.clone(), text: a.text.clone() })
        .collect()
}

/// The library files every task prompt quotes, read once for several prompts.
#[derive(Debug, Default)]
pub struct PromptFiles {
    architecture: Option<String>,
    learnings: Option<String>,
    agents: Option<String>,
}

impl PromptFiles {
    pub fn read(project: &Project) -> PromptFiles {
        let lib = project.library_dir();
        PromptFiles {
            architecture: read(lib.join("architecture.md")),
            learnings: read(lib.join("learnings.md")),
            agents: read(project.root.join("AGENTS.md")),
        }
    }
}

/// The prompt for `task_id`; `contract` is the contract as this tick read it.
pub fn task_prompt(
    project: &Project,
    plan: &Plan,
    task_id: &str,
    contract: &[ContractAssertion],
) -> Result<String> {
    task_prompt_with(project, &PromptFiles::read(project), plan, task_id, contract)
}

/// [`task_prompt`] with the library files already read.
pub fn task_prompt_with(
    project: &Project,
    files: &PromptFiles,
    plan: &Plan,
    task_id: &str,
    contract: &[ContractAssertion],
) -> Result<String> {
    let task =
        plan.task(task_id).ok_or_else(|| Error::failed(format!("task {task_id} vanished")))?;
    let skill = task.specialty.as_deref().and_then(|s| {
        let own = read(project.skills_dir().join(format!("{s}.md")));
        // The missions template names the research skill after the role: researcher.md.
        own.or_else(|| {
            (s == super::world::RESEARCH)
                .then(|| read(project.skills_dir().join("researcher.md")))?
        })
    });
    Ok(prompt::task_prompt(&TaskPromptInput {
        plan,
        task,
        contract,
        skill: skill.as_deref(),
        library: Library {
            architecture: files.architecture.as_deref(),
            learnings: files.learnings.as_deref(),
            agents: files.agents.as_deref(),
        },
    }))
}

/// The validator's prompt for a round; `contract` is the contract as this tick read it.
pub fn validation_prompt(
    project: &Project,
    plan: &Plan,
    milestone: &str,
    round: u32,
    assertions: &[String],
    contract: &[ContractAssertion],
) -> Result<String> {
    let m = plan
        .milestone(milestone)
        .ok_or_else(|| Error::failed(format!("milestone {milestone} vanished")))?;
    let contract_text = read(project.contract()).unwrap_or_default();
    let skill = read(project.skills_dir().join("reviewer.md"));
    Ok(prompt::validation_prompt(&ValidationPromptInput {
        plan,
        milestone: m,
        round,
        contract_text: &contract_text,
        contract,
        assertions,
        skill: skill.as_deref(),
    }))
}
