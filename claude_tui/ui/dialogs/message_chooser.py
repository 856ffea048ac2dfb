"""Choose a message of a conversation: to branch from it (f8) or to copy it."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from claude_tui.attachments import shown_attachments
from claude_tui.conversation import Conversation, Message
from claude_tui.text import one_line
from claude_tui.ui.dialogs.dialog import DialogScreen
from claude_tui.ui.timestamps import Clock, describe_time, utc_now
from claude_tui.ui.transcript.message import reply_heading

BRANCH_EXPLANATION = (
    "A new conversation starts with the messages before the chosen one, and its text in the "
    "composer to edit and send. This conversation does not change."
)
COPY_EXPLANATION = "The chosen message's text is copied to the clipboard."

_PURPOSES = {
    "branch": ("Branch from one of your messages", BRANCH_EXPLANATION),
    "copy": ("Copy a message", COPY_EXPLANATION),
}


def offered(conversation: Conversation, purpose: str) -> list[int]:
    """Indexes into conversation.messages that can be chosen for ``purpose``."""
    if purpose == "branch":
        return [i for i, m in enumerate(conversation.messages) if m.is_user_text]
    return [i for i, m in enumerate(conversation.messages) if m.text.strip()]


class MessageChooser(DialogScreen[int | None]):
    """Dismisses with the index of the chosen message in ``conversation.messages``, or None.

    ``purpose`` "branch" offers only the messages the user typed; "copy" offers every message
    with text. Most recent last; the highlight starts on it.
    """

    CSS_PATH = "message_chooser.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(
        self, conversation: Conversation, purpose: str, *, now: Clock = utc_now
    ) -> None:
        super().__init__()
        if purpose not in _PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        self.conversation = conversation
        self.purpose = purpose
        self._now = now

    def compose(self) -> ComposeResult:
        heading, explanation = _PURPOSES[self.purpose]
        indexes = offered(self.conversation, self.purpose)
        now = self._now()
        with Vertical(id="chooser"):
            yield Static(heading, id="chooser-heading", markup=False)
            yield Static(explanation, id="chooser-explanation", markup=False)
            yield OptionList(
                *(Option(self._prompt(self.conversation.messages[i], now), id=str(i))
                  for i in indexes),
                id="chooser-list",
            )
            yield Static(
                "enter choose · escape cancel" if indexes else "There is no message to choose.",
                id="chooser-keys",
                markup=False,
            )

    def _prompt(self, message: Message, now: datetime) -> Content:
        parts: list[str | tuple[str, str]] = []
        if self.purpose == "copy":
            who = "You" if message.role == "user" else reply_heading(message.model)
            parts.append((who.ljust(11), "bold"))
        parts.append((describe_time(message.at, now).ljust(17), "dim"))
        names = ", ".join(a.name for a in shown_attachments(message))
        parts.append(one_line(message.text or f"📎 {names}", 300))
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if options.option_count:
            options.highlighted = options.option_count - 1

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
