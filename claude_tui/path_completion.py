"""Completing a file path as it is typed, and telling a pasted path from pasted text."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

MAX_LISTED = 500  # a huge folder is read no further: completion stays instant


def completions(partial: str) -> list[str]:
    """What ``partial`` can become: each entry of its folder that starts with its last part,
    written the way ``partial`` began (``~`` kept), folders ending in ``/``. Sorted."""
    head, _, stem = partial.rpartition("/")
    if "/" in partial:
        head += "/"
    folder = Path(os.path.expanduser(head or "."))
    found: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_LISTED:
                    break
                if not entry.name.startswith(stem):
                    continue
                if entry.name.startswith(".") and not stem.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                found.append(head + entry.name + ("/" if is_dir else ""))
    except OSError:
        return []
    return sorted(found)


def complete(partial: str) -> tuple[str, list[str]]:
    """``partial`` taken as far as every completion agrees, and the completions."""
    found = completions(partial)
    if not found:
        return partial, []
    common = found[0]
    for other in found[1:]:  # characters, not path parts: "ca" -> "cat" for cat.png, cats/
        while not other.startswith(common):
            common = common[:-1]
    return (common if len(common) > len(partial) else partial), found


def pasted_path(text: str) -> Path | None:
    """The existing file that pasted ``text`` names on its own, if it does.

    Terminals paste a dropped file as its path, sometimes quoted, with spaces escaped, or as a
    ``file://`` URL. Text without a ``/`` is never taken for a path: a word pasted is a word.
    """
    value = text.strip()
    if not value or "\n" in value or len(value) > 4096:
        return None
    if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    if value.startswith("file://"):
        value = unquote(urlparse(value).path)
    elif "\\ " in value:
        value = value.replace("\\ ", " ")
    if "/" not in value:
        return None
    path = Path(os.path.expanduser(value))
    try:
        return path if path.is_file() else None
    except OSError:
        return None
