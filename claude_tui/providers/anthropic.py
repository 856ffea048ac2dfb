"""Claude through the official ``anthropic`` SDK, streaming.

``anthropic`` takes about a second to import, so it is imported on first use (or by
``warm_up()``, which the app can run in a thread after the first paint), never at import time.
Every failure becomes a ``ProviderError`` whose message says what happened and what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from claude_tui.models import BUILT_IN_MODELS, ModelInfo, merged
from claude_tui.providers.anthropic_errors import describe_error, retry_after, retry_reason
from claude_tui.providers.anthropic_events import raw_events
from claude_tui.providers.anthropic_reply import ReplyParts
from claude_tui.providers.base import (
    BROKE_OFF,
    RETRY_HINT,
    ModelRequest,
    ProviderError,
    ReplyDone,
    RetryWait,
    StreamItem,
    TextChunk,
)
from claude_tui.providers.choice import CLAUDE

log = logging.getLogger(__name__)

# The SDK waits up to 10 minutes for each read. A chat client should notice a dead connection
# (a laptop that slept, a network that changed) much sooner. A reply streams its events as they
# are made, so two minutes of silence almost surely means the connection is gone, while leaving
# room for a slow first token on a long conversation. Escape stops a reply at any time anyway;
# this bounds only an unattended wait. Retries (max_retries) apply only before the body starts.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 120.0
# The longest the SDK's parsing holds the event loop before other work gets a turn. A key
# takes several turns of the loop to reach the screen, each after one of these: at 5 ms the
# keys typed during a 400 KB burst waited 107-161 ms (p95), at 2 ms 83-128 ms; at 1 ms the
# turns cost more than they give (the reply saved 25 % later, keys no quicker).
LOOP_SHARE = 0.002
# The API sends a streamed reply's headers at once, before the model writes anything: a server
# silent this long after the request was sent is not going to answer.
FIRST_BYTE_TIMEOUT = 45.0
# The longest one retry may wait for (a rate limit's retry-after); longer is left to the user.
MAX_RETRY_WAIT = 60.0
# Backoff without a retry-after header, as the SDK's own: 0.5 s doubling up to 8 s, less up to
# a quarter at random so many clients do not come back at the same moment.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
_RETRYABLE_STATUS = {408, 409, 429}


class AnthropicProvider:
    """Claude, every model but the demo's (``choice.provider_info``)."""

    info = CLAUDE

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout: float | None = None,
        max_retry_wait: float = MAX_RETRY_WAIT,
        first_byte_timeout: float = FIRST_BYTE_TIMEOUT,
    ) -> None:
        """``timeout``: seconds for every phase of a request (connect, each read, each write);
        None keeps ``CONNECT_TIMEOUT`` and ``READ_TIMEOUT``. ``max_retries``: how many times a
        request that failed before its reply began is sent again (the client's own retries,
        so the wait can be shown and stopped); ``max_retry_wait``: the longest one retry waits;
        ``first_byte_timeout``: how long to wait for the response headers."""
        self.api_key = api_key
        self.base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        self.max_retries = max_retries
        self.timeout = timeout
        self.max_retry_wait = max_retry_wait
        self.first_byte_timeout = first_byte_timeout
        self.initial_retry_delay = INITIAL_RETRY_DELAY
        self._client: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Import the SDK and build the client; safe to call from a worker thread."""
        self._get_client()

    @property
    def ready(self) -> bool:
        """The SDK is imported and the client built (by warm_up or a first request)."""
        return self._client is not None

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                import anthropic

                # Retries are run here (stream()), not by the SDK, which waits silently and
                # for as long as retry-after says.
                kwargs: dict[str, Any] = {"api_key": self.api_key, "max_retries": 0}
                if self.base_url:
                    kwargs["base_url"] = self.base_url
                kwargs["timeout"] = (
                    self.timeout if self.timeout is not None
                    else anthropic.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT))
                self._client = anthropic.AsyncAnthropic(**kwargs)
            return self._client

    async def list_models(self) -> list[ModelInfo]:
        """The models this key can use, from the models endpoint (``client.models.list()``),
        their limits filled in from the built-in list where it leaves them out; the built-in
        list itself when the endpoint cannot be asked (offline, a proxy without it, an error).

        The SDK is imported off the event loop first, if the warm-up has not done it yet."""
        try:
            client = await asyncio.to_thread(self._get_client)
            found: list[ModelInfo] = []
            async with asyncio.timeout(self.first_byte_timeout):
                async for model in client.models.list(limit=100):
                    if getattr(model, "lifecycle", None) == "retired":
                        continue  # listed for the record; a request naming it fails
                    found.append(ModelInfo(
                        model.id, model.display_name or model.id,
                        getattr(model, "max_input_tokens", None),
                        getattr(model, "max_tokens", None)))
        except Exception as exc:  # any failure: the built-in list is the answer
            log.info("the models could not be listed (%s); using the built-in list",
                     type(exc).__name__)
            return list(BUILT_IN_MODELS)
        return merged(found) or list(BUILT_IN_MODELS)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamItem]:
        client = self._get_client()
        params: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": request.messages,
        }
        if request.system:
            params["system"] = request.system
        if request.tools:
            params["tools"] = request.tools
        if request.tool_choice is not None:
            params["tool_choice"] = request.tool_choice
        if request.thinking is not None:
            params["thinking"] = request.thinking
        if request.output_config is not None:
            params["output_config"] = request.output_config
        async with contextlib.AsyncExitStack() as stack:
            stream: Any = None
            attempt = 0
            while stream is None:
                try:
                    stream = await self._open(stack, client, params, attempt)
                except ProviderError:
                    raise
                except Exception as exc:
                    wait = self._retry_wait(exc, attempt)
                    if wait is None:
                        raise describe_error(exc, request.model) from exc
                    attempt += 1
                    yield RetryWait(wait, retry_reason(exc), attempt)
                    await asyncio.sleep(wait)
            async for item in _read(stream, request.model):
                yield item

    async def _open(self, stack: contextlib.AsyncExitStack, client: Any,
                    params: dict[str, Any], attempt: int) -> Any:
        """Send the request; the open stream of raw events once the response headers have
        come (``messages.create(stream=True)``: the ``messages.stream()`` helper costs several
        times as much per event, see ``anthropic_reply``)."""
        try:
            async with asyncio.timeout(self.first_byte_timeout):
                stream = await client.messages.create(
                    **params, stream=True,
                    extra_headers={"x-stainless-retry-count": str(attempt)})
                await stack.enter_async_context(stream)
        except TimeoutError:
            raise ProviderError(
                f"The API accepted the request but sent nothing for {self.first_byte_timeout:g} "
                f"seconds (first_byte_timeout); {RETRY_HINT}.", kind="timeout") from None
        kind = stream.response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "text/event-stream":
            # A captive portal, a proxy's page, or a base URL that is not the API.
            what = "a web page" if kind in ("text/html", "application/xhtml+xml") else (
                f"{kind or 'something'}")
            raise ProviderError(
                f"The server at {client.base_url} answered with {what}, not the Messages API: "
                "check ANTHROPIC_BASE_URL (and your network's login page or proxy).",
                kind="not_api", retryable=False, status_code=stream.response.status_code)
        return stream

    def _retry_wait(self, exc: BaseException, attempt: int) -> float | None:
        """Seconds to wait before sending the request again, or None: not to be retried.

        Raises ``ProviderError`` when the API asks for a longer wait than ``max_retry_wait``.
        """
        import anthropic

        if attempt >= self.max_retries:
            return None
        response = getattr(exc, "response", None)
        should = (getattr(response, "headers", None) or {}).get("x-should-retry")
        if should == "false":
            return None
        if isinstance(exc, anthropic.APIStatusError):
            if should != "true" and not (exc.status_code in _RETRYABLE_STATUS
                                         or exc.status_code >= 500):
                return None
        elif not isinstance(exc, anthropic.APIConnectionError):
            return None
        asked = retry_after(exc)
        if asked is not None and asked > self.max_retry_wait:
            reason = retry_reason(exc)
            raise ProviderError(
                f"{reason[:1].upper()}{reason[1:]}: the API asks to wait {asked:g} s, more than "
                f"max_retry_wait ({self.max_retry_wait:g} s); press ctrl+r to retry later.",
                kind="rate_limit" if reason == "rate limited" else "retry_later",
                status_code=getattr(exc, "status_code", None), retry_after=asked) from exc
        if asked is not None and asked >= 0:
            return asked
        delay = min(self.initial_retry_delay * 2 ** attempt, MAX_RETRY_DELAY)
        return delay * (1 - 0.25 * random.random())


async def _read(stream: Any, model: str) -> AsyncIterator[StreamItem]:
    """The reply's text (and thinking) as it comes, then its ``ReplyDone``."""
    reply = ReplyParts()
    add = reply.add
    try:
        async for event in _sharing_the_loop(raw_events(stream)):
            piece = add(event)
            if piece is not None:
                yield TextChunk(piece) if piece.__class__ is str else piece  # type: ignore[misc]
        content = reply.content()
    except ProviderError:
        raise
    except Exception as exc:
        raise describe_error(exc, model) from exc
    # A body that ended before message_start holds no reply at all.
    if not reply.started:
        raise ProviderError(BROKE_OFF, kind="broken_stream")
    details = reply.stop_details
    yield ReplyDone(
        content=content,
        # A reply without message_stop broke off, whatever message_delta said before it.
        stop_reason=reply.stop_reason if reply.stopped else None,
        usage=reply.usage,
        stop_details=details.model_dump(mode="json") if details is not None else None,
    )


async def _sharing_the_loop(stream: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """The stream's events, giving the event loop its turn every ``LOOP_SHARE`` seconds.

    Events already received are parsed without the loop running anything else: a reply
    arriving faster than it is parsed (a long one, a fast connection) would hold key presses
    and repaints until it was all read.
    """
    turn = time.monotonic()
    async for event in stream:
        yield event
        if time.monotonic() - turn > LOOP_SHARE:
            await asyncio.sleep(0)
            turn = time.monotonic()


