//! The `orchestrator.research:` block of ide.yml: research tasks on triggers (mission
//! start, every N done tasks of a milestone, a milestone done, a cluster of retries and
//! stalls, a periodic interval), each trigger with its own switch, cooldown and figures.
//! Every field is optional; [`ResearchConfig::trigger`] fills in the documented defaults.
use serde::{Deserialize, Serialize};

/// `orchestrator.research`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResearchConfig {
    /// Research triggers fire only when this is true.
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub mission_start: TriggerConfig,
    #[serde(default)]
    pub tasks_done: TriggerConfig,
    #[serde(default)]
    pub milestone_done: TriggerConfig,
    /// Retries, blocks and stalls piling up.
    #[serde(default)]
    pub trouble: TriggerConfig,
    #[serde(default)]
    pub interval: TriggerConfig,
}

/// One trigger as written; which keys a trigger takes is checked by the schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerConfig {
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Milliseconds after this trigger fired before it may fire again.
    #[serde(default)]
    pub cooldown: Option<u64>,
    /// `tasks_done`: fire every this many done tasks of a milestone; `interval`:
    /// milliseconds between periodic research tasks.
    #[serde(default)]
    pub every: Option<u64>,
    /// `trouble`: how many retries, blocks and stalls within `window` fire it.
    #[serde(default)]
    pub count: Option<u64>,
    /// `trouble`: the window, in milliseconds.
    #[serde(default)]
    pub window: Option<u64>,
}

/// The research triggers, in the order they are checked when several are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TriggerKind {
    MissionStart,
    MilestoneDone,
    Trouble,
    TasksDone,
    Interval,
}

impl TriggerKind {
    pub const ALL: [TriggerKind; 5] = [
        TriggerKind::MissionStart,
        TriggerKind::MilestoneDone,
        TriggerKind::Trouble,
        TriggerKind::TasksDone,
        TriggerKind::Interval,
    ];

    /// The key in ide.yml and the `trigger` field of `research_triggered`.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::MissionStart => "mission_start",
            TriggerKind::MilestoneDone => "milestone_done",
            TriggerKind::Trouble => "trouble",
            TriggerKind::TasksDone => "tasks_done",
            TriggerKind::Interval => "interval",
        }
    }

    pub fn parse(name: &str) -> Option<TriggerKind> {
        TriggerKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One trigger with the defaults filled in (times in milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger {
    pub enabled: bool,
    pub cooldown: u64,
    pub every: u64,
    pub count: u64,
    pub window: u64,
}

const MINUTE: u64 = 60_000;

impl ResearchConfig {
    /// The trigger's settings: what ide.yml says, else the defaults (all on but
    /// `interval`; `tasks_done` every 3 tasks with a 10 min cooldown; `trouble` at 3 within
    /// 10 min with a 15 min cooldown; `interval` every 30 min).
    pub fn trigger(&self, kind: TriggerKind) -> Trigger {
        let (written, enabled, cooldown, every, count, window) = match kind {
            TriggerKind::MissionStart => (&self.mission_start, true, 0, 0, 0, 0),
            TriggerKind::MilestoneDone => (&self.milestone_done, true, 0, 0, 0, 0),
            TriggerKind::Trouble => (&self.trouble, true, 15 * MINUTE, 0, 3, 10 * MINUTE),
            TriggerKind::TasksDone => (&self.tasks_done, true, 10 * MINUTE, 3, 0, 0),
            TriggerKind::Interval => (&self.interval, false, 0, 30 * MINUTE, 0, 0),
        };
        Trigger {
            enabled: written.enabled.unwrap_or(enabled),
            cooldown: written.cooldown.unwrap_or(cooldown),
            every: written.every.unwrap_or(every),
            count: written.count.unwrap_or(count),
            window: written.window.unwrap_or(window),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_research_block_reads_with_defaults_per_trigger() {
        let text = "rows:\n  - panes:\n      - {}\norchestrator:\n  research:\n    enabled: true\n    tasks_done: {every: 2, cooldown: 0}\n    interval: {enabled: true}\n";
        let c = Config::parse(text).unwrap();
        let r = &c.orchestrator.research;
        assert!(r.enabled);
        let t = r.trigger(TriggerKind::TasksDone);
        assert_eq!((t.enabled, t.every, t.cooldown), (true, 2, 0));
        let i = r.trigger(TriggerKind::Interval);
        assert_eq!((i.enabled, i.every), (true, 30 * MINUTE));
        let tr = r.trigger(TriggerKind::Trouble);
        assert_eq!((tr.count, tr.window, tr.cooldown), (3, 10 * MINUTE, 15 * MINUTE));
        assert!(
            !Config::parse("rows:\n  - panes:\n      - {}\n")
                .unwrap()
                .orchestrator
                .research
                .enabled
        );
    }

    #[test]
    fn a_key_a_trigger_does_not_take_is_an_error_naming_it() {
        let text = "rows:\n  - panes:\n      - {}\norchestrator:\n  research:\n    mission_start: {every: 2}\n    trouble: {count: 0}\n    tasks_don: {}\n";
        let problems: Vec<String> =
            Config::parse(text).err().unwrap().iter().map(ToString::to_string).collect();
        let want = [
            "orchestrator.research.mission_start.every: unknown key",
            "orchestrator.research.trouble.count: 0 is out of range",
            "orchestrator.research.tasks_don: unknown key (did you mean `tasks_done`?)",
        ];
        for w in want {
            assert!(problems.iter().any(|p| p.starts_with(w)), "missing {w:?} in {problems:#?}");
        }
    }
}
