//! The OpenAPI 3.1 description of the dashboard's API, served at `/api/openapi.json`.
//! Hand-written; a test checks that every route of the router is described here.
use serde_json::{Value, json};

fn error_response(what: &str) -> Value {
    json!({ "description": what, "content": { "application/json": {
        "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn ok_json(what: &str, schema: Value) -> Value {
    json!({ "description": what, "content": { "application/json": { "schema": schema } } })
}

fn get(summary: &str, schema: Value) -> Value {
    json!({ "get": {
        "summary": summary,
        "responses": { "200": ok_json(summary, schema), "500": error_response("the store cannot be read") }
    } })
}

fn write(summary: &str, body: Value, ok: (&str, Value)) -> Value {
    json!({
        "summary": summary,
        "security": [{ "token": [] }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": body } } },
        "responses": {
            ok.0: ok_json(summary, ok.1),
            "400": error_response("bad input; nothing was written"),
            "401": error_response("missing or wrong X-Tmux-Ide-Token"),
            "403": error_response("writes are disabled, or the request came from another origin")
        }
    })
}

fn array() -> Value {
    json!({ "type": "array", "items": { "type": "object" } })
}

fn strings() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    let mut add = |path: &str, item: Value| {
        paths.insert(path.to_string(), item);
    };
    add(
        "/api/mission",
        get("Mission overview: status, milestones, totals, activity", json!({"type": "object"})),
    );
    add("/api/milestones", get("Milestones with task and assertion progress", array()));
    let mut tasks = get("Every task with blocked_by and ready", array());
    let create_body = json!({ "type": "object", "required": ["title"], "additionalProperties": false,
        "properties": {
            "title": {"type": "string"}, "description": {"type": "string"},
            "milestone": {"type": "string"}, "specialty": {"type": "string"},
            "priority": {"type": "integer", "minimum": 1, "maximum": 9, "default": 5},
            "goal": {"type": "string"}, "depends": strings(), "fulfills": strings() } });
    let created = json!({ "type": "object", "properties": { "id": {"type": "string"} } });
    tasks["post"] = write("Create a task (like `task create`)", create_body, ("201", created));
    add("/api/tasks", tasks);
    let mut diff = get(
        "A done task's merged change (isolation): `git diff` text and its record, null while none",
        json!({ "type": "object", "properties": { "task": {"type": "string"},
            "git": {"type": "object"}, "diff": {"type": "string"} } }),
    );
    diff["get"]["parameters"] =
        json!([{ "name": "id", "in": "path", "required": true, "schema": {"type": "string"} }]);
    add("/api/tasks/{id}/diff", diff);
    add(
        "/api/assertions",
        get("The contract's assertions with coverage, status and evidence", array()),
    );
    let assert_body = json!({ "type": "object", "required": ["status"], "additionalProperties": false,
        "properties": {
            "status": {"enum": ["passing", "failing", "pending"]},
            "evidence": {"type": "string"}, "pane": {"type": "string"} } });
    let mut assert = json!({ "post": write("Report an assertion's result (like `validate assert`)",
        assert_body, ("200", json!({"type": "object"}))) });
    assert["post"]["parameters"] =
        json!([{ "name": "id", "in": "path", "required": true, "schema": {"type": "string"} }]);
    add("/api/assertions/{id}", assert);
    add(
        "/api/agents",
        get("Agents: live state, current task, utilisation", json!({"type": "object"})),
    );
    add("/api/metrics", get("Metrics and the completion series", json!({"type": "object"})));
    let mut events = get(
        "Event-log lines after `since`",
        json!({ "type": "object",
        "properties": { "events": array(), "last_id": {"type": "integer"} } }),
    );
    events["get"]["parameters"] = json!([
        { "name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0},
          "description": "Only events whose id (event-log line number) is greater" },
        { "name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 500} }
    ]);
    events["get"]["responses"]["400"] = error_response("bad query");
    add("/api/events", events);
    let mut stream = json!({ "get": {
        "summary": "Server-sent events: `snapshot` (all the page's data, on connect and on each change) and `event` (one per event-log line; id = line number; resumes from Last-Event-ID or since)",
        "parameters": [
            { "name": "since", "in": "query", "schema": {"type": "integer", "minimum": 0} },
            { "name": "Last-Event-ID", "in": "header", "schema": {"type": "integer", "minimum": 0} }
        ],
        "responses": { "200": { "description": "an endless event stream",
            "content": { "text/event-stream": { "schema": {"type": "string"} } } },
            "400": error_response("bad since or Last-Event-ID") } } });
    stream["get"]["x-sse"] = json!(true);
    add("/api/stream", stream);
    let send_body = json!({ "type": "object", "required": ["pane", "text"], "additionalProperties": false,
        "properties": { "pane": {"type": "string"}, "text": {"type": "string"},
            "enter": {"type": "boolean", "default": true} } });
    let mut send = json!({ "post": write("Send text to a pane through a tmux buffer (like `tmux-ide send`)",
        send_body, ("200", json!({"type": "object"}))) });
    send["post"]["responses"]["409"] = error_response("the project's session is not running");
    add("/api/send", send);
    add("/api/openapi.json", get("This document", json!({"type": "object"})));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "tmux-ide dashboard",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only by default. Writes need --allow-writes and the token from .tmux-ide/run/dashboard.token in X-Tmux-Ide-Token; requests from another origin are refused."
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": {
            "schemas": { "Error": { "type": "object", "required": ["error"],
                "properties": { "error": {"type": "string"} } } },
            "securitySchemes": { "token": { "type": "apiKey", "in": "header", "name": "X-Tmux-Ide-Token" } }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::server::ROUTES;

    #[test]
    fn every_route_of_the_router_is_described() {
        let doc = super::document();
        for (method, path, _) in ROUTES {
            if !path.starts_with("/api/") {
                continue;
            }
            let op = &doc["paths"][*path][method.to_ascii_lowercase()];
            assert!(op.is_object(), "{method} {path} is missing from openapi.json");
            assert!(op["responses"].is_object(), "{method} {path} has no responses");
        }
    }

    #[test]
    fn every_described_operation_is_a_route() {
        let doc = super::document();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let m = method.to_ascii_uppercase();
                assert!(
                    ROUTES.iter().any(|(rm, rp, _)| *rm == m && rp == path),
                    "{m} {path} is described but not routed"
                );
            }
        }
    }
}
