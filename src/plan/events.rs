//! One line of `.tasks/events.jsonl`: the append-only history every report is computed from.
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An event: `ts` and `type` always, the ids it concerns where they apply, and any
/// type-specific fields in `extra` (flattened into the same JSON object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// RFC 3339, millisecond precision, UTC.
    #[serde(with = "ts_millis")]
    pub ts: Timestamp,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pane: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Event {
    pub fn new(ts: Timestamp, kind: impl Into<String>) -> Self {
        Event {
            ts,
            kind: kind.into(),
            task: None,
            milestone: None,
            assertion: None,
            pane: None,
            extra: Map::new(),
        }
    }
    pub fn task(mut self, id: impl Into<String>) -> Self {
        self.task = Some(id.into());
        self
    }
    pub fn milestone(mut self, id: impl Into<String>) -> Self {
        self.milestone = Some(id.into());
        self
    }
    pub fn assertion(mut self, id: impl Into<String>) -> Self {
        self.assertion = Some(id.into());
        self
    }
    pub fn pane(mut self, title: impl Into<String>) -> Self {
        self.pane = Some(title.into());
        self
    }
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }
}

/// Timestamps in the log are always `2026-11-25T16:54:06.123Z`: UTC, exactly milliseconds.
mod ts_millis {
    use jiff::{Timestamp, Unit};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        let rounded = ts.round(Unit::Millisecond).unwrap_or(*ts);
        s.collect_str(&format_args!("{:.3}", rounded))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
