"""The status line: model, demo mode, token usage and estimated cost of the shown conversation.

The app holds the shown conversation's ``Status`` as reactive state, bound to the line with
``data_bind``: the line redraws when, and only when, what it says changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from claude_tui import models
from claude_tui.conversation import Conversation
from claude_tui.models import ModelInfo
from claude_tui.providers.choice import provider_info
from claude_tui.record import Record
from claude_tui.text import one_line


def usage_text(totals: dict[str, int]) -> str:
    sent = totals.get("input_tokens", 0) + totals.get("cache_read_input_tokens", 0) + totals.get(
        "cache_creation_input_tokens", 0
    )
    received = totals.get("output_tokens", 0)
    return f"tokens: {sent:,} in · {received:,} out"


def claude_usage(conversation: Conversation, known: Iterable[ModelInfo] = ()
                 ) -> tuple[str, str]:
    """The short usage text of a conversation with Claude, for an 80-column line, and the same
    in full words (the line's tooltip): "ctx 12.3k/1M · ↑1.2k ↓56 · cache r3.4k w0 · ≈$0.04
    est.", arrows for input and output tokens."""
    t = models.tokens_text
    totals = conversation.usage_totals()
    used = models.context_used(conversation)
    window = models.context_window(conversation.model, known)
    fresh, out = totals.get("input_tokens", 0), totals.get("output_tokens", 0)
    read = totals.get("cache_read_input_tokens", 0)
    written = totals.get("cache_creation_input_tokens", 0)
    short = [f"ctx {t(used)}/{t(window)}" if window else f"ctx {t(used)}", f"↑{t(fresh)} ↓{t(out)}"]
    full = [f"context: {used:,} tokens" + (f" of the model's {window:,}" if window else ""),
            f"input {fresh:,}, output {out:,}"]
    if read or written:
        short.append(f"cache r{t(read)} w{t(written)}")
        full.append(f"cache read {read:,}, cache write {written:,}")
    cost = models.estimated_cost(conversation)
    if cost.usd > 0:
        short.append(models.cost_text(cost.usd))
        full.append(f"estimated cost ${cost.usd:.4f} (an estimate from the price table in "
                    "claude_tui/models.py, not a bill)")
    if cost.unpriced:
        full.append(f"{cost.unpriced} replies on a model without a price are not counted")
    return " · ".join(short), "; ".join(full)


class Status(Record):
    """What the status line says, as the parts it joins; ``detail`` in full words."""

    parts: tuple[str, ...] = ()
    detail: str = ""

    @classmethod
    def of(cls, conversation: Conversation | None, *, streaming: bool = False,
           note: str = "", known: Iterable[ModelInfo] = ()) -> Status:
        """``known``: the models listed this run, whose context windows beat the table's."""
        parts: list[str] = []
        detail = ""
        if conversation is not None:
            info = provider_info(conversation.model)
            parts.append(info.model_label or one_line(conversation.model, 40))
            if streaming:
                parts.append("replying… (escape stops)")
            if info.offline:  # the demo model's tokens are a rough count and cost nothing
                parts.append(usage_text(conversation.usage_totals()))
            else:
                usage, detail = claude_usage(conversation, known)
                parts.append(usage)
            if conversation.is_ended:
                parts.append("ended, read-only")
        if note:
            parts.append(note)
        return cls(tuple(parts), detail)

    @property
    def text(self) -> str:
        return "  │  ".join(self.parts)


class StatusLine(Static):
    status: reactive[Status] = reactive(Status, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)

    def watch_status(self, status: Status) -> None:
        # One line, always: nothing to lay out again (a layout walks a long reply's widgets).
        self.update(Text(status.text), layout=False)
        self.tooltip = status.detail or None
