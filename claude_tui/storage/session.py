"""The session: which conversations are open as tabs, in order, the active one, and drafts.

Kept in ``<data dir>/tabs.json``, beside the conversations folder, not in it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from claude_tui.conversation import is_valid_id
from claude_tui.storage.atomic import atomic_write, json_bytes


@dataclass
class TabState:
    open: list[str]
    active: str | None
    # Conversation id -> the unsent text in its composer (open tabs only, never empty).
    drafts: dict[str, str] = field(default_factory=dict)


def load_tabs(path: Path, exists: Callable[[str], bool]) -> TabState:
    """The open tabs as last saved, without conversations whose file is gone."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return TabState(open=[], active=None)
    if not isinstance(data, dict) or not isinstance(data.get("open"), list):
        return TabState(open=[], active=None)
    # Keep the order, drop duplicates and conversations whose file is gone.
    seen: list[str] = []
    for conv_id in data["open"]:
        if is_valid_id(conv_id) and conv_id not in seen and exists(conv_id):
            seen.append(conv_id)
    active = data.get("active")
    return TabState(open=seen, active=active if active in seen else (seen[0] if seen else None),
                    drafts=_drafts(data.get("drafts"), seen))


def tabs_bytes(state: TabState) -> bytes:
    open_ids = [i for i in state.open if is_valid_id(i)]
    active = state.active if state.active in open_ids else None
    drafts = _drafts(state.drafts, open_ids)
    return json_bytes({"open": open_ids, "active": active, "drafts": drafts})


def write_tabs(path: Path, data: bytes) -> None:
    atomic_write(path, data)


def _drafts(found: object, open_ids: list[str]) -> dict[str, str]:
    """The drafts of open tabs that are text; anything else in ``found`` is left out."""
    if not isinstance(found, dict):
        return {}
    return {conv_id: text for conv_id, text in found.items()
            if conv_id in open_ids and isinstance(text, str) and text}
