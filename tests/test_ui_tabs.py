"""Tabs: open, close, cycle, jump (as real terminals send alt+digit), restore, tabs.json."""

from __future__ import annotations

from textual._xterm_parser import XTermParser

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.composer import Composer
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    panes,
    screen_text,
    settle,
    tabs_file,
    type_and_send,
)


def ids(app: ClaudeTUI) -> list[str]:
    return [p.conversation.id for p in panes(app)]


async def test_new_close_cycle_and_jump_with_keys(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(panes(app)) == 1
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause()
        first, second, third = ids(app)
        assert active(app).conversation.id == third
        assert app.focused is active(app).composer  # typing works at once

        await pilot.press("alt+left")
        assert active(app).conversation.id == second
        await pilot.press("ctrl+pageup")
        assert active(app).conversation.id == first
        await pilot.press("alt+left")  # wraps around
        assert active(app).conversation.id == third
        await pilot.press("ctrl+pagedown", "alt+right")
        assert active(app).conversation.id == second
        await pilot.press("alt+1")
        assert active(app).conversation.id == first
        await pilot.press("alt+3")
        assert active(app).conversation.id == third
        await pilot.press("alt+9")  # no ninth tab: nothing changes
        assert active(app).conversation.id == third
        assert isinstance(app.focused, Composer)

        await pilot.press("alt+2", "ctrl+w")  # close the middle one: its right neighbour shows
        await pilot.pause()
        assert ids(app) == [first, third]
        assert active(app).conversation.id == third
        assert (data_dir / "conversations" / f"{second}.json").exists()  # the file is kept
        assert app.focused is active(app).composer


async def test_esc_digit_from_a_terminal_jumps_and_types_nothing(data_dir) -> None:
    """Most terminals send alt+1 as ESC 1, which Textual reads as "¡"."""
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        first, second = ids(app)
        composer = active(app).composer
        assert composer is not None and app.focused is composer
        composer.insert("draft")
        for event in XTermParser().feed("\x1b1"):
            app.post_message(event)
        await pilot.pause()
        assert active(app).conversation.id == first
        assert composer.text == "draft"  # no "¡" typed into the tab left behind
        assert "¡" not in (active(app).composer.text)
        for event in XTermParser().feed("\x1b2"):
            app.post_message(event)
        await pilot.pause()
        assert active(app).conversation.id == second
        assert active(app).composer.text == "draft"


async def test_composer_keys_ctrl_w_closes_and_ctrl_j_adds_a_line(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        composer = active(app).composer
        await pilot.press("a", "b", "ctrl+j", "c", "space", "d", "e", "alt+backspace")
        assert composer.text == "ab\nc "
        await pilot.press("ctrl+a", "x")  # the text area's own keys keep their meaning
        assert composer.text == "ab\nxc "
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert len(panes(app)) == 1


async def test_tab_state_is_saved_on_every_change(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (first,) = ids(app)
        assert tabs_file(data_dir) == {"open": [first], "active": first}
        await pilot.press("ctrl+n")
        await pilot.pause()
        second = ids(app)[1]
        assert tabs_file(data_dir) == {"open": [first, second], "active": second}
        await pilot.press("alt+left")
        await pilot.pause()
        assert tabs_file(data_dir)["active"] == first
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert tabs_file(data_dir) == {"open": [second], "active": second}


async def test_restart_restores_the_same_tabs_in_order_with_the_same_active(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_and_send(pilot, "first conversation")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await type_and_send(pilot, "second conversation")
        await settle(pilot)
        await pilot.press("ctrl+n", "alt+2")
        await pilot.pause()
        before = ids(app)
    assert len(before) == 3

    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert ids(again) == before  # same tabs, same order, no extra tab
        assert active(again).conversation.id == before[1]
        assert "second conversation" in screen_text(again)
        assert again.focused is active(again).composer
        # Only the shown tab mounted its messages.
        assert not panes(again)[0].view.loaded
        await pilot.press("alt+1")
        await pilot.pause()
        assert "first conversation" in screen_text(again)
    assert conversation_file(data_dir, before[0])["messages"][0]["content"][0]["text"] == (
        "first conversation"
    )


async def test_labels_are_inert_short_and_one_line(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        title = "[bold red]evil[/] \x1b]0;pwned\x07 title that goes on and on\nx"
        await type_and_send(pilot, title)
        await settle(pilot)
        tab = app.tabbed.get_tab(active(app).id)
        label = tab.label.plain
        assert label.startswith("[bold red]evil[/]")
        assert "\x1b" not in label and "\x07" not in label and "\n" not in label
        assert len(label) <= 28
        for _ in range(7):
            await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(app.tabbed.get_tab(panes(app)[0].id).label.plain) <= 12  # many tabs: shorter
        newest = app.tabbed.get_tab(active(app).id)
        await pilot.pause()
        assert newest.region.right <= app.size.width  # the shown tab stays on the bar
        assert newest.region.width > 0


async def test_the_config_keymap_remaps_a_binding(data_dir) -> None:
    app = ClaudeTUI(demo_options(keymap={"new_conversation": "ctrl+t"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert len(panes(app)) == 2
