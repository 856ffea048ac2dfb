"""Untrusted text is made inert: nothing in it can drive the terminal."""

from __future__ import annotations

import unicodedata

import pytest

from claude_tui.text import inert, one_line


def controls_left(text: str) -> list[str]:
    """Characters a terminal would act on (every Cc but newline and tab), or that cannot print."""
    return [
        c for c in text
        if (unicodedata.category(c) == "Cc" and c not in "\n\t") or 0xD800 <= ord(c) <= 0xDFFF
    ]


@pytest.mark.parametrize(
    "hostile",
    [
        "title\x1b]0;pwned\x07after",  # OSC: sets the window title
        "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
        "\x1b[2J\x1b[H cleared",  # CSI: clear screen
        "\x9b31m eight-bit CSI",  # C1 CSI
        "\x9d0;title\x9c",  # C1 OSC and ST
        "bell\x07 backspace\x08 null\x00 del\x7f vt\x0b ff\x0c",
        "lone \ud83d surrogate",
    ],
)
def test_inert_leaves_no_control_characters(hostile: str) -> None:
    result = inert(hostile)
    assert controls_left(result) == []
    assert "\x1b" not in result and "\x9b" not in result


def test_controls_become_visible_symbols_and_the_text_stays() -> None:
    assert inert("a\x1b[31mred") == "a␛[31mred"
    assert inert("ring\x07") == "ring␇"
    assert inert("x\x7fy") == "x␡y"
    assert inert("x\x9by") == "x\ufffdy"
    assert "pwned" in inert("\x1b]0;pwned\x07")


def test_newline_and_tab_are_kept_and_carriage_returns_become_newlines() -> None:
    assert inert("a\n\tb") == "a\n\tb"
    assert inert("line 1\r\nline 2\rline 3") == "line 1\nline 2\nline 3"


def test_bidi_overrides_are_removed() -> None:
    assert inert("abc\u202eevil\u202c") == "abcevil"
    assert inert("\u2066x\u2069\u200f\u200e\u061c") == "x"


def test_ordinary_text_is_unchanged() -> None:
    text = "Grüße, 日本語, emoji 👩‍💻, math ∑, [bold]not markup[/bold]"
    assert inert(text) == text


def test_one_line_flattens_and_shortens() -> None:
    assert one_line("  first line\n\tsecond  line \r\n") == "first line second line"
    assert one_line("\x1b]0;x\x07title") == "␛]0;x␇title"
    assert one_line("abcdefghij", limit=5) == "abcd…"
    assert len(one_line("word " * 50, limit=20)) == 20
    assert one_line("short", limit=5) == "short"
    assert one_line("anything", limit=0) == ""


def test_zero_width_characters_and_unicode_line_separators_cannot_disguise_a_title() -> None:
    # "pay\u200bpal" would look exactly like "paypal" in a tab label or the picker.
    assert one_line("pay\u200bpal\u2060\ufeff\u200c") == "paypal"
    assert inert("one\u2028two\u2029three") == "one\ntwo\nthree"
    assert one_line("one\u2028two") == "one two"


def test_joiners_that_spell_words_are_kept() -> None:
    # Persian "I want" needs its zero-width non-joiner; a family emoji its joiners.
    persian, family = "می\u200cخواهم", "👩\u200d👩\u200d👧"
    assert inert(persian) == persian and inert(family) == family
    assert one_line(f"{persian} {family}") == f"{persian} {family}"
