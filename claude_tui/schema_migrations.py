"""The conversation file's schema versions, and the steps that bring an older file forward.

An older file is migrated in memory when read and written in the current schema only when it
is next saved; a file of a newer schema is read as far as it can be and never written.

- 0: early drafts and hand-written files: no ``schema`` key, message ``content`` may be a
  plain string, ``status``/``ended``/``warnings`` may be missing.
- 1: the form of DESIGN.md section 3.
- 2: adds ``system_prompt`` (the conversation's own, or null for the config's) and, on a
  message, ``replaced`` (an earlier version kept when a reply was regenerated or a message
  edited; such a message is also ``excluded``).

Nothing here imports the rest of the app: ``conversation`` imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 2

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _migrate_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    messages = data.get("messages", [])
    # Anything but a list is left as it is, for the shape check to report.
    if isinstance(messages, list):
        data["messages"] = [
            {**m, "content": [{"type": "text", "text": m["content"]}]}
            if isinstance(m, dict) and isinstance(m.get("content"), str)
            else m
            for m in messages
        ]
    data.setdefault("title", "")
    data.setdefault("status", "ended" if data.get("ended") else "active")
    data.setdefault("warnings", [])
    data.setdefault("refused_ends", [])
    data.setdefault("created", data.get("updated") or _now_iso())
    data.setdefault("updated", data["created"])
    data["schema"] = 1
    return data


def _migrate_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    # A schema-1 conversation used the config's system prompt on every request: it still does.
    # Its messages have no earlier versions.
    data = dict(data)
    data.setdefault("system_prompt", None)
    data["schema"] = 2
    return data


MIGRATIONS: dict[int, Migration] = {0: _migrate_0_to_1, 1: _migrate_1_to_2}
