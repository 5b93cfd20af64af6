//! Seeing the panes: each tick turns tmux's pane list, the agents' self-reports and the
//! last lines of each screen into the `PaneView`s that `decide` works on, judged through
//! each pane's agent profile; [`judge`] also says which signal decided.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use jiff::{SignedDuration, Timestamp};

use super::decide::approval::Question;
use super::watch::{self, Candidate, News};
use super::world::{AgentState, PaneView, Role};
use crate::agent::approval::{self, ApprovalRequest};
use crate::agent::profiles::{HookKind, Profile, Profiles};
use crate::agent::screen::{self, ScreenState};
use crate::agent::state::{ReportedState, parse_state_event};
use crate::plan::{Event, EventKind};
use crate::tmux::{PaneInfo, Tmux};

/// A self-report younger than this wins over the screen (for agents whose hooks report
/// busy as well as idle); older ones are reconciled with the screen.
pub const REPORT_FRESH: SignedDuration = SignedDuration::from_secs(600);

/// Which signal decided a pane's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// tmux says the pane's program exited.
    PaneDead,
    /// The agent's own report (`tmux-ide agent <state>`), `age` old.
    SelfReport { age: SignedDuration },
    /// A profile pattern on the last lines of the screen.
    Screen { seen: ScreenState, pattern: String },
    /// The title the program set, when the screen showed nothing the profile knows.
    Title { seen: ScreenState, pattern: String },
    /// Only an old self-report; the screen showed nothing the profile knows.
    StaleReport { age: SignedDuration },
    /// Nothing could tell.
    Nothing,
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Signal::PaneDead => f.write_str("the pane's program exited"),
            Signal::SelfReport { age } => write!(f, "self-report {}s ago", age.as_secs()),
            Signal::Screen { seen, pattern } => {
                write!(f, "screen shows {} pattern \"{pattern}\"", seen.as_str())
            }
            Signal::Title { seen, pattern } => {
                write!(f, "pane title shows {} pattern \"{pattern}\"", seen.as_str())
            }
            Signal::StaleReport { age } => {
                write!(f, "old self-report ({}s ago), screen unrecognised", age.as_secs())
            }
            Signal::Nothing => f.write_str("no report and no known pattern on screen"),
        }
    }
}

/// A pane's judged state and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub state: AgentState,
    pub signal: Signal,
}

/// What one pane shows on this tick.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub dead: bool,
    pub report: Option<(ReportedState, Timestamp)>,
    pub screen: &'a str,
    /// The title the program set for its pane (`pane_title`).
    pub title: &'a str,
    pub last_change: Timestamp,
    pub now: Timestamp,
}

fn reported(state: ReportedState) -> AgentState {
    match state {
        ReportedState::Idle => AgentState::Idle,
        ReportedState::Busy => AgentState::Busy,
        ReportedState::Waiting => AgentState::Waiting,
    }
}

/// Judges an agent's state. Strongest first: the pane is dead; a rate-limit / quota
/// message on the last lines (an agent's stop hook may report idle while it is blocked);
/// a self-report newer than the last screen change, or younger than [`REPORT_FRESH`] for
/// agents whose hooks report busy too; the profile's patterns on the last lines
/// (waiting > busy > ready); the program's title (Gemini CLI and Codex say `Action
/// Required` there); an old self-report; else unknown.
pub fn judge(profile: &Profile, ev: &Evidence) -> Judgement {
    if ev.dead {
        return Judgement { state: AgentState::Exited, signal: Signal::PaneDead };
    }
    let seen = screen::read(profile, ev.screen);
    let by_screen = |(s, p): (ScreenState, &crate::agent::screen::Pattern)| Judgement {
        state: match s {
            ScreenState::RateLimited => AgentState::RateLimited,
            ScreenState::Waiting => AgentState::Waiting,
            ScreenState::Busy => AgentState::Busy,
            ScreenState::Ready => AgentState::Idle,
        },
        signal: Signal::Screen { seen: s, pattern: p.to_string() },
    };
    if let Some(hit @ (ScreenState::RateLimited, _)) = seen {
        return by_screen(hit);
    }
    if let Some((state, at)) = ev.report {
        let age = ev.now.duration_since(at);
        let full_hooks = matches!(
            profile.hooks,
            HookKind::ClaudeSettings | HookKind::GeminiSettings | HookKind::SelfReport
        );
        if at >= ev.last_change || (full_hooks && age <= REPORT_FRESH) {
            return Judgement { state: reported(state), signal: Signal::SelfReport { age } };
        }
    }
    if let Some(hit) = seen {
        return by_screen(hit);
    }
    let titled = profile.title_states.iter().find(|(_, p)| p.matches(ev.title));
    if let Some((seen, pattern)) = titled {
        let Judgement { state, .. } = by_screen((*seen, pattern));
        return Judgement {
            state,
            signal: Signal::Title { seen: *seen, pattern: pattern.to_string() },
        };
    }
    match ev.report {
        Some((state, at)) => Judgement {
            state: reported(state),
            signal: Signal::StaleReport { age: ev.now.duration_since(at) },
        },
        None => Judgement { state: AgentState::Unknown, signal: Signal::Nothing },
    }
}

#[derive(Debug, Default)]
pub struct Observer {
    profiles: Profiles,
    /// The `command` of each pane in ide.yml, by pane title (selects user-defined profiles).
    commands: HashMap<String, String>,
    /// Latest self-report per pane id.
    reports: HashMap<String, (ReportedState, Timestamp)>,
    /// Hash of the visible screen per pane id and when it last changed.
    screens: HashMap<String, (u64, Timestamp)>,
    /// The last judged state per pane id, to log changes.
    judged: HashMap<String, AgentState>,
    /// The approval question each pane shows (by pane id), and whether it was already
    /// answered or reported: once per appearance, so a key is never sent twice into it.
    questions: HashMap<String, (ApprovalRequest, bool)>,
    /// Whether each pane's profile lets the orchestrator answer (its `auto_approve`).
    profiles_by_pane: HashMap<String, bool>,
    /// `orchestrator.auto_approve` in ide.yml.
    auto_approve: bool,
    /// When the tmux server started: a report older than that was made by a pane of an
    /// earlier server, whose ids (`%2`) the new panes reuse.
    server_start: Option<Timestamp>,
    /// The pid of each pane's program when last seen: a new one (a respawned pane) makes
    /// the old program's reports and screen history void.
    pids: HashMap<String, u32>,
    /// A pane's own `fresh_context` in ide.yml, by pane title (outranks its profile's).
    fresh_context: HashMap<String, bool>,
    /// The screens of Aider panes on the last look (id, title, screen), for their usage lines.
    pub(crate) aider_screens: Vec<(String, String, String)>,
    /// The screen each worker pane showed when last read, and the pid it ran then: a
    /// tick that reads only the panes that changed judges the others on these.
    read: HashMap<String, (String, u32)>,
}

impl Observer {
    pub fn new(profiles: Profiles, commands: HashMap<String, String>) -> Observer {
        Observer { profiles, commands, auto_approve: true, ..Observer::default() }
    }

    /// An observer with the profiles and pane commands of `config`.
    pub fn for_config(config: &crate::config::Config) -> Observer {
        let mut observer = Observer::new(
            Profiles::new(&config.agents),
            crate::orchestrator::run::pane_commands(config),
        );
        observer.auto_approve = config.orchestrator.auto_approve;
        observer.fresh_context =
            config.panes().filter_map(|p| Some((p.title.clone(), p.fresh_context?))).collect();
        observer
    }

    /// The approval questions on the panes now, for [`crate::orchestrator::decide::approval`].
    pub fn questions<'a>(&'a self, panes: &'a [PaneView]) -> Vec<Question<'a>> {
        panes
            .iter()
            .filter_map(|p| {
                let (request, handled) = self.questions.get(&p.id)?;
                let auto_approve =
                    self.auto_approve && self.profiles_by_pane.get(&p.id).is_some_and(|auto| *auto);
                Some(Question { pane: p, request, auto_approve, handled: *handled })
            })
            .collect()
    }

    /// Records that the question `pane` shows was answered or reported.
    pub fn handled(&mut self, pane: &str, question: &str, command: &str) {
        if let Some((req, handled)) = self.questions.get_mut(pane)
            && req.question == question
            && req.command == command
        {
            *handled = true;
        }
    }

    /// Keeps the question `pane` shows now; a new or changed one is not handled yet.
    fn track_question(&mut self, pane: &str, now: Option<ApprovalRequest>, auto: bool) {
        self.profiles_by_pane.insert(pane.to_string(), auto);
        match now {
            None => {
                self.questions.remove(pane);
            }
            Some(req) => {
                if self.questions.get(pane).is_none_or(|(seen, _)| *seen != req) {
                    self.questions.insert(pane.to_string(), (req, false));
                }
            }
        }
    }

    /// The profile of a pane.
    pub fn profile(&self, pane: &PaneInfo) -> &Profile {
        self.profiles.resolve(pane.agent, self.commands.get(&pane.title).map(String::as_str))
    }

    /// The profile prompts to a pane are delivered with: its profile, with the pane's own
    /// `fresh_context` when ide.yml gives one.
    pub fn delivery_profile(&self, pane: &PaneInfo) -> Profile {
        let mut profile = self.profile(pane).clone();
        if let Some(&fresh) = self.fresh_context.get(&pane.title) {
            profile.fresh_context = fresh;
        }
        profile
    }

    /// Takes in new events; keeps the latest self-report of each pane.
    pub fn absorb(&mut self, events: &[Event]) {
        for event in events {
            if let Some((pane, state, ts)) = parse_state_event(event) {
                let newer = self.reports.get(pane).is_none_or(|(_, seen)| *seen <= ts);
                if newer {
                    self.reports.insert(pane.to_string(), (state, ts));
                }
            }
        }
    }

    /// The latest self-report of a pane, unless an earlier tmux server's pane made it.
    pub fn report(&self, pane_id: &str) -> Option<(ReportedState, Timestamp)> {
        let current =
            |(_, at): &(ReportedState, Timestamp)| self.server_start.is_none_or(|s| *at >= s);
        self.reports.get(pane_id).copied().filter(current)
    }

    /// Self-reports from before `start` (the tmux server's start) are not about its panes.
    /// tmux gives it in whole seconds, so an old server's last report can still pass; see
    /// [`Observer::forget`].
    pub fn set_server_start(&mut self, start: Timestamp) {
        self.server_start = Some(start);
    }

    /// The pane runs a new program: what the old one reported is void.
    pub fn forget(&mut self, pane_id: &str) {
        self.reports.remove(pane_id);
    }

    /// The panes as `decide` sees them, with why each got its state, and a `pane_state`
    /// event for every pane whose judged state changed since the last look. Lead and
    /// shell panes are listed but not captured: they never take work. Every worker pane
    /// is read (in one tmux process).
    pub fn observe(
        &mut self,
        tmux: &Tmux,
        panes: &[PaneInfo],
        now: Timestamp,
    ) -> (Vec<(PaneView, Judgement)>, Vec<Event>) {
        self.observe_with(tmux, panes, now, None, false)
    }

    /// As [`Observer::observe`], reading only the panes [`watch::to_capture`] picks from
    /// `changed` (the panes tmux said wrote output; `None`: all) and every one on a
    /// `sweep`; the others are judged on the screen they showed when last read.
    pub fn observe_with(
        &mut self,
        tmux: &Tmux,
        panes: &[PaneInfo],
        now: Timestamp,
        changed: Option<&std::collections::HashSet<String>>,
        sweep: bool,
    ) -> (Vec<(PaneView, Judgement)>, Vec<Event>) {
        let candidates: Vec<Candidate> = panes
            .iter()
            .filter(|p| {
                !p.dead && !matches!(p.role.unwrap_or(Role::Teammate), Role::Lead | Role::Shell)
            })
            .map(|p| Candidate { id: &p.id, pid: p.pid })
            .collect();
        let read_pids: HashMap<String, u32> =
            self.read.iter().map(|(id, (_, pid))| (id.clone(), *pid)).collect();
        let wanted = watch::to_capture(&candidates, &read_pids, News { changed, sweep });
        let mut fresh = tmux.capture_visible_many(&wanted);
        self.read.retain(|id, _| panes.iter().any(|p| p.id == *id && !p.dead));
        for id in &wanted {
            let pid = panes.iter().find(|p| p.id == *id).map_or(0, |p| p.pid);
            // Unreadable (gone meanwhile): an empty screen, as a failed capture always was.
            let screen = fresh.remove(*id).unwrap_or_default();
            self.read.insert(id.to_string(), (screen, pid));
        }
        let mut changes = Vec::new();
        self.aider_screens.clear();
        let views = panes
            .iter()
            .map(|p| {
                if self.pids.insert(p.id.clone(), p.pid).is_some_and(|old| old != p.pid) {
                    self.reports.remove(&p.id);
                    self.screens.remove(&p.id);
                }
                let role = p.role.unwrap_or(Role::Teammate);
                let takes_work = !matches!(role, Role::Lead | Role::Shell);
                let screen = match self.read.get(&p.id) {
                    Some((screen, _)) if takes_work && !p.dead => screen.clone(),
                    _ => String::new(),
                };
                if self.profile(p).hooks == HookKind::AiderNotifications && !screen.is_empty() {
                    self.aider_screens.push((p.id.clone(), p.title.clone(), screen.clone()));
                }
                let progress = screen::progress_view(self.profile(p), &screen).into_owned();
                let last_change = self.track_screen(&p.id, &progress, now);
                let ev = Evidence {
                    dead: p.dead,
                    report: self.report(&p.id),
                    screen: &screen,
                    title: &p.pane_title,
                    last_change,
                    now,
                };
                let profile = self.profile(p);
                let judgement = judge(profile, &ev);
                let asked = profile.approval.filter(|_| takes_work && !p.dead);
                let asked = asked.and_then(|style| approval::request(style, &screen));
                let auto = profile.auto_approve;
                self.track_question(&p.id, asked, auto);
                if takes_work
                    && self.judged.insert(p.id.clone(), judgement.state) != Some(judgement.state)
                {
                    changes.push(
                        Event::new(now, EventKind::PaneState)
                            .pane(&p.title)
                            .with("pane_id", p.id.as_str())
                            .with("state", judgement.state.as_str())
                            .with("signal", judgement.signal.to_string()),
                    );
                }
                let view = PaneView {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    role,
                    specialty: p.specialty.clone().filter(|s| !s.is_empty()),
                    state: judgement.state,
                    last_output_change: last_change,
                    pid: p.pid,
                };
                (view, judgement)
            })
            .collect();
        (views, changes)
    }

    fn track_screen(&mut self, pane: &str, screen: &str, now: Timestamp) -> Timestamp {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        screen.hash(&mut h);
        let hash = h.finish();
        match self.screens.get_mut(pane) {
            Some((seen, changed)) if *seen == hash => *changed,
            _ => {
                self.screens.insert(pane.to_string(), (hash, now));
                now
            }
        }
    }
}

#[cfg(test)]
#[path = "observe_tests.rs"]
mod tests;
