//! The live view drawn on ratatui's TestBackend: plan and agent text with bidi overrides
//! and escape sequences shows escaped in every panel, as the CLI shows it.
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::draw;
use crate::report::agents::PaneInfo;
use crate::report::fixture;
use crate::report::orch::{OrchInput, orch, recent_events};
use crate::report::overview::overview;
use crate::tui::app::{App, Panel};
use crate::tui::source::Snapshot;

const HOSTILE: &str = "x\u{202E}txt.exe\u{1b}]52;c;aGk=\u{7}\u{1b}[2J";

/// The screen as text, one line per row.
fn screen(app: &App) -> String {
    screen_of(app, 220, 60)
}

fn screen_of(app: &App, width: u16, height: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    term.draw(|f| draw(f, app, fixture::now())).unwrap();
    let buf = term.backend().buffer();
    let area = buf.area;
    (0..area.height)
        .map(|y| (0..area.width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn hostile_app() -> App {
    let mut plan = fixture::plan();
    plan.mission.as_mut().unwrap().title = format!("Mission {HOSTILE}");
    for m in &mut plan.milestones {
        m.title = format!("Milestone {HOSTILE}");
    }
    for t in &mut plan.tasks {
        t.title = format!("Task {HOSTILE}");
        t.specialty = t.specialty.as_ref().map(|_| format!("sp{HOSTILE}"));
    }
    let mut events = fixture::events();
    for e in &mut events {
        e.pane = e.pane.as_ref().map(|p| format!("{p}{HOSTILE}"));
    }
    let roster: Vec<PaneInfo> = Vec::new();
    let input = OrchInput { pid: None, started: None, last_tick: None };
    let orch = orch(&plan, &events, &roster, &input, fixture::now());
    let snapshot = Snapshot {
        overview: overview(&plan, &events, false),
        titles: crate::tui::source::titles(&plan, &orch.agents),
        orch,
        stream: recent_events(&events, 200),
        corrupt_lines: 0,
        cost: None,
    };
    let mut app = App::default();
    app.update(Ok(snapshot));
    app
}

fn assert_escaped(text: &str) {
    for raw in ['\u{202E}', '\u{1b}', '\u{7}'] {
        assert!(!text.contains(raw), "raw {raw:?} on screen:\n{text}");
    }
    assert!(text.contains("x<U+202E>txt.exe\\u{1b}]52;c;aGk="), "{text}");
}

#[test]
fn plan_and_agent_text_is_escaped_in_every_panel() {
    let mut app = hostile_app();
    let grid = screen(&app);
    assert_escaped(&grid);
    assert!(grid.contains("Mission x<U+202E>"), "the header and the mission panel:\n{grid}");
    // Each panel zoomed, so long rows are not cut before the escaped text.
    for panel in Panel::ALL {
        app.zoomed = true;
        while app.focus() != panel {
            app.on_key(ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Tab,
            ));
        }
        let text = screen(&app);
        for raw in ['\u{202E}', '\u{1b}', '\u{7}'] {
            assert!(!text.contains(raw), "raw {raw:?} in {panel:?}:\n{text}");
        }
        assert!(text.contains("<U+202E>"), "nothing hostile shown in {panel:?}:\n{text}");
    }
}

#[test]
fn an_error_is_escaped_too() {
    let mut app = App::default();
    app.update(Err(crate::Error::failed(format!("cannot read {HOSTILE}"))));
    assert_escaped(&screen(&app));
}

/// The fixture's mission as `top` reads it, with the roster of the missions template.
fn fixture_app() -> App {
    let (plan, events) = (fixture::plan(), fixture::events());
    let roster: Vec<PaneInfo> = ["Backend", "Frontend", "Validator"]
        .into_iter()
        .map(|title| PaneInfo {
            title: title.into(),
            role: Some(if title == "Validator" { "validator" } else { "teammate" }.into()),
            specialty: (title != "Validator").then(|| title.to_lowercase()),
            window: None,
            live: None,
        })
        .collect();
    let input = OrchInput { pid: Some(4242), started: Some(fixture::at("10:00")), last_tick: None };
    let orch = orch(&plan, &events, &roster, &input, fixture::now());
    let snapshot = Snapshot {
        overview: overview(&plan, &events, true),
        titles: crate::tui::source::titles(&plan, &orch.agents),
        orch,
        stream: recent_events(&events, 200),
        corrupt_lines: 0,
        cost: None,
    };
    let mut app = App::default();
    app.update(Ok(snapshot));
    app
}

#[test]
fn at_80x24_every_panel_fits_and_agents_show_task_titles() {
    let screen = screen_of(&fixture_app(), 80, 24);
    insta::assert_snapshot!(screen);
    assert!(screen.contains("005 Build login endpoint"), "{screen}");
    assert!(screen.lines().any(|l| l.trim_end().ends_with("idle 20m ago")), "cut:\n{screen}");
    for panel in Panel::ALL {
        assert!(screen.contains(&format!(" {} ─", panel.title())), "{panel:?}:\n{screen}");
    }
}

#[test]
fn wide_terminals_size_panels_by_content_not_in_quarters() {
    let screen = screen_of(&fixture_app(), 160, 48);
    let rows: Vec<&str> = screen.lines().collect();
    let row_of = |title: &str| rows.iter().position(|r| r.contains(title)).unwrap();
    // Three agents: the agents box is 3 rows + header + 2 borders, not half of 45 rows.
    assert_eq!(row_of("┌ Events") - row_of("┌ Agents"), 6, "{screen}");
    assert!(row_of("┌ Queue") - row_of("┌ Mission") < 10, "{screen}");
}

#[test]
fn the_selected_agents_pane_is_previewed_under_the_table_escaped() {
    use crate::tui::app::Preview;
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    let mut app = fixture_app();
    for code in [KeyCode::Char('2'), KeyCode::Down, KeyCode::Enter] {
        app.on_key(KeyEvent::from(code));
    }
    let mut lines: Vec<String> = (1..=40).map(|i| format!("line {i}")).collect();
    lines.push(format!("last {HOSTILE}"));
    app.preview = Some(Preview { pane: "Frontend".into(), lines });
    let screen = screen_of(&app, 80, 24);
    assert!(screen.contains(" Frontend (last lines) "), "{screen}");
    assert!(screen.contains("line 40") && !screen.contains("line 1\n"), "the newest:\n{screen}");
    assert!(screen.contains("last x<U+202E>txt.exe"), "{screen}");
    assert!(!screen.contains('\u{1b}'), "{screen}");
}

#[test]
fn the_header_says_what_the_mission_cost_and_that_the_budget_stopped_dispatch() {
    let mut app = fixture_app();
    let mut snap = app.snapshot.clone().unwrap();
    snap.cost = Some(crate::report::cost::CostTotals {
        tokens: 480_000,
        cost_usd: 2.4,
        messages: 4,
        budget: crate::plan::rules::budget::BudgetLevel::Exhausted,
        budget_note: Some("$2.40 of $1.50 (160%)".into()),
        ..Default::default()
    });
    app.update(Ok(snap));
    let top = screen_of(&app, 240, 24);
    let header = top.lines().next().unwrap();
    assert!(
        header.contains("Cost: $2.40 for 480000 tokens · BUDGET EXHAUSTED: no new dispatches"),
        "{header}"
    );
}
