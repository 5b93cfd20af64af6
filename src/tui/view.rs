//! Drawing the live view: a header, the panel tabs, the panels (a 2×2 grid, or the
//! selected one zoomed) and a key hint line. Everything shown comes from the reports;
//! only relative times ("4m ago", elapsed) are formatted against `now`. Every text that
//! comes from the plan, the log, ide.yml or an error goes through [`one_line`] first, as
//! in the CLI: a title can neither drive the terminal nor reorder the screen (U+202E).
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::app::{App, Panel};
use super::source::Snapshot;
use crate::report::agents::{AgentState, CurrentWork};
use crate::report::orch::blocker_text;
use crate::report::text::one_line;
use crate::report::timefmt::{ago, bar, duration, percent, secs_between};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App, now: Timestamp) {
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
        draw_panel(frame, body, snap, app.focus(), true, now);
    } else {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        let halves = |r: Rect| -> [Rect; 2] {
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(r)
        };
        let [a, b] = halves(top);
        let [c, d] = halves(bottom);
        for (area, panel) in [a, b, c, d].into_iter().zip(Panel::ALL) {
            draw_panel(frame, area, snap, panel, panel == app.focus(), now);
        }
    }
    let hint = match &app.error {
        Some(e) => Line::from(format!(" ⚠ {} (showing the last good reading)", one_line(e))).red(),
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
            Some(pid) => format!("  orchestrator running (pid {pid}, last tick {tick})"),
            None => format!("  orchestrator not running (last seen {tick})"),
        };
        spans.push(Span::from(text).fg(if orch.alive { Color::Green } else { Color::Yellow }));
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

fn draw_panel(
    f: &mut Frame,
    area: Rect,
    s: &Snapshot,
    panel: Panel,
    focused: bool,
    now: Timestamp,
) {
    let border = if focused { Style::new().cyan().bold() } else { Style::new().dim() };
    let block = Block::bordered().title(format!(" {} ", panel.title())).border_style(border);
    let inner = block.inner(area);
    f.render_widget(block, area);
    match panel {
        Panel::Mission => f.render_widget(Paragraph::new(mission_lines(s, now)), inner),
        Panel::Agents => f.render_widget(agents_table(s, now), inner),
        Panel::Queue => f.render_widget(Paragraph::new(queue_lines(s)), inner),
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

fn mission_lines(s: &Snapshot, now: Timestamp) -> Vec<Line<'static>> {
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
    lines.push(Line::from(""));
    lines.push(Line::from(format!(
        "Total {}/{} milestones, {}/{} tasks ({})",
        t.milestones_done,
        t.milestones_total,
        t.tasks_done,
        t.tasks_total,
        percent(t.progress)
    )));
    lines.push(Line::from(format!("Now: {}", one_line(&o.activity.text))));
    if let (Some(e), Some(at)) = (&o.activity.last_event, o.activity.last_event_at) {
        lines.push(Line::from(format!("Last: {} ({})", one_line(e), ago(at, now))).dim());
    }
    lines
}

/// What a pane works on and for how long, counted to `now`.
fn work_text(c: &CurrentWork, now: Timestamp) -> (String, String) {
    let what = match (&c.task, &c.milestone, c.round) {
        (Some(t), _, _) => one_line(t),
        (None, Some(m), Some(r)) => format!("validating {} round {r}", one_line(m)),
        (None, Some(m), None) => format!("validating {}", one_line(m)),
        (None, None, _) => "validation".into(),
    };
    (what, duration(secs_between(c.since, now)))
}

fn agents_table(s: &Snapshot, now: Timestamp) -> Table<'static> {
    let rows: Vec<Row> = s
        .orch
        .agents
        .agents
        .iter()
        .map(|a| {
            let (work, elapsed) = match &a.current {
                Some(c) => work_text(c, now),
                None => (
                    "—".into(),
                    a.idle_since.map_or_else(String::new, |t| format!("idle {}", ago(t, now))),
                ),
            };
            let color = match a.state {
                AgentState::Busy => Color::Green,
                AgentState::Idle => Color::Reset,
                AgentState::Waiting | AgentState::RateLimited => Color::Yellow,
                AgentState::Exited => Color::Red,
                AgentState::Unknown => Color::DarkGray,
            };
            let who = [a.role.as_deref(), a.specialty.as_deref()].into_iter().flatten();
            Row::new(vec![
                Span::from(one_line(&a.pane)),
                Span::from(one_line(&who.collect::<Vec<_>>().join("/"))),
                Span::from(a.state.as_str()).fg(color),
                Span::from(work),
                Span::from(elapsed),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(14),
        Constraint::Length(18),
        Constraint::Length(12), // rate_limited
        Constraint::Min(10),
        Constraint::Length(10),
    ];
    Table::new(rows, widths).header(Row::new(["PANE", "ROLE", "STATE", "TASK", "ELAPSED"]).bold())
}

fn queue_lines(s: &Snapshot) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from("Ready (dispatch order)").bold()];
    if s.orch.ready.is_empty() {
        lines.push(Line::from("  empty").dim());
    }
    for t in &s.orch.ready {
        let specialty = t.specialty.as_deref().map_or_else(|| "—".into(), one_line);
        lines.push(Line::from(format!(
            "  {}  P{}  {:<10} {}",
            one_line(&t.id),
            t.priority,
            specialty,
            one_line(&t.title)
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from("Blocked").bold());
    if s.orch.blocked.is_empty() {
        lines.push(Line::from("  none").dim());
    }
    for t in &s.orch.blocked {
        let why: Vec<String> = t.blocked_by.iter().map(blocker_text).collect();
        lines.push(Line::from(vec![
            Span::from(format!("  {}  {}  ", one_line(&t.id), one_line(&t.title))),
            Span::from(one_line(&why.join("; "))).yellow(),
        ]));
    }
    lines
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
