//! Drawing the live view: a header, the panel tabs, the panels (sized by content in one
//! column or two, see [`layout`], or the selected one zoomed) and a key hint line. Everything shown comes from the reports;
//! only relative times ("4m ago", elapsed) are formatted against `now`. Every text that
//! comes from the plan, the log, ide.yml or an error goes through [`one_line`] first, as
//! in the CLI: a title can neither drive the terminal nor reorder the screen (U+202E).
use jiff::Timestamp;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::app::{App, Panel};
use super::source::Snapshot;
use super::{agents, layout};
use crate::report::orch::blocker_text;
use crate::report::text::one_line;
use crate::report::timefmt::{ago, bar, percent};

/// Draws the whole screen.
pub fn draw(frame: &mut ratatui::Frame, app: &App, now: Timestamp) {
    let [header, tabs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header_line(app, now)), header);
    frame.render_widget(Paragraph::new(tab_line(app)), tabs);
    let Some(snap) = &app.snapshot else {
        let text = app.error.as_deref().map_or_else(|| "reading the project…".into(), one_line);
        frame.render_widget(Paragraph::new(text), body);
        return;
    };
    if app.zoomed {
        draw_panel(frame, body, (snap, app), app.focus(), (Frame::Full, true), now);
    } else {
        let narrow = body.width < layout::TWO_COLUMNS_FROM;
        // Stacked panels share their side rules: a title rule each saves two rows apiece.
        let frame_kind = if narrow { Frame::Rule } else { Frame::Full };
        let rows = |p| wanted_rows(snap, app, p).saturating_add(frame_kind.rows());
        for (panel, area) in layout::grid(body, rows) {
            draw_panel(frame, area, (snap, app), panel, (frame_kind, panel == app.focus()), now);
        }
    }
    let hint = match &app.error {
        Some(e) => Line::from(format!(" ⚠ {} (showing the last good reading)", one_line(e))).red(),
        None if app.focus() == Panel::Agents && app.zoomed => {
            Line::from(" Tab/1-4 panel · ↑↓ agent · Esc back · q quit").dim()
        }
        None if app.focus() == Panel::Agents => {
            Line::from(" Tab/1-4 panel · ↑↓ agent · Enter zoom · q quit").dim()
        }
        None if app.zoomed => Line::from(" Tab/1-4 panel · Esc/Enter back · q quit").dim(),
        None => Line::from(" Tab/1-4 panel · Enter zoom · q quit").dim(),
    };
    frame.render_widget(Paragraph::new(hint), footer);
}

fn header_line(app: &App, now: Timestamp) -> Line<'static> {
    let mut spans = vec![Span::from(" tmux-ide top").bold()];
    if let Some(s) = &app.snapshot {
        let o = &s.overview;
        if let Some(status) = o.status {
            spans.push(Span::from(format!("  {} [{}]", one_line(&o.title), status.as_str())));
        }
        let orch = &s.orch.orchestrator;
        let tick = orch.last_tick.map_or_else(|| "never".to_string(), |t| ago(t, now));
        let text = match orch.pid.filter(|_| orch.alive) {
            Some(pid) => format!("  orchestrator running (pid {pid}, tick {tick})"),
            None => format!("  orchestrator not running (last seen {tick})"),
        };
        spans.push(Span::from(text).fg(if orch.alive { Color::Green } else { Color::Yellow }));
        if let Some(cost) = &s.cost {
            let exhausted = cost.budget == crate::plan::rules::budget::BudgetLevel::Exhausted;
            let text = format!("  {}", one_line(&crate::report::cost::summary_line(cost)));
            spans.push(if exhausted { Span::from(text).red().bold() } else { Span::from(text) });
        }
        if s.corrupt_lines > 0 {
            spans.push(Span::from(format!("  {} corrupt log line(s)", s.corrupt_lines)).red());
        }
    }
    Line::from(spans)
}

fn tab_line(app: &App) -> Line<'static> {
    let mut spans = vec![Span::from(" ")];
    for (i, panel) in Panel::ALL.into_iter().enumerate() {
        let text = format!(" {} {} ", i + 1, panel.title());
        let style = if panel == app.focus() {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::from(" "));
    }
    Line::from(spans)
}

/// How a panel is framed: a full box, or only a title rule above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Full,
    Rule,
}

impl Frame {
    fn rows(self) -> u16 {
        match self {
            Frame::Full => 2,
            Frame::Rule => 1,
        }
    }
}

/// Lines of an agent's pane the grid makes room for; zoomed, the preview has the rest.
const PREVIEW_ROWS: usize = 6;

/// Rows of content a panel has to show (the events panel takes what is left anyway).
fn wanted_rows(s: &Snapshot, app: &App, panel: Panel) -> u16 {
    // A few of the previewed pane's lines and their title rule.
    let preview = app.preview.as_ref().map_or(0, |p| p.lines.len().min(PREVIEW_ROWS) + 1);
    let n = match panel {
        Panel::Mission => mission_lines(s).len(),
        Panel::Agents => s.orch.agents.agents.len().max(1) + 1 + preview,
        Panel::Queue => queue_rows(s),
        Panel::Events => s.stream.len(),
    };
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn draw_panel(
    f: &mut ratatui::Frame,
    area: Rect,
    (s, app): (&Snapshot, &App),
    panel: Panel,
    (kind, focused): (Frame, bool),
    now: Timestamp,
) {
    let border = if focused { Style::new().cyan().bold() } else { Style::new().dim() };
    let borders = if kind == Frame::Full { Borders::ALL } else { Borders::TOP };
    let block =
        Block::new().borders(borders).title(format!(" {} ", panel.title())).border_style(border);
    let inner = block.inner(area);
    f.render_widget(block, area);
    match panel {
        Panel::Mission => f.render_widget(Paragraph::new(mission_lines(s)), inner),
        Panel::Agents => agents::draw(f, inner, s, app, now),
        Panel::Queue => {
            f.render_widget(Paragraph::new(queue_lines(s, inner.height as usize)), inner);
        }
        Panel::Events => {
            // Newest at the bottom, as many as fit.
            let skip = s.stream.len().saturating_sub(inner.height as usize);
            let lines: Vec<Line> = s.stream[skip..]
                .iter()
                .map(|e| {
                    Line::from(vec![
                        Span::from(format!("{:>9}  ", ago(e.ts, now))).dim(),
                        Span::from(one_line(&e.text)),
                    ])
                })
                .collect();
            f.render_widget(Paragraph::new(lines), inner);
        }
    }
}

fn mission_lines(s: &Snapshot) -> Vec<Line<'static>> {
    let o = &s.overview;
    if o.status.is_none() {
        return vec![Line::from(
            "No mission yet. Create one with `tmux-ide mission set \"Title\"`.",
        )];
    }
    let mut lines = Vec::new();
    for m in &o.milestones {
        let a = &m.assertions;
        let mut spans = vec![
            Span::from(format!("{:<4}", m.id)).bold(),
            Span::from(format!("{:<10} ", m.status.as_str())),
            Span::from(bar(m.progress, 10)).green(),
            Span::from(format!(" {}/{} tasks  ", m.tasks_done, m.tasks_total)),
            Span::from(format!("✓{} ✗{} ○{}  ", a.passing, a.failing, a.pending)),
            Span::from(one_line(&m.title)),
        ];
        if let Some(v) = &m.validation {
            spans.push(
                Span::from(format!("  round {}: {}/{}", v.round, v.reported, v.total)).yellow(),
            );
        }
        lines.push(Line::from(spans));
    }
    let t = &o.totals;
    lines.push(Line::from(format!(
        "Total {}/{} milestones, {}/{} tasks ({})",
        t.milestones_done,
        t.milestones_total,
        t.tasks_done,
        t.tasks_total,
        percent(t.progress)
    )));
    // The latest event is the events panel's last line: not repeated here.
    lines.push(Line::from(format!("Now: {}", one_line(&o.activity.text))));
    lines
}

/// Lines of the queue panel: the ready queue, then the blocked tasks.
fn queue_rows(s: &Snapshot) -> usize {
    2 + s.orch.ready.len().max(1) + s.orch.blocked.len().max(1)
}

/// The first `rows` lines of the queue panel ([`queue_rows`] in all): only what fits is
/// formatted, however many tasks wait.
fn queue_lines(s: &Snapshot, rows: usize) -> Vec<Line<'static>> {
    let none = |text: &'static str, empty: bool| empty.then(|| Line::from(text).dim());
    let ready = s.orch.ready.iter().map(|t| {
        let specialty = t.specialty.as_deref().map_or_else(|| "—".into(), one_line);
        Line::from(format!(
            "  {}  P{}  {:<10} {}",
            one_line(&t.id),
            t.priority,
            specialty,
            one_line(&t.title)
        ))
    });
    let blocked = s.orch.blocked.iter().map(|t| {
        let why: Vec<String> = t.blocked_by.iter().map(blocker_text).collect();
        Line::from(vec![
            Span::from(format!("  {}  {}  ", one_line(&t.id), one_line(&t.title))),
            Span::from(one_line(&why.join("; "))).yellow(),
        ])
    });
    std::iter::once(Line::from("Ready (dispatch order)").bold())
        .chain(none("  empty", s.orch.ready.is_empty()))
        .chain(ready)
        .chain(std::iter::once(Line::from("Blocked").bold()))
        .chain(none("  none", s.orch.blocked.is_empty()))
        .chain(blocked)
        .take(rows)
        .collect()
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
