//! Human time formatting for text reports: relative times ("4m ago"), durations
//! ("1h 02m"), and the progress bar. JSON never uses these; it carries RFC 3339 and seconds.
use jiff::Timestamp;

/// Whole seconds from `from` to `to`, never negative (a clock that went back reads as 0).
pub fn secs_between(from: Timestamp, to: Timestamp) -> u64 {
    let ms = to.as_millisecond() - from.as_millisecond();
    if ms <= 0 { 0 } else { (ms / 1000) as u64 }
}

/// A duration in the two most significant units: `45s`, `4m 05s`, `1h 02m`, `2d 03h`.
pub fn duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// A coarse duration in its largest unit, for relative times: `4s`, `4m`, `2h`, `3d`.
pub fn coarse(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// `then` relative to `now`: `just now`, `4m ago`, `in 2m` (a time in the future).
pub fn ago(then: Timestamp, now: Timestamp) -> String {
    let ms = now.as_millisecond() - then.as_millisecond();
    if ms.abs() < 1000 {
        "just now".to_string()
    } else if ms > 0 {
        format!("{} ago", coarse((ms / 1000) as u64))
    } else {
        format!("in {}", coarse((-ms / 1000) as u64))
    }
}

/// A progress bar of `width` cells: `██████░░░░` for 0.6. The fraction is clamped to 0..=1.
pub fn bar(fraction: f64, width: usize) -> String {
    let f = if fraction.is_finite() { fraction.clamp(0.0, 1.0) } else { 0.0 };
    let full = (f * width as f64).round() as usize;
    let mut s = "█".repeat(full);
    s.push_str(&"░".repeat(width - full));
    s
}

/// A fraction as a whole percentage: `0.666` → `67%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// `1 task`, `2 tasks`: a count with its noun, plural when not 1.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn durations_show_the_two_largest_units() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(245), "4m 05s");
        assert_eq!(duration(3720), "1h 02m");
        assert_eq!(duration(2 * 86_400 + 3 * 3600 + 59), "2d 03h");
    }

    #[test]
    fn relative_times_use_the_largest_unit() {
        let now = ts("2026-01-01T12:00:00Z");
        assert_eq!(ago(ts("2026-01-01T12:00:00.400Z"), now), "just now");
        assert_eq!(ago(ts("2026-01-01T11:59:30Z"), now), "30s ago");
        assert_eq!(ago(ts("2026-01-01T11:56:00Z"), now), "4m ago");
        assert_eq!(ago(ts("2026-01-01T09:00:00Z"), now), "3h ago");
        assert_eq!(ago(ts("2025-12-29T12:00:00Z"), now), "3d ago");
        assert_eq!(ago(ts("2026-01-01T12:02:00Z"), now), "in 2m");
    }

    #[test]
    fn a_clock_that_went_back_gives_zero_seconds() {
        assert_eq!(secs_between(ts("2026-01-01T12:00:05Z"), ts("2026-01-01T12:00:00Z")), 0);
    }

    #[test]
    fn bars_fill_in_proportion_and_clamp() {
        assert_eq!(bar(0.6, 10), "██████░░░░");
        assert_eq!(bar(0.0, 4), "░░░░");
        assert_eq!(bar(1.7, 4), "████");
        assert_eq!(bar(f64::NAN, 2), "░░");
    }
}
