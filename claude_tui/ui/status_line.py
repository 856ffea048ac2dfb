"""The status line: model, demo mode, token usage of the shown conversation.

The app holds the shown conversation's ``Status`` as reactive state, bound to the line with
``data_bind``: the line redraws when, and only when, what it says changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from claude_tui.conversation import Conversation
from claude_tui.providers.choice import provider_info
from claude_tui.text import one_line


def usage_text(totals: dict[str, int]) -> str:
    sent = totals.get("input_tokens", 0) + totals.get("cache_read_input_tokens", 0) + totals.get(
        "cache_creation_input_tokens", 0
    )
    received = totals.get("output_tokens", 0)
    return f"tokens: {sent:,} in · {received:,} out"


@dataclass(frozen=True)
class Status:
    """What the status line says, as the parts it joins."""

    parts: tuple[str, ...] = ()

    @classmethod
    def of(cls, conversation: Conversation | None, *, streaming: bool = False,
           note: str = "") -> Status:
        parts: list[str] = []
        if conversation is not None:
            label = provider_info(conversation.model).model_label
            parts.append(label or one_line(conversation.model, 40))
            parts.append(usage_text(conversation.usage_totals()))
            if streaming:
                parts.append("replying… (escape stops)")
            if conversation.is_ended:
                parts.append("ended, read-only")
        if note:
            parts.append(note)
        return cls(tuple(parts))

    @property
    def text(self) -> str:
        return "  │  ".join(self.parts)


class StatusLine(Static):
    status: reactive[Status] = reactive(Status, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)

    def watch_status(self, status: Status) -> None:
        self.update(Text(status.text))
