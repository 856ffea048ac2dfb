"""Where what a turn produces goes: the conversation file first, then the caller, as events.

A message is announced (``MessageSaved``) only once the store has it; a failure to save becomes
a ``TurnFailed``; a failing event handler is logged and never loses the turn.
"""

from __future__ import annotations

import copy
import logging
from concurrent.futures import Future

from claude_tui.conversation import Conversation, Message, now_iso
from claude_tui.events import ChatEvent, EventSink, MessageSaved, TurnFailed
from claude_tui.storage.store import ConversationStore, StoreError

log = logging.getLogger(__name__)

# On a user message whose turn failed before any reply came: ``{"at", "reason"}``, the error
# the tab showed, so a restart can say it again. An extra key of the message: files without it
# stay readable, and versions that do not know it keep it as it is.
NO_REPLY = "no_reply"


def no_reply_reason(message: Message) -> str:
    """Why ``message`` got no reply, as the tab said at the time ("" when not kept)."""
    record = message.extra.get(NO_REPLY)
    reason = record.get("reason") if isinstance(record, dict) else None
    return reason if isinstance(reason, str) else ""


def forget_no_reply(conversation: Conversation) -> None:
    """Drop the last message's failure record (saved with the next write). The extra dict is
    replaced, never changed in place: a snapshot on its way to the writer holds the old one."""
    if conversation.messages and NO_REPLY in conversation.messages[-1].extra:
        last = conversation.messages[-1]
        last.extra = {k: v for k, v in last.extra.items() if k != NO_REPLY}


class TurnOutput:
    """Saves one conversation's new messages and state, and tells ``on_event`` about them."""

    def __init__(self, store: ConversationStore, conversation: Conversation,
                 on_event: EventSink) -> None:
        self.store = store
        self.conversation = conversation
        self.on_event = on_event
        self.failure: str | None = None  # the latest TurnFailed's message

    def emit(self, event: ChatEvent) -> None:
        try:
            self.on_event(event)
        except Exception:  # a display bug must not lose the turn or its saved messages
            # The type only: an event's repr holds the conversation's text.
            log.exception("event handler failed for %s of %s", type(event).__name__,
                          event.conversation_id)

    def failed(self, message: str, *, retryable: bool = True) -> None:
        self.failure = message
        self.emit(TurnFailed(self.conversation.id, message, retryable=retryable))

    async def keep_no_reply(self, reason: str) -> None:
        """Keep why the turn got no reply on the user's message it leaves unanswered (not on a
        reply that broke off: that one says so itself)."""
        conversation = self.conversation
        if conversation.is_ended or not conversation.messages:
            return
        last = conversation.messages[-1]
        if last.role != "user" or last.excluded:
            return
        last.extra = {**last.extra, NO_REPLY: {"at": now_iso(), "reason": reason}}
        try:
            await self.store.asave(conversation)
        except (StoreError, OSError):
            log.warning("the reason a turn got no reply could not be saved", exc_info=True)

    async def append(self, message: Message) -> bool:
        """Add ``message`` to the file and announce it; False (after a ``TurnFailed``, unless
        the conversation ended meanwhile) when it could not be saved."""
        conversation = self.conversation
        try:
            await self.store.aappend(conversation, message)
        except StoreError as exc:
            if not conversation.is_ended:  # ended meanwhile (E3 during a turn): just stop
                self.failed(f"Could not save: {exc}")
            return False
        except OSError as exc:
            self.failed(f"Could not save the conversation: {exc}")
            return False
        self.emit(saved_event(conversation, message))
        return True

    async def save(self) -> None:
        """Save the conversation's state (a warning, a refusal, an end); raises ``StoreError``
        or ``OSError``."""
        self.conversation.touch()
        await self.store.asave(self.conversation)

    def save_soon(self, unfinished: Message) -> None:
        """Save the conversation with ``unfinished`` after its messages; not waited for."""
        if self.conversation.is_ended:
            return
        try:
            future = self.store.submit(self.conversation, [unfinished])
        except StoreError:
            return  # the reply's own save reports it
        future.add_done_callback(log_failure)


def saved_event(conversation: Conversation, message: Message) -> MessageSaved:
    """The event for a message just saved, carrying a copy of it: the list it is in may change
    before the event is rendered."""
    index = len(conversation.messages) - 1
    for position in range(index, -1, -1):
        if conversation.messages[position] is message:
            index = position
            break
    return MessageSaved(conversation.id, index, copy.deepcopy(message))


def log_failure(future: Future[None]) -> None:
    """For a save nobody waits for: a failure is logged (the next save reports it)."""
    exc = future.exception()
    if exc is not None:
        log.warning("a background save failed: %s", exc)
