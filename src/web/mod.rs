//! The local web dashboard (`tmux-ide dashboard`): an HTTP server on 127.0.0.1 serving
//! a page embedded in the binary, a JSON API under `/api/` computed with the shared
//! reports, and live updates as server-sent events from one watcher on `.tasks/`.
//! Read-only unless started with `--allow-writes` (token + same-origin rule).
pub mod api;
mod conn;
pub mod openapi;
pub mod server;
pub mod stream;
pub mod views;
pub mod writes;

pub use server::{Options, ROUTES, run};
