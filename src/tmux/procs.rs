//! The processes a session's panes started, and ending them for good. Some agents ignore
//! the hangup tmux sends when their pane dies (Gemini CLI's node processes live on under
//! pid 1), so `stop` collects the panes' process trees *before* killing the session —
//! once re-parented they can no longer be found — and afterwards ends whatever of them
//! still runs: TERM, then KILL after a bound.
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One process, identified by pid and start time so a recycled pid is never signalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proc {
    pub pid: u32,
    /// Start time in the platform's own unit (clock ticks since boot on Linux).
    pub start: u64,
}

/// `roots` and all their descendants in a `(pid, parent pid)` table, roots first; a root
/// missing from the table is left out.
pub fn tree(table: &[(u32, u32)], roots: &[u32]) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for &(pid, ppid) in table {
        children.entry(ppid).or_default().push(pid);
    }
    let mut out: Vec<u32> =
        roots.iter().copied().filter(|r| table.iter().any(|&(p, _)| p == *r)).collect();
    let mut i = 0;
    while i < out.len() {
        for &child in children.get(&out[i]).map(Vec::as_slice).unwrap_or(&[]) {
            // A pid can appear once only, so a malformed table cannot loop forever.
            if !out.contains(&child) {
                out.push(child);
            }
        }
        i += 1;
    }
    out
}

/// The live processes under `roots` (the roots included), as they are now.
pub fn descendants(roots: &[u32]) -> Vec<Proc> {
    let table = table();
    let starts: HashMap<u32, u64> = table.iter().map(|p| (p.pid, p.start)).collect();
    let pairs: Vec<(u32, u32)> = table.iter().map(|p| (p.pid, p.ppid)).collect();
    tree(&pairs, roots).into_iter().map(|pid| Proc { pid, start: starts[&pid] }).collect()
}

/// Ends every process of `procs` that still runs: TERM, up to `grace` to exit, then KILL
/// and up to `grace` again. Returns those still running after that (normally none).
pub fn terminate(procs: &[Proc], grace: Duration) -> Vec<Proc> {
    let alive = |list: &[Proc]| list.iter().copied().filter(running).collect::<Vec<_>>();
    let mut left = alive(procs);
    for signal in [libc::SIGTERM, libc::SIGKILL] {
        for p in &left {
            // SAFETY: kill has no memory preconditions; the pid was just checked to be the
            // same process (start time), so a recycled pid is not hit.
            unsafe {
                libc::kill(p.pid as libc::pid_t, signal);
            }
        }
        let deadline = Instant::now() + grace;
        while !left.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            left = alive(&left);
        }
        if left.is_empty() {
            break;
        }
    }
    left
}

/// Whether `p` still runs: the same pid with the same start time, and not a zombie
/// (a zombie has exited; only its parent's wait is missing).
pub fn running(p: &Proc) -> bool {
    table().iter().any(|e| e.pid == p.pid && e.start == p.start && !e.zombie)
}

#[derive(Debug, Clone)]
struct Entry {
    pid: u32,
    ppid: u32,
    start: u64,
    zombie: bool,
}

/// Every process on the machine, from `/proc/<pid>/stat`.
#[cfg(target_os = "linux")]
fn table() -> Vec<Entry> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        parse_stat(pid, &std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
    })
    .collect()
}

/// `pid (comm) state ppid … starttime …`: comm may hold spaces and parentheses, so the
/// fields are counted from the last `)`.
#[cfg(any(target_os = "linux", test))]
fn parse_stat(pid: u32, stat: &str) -> Option<Entry> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After comm: state is field 3 of stat(5), ppid 4, starttime 22.
    let state = *fields.first()?;
    let ppid = fields.get(1)?.parse().ok()?;
    let start = fields.get(19)?.parse().ok()?;
    Some(Entry { pid, ppid, start, zombie: state == "Z" || state == "X" })
}

/// Every process on the machine, from `ps` (no `/proc` here); the start time is `ps`'s
/// own `lstart` text, hashed, which is enough to tell a recycled pid.
#[cfg(not(target_os = "linux"))]
fn table() -> Vec<Entry> {
    use std::hash::{Hash, Hasher};
    let Ok(out) =
        std::process::Command::new("ps").args(["-A", "-o", "pid=,ppid=,stat=,lstart="]).output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let pid = words.next()?.parse().ok()?;
            let ppid = words.next()?.parse().ok()?;
            let zombie = words.next()?.starts_with('Z');
            let mut h = std::collections::hash_map::DefaultHasher::new();
            words.collect::<Vec<_>>().join(" ").hash(&mut h);
            Some(Entry { pid, ppid, start: h.finish(), zombie })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_holds_the_roots_and_every_descendant_but_nothing_else() {
        let table = [(1, 0), (10, 1), (11, 10), (12, 11), (13, 10), (20, 1), (21, 20)];
        assert_eq!(tree(&table, &[10]), [10, 11, 13, 12]);
        assert_eq!(tree(&table, &[10, 20, 99]), [10, 20, 11, 13, 21, 12]);
    }

    #[test]
    fn a_parent_loop_in_the_table_does_not_hang() {
        assert_eq!(tree(&[(5, 6), (6, 5)], &[5]), [5, 6]);
    }

    #[test]
    fn stat_lines_are_read_past_a_command_name_with_spaces_and_parentheses() {
        let stat =
            "4242 (evil) name) S 17 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2";
        let e = parse_stat(4242, stat).unwrap();
        assert_eq!((e.ppid, e.start, e.zombie), (17, 987654, false));
        let zombie = "7 (sh) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0";
        assert!(parse_stat(7, zombie).unwrap().zombie);
    }

    #[test]
    fn a_child_that_ignores_hangup_and_term_is_killed_and_the_others_just_end() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "trap '' HUP TERM; sleep 30"])
            .spawn()
            .expect("sh runs");
        let procs = descendants(&[child.id()]);
        assert!(!procs.is_empty());
        // Wait until sh has set its traps (it has forked sleep by then).
        let deadline = Instant::now() + Duration::from_secs(5);
        while descendants(&[child.id()]).len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let procs = descendants(&[child.id()]);
        assert_eq!(procs.len(), 2, "{procs:?}");
        let left = terminate(&procs, Duration::from_millis(300));
        let _ = child.wait();
        assert!(left.is_empty(), "{left:?}");
        assert!(procs.iter().all(|p| !running(p)));
    }
}
