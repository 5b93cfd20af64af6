//! One line of `.tasks/events.jsonl`: the append-only history every report is computed from.
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

/// An event: `ts` and `type` always, the ids it concerns where they apply, and any
/// type-specific fields in `extra` (flattened into the same JSON object).
///
/// Reading is hand-written (see the `Deserialize` impl below): the derived reader with
/// `#[serde(flatten)]` buffers every object before reading it, which made a 100,000-event
/// log cost twice as much. Writing stays derived, so the JSON keeps its field order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// RFC 3339, millisecond precision, UTC.
    #[serde(serialize_with = "ts_millis::serialize")]
    pub ts: Timestamp,
    #[serde(rename = "type")]
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assertion: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pane: Option<String>,
    /// Position in the log: 1, 2, ... given by the store under its lock (absent in logs
    /// written before). Orders events when the clock cannot, and lets a change committed
    /// to `tasks.json` but not yet logged be appended exactly once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Event {
    pub fn new(ts: Timestamp, kind: impl Into<EventKind>) -> Self {
        Event {
            ts,
            kind: kind.into(),
            task: None,
            milestone: None,
            assertion: None,
            pane: None,
            seq: None,
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

impl<'de> serde::Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EventVisitor)
    }
}

/// Reads an event object field by field: `ts` and `type` required, the four ids optional
/// (null reads as absent), every other key into `extra`.
struct EventVisitor;

impl<'de> serde::de::Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        use serde::de::Error as _;
        use std::borrow::Cow;
        let (mut ts, mut kind) = (None, None);
        let mut event = Event::new(Timestamp::UNIX_EPOCH, EventKind::Other(String::new()));
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "ts" => {
                    let text = map.next_value::<Cow<'de, str>>()?;
                    ts = Some(ts_millis::parse(&text).map_err(A::Error::custom)?);
                }
                "type" => kind = Some(map.next_value::<EventKind>()?),
                "task" => event.task = map.next_value()?,
                "milestone" => event.milestone = map.next_value()?,
                "assertion" => event.assertion = map.next_value()?,
                "pane" => event.pane = map.next_value()?,
                "seq" => event.seq = map.next_value()?,
                _ => {
                    let value = map.next_value::<Value>()?;
                    event.extra.insert(key.into_owned(), value);
                }
            }
        }
        event.ts = ts.ok_or_else(|| A::Error::missing_field("ts"))?;
        event.kind = kind.ok_or_else(|| A::Error::missing_field("type"))?;
        Ok(event)
    }
}

macro_rules! event_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// What an event records: its `type` in the log. Every kind tmux-ide writes has a
        /// variant; a kind it does not know (an older or newer tmux-ide, a hand-written
        /// line) reads as [`EventKind::Other`] and is written back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $($(#[$doc])* $variant,)*
            /// A kind this version does not write. Build it with [`EventKind::from`], which
            /// never puts a known name here.
            Other(String),
        }

        impl EventKind {
            /// Every kind this version writes.
            pub const KNOWN: &[EventKind] = &[$(EventKind::$variant,)*];

            /// The name in the log (`task_done`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventKind::$variant => $name,)*
                    EventKind::Other(name) => name,
                }
            }

            /// The known kind called `name`, without allocating.
            fn known(name: &str) -> Option<EventKind> {
                match name {
                    $($name => Some(EventKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

event_kinds! {
    MissionSet = "mission_set",
    MissionArchived = "mission_archived",
    PlanCompleted = "plan_completed",
    MissionComplete = "mission_complete",
    MilestoneCreated = "milestone_created",
    MilestoneActivated = "milestone_activated",
    MilestoneValidating = "milestone_validating",
    MilestoneValidationFailed = "milestone_validation_failed",
    MilestoneDone = "milestone_done",
    TaskCreated = "task_created",
    TaskUpdated = "task_updated",
    TaskClaimed = "task_claimed",
    TaskDispatched = "task_dispatched",
    TaskReturned = "task_returned",
    TaskRetryScheduled = "task_retry_scheduled",
    TaskBlocked = "task_blocked",
    TaskDone = "task_done",
    TaskCancelled = "task_cancelled",
    RemediationCreated = "remediation_created",
    ValidationDispatched = "validation_dispatched",
    ValidationReturned = "validation_returned",
    AssertionReported = "assertion_reported",
    ContextCleared = "context_cleared",
    PromptDelivered = "prompt_delivered",
    PromptLanded = "prompt_landed",
    PromptUnconfirmed = "prompt_unconfirmed",
    PromptRedelivering = "prompt_redelivering",
    PromptDeferred = "prompt_deferred",
    NudgeWithheld = "nudge_withheld",
    ApprovalGranted = "approval_granted",
    ApprovalNeeded = "approval_needed",
    DeliveryFailed = "delivery_failed",
    LeadNotified = "lead_notified",
    StallDetected = "stall_detected",
    StallNudged = "stall_nudged",
    AgentState = "agent_state",
    AgentExited = "agent_exited",
    PaneState = "pane_state",
    OrchestratorStarted = "orchestrator_started",
    OrchestratorStopped = "orchestrator_stopped",
    SessionLost = "session_lost",
    /// A notification target failed after its attempts (`notify:` in ide.yml).
    NotifyFailed = "notify_failed",
    /// Notifications left out because a target's queue was full.
    NotifyDropped = "notify_dropped",
    /// The planning prompt went to the lead pane (once per mission, or `mission plan`).
    PlanningDispatched = "planning_dispatched",
    /// A research trigger fired: a research task was handed to a researcher pane.
    ResearchTriggered = "research_triggered",
    Usage = "usage",
    UsageSource = "usage_source",
    BudgetWarning = "budget_warning",
    BudgetExhausted = "budget_exhausted",
    BudgetSet = "budget_set",
    MissionBranchCreated = "mission_branch_created",
    MergeStarted = "merge_started",
    TaskMerged = "task_merged",
    MergeConflict = "merge_conflict",
    MergeFailed = "merge_failed",
    WorktreeRefused = "worktree_refused",
    MissionBranchReady = "mission_branch_ready",
}

impl From<&str> for EventKind {
    fn from(name: &str) -> Self {
        EventKind::known(name).unwrap_or_else(|| EventKind::Other(name.to_string()))
    }
}

impl From<String> for EventKind {
    fn from(name: String) -> Self {
        EventKind::known(&name).unwrap_or(EventKind::Other(name))
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KindVisitor)
    }
}

/// Reads a kind from the borrowed text where the reader allows, so a known kind costs no
/// allocation (the report benchmark reads 100,000 of them).
struct KindVisitor;

impl serde::de::Visitor<'_> for KindVisitor {
    type Value = EventKind;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an event type name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<EventKind, E> {
        Ok(EventKind::from(name))
    }

    fn visit_string<E: serde::de::Error>(self, name: String) -> Result<EventKind, E> {
        Ok(EventKind::from(name))
    }
}

/// Timestamps in the log are always `2026-11-25T16:54:06.123Z`: UTC, exactly milliseconds.
mod ts_millis {
    use jiff::{Timestamp, Unit};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        let rounded = ts.round(Unit::Millisecond).unwrap_or(*ts);
        s.collect_str(&format_args!("{rounded:.3}"))
    }

    /// Parses the log's own format directly; anything else (other precisions, offsets,
    /// leap seconds) goes through jiff's RFC 3339 parser.
    pub fn parse(text: &str) -> Result<Timestamp, jiff::Error> {
        super::super::ts::parse(text)
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
