"""The session: which conversations are open as tabs, in order, the active one, and drafts.

Kept in ``<data dir>/tabs.json``, beside the conversations folder, not in it. The app owns its
tabs and saves them here whenever they change; nothing else writes this file (deleting a
conversation leaves it alone: a tab whose file is gone is simply not restored).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

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
                        drafts=_drafts(data.get("drafts"), seen))

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
    return json_bytes({"open": open_ids, "active": active, "drafts": drafts})


def _drafts(found: object, open_ids: list[str]) -> dict[str, str]:
    """The drafts of open tabs that are text; anything else in ``found`` is left out."""
    if not isinstance(found, dict):
        return {}
    return {conv_id: text for conv_id, text in found.items()
            if conv_id in open_ids and isinstance(text, str) and text}
