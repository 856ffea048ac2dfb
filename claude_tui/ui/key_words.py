"""The app's own sentences name keys as the user has them, ``[keymap]`` remaps included.

Notices, hints and dialogs are written with the default keys ("ctrl+n starts a new one"). With
``new_conversation = "ctrl+t"`` that advice would do something else, so the app's text passes
through ``KeyWords`` on its way to the screen: each default key of a remapped binding becomes
its new key, all in one pass (two bindings may trade keys). Only the app's own text goes
through it, never model text.
"""

from __future__ import annotations

import re

from textual.dom import DOMNode
from textual.keys import key_to_character

from claude_tui.ui.bindings import APP_KEYS, COMPOSER_KEYS

# Escape and enter also mean "close the dialog" and "send" wherever they are named, which no
# remap changes: they are never rewritten.
_NOT_REWRITTEN = frozenset({"escape", "enter"})


def _keys(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


class KeyWords:
    """Rewrites default key names to the keys ``keymap`` gives their bindings."""

    def __init__(self, keymap: dict[str, str]) -> None:
        self._new: dict[str, str] = {}
        for spec in [*APP_KEYS, *COMPOSER_KEYS]:
            if spec.id not in keymap or spec.fixed:
                continue
            new = _keys(keymap[spec.id])
            for key in _keys(spec.keys):
                if new and key not in _NOT_REWRITTEN and key not in new:
                    self._new[key.lower()] = new[0]
        names = sorted(self._new, key=len, reverse=True)
        # Whole key names only: f1 is not the start of f10, ctrl+n not the end of alt+ctrl+n.
        self._pattern = (re.compile(r"(?<![\w+])(?:" + "|".join(map(re.escape, names))
                                    + r")(?![\w+])", re.IGNORECASE) if names else None)

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._new[m.group().lower()], text)


AS_SHIPPED = KeyWords({})


def key_label(key: str) -> str:
    """A key name as a user would type it: "ctrl+pageup", "?" rather than "question_mark"."""
    *modifiers, name = key.strip().split("+")
    character = key_to_character(name) if len(name) > 1 else None
    if character and character.isprintable() and not character.isspace():
        name = character
    return "+".join([*modifiers, name])


def shown_keys(keys: str) -> list[str]:
    """The keys of a binding, as a user types them."""
    return [key_label(k) for k in keys.split(",") if k.strip()]


def in_your_keys(node: DOMNode, text: str) -> str:
    """``text`` with the keys of ``node``'s app; unchanged outside a running app."""
    try:
        words = getattr(node.app, "key_words", AS_SHIPPED)
    except Exception:  # no active app: a widget built by a test or a screenshot script
        return text
    return words(text) if isinstance(words, KeyWords) else text
