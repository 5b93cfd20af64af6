// tmux-ide dashboard: renders the server's snapshot and event stream (server-sent
// events, no polling). Plain DOM, no framework, no build step; every text goes in as
// textContent, so titles and evidence can never inject markup.
"use strict";

const $ = (sel) => document.querySelector(sel);
const MAX_EVENTS = 200;
let lastEventId = 0;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else node.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function fill(parent, nodes) {
  parent.replaceChildren(...nodes);
}

function duration(secs) {
  if (secs === null || secs === undefined) return "—";
  if (secs < 60) return `${secs}s`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m ${secs % 60}s`;
  return `${Math.floor(secs / 3600)}h ${Math.floor((secs % 3600) / 60)}m`;
}

const pct = (f) => `${Math.round((f || 0) * 100)}%`;
const time = (ts) => (ts ? new Date(ts).toLocaleTimeString() : "");

function renderMission(m) {
  $("#mission-title").textContent = m.title || "no mission yet";
  document.title = `${m.title || "tmux-ide"} — dashboard`;
  const status = $("#mission-status");
  status.textContent = m.status || "";
  status.className = `badge s-${m.status || "none"}`;
  $("#mission-desc").textContent = m.description || "";
  $("#activity").textContent = m.activity ? m.activity.text : "";
  const t = m.totals;
  const a = t.assertions;
  fill($("#totals"), [
    el("span", {}, `milestones ${t.milestones_done}/${t.milestones_total}`),
    el("span", {}, `tasks ${t.tasks_done}/${t.tasks_total} (${pct(t.progress)})`),
    el("span", {}, `assertions ${a.passing} passing · ${a.failing} failing · ${a.pending} pending`),
  ]);
  fill($("#milestones"), m.milestones.map((ms) => el("li", { "data-milestone": ms.id, "data-status": ms.status },
    el("strong", {}, `${ms.id} `), ms.title,
    el("div", { class: "muted" }, `${ms.status} · ${ms.tasks_done}/${ms.tasks_total} tasks`,
      ms.validation ? ` · round ${ms.validation.round}: ${ms.validation.reported}/${ms.validation.total}` : ""),
    el("div", { class: "bar" }, el("span", { style: `width:${pct(ms.progress)}` })))));
}

function renderBoard(tasks) {
  for (const col of document.querySelectorAll("#board .col")) {
    const mine = tasks.filter((t) => t.status === col.dataset.status);
    col.querySelector(".count").textContent = `(${mine.length})`;
    fill(col.querySelector("ul"), mine.map((t) => el("li", {
      class: "card", "data-task": t.id, "data-status": t.status,
      "data-blocked": t.blocked_by.length > 0 && t.status === "todo",
    },
    el("div", {}, el("span", { class: "id" }, t.id), t.title),
    el("div", { class: "meta" },
      el("span", { title: "priority" }, `P${t.priority}`),
      t.milestone && el("span", {}, t.milestone),
      t.specialty && el("span", { title: "specialty" }, t.specialty),
      t.assignee && el("span", { title: "assignee" }, `@${t.assignee}`),
      t.depends.length > 0 && el("span", { title: "depends on" }, `needs ${t.depends.join(", ")}`),
      t.blocked_by.length > 0 && t.status === "todo" && el("span", {}, `blocked by ${t.blocked_by.join(", ")}`),
      t.fulfills.length > 0 && el("span", { title: "fulfils" }, t.fulfills.join(", "))),
    t.blocked_reason && el("div", { class: "proof s-blocked" }, `blocked: ${t.blocked_reason}`),
    t.proof && el("div", { class: "proof" }, `proof: ${t.proof}`),
    t.git && diffView(t))));
  }
}

// A done task's merged change (isolation): its diffstat, and the diff when opened.
function diffView(t) {
  const g = t.git;
  const pre = el("pre", { class: "diff" });
  const box = el("details", { class: "diffstat" },
    el("summary", {}, `${g.files_changed} files, +${g.insertions} -${g.deletions}`), pre);
  box.addEventListener("toggle", async () => {
    if (!box.open || pre.textContent) return;
    const r = await fetch(`/api/tasks/${encodeURIComponent(t.id)}/diff`);
    pre.textContent = r.ok ? (await r.json()).diff : "diff unavailable";
  });
  return box;
}

function renderAgents(report) {
  fill($("#agents tbody"), report.agents.map((a) => {
    const cur = a.current;
    const work = !cur ? "" : cur.task ? `task ${cur.task} (${duration(cur.elapsed_secs)})`
      : `validating ${cur.milestone} (${duration(cur.elapsed_secs)})`;
    return el("tr", { "data-pane": a.pane },
      // With several windows (`windows:` in ide.yml), the pane's window comes first.
      el("td", {}, a.window ? `${a.window} · ${a.pane}` : a.pane), el("td", {}, a.role || ""),
      el("td", { class: `s-${a.state}` }, a.state, a.flags.length ? ` (${a.flags.join(", ")})` : ""),
      el("td", {}, work), el("td", {}, a.tasks_done), el("td", {}, pct(a.utilization)));
  }));
}

function renderAssertions(list) {
  fill($("#assertions tbody"), list.map((a) => el("tr", { "data-assertion": a.id },
    el("td", {}, el("strong", {}, a.id), el("div", { class: "muted" }, a.text)),
    el("td", {}, a.milestone || "—"),
    el("td", { class: `s-${a.status}` }, a.status),
    el("td", {}, a.evidence, a.reporter ? el("div", { class: "muted" }, `${a.reporter} ${time(a.updated)}`) : ""),
    el("td", {}, a.covered_by.length ? a.covered_by.join(", ") : "not covered"))));
}

function renderMetrics(m) {
  const rows = [
    ["tasks", `${m.tasks.done} done · ${m.tasks.in_progress} in progress · ${m.tasks.todo} todo`],
    ["completion", pct(m.completion_rate)],
    ["throughput", `${m.throughput_per_hour.toFixed(1)} tasks/h`],
    ["median task", m.durations ? duration(m.durations.median_secs) : "—"],
    ["ETA", m.eta_secs === null ? "—" : duration(m.eta_secs)],
    ["validation", `${m.validation.rounds} rounds · ${m.validation.passed} passed · ${m.validation.failed} failed`],
    ["remediations", `${m.remediations} (${m.remediations_open} open)`],
  ];
  if (m.cost) {
    const c = m.cost;
    const unpriced = c.unpriced_tokens ? ` (+${c.unpriced_tokens} tokens at unknown prices)` : "";
    rows.push(["cost", `$${c.cost_usd.toFixed(2)} for ${c.tokens} tokens${unpriced}`]);
    if (c.budget !== "under") {
      const what = c.budget === "exhausted" ? "EXHAUSTED: no new dispatches" : "at 80%";
      rows.push(["budget", `${what}${c.budget_note ? ` (${c.budget_note})` : ""}`]);
    }
  }
  fill($("#metrics"), rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const pts = m.completion;
  const total = Math.max(1, m.tasks.total - m.tasks.cancelled);
  const chart = $("#chart");
  if (pts.length < 1) { chart.replaceChildren(); return; }
  const t0 = Date.parse(pts[0].ts);
  const t1 = Math.max(Date.now(), Date.parse(pts[pts.length - 1].ts));
  const span = Math.max(1, t1 - t0);
  const xy = pts.map((p) => [((Date.parse(p.ts) - t0) / span) * 300, 100 - (p.done / total) * 96]);
  xy.push([300, xy[xy.length - 1][1]]);
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "));
  chart.replaceChildren(line);
}

function render(snap) {
  const err = $("#error");
  if (snap.error) {
    err.textContent = snap.error;
    err.hidden = false;
    return;
  }
  err.hidden = true;
  renderMission(snap.mission);
  renderBoard(snap.tasks);
  renderAgents(snap.agents);
  renderAssertions(snap.assertions);
  renderMetrics(snap.metrics);
}

function addEvent(e) {
  if (e.id <= lastEventId) return;
  lastEventId = e.id;
  const list = $("#events");
  list.prepend(el("li", { "data-event": e.id },
    el("span", { class: "ts" }, time(e.ts)), el("span", {}, e.text)));
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

function setConn(state, text) {
  const c = $("#conn");
  c.dataset.state = state;
  c.textContent = text;
}

// The browser reconnects by itself and sends Last-Event-ID; if it gives up (the server
// answered an error while restarting), start a new stream from the last event seen.
function connect() {
  const es = new EventSource(`/api/stream?since=${lastEventId}`);
  es.addEventListener("snapshot", (m) => render(JSON.parse(m.data)));
  es.addEventListener("event", (m) => addEvent(JSON.parse(m.data)));
  es.onopen = () => setConn("live", "live");
  es.onerror = () => {
    setConn("reconnecting", "reconnecting…");
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  };
}

async function start() {
  try {
    const res = await fetch("/api/events?limit=100");
    const body = await res.json();
    for (const e of body.events) addEvent(e);
    lastEventId = body.last_id;
  } catch (e) {
    setConn("reconnecting", "server unreachable");
  }
  connect();
}

start();
