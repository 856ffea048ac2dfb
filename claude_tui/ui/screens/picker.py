"""Find and open any stored conversation (ctrl+o), or delete one.

Every stored conversation is listed, open or not, ended or not, newest first. Filtering is done
in memory on the store's summaries and the list is one OptionList, so hundreds of conversations
stay quick. The filter input keeps focus: up/down move the highlight, enter opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from claude_tui.store import ConversationStore, ConversationSummary, StoreError
from claude_tui.text import one_line
from claude_tui.ui.messages import ConversationDeleted, StoreListed
from claude_tui.ui.screens.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.screens.dialog import DialogScreen
from claude_tui.ui.screens.timestamps import Clock, describe_time, utc_now

# The input binds delete and ctrl+d (delete right), ctrl+x (cut), ctrl+k, ctrl+u, ctrl+w ...;
# ctrl+delete is free there and arrives as a named key in xterm-like terminals and tmux.
DELETE_KEY = "ctrl+delete"

# The picker's own keys, for its hint line and the help screen.
PICKER_KEYS: list[tuple[str, str]] = [
    ("type", "Filter by title and message text"),
    ("up/down", "Move the highlight"),
    ("enter", "Open the highlighted conversation"),
    (DELETE_KEY, "Delete the highlighted one (asks first)"),
    ("escape", "Close"),
]

OPEN_MARK = "●"
ENDED_MARK = "🔒"


@dataclass(frozen=True)
class _Entry:
    summary: ConversationSummary
    haystack: str  # the title, casefolded once


class ConversationPicker(DialogScreen[str | None]):
    """Dismisses with the chosen conversation's id, or None when closed."""

    CSS_PATH = "picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
        Binding("up", "move('cursor_up')", show=False),
        Binding("down", "move('cursor_down')", show=False),
        Binding("pageup", "move('page_up')", show=False),
        Binding("pagedown", "move('page_down')", show=False),
        Binding(DELETE_KEY, "delete", "Delete", show=False),
    ]

    def __init__(
        self, store: ConversationStore, open_ids: set[str], *, now: Clock = utc_now
    ) -> None:
        """``now`` gives the current time, for "3 min ago" (tests pass a fixed clock)."""
        super().__init__()
        self.store = store
        self.open_ids = set(open_ids)
        self._now = now
        self._entries: list[_Entry] = []
        self._shown: list[_Entry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static("Open a conversation", id="picker-heading", markup=False)
            yield Input(placeholder="Type to filter by title or message text", id="picker-filter")
            options = OptionList(id="picker-list")
            options.can_focus = False  # the input keeps focus; up/down are forwarded
            yield options
            yield Static("", id="picker-count", markup=False)
            yield Static(f"enter open · {DELETE_KEY} delete · escape close", id="picker-keys",
                         markup=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(Input).focus()

    # listing ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the store's list again and show it with the current filter."""
        self._entries = [_Entry(s, s.title.casefold()) for s in self.store.list()]
        self.post_message(StoreListed())  # the app reports files found damaged just now
        self._show()

    def _show(self) -> None:
        query = self.query_one(Input).value
        if query.strip():
            # Every word of every message: the full-text index answers.
            by_id = {e.summary.id: e for e in self._entries}
            hits = self.store.search(query, limit=500)
            self._shown = [by_id[h.summary.id] for h in hits if h.summary.id in by_id]
        else:
            self._shown = list(self._entries)
        options = self.query_one(OptionList)
        previous = options.highlighted_option.id if options.highlighted_option else None
        now = self._now()
        options.set_options(Option(self._prompt(e.summary, now), id=e.summary.id)
                            for e in self._shown)
        ids = [e.summary.id for e in self._shown]
        if ids:
            options.highlighted = ids.index(previous) if previous in ids else 0
        total = len(self._entries)
        count = self.query_one("#picker-count", Static)
        if not total:
            count.update("No stored conversations yet: ctrl+n starts one.")
        elif not ids:
            count.update(f"Nothing matches (0 of {total}).")
        else:
            count.update(f"{len(ids)} of {total}")

    def _prompt(self, summary: ConversationSummary, now: datetime) -> Content:
        is_open = summary.id in self.open_ids
        ended = summary.status == "ended"
        marks = (OPEN_MARK if is_open else " ") + " " + (f"{ENDED_MARK} " if ended else "")
        details = [
            "ended" if ended else "active",
            *(["open in a tab"] if is_open else []),
            describe_time(summary.updated, now),
            one_line(summary.model, 40),
            f"{summary.message_count} message{'s' if summary.message_count != 1 else ''}",
        ]
        return Content.assemble(
            marks,
            (one_line(summary.title, 200) or "Untitled conversation", "bold"),
            "\n    ",
            (" · ".join(details), "dim"),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show()

    # moving and choosing ---------------------------------------------------------------------
    def action_move(self, how: str) -> None:
        getattr(self.query_one(OptionList), f"action_{how}")()

    def _highlighted_id(self) -> str | None:
        option = self.query_one(OptionList).highlighted_option
        return option.id if option else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        chosen = self._highlighted_id()
        if chosen is not None:
            self.dismiss(chosen)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)

    # deleting --------------------------------------------------------------------------------
    def action_delete(self) -> None:
        chosen = self._highlighted_id()
        if chosen is None:
            return
        title = next(e.summary.title for e in self._shown if e.summary.id == chosen)

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._delete(chosen)

        self.app.push_screen(ConfirmDeleteScreen(title), answered)

    def _delete(self, conversation_id: str) -> None:
        try:
            self.store.delete(conversation_id)
        except (OSError, StoreError) as exc:
            self.notify(f"Could not delete the conversation: {exc}", severity="error",
                        markup=False)
            return
        self.open_ids.discard(conversation_id)
        self.app.post_message(ConversationDeleted(conversation_id))
        self.reload()
