"""The screenshot script runs against the real app and each picture shows what it is named for.

The script is run into a temporary folder, so a change to the app that breaks it (a key that no
longer opens its screen, a dialog that never appears) fails here instead of leaving stale SVGs.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
from pathlib import Path
from types import ModuleType

import pytest
from rich.cells import cell_len

SCRIPT = Path(__file__).resolve().parent.parent / "screenshots" / "make_screenshots.py"
# Rich draws every terminal cell 0.61 x 20 px wide in its SVG export.
CELL_WIDTH = 12.2
_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">(.*?)</text>'
)


def svg_text(svg: str) -> str:
    """The terminal's text as lines: each span put back at its cell, &#160; as a space."""
    rows: dict[int, dict[int, str]] = {}
    for x, row, escaped in _TEXT.findall(svg):
        column = round(float(x) / CELL_WIDTH)
        cells = rows.setdefault(int(row), {})
        for char in html.unescape(escaped).replace("\xa0", " "):
            cells[column] = char
            width = max(cell_len(char), 1)
            for covered in range(column + 1, column + width):
                cells[covered] = ""  # the rest of a wide character such as an emoji
            column += width
    return "\n".join(
        "".join(cells.get(c, " ") for c in range(max(cells) + 1)).rstrip()
        for _, cells in sorted(rows.items())
    )


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Run the script once for all the checks below, in a home of its own to watch."""
    script = load_script()
    home = tmp_path_factory.mktemp("home")
    out = tmp_path_factory.mktemp("screenshots")
    # Module-scoped, so the per-test isolation of conftest is not in place yet: set up our own.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(home))
        env.setenv("XDG_DATA_HOME", str(home / "data"))
        env.setenv("XDG_CONFIG_HOME", str(home / "config"))
        env.setenv("ANTHROPIC_API_KEY", "sk-ant-not-for-screenshots")
        paths = script.make_screenshots(out)
        key_after = os.environ.get("ANTHROPIC_API_KEY")
    texts = {}
    for path in paths:
        svg = path.read_text("utf-8")
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        texts[path.name] = svg_text(svg)
    return {"names": [p.name for p in paths], "texts": texts,
            "home_files": sorted(home.rglob("*")), "key_after": key_after}


@pytest.fixture
def screens(run: dict[str, object]) -> dict[str, str]:
    """Picture name -> the text it shows."""
    texts = run["texts"]
    assert isinstance(texts, dict)
    return texts


EXPECTED = ("tabs.svg", "warning.svg", "end-dialog.svg", "locked.svg", "picker.svg", "help.svg",
            "thinking.svg", "attachment.svg")


def test_svg_text_reads_spans_back_into_lines() -> None:
    svg = (
        '<text class="t-r1" x="12.2" y="20" textLength="36.6" '
        'clip-path="url(#t-line-0)">a&#160;b</text>'
        '<text class="t-r2" x="61" y="20" textLength="24.4" '
        'clip-path="url(#t-line-0)">cd</text>'
        '<text class="t-r1" x="0" y="44.4" textLength="12.2" '
        'clip-path="url(#t-line-1)">&lt;🔒&#160;x</text>'
    )
    assert svg_text(svg) == " a b cd\n<🔒 x"


def test_tabs_show_several_conversations_and_a_code_block(screens: dict[str, str]) -> None:
    text = screens["tabs.svg"]
    tab_bar = text.splitlines()[0]
    for title in ("What keys", "Where are my", "Show me Python"):  # labels may be shortened
        assert title in tab_bar
    assert "import json" in text  # the fenced code block of the demo model's Python reply
    assert "```" not in text  # rendered as Markdown, not shown as source


def test_warning_banner_names_the_behaviour(screens: dict[str, str]) -> None:
    text = screens["warning.svg"]
    assert "Warning" in text
    assert "insulting language directed at the assistant" in text


def test_end_dialog_says_ending_is_permanent(screens: dict[str, str]) -> None:
    text = screens["end-dialog.svg"]
    assert "End this conversation?" in text
    assert "permanent" in text
    assert "Cancel" in text


def test_locked_tab_is_read_only_and_has_no_composer(screens: dict[str, str]) -> None:
    text = screens["locked.svg"]
    assert "read-only" in text
    assert "🔒" in text.splitlines()[0]  # the locked tab's label
    assert "Message Claude" not in text  # the composer's placeholder


def test_picker_lists_the_conversations(screens: dict[str, str]) -> None:
    text = screens["picker.svg"]
    assert "Open a conversation" in text
    for title in ("What keys can I use?", "Where are my files?", "Show me Python code",
                  "How does ending work?", "Please end this conversation"):
        assert title in text
    assert "5 of 5" in text
    # Both the abusive conversation and the one the user asked to end did end.
    assert len(re.findall(r"\bended · open in a tab", text)) == 2


def test_help_lists_the_keys(screens: dict[str, str]) -> None:
    text = screens["help.svg"]
    assert "Help" in text
    assert "ctrl+n" in text
    assert "ctrl+o" in text


def test_thinking_shows_unfolded_between_the_question_and_the_reply(
        screens: dict[str, str]) -> None:
    lines = screens["thinking.svg"].splitlines()
    question = next(n for n, line in enumerate(lines) if "How do tabs work?" in line and n > 1)
    thinking = next(n for n, line in enumerate(lines) if "Thinking (" in line)
    reply = next(n for n, line in enumerate(lines) if "Every conversation opens as a tab" in line)
    assert question < thinking < reply
    assert "ctrl+g" in lines[thinking]
    # Unfolded by ctrl+g: the demo's summary follows the block's heading.
    assert "Looking at a message of 17 characters" in lines[thinking + 1]


def test_attachments_show_in_the_transcript_and_wait_as_a_chip(
        screens: dict[str, str]) -> None:
    text = screens["attachment.svg"]
    assert "📎 checklist.md · text file" in text and "📎 diagram.png · PNG image" in text
    assert "You attached 2 files" in text  # the demo model names what it was sent
    chip = next(line for line in text.splitlines() if "✕" in line)
    assert "checklist.md" in chip  # the next message's attachment, above the composer
    assert "Which one should I fix first?" in text


def test_every_picture_is_made(run: dict[str, object]) -> None:
    assert sorted(run["names"]) == sorted(EXPECTED)  # type: ignore[call-overload]


def test_the_script_keeps_to_its_own_folders(run: dict[str, object]) -> None:
    # Nothing written into the home or XDG folders it was started with, and the environment
    # (a key included) given back as it was.
    assert run["home_files"] == []
    assert run["key_after"] == "sk-ant-not-for-screenshots"
