"""One request of a turn: the reply streams in, is saved as it comes, and is saved whole.

While a reply streams, what has come so far is saved every few seconds, marked interrupted
until it completes, so a crash, a closed terminal or a kill loses at most those seconds of it.
A reply cut off by a cancel or a failure is kept as far as it came, saying why it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from claude_tui.conversation import Message
from claude_tui.events import RetryScheduled, TextDelta, ThinkingDelta, UsageUpdated
from claude_tui.providers.base import (
    BROKE_OFF,
    ModelRequest,
    Provider,
    ProviderError,
    ReplyDone,
    RetryWait,
    TextChunk,
    ThinkingChunk,
)
from claude_tui.turn_output import TurnOutput


class ReplyProgress:
    """The text of the reply streaming now, and its progress saves."""

    def __init__(self, output: TurnOutput, every: float) -> None:
        self.output = output
        self.every = every
        self.parts: list[str] = []
        self.thinking: list[str] = []  # kept without a signature: never sent again
        self._pending: asyncio.TimerHandle | None = None
        self._last_save = time.monotonic()

    def add(self, text: str) -> None:
        self.parts.append(text)
        self._save_soon()

    def add_thinking(self, text: str) -> None:
        self.thinking.append(text)
        self._save_soon()

    def _save_soon(self) -> None:
        if self._pending is None:
            # What came is on disk at most this long after it came, even if the stream then
            # goes quiet.
            delay = max(0.0, self._last_save + self.every - time.monotonic())
            self._pending = asyncio.get_running_loop().call_later(delay, self._save)

    def stop(self) -> None:
        """No more progress saves. Before the reply's own save: one after it would add the
        reply twice."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    async def keep(self, how: str) -> None:
        """Keep the text that arrived before a cancel or a failure, marked interrupted:
        ``how`` says whether the user stopped it, it broke off, or the app was closed."""
        self.stop()
        if (self.parts or self.thinking) and not self.output.conversation.is_ended:
            await self.output.append(self._unfinished(how))

    def _save(self) -> None:
        self._pending, self._last_save = None, time.monotonic()
        self.output.save_soon(self._unfinished("unfinished"))

    def _unfinished(self, how: str) -> Message:
        content: list[dict[str, Any]] = []
        if self.thinking:
            content.append({"type": "thinking", "thinking": "".join(self.thinking)})
        if self.parts or not self.thinking:
            content.append({"type": "text", "text": "".join(self.parts)})
        return Message(role="assistant", content=content,
                       model=self.output.conversation.model, interrupted=True,
                       extra={"interruption": how})


async def stream_reply(provider: Provider, request: ModelRequest, output: TurnOutput, *,
                       save_every: float, closing: Callable[[], bool]) -> ReplyDone | None:
    """Send ``request`` and save its reply. Returns the finished reply, or None after saving
    what came and emitting ``TurnFailed``. ``closing``: whether the app is closing, so a
    reply cancelled then is not marked as stopped by the user."""
    cid = output.conversation.id
    progress = ReplyProgress(output, save_every)
    done: ReplyDone | None = None
    stream = provider.stream(request)
    try:
        async for item in stream:
            if isinstance(item, TextChunk):
                progress.add(item.text)
                output.emit(TextDelta(cid, item.text))
            elif isinstance(item, ThinkingChunk):
                progress.add_thinking(item.text)
                output.emit(ThinkingDelta(cid, item.text))
            elif isinstance(item, ReplyDone):
                done = item
            elif isinstance(item, RetryWait):
                output.emit(RetryScheduled(cid, item.seconds, item.reason))
    except asyncio.CancelledError:
        await progress.keep("app_closed" if closing() else "stopped")
        raise
    except ProviderError as exc:
        await progress.keep("broke_off")
        output.failed(exc.message, retryable=exc.retryable)
        return None
    finally:
        progress.stop()
        # Drop the connection now, not when the generator is collected, whatever ended the
        # loop: a cancel, a failure, or a bug.
        await _close(stream)
    if done is None:
        await progress.keep("broke_off")
        output.failed(BROKE_OFF)
        return None
    if not await output.append(_reply(done, request.model)):
        return None
    output.emit(UsageUpdated(cid, dict(done.usage), output.conversation.usage_totals()))
    if done.stop_reason is None:
        output.failed(BROKE_OFF)
        return None
    return done


def _reply(done: ReplyDone, model: str) -> Message:
    reply = Message(role="assistant", content=done.content, model=model,
                    stop_reason=done.stop_reason, usage=dict(done.usage),
                    interrupted=done.stop_reason is None)
    if done.stop_details:
        # Kept with the reply (an extra key in the file) so the refusal's explanation is still
        # shown after a restart, not only while the turn runs.
        reply.extra["stop_details"] = dict(done.stop_details)
    if done.stop_reason is None:
        reply.extra["interruption"] = "broke_off"
    return reply


async def _close(stream: Any) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        with contextlib.suppress(Exception):
            await close()
