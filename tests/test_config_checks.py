"""Config keys the app does not know, and remaps onto keys the composer needs, are reported
once at start-up; the file keeps them, and enter always sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_tui.config import load_settings
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.keymap import checked_keymap, key_clashes, refused_notice
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    settle,
    until,
)

CONFIG = """\
model = "claude-opus-5-5"
max_token = 100

[end_conversation]
min_warning = 2

[keymap]
quit = "enter"
new_conversation = "ctrl+t"
"""


def test_unknown_keys_are_listed_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, "utf-8")
    settings = load_settings(path)
    assert settings.unknown_keys == ["line 2: 'max_token'",
                                     "line 5: 'end_conversation.min_warning'"]
    assert settings.raw["max_token"] == 100  # kept, and written back with any change
    assert settings.keymap_lines["quit"] == 8


@pytest.mark.parametrize(("keymap", "kept", "refused"), [
    ({"quit": "enter"}, {}, [("quit", "enter")]),
    ({"quit": "ctrl+q,enter"}, {"quit": "ctrl+q"}, [("quit", "enter")]),
    ({"help": "escape"}, {}, [("help", "escape")]),
    ({"next_tab": "ctrl+j"}, {}, [("next_tab", "ctrl+j")]),
    ({"new_conversation": "ctrl+a"}, {}, [("new_conversation", "ctrl+a")]),
    ({"retry": "r"}, {}, [("retry", "r")]),
    ({"delete_word": "enter"}, {}, [("delete_word", "enter")]),
    # A binding's own keys, other free keys, and the composer's choices within itself are fine.
    ({"stop_reply": "escape,ctrl+s"}, {"stop_reply": "escape,ctrl+s"}, []),
    ({"newline": "ctrl+j"}, {"newline": "ctrl+j"}, []),
    ({"delete_word": "ctrl+d"}, {"delete_word": "ctrl+d"}, []),
    ({"new_conversation": "ctrl+t"}, {"new_conversation": "ctrl+t"}, []),
])
def test_keys_the_composer_needs_are_refused(keymap, kept, refused) -> None:
    accepted, left_out = checked_keymap(keymap)
    assert accepted == kept
    assert [(r.binding_id, r.key) for r in left_out] == refused


async def test_a_remap_onto_enter_is_refused_and_enter_still_sends(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, "utf-8")
    options = demo_options()
    options.settings = load_settings(path)
    options.settings.demo_chars_per_second = 1_000_000.0
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        keymap = [m for m in messages if "[keymap]" in m]
        assert len(keymap) == 1
        assert (f"{path}, line 8: [keymap] quit = \"enter\" was not applied: enter always "
                "sends.") in keymap[0]
        unknown = [m for m in messages if "Unknown settings" in m]
        assert unknown == [
            f"Unknown settings in {path}: line 2: 'max_token', line 5: "
            "'end_conversation.min_warning'. They are kept in the file but do nothing; the "
            "README lists the settings."]
        composer = active(app).composer
        composer.insert("hello there")
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running  # enter sent the message; it did not quit
        await until(pilot, lambda: len(active(app).conversation.messages) == 2)
        assert active(app).conversation.messages[0].text == "hello there"
        await pilot.press("ctrl+t")  # the rest of the keymap applies
        await pilot.pause()
        assert len(app.tabs.order) == 2
    assert path.read_text("utf-8") == CONFIG  # the file is left as it is


def test_a_key_given_to_two_bindings_is_named() -> None:
    assert key_clashes({}) == {}  # the defaults share no key
    assert key_clashes({"rename": "f6"}) == {"f6": ["rename", "edit_last"]}
    assert key_clashes({"rename": "f12", "help": "f12,f1"}) == {"f12": ["rename", "help"]}


async def test_the_app_warns_of_a_key_two_bindings_share(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nrename = "f6"\n', "utf-8")
    options = demo_options()
    options.settings = load_settings(path)
    app = ClaudeTUI(options)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("several bindings" in n.message
                                       for n in app._notifications))
        [notice] = [n.message for n in app._notifications if "several bindings" in n.message]
        assert "f6 by rename and edit_last" in notice and str(path) in notice


def test_a_refused_key_is_explained_by_what_it_does() -> None:
    _, refused = checked_keymap({"rename": "ctrl+a", "help": "escape", "quit": "q"})
    notice = refused_notice(refused, Path("config.toml"))
    assert 'rename = "ctrl+a" was not applied: the composer edits text with it.' in notice
    assert 'help = "escape" was not applied: it stops a reply and closes dialogs.' in notice
    assert 'quit = "q" was not applied: it is a character you type.' in notice
    assert "enter always sends" not in notice


async def test_an_unknown_theme_is_reported_and_the_default_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "no-such-theme"\n', "utf-8")
    options = demo_options()
    options.settings = load_settings(path)
    app = ClaudeTUI(options)
    default = app.theme
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("no-such-theme" in n.message
                                       for n in app._notifications))
        assert app.theme == default
    assert path.read_text("utf-8") == 'theme = "no-such-theme"\n'
