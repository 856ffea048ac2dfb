"""The alt keys, fed as the raw bytes a terminal sends, not as key names."""

from __future__ import annotations

from textual._xterm_parser import XTermParser

from claude_tui.ui.terminal_keys import install


def keys_of(data: str) -> list[tuple[str, str | None]]:
    install()
    return [(event.key, event.character) for event in XTermParser().feed(data)
            if hasattr(event, "key")]


def test_esc_digit_is_alt_digit_and_types_nothing() -> None:
    assert keys_of("\x1b1") == [("alt+1", None)]
    assert keys_of("\x1b9") == [("alt+9", None)]


def test_pound_and_section_signs_typed_on_a_keyboard_stay_characters() -> None:
    # UK shift+3 and German shift+3: these must be typed, never read as alt+3.
    assert keys_of("£") == [("pound_sign", "£")]
    assert keys_of("§") == [("section_sign", "§")]


def test_esc_del_is_alt_backspace_and_not_ctrl_w() -> None:
    assert keys_of("\x1b\x7f") == [("alt+backspace", None)]
    assert keys_of("\x17") == [("ctrl+w", "\x17")]
