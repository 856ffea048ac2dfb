"""A fake Anthropic Messages API on 127.0.0.1, speaking the real streaming wire format.

The real SDK (through ``AnthropicProvider``) talks to it over real HTTP. Each test queues the
replies it wants; the server records every request it gets.

Use it through the ``fake_api`` fixture::

    from tests.fake_api import error, reply, stream_error, text, tool_use

    async def test_something(fake_api):
        fake_api.add(reply(text("Hello there")))                       # a normal streamed reply
        fake_api.add(reply(tool_use("issue_warning", {"behavior": "insults"})))
        fake_api.add(error(429, "rate_limit_error", "Slow down", retry_after_ms=5))
        provider = fake_api.provider()              # AnthropicProvider, max_retries=0
        ...
        assert fake_api.requests[0]["model"] == "claude-opus-5-5"   # JSON bodies received
        assert fake_api.headers[0]["authorization"] == "Bearer test-key"  # lower-case names

What a queued item can be:

- ``reply(*blocks, stop_reason=..., usage=..., stop_details=..., delay=..., fault=..., hold=...)``
  - blocks: ``text("...")`` (sent as several ``text_delta`` pieces) and ``tool_use(name, input)``
    (its input JSON sent as several ``input_json_delta`` pieces); ``thinking("...")``
    (``thinking_delta`` pieces, then a ``signature_delta``) and ``redacted_thinking()``,
    signed as ``fake_thinking`` says.
  - ``stop_reason`` defaults to ``"tool_use"`` when there is a tool call, else ``"end_turn"``.
  - ``usage`` overrides any of input_tokens, output_tokens, cache_creation_input_tokens,
    cache_read_input_tokens.
  - ``stop_details`` e.g. ``{"type": "refusal", "category": None, "explanation": "..."}``.
  - ``delay``: seconds to wait before each event (0 by default: tests stay fast).
  - ``fault``: what goes wrong after the content deltas have been sent (``fault_after=N``
    moves it to after N events instead):
    ``"cut"`` the connection drops mid-body (the SDK raises ``httpx2.RemoteProtocolError``);
    ``"no_stop"`` the body ends cleanly with no ``message_delta``/``message_stop``;
    ``"stall"`` nothing more is sent until the server stops (a read timeout, or a test that
    cancels the turn); ``"hang"`` no response headers at all (the SDK's ``APITimeoutError``).
  - ``hold``: a ``threading.Event``; the stream pauses at the fault point until it is set, then
    finishes normally. Lets a UI test look at a reply that is still streaming.
  - A client closing the connection before the reply is complete sets ``fake_api.hung_up``
    (a ``threading.Event``) and ends the reply: while it waits at its fault point ("stall",
    "hang" or ``hold``), or while events were still being sent before it.
- ``stream_error(type, message)``: HTTP 200, a few events, then an SSE ``error`` event.
- ``error(status, type, message, retry_after=..., retry_after_ms=..., should_retry=...)``: a JSON
  error body ``{"type": "error", "error": {...}}`` with that HTTP status.
- ``html_page(status=200)``: a web page instead of the API; ``malformed_sse()``: HTTP 200
  and an event stream whose data is not JSON.
- ``GET /v1/models`` answers from ``fake_api.models`` (see ``FakeAPI``), paged as the API does.
- a callable ``(request_json) -> script``: decides when the request arrives (multi-tab tests).

``fake_api.default`` may hold such a callable, used when the queue is empty. With an empty queue
and no default the server answers 500 naming the problem (and ``x-should-retry: false``), so a
test that makes an unexpected request fails loudly.

Like the real API, the server answers 400 (``invalid_request_error``) to a request it would
reject: a ``tool_use`` not answered by a ``tool_result`` at the start of the next message, a
``tool_result`` with no call before it, an empty text block or message, a non-object tool
input, more than four ``cache_control`` breakpoints, tool blocks in a request that defines
no tools, and an image or document block it would refuse (``fake_api_blocks``); and about
thinking (``fake_thinking.problems``): a replayed thinking block whose signature does not match
its text or its history, an unsigned one, a tool-use continuation whose assistant turn does not
start with thinking while thinking is on, budget_tokens not below max_tokens, a budget or
"disabled" on a model that refuses it. Set ``fake_api.validate = False`` to turn that off. Such
a 400 does not use up a script.

``closed_port_url()`` gives a base URL where nothing listens (connection refused).
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests import fake_thinking
from tests.fake_api_blocks import attachment_problem

API_KEY = "test-key"
TEXT_PIECE = 12  # characters per text_delta


# --- scripts ---------------------------------------------------------------------------------
@dataclass
class Block:
    kind: str  # "text" or "tool_use"
    text: str = ""
    name: str = ""
    input: Any = None
    id: str = ""
    raw_json: str | None = None


def text(value: str) -> Block:
    return Block(kind="text", text=value)


def thinking(value: str) -> Block:
    """A thinking block: ``thinking_delta`` pieces, then its ``signature_delta`` (an HMAC of the
    text and, for a preserved model, of the history: ``fake_thinking``). Its text is sent only
    when the request asks for it (display "summarized", or a model that shows it by default)."""
    return Block(kind="thinking", text=value)


def redacted_thinking(value: str = "encrypted") -> Block:
    """A ``redacted_thinking`` block, its ``data`` signed like a thinking block's signature."""
    return Block(kind="redacted_thinking", text=value)


_tool_counter = 0
_tool_lock = threading.Lock()


def tool_use(name: str, input: Any, *, id: str | None = None, raw_json: str | None = None) -> Block:
    """A tool call. ``raw_json`` sends that exact input JSON text instead of ``input``."""
    global _tool_counter
    with _tool_lock:
        _tool_counter += 1
        number = _tool_counter
    return Block(kind="tool_use", name=name, input=input, id=id or f"toolu_fake{number:06d}",
                 raw_json=raw_json)


@dataclass
class Reply:
    blocks: list[Block]
    stop_reason: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    stop_details: dict[str, Any] | None = None
    delay: float = 0.0
    fault: str | None = None
    fault_after: int | None = None
    hold: threading.Event | None = None
    error_type: str = ""
    error_message: str = ""
    model: str | None = None


@dataclass
class ErrorReply:
    status: int
    type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RawReply:
    """Any status, content type and body: what a proxy, a captive portal or a broken server
    might send instead of the API's answer."""

    status: int
    content_type: str
    body: bytes


Script = Reply | ErrorReply | RawReply
ScriptSource = Script | Callable[[dict[str, Any]], Script]


def reply(
    *blocks: Block,
    stop_reason: str | None = None,
    usage: dict[str, int] | None = None,
    stop_details: dict[str, Any] | None = None,
    delay: float = 0.0,
    fault: str | None = None,
    fault_after: int | None = None,
    hold: threading.Event | None = None,
    model: str | None = None,
) -> Reply:
    if fault not in (None, "cut", "no_stop", "stall", "hang"):
        raise ValueError(f"unknown fault {fault!r}")
    if stop_reason is None:
        stop_reason = "tool_use" if any(b.kind == "tool_use" for b in blocks) else "end_turn"
    return Reply(list(blocks), stop_reason, dict(usage or {}), stop_details, delay, fault,
                 fault_after, hold, model=model)


def stream_error(type: str = "overloaded_error", message: str = "Overloaded",
                 *, before: tuple[Block, ...] = ()) -> Reply:
    """HTTP 200, then (after any ``before`` blocks' deltas) an SSE ``error`` event."""
    result = reply(*before)
    result.fault = "error_event"
    result.error_type = type
    result.error_message = message
    return result


def html_page(status: int = 200) -> RawReply:
    """A web page where the API should be (a captive portal, a wrong ANTHROPIC_BASE_URL)."""
    page = b"<!DOCTYPE html><html><head><title>Welcome</title></head><body>Log in</body></html>"
    return RawReply(status, "text/html; charset=utf-8", page)


def malformed_sse() -> RawReply:
    """HTTP 200 and an event stream whose data is not JSON."""
    body = (b"event: message_start\ndata: {\"type\": \"message_start\", \"message\": {oops\n\n"
            b"event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n")
    return RawReply(200, "text/event-stream", body)


_DEFAULT_ERROR_TYPES = {
    400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
    404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
    500: "api_error", 529: "overloaded_error",
}


def error(
    status: int,
    type: str | None = None,
    message: str = "",
    *,
    retry_after: float | None = None,
    retry_after_ms: float | None = None,
    should_retry: bool | None = None,
) -> ErrorReply:
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(retry_after_ms)
    if should_retry is not None:
        headers["x-should-retry"] = "true" if should_retry else "false"
    kind = type or _DEFAULT_ERROR_TYPES.get(status, "api_error")
    return ErrorReply(status, kind, message or f"fake {kind}", headers)


CONNECT_TIMEOUT = 30.0  # seconds; see FakeAPI.provider


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- wire format -----------------------------------------------------------------------------
def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _pieces(value: str, size: int) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


def _events(script: Reply, model: str, number: int,
            body: dict[str, Any] | None = None) -> tuple[list[bytes], int]:
    """The SSE events of a reply, and where the fault goes (after the content deltas)."""
    body = body or {"model": model}
    usage = {"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 0}
    usage.update(script.usage)
    start_usage = dict(usage, output_tokens=1)
    events = [_sse("message_start", {"type": "message_start", "message": {
        "id": f"msg_fake{number:06d}", "type": "message", "role": "assistant",
        "model": script.model or model, "content": [], "stop_reason": None,
        "stop_sequence": None, "usage": start_usage}}), _sse("ping", {"type": "ping"})]
    stops: list[bytes] = []
    for index, block in enumerate(script.blocks):
        if block.kind in ("thinking", "redacted_thinking"):
            events += _thinking_events(block, index, body)
        elif block.kind == "text":
            events.append(_sse("content_block_start", {"type": "content_block_start",
                          "index": index, "content_block": {"type": "text", "text": ""}}))
            for piece in _pieces(block.text, TEXT_PIECE):
                events.append(_sse("content_block_delta", {"type": "content_block_delta",
                              "index": index, "delta": {"type": "text_delta", "text": piece}}))
        else:
            events.append(_sse("content_block_start", {"type": "content_block_start",
                          "index": index, "content_block": {"type": "tool_use", "id": block.id,
                                                            "name": block.name, "input": {}}}))
            raw = block.raw_json if block.raw_json is not None else json.dumps(block.input)
            # Objects go in several pieces as the API sends them; anything else (only a test
            # would send it) in one, since the SDK cannot parse a partial top-level string.
            size = max(1, len(raw) // 3 + 1) if raw.lstrip().startswith("{") else len(raw) or 1
            for piece in ["", *_pieces(raw, size)]:
                events.append(_sse("content_block_delta", {"type": "content_block_delta",
                              "index": index, "delta": {"type": "input_json_delta",
                                                        "partial_json": piece}}))
        stops.append(_sse("content_block_stop", {"type": "content_block_stop", "index": index}))
    fault_at = len(events) if script.fault_after is None else script.fault_after
    delta: dict[str, Any] = {"stop_reason": script.stop_reason, "stop_sequence": None}
    if script.stop_details is not None:
        delta["stop_details"] = script.stop_details
    events += stops
    events.append(_sse("message_delta", {"type": "message_delta", "delta": delta,
                                         "usage": usage}))
    events.append(_sse("message_stop", {"type": "message_stop"}))
    return events, fault_at


def _thinking_events(block: Block, index: int, body: dict[str, Any]) -> list[bytes]:
    signed = fake_thinking.sign(block.text, fake_thinking.prefix(body, len(body.get(
        "messages") or [])))
    if block.kind == "redacted_thinking":
        return [_sse("content_block_start", {"type": "content_block_start", "index": index,
                     "content_block": {"type": "redacted_thinking", "data": signed}})]
    events = [_sse("content_block_start", {"type": "content_block_start", "index": index,
                   "content_block": {"type": "thinking", "thinking": "", "signature": ""}})]
    if fake_thinking.shown(body):
        for piece in _pieces(block.text, TEXT_PIECE):
            events.append(_sse("content_block_delta", {"type": "content_block_delta",
                          "index": index, "delta": {"type": "thinking_delta",
                                                    "thinking": piece}}))
    events.append(_sse("content_block_delta", {"type": "content_block_delta", "index": index,
                  "delta": {"type": "signature_delta", "signature": signed}}))
    return events


def _count_key(node: Any, key: str) -> int:
    if isinstance(node, dict):
        return (key in node) + sum(_count_key(v, key) for v in node.values())
    if isinstance(node, list):
        return sum(_count_key(v, key) for v in node)
    return 0


def problems_in(body: Any) -> str | None:
    """What the real Messages API would reject in this request body, if anything."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return "messages: Field required"
    messages = body["messages"]
    breakpoints = _count_key(body, "cache_control")
    if breakpoints > 4:
        return f"A maximum of 4 blocks with cache_control may be provided. Found {breakpoints}."
    for index, message in enumerate(messages):
        content = message.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if not content:
            return f"messages.{index}: all messages must have non-empty content"
        for block in content:
            if block.get("type") == "text" and not str(block.get("text", "")).strip():
                return f"messages.{index}: text content blocks must contain non-whitespace text"
            if block.get("type") == "tool_use" and not isinstance(block.get("input"), dict):
                return f"messages.{index}: tool_use.input: Input should be a valid dictionary"
        calls = [b.get("id") for b in content if b.get("type") == "tool_use"]
        if message.get("role") == "assistant" and calls:
            after = messages[index + 1].get("content") if index + 1 < len(messages) else []
            answered = [b.get("tool_use_id") for b in after or []
                        if isinstance(b, dict) and b.get("type") == "tool_result"]
            if index + 1 >= len(messages) or answered[: len(calls)] != calls:
                return (f"messages.{index + 1}: `tool_use` ids were found without `tool_result` "
                        f"blocks immediately after: {', '.join(map(str, calls))}")
        if message.get("role") == "user":
            results = [b.get("tool_use_id") for b in content if b.get("type") == "tool_result"]
            before = messages[index - 1] if index else {}
            offered = [b.get("id") for b in before.get("content") or []
                       if isinstance(b, dict) and b.get("type") == "tool_use"]
            stray = [r for r in results if r not in offered]
            if stray:
                return (f"messages.{index}: unexpected `tool_use_id` found in `tool_result` "
                        f"blocks: {', '.join(map(str, stray))}")
    attachment = attachment_problem(messages)
    if attachment:
        return attachment
    tool_blocks = any(isinstance(b, dict) and b.get("type") in ("tool_use", "tool_result")
                      for m in messages if isinstance(m.get("content"), list)
                      for b in m["content"])
    if tool_blocks and not body.get("tools"):
        return ("Requests which include `tool_use` or `tool_result` blocks must define tools.")
    return fake_thinking.problems(body)


def _model_object(api: FakeAPI, model_id: str) -> dict[str, Any]:
    """One model as the API describes it (``ModelInfo`` in the SDK)."""
    words = model_id.removeprefix("claude-").split("-")
    name = "Claude " + " ".join([words[0].title(), ".".join(words[1:])]).strip()
    return {"type": "model", "id": model_id, "display_name": name,
            "created_at": "2026-06-01T00:00:00Z", "lifecycle": "active",
            "deprecated_at": None, "retires_at": None, "line": words[0],
            "max_input_tokens": 1_000_000, "max_tokens": 128_000,
            **api.model_details.get(model_id, {})}


def _models_page(api: FakeAPI, path: str) -> dict[str, Any]:
    """A page of ``GET /v1/models``: newest first, ``limit`` (default 20) after ``after_id``."""
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(path).query)
    limit = int(query.get("limit", ["20"])[0])
    ids = list(api.models)
    after = query.get("after_id", [None])[0]
    if after in ids:
        ids = ids[ids.index(after) + 1:]
    page = ids[:limit]
    return {"data": [_model_object(api, m) for m in page], "has_more": len(ids) > limit,
            "first_id": page[0] if page else None, "last_id": page[-1] if page else None}


# --- the server ------------------------------------------------------------------------------
@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeAPI:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.default: Callable[[dict[str, Any]], Script] | None = None
        self.validate = True
        # ``GET /v1/models`` lists these ids, in pages as the API does (``limit``,
        # ``after_id``); ``model_details`` adds or overrides fields of one
        # (``{"claude-opus-5-5": {"max_input_tokens": 500_000}}``, ``{"lifecycle":
        # "retired"}``); ``models_error`` (an ``error(...)``) makes the endpoint fail.
        self.models = ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]
        self.model_details: dict[str, dict[str, Any]] = {}
        self.models_error: ErrorReply | None = None
        self._queue: deque[ScriptSource] = deque()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        # Set when a client closes its connection while a reply waits at its fault point
        # ("stall" or ``hold``): a cancelled turn really let go of the connection.
        self.hung_up = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # test-facing API --------------------------------------------------------------------------
    def add(self, *scripts: ScriptSource) -> None:
        with self._lock:
            self._queue.extend(scripts)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """JSON bodies of the Messages requests received, in order."""
        return [r.body for r in self.received if r.path.startswith("/v1/messages")]

    @property
    def headers(self) -> list[dict[str, str]]:
        return [r.headers for r in self.received if r.path.startswith("/v1/messages")]

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def provider(self, *, max_retries: int = 0, timeout: float | None = None,
                 api_key: str = API_KEY) -> Any:
        """``timeout``: seconds to wait for the server's next bytes (the read timeout). The
        connection itself gets a generous one: a busy machine may be slow to connect, and
        a test about a stalled reply must not fail on that instead."""
        from claude_tui.providers.anthropic import AnthropicProvider

        read_timeout: Any = timeout
        if timeout is not None:
            import anthropic

            read_timeout = anthropic.Timeout(timeout, connect=CONNECT_TIMEOUT)
        return AnthropicProvider(api_key, base_url=self.base_url, max_retries=max_retries,
                                 timeout=read_timeout)

    def start(self) -> FakeAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # server side ------------------------------------------------------------------------------
    def _next_script(self, body: dict[str, Any]) -> Script:
        with self._lock:
            source = self._queue.popleft() if self._queue else self.default
        if source is None:
            number = len(self.requests)
            return ErrorReply(500, "api_error",
                              f"fake_api: no scripted reply left for request #{number}; "
                              "queue one with fake_api.add()", {"x-should-retry": "false"})
        return source(body) if callable(source) else source


def _make_handler(api: FakeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _record(self, body: Any) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            with api._lock:
                api.received.append(Received(self.command, self.path, headers, body))

        def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", "req_fake")
            self.send_header("connection", "close")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        def do_GET(self) -> None:
            self._record(None)
            if self.path.startswith("/v1/models"):
                if api.models_error is not None:
                    failure = api.models_error
                    self._send_json(failure.status, {"type": "error", "error": {
                        "type": failure.type, "message": failure.message}}, failure.headers)
                    return
                self._send_json(200, _models_page(api, self.path))
            else:
                self._send_json(404, {"type": "error", "error": {
                    "type": "not_found_error", "message": f"fake_api: no route {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            self._record(body)
            if not self.path.startswith("/v1/messages"):
                self._send_json(404, {"type": "error", "error": {
                    "type": "not_found_error", "message": f"fake_api: no route {self.path}"}})
                return
            problem = problems_in(body) if api.validate else None
            if problem:
                self._send_json(400, {"type": "error", "error": {
                    "type": "invalid_request_error", "message": problem}})
                return
            script = api._next_script(body if isinstance(body, dict) else {})
            if isinstance(script, RawReply):
                self.send_response(script.status)
                self.send_header("content-type", script.content_type)
                self.send_header("content-length", str(len(script.body)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(script.body)
                self.close_connection = True
                return
            if isinstance(script, ErrorReply):
                self._send_json(script.status, {"type": "error", "error": {
                    "type": script.type, "message": script.message}}, script.headers)
                return
            self._stream(script, body.get("model", "") if isinstance(body, dict) else "",
                         body if isinstance(body, dict) else None)

        def _chunk(self, data: bytes, delay: float) -> None:
            if delay and api.stopping.wait(delay):
                raise ConnectionAbortedError
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _stream(self, script: Reply, model: str,
                    body: dict[str, Any] | None = None) -> None:
            if script.fault == "hang":
                while not api.stopping.wait(0.05) and not self._hung_up():
                    pass
                self.close_connection = True
                return
            events, fault_at = _events(script, model, len(api.received), body)
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("request-id", "req_fake")
            self.send_header("transfer-encoding", "chunked")
            self.send_header("connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for position, event in enumerate(events):
                    if position == fault_at and self._fault(script):
                        return
                    self._chunk(event, script.delay)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                # The client went away (a cancelled turn), maybe before the fault point: it
                # hung up all the same.
                api.hung_up.set()
            except ConnectionAbortedError:
                pass  # the server is stopping

        def _fault(self, script: Reply) -> bool:
            """Apply the reply's fault at this point; True when the stream is over."""
            if script.hold is not None:
                while not script.hold.wait(0.05):
                    if api.stopping.is_set() or self._hung_up():
                        return True
            fault = script.fault
            if fault == "cut":
                self.wfile.flush()
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return True
            if fault == "no_stop":
                self.wfile.write(b"0\r\n\r\n")
                return True
            if fault == "stall":
                while not api.stopping.wait(0.05) and not self._hung_up():
                    pass
                return True
            if fault == "error_event":
                self._chunk(_sse("error", {"type": "error", "error": {
                    "type": script.error_type, "message": script.error_message}}), 0)
                self.wfile.write(b"0\r\n\r\n")
                return True
            return False

        def _hung_up(self) -> bool:
            """The client has closed the connection (it has nothing more to send)."""
            try:
                # poll, not select: select refuses descriptors above 1024 (a long test run).
                poller = select.poll()
                poller.register(self.connection, select.POLLIN)
                readable = poller.poll(0)
                gone = bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
            except OSError:
                gone = True
            if gone:
                api.hung_up.set()
            return gone

    return Handler


@pytest.fixture
def fake_api() -> Iterator[FakeAPI]:
    api = FakeAPI().start()
    try:
        yield api
    finally:
        api.stop()
