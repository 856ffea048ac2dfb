"""The chat engine: runs one turn of a conversation, with the end-conversation protocol.

A turn: the user's message is saved first, the request is rebuilt from the stored content blocks,
the reply streams through the conversation's provider, and tool calls go through ``protocol``.
Every turn that starts emits ``TurnStarted`` first and ``TurnFinished`` last, also after a
``TurnFailed``, an end, or a cancel. Nothing is raised out of ``send``/``retry`` but
``ConversationEndedError`` from ``send`` (an ended conversation takes no message) and the
``CancelledError`` of a cancelled task. ``MessageSaved`` for the user's message means it is on
disk; a message that could not be saved gets a ``TurnFailed`` instead, and is not sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any

from claude_tui import protocol
from claude_tui.config import DEMO_MODEL, Settings
from claude_tui.conversation import (
    Conversation,
    EndedBy,
    EndRecord,
    IssuedWarning,
    Message,
    now_iso,
)
from claude_tui.events import (
    ChatEvent,
    ConversationEnded,
    EndDeclined,
    EndRefused,
    EventSink,
    MessageSaved,
    RefusalNotice,
    ReplyCutShort,
    RetryScheduled,
    TextDelta,
    TurnFailed,
    TurnFinished,
    TurnStarted,
    UsageUpdated,
    WarningIssued,
)
from claude_tui.providers.anthropic import BROKE_OFF
from claude_tui.providers.base import (
    ModelRequest,
    Provider,
    ProviderError,
    ReplyDone,
    RetryWait,
    TextChunk,
)
from claude_tui.request import build_request
from claude_tui.storage.store import ConversationEndedError, ConversationStore, StoreError

log = logging.getLogger(__name__)

ConfirmEnd = Callable[[Conversation, str], Awaitable[bool]]
"""(conversation, who_asked: "assistant" | "user") -> did the user confirm the permanent end?"""

MAX_ROUND_TRIPS = 8
# While a reply streams, what has come so far is saved this often (marked interrupted until it
# completes), so a crash, a closed terminal or a kill loses at most these seconds of it.
PARTIAL_SAVE_EVERY = 2.0


class ChatEngine:
    def __init__(self, store: ConversationStore, settings: Settings, *,
                 claude: Provider | None, demo: Provider) -> None:
        self.store = store
        self.settings = settings
        self.claude = claude
        self.demo = demo
        self.max_round_trips = MAX_ROUND_TRIPS
        self.partial_save_every = PARTIAL_SAVE_EVERY
        self._running: set[str] = set()  # ids of conversations with a turn in progress
        # Set when the app is closing (a signal, a closed terminal): a reply cut off then is
        # marked as such, not as stopped by the user.
        self.closing = False

    # --- public API ---------------------------------------------------------------------------
    def provider_for(self, model: str) -> Provider:
        if model == DEMO_MODEL:
            return self.demo
        if self.claude is None:
            raise ProviderError(
                "No API key: set ANTHROPIC_API_KEY (or api_key in the config file) to talk to "
                f"{model}, or start a conversation with the offline demo model.",
                kind="no_key", retryable=False)
        return self.claude

    def is_running(self, conversation: Conversation) -> bool:
        """A turn of this conversation is in progress (a second send would be refused)."""
        return conversation.id in self._running

    def new_conversation(self, model: str) -> Conversation:
        """A new conversation, its file written in the background (a failure to write it is
        reported by its first save, which is what the user acts on)."""
        conversation = self.store.create(model)
        future = self.store.submit(conversation)
        future.add_done_callback(_log_failure)
        return conversation

    async def send(self, conversation: Conversation, text: str, *, on_event: EventSink,
                   confirm_end: ConfirmEnd) -> None:
        """Save the user's message, then run the turn.

        Raises ``ConversationEndedError`` (before any request) if the conversation has ended.
        """
        if conversation.is_ended:
            raise ConversationEndedError("this conversation has ended; nothing can be added to it")
        if self.is_running(conversation):
            _emit(on_event, TurnFailed(conversation.id, "A reply is still on its way: wait for "
                                       "it, or stop it with escape, then send.", retryable=False))
            return
        if not text.strip():
            # The API rejects empty text, and an empty message must not count as the user
            # writing again after a warning (E1).
            _emit(on_event, TurnFailed(conversation.id, "Nothing to send: the message is empty.",
                                       retryable=False))
            return
        message = Message(role="user", content=[{"type": "text", "text": text}])
        try:
            await self.store.aappend(conversation, message)
        except ConversationEndedError:
            raise
        except (StoreError, OSError) as exc:
            _emit(on_event, TurnFailed(conversation.id, f"Your message could not be saved, so "
                                       f"it was not sent: {exc}", retryable=False))
            return
        _emit(on_event, _saved(conversation, message))
        await self._turn(conversation, on_event, confirm_end)

    def can_retry(self, conversation: Conversation) -> bool:
        """The last turn got no complete answer: the last message is the user's, or a reply
        that broke off."""
        if conversation.is_ended or conversation.read_only_reason or not conversation.messages:
            return False
        last = conversation.messages[-1]
        if last.excluded:
            return False
        return last.role == "user" or last.interrupted

    async def retry(self, conversation: Conversation, *, on_event: EventSink,
                    confirm_end: ConfirmEnd) -> None:
        """Run the last turn again. A reply that broke off stays in the file, marked excluded,
        and a new reply follows it."""
        if not self.can_retry(conversation) or self.is_running(conversation):
            return
        last = conversation.messages[-1]
        if last.role == "assistant":
            last.excluded = True
            try:
                await self.store.asave(conversation)
            except (StoreError, OSError) as exc:
                last.excluded = False
                _emit(on_event, TurnFailed(conversation.id, str(exc), retryable=False))
                return
        await self._turn(conversation, on_event, confirm_end)

    async def end_by_user(self, conversation: Conversation, *, on_event: EventSink,
                          confirm_end: ConfirmEnd) -> bool:
        """E3: the user ends the conversation (after confirming). True if it ended."""
        if conversation.is_ended or conversation.read_only_reason:
            return False
        if not await _ask(confirm_end, conversation, "user") or conversation.is_ended:
            return False
        return await self._end(conversation, "user", protocol.USER_REQUESTED, on_event)

    async def branch(self, conversation: Conversation, user_message_index: int
                     ) -> tuple[Conversation, str]:
        """A new saved conversation holding the messages before a user message, and that
        message's text for the composer. The source is left as it is."""
        messages = conversation.messages
        if not 0 <= user_message_index < len(messages) or not messages[
                user_message_index].is_user_text:
            raise ValueError("a branch starts at a message the user typed")
        earlier = messages[:user_message_index]
        turns = sum(1 for m in earlier if m.is_user_text)
        title = f"{conversation.title} (branch)" if conversation.title.strip() else ""
        branched = self.store.create(conversation.model, title=title)
        branched.messages = copy.deepcopy(earlier)
        branched.warnings = [copy.copy(w) for w in conversation.warnings if w.turn <= turns]
        branched.refused_ends = [copy.copy(r) for r in conversation.refused_ends
                                 if r.turn <= turns]
        await self.store.asave(branched)
        return branched, messages[user_message_index].text

    # --- the turn -----------------------------------------------------------------------------
    async def _turn(self, conversation: Conversation, on_event: EventSink,
                    confirm_end: ConfirmEnd) -> None:
        if conversation.is_ended:
            return  # E5: whatever the caller does, no request for an ended conversation
        cid = conversation.id
        self._running.add(cid)
        _emit(on_event, TurnStarted(cid))
        stop_reason: str | None = None
        interrupted = False
        try:
            stop_reason = await self._round_trips(conversation, on_event, confirm_end)
        except asyncio.CancelledError:
            interrupted = True
            raise
        except (StoreError, OSError) as exc:  # a warning or refusal record could not be written
            _emit(on_event, TurnFailed(cid, f"Could not save the conversation: {exc}"))
        except Exception as exc:  # never let a bug in one turn take the app down
            log.exception("turn of %s failed", cid)
            _emit(on_event, TurnFailed(cid, f"Something went wrong: {exc}"))
        finally:
            self._running.discard(cid)
            _emit(on_event, TurnFinished(cid, stop_reason, interrupted=interrupted))

    async def _round_trips(self, conversation: Conversation, on_event: EventSink,
                           confirm_end: ConfirmEnd) -> str | None:
        cid = conversation.id
        try:
            provider = self.provider_for(conversation.model)
        except ProviderError as exc:
            _emit(on_event, TurnFailed(cid, exc.message, retryable=exc.retryable))
            return None
        enabled = protocol.tools_enabled(conversation.model, self.settings)
        for _ in range(self.max_round_trips):
            if conversation.is_ended:
                return None
            request = build_request(conversation, self.settings)
            done = await self._stream(conversation, provider, request, on_event)
            if done is None:
                return None
            stop = done.stop_reason
            if stop == "refusal":
                await self._exclude_refused_turn(conversation)
                details = done.stop_details or {}
                explanation = details.get("explanation") or (
                    "Claude's safety system stopped this reply. It is left out of the "
                    "conversation's context from now on.")
                _emit(on_event, RefusalNotice(cid, explanation))
                return stop
            if stop in ("max_tokens", "model_context_window_exceeded"):
                _emit(on_event, ReplyCutShort(cid))
                return stop
            uses = [b for b in done.content if b.get("type") == "tool_use"]
            if stop != "tool_use" or not uses:
                return stop
            results = await self._run_tools(conversation, uses, enabled, on_event, confirm_end)
            if results is None:
                return stop  # ended (E4): nothing more is sent
            if not await self._append(conversation, Message(role="user", content=results),
                                      on_event):
                return None
        _emit(on_event, TurnFailed(
            cid, f"Stopped after {self.max_round_trips} tool calls in a row in one turn; "
            "press ctrl+r to let Claude continue."))
        return None

    async def _stream(self, conversation: Conversation, provider: Provider,
                      request: ModelRequest, on_event: EventSink) -> ReplyDone | None:
        """One request. Returns the finished reply, or None after saving what came and
        emitting TurnFailed."""
        cid = conversation.id
        parts: list[str] = []
        done: ReplyDone | None = None
        stream = provider.stream(request)
        loop = asyncio.get_running_loop()
        pending_save: asyncio.TimerHandle | None = None
        last_save = time.monotonic()

        def save_progress() -> None:
            nonlocal pending_save, last_save
            pending_save, last_save = None, time.monotonic()
            self._save_progress(conversation, parts)

        def stop_saving_progress() -> None:
            # Before the reply's own save: a progress save after it would add it twice.
            nonlocal pending_save
            if pending_save is not None:
                pending_save.cancel()
                pending_save = None

        try:
            async for item in stream:
                if isinstance(item, TextChunk):
                    parts.append(item.text)
                    _emit(on_event, TextDelta(cid, item.text))
                    if pending_save is None:
                        # What came is on disk at most this long after it came, even if the
                        # stream then goes quiet.
                        delay = max(0.0, last_save + self.partial_save_every - time.monotonic())
                        pending_save = loop.call_later(delay, save_progress)
                elif isinstance(item, ReplyDone):
                    done = item
                elif isinstance(item, RetryWait):
                    _emit(on_event, RetryScheduled(cid, item.seconds, item.reason))
        except asyncio.CancelledError:
            stop_saving_progress()
            how = "app_closed" if self.closing else "stopped"
            await self._save_partial(conversation, parts, on_event, how)
            raise
        except ProviderError as exc:
            stop_saving_progress()
            await self._save_partial(conversation, parts, on_event, "broke_off")
            _emit(on_event, TurnFailed(cid, exc.message, retryable=exc.retryable))
            return None
        finally:
            stop_saving_progress()
            # Drop the connection now, not when the generator is collected, whatever ended
            # the loop: a cancel, a failure, or a bug.
            await _close(stream)
        if done is None:
            await self._save_partial(conversation, parts, on_event, "broke_off")
            _emit(on_event, TurnFailed(cid, BROKE_OFF))
            return None
        reply = Message(role="assistant", content=done.content, model=request.model,
                        stop_reason=done.stop_reason, usage=dict(done.usage),
                        interrupted=done.stop_reason is None)
        if done.stop_details:
            # Kept with the reply (an extra key in the file) so the refusal's explanation is
            # still shown after a restart, not only while the turn runs.
            reply.extra["stop_details"] = dict(done.stop_details)
        if done.stop_reason is None:
            reply.extra["interruption"] = "broke_off"
        if not await self._append(conversation, reply, on_event):
            return None
        _emit(on_event, UsageUpdated(cid, dict(done.usage), conversation.usage_totals()))
        if done.stop_reason is None:
            _emit(on_event, TurnFailed(cid, BROKE_OFF))
            return None
        return done

    async def _run_tools(self, conversation: Conversation, uses: list[dict[str, Any]],
                         enabled: bool, on_event: EventSink, confirm_end: ConfirmEnd
                         ) -> list[dict[str, Any]] | None:
        """Tool results for the calls in a reply, or None if the conversation ended (E4)."""
        cid = conversation.id
        results: list[dict[str, Any]] = []
        declined = False  # the user said no to ending in this reply: don't ask them again
        for use in uses:
            use_id, name, tool_input = use.get("id", ""), use.get("name"), use.get("input")
            if not enabled or name not in protocol.TOOL_NAMES:
                offered = ", ".join(protocol.TOOL_NAMES) if enabled else "none"
                results.append(protocol.error_result(
                    use_id, f"Unknown tool {name!r}. Tools offered: {offered}."))
                continue
            if name == protocol.ISSUE_WARNING:
                try:
                    behavior = protocol.parse_warning(tool_input)
                except protocol.InvalidToolInput as exc:
                    results.append(protocol.error_result(use_id, str(exc)))
                    continue
                conversation.warnings.append(
                    IssuedWarning(behavior, now_iso(), conversation.user_turns))
                await self._save(conversation)
                _emit(on_event, WarningIssued(cid, behavior))
                results.append(protocol.ok_result(use_id, protocol.WARNING_SHOWN))
                continue
            try:
                reason = protocol.parse_end(tool_input)
            except protocol.InvalidToolInput as exc:
                await self._refuse(conversation, _given_reason(tool_input), str(exc), on_event)
                results.append(protocol.error_result(use_id, str(exc)))
                continue
            decision = protocol.decide_end(conversation, reason,
                                           self.settings.end_conversation.min_warnings)
            if decision.action == "end":
                await self._end(conversation, "assistant", reason, on_event, call=use)
                return None
            if decision.action == "refuse":
                await self._refuse(conversation, reason, decision.why, on_event)
                results.append(protocol.error_result(use_id, decision.why))
                continue
            if not declined:
                if (await _ask(confirm_end, conversation, "assistant")
                        and not conversation.is_ended):
                    await self._end(conversation, "user", reason, on_event, call=use)
                    return None
                if conversation.is_ended:  # the user ended it another way meanwhile
                    return None
                declined = True
                _emit(on_event, EndDeclined(cid))
            results.append(protocol.ok_result(use_id, protocol.END_DECLINED))
        return results

    # --- saving -------------------------------------------------------------------------------
    async def _append(self, conversation: Conversation, message: Message,
                      on_event: EventSink) -> bool:
        try:
            await self.store.aappend(conversation, message)
        except StoreError as exc:
            if not conversation.is_ended:  # ended meanwhile (E3 during a turn): just stop
                _emit(on_event, TurnFailed(conversation.id, f"Could not save: {exc}"))
            return False
        except OSError as exc:
            _emit(on_event, TurnFailed(conversation.id, f"Could not save the conversation: {exc}"))
            return False
        _emit(on_event, _saved(conversation, message))
        return True

    async def _save(self, conversation: Conversation) -> None:
        conversation.touch()
        await self.store.asave(conversation)

    def _save_progress(self, conversation: Conversation, parts: list[str]) -> None:
        """Save the reply so far, marked interrupted until it completes; not waited for."""
        if conversation.is_ended:
            return
        partial = _partial_message(conversation, parts, "unfinished")
        try:
            future = self.store.submit(conversation, [partial])
        except StoreError:
            return  # the reply's own save reports it
        future.add_done_callback(_log_failure)

    async def _save_partial(self, conversation: Conversation, parts: list[str],
                            on_event: EventSink, how: str) -> None:
        """Keep the text that arrived before a cancel or a failure, marked interrupted:
        ``how`` says whether the user stopped it, it broke off, or the app was closed."""
        if not parts or conversation.is_ended:
            return
        await self._append(conversation, _partial_message(conversation, parts, how), on_event)

    async def _refuse(self, conversation: Conversation, reason: str, why: str,
                      on_event: EventSink) -> None:
        protocol.record_refusal(conversation, reason, why)
        await self._save(conversation)
        _emit(on_event, EndRefused(conversation.id, reason, why))

    async def _end(self, conversation: Conversation, by: EndedBy, reason: str,
                   on_event: EventSink, *, call: dict[str, Any] | None = None) -> bool:
        """Mark the conversation ended and save it. ``call``: the honoured end_conversation
        block; nothing after it in its reply is kept (the model is told to write nothing after
        the call, and no call after it was run)."""
        if call is not None:
            _drop_after(conversation, call)
        at = now_iso()
        conversation.status = "ended"
        conversation.ended = EndRecord(by=by, at=at, reason=reason)
        try:
            await self._save(conversation)
        except (StoreError, OSError) as exc:
            # It stays ended in memory, so no further request is made from this session.
            _emit(on_event, TurnFailed(conversation.id, f"The end could not be saved: {exc}",
                                       retryable=False))
        _emit(on_event, ConversationEnded(conversation.id, by, reason, at))
        return True

    async def _exclude_refused_turn(self, conversation: Conversation) -> None:
        """E7: the refused reply and the user message that prompted it leave the context."""
        messages = conversation.messages
        messages[-1].excluded = True
        for message in reversed(messages[:-1]):
            message.excluded = True
            if message.is_user_text:
                break
        await self._save(conversation)


def _partial_message(conversation: Conversation, parts: list[str], how: str) -> Message:
    return Message(role="assistant", content=[{"type": "text", "text": "".join(parts)}],
                   model=conversation.model, interrupted=True, extra={"interruption": how})


def _saved(conversation: Conversation, message: Message) -> MessageSaved:
    """The event for a message just saved, carrying a copy of it: the list it is in may change
    before the event is rendered."""
    index = len(conversation.messages) - 1
    for position in range(index, -1, -1):
        if conversation.messages[position] is message:
            index = position
            break
    return MessageSaved(conversation.id, index, copy.deepcopy(message))


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        log.warning("a background save failed: %s", exc)


def _drop_after(conversation: Conversation, call: dict[str, Any]) -> None:
    reply = conversation.messages[-1] if conversation.messages else None
    if reply is None or reply.role != "assistant":
        return
    for index, block in enumerate(reply.content):
        if block.get("type") == "tool_use" and block.get("id") == call.get("id"):
            reply.content = reply.content[: index + 1]
            return


def _given_reason(tool_input: Any) -> str:
    """What an invalid end_conversation call gave as its reason, for the record."""
    given = tool_input.get("reason") if isinstance(tool_input, dict) else None
    if given is None:
        return ""
    return given if isinstance(given, str) else repr(given)


async def _close(stream: Any) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        with contextlib.suppress(Exception):
            await close()


async def _ask(confirm_end: ConfirmEnd, conversation: Conversation, who: str) -> bool:
    try:
        return bool(await confirm_end(conversation, who))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("the end confirmation failed; treated as declined")
        return False


def _emit(on_event: EventSink, event: ChatEvent) -> None:
    try:
        on_event(event)
    except Exception:  # a display bug must not lose the turn or its saved messages
        # The type only: an event's repr holds the conversation's text.
        log.exception("event handler failed for %s of %s", type(event).__name__,
                      event.conversation_id)

