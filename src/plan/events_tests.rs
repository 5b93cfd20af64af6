//! Tests of the event type: the hand-written reader reads exactly what the derived one
//! did, the fast timestamp path agrees with jiff, and the written JSON keeps its shape.
use super::*;
use serde::Deserialize;

/// The event type as it was derived before the reader was hand-written: the reference.
#[derive(Debug, Deserialize)]
struct Derived {
    ts: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    task: Option<String>,
    #[serde(default)]
    milestone: Option<String>,
    #[serde(default)]
    assertion: Option<String>,
    #[serde(default)]
    pane: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl Derived {
    fn into_event(self) -> Option<Event> {
        Some(Event {
            ts: self.ts.parse().ok()?,
            kind: EventKind::from(self.kind),
            task: self.task,
            milestone: self.milestone,
            assertion: self.assertion,
            pane: self.pane,
            seq: self.extra.get("seq").and_then(Value::as_u64),
            extra: self.extra.into_iter().filter(|(k, _)| k != "seq").collect(),
        })
    }
}

const LINES: &[&str] = &[
    r#"{"ts":"2026-01-01T10:00:00.000Z","type":"mission_set","title":"X"}"#,
    r#"{"ts":"2026-01-01T10:00:01.250Z","type":"task_done","task":"001","milestone":"M1","pane":"Backend"}"#,
    r#"{"ts":"2026-01-01T10:00:00Z","type":"x","pane":null,"n":1.5,"o":{"a":[1]}}"#,
    r#"{"type":"y","ts":"2026-01-01T10:00:00.123456789+02:00","assertion":"VAL-A-001"}"#,
    r#"{"ts":"2024-02-29T23:59:59.999Z","type":"leap","text":"quote \" and \\u00e9 \u00e9"}"#,
    r#"{"ts":"2026-01-01T10:00:00.000Z","type":"a\"b","task":"0\n1"}"#,
];

#[test]
fn the_hand_written_reader_reads_what_the_derived_one_read() {
    for line in LINES {
        let ours: Event = serde_json::from_str(line).unwrap();
        let derived = serde_json::from_str::<Derived>(line).unwrap().into_event().unwrap();
        assert_eq!(ours, derived, "{line}");
    }
}

#[test]
fn lines_the_derived_reader_rejected_are_rejected() {
    for bad in [
        r#"{"type":"x"}"#,
        r#"{"ts":"2026-01-01T10:00:00Z"}"#,
        r#"{"ts":"yesterday","type":"x"}"#,
        r#"{"ts":"2026-02-30T10:00:00.000Z","type":"x"}"#,
        r#"{"ts":"2026-01-01T10:00:00Z","type":"x","task":7}"#,
        r#"["ts"]"#,
        "{",
    ] {
        assert!(serde_json::from_str::<Event>(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_fast_timestamp_path_agrees_with_jiff() {
    let mut ts: Timestamp = "1969-12-25T00:00:00Z".parse().unwrap();
    let step = jiff::SignedDuration::from_millis(7 * 3_600_000 + 13 * 60_000 + 17_011);
    let end: Timestamp = "2101-03-01T00:00:00Z".parse().unwrap();
    while ts < end {
        let text = format!("{ts:.3}");
        assert_eq!(ts_millis::parse(&text).unwrap(), text.parse::<Timestamp>().unwrap(), "{text}");
        ts = ts.checked_add(step).unwrap();
    }
    for odd in ["2026-01-01T10:00:60.000Z", "2026-13-01T10:00:00.000Z", "2026-01-01T10:00:00.0Z"] {
        let ours = ts_millis::parse(odd).map_err(|_| ());
        assert_eq!(ours, odd.parse::<Timestamp>().map_err(|_| ()), "{odd}");
    }
}

#[test]
fn written_events_keep_the_field_order_of_the_log() {
    let ts: Timestamp = "2026-01-01T10:00:00.123456Z".parse().unwrap();
    let e = Event::new(ts, EventKind::TaskDone)
        .pane("Backend")
        .with("summary", "s")
        .task("001")
        .assertion("VAL-A-001")
        .milestone("M1");
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"ts":"2026-01-01T10:00:00.123Z","type":"task_done","task":"001","milestone":"M1","assertion":"VAL-A-001","pane":"Backend","summary":"s"}"#
    );
    let back: Event = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back.ts, "2026-01-01T10:00:00.123Z".parse::<Timestamp>().unwrap());
}

#[test]
fn every_known_kind_reads_back_as_itself_and_writes_its_snake_case_name() {
    let mut names = std::collections::HashSet::new();
    for kind in EventKind::KNOWN {
        let name = kind.as_str();
        assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        assert!(names.insert(name), "{name} twice");
        assert_eq!(&EventKind::from(name), kind);
        assert_eq!(serde_json::to_string(kind).unwrap(), format!("\"{name}\""));
        let line = format!(r#"{{"ts":"2026-01-01T10:00:00.000Z","type":"{name}"}}"#);
        assert_eq!(&serde_json::from_str::<Event>(&line).unwrap().kind, kind);
    }
    // Escaped text reaches the reader as an owned string; it is still the known kind.
    let escaped = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"task\u005fdone"}"#;
    assert_eq!(serde_json::from_str::<Event>(escaped).unwrap().kind, EventKind::TaskDone);
}

#[test]
fn an_unknown_kind_still_reads_and_is_written_back_unchanged() {
    let line = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"from_the_future","task":"001"}"#;
    let event: Event = serde_json::from_str(line).unwrap();
    assert_eq!(event.kind, EventKind::Other("from_the_future".into()));
    assert_eq!(event.kind.to_string(), "from_the_future");
    assert_eq!(serde_json::to_string(&event).unwrap(), line);
    assert_eq!(EventKind::from("task_done".to_string()), EventKind::TaskDone);
}
