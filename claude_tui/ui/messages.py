"""The app's own Textual messages, in one place."""

from __future__ import annotations

from textual.message import Message

from claude_tui.events import ChatEvent


class ConversationDeleted(Message):
    """A conversation's file was deleted (from the picker or the palette); close its tab."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__()
        self.conversation_id = conversation_id


class StoreListed(Message):
    """The store listed its conversations, and may have moved damaged files aside."""


class EngineEvent(Message):
    """An engine event for one conversation, delivered to that conversation's tab."""

    def __init__(self, event: ChatEvent) -> None:
        super().__init__()
        self.event = event


class TextArrived(Message):
    """Pieces of a reply's text for one conversation's tab, delivered together.

    ``pieces`` grows until the tab takes it (``take()``): a reply arriving faster than it is
    shown costs the tab one message per batch, not one per piece.
    """

    def __init__(self, conversation_id: str, pieces: list[str], *,
                 thinking: bool = False) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.pieces = pieces
        self.thinking = thinking  # pieces of its thinking, not of its text
