"""The status line: model, demo mode, token usage of the shown conversation."""

from __future__ import annotations

from rich.text import Text
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


class StatusLine(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)

    def show(self, conversation: Conversation | None, *, streaming: bool = False,
             note: str = "") -> None:
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
        self.update(Text("  │  ".join(parts)))
