//! The files `tmux-ide init` writes, embedded from `templates/` at build time.

/// `init` with no template: a two-pane ide.yml.
pub const MINIMAL_IDE_YML: &str = include_str!("../../../templates/minimal/ide.yml");

/// `init --template missions`: (path relative to the project, contents). `{{name}}` in
/// ide.yml is replaced with the project name; tasks.json is generated from the model.
pub const MISSIONS: &[(&str, &str)] = &[
    ("ide.yml", include_str!("../../../templates/missions/ide.yml")),
    (
        ".tasks/validation-contract.md",
        include_str!("../../../templates/missions/validation-contract.md"),
    ),
    (
        ".tmux-ide/skills/frontend.md",
        include_str!("../../../templates/missions/skills/frontend.md"),
    ),
    (".tmux-ide/skills/backend.md", include_str!("../../../templates/missions/skills/backend.md")),
    (
        ".tmux-ide/skills/reviewer.md",
        include_str!("../../../templates/missions/skills/reviewer.md"),
    ),
    (
        ".tmux-ide/skills/researcher.md",
        include_str!("../../../templates/missions/skills/researcher.md"),
    ),
    (
        ".tmux-ide/library/architecture.md",
        include_str!("../../../templates/missions/library/architecture.md"),
    ),
    (
        ".tmux-ide/library/learnings.md",
        include_str!("../../../templates/missions/library/learnings.md"),
    ),
    (
        ".tmux-ide/library/research-findings.md",
        include_str!("../../../templates/missions/library/research-findings.md"),
    ),
    ("AGENTS.md", include_str!("../../../templates/missions/AGENTS.md")),
];

/// Lines `init --template missions` makes sure `.gitignore` has.
pub const GITIGNORE_ENTRIES: &[&str] = &[".tmux-ide/run/", ".tasks/.lock"];
