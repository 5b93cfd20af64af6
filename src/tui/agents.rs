//! The live view's agents panel: who works on what (task id and title) for how long, the
//! selected agent's row marked, and below the table, while there is room, the last lines
//! of the selected agent's pane, as it looks in tmux.
use jiff::Timestamp;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::app::App;
use super::source::Snapshot;
use crate::report::agents::{AgentState, CurrentWork};
use crate::report::text::one_line;
use crate::report::timefmt::{ago, duration, secs_between};

/// Draws the table, and the preview under it when the panel is focused.
pub fn draw(f: &mut ratatui::Frame, area: Rect, s: &Snapshot, app: &App, now: Timestamp) {
    let rows = u16::try_from(s.orch.agents.agents.len() + 1).unwrap_or(u16::MAX);
    let preview = app.preview.as_ref().filter(|_| area.height > rows + 1);
    let Some(preview) = preview else {
        f.render_widget(table(s, area.width, selected(s, app), now), area);
        return;
    };
    let [top, bottom] =
        Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
    f.render_widget(table(s, area.width, selected(s, app), now), top);
    let block = Block::new()
        .borders(Borders::TOP)
        .title(format!(" {} (last lines) ", one_line(&preview.pane)))
        .border_style(Style::new().dim());
    let inner = block.inner(bottom);
    f.render_widget(block, bottom);
    // The pane's last lines: as many of the newest as fit.
    let skip = preview.lines.len().saturating_sub(usize::from(inner.height));
    let lines: Vec<Line> = preview.lines[skip..].iter().map(|l| Line::from(one_line(l))).collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// The row of the selected agent, while the panel has the focus.
fn selected(s: &Snapshot, app: &App) -> Option<usize> {
    let name = app.selected_agent(s)?;
    s.orch.agents.agents.iter().position(|a| a.pane == name)
}

/// What a pane works on (the task's id and title) and for how long, counted to `now`.
fn work_text(s: &Snapshot, c: &CurrentWork, now: Timestamp) -> (String, String) {
    let what = match (&c.task, &c.milestone, c.round) {
        (Some(t), _, _) => match s.titles.get(t) {
            Some(title) => format!("{} {}", one_line(t), one_line(title)),
            None => one_line(t),
        },
        (None, Some(m), Some(r)) => format!("validating {} round {r}", one_line(m)),
        (None, Some(m), None) => format!("validating {}", one_line(m)),
        (None, None, _) => "validation".into(),
    };
    (what, duration(secs_between(c.since, now)))
}

/// `text` cut to `width` columns, with `…` where it was cut.
fn clip(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.width().unwrap_or(0) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// One row per agent; every column as wide as its widest cell (an elapsed `idle 59s ago`
/// is never cut) and the task, the only long cell, gets the rest and is cut with `…`.
fn table(s: &Snapshot, width: u16, mark: Option<usize>, now: Timestamp) -> Table<'static> {
    let cells: Vec<([String; 5], AgentState)> = s
        .orch
        .agents
        .agents
        .iter()
        .map(|a| {
            let (work, elapsed) = match &a.current {
                Some(c) => work_text(s, c, now),
                None => (
                    "—".into(),
                    a.idle_since.map_or_else(String::new, |t| format!("idle {}", ago(t, now))),
                ),
            };
            let who = [a.role.as_deref(), a.specialty.as_deref()].into_iter().flatten();
            let who = one_line(&who.collect::<Vec<_>>().join("/"));
            // With several windows (`windows:` in ide.yml), the pane's window comes first.
            let pane = match &a.window {
                Some(window) => one_line(&format!("{window}: {}", a.pane)),
                None => one_line(&a.pane),
            };
            ([pane, who, a.state.as_str().to_string(), work, elapsed], a.state)
        })
        .collect();
    let header = ["PANE", "ROLE", "STATE", "TASK", "ELAPSED"];
    let col = |i: usize, cap: usize| {
        let widest = cells.iter().map(|(c, _)| c[i].width()).max().unwrap_or(0);
        widest.max(header[i].len()).min(cap)
    };
    let fixed = [col(0, 16), col(1, 18), col(2, 12), 0, col(4, 16)];
    let spacing = header.len() - 1;
    let task_width = usize::from(width).saturating_sub(fixed.iter().sum::<usize>() + spacing);
    let rows: Vec<Row> = cells
        .into_iter()
        .enumerate()
        .map(|(i, ([pane, who, state, work, elapsed], st))| {
            let color = match st {
                AgentState::Busy => Color::Green,
                AgentState::Idle => Color::Reset,
                AgentState::Waiting | AgentState::RateLimited => Color::Yellow,
                AgentState::Exited => Color::Red,
                AgentState::Unknown => Color::DarkGray,
            };
            let row = Row::new(vec![
                Span::from(clip(&pane, fixed[0])),
                Span::from(clip(&who, fixed[1])),
                Span::from(state).fg(color),
                Span::from(clip(&work, task_width.max(4))),
                Span::from(elapsed),
            ]);
            if mark == Some(i) { row.reversed() } else { row }
        })
        .collect();
    let len = |w: usize| Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX));
    let widths = [len(fixed[0]), len(fixed[1]), len(fixed[2]), Constraint::Fill(1), len(fixed[4])];
    Table::new(rows, widths).header(Row::new(header).bold())
}
