"""Making untrusted text (model replies, titles, file contents) inert for the terminal."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and C1 controls: ESC/CSI/OSC would reach the terminal.
# Lone surrogates (valid in JSON escapes, not in UTF-8) would make the terminal's encoder fail.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ud800-\udfff]")
# Bidirectional overrides and isolates reorder what follows them on screen; zero-width
# characters let one title pass for another and make terminals disagree about widths.
# Not the zero-width joiner and non-joiner: Persian, Kurdish and the Indic scripts are
# misspelled without them (and emoji sequences need the joiner).
_INVISIBLE = re.compile(
    r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff]"
)
# In a title a non-joiner beside Latin letters or digits only disguises one word as another.
_LATIN_NON_JOINER = re.compile(r"(?<=[\x21-\x7e])\u200c|\u200c(?=[\x21-\x7e])")


# Anything shaped like an Anthropic API key.
_KEY_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")


def without_keys(text: str, *secrets: str) -> str:
    """``text`` with each of ``secrets`` and anything shaped like an API key as ``[key]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[key]")
    return _KEY_SHAPE.sub("[key]", text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture", e.g. ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def inert(text: str) -> str:
    """Text with every control character but newline and tab shown as a visible symbol.

    Carriage returns become newlines first so Windows line ends keep their meaning.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Unicode line and paragraph separators break lines in some terminals but not others.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROLS.sub(_visible, text)
    return _INVISIBLE.sub("", text)


def one_line(text: str, limit: int | None = None) -> str:
    """Inert text on one line (tab labels, titles), shortened with an ellipsis past ``limit``."""
    flat = " ".join(_LATIN_NON_JOINER.sub("", inert(text)).split())
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1] + "…" if limit > 0 else ""
    return flat
