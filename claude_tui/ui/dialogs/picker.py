"""Find and open any stored conversation (ctrl+o), or delete one.

Typing searches the full text of every conversation, titles and every message, through the
store's search index (``claude_tui/storage/index.py``); each match shows a snippet with the words
highlighted, and opening it scrolls to the matching message (``chosen_message``). With no
words typed the newest conversations are listed. Filters: status, model, and the order.
The filter input keeps focus: up/down move the highlight, enter opens it.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from claude_tui.conversation import is_valid_id
from claude_tui.storage.index import SearchHit
from claude_tui.storage.refresh import IndexRefresh
from claude_tui.storage.store import ConversationStore, StoreError
from claude_tui.text import one_line
from claude_tui.transcript import snippet_pieces
from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.dialogs.dialog import DialogScreen
from claude_tui.ui.key_words import in_your_keys
from claude_tui.ui.messages import ConversationDeleted, StoreListed
from claude_tui.ui.timestamps import Clock, describe_time, utc_now

# The input binds delete and ctrl+d (delete right), ctrl+x (cut), ctrl+k, ctrl+u, ctrl+w ...;
# ctrl+delete is free there and arrives as a named key in xterm-like terminals and tmux.
DELETE_KEY = "ctrl+delete"
# Function keys: the input types or edits with every other free key.
STATUS_KEY, MODEL_KEY, SORT_KEY = "f5", "f6", "f7"

# The picker's own keys, for its hint line and the help screen.
PICKER_KEYS: list[tuple[str, str]] = [
    ("type", "Search every title and message"),
    ("up/down", "Move the highlight"),
    ("enter", "Open the highlighted conversation at the match"),
    (STATUS_KEY, "Show all, active or ended conversations"),
    (MODEL_KEY, "Show one model's conversations, or all"),
    (SORT_KEY, "Order: best match, recently updated, recently created"),
    (DELETE_KEY, "Delete the highlighted one (asks first)"),
    ("escape", "Close"),
]

OPEN_MARK = "●"
ENDED_MARK = "🔒"
# How many options the list gets at once: each costs layout time, so a long list comes a page
# at a time as the highlight nears its end (a short one is shown whole).
ALL_UP_TO = 300
PAGE = 100
SEARCH_PAGE = 50  # matches, each with its snippet
# More files than this to (re)index, and the index is built in a thread while the list shows
# what is indexed so far.
SYNC_INDEX_LIMIT = 1000
STATUSES = (None, "active", "ended")
SORTS = ("rank", "updated", "created")
SORT_NAMES = {"rank": "best match", "updated": "recently updated",
              "created": "recently created"}
MATCH_STYLE = "bold reverse"


class ConversationPicker(DialogScreen[str | None]):
    """Dismisses with the chosen conversation's id, or None when closed; ``chosen_message``
    is then the index of the message the match is in (None for a title or no search)."""

    CSS_PATH = "picker.tcss"
    # Focused as the screen is shown, before on_mount opens the index: keys typed at once
    # land in the search box.
    AUTO_FOCUS = "#picker-filter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
        Binding("up", "move('cursor_up')", show=False),
        Binding("down", "move('cursor_down')", show=False),
        Binding("pageup", "move('page_up')", show=False),
        Binding("pagedown", "move('page_down')", show=False),
        Binding(DELETE_KEY, "delete", "Delete", show=False),
        Binding(STATUS_KEY, "cycle_status", "Status", show=False),
        Binding(MODEL_KEY, "cycle_model", "Model", show=False),
        Binding(SORT_KEY, "cycle_sort", "Sort", show=False),
    ]

    def __init__(self, store: ConversationStore, open_ids: set[str], *, now: Clock = utc_now
                 ) -> None:
        """``now`` gives the current time, for "3 min ago" (tests pass a fixed clock)."""
        super().__init__()
        self.store = store
        self.open_ids = set(open_ids)
        self._now = now
        self._hits: dict[str, SearchHit] = {}
        self.status: str | None = None
        self.model: str | None = None
        self.sort = "rank"
        self.chosen_message: int | None = None
        self._indexing = ""  # what the count line says while the index is brought up
        self._stored = self._total = 0  # conversations indexed; those the filters let through
        self._exhausted = False  # a page asked for brought nothing more

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static("Open a conversation", id="picker-heading", markup=False)
            yield Input(placeholder="Type to search every title and message",
                        id="picker-filter")
            yield Static("", id="picker-filters", markup=False)
            options = OptionList(id="picker-list")
            options.can_focus = False  # the input keeps focus; up/down are forwarded
            yield options
            yield Static("", id="picker-count", markup=False)
            yield Static(f"enter open · {DELETE_KEY} delete · escape close", id="picker-keys",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.reload()

    # keeping the index in step ---------------------------------------------------------------
    def reload(self) -> None:
        """Show the index now, in step with the files: when the number of files and of
        indexed conversations differ (files added or removed behind the app's back), a few
        are indexed first, many in the background while the list shows what is indexed;
        otherwise the index is checked against every file's signature in the background
        (a sync tool may have changed one in place), and the list follows if it changed."""
        try:
            gap = abs(count_files(self.store) - self.store.index.count())
            if 0 < gap <= SYNC_INDEX_LIMIT:
                IndexRefresh(self.store, None).run_all()
                self.post_message(StoreListed())  # the app reports files found damaged
            else:
                if gap:
                    self._indexing = f"Indexing {gap:,} conversations for search…"
                # After the first paint: the check competes with the screen for the CPU.
                self.call_after_refresh(self._check_in_background)
        except (StoreError, sqlite3.Error, OSError) as exc:
            self.notify(f"The search index could not be brought up to date: {exc}",
                        severity="warning", markup=False)
        self._show()

    def _check_in_background(self) -> None:
        # Not call_from_thread: the writer thread must never wait for the event loop, which
        # may be waiting for the writer (a save, a refresh).
        loop = asyncio.get_running_loop()
        self.store.refresh_soon(done=lambda: loop.call_soon_threadsafe(self._indexed))

    def _indexed(self) -> None:
        self._indexing = ""
        self.post_message(StoreListed())
        if not self.is_mounted:
            return
        try:
            fresh = self._query(None)
        except sqlite3.Error:
            return
        if [h.summary for h in fresh] == [h.summary for h in self._hits.values()]:
            self._show_count()  # nothing changed on disk: keep the list (and the scroll)
        else:
            self._show()

    # showing ---------------------------------------------------------------------------------
    def _query(self, limit: int | None) -> list[SearchHit]:
        """The first ``limit`` hits (None: the first page)."""
        index = self.store.index
        words = self.query_one(Input).value
        if words.strip():
            return index.search(words, limit=limit or SEARCH_PAGE, status=self.status,
                                model=self.model, order=self.sort)
        if limit is None:
            total = index.count(status=self.status, model=self.model)
            limit = total if total <= ALL_UP_TO else PAGE
        order = "created" if self.sort == "created" else "updated"
        return [SearchHit(s, -1, "") for s in index.list(
            status=self.status, model=self.model, order=order, limit=limit)]

    def _show(self) -> None:
        try:
            hits = self._query(None)
            stored = self.store.index.count()
            total = self.store.index.count(status=self.status, model=self.model)
        except sqlite3.Error as exc:
            hits, stored, total = [], 0, 0
            self.notify(f"Search failed: {exc}", severity="warning", markup=False)
        self._hits = {h.summary.id: h for h in hits}
        self._stored, self._total = stored, total
        self._exhausted = False
        options = self.query_one(OptionList)
        previous = options.highlighted_option.id if options.highlighted_option else None
        now = self._now()
        options.set_options(Option(self._prompt(h, now), id=h.summary.id) for h in hits)
        ids = [h.summary.id for h in hits]
        if ids:
            options.highlighted = ids.index(previous) if previous in ids else 0
        self._show_filters()
        self._show_count()

    def _show_count(self) -> None:
        shown = len(self._hits)
        searching = bool(self.query_one(Input).value.strip())
        more = self._may_have_more()
        if self._indexing:
            line = self._indexing
        elif not self._stored:
            line = in_your_keys(self, "No stored conversations yet: ctrl+n starts one.")
        elif not shown:
            line = self._nothing_shown(searching)
        elif searching:
            line = f"{shown:,}{'+' if more else ''} matching of {self._total:,}"
        elif shown < self._total:
            line = f"{shown:,} newest of {self._total:,}: type to search them all"
        else:
            line = f"{shown:,} of {self._total:,}"
        self.query_one("#picker-count", Static).update(line)

    def _nothing_shown(self, searching: bool) -> str:
        """Why the list is empty although conversations are stored: the words typed match
        none, or the filters hide them (and how many), never a bare "0 of 0"."""
        filtered = self.status is not None or self.model is not None
        change = f"{STATUS_KEY} status, {MODEL_KEY} model change the filter"
        if not searching:
            if not filtered:  # the index is being brought up to date
                return "Nothing to show yet."
            return (f"{_conversations(self._stored).capitalize()} stored, all hidden by the "
                    f"filter ({self._filter_words()}); {change}.")
        words = one_line(self.query_one(Input).value, 40)
        if not filtered:
            return f"Nothing matches “{words}” in {_conversations(self._stored)}."
        try:
            # The same words without the filters: are the matches there, only hidden?
            unfiltered = len(self.store.index.search(self.query_one(Input).value,
                                                     limit=SEARCH_PAGE, order=self.sort))
        except sqlite3.Error:
            unfiltered = 0
        if not unfiltered:
            return f"Nothing matches “{words}” in {_conversations(self._stored)}."
        more = "+" if unfiltered == SEARCH_PAGE else ""
        return (f"Nothing matches “{words}” here: {unfiltered:,}{more} "
                f"{'match is' if unfiltered == 1 else 'matches are'} hidden by the filter "
                f"({self._filter_words()}); {change}.")

    def _filter_words(self) -> str:
        parts = [f"status {self.status}"] if self.status else []
        if self.model:
            parts.append(f"model {one_line(self.model, 40)}")
        return ", ".join(parts)

    def _may_have_more(self) -> bool:
        shown = len(self._hits)
        if self._exhausted:
            return False
        if self.query_one(Input).value.strip():
            return shown > 0 and shown % SEARCH_PAGE == 0
        return shown < self._total

    def _add_page(self) -> None:
        """The next page of options, once the highlight nears the end of the list."""
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        if highlighted is None or highlighted < options.option_count - 3:
            return
        if not self._may_have_more():
            return
        step = SEARCH_PAGE if self.query_one(Input).value.strip() else PAGE
        try:
            hits = self._query(len(self._hits) + step)
        except sqlite3.Error:
            return
        now = self._now()
        new = [h for h in hits if h.summary.id not in self._hits]
        self._hits.update((h.summary.id, h) for h in new)
        options.add_options(Option(self._prompt(h, now), id=h.summary.id) for h in new)
        self._exhausted = not new
        self._show_count()

    def _show_filters(self) -> None:
        status = self.status or "all"
        model = one_line(self.model, 40) if self.model else "all"
        self.query_one("#picker-filters", Static).update(
            f"{STATUS_KEY} status: {status} · {MODEL_KEY} model: {model} · "
            f"{SORT_KEY} order: {SORT_NAMES[self.sort]}")

    def _prompt(self, hit: SearchHit, now: datetime) -> Content:
        summary = hit.summary
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
        parts: list[str | tuple[str, str]] = [
            marks,
            (one_line(summary.title, 200) or "Untitled conversation", "bold"),
            "\n    ",
            (" · ".join(details), "dim"),
        ]
        pieces = snippet_pieces(hit.snippet, hit.highlights)
        if pieces and hit.message_index >= 0:
            # Each piece is inert text; the highlight is a style span, never markup.
            parts.append("\n    ")
            parts += [(text, MATCH_STYLE) if match else text for text, match in pieces]
        return Content.assemble(*parts)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show()

    # filters ---------------------------------------------------------------------------------
    def action_cycle_status(self) -> None:
        self.status = STATUSES[(STATUSES.index(self.status) + 1) % len(STATUSES)]
        self._show()

    def action_cycle_model(self) -> None:
        choices: list[str | None] = [None, *self.store.index.models()]
        position = choices.index(self.model) if self.model in choices else 0
        self.model = choices[(position + 1) % len(choices)]
        self._show()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show()

    # moving and choosing ---------------------------------------------------------------------
    def action_move(self, how: str) -> None:
        getattr(self.query_one(OptionList), f"action_{how}")()
        self._add_page()

    def _highlighted_id(self) -> str | None:
        option = self.query_one(OptionList).highlighted_option
        return option.id if option else None

    def _choose(self, conversation_id: str) -> None:
        hit = self._hits.get(conversation_id)
        self.chosen_message = hit.message_index if hit and hit.message_index >= 0 else None
        self.dismiss(conversation_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        chosen = self._highlighted_id()
        if chosen is not None:
            self._choose(chosen)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._choose(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)

    # deleting --------------------------------------------------------------------------------
    def action_delete(self) -> None:
        chosen = self._highlighted_id()
        if chosen is None or chosen not in self._hits:
            return
        title = self._hits[chosen].summary.title

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



def _conversations(count: int) -> str:
    return f"{count:,} conversation{'' if count == 1 else 's'}"


def count_files(store: ConversationStore) -> int:
    """How many conversation files the folder holds (names only: no file is read)."""
    try:
        names = os.listdir(store.folder)
    except OSError:
        return 0
    return sum(1 for name in names if name.endswith(".json") and is_valid_id(name[:-5]))
