"""A local Messages API streaming one long, realistic Markdown reply, for the benchmarks.

It speaks the SSE wire format of the real API (as ``tests/fake_api.py`` does), sends the reply
in pieces of ``PIECE`` characters, the first ``fast_chars`` as fast as the socket takes them and
the rest at ``rate`` pieces a second, and records when the request came and the last byte went.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PIECE = 16  # characters a delta, about what Claude sends
END_MARK = "Finis-omega-7"

_WORDS = [
    "the", "of", "and", "a", "to", "in", "is", "it", "that", "for", "on", "with", "as",
    "this", "by", "from", "at", "be", "or", "an", "are", "was", "function", "value",
    "request", "reply", "stream", "render", "widget", "buffer", "layout", "table", "column",
    "index", "store", "write", "read", "parse", "block", "token", "screen", "event", "loop",
    "thread", "queue", "cache", "python", "module", "import", "return", "class", "method",
    "field", "string", "number", "list", "dict", "error", "terminal", "window", "cursor",
    "scroll", "anchor", "bottom", "height", "width", "line", "chunk", "part", "fence",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = f"`{rng.choice(_WORDS)}()`"
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = f"**{rng.choice(_WORDS)}**"
    return " ".join(words).capitalize() + "."


def _code(rng: random.Random, lines: int) -> str:
    out = []
    for n in range(lines):
        indent = "    " * rng.randint(0, 2)
        kind = rng.random()
        if kind < 0.15:
            out.append(f"def {rng.choice(_WORDS)}_{n}(value, count=3):")
        elif kind < 0.3:
            out.append(f'{indent}return {{"{rng.choice(_WORDS)}": value + {n}}}')
        elif kind < 0.45:
            out.append(f"{indent}# {_sentence(rng)}")
        else:
            out.append(f"{indent}{rng.choice(_WORDS)}_{n} = {rng.choice(_WORDS)}(value, {n})")
    return "\n".join(out)


def markdown_reply(size: int, seed: int = 8, big_fence: bool = True) -> str:
    """About ``size`` characters of Markdown: headings, prose, lists, tables, code fences,
    one long fence (a whole file) per 100 KB, and ``END_MARK`` at the very end.

    No letter z anywhere: the key-latency probe types z's and looks for them on screen.
    """
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    section = 0
    while total < size - 200:
        section += 1
        kind = rng.random()
        if section % 6 == 1:
            block = f"## Section {section}: {rng.choice(_WORDS)} and {rng.choice(_WORDS)}"
        elif big_fence and section % 60 == 30:
            block = "```python\n" + _code(rng, 700) + "\n```"  # about 20 KB of code
        elif kind < 0.4:
            block = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        elif kind < 0.6:
            block = "\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(2, 6)))
        elif kind < 0.7:
            rows = [f"| {rng.choice(_WORDS)} | {rng.randint(1, 999)} | {rng.choice(_WORDS)} |"
                    for _ in range(rng.randint(2, 6))]
            block = "| name | count | note |\n|---|---:|---|\n" + "\n".join(rows)
        elif kind < 0.85:
            block = "```python\n" + _code(rng, rng.randint(4, 25)) + "\n```"
        else:
            block = "\n".join(f"{i}. {_sentence(rng)}" for i in range(1, rng.randint(3, 6)))
        block = block.replace("z", "s").replace("Z", "S")
        parts.append(block)
        total += len(block) + 2
    parts.append(f"That is all. {END_MARK}")
    return "\n\n".join(parts)


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class StreamServer:
    """Serves ``text`` to every ``POST /v1/messages``; set ``text``/``fast_chars``/``rate``
    before each request."""

    def __init__(self, text: str = "", *, fast_chars: int = 0, rate: float = 25.0) -> None:
        self.text = text
        self.fast_chars = fast_chars
        self.rate = rate
        self.requested_at = 0.0
        self.sent_at = 0.0
        self.paced_from = 0.0  # when the paced part began
        self.done = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requested_at = time.perf_counter()
                server.done.clear()
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._stream(body.get("model", "claude-opus-5-5"))
                server.sent_at = time.perf_counter()
                server.done.set()

            def _send(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

            def _stream(self, model: str) -> None:
                text = server.text
                usage = {"input_tokens": 10, "output_tokens": 1}
                self._send(_sse("message_start", {"type": "message_start", "message": {
                    "id": "msg_bench", "type": "message", "role": "assistant", "model": model,
                    "content": [], "stop_reason": None, "stop_sequence": None,
                    "usage": usage}}))
                self._send(_sse("content_block_start", {"type": "content_block_start",
                           "index": 0, "content_block": {"type": "text", "text": ""}}))
                interval = 1.0 / server.rate if server.rate else 0.0
                next_at = 0.0
                for start in range(0, len(text), PIECE):
                    if start >= server.fast_chars and interval:
                        now = time.perf_counter()
                        if not next_at:
                            next_at = now
                            server.paced_from = now
                            self.wfile.flush()
                        if next_at > now:
                            time.sleep(next_at - now)
                        next_at += interval
                    self._send(_sse("content_block_delta", {
                        "type": "content_block_delta", "index": 0,
                        "delta": {"type": "text_delta", "text": text[start:start + PIECE]}}))
                    if interval and start >= server.fast_chars:
                        self.wfile.flush()
                self._send(_sse("content_block_stop", {"type": "content_block_stop",
                                                       "index": 0}))
                self._send(_sse("message_delta", {"type": "message_delta", "delta": {
                    "stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": len(text) // 4}}))
                self._send(_sse("message_stop", {"type": "message_stop"}))
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


SDK_ALONE = r"""
import asyncio, sys, time
import anthropic

async def main() -> None:
    client = anthropic.AsyncAnthropic(api_key="test", base_url=sys.argv[1], max_retries=0)
    start, cpu = time.perf_counter(), time.process_time()
    async with client.messages.stream(model="claude-opus-5-5", max_tokens=64000,
                                      messages=[{"role": "user", "content": "go"}]) as s:
        async for _ in s:
            pass
        final = await s.get_final_message()
    # perf_counter is the system's monotonic clock: comparable with the server's times.
    print(time.perf_counter() - start, len(final.content[0].text), time.perf_counter(),
          time.process_time() - cpu)

asyncio.run(main())
"""
