//! The crate's rooms and who may use whom: reads `src/` and checks that the top-level
//! modules' `crate::…` uses (test code left out) form no cycle, and that the layering
//! rules hold: ide.yml's model (`config`) and the tmux layer use nothing above them, and
//! nothing but the binary uses the CLI (the dashboard calls `tmux` and `report`).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Modules each top-level module must not use.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("config", &["agent", "tmux", "cli", "web", "orchestrator", "report", "tui", "plan"]),
    ("tmux", &["agent", "cli", "web", "orchestrator", "report", "tui", "plan"]),
    ("agent", &["tmux", "cli", "web"]),
    ("report", &["cli", "web", "tui", "orchestrator", "tmux"]),
    ("web", &["cli"]),
    ("orchestrator", &["cli", "web", "tui"]),
    ("tui", &["cli", "web"]),
    // git is a runner like tmux; isolation is policy over it, below the orchestrator.
    (
        "git",
        &[
            "agent",
            "tmux",
            "cli",
            "web",
            "orchestrator",
            "report",
            "tui",
            "plan",
            "config",
            "isolation",
        ],
    ),
    ("isolation", &["agent", "tmux", "cli", "web", "orchestrator", "report", "tui"]),
];

#[test]
fn top_level_modules_form_no_cycle_and_keep_their_layers() {
    let graph = crate_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.contains_key("config") && graph.contains_key("web"), "{graph:?}");
    let mut broken = Vec::new();
    for (from, never) in FORBIDDEN {
        for to in graph.get(*from).into_iter().flatten() {
            if never.contains(&to.as_str()) {
                broken.push(format!("{from} uses {to}"));
            }
        }
    }
    for (from, tos) in &graph {
        if tos.contains("cli") {
            broken.push(format!("{from} uses cli (only the binary may)"));
        }
    }
    assert!(broken.is_empty(), "layering broken: {broken:#?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_checker_sees_grouped_uses_paths_and_cycles_but_not_test_code() {
    let text = "use crate::{alpha::X, beta, gamma::{a, b}};\nfn f() { crate::delta::g(); }\n\
                #[cfg(test)]\nmod tests {\n    use crate::omega;\n}\n";
    let got = uses_in(&production_part(text));
    assert_eq!(got, BTreeSet::from(["alpha", "beta", "gamma", "delta"].map(String::from)));
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")].iter().fold(
        Graph::new(),
        |mut g, (f, t)| {
            g.entry(f.to_string()).or_default().insert(t.to_string());
            g
        },
    );
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    let mut acyclic = graph.clone();
    acyclic.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&acyclic), None);
}

/// Top-level module -> the other top-level modules its production code names.
fn crate_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    collect(src, &mut files);
    let test_only: BTreeSet<PathBuf> = files.iter().flat_map(|f| test_only_children(f)).collect();
    let mut graph = Graph::new();
    for file in files.iter().filter(|f| !test_only.contains(*f)) {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let uses = uses_in(&production_part(&text));
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(uses.into_iter().filter(|u| *u != module && is_module(src, u)));
    }
    graph
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_module(src: &Path, name: &str) -> bool {
    src.join(format!("{name}.rs")).exists() || src.join(name).is_dir()
}

/// Files declared as `#[cfg(test)] mod x;` (with or without `#[path]`) by `file`.
fn test_only_children(file: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(file).unwrap();
    let dir = file.parent().unwrap();
    let own_dir = match file.file_stem().unwrap().to_str().unwrap() {
        "mod" | "lib" | "main" => dir.to_path_buf(),
        stem => dir.join(stem),
    };
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if *line != "#[cfg(test)]" {
            continue;
        }
        let mut path_attr = None;
        for next in &lines[i + 1..] {
            if let Some(p) = next.strip_prefix("#[path = \"").and_then(|p| p.strip_suffix("\"]")) {
                path_attr = Some(dir.join(p));
                continue;
            }
            let decl = next.split("mod ").nth(1).filter(|d| d.ends_with(';'));
            if let Some(name) = decl.map(|d| d.trim_end_matches(';')) {
                out.push(path_attr.take().unwrap_or_else(|| own_dir.join(format!("{name}.rs"))));
                out.push(own_dir.join(name).join("mod.rs"));
            }
            break;
        }
    }
    out
}

/// The text before the first inline `#[cfg(test)] mod … {` (test modules close a file).
fn production_part(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_end().ends_with('{'))
        .unwrap_or(lines.len());
    lines[..end].join("\n")
}

/// The first path segment after every `crate::`, including each item of `crate::{…}`.
fn uses_in(text: &str) -> BTreeSet<String> {
    let code: String =
        text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        out.insert(ident(&group[j..]));
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m.starts_with(|c: char| c.is_ascii_lowercase()));
    out
}

fn ident(s: &str) -> String {
    s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// One cycle (first node repeated at the end), if the graph has any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}
