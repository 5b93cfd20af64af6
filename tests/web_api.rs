//! The dashboard's API against a real server on an ephemeral loopback port: every
//! route, the stream and its resumption, the token and origin rules, bad input (4xx, a
//! JSON error, nothing written), a taken port, and a clean shutdown.
use std::time::{Duration, Instant};

use crate::common::TestProject;
use crate::store_seed::plan_auth_v2;
use crate::web_support::{Dashboard, event_lines, free_port};

fn seeded() -> TestProject {
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.ok(&["mission", "plan-complete"]);
    p
}

/// The store's files, to prove a request wrote nothing.
fn store_bytes(p: &TestProject) -> (String, String) {
    (p.read(".tasks/tasks.json"), p.read(".tasks/events.jsonl"))
}

#[test]
fn every_read_route_answers_json_about_the_seed_mission() {
    let p = seeded();
    let d = Dashboard::start(&p, &[]);
    let mission = d.get_json("/api/mission");
    assert_eq!(mission["title"], "Auth v2");
    assert_eq!(mission["status"], "active");
    let milestones = d.get_json("/api/milestones");
    let ids: Vec<&str> =
        milestones.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["M1", "M2", "M3"]);
    assert_eq!(milestones[0]["status"], "active");
    let tasks = d.get_json("/api/tasks");
    assert_eq!(tasks.as_array().unwrap().len(), 8);
    assert_eq!(tasks[2]["id"], "003");
    assert_eq!(tasks[2]["blocked_by"], serde_json::json!(["001", "002"]));
    assert_eq!(tasks[0]["ready"], true);
    let assertions = d.get_json("/api/assertions");
    assert_eq!(assertions.as_array().unwrap().len(), 6);
    assert_eq!(assertions[0]["id"], "VAL-AUTH-001");
    assert_eq!(assertions[0]["covered_by"], serde_json::json!(["002", "003"]));
    assert_eq!(assertions[0]["milestone"], "M2");
    assert_eq!(assertions[0]["status"], "pending");
    let agents = d.get_json("/api/agents");
    assert!(agents["agents"].is_array(), "{agents}");
    let metrics = d.get_json("/api/metrics");
    assert_eq!(metrics["tasks"]["total"], 8);
    assert!(metrics["completion"].is_array(), "{metrics}");
    let events = d.get_json("/api/events");
    let all = events["events"].as_array().unwrap();
    assert_eq!(all.len(), event_lines(&p));
    assert_eq!(events["last_id"], event_lines(&p));
    assert_eq!(all[0]["id"], 1);
    assert_eq!(all[0]["type"], "mission_set");
    let since = d.get_json("/api/events?since=10&limit=2");
    let ids: Vec<u64> =
        since["events"].as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect();
    let n = event_lines(&p) as u64;
    assert_eq!(ids, [n - 1, n]);
    let page = d.get("/");
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    assert!(page.body.contains("id=\"board\""));
    for asset in ["/app.js", "/style.css"] {
        assert_eq!(d.get(asset).status, 200, "{asset}");
    }
}

#[test]
fn the_openapi_document_describes_every_route_and_each_answers() {
    let p = seeded();
    let d = Dashboard::start(&p, &[]);
    let doc = d.get_json("/api/openapi.json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for want in [
        "/api/mission",
        "/api/milestones",
        "/api/tasks",
        "/api/assertions",
        "/api/agents",
        "/api/metrics",
        "/api/events",
        "/api/stream",
        "/api/send",
        "/api/assertions/{id}",
    ] {
        assert!(paths.contains_key(want), "{want} missing");
    }
    for (path, item) in paths {
        let concrete = path.replace("{id}", "VAL-AUTH-001");
        for method in item.as_object().unwrap().keys() {
            let status = match method.as_str() {
                "get" if path == "/api/stream" => {
                    let s = d.stream(&concrete, &[]);
                    s.head.split(' ').nth(1).unwrap().parse().unwrap()
                }
                "get" => d.get(&concrete).status,
                // Read-only server: every write answers 403, never 404 or 405.
                "post" => d.request("POST", &concrete, &[], "{}").status,
                other => panic!("unexpected method {other}"),
            };
            let want = if method == "get" { 200 } else { 403 };
            assert_eq!(status, want, "{method} {path}");
        }
    }
}

#[test]
fn writes_are_refused_without_allow_writes_and_nothing_is_written() {
    let p = seeded();
    let before = store_bytes(&p);
    let d = Dashboard::start(&p, &[]);
    let r = d.request("POST", "/api/tasks", &[], r#"{"title":"Sneaky"}"#);
    assert!(r.error(403).contains("--allow-writes"));
    let r = d.request("POST", "/api/assertions/VAL-AUTH-001", &[], r#"{"status":"passing"}"#);
    r.error(403);
    assert_eq!(store_bytes(&p), before);
    assert!(!p.path().join(".tmux-ide/run/dashboard.token").exists());
}

#[test]
fn writes_need_the_token_from_the_run_directory() {
    let p = seeded();
    let mut d = Dashboard::start(&p, &["--allow-writes"]);
    let token_file = p.path().join(".tmux-ide/run/dashboard.token");
    let token = std::fs::read_to_string(&token_file).unwrap().trim().to_string();
    assert_eq!(token.len(), 32);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o077, 0);
    let before = store_bytes(&p);
    let body = r#"{"title":"Add logout","milestone":"M2","specialty":"backend","priority":2,"fulfills":["VAL-AUTH-003"]}"#;
    d.request("POST", "/api/tasks", &[], body).error(401);
    d.request("POST", "/api/tasks", &[("X-Tmux-Ide-Token", "0123")], body).error(401);
    assert_eq!(store_bytes(&p), before, "refused writes changed the store");

    let r = d.request("POST", "/api/tasks", &[("X-Tmux-Ide-Token", &token)], body);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["id"], "009");
    let shown: serde_json::Value =
        serde_json::from_str(&p.ok(&["--json", "task", "show", "9"])).unwrap();
    assert_eq!(shown["title"], "Add logout");
    assert_eq!(shown["fulfills"], serde_json::json!(["VAL-AUTH-003"]));

    let r = d.request(
        "POST",
        "/api/assertions/VAL-AUTH-002",
        &[("X-Tmux-Ide-Token", &token)],
        r#"{"status":"failing","evidence":"401 missing","pane":"Validator"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let a = d.get_json("/api/assertions");
    let row = a.as_array().unwrap().iter().find(|a| a["id"] == "VAL-AUTH-002").unwrap().clone();
    assert_eq!(
        (row["status"].as_str(), row["evidence"].as_str()),
        (Some("failing"), Some("401 missing"))
    );
    assert_eq!(row["reporter"], "Validator");

    // No tmux session for this project: a clear 409, nothing sent.
    let r = d.request(
        "POST",
        "/api/send",
        &[("X-Tmux-Ide-Token", &token)],
        r#"{"pane":"Backend","text":"hi"}"#,
    );
    assert!(r.error(409).contains("not running"));

    assert!(d.terminate(Duration::from_secs(5)).success());
    assert!(!token_file.exists(), "the token outlived the server");
}

#[test]
fn requests_from_other_origins_or_host_names_are_refused() {
    let p = seeded();
    let d = Dashboard::start(&p, &["--allow-writes"]);
    let token = p.read(".tmux-ide/run/dashboard.token").trim().to_string();
    let before = store_bytes(&p);
    let evil = [("Origin", "http://evil.example"), ("X-Tmux-Ide-Token", token.as_str())];
    let msg = d.request("POST", "/api/tasks", &evil, r#"{"title":"From elsewhere"}"#).error(403);
    assert!(msg.contains("cross-origin"), "{msg}");
    d.request("GET", "/api/tasks", &evil[..1], "").error(403);
    d.request("GET", "/api/stream", &evil[..1], "").error(403);
    // Same host, other port: another origin too.
    let other_port = format!("http://127.0.0.1:{}", free_port());
    d.request("GET", "/api/tasks", &[("Origin", &other_port)], "").error(403);
    d.request("GET", "/app.js", &[("Sec-Fetch-Site", "cross-site")], "").error(403);
    // DNS rebinding: a name that resolves here but is not ours.
    d.request("GET", "/api/mission", &[("Host", "attacker.example")], "").error(403);
    assert_eq!(store_bytes(&p), before);

    let own = format!("http://{}", d.addr);
    assert_eq!(d.request("GET", "/api/tasks", &[("Origin", &own)], "").status, 200);
    let ok = [("Origin", own.as_str()), ("X-Tmux-Ide-Token", token.as_str())];
    assert_eq!(d.request("POST", "/api/tasks", &ok, r#"{"title":"Same origin"}"#).status, 201);
}

#[test]
fn bad_input_is_a_4xx_json_error_and_writes_nothing() {
    let p = seeded();
    let d = Dashboard::start(&p, &["--allow-writes"]);
    let token = p.read(".tmux-ide/run/dashboard.token").trim().to_string();
    let h = [("X-Tmux-Ide-Token", token.as_str())];
    let before = store_bytes(&p);
    let cases: [(&str, &str, &str, &str); 13] = [
        ("POST", "/api/tasks", "{not json", "bad JSON"),
        ("POST", "/api/tasks", r#"{"title":"x\n## Task 9"}"#, "title contains the control"),
        ("POST", "/api/tasks", r#"{"title":"x","goal":"a\tb"}"#, "goal contains the control"),
        ("POST", "/api/tasks", r#"{"title":"x","colour":"red"}"#, "unknown field"),
        ("POST", "/api/tasks", r#"{"milestone":"M1"}"#, "title"),
        ("POST", "/api/tasks", r#"{"title":"x","priority":12}"#, "priority"),
        ("POST", "/api/tasks", r#"{"title":"x","milestone":"M9"}"#, "M9"),
        (
            "POST",
            "/api/tasks",
            r#"{"title":"x","depends":["042"]}"#,
            "depends: unknown task \"042\"",
        ),
        ("POST", "/api/tasks", r#"{"title":"x","fulfills":["VAL-NOPE-001"]}"#, "VAL-NOPE-001"),
        ("POST", "/api/assertions/VAL-NOPE-001", r#"{"status":"passing"}"#, "VAL-NOPE-001"),
        ("POST", "/api/assertions/VAL-AUTH-001", r#"{"status":"great"}"#, "great"),
        ("POST", "/api/send", r#"{"pane":"","text":"x"}"#, "pane"),
        ("POST", "/api/send", r#"{"text":"x"}"#, "pane"),
    ];
    for (method, path, body, want) in cases {
        let r = d.request(method, path, &h, body);
        assert!(r.status == 400, "{method} {path} {body}: status {} {}", r.status, r.body);
        let msg = r.error(400);
        assert!(msg.contains(want), "{path} {body}: {msg:?} lacks {want:?}");
    }
    for path in [
        "/api/events?since=abc",
        "/api/events?limit=0",
        "/api/events?colour=1",
        "/api/stream?since=-1",
    ] {
        d.get(path).error(400);
    }
    d.request("GET", "/api/stream", &[("Last-Event-ID", "soon")], "").error(400);
    d.get("/api/nothing-here").error(404);
    d.request("DELETE", "/api/tasks", &h, "").error(405);
    assert_eq!(store_bytes(&p), before, "bad input changed the store");
}

#[test]
fn the_stream_sends_a_snapshot_then_each_new_event_with_its_line_number() {
    let p = seeded();
    let d = Dashboard::start(&p, &[]);
    let mut s = d.stream("/api/stream", &[]);
    assert!(s.head.starts_with("HTTP/1.1 200"), "{}", s.head);
    assert!(s.head.to_ascii_lowercase().contains("content-type: text/event-stream"), "{}", s.head);
    let first = s.next(Duration::from_secs(5)).expect("a first message");
    assert_eq!(first.event, "snapshot");
    let snap: serde_json::Value = serde_json::from_str(&first.data).unwrap();
    assert_eq!(snap["mission"]["title"], "Auth v2");
    assert_eq!(snap["tasks"].as_array().unwrap().len(), 8);

    let changed = Instant::now();
    p.ok(&["task", "done", "001", "--proof", "schema migrated"]);
    let ev = s.next_of("event", Duration::from_secs(5)).expect("the task_done event");
    let took = changed.elapsed();
    let data: serde_json::Value = serde_json::from_str(&ev.data).unwrap();
    assert_eq!(data["type"], "task_done");
    assert_eq!(data["task"], "001");
    assert_eq!(ev.id.as_deref(), Some(event_lines(&p).to_string().as_str()));
    assert!(took < Duration::from_secs(2), "event took {took:?} (the CLI included)");
    let snap = s.next_of("snapshot", Duration::from_secs(5)).expect("a new snapshot");
    let snap: serde_json::Value = serde_json::from_str(&snap.data).unwrap();
    assert_eq!(snap["tasks"][0]["status"], "done");
}

#[test]
fn a_client_that_reconnects_with_last_event_id_gets_exactly_what_it_missed() {
    let p = seeded();
    let d = Dashboard::start(&p, &[]);
    let n = event_lines(&p);
    let since = (n - 2).to_string();
    for headers in [vec![("Last-Event-ID", since.as_str())], vec![]] {
        let path = if headers.is_empty() {
            format!("/api/stream?since={since}")
        } else {
            "/api/stream".into()
        };
        let mut s = d.stream(&path, &headers);
        assert_eq!(s.next(Duration::from_secs(5)).unwrap().event, "snapshot");
        let ids: Vec<String> = (0..2)
            .map(|_| s.next_of("event", Duration::from_secs(5)).unwrap().id.unwrap())
            .collect();
        assert_eq!(ids, [(n - 1).to_string(), n.to_string()]);
        p.ok(&["task", "claim", "001", "--pane", "Backend"]);
        let next = s.next_of("event", Duration::from_secs(5)).unwrap();
        assert!(next.id.unwrap().parse::<usize>().unwrap() > n);
        p.ok(&["task", "update", "001", "--status", "todo"]);
    }
}

#[test]
fn a_taken_port_is_a_clear_error_and_port_0_picks_one() {
    let p = seeded();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = p.run(&["dashboard", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("port {port} on 127.0.0.1 is already in use")), "{err}");
    assert!(err.contains("--port 0"), "{err}");
    let d = Dashboard::start(&p, &[]);
    assert!(d.addr.starts_with("127.0.0.1:") && !d.addr.ends_with(":0"), "{}", d.addr);
}

#[test]
fn sigterm_stops_the_server_cleanly_while_a_stream_is_open() {
    let p = seeded();
    let mut d = Dashboard::start(&p, &[]);
    let mut s = d.stream("/api/stream", &[]);
    assert_eq!(s.next(Duration::from_secs(5)).unwrap().event, "snapshot");
    let status = d.terminate(Duration::from_secs(5));
    assert!(status.success(), "{status}");
    // The kernel closes the socket of any dead process; a clean stop also ends the
    // chunked stream with its last (empty) chunk, which a killed server never sends.
    assert!(s.head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "{}", s.head);
    let rest = s.rest_until_closed(Duration::from_secs(2)).expect("the stream is closed");
    assert!(
        rest.ends_with(b"0\r\n\r\n"),
        "the stream was cut, not ended: {:?}",
        String::from_utf8_lossy(&rest)
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut d.stdout, &mut rest).unwrap();
    assert!(rest.contains("dashboard stopped"), "{rest}");
}
