"""The chat engine: runs one turn of a conversation, with the end-conversation protocol.

A turn: the user's message is saved first, the request is rebuilt from the stored content blocks,
the reply streams through the conversation's provider, and tool calls go through ``protocol``.
Every turn that starts emits ``TurnStarted`` first and ``TurnFinished`` last, also after a
``TurnFailed``, an end, or a cancel. Nothing is raised out of ``send``/``retry`` but
``ConversationEndedError`` from ``send`` (an ended conversation takes no message) and the
``CancelledError`` of a cancelled task. ``MessageSaved`` for the user's message means it is on
disk; a message that could not be saved gets a ``TurnFailed`` instead, and is not sent.

The engine runs the round trips of a turn; the pieces are beside it: ``reply_stream`` (one
request, streamed and saved as it comes), ``end_tools`` (the tool calls and the end),
``turn_output`` (saving and events), and ``providers.choice`` (which provider serves a model).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable, Sequence
from typing import Any

from claude_tui import protocol, thinking, versions
from claude_tui.attachments import (
    Attachment,
    AttachmentError,
    check_request,
    kept_attachments,
    message_content,
)
from claude_tui.branching import title_for_branch
from claude_tui.config import Settings
from claude_tui.conversation import Conversation, Message
from claude_tui.end_tools import ConfirmEnd, ask_to_end, end_conversation, run_tool_calls
from claude_tui.events import (
    ConversationFull,
    EarlierVersionsKept,
    EventSink,
    RefusalNotice,
    ReplyCutShort,
    TurnFinished,
    TurnStarted,
)
from claude_tui.providers.base import ProviderError
from claude_tui.providers.choice import Providers
from claude_tui.reply_stream import stream_reply
from claude_tui.request import build_request
from claude_tui.storage.store import ConversationEndedError, ConversationStore, StoreError
from claude_tui.turn_output import TurnOutput, forget_no_reply, log_failure, saved_event

log = logging.getLogger(__name__)

MAX_ROUND_TRIPS = 8
# A reply the API paused (``pause_turn``, a long server-side tool run) is sent back to be
# continued at most this many times in one turn.
MAX_PAUSES = 4
# While a reply streams, what has come so far is saved this often (marked interrupted until it
# completes), so a crash, a closed terminal or a kill loses at most these seconds of it.
PARTIAL_SAVE_EVERY = 2.0


class ChatEngine:
    def __init__(self, store: ConversationStore, settings: Settings,
                 providers: Providers) -> None:
        self.store = store
        self.settings = settings
        self.providers = providers
        self.max_round_trips = MAX_ROUND_TRIPS
        self.max_pauses = MAX_PAUSES
        self.partial_save_every = PARTIAL_SAVE_EVERY
        self._running: set[str] = set()  # ids of conversations with a turn in progress
        # Set when the app is closing (a signal, a closed terminal): a reply cut off then is
        # marked as such, not as stopped by the user.
        self.closing = False

    # --- public API ---------------------------------------------------------------------------
    def is_running(self, conversation: Conversation) -> bool:
        """A turn of this conversation is in progress (a second send would be refused)."""
        return conversation.id in self._running

    def new_conversation(self, model: str) -> Conversation:
        """A new conversation, its file written in the background (a failure to write it is
        reported by its first save, which is what the user acts on)."""
        conversation = self.store.create(model)
        future = self.store.submit(conversation)
        future.add_done_callback(log_failure)
        return conversation

    async def send(self, conversation: Conversation, text: str, *, on_event: EventSink,
                   confirm_end: ConfirmEnd, attached: Sequence[Attachment] = ()) -> None:
        """Save the user's message (its text and the files ``attached``), then run the turn.

        Raises ``ConversationEndedError`` (before any request) if the conversation has ended.
        """
        if conversation.is_ended:
            raise ConversationEndedError("this conversation has ended; nothing can be added to it")
        output = TurnOutput(self.store, conversation, on_event)
        if self.is_running(conversation):
            output.failed("A reply is still on its way: wait for it, or stop it with escape, "
                          "then send.", retryable=False)
            return
        if not text.strip() and not attached:
            # The API rejects empty text, and an empty message must not count as the user
            # writing again after a warning (E1).
            output.failed("Nothing to send: the message is empty.", retryable=False)
            return
        try:
            check_request(conversation.messages, list(attached))
        except AttachmentError as exc:
            output.failed(str(exc), retryable=False)
            return
        content, extra = message_content(text, list(attached))
        await self._send_message(output, Message(role="user", content=content, extra=extra),
                                 confirm_end)

    async def _send_message(self, output: TurnOutput, message: Message,
                            confirm_end: ConfirmEnd, undo: Callable[[], None] | None = None
                            ) -> None:
        """Save the user's message (and whatever was marked before it) and run the turn;
        ``undo`` takes the marks back if the save fails."""
        conversation = output.conversation
        count = len(conversation.messages)
        try:
            await self.store.aappend(conversation, message)
        except (StoreError, OSError) as exc:
            if undo is not None:
                undo()
            if isinstance(exc, ConversationEndedError):
                raise
            output.failed(f"Your message could not be saved, so it was not sent: {exc}",
                          retryable=False)
            return
        if undo is not None:
            output.emit(EarlierVersionsKept(conversation.id, count))
        output.emit(saved_event(conversation, message))
        await self._turn(conversation, output.on_event, confirm_end)

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
        output = TurnOutput(self.store, conversation, on_event)
        last = conversation.messages[-1]
        if last.role == "assistant":
            last.excluded = True
            try:
                await self.store.asave(conversation)
            except (StoreError, OSError) as exc:
                last.excluded = False
                output.failed(str(exc), retryable=False)
                return
        await self._turn(conversation, on_event, confirm_end)

    def can_regenerate(self, conversation: Conversation) -> bool:
        return versions.can_regenerate(conversation) and not self.is_running(conversation)

    def can_edit_last(self, conversation: Conversation) -> bool:
        return versions.can_edit_last(conversation) and not self.is_running(conversation)

    async def regenerate(self, conversation: Conversation, *, on_event: EventSink,
                         confirm_end: ConfirmEnd) -> None:
        """Ask again for the reply to the last message the user typed. The reply it replaces
        (with its tool calls) stays in the file as an earlier version, never sent again."""
        if not self.can_regenerate(conversation):
            return
        output = TurnOutput(self.store, conversation, on_event)
        start = (versions.last_typed(conversation) or 0) + 1
        count = len(conversation.messages)
        if start < count:
            undo = versions.keep_as_earlier(conversation, start, "regenerate")
            try:
                await output.save()
            except (StoreError, OSError) as exc:
                undo()
                output.failed(f"Could not save the conversation: {exc}", retryable=False)
                return
            output.emit(EarlierVersionsKept(conversation.id, count))
        await self._turn(conversation, on_event, confirm_end)

    async def edit_last(self, conversation: Conversation, text: str, *, on_event: EventSink,
                        confirm_end: ConfirmEnd) -> None:
        """Send ``text`` in place of the last message the user typed. That message and what
        followed it stay in the file as earlier versions, never sent again.

        Raises ``ConversationEndedError`` (before any request) if the conversation has ended.
        """
        if conversation.is_ended:
            raise ConversationEndedError("this conversation has ended; nothing can be added to it")
        output = TurnOutput(self.store, conversation, on_event)
        index = versions.last_typed(conversation)
        if not self.can_edit_last(conversation) or index is None:
            output.failed("There is no message to edit now.", retryable=False)
            return
        # The edited message keeps its attachments: only its text is new.
        blocks, metas = kept_attachments(conversation.messages[index])
        if not text.strip() and not blocks:
            output.failed("Nothing to send: the message is empty.", retryable=False)
            return
        content = [*blocks, *([{"type": "text", "text": text}] if text.strip() else [])]
        message = Message(role="user", content=content,
                          extra={"attachments": metas} if blocks else {})
        undo = versions.keep_as_earlier(conversation, index, "edit")
        await self._send_message(output, message, confirm_end, undo)

    async def set_system_prompt(self, conversation: Conversation, prompt: str) -> None:
        """This conversation's own system prompt, from its next request on (E5: not once
        ended). Raises ``StoreError`` or ``OSError`` when it could not be saved, and
        ``thinking.HistoryBound`` where the history's thinking is bound to the prompt it was
        written under (preserved thinking: the API would refuse every later request)."""
        if conversation.is_ended or conversation.read_only_reason:
            raise ConversationEndedError("this conversation is read-only")
        if prompt != conversation.system_prompt and thinking.bound_to_history(conversation):
            raise thinking.HistoryBound(thinking.BOUND_PROMPT.format(
                model=conversation.model))
        old = conversation.system_prompt
        conversation.system_prompt = prompt
        conversation.touch()
        try:
            await self.store.asave(conversation)
        except BaseException:
            conversation.system_prompt = old
            raise

    async def set_thinking(self, conversation: Conversation, on: bool | None) -> None:
        """This conversation's own thinking choice (None: the config's), from its next request
        on, also in the middle of a tool loop (``thinking.request_fields`` keeps that request
        valid). Raises like ``set_system_prompt``."""
        if conversation.is_ended or conversation.read_only_reason:
            raise ConversationEndedError("this conversation is read-only")
        old = thinking.choice(conversation)
        thinking.set_choice(conversation, on)
        try:
            await self.store.asave(conversation)
        except BaseException:
            thinking.set_choice(conversation, old)
            raise

    async def end_by_user(self, conversation: Conversation, *, on_event: EventSink,
                          confirm_end: ConfirmEnd) -> bool:
        """E3: the user ends the conversation (after confirming). True if it ended."""
        if conversation.is_ended or conversation.read_only_reason:
            return False
        if not await ask_to_end(confirm_end, conversation, "user") or conversation.is_ended:
            return False
        output = TurnOutput(self.store, conversation, on_event)
        return await end_conversation(output, "user", protocol.USER_REQUESTED)

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
        title = title_for_branch(conversation, self.store.index)
        branched = self.store.create(conversation.model, title=title)
        branched.system_prompt = conversation.system_prompt
        thinking.set_choice(branched, thinking.choice(conversation))
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
        output = TurnOutput(self.store, conversation, on_event)
        cid = conversation.id
        self._running.add(cid)
        forget_no_reply(conversation)  # asked again: an earlier failure is history
        output.emit(TurnStarted(cid))
        stop_reason: str | None = None
        interrupted = False
        try:
            stop_reason = await self._round_trips(output, confirm_end)
        except asyncio.CancelledError:
            interrupted = True
            raise
        except (StoreError, OSError) as exc:  # a warning or refusal record could not be written
            output.failed(f"Could not save the conversation: {exc}")
        except Exception as exc:  # never let a bug in one turn take the app down
            log.exception("turn of %s failed", cid)
            output.failed(f"Something went wrong: {exc}")
        finally:
            if output.failure is not None and not interrupted:
                await output.keep_no_reply(output.failure)  # shown again after a restart
            self._running.discard(cid)
            output.emit(TurnFinished(cid, stop_reason, interrupted=interrupted))

    async def _round_trips(self, output: TurnOutput, confirm_end: ConfirmEnd) -> str | None:
        """Requests until the reply needs nothing more from the client: its stop reason, or
        None when the turn failed or ended."""
        conversation = output.conversation
        try:
            provider = self.providers.serving(conversation.model)
        except ProviderError as exc:
            output.failed(exc.message, retryable=exc.retryable)
            return None
        enabled = protocol.tools_enabled(conversation.model, self.settings)
        pauses = 0
        for _ in range(self.max_round_trips):
            if conversation.is_ended:
                return None
            request = build_request(conversation, self.settings)
            if pauses and (paused := paused_reply(conversation.messages))["content"]:
                request.messages.append(paused)
            done = await stream_reply(provider, request, output, save_every=self.partial_save_every,
                                      closing=lambda: self.closing)
            if done is None:
                return None
            stop = done.stop_reason
            if stop == "pause_turn":
                # The API paused its own work mid-reply: it goes on when given the reply back.
                pauses += 1
                if pauses > self.max_pauses:
                    output.failed(f"The reply was paused {self.max_pauses} times in a row; "
                                  "send a message to carry on.", retryable=False)
                    return stop
                continue
            pauses = 0
            if stop == "refusal":
                await self._exclude_refused_turn(output)
                details = done.stop_details or {}
                explanation = details.get("explanation") or (
                    "Claude's safety system stopped this reply. It is left out of the "
                    "conversation's context from now on.")
                output.emit(RefusalNotice(conversation.id, explanation))
                return stop
            if stop == "max_tokens":
                output.emit(ReplyCutShort(conversation.id))
                return stop
            if stop == "model_context_window_exceeded":
                output.emit(ConversationFull(conversation.id))
                return stop
            uses = [b for b in done.content if b.get("type") == "tool_use"]
            if stop != "tool_use" or not uses:
                return stop
            results = await run_tool_calls(
                output, uses, enabled=enabled, confirm_end=confirm_end,
                min_warnings=self.settings.end_conversation.min_warnings)
            if results is None:
                return stop  # ended (E4): nothing more is sent
            if not await output.append(Message(role="user", content=results)):
                return None
        output.failed(f"Stopped after {self.max_round_trips} tool calls in a row in one turn; "
                      "press ctrl+r to let Claude continue.")
        return None

    @staticmethod
    async def _exclude_refused_turn(output: TurnOutput) -> None:
        """E7: the refused reply and the user message that prompted it leave the context."""
        messages = output.conversation.messages
        messages[-1].excluded = True
        for message in reversed(messages[:-1]):
            message.excluded = True
            if message.is_user_text:
                break
        await output.save()


def paused_reply(messages: list[Message]) -> dict[str, Any]:
    """The assistant message that continues a paused reply: the replies saved since the user's
    last message, joined, as the API wants them back (the request rebuilt from the file ends
    on the user's side, so they are not in it)."""
    content: list[dict[str, Any]] = []
    for message in reversed(messages):
        if message.role != "assistant":
            break
        if message.excluded:
            continue
        blocks = [copy.deepcopy(b) for b in message.content
                  if not (b.get("type") == "text" and not str(b.get("text", "")).strip())]
        content[:0] = blocks
    return {"role": "assistant", "content": content}
