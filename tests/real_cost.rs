//! What a mission cost, as the real CLIs report it (opt-in: `bench/real-agents.sh cost`,
//! also run with `claude`, `codex` and `gemini`): two workers and a validator run four tasks
//! against the scripted model, which reports distinct usage for every response and logs
//! it; `metrics cost --json` must show, for each task (and the validation round), exactly
//! the tokens the model reported for the requests made while working on it, priced from the
//! table (or unknown for a model without a price). Aider is not here: its screen line
//! rounds (`2.7k sent`).
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::real::{Cli, Run};

/// A priced model name the scripted model answers Claude Code as (it asks for its default,
/// which the table does not know).
const CLAUDE_MODEL: &str = "claude-sonnet-4-5-20250929";
/// Sonnet 4.5's list prices, USD per million: input, output, cache write, cache read.
const SONNET: [f64; 4] = [3.0, 15.0, 3.75, 0.30];
/// Gemini 2.5 Flash's (Gemini CLI's model here); it writes no cache.
const FLASH: [f64; 4] = [0.30, 2.50, 0.30, 0.03];

/// input, output, cache read, cache write.
type Tokens = [u64; 4];

/// The usage the model logged, as the CLI's dialect reports it: the OpenAI and Gemini
/// dialects have no cache writes (the model's `cache_write` figure is not sent).
fn add(sum: &mut Tokens, u: &Value, writes: bool) {
    for (i, k) in ["input", "output", "cache_read", "cache_write"].iter().enumerate() {
        if i < 3 || writes {
            sum[i] += u[k].as_u64().unwrap();
        }
    }
}

/// The usage the model reported, by marker, for the agent's own turns (`prompt` and
/// `followup` requests) and for the side requests (titles and the like) apart.
fn reported(requests: &[Value]) -> (BTreeMap<String, Tokens>, BTreeMap<String, Tokens>) {
    let writes = requests.iter().any(|r| r["dialect"] == "anthropic");
    let (mut turns, mut side) = (BTreeMap::new(), BTreeMap::new());
    for r in requests.iter().filter(|r| r["usage"].is_object()) {
        let marker = r["marker"].as_str().unwrap_or("-").to_string();
        let to = if r["kind"] == "side" { &mut side } else { &mut turns };
        add(to.entry(marker).or_default(), &r["usage"], writes);
    }
    (turns, side)
}

/// `metrics cost --json`, by task id (validation rounds as `validate M1`).
fn measured(run: &Run) -> BTreeMap<String, (Tokens, Value, Value)> {
    let text = run.team.project.ok(&["--json", "metrics", "cost"]);
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut out: BTreeMap<String, (Tokens, Value, Value)> = BTreeMap::new();
    for row in rows {
        let key = match row["task"].as_str() {
            Some(t) => format!("task {t}"),
            None => format!("validate {}", row["milestone"].as_str().unwrap_or("-")),
        };
        let n = |k: &str| row[k].as_u64().unwrap_or(0);
        let tokens = [
            n("input_tokens"),
            n("output_tokens"),
            n("cache_read_tokens"),
            n("cache_write_tokens"),
        ];
        let entry = out.entry(key).or_insert(([0; 4], Value::Null, row["model"].clone()));
        for (i, t) in tokens.iter().enumerate() {
            entry.0[i] += t;
        }
        entry.1 = row["cost_usd"].clone();
    }
    out
}

fn usd(t: &Tokens, price: [f64; 4]) -> f64 {
    // input, output, cache read, cache write against input, output, write, read prices.
    (t[0] as f64 * price[0]
        + t[1] as f64 * price[1]
        + t[2] as f64 * price[3]
        + t[3] as f64 * price[2])
        / 1e6
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh cost"]
fn claude_code_usage_per_task_is_what_the_model_reported() {
    costs(Cli::Claude, &["--answer-model", CLAUDE_MODEL], CLAUDE_MODEL, Some(SONNET));
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh cost"]
fn codex_usage_per_task_is_what_the_model_reported() {
    // `scripted-model` (see tests/common/real.rs) has no price: its cost is unknown.
    costs(Cli::Codex, &[], "scripted-model", None);
}

#[test]
#[ignore = "needs the real CLIs: bench/real-agents.sh cost"]
fn gemini_cli_usage_per_task_is_what_the_model_reported() {
    // Four tasks, as for the others: on its branch the validator twice lost the prompt
    // pasted after `/clear` (`prompt_unconfirmed`) on a loaded machine; on main it passed
    // 3 of 3. If it fails there again, the wait after `/clear` (deliver/fresh.rs) is where.
    costs(Cli::Gemini, &[], "gemini-2.5-flash", Some(FLASH));
}

/// Runs the four-task mission with `cli` and compares the measured cost with the reported.
fn costs(cli: Cli, model_args: &[&str], model_name: &str, price: Option<[f64; 4]>) {
    costs_of(cli, 4, model_args, model_name, price);
}

/// As [`costs`], with `n` tasks.
fn costs_of(cli: Cli, n: usize, model_args: &[&str], model_name: &str, price: Option<[f64; 4]>) {
    let tasks = &["First", "Second", "Third", "Fourth"][..n];
    let run = Run::start_with(cli, tasks, model_args);
    run.wait_complete(360);
    let mut markers: Vec<String> = (1..=n).map(|i| format!("task {i:03}")).collect();
    markers.push("validate M1 round=1".into());
    let markers: Vec<&str> = markers.iter().map(String::as_str).collect();
    for m in markers.iter().copied() {
        assert_eq!(run.model.prompts(m), 1, "{m}: {:#?}", run.model.requests());
    }
    // With four tasks each worker did two one after the other, in one conversation.
    let workers: Vec<String> =
        run.team.of_type("task_dispatched").iter().map(|e| e["pane"].to_string()).collect();
    assert_eq!(workers.len(), n, "{workers:?}");
    let (mut got, mut expected, mut side);
    // The last turns' usage is read at the next tick after their `Stop` hook: polled until
    // it matches, or a minute has passed (then the assertions below say what differs).
    let key = |m: &str| m.strip_suffix(" round=1").unwrap_or(m).to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        (expected, side) = reported(&run.model.requests());
        got = measured(&run);
        let same =
            markers.iter().all(|m| got.get(&key(m)).map(|g| g.0) == expected.get(*m).copied());
        if same || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut table = String::from("marker: reported by the model | measured by metrics cost\n");
    for m in markers.iter().copied() {
        table.push_str(&format!("{m}: {:?} | {:?}\n", expected.get(m), got.get(&key(m))));
    }
    table.push_str(&format!("side requests (not the agent's turns): {side:?}\n"));
    let keep = std::env::temp_dir().join("tmux-ide-real-cost");
    let keep = keep.join(cli.agent());
    let _ = std::fs::create_dir_all(&keep);
    let _ = std::fs::write(keep.join("figures.txt"), &table);
    // The transcripts Claude Code wrote, to read after the run.
    for (i, e) in run.team.of_type("usage_source").iter().enumerate() {
        if let Some(path) = e["path"].as_str() {
            let _ = std::fs::copy(path, keep.join(format!("transcript-{i}.jsonl")));
        }
    }
    for m in markers.iter().copied() {
        let (tokens, cost, model) = got.get(&key(m)).cloned().unwrap_or_else(|| panic!("{table}"));
        assert_eq!(Some(&tokens), expected.get(m), "{m}\n{table}");
        assert_eq!(model, model_name, "{m}\n{table}");
        let Some(price) = price else {
            assert!(cost.is_null(), "{m}: an unpriced model's cost is unknown\n{table}");
            continue;
        };
        let cost = cost.as_f64().unwrap_or_else(|| panic!("{m}: cost unknown\n{table}"));
        let want = usd(&tokens, price);
        assert!((cost - want).abs() < 1e-9, "{m}: ${cost} vs ${want}\n{table}");
    }
    // Nothing unattributed: every usage event names a task or the validation round.
    for e in run.team.of_type("usage") {
        assert!(e["task"].is_string() || e["milestone"].is_string(), "{e}");
    }
}
