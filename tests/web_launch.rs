//! The dashboard as part of a session: ide.yml's `dashboard` key (checked like every
//! other key), the `dashboard` window `tmux-ide` opens, and `/api/send` into a real pane.
use std::time::Duration;

use crate::common::{TmuxServer, wait_for};
use crate::tmux_support::{project, root, up, window_command};
use crate::web_support::{Dashboard, free_port};

#[test]
fn the_dashboard_key_is_checked_with_nearest_key_hints() {
    let p = project("rows:\n  - panes: [{title: Shell}]\ndashboard:\n  enabld: true\n");
    let out = p.run(&["config", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dashboard.enabld: unknown key (did you mean `enabled`?)"), "{err}");
    let p = project("rows:\n  - panes: [{title: Shell}]\ndashbord:\n  enabled: true\n");
    let err = String::from_utf8_lossy(&p.run(&["config", "validate"]).stderr).into_owned();
    assert!(err.contains("dashbord: unknown key (did you mean `dashboard`?)"), "{err}");
    let p =
        project("rows:\n  - panes: [{title: Shell}]\ndashboard:\n  enabled: true\n  port: 8123\n");
    p.ok(&["config", "validate"]);
    let p = project("rows:\n  - panes: [{title: Shell}]\ndashboard:\n  port: 70000\n");
    let err = String::from_utf8_lossy(&p.run(&["config", "validate"]).stderr).into_owned();
    assert!(err.contains("dashboard.port: 70000 is not a port"), "{err}");
}

#[test]
fn an_enabled_dashboard_gets_its_own_window_serving_on_the_configured_port() {
    let port = free_port();
    let p = project(&format!(
        "name: dash\nrows:\n  - panes: [{{title: Shell}}]\ndashboard:\n  enabled: true\n  port: {port}\n"
    ));
    let server = TmuxServer::new();
    let out = up(&p, &server);
    assert!(out.contains(&format!("dashboard on http://127.0.0.1:{port}/")), "{out}");
    let line = window_command(&server, "dash", "dashboard");
    for part in [
        "tmux-ide -C",
        &root(&p),
        &format!("--tmux-socket {}", server.socket),
        &format!("dashboard --port {port}"),
    ] {
        assert!(line.contains(part), "missing {part:?} in {line}");
    }
    let mission = wait_for("the dashboard window to serve", Duration::from_secs(10), || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        use std::io::{Read, Write};
        write!(
            s,
            "GET /api/mission HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).ok()?;
        text.starts_with("HTTP/1.1 200").then_some(text)
    });
    assert!(mission.contains("\"activity\""), "{mission}");
}

#[test]
fn send_pastes_into_a_real_pane_with_the_token() {
    let p = project(
        "name: dashsend\nrows:\n  - panes: [{title: Shell, command: \"bash --norc --noprofile\"}]\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let d = Dashboard::start(&p, &["--allow-writes", "--tmux-socket", &server.socket]);
    let token = p.read(".tmux-ide/run/dashboard.token").trim().to_string();
    let h = [("X-Tmux-Ide-Token", token.as_str())];
    let r = d.request("POST", "/api/send", &h, r#"{"pane":"Shell","text":"echo dash-$((6*7))"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["pane"].as_str().unwrap().starts_with('%'));
    wait_for("the pasted command's output", Duration::from_secs(10), || {
        server.capture("=dashsend:ide").contains("dash-42").then_some(())
    });
    let r = d.request("POST", "/api/send", &h, r#"{"pane":"Nobody","text":"x"}"#);
    assert!(r.error(400).contains("Nobody"));
}
