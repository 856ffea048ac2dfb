"""Scrolling the transcript by key while typing: shift+pageup/shift+pagedown by a page,
ctrl+home/ctrl+end to the top and the bottom. Up lets go of the bottom as the mouse wheel does;
the bottom follows the reply again."""

from __future__ import annotations

from textual._xterm_parser import XTermParser

from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.help import HelpScreen, help_rows
from claude_tui.ui.transcript.view import ConversationView
from tests.test_ui_actions import _stored
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    until,
)

# What tmux 3.3a sends for S-PPage, S-NPage, C-Home and C-End (read from a pane in raw mode).
FROM_TMUX = {"shift+pageup": "\x1b[5;2~", "shift+pagedown": "\x1b[6;2~",
             "ctrl+home": "\x1b[1;5H", "ctrl+end": "\x1b[1;5F"}


def long_conversation(data_dir) -> None:
    long = _stored(data_dir, [f"message number {n}" for n in range(30)])
    ConversationStore(data_dir).session.save(TabState(open=[long.id], active=long.id))


def shown(app: ClaudeTUI) -> str:
    """What the transcript shows now (not the tab bar, whose label is the first message)."""
    region = active(app).view.region
    strips = app.screen_stack[0]._compositor.render_strips()
    return "\n".join(strip.crop(region.x, region.right).text
                     for strip in strips[region.y:region.bottom])


def at_bottom(view: ConversationView) -> bool:
    return view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y


async def test_keys_scroll_the_transcript_while_the_composer_keeps_typing(data_dir) -> None:
    long_conversation(data_dir)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        pane = active(app)
        view, composer = pane.view, pane.composer
        assert composer is not None
        await until(pilot, lambda: at_bottom(view) and "message number 29" in shown(app))
        composer.insert("half a thought")

        await pilot.press("shift+pageup")
        await until(pilot, lambda: "message number 29" not in shown(app))
        assert app.focused is composer and composer.text == "half a thought"
        # More comes in (a reply, a notice): the view stays where the user put it.
        where = view.scroll_y
        await view.add_notice("a late notice")
        await pilot.pause()
        await pilot.pause()
        assert view.scroll_y == where and "a late notice" not in shown(app)

        await pilot.press("ctrl+home")
        await until(pilot, lambda: "message number 0" in shown(app))
        assert view.scroll_y == 0
        await pilot.press("shift+pagedown")
        await until(pilot, lambda: view.scroll_y > 0)
        assert "message number 0" not in shown(app)

        await pilot.press("ctrl+end")
        await until(pilot, lambda: at_bottom(view) and "a late notice" in shown(app))
        await view.add_notice("followed again")  # the bottom follows what comes
        await until(pilot, lambda: at_bottom(view) and "followed again" in shown(app))

        # A page down that reaches the bottom follows again too.
        await pilot.press("shift+pageup", "shift+pagedown", "shift+pagedown")
        await until(pilot, lambda: at_bottom(view))
        await view.add_notice("and once more")
        await until(pilot, lambda: at_bottom(view) and "and once more" in shown(app))
        assert composer.text == "half a thought"


async def test_the_keys_as_tmux_sends_them_scroll_too(data_dir) -> None:
    long_conversation(data_dir)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        view = active(app).view
        await until(pilot, lambda: at_bottom(view))

        async def send(key: str) -> None:
            for event in XTermParser().feed(FROM_TMUX[key]):
                assert getattr(event, "key", None) == key
                app.post_message(event)
            await pilot.pause()

        await send("ctrl+home")
        await until(pilot, lambda: view.scroll_y == 0)
        await send("shift+pagedown")
        await until(pilot, lambda: view.scroll_y > 0)
        await send("ctrl+end")
        await until(pilot, lambda: at_bottom(view))
        await send("shift+pageup")
        await until(pilot, lambda: 0 < view.scroll_y < view.max_scroll_y)
        assert active(app).composer.text == ""  # nothing typed


async def test_the_scroll_keys_remap_and_are_off_under_a_dialog(data_dir) -> None:
    long_conversation(data_dir)
    app = ClaudeTUI(demo_options(keymap={"scroll_top": "alt+up"}))
    async with app.run_test(size=SIZE) as pilot:
        view = active(app).view
        await until(pilot, lambda: at_bottom(view))
        await pilot.press("ctrl+home")  # no longer the key
        await pilot.pause()
        assert at_bottom(view)
        await pilot.press("alt+up")
        await until(pilot, lambda: view.scroll_y == 0)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert any("alt+up" in keys and "top of the transcript" in what
                   for _group, rows in help_rows(app.settings.keymap) for keys, what in rows)
        await pilot.press("ctrl+end")  # the help screen is on top: the transcript stays
        await pilot.pause()
        assert view.scroll_y == 0
