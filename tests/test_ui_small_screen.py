"""Every dialog fits a small terminal (40 columns, 15 rows) and stays usable from the keyboard:
its text, its field or list, its keys and its buttons are on the screen, and what is longer
than the screen scrolls."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, TextArea

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.attach_file import AttachFileScreen
from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.dialogs.edit_text import EditTextScreen
from claude_tui.ui.dialogs.help import HelpScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from claude_tui.ui.dialogs.model_picker import ModelPicker
from claude_tui.ui.dialogs.picker import ConversationPicker
from claude_tui.ui.dialogs.rename import RenameScreen
from tests.ui_helpers import (  # no_animations is an autouse fixture
    active,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)

SMALL = (40, 15)


def on_screen(app: ClaudeTUI, widget: Widget) -> bool:
    """All of ``widget`` is drawn inside the terminal, none of it cut off by its dialog."""
    region = widget.region
    if not region or not app.screen.region.contains_region(region):
        return False
    for ancestor in widget.ancestors:
        if (isinstance(ancestor, Widget) and ancestor is not app.screen
                and not ancestor.region.contains_region(region)):
            return False
    return True


def shows(app: ClaudeTUI, *words: str) -> bool:
    text = screen_text(app)
    return all(word in text for word in words)


async def opened(pilot: Pilot[None], key: str, screen: type) -> None:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, screen))
    await pilot.pause()
    await pilot.pause()  # the size classes come with the first resize


async def started(pilot: Pilot[None]) -> None:
    await type_and_send(pilot, "hello there")
    await settle(pilot)


async def test_the_end_dialog_shows_what_is_permanent_and_both_buttons(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await opened(pilot, "f4", ConfirmEndScreen)
        assert shows(app, "End this conversation?", "Ending is permanent", "y confirm")
        for button in app.screen.query(Button):
            assert on_screen(app, button), button.id
        assert shows(app, "Cancel", "End conversation")
        assert app.focused is app.screen.query_one("#cancel")
        await pilot.press("right")  # the focus moves along the buttons, as at any size
        assert app.focused is app.screen.query_one("#confirm")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmEndScreen))
        assert active(app).is_writable

        await app.run_action("delete_conversation")  # from the palette: the same shape
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.pause()
        await pilot.pause()
        for button in app.screen.query(Button):
            assert on_screen(app, button), button.id
        await pilot.press("escape")


async def test_rename_and_attach_show_their_field_and_keys(data_dir, tmp_path: Path) -> None:
    for n in range(30):  # more choices than the dialog has room for
        (tmp_path / f"picture-{n:02}.png").write_bytes(b"")
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await opened(pilot, "f2", RenameScreen)
        assert on_screen(app, app.screen.query_one(Input))
        assert shows(app, "Rename conversation", "enter saves")
        await pilot.press("ctrl+u", *"Trip", "enter")
        await until(pilot, lambda: active(app).conversation.title == "Trip")

        await opened(pilot, "ctrl+l", AttachFileScreen)
        field = app.screen.query_one(Input)
        field.value = f"{tmp_path}/pic"
        await pilot.press("tab")  # lists the thirty choices
        await until(pilot, lambda: "picture-00" in str(
            app.screen.query_one("#attach-found").render()))
        await pilot.pause()
        assert on_screen(app, field) and on_screen(app, app.screen.query_one("#attach-keys"))
        assert shows(app, "Attach a file", "escape cancels")
        await pilot.press("escape")


async def test_the_system_prompt_editor_keeps_its_keys_and_buttons(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        for key, label in (("f7", "Save"), ("f6", "Send")):
            await opened(pilot, key, EditTextScreen)
            area = app.screen.query_one(TextArea)
            assert on_screen(app, area) and area.size.height >= 3
            for button in app.screen.query(Button):
                assert on_screen(app, button), button.id
            assert shows(app, "Cancel", label, "ctrl+s", "escape cancels")
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, EditTextScreen))
        await opened(pilot, "f7", EditTextScreen)
        await pilot.press(*"Be brief.", "ctrl+s")
        await until(pilot, lambda: active(app).conversation.system_prompt == "Be brief.")


async def test_help_describes_every_key_and_scrolls_to_the_last(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SMALL) as pilot:
        await opened(pilot, "f1", HelpScreen)
        # Too narrow for two columns: each description under its keys, not cut to nothing.
        assert shows(app, "ctrl+n", "New conversation in a new tab")
        for _ in range(12):  # a page at a time, down to the app's own keys
            if shows(app, "Quit (open tabs and unsent"):
                break
            await pilot.press("pagedown")
            await pilot.pause()
        assert shows(app, "ctrl+q", "Quit (open tabs and unsent")
        await pilot.press("end")
        await until(pilot, lambda: shows(app, "Delete the highlighted one"))
        assert shows(app, "escape, f1 or q closes")


async def test_the_lists_keep_their_rows_and_keys(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        for key, screen, keys in (("ctrl+o", ConversationPicker, "enter open"),
                                  ("f8", MessageChooser, "enter choose"),
                                  ("f9", ModelPicker, "enter choose")):
            await opened(pilot, key, screen)
            options = app.screen.query_one(OptionList)
            await until(pilot, lambda options=options: options.option_count > 0)
            assert on_screen(app, options), key
            assert options.size.height >= 1
            assert shows(app, keys, "escape"), key
            await pilot.press("escape")
            await until(pilot, lambda screen=screen: not isinstance(app.screen, screen))


async def test_a_confirmation_too_long_for_the_screen_scrolls_under_its_buttons(
        data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=(40, 11)) as pilot:
        await started(pilot)
        await opened(pilot, "f4", ConfirmEndScreen)
        body = app.screen.query_one(".yes-no-body")
        assert body.max_scroll_y > 0
        for button in app.screen.query(Button):
            assert on_screen(app, button), button.id
        assert not shows(app, "starts a new one")
        await pilot.press("down", "down", "pagedown")
        await until(pilot, lambda: shows(app, "starts a new one"))
        assert app.focused is app.screen.query_one("#cancel")  # the buttons keep the focus
