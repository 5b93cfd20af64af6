//! Writes through the dashboard (`--allow-writes` only): create a task, report an
//! assertion, send text to a pane. Each needs the random token the server wrote to
//! `.tmux-ide/run/dashboard.token`, in the `X-Tmux-Ide-Token` header; each goes through
//! the same rules as the CLI (`plan::rules` inside `Store::update`, `Tmux::paste_then_enter`), so bad
//! input is refused with a 4xx and nothing is written.
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::api::{ApiError, ApiResult, blocking};
use super::server::App;
use crate::agent::profiles;
use crate::config::Config;
use crate::contract::Contract;
use crate::plan::rules::{AssertionReport, NewTask, PlanError, create_task, report_assertion};
use crate::plan::{AssertionStatus, Store};
use crate::project::Project;
use crate::tmux::{Tmux, resolve_pane};
use crate::{Error, Result};

/// The header that carries the write token.
pub const TOKEN_HEADER: &str = "x-tmux-ide-token";

/// Where the token is written while the server runs.
pub fn token_path(project: &Project) -> PathBuf {
    project.run_dir().join("dashboard.token")
}

/// A fresh random token (128 bits from the kernel), written readable by the owner only.
pub fn create_token(project: &Project) -> Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| Error::failed(format!("cannot read /dev/urandom: {e}")))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let path = token_path(project);
    crate::project::create_dir_safe(&project.root, &project.run_dir())?;
    let _ = std::fs::remove_file(&path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    writeln!(file, "{token}").map_err(|e| Error::io(&path, e))?;
    Ok(token)
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Writes allowed and the right token given; else 403 / 401.
fn check_token(app: &App, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = &app.token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "writes are disabled; start the dashboard with --allow-writes",
        ));
    };
    let given = headers.get(TOKEN_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if same(given, token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong X-Tmux-Ide-Token header (the token is in .tmux-ide/run/dashboard.token)",
        ))
    }
}

/// The request body as `T`; anything else is a 400 naming the problem.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> ApiResult<T> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("bad JSON body: {e}")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    title: String,
    #[serde(default)]
    description: String,
    milestone: Option<String>,
    specialty: Option<String>,
    #[serde(default = "default_priority")]
    priority: u8,
    goal: Option<String>,
    #[serde(default)]
    depends: Vec<String>,
    #[serde(default)]
    fulfills: Vec<String>,
}

fn default_priority() -> u8 {
    5
}

/// `POST /api/tasks`: like `task create`; answers 201 with `{"id": "009"}`.
pub async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    check_token(&app, &headers)?;
    let req: CreateTask = body(&bytes)?;
    let project = app.project.clone();
    let id = blocking(move || {
        let contract =
            if req.fulfills.is_empty() { vec![] } else { Contract::load(&project)?.ids() };
        let new = NewTask {
            title: req.title,
            description: req.description,
            milestone: req.milestone,
            specialty: req.specialty,
            priority: req.priority,
            goal: req.goal,
            depends: req.depends,
            fulfills: req.fulfills,
            remediation_for: None,
        };
        let now = jiff::Timestamp::now();
        Store::new(&project).update(|plan, events| {
            create_task(plan, events, new, &contract, now).map_err(field_error)
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

/// A refused task in terms of the request's JSON fields: an unknown dependency names
/// `depends`, the field that listed it (a new task cannot depend on itself).
fn field_error(e: PlanError) -> Error {
    match &e {
        PlanError::UnknownDependency { id, known } => {
            e.reworded(format!("depends: unknown task {id:?} (existing tasks: {known})"))
        }
        _ => e.into(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assert {
    status: String,
    #[serde(default)]
    evidence: String,
    /// The reporter; `dashboard` when absent.
    pane: Option<String>,
}

/// `POST /api/assertions/{id}`: like `validate assert`.
pub async fn assert(
    State(app): State<Arc<App>>,
    path: std::result::Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    check_token(&app, &headers)?;
    let Path(id) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let req: Assert = body(&bytes)?;
    let status: AssertionStatus = req.status.parse().map_err(ApiError::bad_request)?;
    let project = app.project.clone();
    let report = AssertionReport {
        id: id.clone(),
        status,
        evidence: req.evidence,
        reporter: req.pane.unwrap_or_else(|| "dashboard".into()),
    };
    blocking(move || {
        let contract = Contract::load(&project)?.ids();
        let now = jiff::Timestamp::now();
        Store::new(&project)
            .update(|plan, events| Ok(report_assertion(plan, events, &report, &contract, now)?))
    })
    .await?;
    Ok(Json(serde_json::json!({ "id": id, "status": status })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Send {
    /// Title, role or `%id` of the pane, as `tmux-ide send` takes it.
    pane: String,
    text: String,
    #[serde(default = "yes")]
    enter: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/send`: like `tmux-ide send`, through a tmux buffer.
pub async fn send(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    check_token(&app, &headers)?;
    let req: Send = body(&bytes)?;
    if req.pane.trim().is_empty() {
        return Err(ApiError::bad_request("pane must not be empty"));
    }
    let tmux = Tmux::new(app.tmux_socket.clone());
    let project = app.project.clone();
    let session = {
        let (tmux, project) = (tmux.clone(), project.clone());
        blocking(move || tmux.running_session(&project))
            .await
            .map_err(|e| ApiError::new(StatusCode::CONFLICT, e.message))?
    };
    let pane_id = blocking(move || {
        let panes = tmux.list_panes(&session)?;
        let pane = resolve_pane(&panes, &req.pane, &session)?;
        let enter = req.enter.then(|| {
            let config = Config::load(&project).ok();
            profiles::enter_delay(config.as_ref(), pane.agent, &pane.title)
        });
        tmux.paste_then_enter(&pane.id, &req.text, enter)?;
        Ok(pane.id.clone())
    })
    .await?;
    Ok(Json(serde_json::json!({ "pane": pane_id })))
}
