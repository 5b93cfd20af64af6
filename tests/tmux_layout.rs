//! Launching ide.yml layouts as real tmux sessions on private servers.
use crate::common::{TmuxServer, wait_for};
use crate::tmux_support::*;

/// |a - b| ≤ 1 cell.
fn within_one(a: u32, b: f64, what: &str) {
    assert!((f64::from(a) - b).abs() <= 1.0, "{what}: {a} is not within one cell of {b:.1}");
}

#[test]
fn the_missions_layout_builds_six_titled_panes_with_roles_and_sizes() {
    let p = project(&fixture("valid/missions.yml"));
    let server = TmuxServer::new();
    let out = up(&p, &server);
    assert!(out.contains("session missions: 6 panes"), "{out}");
    let panes = panes(&server, "missions");
    assert_eq!(panes.len(), 6, "{panes:#?}");
    let expect = [
        ("Lead", "lead", ""),
        ("Frontend", "teammate", "frontend"),
        ("Backend", "teammate", "backend"),
        ("Validator", "validator", ""),
        ("Researcher", "researcher", "research"),
        ("Shell", "shell", ""),
    ];
    for (title, role, specialty) in expect {
        let pane = pane(&panes, title);
        assert_eq!((pane.role.as_str(), pane.specialty.as_str()), (role, specialty), "{title}");
    }
    assert_eq!(pane(&panes, "Shell").agent, "shell");
    assert_eq!(pane(&panes, "Lead").agent, "claude");
    assert!(pane(&panes, "Lead").active, "focus: true selects Lead");

    // Rows: 70% / 30% of the rows' height, within one cell; rows are ordered.
    let top: Vec<&Pane> = expect[..3].iter().map(|e| pane(&panes, e.0)).collect();
    let bottom: Vec<&Pane> = expect[3..].iter().map(|e| pane(&panes, e.0)).collect();
    let (h_top, h_bottom) = (top[0].height, bottom[0].height);
    within_one(h_top, 0.7 * f64::from(h_top + h_bottom), "top row height");
    within_one(h_bottom, 0.3 * f64::from(h_top + h_bottom), "bottom row height");
    assert!(top.iter().all(|p| p.height == h_top && p.top < bottom[0].top));
    assert!(bottom.iter().all(|p| p.height == h_bottom));
    // Panes of a row: equal widths within one cell, left to right in ide.yml order.
    for row in [&top, &bottom] {
        let widths: Vec<u32> = row.iter().map(|p| p.width).collect();
        let (min, max) = (widths.iter().min().unwrap(), widths.iter().max().unwrap());
        assert!(max - min <= 1, "unequal widths {widths:?}");
        assert!(row.windows(2).all(|w| w[0].left < w[1].left), "order {row:#?}");
    }
    // Titles in the borders come from @ide_title.
    let border =
        server.tmux_ok(&["show-options", "-w", "-v", "-t", "=missions:ide", "pane-border-format"]);
    assert!(border.contains("#{@ide_title}"), "{border}");
    // Session options for later lookup.
    let opts = server.tmux_ok(&[
        "display-message",
        "-p",
        "-t",
        "=missions:",
        "#{@ide_project}|#{@ide_config_hash}",
    ]);
    let (project_dir, hash) = opts.trim().split_once('|').unwrap();
    assert_eq!(project_dir, root(&p));
    assert_eq!(hash.len(), 16, "{opts}");
}

#[test]
fn the_orchestrator_window_runs_this_executable_with_the_private_socket() {
    let p = project(&fixture("valid/missions.yml"));
    let server = TmuxServer::new();
    up(&p, &server);
    let orch = window_command(&server, "missions", "orchestrator");
    for part in
        ["tmux-ide -C", &root(&p), &format!("--tmux-socket {}", server.socket), "orchestrator run"]
    {
        assert!(orch.contains(part), "missing {part:?} in {orch}");
    }
}

#[test]
fn pane_commands_run() {
    let p = project(&fixture("valid/missions.yml"));
    let server = TmuxServer::new();
    up(&p, &server);
    wait_for("cat to run in every pane", DEADLINE, || {
        let panes = panes(&server, "missions");
        panes.iter().all(|p| p.command == "cat").then_some(())
    });
}

#[test]
fn env_reaches_the_pane_through_tmux_with_the_pane_id_and_project() {
    let layout = "name: envtest\nrows:\n  - panes:\n      - title: Probe\n        command: env > env.out; exec cat\n        env:\n          GREETING: \"hello $(touch HACKED) world;\"\n          PORT: 3000\n      - title: Other\n";
    let p = project(layout);
    let server = TmuxServer::new();
    up(&p, &server);
    let probe = pane(&panes(&server, "envtest"), "Probe").id.clone();
    let env = wait_for_file(&p, "env.out", |t| t.contains("TMUX_IDE_PROJECT="));
    let lines: Vec<&str> = env.lines().collect();
    for want in [
        "GREETING=hello $(touch HACKED) world;".to_string(),
        "PORT=3000".to_string(),
        format!("TMUX_IDE_PANE={probe}"),
        "TMUX_IDE_TITLE=Probe".to_string(),
        format!("TMUX_IDE_PROJECT={}", root(&p)),
    ] {
        assert!(lines.contains(&want.as_str()), "missing {want:?} in:\n{env}");
    }
    assert!(!p.path().join("HACKED").exists());
}

#[test]
fn every_pane_gets_its_own_pane_id_in_tmux_ide_pane() {
    let layout = "name: ids\nrows:\n  - panes:\n      - {title: A, command: 'echo $TMUX_IDE_PANE > a.out; exec cat'}\n      - {title: B, command: 'echo $TMUX_IDE_PANE > b.out; exec cat'}\n  - panes:\n      - {title: C, command: 'echo $TMUX_IDE_PANE > c.out; exec cat'}\n";
    let p = project(layout);
    let server = TmuxServer::new();
    up(&p, &server);
    let panes = panes(&server, "ids");
    for (title, file) in [("A", "a.out"), ("B", "b.out"), ("C", "c.out")] {
        let got = wait_for_file(&p, file, |t| t.ends_with('\n'));
        assert_eq!(got.trim(), pane(&panes, title).id, "{title}");
    }
}

#[test]
fn dir_is_honoured() {
    let layout = "name: dirs\nrows:\n  - panes:\n      - title: Sub\n        dir: sub/inner\n        command: pwd > ../../pwd.out; exec cat\n";
    let p = project(layout);
    std::fs::create_dir_all(p.path().join("sub/inner")).unwrap();
    let server = TmuxServer::new();
    up(&p, &server);
    let pwd = wait_for_file(&p, "pwd.out", |t| t.ends_with('\n'));
    assert_eq!(pwd.trim(), format!("{}/sub/inner", root(&p)));
}

#[test]
fn a_missing_dir_is_bad_input_naming_the_pane() {
    let p = project("rows:\n  - panes:\n      - {title: A, dir: nowhere}\n");
    let server = TmuxServer::new();
    let out = run(&p, &server, &["up", "--detach"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("rows[0].panes[0].dir") && err.contains("nowhere"), "{err}");
    assert!(sessions(&server).is_empty());
}

#[test]
fn relaunching_attaches_to_the_same_session_and_notices_an_edited_ide_yml() {
    let p = project(&fixture("valid/missions.yml"));
    let server = TmuxServer::new();
    up(&p, &server);
    let again = run(&p, &server, &["up", "--detach"]);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already running"));
    assert!(String::from_utf8_lossy(&again.stderr).is_empty());
    assert_eq!(sessions(&server), ["missions"]);
    assert_eq!(panes(&server, "missions").len(), 6);

    p.write("ide.yml", &format!("{}\n# edited\n", fixture("valid/missions.yml")));
    let edited = run(&p, &server, &["up", "--detach"]);
    let err = String::from_utf8_lossy(&edited.stderr);
    assert!(err.contains("ide.yml changed") && err.contains("tmux-ide restart"), "{err}");
    assert_eq!(sessions(&server), ["missions"]);
}

#[test]
fn restart_rebuilds_the_session_from_the_current_ide_yml() {
    let p = project("name: rs\nrows:\n  - panes:\n      - {title: One, command: cat}\n");
    let server = TmuxServer::new();
    up(&p, &server);
    p.write("ide.yml", "name: rs\nrows:\n  - panes:\n      - {title: One, command: cat}\n      - {title: Two, command: cat}\n");
    ok(&p, &server, &["restart", "--detach", "--size", "200x50"]);
    let titles: Vec<String> = panes(&server, "rs").into_iter().map(|p| p.title).collect();
    assert_eq!(titles, ["One", "Two"]);
}

#[test]
fn stop_removes_the_session_and_a_second_stop_says_there_is_nothing_to_stop() {
    let p = project(&fixture("valid/missions.yml"));
    let server = TmuxServer::new();
    up(&p, &server);
    let out = ok(&p, &server, &["stop"]);
    assert!(out.contains("stopped session missions"), "{out}");
    assert!(sessions(&server).is_empty());
    let again = run(&p, &server, &["stop"]);
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8(again.stderr).unwrap();
    assert!(err.contains("session missions is not running"), "{err}");
    assert!(err.trim_end().ends_with(": nothing to stop") && !err.contains("start it"), "{err}");
}

#[test]
fn a_session_name_with_dots_and_colons_works() {
    let p = project("name: web.app:dev\nrows:\n  - panes:\n      - {title: A, command: cat}\n");
    let server = TmuxServer::new();
    let out = up(&p, &server);
    assert!(out.contains("session web_app_dev"), "{out}");
    assert_eq!(sessions(&server), ["web_app_dev"]);
    assert_eq!(panes(&server, "web_app_dev").len(), 1);
    assert!(ok(&p, &server, &["ls"]).contains("web_app_dev"));
    ok(&p, &server, &["stop"]);
    assert!(sessions(&server).is_empty());
}

#[test]
fn the_theme_applies_to_this_session_only() {
    let p = project(
        "name: themed\ntheme: {accent: colour75, border: colour238, bg: black, fg: white}\nrows:\n  - panes:\n      - {title: A, command: cat}\n      - {title: B, command: cat}\n",
    );
    let server = TmuxServer::new();
    server.tmux_ok(&["new-session", "-d", "-s", "bystander", "cat"]);
    let globals = || {
        let w = server.tmux_ok(&["show-options", "-gw"]);
        let s = server.tmux_ok(&["show-options", "-g"]);
        format!("{w}{s}")
    };
    let before = globals();
    up(&p, &server);
    let show = |args: &[&str]| server.tmux_ok(args).trim().to_string();
    let window = ["show-options", "-w", "-v", "-t", "=themed:ide"];
    assert_eq!(show(&[&window[..], &["pane-active-border-style"]].concat()), "fg=colour75");
    assert_eq!(show(&[&window[..], &["pane-border-style"]].concat()), "fg=colour238");
    assert_eq!(show(&["show-options", "-v", "-t", "themed", "status-style"]), "bg=black,fg=white");
    assert_eq!(globals(), before, "global options changed");
    let bystander = show(&["show-options", "-w", "-t", "=bystander:", "pane-active-border-style"]);
    assert!(bystander.is_empty(), "the other session got {bystander:?}");
}

#[test]
fn before_runs_once_when_the_session_is_created() {
    let p = project(
        "name: hook\nbefore: echo ran >> before.log\nrows:\n  - panes:\n      - {title: A, command: cat}\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    up(&p, &server);
    assert_eq!(p.read("before.log"), "ran\n");
}

#[test]
fn titles_and_commands_with_tmux_syntax_stay_literal() {
    let layout = "name: odd\nrows:\n  - panes:\n      - title: \"a;\"\n        command: \"echo done > out.txt; exec cat;\"\n      - title: \"#(touch PWNED) -x\"\n        command: cat\n        dir: \"odd#dir\"\n";
    let p = project(layout);
    std::fs::create_dir(p.path().join("odd#dir")).unwrap();
    let server = TmuxServer::new();
    up(&p, &server);
    let panes = panes(&server, "odd");
    let titles: Vec<&str> = panes.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["a;", "#(touch PWNED) -x"]);
    wait_for_file(&p, "out.txt", |t| t == "done\n");
    let path =
        server.tmux_ok(&["display-message", "-p", "-t", &panes[1].id, "#{pane_current_path}"]);
    assert_eq!(path.trim(), format!("{}/odd#dir", root(&p)));
    assert!(!p.path().join("PWNED").exists());
}
