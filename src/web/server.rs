//! The dashboard server: binds 127.0.0.1 only, routes the page and the API, refuses
//! requests from other origins (and other Host names, against DNS rebinding), and shuts
//! down on Ctrl-C, SIGTERM or SIGHUP within about a second, whatever is connected (open
//! event streams end, the token goes). Connections are served by `conn.rs`.
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use tokio::sync::watch;

use super::api::{self, ApiError};
use super::stream::{self, Hub};
use super::{conn, openapi, writes};
use crate::project::Project;
use crate::{Error, Result};

/// What `tmux-ide dashboard` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub project: Project,
    /// 0 picks a free port.
    pub port: u16,
    pub allow_writes: bool,
    /// Open the page in a browser once the server listens.
    pub open: bool,
    pub tmux_socket: Option<String>,
    /// Where the URL and the goodbye are printed (stdout).
    pub out: crate::out::Out,
}

/// Shared by every handler.
#[derive(Debug)]
pub struct App {
    pub project: Project,
    pub hub: Hub,
    /// The write token; `None` when writes are disabled.
    pub token: Option<String>,
    pub tmux_socket: Option<String>,
    /// Becomes `true` when the server shuts down; open streams end.
    pub shutdown: watch::Receiver<bool>,
    /// `127.0.0.1:PORT` and `localhost:PORT`: the Host names (and, after `http://`,
    /// the origins) this server answers.
    pub hosts: [String; 2],
}

type Route = (&'static str, &'static str, fn() -> MethodRouter<Arc<App>>);

/// Every route: method, path, handler. The OpenAPI tests walk this list.
pub static ROUTES: &[Route] = &[
    ("GET", "/", || get(page_index)),
    ("GET", "/app.js", || get(page_js)),
    ("GET", "/style.css", || get(page_css)),
    ("GET", "/api/mission", || get(api::mission)),
    ("GET", "/api/milestones", || get(api::milestones)),
    ("GET", "/api/tasks", || get(api::tasks)),
    ("POST", "/api/tasks", || post(writes::create)),
    ("GET", "/api/tasks/{id}/diff", || get(api::task_diff)),
    ("GET", "/api/assertions", || get(api::assertions)),
    ("POST", "/api/assertions/{id}", || post(writes::assert)),
    ("GET", "/api/agents", || get(api::agents)),
    ("GET", "/api/metrics", || get(api::metrics)),
    ("GET", "/api/events", || get(api::events)),
    ("GET", "/api/stream", || get(stream::stream)),
    ("POST", "/api/send", || post(writes::send)),
    ("GET", "/api/openapi.json", || get(openapi_json)),
];

/// The router over `app`.
pub fn router(app: Arc<App>) -> Router {
    let mut r: Router<Arc<App>> = Router::new();
    for (_, path, handler) in ROUTES {
        r = r.route(path, handler());
    }
    r.fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Refuses a request whose Host is not this server's (DNS rebinding) or whose Origin is
/// another site's (a page elsewhere talking to the dashboard).
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(|h| app.hosts.iter().any(|ok| ok == h)) {
        let msg =
            format!("Host {:?} refused: this server answers {}", host.unwrap_or(""), app.hosts[0]);
        return ApiError::new(StatusCode::FORBIDDEN, msg).into_response();
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let own = app.hosts.iter().any(|h| origin.strip_prefix("http://") == Some(h.as_str()));
        if !own {
            let msg = format!(
                "cross-origin request refused: origin {origin:?} is not http://{}",
                app.hosts[0]
            );
            return ApiError::new(StatusCode::FORBIDDEN, msg).into_response();
        }
    }
    // No Origin on a simple cross-site GET (an <img> or <script> elsewhere); browsers
    // still say where it came from.
    if req.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        let msg = "cross-site request refused (Sec-Fetch-Site: cross-site)";
        return ApiError::new(StatusCode::FORBIDDEN, msg).into_response();
    }
    next.run(req).await
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

async fn page_index() -> Response {
    asset("text/html; charset=utf-8", include_str!("page/index.html"))
}
async fn page_js() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("page/app.js"))
}
async fn page_css() -> Response {
    asset("text/css; charset=utf-8", include_str!("page/style.css"))
}
async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document())
}

/// Runs the server until a signal; builds its own (single-threaded) tokio runtime so
/// the rest of the CLI stays synchronous.
pub fn run(opts: Options) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("cannot start the async runtime: {e}")))?;
    let served = rt.block_on(serve(opts));
    // Blocking jobs still running (a slow tmux call) must not hold up the exit.
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    served
}

async fn bind(port: u16) -> Result<tokio::net::TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::failed(format!("port {port} on 127.0.0.1 is already in use"))
                .with_hint("choose another with --port N, or --port 0 to pick a free one")
        } else {
            Error::failed(format!("cannot listen on 127.0.0.1:{port}: {e}"))
        }
    })
}

async fn serve(opts: Options) -> Result<()> {
    let listener = bind(opts.port).await?;
    let port = listener.local_addr().map_err(|e| Error::failed(e.to_string()))?.port();
    let hub = Hub::start(&opts.project)?;
    let token = if opts.allow_writes { Some(writes::create_token(&opts.project)?) } else { None };
    let (stop_tx, stop_rx) = watch::channel(false);
    let app = Arc::new(App {
        project: opts.project.clone(),
        hub,
        token,
        tmux_socket: opts.tmux_socket,
        shutdown: stop_rx,
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
    });
    let url = format!("http://127.0.0.1:{port}/");
    writeln!(opts.out.lock(), "dashboard: {url}")?;
    if opts.allow_writes {
        writeln!(
            opts.out.lock(),
            "writes allowed; token in {}",
            writes::token_path(&opts.project).display()
        )?;
    }
    if opts.open {
        open_browser(&url);
    }
    conn::serve(listener, router(app), async move {
        wait_for_signal().await;
        let _ = stop_tx.send(true);
    })
    .await;
    if opts.allow_writes {
        let _ = std::fs::remove_file(writes::token_path(&opts.project));
    }
    writeln!(opts.out.lock(), "dashboard stopped")?;
    Ok(())
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let hup = signal(SignalKind::hangup());
    match (term, hup) {
        (Ok(mut term), Ok(mut hup)) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Best effort: `xdg-open URL` (or `open` on macOS); says so when it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        #[allow(clippy::print_stderr, reason = "a note beside the URL already printed")]
        Err(_) => eprintln!("note: could not run {opener}; open {url} yourself"),
    }
}
