//! The `notify:` section of ide.yml: which events reach a person, and how (commands,
//! webhooks, a desktop notification, a message in the tmux session), with the bounds of
//! each delivery. Also the small `http://` URL reader the check and the sender share.
use serde::{Deserialize, Serialize};

/// Events notified when ide.yml names none: the moments a person is needed.
pub const DEFAULT_NOTIFY_EVENTS: &[&str] = &[
    "mission_complete",
    "task_blocked",
    "approval_needed",
    "prompt_unconfirmed",
    "stall_detected",
    "rate_limited",
    "budget_warning",
    "budget_exhausted",
];

/// The `notify:` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// Event types to notify (log `type` names, plus `rate_limited`).
    #[serde(default = "default_events")]
    pub events: Vec<String>,
    /// Programs run per event, each an argument vector (no shell); the event JSON on stdin.
    #[serde(default)]
    pub commands: Vec<Vec<String>>,
    /// `http://` URLs each event JSON is POSTed to.
    #[serde(default)]
    pub webhooks: Vec<String>,
    /// A desktop notification (`notify-send`, or `osascript` on macOS) when one is found.
    #[serde(default)]
    pub desktop: bool,
    /// A message on the clients attached to the session (`tmux display-message`).
    #[serde(default)]
    pub tmux: bool,
    /// Milliseconds one attempt (a command run, a POST) may take before it is abandoned.
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Further attempts after a webhook fails (connection refused, timeout, 5xx, 429),
    /// each after twice the pause of the one before, starting at 500 ms.
    #[serde(default = "default_retries")]
    pub retries: u32,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            events: default_events(),
            commands: Vec::new(),
            webhooks: Vec::new(),
            desktop: false,
            tmux: false,
            timeout: default_timeout(),
            retries: default_retries(),
        }
    }
}

impl NotifyConfig {
    /// Whether any target is configured (nothing is started otherwise).
    pub fn has_targets(&self) -> bool {
        !self.commands.is_empty() || !self.webhooks.is_empty() || self.desktop || self.tmux
    }
}

fn default_events() -> Vec<String> {
    DEFAULT_NOTIFY_EVENTS.iter().map(|s| s.to_string()).collect()
}
fn default_timeout() -> u64 {
    5000
}
fn default_retries() -> u32 {
    2
}

/// An `http://host[:port][/path]` URL taken apart. `https` is refused by the check (no
/// TLS client is built in; a command target running `curl` covers it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// Host as written (`[::1]` keeps its brackets), for the `Host` header.
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

impl HttpUrl {
    /// Reads `text`, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<HttpUrl, String> {
        if text.len() > MAX_URL_LEN {
            return Err(format!("is longer than {MAX_URL_LEN} characters"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("contains spaces or control characters".into());
        }
        let Some(rest) = text.strip_prefix("http://") else {
            return Err(if text.starts_with("https://") {
                "https is not built in (allowed: http:// URLs; for https use a command such \
                 as [curl, -fsS, --data-binary, \"@-\", URL])"
                    .into()
            } else {
                "is not an http:// URL".into()
            });
        };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('?') => (&rest[..i], format!("/{}", &rest[i..])),
            Some(i) => (&rest[..i], rest[i..].to_string()),
            None => (rest, "/".to_string()),
        };
        let path = path.split('#').next().unwrap_or("/").to_string();
        if authority.contains('@') {
            return Err("has a user name or password (not supported)".into());
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (inner, after) = v6.split_once(']').ok_or("has an unclosed `[`")?;
            (format!("[{inner}]"), after)
        } else {
            match authority.split_once(':') {
                Some((h, _)) => (h.to_string(), &authority[h.len()..]),
                None => (authority.to_string(), ""),
            }
        };
        if host.is_empty() || host == "[]" {
            return Err("has no host".into());
        }
        let port = match port.strip_prefix(':') {
            None if port.is_empty() => 80,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or("has a bad port")?,
            None => return Err("has text after the host".into()),
        };
        Ok(HttpUrl { host, port, path })
    }

    /// `host:port` as `ToSocketAddrs` reads it (brackets off an IPv6 address).
    pub fn socket_host(&self) -> (String, u16) {
        let host = self.host.trim_start_matches('[').trim_end_matches(']').to_string();
        (host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_are_taken_apart_and_others_refused_with_why() {
        let u = HttpUrl::parse("http://127.0.0.1:9000/hook?x=1").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.path.as_str()), ("127.0.0.1", 9000, "/hook?x=1"));
        let u = HttpUrl::parse("http://example.org").unwrap();
        assert_eq!((u.port, u.path.as_str()), (80, "/"));
        let u = HttpUrl::parse("http://[::1]:8080/a#frag").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.path.as_str()), ("[::1]", 8080, "/a"));
        assert_eq!(u.socket_host(), ("::1".to_string(), 8080));
        assert!(HttpUrl::parse("https://x.org").unwrap_err().contains("https is not built in"));
        assert!(HttpUrl::parse("ftp://x").unwrap_err().contains("not an http"));
        assert!(HttpUrl::parse("http://a b").unwrap_err().contains("spaces"));
        assert!(HttpUrl::parse("http://u:p@x").unwrap_err().contains("password"));
        assert!(HttpUrl::parse("http://x:0/").unwrap_err().contains("port"));
        assert!(HttpUrl::parse("http://x:99999/").unwrap_err().contains("port"));
        assert!(HttpUrl::parse("http:///path").unwrap_err().contains("no host"));
    }
}
