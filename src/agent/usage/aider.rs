//! Aider's usage line, read off its screen after each answer:
//! `Tokens: 2.7k sent, 1.2k cache write, 3.4k cache hit, 43 received. Cost: $0.0072
//! message, $0.0072 session.` (the cost part on the next line when both cache figures are
//! there, or absent when Aider knows no price). Figures are rounded as Aider prints them
//! (`2.7k`); its own cost wins over the price table. The orchestrator sees the same
//! screen many times, so [`Watch`] counts each line once: the lines after the last one it
//! counted, or, when that one has scrolled away, every line on screen.
use super::Usage;

/// One usage report on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub usage: Usage,
    /// Aider's running session cost, when shown.
    pub session_usd: Option<f64>,
    /// The report's text as shown (what [`Watch`] recognises it by).
    pub text: String,
}

/// `2.7k` → 2700, `43` → 43, `1.2M` → 1,200,000; `None` for anything else.
pub fn figure(text: &str) -> Option<u64> {
    let t = text.trim().replace(',', "");
    let (num, scale) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1e3),
        'm' | 'M' => (&t[..t.len() - 1], 1e6),
        _ => (t.as_str(), 1.0),
    };
    let n: f64 = num.parse().ok()?;
    (0.0..1e15).contains(&n).then(|| (n * scale).round() as u64)
}

fn dollars(text: &str) -> Option<f64> {
    let n: f64 = text.trim().strip_prefix('$')?.replace(',', "").parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n)
}

/// Every usage report on a screen, top to bottom.
pub fn reports(screen: &str) -> Vec<Report> {
    let lines: Vec<&str> = screen.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("Tokens: ") else { continue };
        let (tokens_part, cost_inline) = match rest.split_once("Cost: ") {
            Some((t, c)) => (t, Some(c)),
            None => (rest, None),
        };
        let cost_part =
            cost_inline.or_else(|| lines.get(i + 1).and_then(|next| next.strip_prefix("Cost: ")));
        let mut usage = Usage::default();
        let mut understood = false;
        for item in tokens_part.trim().trim_end_matches('.').split(", ") {
            let Some((n, what)) = item.trim().split_once(' ') else { continue };
            let Some(n) = figure(n) else { continue };
            match what.trim() {
                "sent" => usage.input_tokens = n,
                "received" => usage.output_tokens = n,
                "cache write" => usage.cache_write_tokens = n,
                "cache hit" => usage.cache_read_tokens = n,
                _ => continue,
            }
            understood = true;
        }
        if !understood {
            continue;
        }
        let mut session_usd = None;
        if let Some(cost) = cost_part {
            for item in cost.trim().trim_end_matches('.').split(", ") {
                match item.trim().split_once(' ') {
                    Some((d, "message")) => usage.cost_usd = dollars(d),
                    Some((d, "session")) => session_usd = dollars(d),
                    _ => {}
                }
            }
        }
        let text = match (cost_inline, cost_part) {
            (None, Some(c)) => format!("{line} Cost: {c}"),
            _ => line.to_string(),
        };
        out.push(Report { usage, session_usd, text });
    }
    out
}

/// What the orchestrator has counted on one Aider pane.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Watch {
    /// The text of the last report counted.
    pub last: Option<String>,
}

impl Watch {
    /// The reports on `screen` not counted before, oldest first.
    pub fn new_reports(&mut self, screen: &str) -> Vec<Report> {
        let all = reports(screen);
        let start = match &self.last {
            Some(last) => all.iter().rposition(|r| &r.text == last).map_or(0, |i| i + 1),
            None => 0,
        };
        let new = all[start..].to_vec();
        if let Some(r) = new.last() {
            self.last = Some(r.text.clone());
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: &str = include_str!("../../../tests/fixtures/usage/aider-screen.txt");

    #[test]
    fn figures_read_with_their_suffixes() {
        assert_eq!(figure("2.7k"), Some(2700));
        assert_eq!(figure("43"), Some(43));
        assert_eq!(figure("12k"), Some(12_000));
        assert_eq!(figure("1.2M"), Some(1_200_000));
        assert_eq!(figure("-3"), None);
        assert_eq!(figure("lots"), None);
    }

    #[test]
    fn the_observed_line_and_the_cache_variant_are_read() {
        let got = reports(SCREEN);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].usage.input_tokens, got[0].usage.output_tokens), (2700, 43));
        assert_eq!(got[0].usage.cost_usd, Some(0.0072));
        assert_eq!(got[0].session_usd, Some(0.0072));
        let cached = &got[1].usage;
        assert_eq!(
            (
                cached.input_tokens,
                cached.cache_write_tokens,
                cached.cache_read_tokens,
                cached.output_tokens
            ),
            (3100, 1200, 12_000, 85)
        );
        assert_eq!(cached.cost_usd, Some(0.011));
        assert_eq!(got[1].session_usd, Some(0.0182));
        let unpriced = reports("Tokens: 1.5k sent, 20 received.\n>");
        assert_eq!(unpriced[0].usage.cost_usd, None);
        assert_eq!(unpriced[0].usage.input_tokens, 1500);
    }

    #[test]
    fn a_screen_seen_again_and_again_counts_each_report_once() {
        let mut w = Watch::default();
        assert_eq!(w.new_reports(SCREEN).len(), 2);
        assert!(w.new_reports(SCREEN).is_empty());
        let more = format!(
            "{SCREEN}\nTokens: 4.0k sent, 10 received. Cost: $0.0100 message, $0.0282 session.\n>"
        );
        let got = w.new_reports(&more);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].usage.input_tokens, 4000);
        assert!(w.new_reports(&more).is_empty());
        // The counted lines scrolled away: what is on screen now is new.
        let later = "Tokens: 900 sent, 7 received. Cost: $0.0030 message, $0.0312 session.\n>";
        assert_eq!(w.new_reports(later).len(), 1);
        assert!(w.new_reports(later).is_empty());
    }
}
