"""The session: which conversations are open as tabs, in order, the active one, and drafts.

Kept in ``<data dir>/tabs.json``, beside the conversations folder, not in it. The app owns its
tabs and saves them here whenever they change; nothing else writes this file (a conversation
deleted elsewhere leaves it alone: a tab or draft whose file is gone is simply not restored).

The drafts of closed tabs are kept too (``closed_drafts``, the most recently closed last): a
conversation opened again gets its unsent text back. A file written before they were kept has
none, and is read as it always was.

The files attached to a draft are kept beside it as the paths the user chose, never their bytes
(``draft_files`` and ``closed_draft_files``, conversation id -> paths): the files are read again
when the draft comes back. The text drafts stay where they were, plain strings, so an older
version still reads them from a file this one wrote (it skips the keys it does not know).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from claude_tui.conversation import is_valid_id
from claude_tui.storage.atomic import atomic_write, json_bytes
from claude_tui.storage.reading import storage_error
from claude_tui.storage.writer import Writer


@dataclass
class TabState:
    open: list[str]
    active: str | None
    # Conversation id -> the unsent text in its composer (open tabs only, never empty).
    drafts: dict[str, str] = field(default_factory=dict)
    # Conversation id -> the unsent text of a tab that was closed, the latest closed last
    # (never an open tab's, never empty; at most CLOSED_DRAFTS_KEPT).
    closed_drafts: dict[str, str] = field(default_factory=dict)
    # Conversation id -> the paths of the files attached to its unsent message, in the order
    # attached (open tabs only, never empty), and the same for closed tabs, the latest last.
    draft_files: dict[str, list[str]] = field(default_factory=dict)
    closed_draft_files: dict[str, list[str]] = field(default_factory=dict)


# Enough for every tab a user closes in a long session; the oldest draft goes first.
CLOSED_DRAFTS_KEPT = 50
# More files than one request takes (100 images): a longer list is not the app's.
FILES_PER_DRAFT_KEPT = 100

_Kept = TypeVar("_Kept")


class SessionStore:
    """Reads and writes ``tabs.json``; writes go through the store's one writer."""

    def __init__(self, path: Path, writer: Writer, exists: Callable[[str], bool]) -> None:
        self.path = path
        self._writer = writer
        # Whether a conversation's file is there (tabs of deleted ones are not restored).
        self._exists = exists

    def load(self) -> TabState:
        """The open tabs as last saved, without conversations whose file is gone."""
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return TabState(open=[], active=None)
        if not isinstance(data, dict) or not isinstance(data.get("open"), list):
            return TabState(open=[], active=None)
        # Keep the order, drop duplicates and conversations whose file is gone.
        seen: list[str] = []
        for conv_id in data["open"]:
            if is_valid_id(conv_id) and conv_id not in seen and self._exists(conv_id):
                seen.append(conv_id)
        active = data.get("active")
        return TabState(open=seen,
                        active=active if active in seen else (seen[0] if seen else None),
                        drafts=_drafts(data.get("drafts"), seen),
                        closed_drafts=closed_drafts(data.get("closed_drafts"), seen,
                                                    self._exists),
                        draft_files=_draft_files(data.get("draft_files"), seen),
                        closed_draft_files=closed_draft_files(data.get("closed_draft_files"),
                                                              seen, self._exists))

    def save_soon(self, state: TabState) -> Future[None]:
        """Write ``state`` on the writer thread (the app does not wait for it)."""
        data = tabs_bytes(state)
        path = self.path

        def write() -> None:
            try:
                atomic_write(path, data)
            except OSError as exc:
                raise storage_error(path, exc) from None

        return self._writer.submit(str(path), write)

    def save(self, state: TabState) -> None:
        """Write and wait until it is on disk (scripts and tests)."""
        self.save_soon(state).result()


def tabs_bytes(state: TabState) -> bytes:
    open_ids = [i for i in state.open if is_valid_id(i)]
    active = state.active if state.active in open_ids else None
    drafts = _drafts(state.drafts, open_ids)
    data: dict[str, object] = {"open": open_ids, "active": active, "drafts": drafts}
    closed = closed_drafts(state.closed_drafts, open_ids)
    if closed:  # only then: the file is as it always was for who never closed a draft
        data["closed_drafts"] = closed
    files = _draft_files(state.draft_files, open_ids)
    if files:  # likewise, for who never left a file attached
        data["draft_files"] = files
    closed_files = closed_draft_files(state.closed_draft_files, open_ids)
    if closed_files:
        data["closed_draft_files"] = closed_files
    return json_bytes(data)


def _drafts(found: object, open_ids: list[str]) -> dict[str, str]:
    """The drafts of open tabs that are text; anything else in ``found`` is left out."""
    if not isinstance(found, dict):
        return {}
    return {conv_id: text for conv_id, text in found.items()
            if conv_id in open_ids and isinstance(text, str) and text}


def closed_drafts(found: object, open_ids: list[str],
                  exists: Callable[[str], bool] = lambda _: True) -> dict[str, str]:
    """The latest CLOSED_DRAFTS_KEPT drafts of closed tabs in ``found`` that are text, in the
    order closed; not those of open tabs nor of conversations whose file is gone."""
    return _latest_closed(found, open_ids, exists,
                          lambda text: text if isinstance(text, str) and text else None)


def closed_draft_files(found: object, open_ids: list[str],
                       exists: Callable[[str], bool] = lambda _: True) -> dict[str, list[str]]:
    """The files of closed tabs' drafts in ``found``, as ``closed_drafts`` keeps the text."""
    return _latest_closed(found, open_ids, exists, lambda paths: _paths(paths) or None)


def _draft_files(found: object, open_ids: list[str]) -> dict[str, list[str]]:
    """The files of open tabs' drafts; an entry that is not a list of paths is left out."""
    if not isinstance(found, dict):
        return {}
    kept = {conv_id: _paths(paths) for conv_id, paths in found.items() if conv_id in open_ids}
    return {conv_id: paths for conv_id, paths in kept.items() if paths}


def _paths(found: object) -> list[str]:
    """The paths in ``found`` that can name a file, each once, in order; [] if not a list."""
    if not isinstance(found, list):
        return []
    kept: list[str] = []
    for path in found:
        if len(kept) == FILES_PER_DRAFT_KEPT:
            break
        if isinstance(path, str) and path.strip() and "\x00" not in path and path not in kept:
            kept.append(path)
    return kept


def _latest_closed(found: object, open_ids: list[str], exists: Callable[[str], bool],
                   valid: Callable[[object], _Kept | None]) -> dict[str, _Kept]:
    """The latest CLOSED_DRAFTS_KEPT entries of ``found`` that ``valid`` keeps (as it gives
    them back), in the order closed, for closed tabs of conversations still there."""
    if not isinstance(found, dict):
        return {}
    kept: list[tuple[str, _Kept]] = []
    for conv_id, value in reversed(list(found.items())):  # the latest first: the bound keeps
        if len(kept) == CLOSED_DRAFTS_KEPT:
            break
        if not is_valid_id(conv_id) or conv_id in open_ids:
            continue
        good = valid(value)
        if good is not None and exists(conv_id):
            kept.append((conv_id, good))
    return dict(reversed(kept))
