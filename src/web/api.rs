//! The read-only JSON API (`GET /api/...`): each handler reads the store afresh and
//! answers with a shared report (`crate::report`, through `web::views`). Errors are
//! `{"error": "..."}` with a 4xx status for bad input and 5xx for a store that cannot
//! be read.
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::server::App;
use super::views::{self, Inputs};
use crate::error::Kind;

/// An error answer: a status and one line saying what was wrong.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into() }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> Self {
        let status = match e.kind {
            Kind::BadInput => StatusCode::BAD_REQUEST,
            Kind::Failed | Kind::BrokenPipe | Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = match &e.hint {
            Some(hint) => format!("{} (hint: {hint})", e.message),
            None => e.message,
        };
        ApiError { status, message }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// Runs blocking work (file reads, the store lock, tmux) off the async thread.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> ApiResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(e) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

/// Loads the inputs and computes a JSON value from them, off the async thread.
async fn compute<T: Serialize>(
    app: &App,
    f: impl FnOnce(&Inputs, jiff::Timestamp) -> T + Send + 'static,
) -> ApiResult<Json<serde_json::Value>> {
    let project = app.project.clone();
    blocking(move || {
        let inputs = Inputs::load(&project)?;
        Ok(serde_json::to_value(f(&inputs, jiff::Timestamp::now()))?)
    })
    .await
    .map(Json)
}

pub async fn mission(State(app): State<Arc<App>>) -> ApiResult<Json<serde_json::Value>> {
    compute(&app, |i, _| views::mission(i)).await
}

pub async fn milestones(State(app): State<Arc<App>>) -> ApiResult<Json<serde_json::Value>> {
    compute(&app, |i, _| views::milestones(i)).await
}

pub async fn tasks(State(app): State<Arc<App>>) -> ApiResult<Json<serde_json::Value>> {
    compute(&app, |i, _| serde_json::to_value(views::tasks(&i.plan)).unwrap_or_default()).await
}

/// `GET /api/tasks/{id}/diff`: the change a done task merged (see `task diff`); `git`
/// and `diff` are null while it has none (not merged yet, no isolation, no such task).
pub async fn task_diff(
    State(app): State<Arc<App>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let project = app.project.clone();
    blocking(move || {
        let plan = crate::plan::Store::new(&project).load()?;
        let git = plan.task(&id).and_then(|t| t.git.clone());
        let diff = match &git {
            Some(g) => Some(crate::isolation::merge::task_diff(&project.root, g)?),
            None => None,
        };
        Ok(serde_json::json!({ "task": id, "git": git, "diff": diff }))
    })
    .await
    .map(Json)
}

pub async fn assertions(State(app): State<Arc<App>>) -> ApiResult<Json<serde_json::Value>> {
    compute(&app, |i, _| views::assertions(i)).await
}

pub async fn agents(State(app): State<Arc<App>>) -> ApiResult<Json<serde_json::Value>> {
    compute(&app, views::agents).await
}

pub async fn metrics(State(app): State<Arc<App>>) -> ApiResult<Json<serde_json::Value>> {
    compute(&app, views::metrics).await
}

/// Most events one `/api/events` answer holds.
pub const MAX_EVENTS: usize = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Only events whose id (event-log line number) is greater.
    #[serde(default)]
    since: usize,
    /// At most this many (the latest), 1..=10000; default 500.
    limit: Option<usize>,
}

#[derive(Serialize)]
struct EventsAnswer<'a> {
    events: Vec<&'a views::LogEvent>,
    /// The id of the log's last line: pass it as `since` to get only newer events.
    last_id: usize,
}

pub async fn events(
    State(app): State<Arc<App>>,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = q.limit.unwrap_or(500);
    if !(1..=MAX_EVENTS).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit {limit} is out of range (allowed: 1..={MAX_EVENTS})"
        )));
    }
    compute(&app, move |i, _| {
        let events = views::events_since(i, q.since, limit);
        serde_json::to_value(EventsAnswer { events, last_id: i.last_event_id }).unwrap_or_default()
    })
    .await
}

/// Any other path: 404 with a JSON error.
pub async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no route {method} {}", uri.path()))
}

/// A known path with the wrong method: 405 with a JSON error.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {} (see /api/openapi.json)", uri.path()),
    )
}
