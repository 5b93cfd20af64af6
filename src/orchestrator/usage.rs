//! Collecting what the agents spend, each tick: the files agents named through their hooks
//! (`usage_source` events: Claude Code and Codex transcripts read from where the last look
//! stopped, Gemini CLI's session file when it changed) and Aider's usage lines on the
//! screens the observer captured. Each record is attributed to the task in progress on
//! its pane at its time and logged as a `usage` event; the reader positions go into those
//! events too, so a restarted orchestrator resumes without counting anything twice. The
//! totals (and the per-task sums) come back through the event log, once, and give the
//! [`BudgetView`] that `decide` holds dispatch on.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::world::BudgetView;
use crate::agent::usage::tail::{self, Cursor};
use crate::agent::usage::{
    Attribution, SourceKind, Usage, aider, claude, codex, gemini, parse_source_event,
    parse_usage_event, usage_event,
};
use crate::config::{BudgetConfig, Config};
use crate::plan::rules::budget::{self, BudgetLevel, Spent};
use crate::plan::{Event, EventKind, Plan};
use crate::report::prices::Prices;

/// One file an agent keeps its usage in, and the reader's place in it.
#[derive(Debug, Default)]
struct Source {
    kind: Option<SourceKind>,
    /// The pane (`%3`) that named it, and its title.
    pane_id: String,
    pane_title: String,
    /// The pane named a newer file since (a new conversation): read once more, then left.
    superseded: bool,
    /// Read for the last time; no longer looked at.
    retired: bool,
    cursor: Cursor,
    claude: claude::Dedupe,
    codex: codex::Reader,
    gemini: gemini::Reader,
    /// Size and modification time of a document source when last read.
    stamp: Option<(u64, std::time::SystemTime)>,
}

#[derive(Debug, Default)]
pub struct Collector {
    /// By path.
    sources: HashMap<PathBuf, Source>,
    /// Aider's counted lines, by pane title.
    aider: HashMap<String, aider::Watch>,
    /// The model each pane's command names (`--model gpt-4o`), by pane title.
    models: HashMap<String, String>,
    prices: Prices,
    config_budget: Option<BudgetConfig>,
    set_budget: Option<BudgetConfig>,
    spent_usd: f64,
    spent_tokens: u64,
    per_task: HashMap<String, (f64, u64)>,
    /// The budget level the lead was last told of (since the budget was last set).
    reported: BudgetLevel,
    tasks_reported: HashSet<String>,
}

impl Collector {
    pub fn new(config: &Config) -> Collector {
        let models = config
            .panes()
            .filter_map(|p| Some((p.title.clone(), model_flag(p.command.as_deref()?)?)))
            .collect();
        Collector {
            models,
            prices: Prices::new(&config.prices),
            config_budget: config.orchestrator.budget.clone(),
            ..Collector::default()
        }
    }

    /// Takes in logged events: sources, usage (totals, reader positions), budget events.
    pub fn absorb(&mut self, events: &[Event]) {
        for e in events {
            if let Some((pane, kind, path)) = parse_source_event(e) {
                let path = PathBuf::from(path);
                for (other, s) in &mut self.sources {
                    if s.pane_id == pane && *other != path && !s.retired {
                        s.superseded = true;
                    }
                }
                let source = self.sources.entry(path).or_default();
                source.kind = Some(kind);
                source.pane_id = pane.to_string();
                source.pane_title = e.pane.clone().unwrap_or_default();
                (source.superseded, source.retired) = (false, false);
                continue;
            }
            if let Some(u) = parse_usage_event(e) {
                self.count(e, &u);
                continue;
            }
            match e.kind {
                EventKind::BudgetSet => {
                    self.set_budget = Some(budget::apply_set(self.set_budget.take(), &e.extra));
                    self.reported = BudgetLevel::Under;
                    self.tasks_reported.clear();
                }
                EventKind::BudgetWarning | EventKind::BudgetExhausted => match &e.task {
                    Some(task) => {
                        self.tasks_reported.insert(task.clone());
                    }
                    None => {
                        let level = if e.kind == EventKind::BudgetWarning {
                            BudgetLevel::Warning
                        } else {
                            BudgetLevel::Exhausted
                        };
                        self.reported = self.reported.max(level);
                    }
                },
                _ => {}
            }
        }
    }

    /// A logged usage record: into the totals, and its reader's position restored.
    fn count(&mut self, e: &Event, u: &Usage) {
        let usd = self.prices.cost(u).unwrap_or(0.0);
        self.spent_usd += usd;
        self.spent_tokens += u.tokens();
        if let Some(task) = &e.task {
            let t = self.per_task.entry(task.clone()).or_default();
            t.0 += usd;
            t.1 += u.tokens();
        }
        if let Some(text) = e.extra.get("screen").and_then(Value::as_str) {
            let title = e.pane.clone().unwrap_or_default();
            self.aider.entry(title).or_default().last = Some(text.to_string());
        }
        let Some(path) = e.extra.get("source").and_then(Value::as_str) else { return };
        let source = self.sources.entry(PathBuf::from(path)).or_default();
        if let Some(offset) = e.extra.get("offset").and_then(Value::as_u64) {
            source.cursor.offset = source.cursor.offset.max(offset);
        }
        source.claude.remember(u.clone());
        source.gemini.remember(u);
        if let Some(running) = e.extra.get("running") {
            let n = |k: &str| running.get(k).and_then(Value::as_u64).unwrap_or(0);
            let total = Usage {
                input_tokens: n("input"),
                output_tokens: n("output"),
                cache_read_tokens: n("cache_read"),
                ..Usage::default()
            };
            if total.tokens() > source.codex.total.tokens() {
                source.codex.total = total;
            }
        }
    }

    /// New usage since the last look, as `usage` events: from every known source and from
    /// the Aider screens (pane id, title, screen) captured this tick.
    pub fn collect(
        &mut self,
        plan: &Plan,
        screens: &[(String, String, String)],
        now: Timestamp,
    ) -> Vec<Event> {
        let mut out = Vec::new();
        for (path, source) in &mut self.sources {
            let Some(kind) = source.kind.filter(|_| !source.retired) else { continue };
            source.retired = source.superseded;
            let found = match kind {
                SourceKind::Claude | SourceKind::Codex => read_lines(path, source, kind),
                SourceKind::Gemini => read_document(path, source),
            };
            for (u, mut extra) in found {
                let to =
                    u.turn.clone().and_then(|turn| known_work(plan, turn)).unwrap_or_else(|| {
                        attribute(plan, &source.pane_title, u.at.unwrap_or(now))
                    });
                let mut e = usage_event(now, &source.pane_title, kind.as_str(), &u, &to);
                extra.insert("source".into(), json!(path.to_string_lossy()));
                extra.insert("offset".into(), json!(source.cursor.offset));
                e.extra.extend(extra);
                out.push(e);
            }
        }
        for (_, title, screen) in screens {
            let watch = self.aider.entry(title.clone()).or_default();
            for report in watch.new_reports(screen) {
                let mut u = report.usage;
                u.model = self.models.get(title).cloned();
                let to = attribute(plan, title, now);
                out.push(usage_event(now, title, "aider", &u, &to).with("screen", report.text));
            }
        }
        out
    }

    /// Where the mission stands against its budget at `now`.
    pub fn budget_view(&self, plan: &Plan, now: Timestamp) -> BudgetView {
        let budget = budget::effective(self.config_budget.as_ref(), self.set_budget.as_ref());
        let hours = plan
            .mission
            .as_ref()
            .and_then(|m| Some(m.completed.unwrap_or(now).duration_since(m.activated?)))
            .map_or(0.0, |d| d.as_secs_f64() / 3600.0);
        let spent = Spent { usd: self.spent_usd, tokens: self.spent_tokens, hours };
        let verdict = budget::verdict(&spent, budget.as_ref());
        let mut tasks_over: Vec<(String, String)> = self
            .per_task
            .iter()
            .filter(|(task, _)| !self.tasks_reported.contains(*task))
            .filter_map(|(task, (usd, tokens))| {
                Some((task.clone(), budget::task_over(*usd, *tokens, budget.as_ref())?))
            })
            .collect();
        tasks_over.sort();
        BudgetView { verdict, reported: self.reported, tasks_over }
    }
}

impl super::run::Runner {
    /// Logs the usage found since the last tick, reads it back (with any budget events)
    /// and judges the budget for this tick's decision.
    pub(crate) fn record_usage(&mut self, plan: &Plan, now: Timestamp) -> crate::Result<()> {
        let screens = std::mem::take(&mut self.observer.aider_screens);
        let events = self.usage.collect(plan, &screens, now);
        if !events.is_empty() {
            self.store.append_events(&events)?;
        }
        self.read_log()?;
        self.budget = self.usage.budget_view(plan, now);
        Ok(())
    }
}

/// Claude Code / Codex: the new whole lines, parsed; the cursor moves past them.
fn read_lines(
    path: &Path,
    source: &mut Source,
    kind: SourceKind,
) -> Vec<(Usage, serde_json::Map<String, Value>)> {
    let read = match tail::read_new(path, source.cursor) {
        Ok(read) => read,
        Err(e) => {
            tracing::debug!(path = %path.display(), error = %e, "usage source not readable");
            return Vec::new();
        }
    };
    if read.shrunk {
        tracing::warn!(path = %path.display(), "usage source shrank; reading on from its end");
    }
    source.cursor = read.cursor;
    let mut out = Vec::new();
    for line in &read.lines {
        let found = match kind {
            SourceKind::Claude => claude::parse_line(line).and_then(|u| source.claude.take(u)),
            _ => source.codex.line(line),
        };
        let Some(u) = found else { continue };
        let mut extra = serde_json::Map::new();
        if kind == SourceKind::Codex {
            let t = &source.codex.total;
            extra.insert(
                "running".into(),
                json!({"input": t.input_tokens, "output": t.output_tokens, "cache_read": t.cache_read_tokens}),
            );
        }
        out.push((u, extra));
    }
    out
}

/// Gemini CLI: the whole session file again when its size or time changed.
fn read_document(path: &Path, source: &mut Source) -> Vec<(Usage, serde_json::Map<String, Value>)> {
    let stamp =
        std::fs::symlink_metadata(path).ok().and_then(|m| Some((m.len(), m.modified().ok()?)));
    if stamp.is_none() || stamp == source.stamp {
        return Vec::new();
    }
    source.stamp = stamp;
    match tail::read_document(path) {
        Ok(text) => {
            source.gemini.document(&text).into_iter().map(|u| (u, serde_json::Map::new())).collect()
        }
        Err(e) => {
            tracing::debug!(path = %path.display(), error = %e, "usage source not readable");
            Vec::new()
        }
    }
}

/// The work a record on pane `title` at `at` belongs to: the task or validation round
/// most recently started there at or before `at` (a task's last words after its `task
/// done` still count for it, until the pane's next assignment).
pub fn attribute(plan: &Plan, title: &str, at: Timestamp) -> Attribution {
    let task = plan
        .tasks
        .iter()
        .filter(|t| t.assignee.as_deref() == Some(title))
        .filter_map(|t| Some((t.started.filter(|s| *s <= at)?, t)))
        .max_by_key(|(s, _)| *s);
    let round = plan
        .milestones
        .iter()
        .filter_map(|m| {
            let v = m.validation.as_ref()?;
            (v.pane.as_deref() == Some(title) && v.started <= at).then_some((v.started, m))
        })
        .max_by_key(|(s, _)| *s);
    match (task, round) {
        (Some((ts, _)), Some((vs, m))) if vs > ts => {
            Attribution { task: None, milestone: Some(m.id.clone()) }
        }
        (Some((_, t)), _) => {
            Attribution { task: Some(t.id.clone()), milestone: t.milestone.clone() }
        }
        (None, Some((_, m))) => Attribution { task: None, milestone: Some(m.id.clone()) },
        (None, None) => Attribution::default(),
    }
}

/// The work a record's own turn names, when the plan has it (the task's milestone too).
fn known_work(plan: &Plan, turn: Attribution) -> Option<Attribution> {
    match (&turn.task, &turn.milestone) {
        (Some(id), _) => {
            let task = plan.tasks.iter().find(|t| &t.id == id)?;
            Some(Attribution { task: Some(task.id.clone()), milestone: task.milestone.clone() })
        }
        (None, Some(m)) => plan.milestones.iter().any(|x| &x.id == m).then_some(turn),
        (None, None) => None,
    }
}

/// The model a pane's command names with `--model X`, `--model=X` or `-m X`.
fn model_flag(command: &str) -> Option<String> {
    let mut words = command.split_whitespace();
    while let Some(w) = words.next() {
        if let Some(m) = w.strip_prefix("--model=") {
            return Some(m.to_string());
        }
        if w == "--model" || w == "-m" {
            return words.next().map(String::from);
        }
    }
    None
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
