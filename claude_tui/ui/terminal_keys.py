"""Alt keys as real terminals send them.

Most terminals, and tmux, send alt+1 as ESC ``1`` and alt+backspace as ESC DEL. Textual reads
ESC ``1`` as the character a Mac's Option key types (``¡``), which is also what a UK keyboard
types for shift+3 (``£``) or a German one for shift+3 (``§``): bound to a tab jump, typing ``£``
would switch tabs. And it reads ESC DEL as ``ctrl+w``, which closes the tab here. So the app
teaches the parser the two sequences' real meaning before it starts: ESC digit is ``alt+digit``
and ESC DEL is ``alt+backspace``; ``£`` and ``§`` are then only ever typed.

Terminals speaking the kitty keyboard protocol send these keys unambiguously and are not
affected.
"""

from __future__ import annotations

from enum import StrEnum

from claude_tui.ui.textual_private import add_key_sequences


class TerminalKey(StrEnum):
    # The parser emits ``key.value`` for each entry of a sequence's tuple.
    ALT_BACKSPACE = "alt+backspace"
    ALT_0 = "alt+0"
    ALT_1 = "alt+1"
    ALT_2 = "alt+2"
    ALT_3 = "alt+3"
    ALT_4 = "alt+4"
    ALT_5 = "alt+5"
    ALT_6 = "alt+6"
    ALT_7 = "alt+7"
    ALT_8 = "alt+8"
    ALT_9 = "alt+9"


SEQUENCES: dict[str, TerminalKey] = {
    "\x1b\x7f": TerminalKey.ALT_BACKSPACE,
    "\x1b\x08": TerminalKey.ALT_BACKSPACE,
    **{f"\x1b{digit}": TerminalKey(f"alt+{digit}") for digit in "0123456789"},
}


def install() -> bool:
    """Map the sequences in Textual's parser table; False (and logged) if it cannot be.

    Without it the app still runs: the jumps then answer to ``alt+N`` only where the terminal
    sends it as such, and word deletion to ``ctrl+backspace``.
    """
    return add_key_sequences(SEQUENCES)
