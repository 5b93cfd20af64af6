//! The orchestrator process: one per project (held lock), ticking every `poll_interval`
//! and immediately when anything under `.tasks/` changes or tmux's control mode says a
//! pane wrote output (see `watching`). Each tick gathers state, asks
//! the pure `decide` what to do, and applies it. Everything it needs survives in the
//! store and the event log, so a restart resumes without dispatching anything twice.
//! It serves one tmux session, pinned by id (`$N`; a rebuilt session reuses the name):
//! when that session is gone it stops, and it never delivers into another. What it
//! decides, delivers and fails at goes to `.tmux-ide/run/orchestrator.log`.
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use notify::{RecursiveMode, Watcher};

use super::decide::{self, Action};
use super::events_tail::EventTail;
use super::observe::Observer;
use super::world::{ContractAssertion, PaneView, Settings, World};
use crate::agent::profiles::Profile;
use crate::config::Config;
use crate::contract::Contract;
use crate::plan::rules::{RetryPolicy, ReturnReason};
use crate::plan::store::Store;
use crate::plan::{Event, EventKind, MissionStatus};
use crate::project::Project;
use crate::tmux::{PaneInfo, Tmux};
use crate::{Error, Result};

/// How often the loop looks at the stop flag (SIGTERM / SIGINT / SIGHUP) when idle.
const WAKE: Duration = Duration::from_millis(200);

/// The least time between two ticks: output from many panes at once wakes the loop
/// once per this, not once per line.
const MIN_GAP: Duration = Duration::from_millis(10);

/// A look at the panes slower than this is logged (debug) with where the time went.
const SLOW_LOOK: Duration = Duration::from_millis(100);

/// How often the session's panes are listed between ticks (one tmux call: ids, dead
/// flags and pids), so a pane that goes away is noticed in about a second.
const PANE_PROBE: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct RunOptions {
    /// Leave the loop once the mission is complete (headless use, CI).
    pub exit_when_complete: bool,
}

#[derive(Debug)]
pub struct Runner {
    pub(crate) project: Project,
    pub(crate) store: Store,
    pub(crate) tmux: Tmux,
    pub(crate) session: String,
    /// The id (`$N`) of the session this orchestrator serves, once it has seen it.
    pub(crate) session_id: Option<String>,
    /// The pinned session was killed or replaced: the loop ends.
    pub(crate) session_ended: bool,
    pub(crate) master_pane: Option<String>,
    pub(crate) settings: Settings,
    pub(crate) poll: Duration,
    pub(crate) observer: Observer,
    pub(crate) tail: EventTail,
    pub(crate) stalls_reported: HashSet<String>,
    pub(crate) exited_reported: HashSet<String>,
    /// The contract's assertions as the current tick read them (prompts quote them).
    pub(crate) contract: Vec<ContractAssertion>,
    /// Texts to paste at the end of this tick.
    pub(crate) pending: Vec<super::deliver::Delivery>,
    /// Delivery threads still pasting or waiting for a receipt.
    pub(crate) inflight: Vec<super::deliver::Inflight>,
    /// The agent profile of each pane (by pane id), from the last look at the panes.
    pub(crate) profiles: HashMap<String, Profile>,
    /// Sends the events `notify:` chooses to people (nothing without targets).
    pub(crate) notifier: crate::notify::Notifier,
    /// What planning dispatch and research triggers remember from the log.
    pub(crate) lookout: super::lookout::Lookout,
    pub(crate) research: crate::config::research::ResearchConfig,
    /// The specialties of the task-taking panes (the planning prompt lists them).
    pub(crate) specialties: Vec<String>,
    /// What the agents spend, and the budget it is held against.
    pub(crate) usage: super::usage::Collector,
    pub(crate) budget: super::world::BudgetView,
    /// Worktree isolation (`orchestrator.isolation`).
    pub(crate) iso: super::integrate::IsoRuntime,
    /// The pane watcher (tmux control mode), see [`super::watch`].
    pub(crate) watching: super::watching::Watching,
    /// `pane_state` events observed this tick, not written yet.
    pub(crate) pane_events: Vec<Event>,
    /// Appends observations and receipts off the tick (see [`super::log_writer`]).
    pub(crate) log_writer: super::log_writer::LogWriter,
    /// Takes the agents' self-reports while the loop runs (see [`super::inbox`]).
    inbox: Option<super::served::Served>,
    /// The self-reports the inbox took, for the next look at the panes.
    heard: Option<super::inbox::Heard>,
    /// Takes commands' `task done` while the loop runs (see [`super::requests`]).
    requests: Option<super::served::Served>,
    _lock: File,
}

impl Runner {
    /// Takes the project's orchestrator lock; fails if another orchestrator holds it.
    pub fn start(project: Project, tmux: Tmux) -> Result<Runner> {
        // Before anything says it started: a SIGTERM sent as soon as `orchestrator_started`
        // is in the log must stop it cleanly, not kill it with the default action.
        crate::signals::install();
        no_huge_pages();
        let config = Config::load(&project)?;
        let lock = crate::project::open_lock_file(&project.root, &project.orchestrator_lock())?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let pid =
                    project.orchestrator_alive().map(|p| format!(" (pid {p})")).unwrap_or_default();
                return Err(Error::failed(format!(
                    "an orchestrator is already running for {}{pid}",
                    project.root.display()
                ))
                .with_hint("stop it first, or look at it with `tmux-ide orch`"));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(project.orchestrator_lock(), e));
            }
        }
        let now = Timestamp::now();
        let pid = format!("{} {now}\n", std::process::id());
        crate::project::write_file(&project.root, &project.orchestrator_pid(), pid.as_bytes())?;
        // Only the lock holder writes the log, so its rotation has one writer.
        crate::log::init_orchestrator(&project);
        let orch = &config.orchestrator;
        let settings = Settings {
            mode: orch.dispatch_mode,
            auto_dispatch: orch.auto_dispatch,
            max_concurrent_agents: orch.max_concurrent_agents.map(|n| n as usize),
            stall_timeout: SignedDuration::from_millis(orch.stall_timeout as i64),
            retry: RetryPolicy {
                max_retries: orch.max_retries,
                backoff: SignedDuration::from_millis(orch.retry_backoff as i64),
            },
        };
        // One copy of the plan in memory for the loop and the log writer (see `with_cache`).
        let shared = Store::new(&project).with_cache();
        let store = shared.clone().with_priority();
        let watching = super::watching::Watching::default();
        let tmux = tmux.with_control(watching.slot());
        let session = crate::tmux::session_name(&project, &config);
        let notifier = crate::notify::Notifier::start(&project, &config.notify, &tmux, &session)?;
        let mut runner = Runner {
            session,
            session_id: None,
            session_ended: false,
            master_pane: orch.master_pane.clone(),
            poll: Duration::from_millis(orch.poll_interval.max(100)),
            settings,
            tail: EventTail::new(project.events_jsonl()),
            observer: Observer::for_config(&config),
            stalls_reported: HashSet::new(),
            exited_reported: HashSet::new(),
            contract: Vec::new(),
            pending: Vec::new(),
            inflight: Vec::new(),
            profiles: HashMap::new(),
            notifier,
            lookout: Default::default(),
            research: orch.research.clone(),
            specialties: super::planning::specialties(&config),
            usage: super::usage::Collector::new(&config),
            budget: super::world::BudgetView::default(),
            iso: super::integrate::IsoRuntime::for_config(&config),
            watching,
            pane_events: Vec::new(),
            // Not ahead of the agents: it would hold the gate while it waits, and the
            // dispatch, which is in a hurry, would wait behind it.
            log_writer: super::log_writer::LogWriter::start(shared, project.clone()),
            inbox: None,
            heard: None,
            requests: None,
            project,
            store,
            tmux,
            _lock: lock,
        };
        // The whole history once: self-reports and what was already reported to the lead.
        let history = runner.tail.read_new()?;
        runner.absorb(&history);
        runner.notifier.resume(&history);
        runner.store.append_events(&[
            Event::new(now, EventKind::OrchestratorStarted).with("pid", std::process::id())
        ])?;
        tracing::info!(pid = std::process::id(), session = %runner.session, "orchestrator started");
        Ok(runner)
    }

    /// The log's new events, taken in by every part that follows the log and the notifier:
    /// every read of the tail after start goes through here, so no event skips either.
    pub(crate) fn read_log(&mut self) -> Result<Vec<Event>> {
        // Before the log: a report heard and then read back is the same report.
        if let Some(heard) = &self.heard {
            self.observer.absorb(&heard.take());
        }
        let new = self.tail.read_new()?;
        self.absorb(&new);
        self.notifier.observe(&new);
        Ok(new)
    }

    fn absorb(&mut self, events: &[Event]) {
        self.observer.absorb(events);
        self.lookout.absorb(events);
        self.usage.absorb(events);
        for e in events {
            match &e.kind {
                EventKind::StallDetected => {
                    self.stalls_reported.extend(e.task.clone());
                }
                EventKind::AgentExited => {
                    self.exited_reported.extend(e.pane.clone());
                }
                // A new dispatch there means a live agent again (a respawned or rebuilt
                // pane): its exit is news, or its task would stay on a dead pane.
                EventKind::TaskDispatched => {
                    if let Some(pane) = &e.pane {
                        self.exited_reported.remove(pane);
                    }
                }
                _ => {}
            }
        }
    }

    /// Runs until stopped (signal) or, with `exit_when_complete`, the mission is complete.
    /// However it ends, even by an error, the log gets `orchestrator_stopped` with why.
    pub fn run(mut self, opts: &RunOptions) -> Result<()> {
        let outcome = self.run_loop(opts);
        // Let the last notices and receipts finish before saying goodbye.
        self.reap(true);
        if let Some(mut inbox) = self.inbox.take() {
            inbox.stop();
        }
        if let Some(mut requests) = self.requests.take() {
            requests.stop();
        }
        self.log_writer.queue().push(std::mem::take(&mut self.pane_events));
        self.log_writer.finish(&self.store);
        if let Ok(plan) = self.store.load_shared() {
            let _ = self.record_usage(&plan, Timestamp::now());
        }
        let reason = match &outcome {
            Err(e) => format!("error: {e}"),
            Ok(()) if crate::signals::stop_requested() => "signal".into(),
            Ok(()) if self.session_ended => "session ended".into(),
            Ok(()) => decide::finished_reason(self.settings.mode).into(),
        };
        if self.session_ended && outcome.is_ok() {
            self.session_lost();
        }
        let output_bytes = self.watching.stop();
        tracing::info!(reason, output_bytes, "orchestrator stopped");
        let stopped = self.store.append_events(&[Event::new(
            Timestamp::now(),
            EventKind::OrchestratorStopped,
        )
        .with("reason", reason)]);
        self.notifier.finish(&self.tail.read_new().unwrap_or_default());
        outcome.and(stopped)
    }

    /// The session went away under a running mission (killed, the tmux server gone): said
    /// once, in the log and on stderr, with how to carry on. In-progress work stays as it
    /// is; the next orchestrator's reconcile hands it out again.
    fn session_lost(&mut self) {
        let active = self
            .store
            .load()
            .is_ok_and(|p| p.mission.is_some_and(|m| m.status == MissionStatus::Active));
        let event = Event::new(Timestamp::now(), EventKind::SessionLost)
            .with("session", self.session.as_str())
            .with("session_id", self.session_id.clone().unwrap_or_default())
            .with("mission_active", active);
        let _ = self.store.append_events(&[event]);
        if active {
            let _ = writeln!(
                std::io::stderr(),
                "orchestrator: tmux session {} is gone; the mission is still active. \
Run `tmux-ide up` to rebuild the session and resume it.",
                self.session
            );
        }
    }

    fn run_loop(&mut self, opts: &RunOptions) -> Result<()> {
        let (tx, rx) = mpsc::channel();
        self.watching.set_wake(tx.clone());
        self.heard = Some(super::inbox::Heard::new(tx.clone()));
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res
                && matches!(
                    ev.kind,
                    notify::EventKind::Create(_)
                        | notify::EventKind::Modify(_)
                        | notify::EventKind::Remove(_)
                )
                && ev.paths.iter().any(|p| !p.ends_with(".lock"))
            {
                let _ = tx.send(());
            }
        })
        .map_err(|e| Error::failed(format!("cannot watch .tasks/: {e}")))?;
        fs_err::create_dir_all(self.project.tasks_dir())?;
        watcher
            .watch(&self.project.tasks_dir(), RecursiveMode::NonRecursive)
            .map_err(|e| Error::failed(format!("cannot watch .tasks/: {e}")))?;
        self.inbox =
            super::inbox::start(&self.project, self.log_writer.queue(), self.heard.clone());
        self.requests = super::requests::start(&self.project, self.log_writer.queue());
        // Pin the session before recovery delivers anything (not running yet is fine).
        let _ = self.session_panes();
        self.recover()?;
        let mut next_tick = std::time::Instant::now();
        let mut next_probe = next_tick + PANE_PROBE;
        let mut panes_seen = None;
        let mut last_tick = std::time::Instant::now();
        while !crate::signals::stop_requested() && !self.session_ended {
            let woke = rx.recv_timeout(WAKE).is_ok();
            if woke && last_tick.elapsed() < MIN_GAP {
                // Rate, not a wait for a condition: news arriving meanwhile joins this tick.
                std::thread::sleep(MIN_GAP.saturating_sub(last_tick.elapsed()));
            }
            while rx.try_recv().is_ok() {}
            let now = std::time::Instant::now();
            if !woke && now < next_tick {
                if now < next_probe {
                    continue;
                }
                next_probe = now + PANE_PROBE;
                // A pane closed, died or restarted between polls: look now, so its task
                // goes back within about a second rather than a whole poll interval.
                let seen = self.pane_probe();
                if seen == panes_seen {
                    continue;
                }
                panes_seen = seen;
            }
            last_tick = std::time::Instant::now();
            next_tick = last_tick + self.poll;
            let ticking = std::time::Instant::now();
            let ticked = self.tick();
            if ticking.elapsed() >= SLOW_LOOK * 2 {
                tracing::debug!(ms = ticking.elapsed().as_millis() as u64, "slow tick");
            }
            let complete = match ticked {
                Ok(complete) => complete,
                Err(e) => {
                    tracing::error!(error = %e, "tick failed");
                    let _ = writeln!(std::io::stderr(), "orchestrator: {e}");
                    false
                }
            };
            if complete && opts.exit_when_complete {
                break;
            }
        }
        Ok(())
    }

    /// One round: gather, decide, apply. Returns whether the mission is complete.
    pub fn tick(&mut self) -> Result<bool> {
        let mut phases = Phases::start();
        self.read_log()?;
        // Done work onto the mission branch before deciding what depends on it.
        let plan = self.load_integrated()?;
        phases.mark("load");
        if !decide::in_play(&plan, self.settings.mode) {
            // The last report of a finished mission may still wait at a question (Aider's
            // `Add command output to the chat?` after `task done`): answer it all the same.
            let now = Timestamp::now();
            let panes = self.panes(now)?;
            self.flush_pane_events()?;
            // The last turns' usage still counts (a validator's closing words).
            self.record_usage(&plan, now)?;
            for action in decide::approval::approvals(&plan, &self.observer.questions(&panes)) {
                self.apply(&action, &panes, Timestamp::now())?;
            }
            self.planning_tick(&plan, &panes)?;
            return Ok(decide::finished(&plan, self.settings.mode));
        }
        self.contract = super::gather::contract_assertions(&Contract::load(&self.project)?);
        let now = Timestamp::now();
        let panes = self.panes(now)?;
        phases.mark("panes");
        self.record_usage(&plan, now)?;
        phases.mark("usage");
        let mut actions = decide::decide(&World {
            plan: &plan,
            contract: &self.contract,
            panes: &panes,
            now,
            settings: &self.settings,
            stalls_reported: &self.stalls_reported,
            exited_reported: &self.exited_reported,
            budget: &self.budget,
        });
        actions.extend(decide::approval::approvals(&plan, &self.observer.questions(&panes)));
        actions.extend(self.research_actions(&plan, &panes, &actions, now));
        phases.mark("decide");
        // Let go of the plan before writing: while no reader holds it, an update changes
        // the cache's copy in place instead of copying it (see `PlanCache::take`).
        let finished_unchanged = decide::finished(&plan, self.settings.mode);
        drop(plan);
        let mut outcome = Ok(());
        let mut at = 0;
        while let Some(action) = actions.get(at) {
            // Each change is stamped when it is made, so the log stays in time order. A
            // run of dispatches is one store update (see `dispatch_batch`).
            let applied = match action {
                Action::Dispatch { .. } => {
                    self.dispatch_run(&actions[at..], &panes, Timestamp::now()).map(|(n, _)| n)
                }
                _ => {
                    tracing::info!(?action, "decided");
                    self.flush_pane_events()
                        .and_then(|()| self.apply(action, &panes, Timestamp::now()))
                        .map(|_| 1)
                }
            };
            outcome = applied.map(|n| at += n.max(1));
            if let Err(e) = &outcome {
                tracing::error!(?action, error = %e, "could not apply");
                break;
            }
        }
        // What it saw, written off the tick: nothing waits on it.
        self.log_writer.queue().push(std::mem::take(&mut self.pane_events));
        phases.mark("apply");
        // What was written to the store is delivered even if a later action failed.
        let mut unconfirmed = self.flush_deliveries()?;
        let wrote = !actions.is_empty() || !unconfirmed.is_empty();
        while !unconfirmed.is_empty() {
            for u in std::mem::take(&mut unconfirmed) {
                // A task whose prompt did not land is a failed attempt: retried after a
                // backoff (on any fitting pane) or blocked. Never pasted again at once.
                // Its `prompt_unconfirmed` (queued by the delivery thread) goes first.
                self.flush_pane_events()?;
                let retried = match &u.task {
                    Some(task) => self.apply(
                        &decide::Action::ReturnTask {
                            task: task.clone(),
                            pane_title: u.title.clone(),
                            reason: ReturnReason::PromptNotLanded,
                        },
                        &panes,
                        Timestamp::now(),
                    )?,
                    None => false,
                };
                let what = u.task.map(|t| format!("task {t}")).unwrap_or("validation".into());
                let then = if retried {
                    "it goes back to the queue and is retried after a pause (see `tmux-ide orch`)"
                } else {
                    "it was not sent again. Check the pane"
                };
                let text = format!(
                    "The prompt for {what} did not visibly land in pane \"{}\" ({}) within {:.1}s; \
{then}.",
                    u.title,
                    u.pane,
                    u.waited.as_secs_f64()
                );
                tracing::warn!(pane = %u.pane, %what, "prompt unconfirmed; lead told");
                self.notify_lead(&panes, &text)?;
            }
            unconfirmed = self.flush_deliveries()?;
        }
        outcome?;
        phases.mark("deliver");
        phases.log_if_slow(actions.len());
        if !wrote {
            // Nothing written: the plan read at the start answers (a 2,000-task plan is
            // ~5 ms to read again, on every tick).
            return Ok(finished_unchanged);
        }
        let plan = self.store.load_shared()?;
        Ok(decide::finished(&plan, self.settings.mode))
    }

    fn panes(&mut self, now: Timestamp) -> Result<Vec<PaneView>> {
        let started = std::time::Instant::now();
        let infos = self.session_panes()?;
        let listed = started.elapsed();
        self.profiles =
            infos.iter().map(|p| (p.id.clone(), self.observer.delivery_profile(p))).collect();
        let any_dead = infos.iter().any(|p| p.dead);
        let session = self.session_id.as_deref();
        let (changed, sweep) = self.watching.news(&self.tmux, session, any_dead);
        let (views, changes) =
            self.observer.observe_with(&self.tmux, &infos, now, changed.as_ref(), sweep);
        let looked = started.elapsed();
        // Written with the tick's first change (see `flush_pane_events`), not on their own:
        // every write waits for the store lock, which the agents' reports hold often.
        self.pane_events.extend(changes);
        if started.elapsed() >= SLOW_LOOK {
            tracing::debug!(
                panes = infos.len(),
                changed = changed.as_ref().map(|c| c.len()),
                sweep,
                list_ms = listed.as_millis() as u64,
                look_ms = looked.as_millis() as u64,
                "slow look at the panes"
            );
        }
        Ok(views.into_iter().map(|(v, _)| v).collect())
    }
}

impl Runner {
    /// Appends the observations still queued and this tick's `pane_state` events, unless
    /// a change (a run of dispatches) already took them into its own write: before a
    /// change, so the log has what was seen ahead of what was done about it.
    pub(crate) fn flush_pane_events(&mut self) -> Result<()> {
        let mut events = self.log_writer.take_queued();
        events.append(&mut self.pane_events);
        self.store.append_events(&events)
    }

    /// The layout panes of the pinned session (pinning it on first sight). The id is
    /// read before and after the listing: equal and pinned, the panes are that session's.
    /// The panes of the pinned session as one line each (id, dead, pid), or `None` when
    /// there is none to list: cheap enough to run every [`PANE_PROBE`].
    fn pane_probe(&self) -> Option<String> {
        let id = self.session_id.as_deref()?;
        let format = "#{pane_id} #{pane_dead} #{pane_pid}";
        self.tmux.run(&["list-panes", "-s", "-t", id, "-F", format]).ok()
    }

    pub(crate) fn session_panes(&mut self) -> Result<Vec<PaneInfo>> {
        // One tmux process: the id, the panes, the id again.
        let listed = self.tmux.session_panes(&self.session)?;
        let id = listed.as_ref().map(|(id, _, _)| id.clone());
        if self.session_id.is_none()
            && let Some(id) = &id
        {
            // Watching first: the log's "serving session" line is then the last of the start.
            self.watching.attach(&self.tmux, id);
            tracing::info!(session = %self.session, id = ?id, "serving session");
            self.session_id = Some(id.clone());
            // Pane ids restart at %0 with a new server (after a reboot or a crash): the
            // agents' reports in the log from before it are about other panes.
            let start = self.tmux.session_format(&self.session, "#{start_time}")?;
            if let Some(t) = start.and_then(|s| s.parse::<i64>().ok()) {
                self.observer.set_server_start(Timestamp::from_second(t).unwrap_or_default());
            }
        }
        let pinned = self.session_id.clone();
        let ended = |runner: &mut Runner, now: Option<String>| {
            runner.session_ended = pinned.is_some();
            tracing::warn!(pinned = ?pinned, now = ?now, "the session this orchestrator served is gone");
            Error::failed(format!("session {} ({pinned:?}) is gone", runner.session))
        };
        let Some((before, panes, after)) = listed else { return Err(ended(self, None)) };
        if Some(&before) != pinned.as_ref() {
            return Err(ended(self, Some(before)));
        }
        if Some(&after) != pinned.as_ref() {
            return Err(ended(self, Some(after)));
        }
        Ok(panes)
    }
}

/// Where a tick's time went, logged (debug) when the tick was slow.
struct Phases {
    started: std::time::Instant,
    last: std::time::Instant,
    marks: Vec<(&'static str, u64)>,
}

impl Phases {
    fn start() -> Phases {
        let now = std::time::Instant::now();
        Phases { started: now, last: now, marks: Vec::with_capacity(8) }
    }

    fn mark(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.marks.push((phase, (now - self.last).as_millis() as u64));
        self.last = now;
    }

    fn log_if_slow(&self, actions: usize) {
        if self.started.elapsed() >= SLOW_LOOK {
            tracing::debug!(ms = self.started.elapsed().as_millis() as u64, actions, phases = ?self.marks, "slow tick phases");
        }
    }
}

/// A long-running process of many small allocations: transparent huge pages only inflate
/// it (2 MiB at a touch under mimalloc's eagerly committed arenas; a 32-agent mission
/// peaked at 99 MiB with them, 55 MiB without). Inherited only by the short-lived tmux
/// clients the orchestrator runs: it never starts the tmux server or an agent.
fn no_huge_pages() {
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory.
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

/// The `command` of each pane in ide.yml, by title (user-defined profiles match on it).
pub(crate) fn pane_commands(config: &Config) -> HashMap<String, String> {
    config.panes().filter_map(|p| Some((p.title.clone(), p.command.clone()?))).collect()
}
