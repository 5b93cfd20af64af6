//! The rules of ide.yml beyond each value's shape: sibling sizes that fit in 100%, unique
//! and printable pane titles, one focused pane, colours, env names, a `master_pane` that
//! names a pane, a port that is a port.
use std::collections::BTreeMap;

use serde_json::Value;

use super::{Problem, nearest, push};
use crate::config::model::Percent;
use crate::config::window::HELPER_WINDOWS;

fn size_of(value: Option<&Value>) -> Option<u32> {
    let text = match value? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Percent::parse(&text).map(|p| u32::from(p.0))
}

/// Explicit sizes of siblings must fit in 100% and leave at least 1% per unsized sibling.
fn check_sizes<'a>(
    items: impl Iterator<Item = &'a Value>,
    what: &str,
    path: &str,
    problems: &mut Vec<Problem>,
) {
    let (mut sum, mut unsized_count) = (0u32, 0u32);
    for item in items {
        match size_of(item.get("size")) {
            Some(n) => sum += n,
            None => unsized_count += 1,
        }
    }
    if sum > 100 {
        push(problems, path, format!("{what} sizes add up to {sum}% (at most 100%)"));
    } else if unsized_count > 0 && sum + unsized_count > 100 {
        push(
            problems,
            path,
            format!(
                "{what} sizes add up to {sum}%, leaving no room for {unsized_count} unsized {what}(s)"
            ),
        );
    }
}

fn is_colour(text: &str) -> bool {
    let hex = text.strip_prefix('#').is_some_and(|h| {
        (h.len() == 6 || h.len() == 3) && h.chars().all(|c| c.is_ascii_hexdigit())
    });
    hex || (!text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The rules between values: names, colours, sizes, titles, focus, env names, the master
/// pane and the port.
pub(super) fn check(doc: &Value, problems: &mut Vec<Problem>) {
    if let Some(Value::String(name)) = doc.get("name")
        && name.trim().is_empty()
    {
        push(problems, "name", "must not be empty");
    }
    if let Some(Value::Object(theme)) = doc.get("theme") {
        for (key, value) in theme {
            if let Some(text) = value.as_str()
                && !is_colour(text)
            {
                push(
                    problems,
                    &format!("theme.{key}"),
                    format!(
                        "`{text}` is not a colour (a name like `blue`, `colour75` or `#5fafff`)"
                    ),
                );
            }
        }
    }
    check_form(doc, problems);
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let mut focused: Option<String> = None;
    let mut n = 0;
    for (rows_path, rows) in row_lists(doc) {
        check_sizes(rows.iter(), "row", &rows_path, problems);
        for (r, row) in rows.iter().enumerate() {
            check_row(
                row,
                &format!("{rows_path}[{r}]"),
                &mut n,
                &mut titles,
                &mut focused,
                problems,
            );
        }
    }
    if let Some(Value::String(master)) = doc.pointer("/orchestrator/master_pane")
        && !titles.contains_key(master)
    {
        let hint = nearest(master, titles.keys().map(String::as_str))
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        let list = titles.keys().cloned().collect::<Vec<_>>().join(", ");
        push(
            problems,
            "orchestrator.master_pane",
            format!("no pane is titled `{master}` ({hint}panes: {list})"),
        );
    }
    if let Some(Value::Object(agents)) = doc.get("agents") {
        for (name, spec) in agents {
            // Typed into the agent and submitted: a second line would be a second message.
            if let Some(Value::String(c)) = spec.get("clear_command")
                && c.chars().any(char::is_control)
            {
                push(
                    problems,
                    &format!("agents.{name}.clear_command"),
                    "must be one line (a command like `/clear`, or \"\" for none)",
                );
            }
        }
    }
    if let Some(port) = doc.pointer("/dashboard/port").and_then(Value::as_u64)
        && port > u64::from(u16::MAX)
    {
        push(
            problems,
            "dashboard.port",
            format!("{port} is not a port (0..=65535; 0 picks a free one)"),
        );
    }
}

/// One row's panes: sizes, titles unique over the whole session, one focus, env names.
fn check_row(
    row: &Value,
    row_path: &str,
    n: &mut usize,
    titles: &mut BTreeMap<String, String>,
    focused: &mut Option<String>,
    problems: &mut Vec<Problem>,
) {
    let Some(panes) = row.get("panes").and_then(Value::as_array) else { return };
    check_sizes(panes.iter(), "pane", &format!("{row_path}.panes"), problems);
    for (p, pane) in panes.iter().enumerate() {
        *n += 1;
        let at = format!("{row_path}.panes[{p}]");
        super::limits::check_pane_text(pane, &at, problems);
        let title = match pane.get("title") {
            Some(Value::String(t)) => t.clone(),
            Some(_) => continue,
            None => format!("Pane {n}"),
        };
        if title.trim().is_empty() {
            push(problems, &format!("{at}.title"), "must not be empty");
        } else if title.chars().any(char::is_control) {
            push(problems, &format!("{at}.title"), "must not contain control characters");
        } else if let Some(first) = titles.get(&title) {
            push(
                problems,
                &format!("{at}.title"),
                format!("title `{title}` is already used by {first} (titles must be unique)"),
            );
        } else {
            titles.insert(title, at.clone());
        }
        if pane.get("focus") == Some(&Value::Bool(true)) {
            match focused {
                Some(first) => push(
                    problems,
                    &format!("{at}.focus"),
                    format!("only one pane may have focus ({first} has it already)"),
                ),
                None => *focused = Some(at.clone()),
            }
        }
        if let Some(Value::Object(env)) = pane.get("env") {
            for key in env.keys().filter(|k| !is_env_name(k) && !k.contains('\0')) {
                push(
                    problems,
                    &format!("{at}.env.{key}"),
                    "is not a valid environment variable name (letters, digits, _)",
                );
            }
        }
    }
}

/// Each layout window's `rows:` list with its path: `rows`, or `windows[N].rows` for each
/// window (both when ide.yml has both, which [`check_form`] refuses).
fn row_lists(doc: &Value) -> Vec<(String, &[Value])> {
    fn list(v: Option<&Value>) -> &[Value] {
        v.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
    }
    let mut lists = Vec::new();
    if doc.get("rows").is_some() {
        lists.push(("rows".to_string(), list(doc.get("rows"))));
    }
    for (w, window) in list(doc.get("windows")).iter().enumerate() {
        lists.push((format!("windows[{w}].rows"), list(window.get("rows"))));
    }
    lists
}

/// Exactly one of `rows:` (one window) and `windows:` (several); window names unique,
/// printable and not a helper window's.
fn check_form(doc: &Value, problems: &mut Vec<Problem>) {
    let Some(map) = doc.as_object() else { return };
    match (map.contains_key("rows"), map.contains_key("windows")) {
        (true, true) => push(
            problems,
            "windows",
            "ide.yml has both `rows:` and `windows:`; use one: `rows:` for a single window, or \
             `windows:` (each with a `name:` and its own `rows:`) for several",
        ),
        (false, false) => push(
            problems,
            "",
            "missing required key `rows` (or `windows:`, each with a `name:` and its own `rows:`)",
        ),
        _ => {}
    }
    let Some(Value::Array(windows)) = map.get("windows") else { return };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (w, window) in windows.iter().enumerate() {
        let Some(Value::String(name)) = window.get("name") else { continue };
        let at = format!("windows[{w}].name");
        if name.trim().is_empty() {
            push(problems, &at, "must not be empty");
        } else if name.chars().any(char::is_control) {
            push(problems, &at, "must not contain control characters");
        } else if HELPER_WINDOWS.contains(&name.as_str()) {
            push(
                problems,
                &at,
                format!(
                    "`{name}` is the name of a helper window (taken: {})",
                    HELPER_WINDOWS.join(", ")
                ),
            );
        } else if let Some(first) = seen.get(name.as_str()) {
            push(
                problems,
                &at,
                format!(
                    "window name `{name}` is already used by windows[{first}] (names must be unique)"
                ),
            );
        } else {
            seen.insert(name, w);
        }
    }
}
