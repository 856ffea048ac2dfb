"""Records made before the first paint behave as the frozen dataclasses they replaced."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from claude_tui.models import ModelInfo
from claude_tui.storage.reading import FileSignature
from claude_tui.ui.bindings import KeySpec
from claude_tui.ui.status_line import Status


def test_a_record_is_built_by_position_or_keyword_and_keeps_its_defaults() -> None:
    assert FileSignature(1, 2, 3) == FileSignature(size=1, mtime_ns=2, ino=3)
    model = ModelInfo("claude-x", "Claude X")
    assert (model.context_window, model.max_output) == (None, None)
    assert ModelInfo("claude-x", "Claude X", max_output=8) != model
    assert Status() == Status((), "")
    assert KeySpec("quit", "ctrl+q", "quit", "Quit", "app").explained == "Quit"


def test_a_record_with_too_many_or_missing_fields_is_refused() -> None:
    with pytest.raises(TypeError):
        FileSignature(1, 2, 3, 4)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        FileSignature(1, 2)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        FileSignature(1, 2, size=3)  # type: ignore[call-arg]


def test_a_record_cannot_be_changed_and_is_a_dictionary_key() -> None:
    signature = FileSignature(1, 2, 3)
    with pytest.raises(FrozenInstanceError):
        signature.size = 9  # type: ignore[misc]
    assert {signature: "seen"}[FileSignature(1, 2, 3)] == "seen"
    assert repr(signature) == "FileSignature(size=1, mtime_ns=2, ino=3)"


def test_a_record_of_a_record_has_its_fields_and_then_its_own() -> None:
    class Located(FileSignature):
        path: str = ""

    located = Located(1, 2, 3, "a.json")
    assert (located.size, located.path) == (1, "a.json")
    assert Located(1, 2, 3).path == ""
    class Sized(FileSignature):
        size: int = 0  # declared again, with a default

    assert Sized._fields == ("size", "mtime_ns", "ino") and Sized._defaults == {"size": 0}
    # Never equal to a record of another type, even with the same fields.
    assert Located(1, 2, 3, "") != FileSignature(1, 2, 3)
