//! The README as a user follows it: its walkthrough's commands, run in order in an empty
//! directory, print exactly the output it shows; and the LICENSE is the one Cargo.toml
//! names.
use std::path::Path;

use crate::common::{TestProject, bin};

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The fenced blocks of the walkthrough section, as (language, body): up to the next
/// `## ` heading outside a block (the contract in it has `##` headings of its own).
fn walkthrough_blocks(readme: &str) -> Vec<(String, String)> {
    let start = readme.find("## Walkthrough").expect("a walkthrough section");
    let mut blocks = Vec::new();
    for (i, part) in readme[start + 3..].split("```").enumerate() {
        if i % 2 == 0 {
            if part.contains("\n## ") {
                break;
            }
            continue;
        }
        let (lang, body) = part.split_once('\n').unwrap_or((part, ""));
        blocks.push((lang.trim().to_string(), body.to_string()));
    }
    blocks
}

/// Runs one shell command line the way a user would, with the built `tmux-ide` first on
/// PATH (as `cargo install` puts it there).
fn sh(p: &TestProject, line: &str) -> (i32, String) {
    let dir = bin().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = p.command("bash");
    let out = cmd.arg("-c").arg(line).current_dir(p.path()).env("PATH", path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty() || out.status.code() == Some(1), "{line}: {stderr}");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_readme_walkthrough_prints_what_it_shows_when_followed_in_an_empty_directory() {
    let p = TestProject::outside();
    sh(&p, "tmux-ide init --template missions");
    let mut shown = 0;
    for (lang, body) in walkthrough_blocks(&readme()) {
        match lang.as_str() {
            "markdown" => p.write(".tasks/validation-contract.md", &body),
            "sh" => {
                let (code, _) = sh(&p, &format!("set -e\n{body}"));
                assert_eq!(code, 0, "{body}");
            }
            _ => {
                // `$ command` lines, each followed by the output it prints.
                for chunk in body.split("$ ").filter(|c| !c.is_empty()) {
                    let (command, expected) = chunk.split_once('\n').unwrap_or((chunk, ""));
                    let (_, printed) = sh(&p, command);
                    if !expected.is_empty() {
                        assert_eq!(printed, expected, "{command}");
                        shown += 1;
                    }
                }
                // Step 5, between the coverage report and the work, is in the prose.
                if body.contains("validate coverage") {
                    sh(&p, "tmux-ide mission plan-complete");
                }
            }
        }
    }
    assert_eq!(shown, 2, "the coverage report and the validation report");
}

#[test]
fn the_walkthrough_creates_all_eight_tasks_and_the_license_matches_the_manifest() {
    let readme = readme();
    assert!(!readme.contains("as in the seed"), "the walkthrough elides tasks");
    assert!(readme.contains("cargo install --locked --path ."), "no install step");
    for needle in ["tmux-ide completions bash", "tmux-ide man --dir"] {
        assert!(readme.contains(needle), "README does not document `{needle}`");
    }
    let manifest = include_str!("../Cargo.toml");
    assert!(manifest.contains("license = \"MIT\""));
    let license = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("LICENSE"))
        .expect("a LICENSE file");
    assert!(license.starts_with("MIT License\n"), "{license}");
}
