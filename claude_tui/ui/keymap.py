"""The config's ``[keymap]``, checked before the app applies it.

Some keys belong to the composer and the dialogs: enter always sends (the README's promise),
ctrl+j and shift+enter start a new line, escape stops a reply and closes dialogs, and the text
area's own editing keys and plain typed characters must keep typing. A remap onto one of them
(``quit = "enter"``) is refused, key by key, with a notice naming it; the binding keeps its
other keys, or its default when none is left. The file is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from claude_tui.record import Record
from claude_tui.ui.bindings import APP_KEYS, COMPOSER_KEYS

# Sending, a new line, stopping and closing: no binding may take these but its own.
SENDING_KEYS = frozenset({"enter", "ctrl+j", "shift+enter", "escape", "ctrl+m", "ctrl+i"})
# The text area's editing keys: an app binding must not take them; the composer's own bindings
# (delete_word = "ctrl+d") may, as a choice within the composer.
EDITING_KEYS = frozenset({
    "tab", "shift+tab", "space", "backspace", "delete", "left", "right", "up", "down",
    "home", "end", "shift+left", "shift+right", "shift+up", "shift+down", "shift+home",
    "shift+end", "ctrl+left", "ctrl+right", "alt+backspace", "ctrl+backspace",
    "ctrl+a", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+d", "ctrl+x", "ctrl+c", "ctrl+v", "ctrl+z",
    "ctrl+y", "ctrl+h",
})
_COMPOSER_IDS = {spec.id for spec in COMPOSER_KEYS}
_DEFAULTS = {spec.id: {k.strip() for k in spec.keys.split(",")}
             for spec in [*APP_KEYS, *COMPOSER_KEYS]}


class RefusedKey(Record):
    binding_id: str
    key: str
    line: int | None


def _is_reserved(key: str, binding_id: str) -> bool:
    if key in _DEFAULTS.get(binding_id, set()):
        return False  # its own default: escape stays stop_reply's
    if key in SENDING_KEYS or (len(key) == 1 and key.isprintable()):
        return True  # a plain character (no modifier) is typed, not pressed for a command
    return key in EDITING_KEYS and binding_id not in _COMPOSER_IDS


def checked_keymap(keymap: dict[str, str], lines: dict[str, int | None] | None = None
                   ) -> tuple[dict[str, str], list[RefusedKey]]:
    """The keymap without the keys the composer needs, and what was left out."""
    accepted: dict[str, str] = {}
    refused: list[RefusedKey] = []
    for binding_id, keys in keymap.items():
        kept = []
        for key in (k.strip() for k in keys.split(",")):
            if not key:
                continue
            if _is_reserved(key.lower(), binding_id):
                refused.append(RefusedKey(binding_id, key, (lines or {}).get(binding_id)))
            else:
                kept.append(key)
        if kept:
            accepted[binding_id] = ",".join(kept)
    return accepted, refused


def _why_kept(key: str) -> str:
    key = key.lower()
    if key in ("enter", "ctrl+m"):
        return "enter always sends"
    if key in ("ctrl+j", "shift+enter"):
        return "it starts a new line in the composer"
    if key == "escape":
        return "it stops a reply and closes dialogs"
    if len(key) == 1:
        return "it is a character you type"
    return "the composer edits text with it"


def refused_notice(refused: list[RefusedKey], path: Path) -> str:
    """One sentence per refused key, naming it and why it is kept."""
    parts = []
    for item in refused:
        where = f"{path}, line {item.line}" if item.line else str(path)
        parts.append(f"{where}: [keymap] {item.binding_id} = \"{item.key}\" was not applied: "
                     f"{_why_kept(item.key)}.")
    return " ".join(parts) + " The other keys of those bindings still work."


def key_clashes(keymap: dict[str, str]) -> dict[str, list[str]]:
    """Keys that two or more of the app's bindings would share once ``keymap`` is applied
    (``rename = "f6"`` where f6 edits the last message): key -> binding ids. Only one of them
    can answer such a key."""
    bound: dict[str, list[str]] = {}
    for spec in APP_KEYS:
        keys = keymap.get(spec.id, spec.keys)
        for key in {k.strip().lower() for k in keys.split(",") if k.strip()}:
            bound.setdefault(key, []).append(spec.id)
    return {key: ids for key, ids in bound.items() if len(ids) > 1}
