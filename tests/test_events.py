"""The engine's events as the UI and the commands use them: frozen records of their fields."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import FrozenInstanceError

import pytest

from claude_tui.events import (
    EndDeclined,
    MessageSaved,
    ReplyCutShort,
    TextDelta,
    TurnFailed,
    TurnStarted,
    UsageUpdated,
)


def test_an_event_is_built_from_its_fields_by_position_or_name_with_its_defaults() -> None:
    failed = TurnFailed("c1", "The API is overloaded")
    assert (failed.conversation_id, failed.message, failed.retryable) == (
        "c1", "The API is overloaded", True)
    assert TurnFailed(conversation_id="c1", message="m", retryable=False).retryable is False
    assert MessageSaved("c1", 3).message is None
    usage = UsageUpdated("c1", {"input_tokens": 5}, {"input_tokens": 9})
    assert usage.totals == {"input_tokens": 9}


@pytest.mark.parametrize("build", [
    lambda: TurnFailed("c1"),
    lambda: TextDelta("c1", "text", "more"),
    lambda: TextDelta("c1", text="a", txt="b"),
    lambda: TextDelta("c1", "a", text="b"),
])
def test_a_missing_unknown_or_repeated_field_is_refused(build: object) -> None:
    with pytest.raises(TypeError):
        build()  # type: ignore[operator]


def test_an_event_cannot_be_changed() -> None:
    delta = TextDelta("c1", "Hello")
    with pytest.raises(FrozenInstanceError):
        delta.text = "changed"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del delta.text  # type: ignore[misc]
    assert delta.text == "Hello"


def test_events_are_equal_when_of_the_same_kind_with_the_same_fields() -> None:
    assert TextDelta("c1", "a") == TextDelta(conversation_id="c1", text="a")
    assert hash(TextDelta("c1", "a")) == hash(TextDelta("c1", "a"))
    assert TextDelta("c1", "a") != TextDelta("c1", "b")
    # Events of different kinds never compare equal, even with the same fields.
    assert TurnStarted("c1") != EndDeclined("c1") != ReplyCutShort("c1")
    assert len({TurnStarted("c1"), EndDeclined("c1"), TurnStarted("c1")}) == 2
    assert repr(TurnFailed("c1", "m")) == (
        "TurnFailed(conversation_id='c1', message='m', retryable=True)")


def test_events_match_by_field_name_and_by_position() -> None:
    match TurnFailed("c1", "m", retryable=False):
        case TurnFailed(message=message, retryable=retryable):
            assert (message, retryable) == ("m", False)
        case _:
            pytest.fail("no match")
    match TextDelta("c1", "a"):
        case TextDelta(conversation_id, text):
            assert (conversation_id, text) == ("c1", "a")
        case _:
            pytest.fail("no match")


@pytest.mark.parametrize("module", [
    "claude_tui.events", "claude_tui.models", "claude_tui.storage.reading",
    "claude_tui.storage.sync", "claude_tui.storage.file_format", "claude_tui.protocol",
    "claude_tui.ui.status_line", "claude_tui.ui.bindings",
])
def test_importing_the_records_compiles_no_code_at_run_time(module: str) -> None:
    # A dataclass compiles each method it is given when its module is imported (Python 3.11
    # and 3.12): for these records, needed before the first paint, a tenth of the start-up's
    # instructions above a minimal Textual app's. A module's own source compiled into its
    # bytecode file (a first import) is not code compiled at run time. The modules with
    # dataclasses of their own (mutable ones) are imported first.
    probe = (
        "import sys, claude_tui.conversation, claude_tui.config, claude_tui.providers.choice\n"
        "import claude_tui.providers.base, claude_tui.record, textual.binding, textual.widgets\n"
        "from textual.widgets import Static\n"
        "compiled = []\n"
        "sys.addaudithook(lambda event, args: event == 'compile' and compiled.append(args[1]))\n"
        f"import {module}\n"
        "print([name for name in compiled if not str(name).endswith('.py')])\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
