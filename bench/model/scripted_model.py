#!/usr/bin/env python3
"""A scripted model on loopback for the real agent CLIs (bench/real-agents.sh).

It speaks the four dialects the CLIs use, each streamed as the real services stream:
Anthropic Messages (Claude Code: POST /v1/messages, SSE), OpenAI Responses (Codex:
POST /v1/responses, SSE), OpenAI chat completions (Aider through litellm:
POST /v1/chat/completions, SSE chunks) and Gemini (GET /v1beta/models,
POST /v1beta/models/<m>:streamGenerateContent?alt=sse and :generateContent).

Its script: when the latest user message is a tmux-ide task prompt (`TMUX-IDE-TASK: <id>`
on its second line) or validation prompt (`TMUX-IDE-VALIDATE: <m> round=<n> <ids>`), it
answers with a call of the agent's shell tool running exactly the reporting command the
prompt asks for (one per assertion for a validation); Aider, which has no tool, gets the
command in a fenced bash block, which Aider offers to run. After the tool results it ends
the turn with a short text. Anything else (titles, summaries, topic checks) gets a short
harmless text (JSON where the request asks for JSON). Every response reports usage
(input, output, cache tokens) in its dialect's format.

Every request is logged as one JSON line (--log): time, dialect, path, model, kind
(`prompt` for a task or validation prompt reaching the model, `followup` for a tool
result, `side` for the rest), the marker, the reply and the usage the response reports
(`usage`: input, output, cache_read, cache_write). A test counts the `prompt` lines per
marker to check that each task prompt reached the model exactly once, and sums the usage
of a marker's lines to compare with what tmux-ide measured (tests/real_cost.rs).

The usage figures are deterministic and distinct per response: the n-th response (from 1,
in the order requests arrive) reports input 1000+2^n (2^n for n up to 40, so no two sets of
responses have the same input total: a response counted for the wrong task shows),
output 10+n, cache read 3000+100n and cache write 2000+10n tokens (the OpenAI and Gemini dialects, which count cached tokens
inside the input, report input+cache read as their input and no cache write).
--answer-model NAME makes the Anthropic dialect name NAME as the answering model (a
priced name, so the cost can be checked) whatever model the request asked for.

Usage: scripted_model.py --log FILE --port-file FILE [--port N] [--answer-model NAME]. It listens on 127.0.0.1
only and exits when killed.
"""
import argparse
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TASK = re.compile(r"^TMUX-IDE-TASK: (\S+)\s*$", re.M)
VALIDATE = re.compile(r"^TMUX-IDE-VALIDATE: (\S+) round=(\d+)((?: \S+)*)\s*$", re.M)
LOCK = threading.Lock()
LOG = None
# What the model does to the agents' own turns (set by POST /_mode, for screen captures):
# `ok` answers; `hold` keeps the request open until the mode changes (the agent is busy);
# `ask` answers as `ok` but asks for Codex's sandbox escalation (an approval question);
# `429` / `500` answer with that status in the dialect's error format.
MODE = {"mode": "ok"}

ERRORS = {
    ("anthropic", 429): {"type": "error", "error": {"type": "rate_limit_error",
                         "message": "Number of request tokens has exceeded your per-minute rate limit"}},
    ("anthropic", 500): {"type": "error", "error": {"type": "api_error", "message": "scripted failure"}},
    ("responses", 429): {"error": {"type": "usage_limit_reached", "code": "rate_limit_exceeded",
                         "message": "You've hit your usage limit.", "resets_in_seconds": 3600}},
    ("responses", 500): {"error": {"type": "server_error", "message": "scripted failure"}},
    ("chat", 429): {"error": {"type": "requests", "code": "rate_limit_exceeded",
                    "message": "Rate limit reached for requests"}},
    ("chat", 500): {"error": {"type": "server_error", "message": "scripted failure"}},
    ("gemini", 429): {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                      "message": "You exceeded your current quota, please check your plan and billing details.",
                      "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                          "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                          "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                          "quotaDimensions": {"model": "gemini-2.5-flash", "location": "global"},
                          "quotaValue": "250"}]}]}},
    ("gemini", 500): {"error": {"code": 500, "status": "INTERNAL", "message": "scripted failure"}},
}


def log(entry):
    entry["time"] = round(time.time(), 3)
    with LOCK:
        LOG.write(json.dumps(entry) + "\n")
        LOG.flush()


def marker_of(text):
    """The prompt's marker and the reporting commands it asks for, or (None, [])."""
    m = TASK.search(text)
    if m:
        tid = m.group(1)
        cmd = (f"tmux-ide task done {tid} --proof 'done by the scripted model' "
               f"--summary 'scripted model finished task {tid}'")
        return f"task {tid}", [cmd]
    m = VALIDATE.search(text)
    if m:
        ids = m.group(3).split()
        cmds = [f"tmux-ide validate assert {a} --status passing "
                f"--evidence 'checked by the scripted model'" for a in ids]
        return f"validate {m.group(1)} round={m.group(2)}", cmds
    return None, []


def tokens(obj):
    """A deterministic token count (count_tokens): about four characters a token."""
    return max(1, len(json.dumps(obj)) // 4)


SEQ = {"n": 0}
ANSWER_MODEL = {"name": None}


def next_usage():
    """The usage the next response reports: distinct per response (see the module doc)."""
    with LOCK:
        SEQ["n"] += 1
        n = SEQ["n"]
    return {"input": 1000 + 2 ** min(n, 40), "output": 10 + n, "cached": 3000 + 100 * n,
            "cache_write": 2000 + 10 * n}


SIDE_TEXT = "Scripted task"
SIDE_JSON = json.dumps({"title": "Scripted task", "isNewTopic": False})


def side_reply(text_of_request):
    return SIDE_JSON if "json" in text_of_request.lower() else SIDE_TEXT


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # ---- plumbing -----------------------------------------------------------------
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return {}

    def send_json(self, obj, status=200):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_sse(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def sse(self, data, event=None):
        out = (f"event: {event}\n" if event else "") + f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
        self.wfile.write(out.encode())
        self.wfile.flush()

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        path = self.path.split("?")[0]
        log({"dialect": "http", "method": "GET", "path": path, "kind": "side"})
        if path.startswith("/v1beta/models"):
            models = [{"name": f"models/{m}", "displayName": m, "inputTokenLimit": 1048576,
                       "outputTokenLimit": 65536,
                       "supportedGenerationMethods": ["generateContent", "countTokens"]}
                      for m in ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite")]
            return self.send_json({"models": models})
        if path.startswith("/v1/models"):
            return self.send_json({"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": "scripted"}
                for m in ("gpt-4o", "gpt-4o-mini", "gpt-5.5")]})
        self.send_json({"ok": True})

    def do_POST(self):
        path = self.path.split("?")[0]
        body = self.body()
        if path == "/_mode":
            MODE["mode"] = body.get("mode", "ok")
            log({"dialect": "control", "path": path, "kind": "control", "mode": MODE["mode"]})
            return self.send_json({"mode": MODE["mode"]})
        dialect = ("anthropic" if path.endswith("/messages") else "responses" if path.endswith("/responses")
                   else "chat" if path.endswith("/chat/completions") else "gemini" if "enerateContent" in path
                   else None)
        waited = 0
        if dialect and MODE["mode"] == "hold":
            log({"dialect": dialect, "path": path, "kind": "held"})
        while dialect and MODE["mode"] == "hold" and waited < 600:
            time.sleep(0.2)
            waited += 1
        status = int(MODE["mode"]) if MODE["mode"] in ("429", "500") else None
        if dialect and status:
            log({"dialect": dialect, "path": path, "kind": "error", "status": status})
            return self.send_json(ERRORS[(dialect, status)], status)
        if path.endswith("/messages/count_tokens"):
            log({"dialect": "anthropic", "path": path, "kind": "side"})
            return self.send_json({"input_tokens": tokens(body)})
        if path.endswith("/messages"):
            return self.anthropic(path, body)
        if path.endswith("/responses"):
            return self.openai_responses(path, body)
        if path.endswith("/chat/completions"):
            return self.chat(path, body)
        if ":streamGenerateContent" in path or ":generateContent" in path:
            return self.gemini(path, body)
        if ":countTokens" in path:
            return self.send_json({"totalTokens": tokens(body)})
        log({"dialect": "http", "path": path, "kind": "side", "status": 404})
        self.send_json({"error": {"message": "not scripted"}}, 404)

    # ---- the script, common to all dialects -----------------------------------------
    def decide(self, dialect, path, body, last_text, results_after, main):
        """('call', command) / ('text', text), logging the request. `last_text` is the
        latest user message's text (None when the latest message is a tool result);
        `results_after` the number of tool results since the prompt; `main` whether the
        request is the agent's own turn (it offers tools / is Aider's main model)."""
        model = body.get("model") or path.rsplit("/", 1)[-1].split(":")[0]
        self.usage = next_usage()
        u = self.usage
        entry = {"dialect": dialect, "path": path, "model": model, "tools": self.tool_names(body),
                 "usage": {"input": u["input"], "output": u["output"], "cache_read": u["cached"],
                           "cache_write": u["cache_write"]}}
        if last_text is not None:
            entry["said"] = last_text[:160]
            marker, cmds = marker_of(last_text)
            if marker and main:
                entry.update(kind="prompt", marker=marker, reply=cmds)
                log(entry)
                return ("call", cmds)
            entry.update(kind="side", marker=marker, reply="text")
            log(entry)
            return ("text", side_reply(last_text))
        # A tool result: the next reporting command of the prompt, or the end of the turn.
        prompt = self.prompt_text
        marker, cmds = marker_of(prompt or "")
        entry.update(kind="followup", marker=marker)
        if marker and results_after < len(cmds):
            entry["reply"] = [cmds[results_after]]
            log(entry)
            return ("call", [cmds[results_after]])
        entry["reply"] = "text"
        log(entry)
        return ("text", "Reported; the task is finished.")

    # ---- Anthropic Messages (Claude Code) ---------------------------------------------
    def anthropic(self, path, body):
        # Claude Code puts `system` messages (environment context) after the user's.
        msgs = [m for m in body.get("messages") or [] if m.get("role") in ("user", "assistant")]
        last = msgs[-1] if msgs else {}
        last_text, results = None, 0
        content = last.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else (content or [])
        if any(b.get("type") == "tool_result" for b in blocks):
            # Tool results since the latest user text.
            for m in reversed(msgs):
                c = m.get("content")
                cb = c if isinstance(c, list) else [{"type": "text", "text": c or ""}]
                if m.get("role") == "user" and any(b.get("type") == "text" and marker_of(b.get("text", ""))[0] for b in cb):
                    self.prompt_text = "\n".join(b.get("text", "") for b in cb if b.get("type") == "text")
                    break
                if m.get("role") == "user":
                    results += sum(1 for b in cb if b.get("type") == "tool_result")
            else:
                self.prompt_text = None
        else:
            last_text = "\n".join(b.get("text", "") for b in blocks if b.get("type") == "text")
            if not last_text and not blocks:
                last_text = ""
        main = bool(body.get("tools"))
        tool = next((t.get("name") for t in body.get("tools") or [] if t.get("name") == "Bash"), None)
        what, val = self.decide("anthropic", path, body, last_text, results, main and tool)
        text = val if what == "text" else ""
        u = self.usage
        usage = {"input_tokens": u["input"], "output_tokens": 1,
                 "cache_creation_input_tokens": u["cache_write"],
                 "cache_read_input_tokens": u["cached"]}
        mid = "msg_" + uuid.uuid4().hex[:24]
        model = ANSWER_MODEL["name"] or body.get("model", "claude")
        if not body.get("stream"):
            out = [{"type": "text", "text": text}] if what == "text" else [
                {"type": "tool_use", "id": "toolu_" + uuid.uuid4().hex[:20], "name": "Bash",
                 "input": {"command": val[0], "description": "Report to tmux-ide"}}]
            usage["output_tokens"] = u["output"]
            return self.send_json({"id": mid, "type": "message", "role": "assistant",
                                   "model": model, "content": out,
                                   "stop_reason": "end_turn" if what == "text" else "tool_use",
                                   "stop_sequence": None, "usage": usage})
        self.start_sse()
        self.sse({"type": "message_start", "message": {
            "id": mid, "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": usage}}, "message_start")
        if what == "text":
            self.sse({"type": "content_block_start", "index": 0,
                      "content_block": {"type": "text", "text": ""}}, "content_block_start")
            self.sse({"type": "content_block_delta", "index": 0,
                      "delta": {"type": "text_delta", "text": text}}, "content_block_delta")
            stop = "end_turn"
        else:
            # A text block before the call, as models often say what they are about to do:
            # Claude Code writes one transcript line per block, each with the message's usage.
            self.sse({"type": "content_block_start", "index": 0,
                      "content_block": {"type": "text", "text": ""}}, "content_block_start")
            self.sse({"type": "content_block_delta", "index": 0,
                      "delta": {"type": "text_delta", "text": "I will report it."}},
                     "content_block_delta")
            self.sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
            args = json.dumps({"command": val[0], "description": "Report to tmux-ide"})
            self.sse({"type": "content_block_start", "index": 1, "content_block": {
                "type": "tool_use", "id": "toolu_" + uuid.uuid4().hex[:20], "name": "Bash",
                "input": {}}}, "content_block_start")
            self.sse({"type": "content_block_delta", "index": 1,
                      "delta": {"type": "input_json_delta", "partial_json": args}},
                     "content_block_delta")
            stop = "tool_use"
        self.sse({"type": "content_block_stop", "index": 1 if what != "text" else 0},
                 "content_block_stop")
        self.sse({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                  "usage": {"output_tokens": u["output"]}}, "message_delta")
        self.sse({"type": "message_stop"}, "message_stop")

    # ---- OpenAI Responses (Codex) -------------------------------------------------------
    def openai_responses(self, path, body):
        items = body.get("input") or []
        if isinstance(items, str):
            items = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": items}]}]

        def text_of(item):
            c = item.get("content")
            if isinstance(c, str):
                return c
            return "\n".join(p.get("text", "") for p in c or [] if isinstance(p, dict))

        # Only the user's messages and tool results: developer / system items may follow.
        turns = [it for it in items if it.get("role") in ("user", "assistant")
                 or it.get("type") in ("function_call", "function_call_output",
                                       "custom_tool_call", "custom_tool_call_output")]
        last = turns[-1] if turns else {}
        last_text, results = None, 0
        if last.get("type") in ("function_call_output", "custom_tool_call_output"):
            self.prompt_text = None
            for it in reversed(items):
                if it.get("role") == "user" and marker_of(text_of(it))[0]:
                    self.prompt_text = text_of(it)
                    break
                if it.get("type") in ("function_call_output", "custom_tool_call_output"):
                    results += 1
        else:
            last_text = text_of(last) if last.get("role") == "user" else ""
        tools = body.get("tools") or []
        names = {t.get("name"): t for t in tools if isinstance(t, dict)}
        tool = next((n for n in ("exec_command", "shell", "local_shell", "shell_command") if n in names), None)
        fmt = ((body.get("text") or {}).get("format") or {}).get("type")
        main = bool(tool) and fmt != "json_schema"
        what, val = self.decide("responses", path, body, last_text, results, main)
        rid = "resp_" + uuid.uuid4().hex[:24]
        model = body.get("model", "gpt")
        self.start_sse()
        self.sse({"type": "response.created", "response": {"id": rid, "object": "response",
                  "model": model, "status": "in_progress", "output": []}}, "response.created")
        if what == "text":
            text = SIDE_JSON if fmt == "json_schema" else val
            iid = "msg_" + uuid.uuid4().hex[:24]
            item = {"type": "message", "id": iid, "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": text, "annotations": []}]}
            self.sse({"type": "response.output_item.added", "output_index": 0,
                      "item": dict(item, content=[], status="in_progress")}, "response.output_item.added")
            self.sse({"type": "response.output_text.delta", "item_id": iid, "output_index": 0,
                      "content_index": 0, "delta": text}, "response.output_text.delta")
            self.sse({"type": "response.output_item.done", "output_index": 0, "item": item},
                     "response.output_item.done")
        else:
            text = json.dumps(val)
            params = ((names[tool].get("parameters") or {}).get("properties") or {})
            if tool == "exec_command" or "cmd" in params:
                args = {"cmd": val[0]}
                if MODE["mode"] == "ask" and "sandbox_permissions" in params:
                    args.update(sandbox_permissions="require_escalated",
                                justification="Report the task to tmux-ide")
            elif (params.get("command") or {}).get("type") == "array":
                args = {"command": ["bash", "-lc", val[0]]}
            else:
                args = {"command": val[0]}
            item = {"type": "function_call", "id": "fc_" + uuid.uuid4().hex[:24],
                    "call_id": "call_" + uuid.uuid4().hex[:24], "name": tool,
                    "arguments": json.dumps(args), "status": "completed"}
            self.sse({"type": "response.output_item.added", "output_index": 0,
                      "item": dict(item, arguments="", status="in_progress")}, "response.output_item.added")
            self.sse({"type": "response.output_item.done", "output_index": 0, "item": item},
                     "response.output_item.done")
        u = self.usage
        usage = {"input_tokens": u["input"] + u["cached"],
                 "input_tokens_details": {"cached_tokens": u["cached"]},
                 "output_tokens": u["output"], "output_tokens_details": {"reasoning_tokens": 0},
                 "total_tokens": u["input"] + u["cached"] + u["output"]}
        self.sse({"type": "response.completed", "response": {
            "id": rid, "object": "response", "model": model, "status": "completed",
            "output": [], "usage": usage}}, "response.completed")

    # ---- OpenAI chat completions (Aider) --------------------------------------------------
    def chat(self, path, body):
        msgs = body.get("messages") or []

        def text_of(m):
            c = m.get("content")
            if isinstance(c, str):
                return c
            return "\n".join(p.get("text", "") for p in c or [] if isinstance(p, dict))

        users = [m for m in msgs if m.get("role") == "user"]
        last_text = text_of(users[-1]) if users else ""
        # Aider's main model; the weak model (commit messages, summaries) gets plain text.
        main = not str(body.get("model", "")).endswith("mini")
        what, val = self.decide("chat", path, body, last_text, 0, main)
        if what == "call":
            text = ("I will report it as the prompt asks.\n\n```bash\n" + "\n".join(val)
                    + "\n```\n")
        else:
            text = val
        u = self.usage
        usage = {"prompt_tokens": u["input"] + u["cached"],
                 "completion_tokens": u["output"],
                 "total_tokens": u["input"] + u["cached"] + u["output"],
                 "prompt_tokens_details": {"cached_tokens": u["cached"]}}
        cid = "chatcmpl-" + uuid.uuid4().hex[:24]
        model = body.get("model", "gpt-4o")
        base = {"id": cid, "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model}
        if not body.get("stream"):
            return self.send_json({"id": cid, "object": "chat.completion", "created": base["created"],
                                   "model": model, "choices": [{"index": 0, "finish_reason": "stop",
                                   "message": {"role": "assistant", "content": text}}], "usage": usage})
        self.start_sse()
        self.sse(dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""},
                                      "finish_reason": None}]))
        for i in range(0, len(text), 40):
            self.sse(dict(base, choices=[{"index": 0, "delta": {"content": text[i:i + 40]},
                                          "finish_reason": None}]))
        self.sse(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        self.sse(dict(base, choices=[], usage=usage))
        self.sse("[DONE]")

    # ---- Gemini (Gemini CLI) ---------------------------------------------------------------
    def gemini(self, path, body):
        contents = body.get("contents") or []
        last = contents[-1] if contents else {}
        parts = last.get("parts") or []
        last_text, results = None, 0
        if any("functionResponse" in p for p in parts):
            self.prompt_text = None
            for c in reversed(contents):
                ps = c.get("parts") or []
                text = "\n".join(p.get("text", "") for p in ps if "text" in p)
                if c.get("role") == "user" and marker_of(text)[0]:
                    self.prompt_text = text
                    break
                results += sum(1 for p in ps if "functionResponse" in p)
        else:
            last_text = "\n".join(p.get("text", "") for p in parts if "text" in p)
        decls = [d for t in body.get("tools") or [] for d in t.get("functionDeclarations") or []]
        main = any(d.get("name") == "run_shell_command" for d in decls)
        what, val = self.decide("gemini", path, body, last_text, results, main)
        if what == "text":
            text = val
            cand_parts = [{"text": text}]
        else:
            text = json.dumps(val)
            cand_parts = [{"functionCall": {"name": "run_shell_command",
                           "args": {"command": val[0], "description": "Report to tmux-ide"}}}]
        u = self.usage
        usage = {"promptTokenCount": u["input"] + u["cached"], "candidatesTokenCount": u["output"],
                 "cachedContentTokenCount": u["cached"],
                 "totalTokenCount": u["input"] + u["cached"] + u["output"]}
        resp = {"candidates": [{"content": {"role": "model", "parts": cand_parts},
                                "finishReason": "STOP", "index": 0}],
                "usageMetadata": usage, "modelVersion": path.rsplit("/", 1)[-1].split(":")[0]}
        if ":streamGenerateContent" in path:
            self.start_sse()
            self.sse(resp)
        else:
            self.send_json(resp)

    prompt_text = None

    @staticmethod
    def tool_names(body):
        names = []
        for t in body.get("tools") or []:
            if isinstance(t, dict):
                names += [t.get("name") or t.get("type")] + [
                    d.get("name") for d in t.get("functionDeclarations") or []]
        return [n for n in names if n][:40]


def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--answer-model")
    a = ap.parse_args()
    ANSWER_MODEL["name"] = a.answer_model
    LOG = open(a.log, "a", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    import os
    os.replace(tmp, a.port_file)
    sys.stdout.write(f"scripted model on http://127.0.0.1:{port}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
