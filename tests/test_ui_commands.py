"""The command palette (ctrl+p) of the real app: a command found by name runs, with its key."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    panes,
    type_and_send,
    until,
)


def shown_commands(app: ClaudeTUI) -> list[str]:
    """The palette's list as shown: each command's name, then its help on the next line."""
    options = app.screen.query_one("CommandList", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_palette(pilot: Pilot[None], query: str = "") -> None:
    await pilot.press("ctrl+p")
    await until(pilot, lambda: CommandPalette.is_open(pilot.app))
    await pilot.press(*query)


async def find(pilot: Pilot[None], query: str, name: str) -> str:
    """Type ``query`` in the open palette; the hit called ``name``, as shown, once listed."""
    app = pilot.app
    assert isinstance(app, ClaudeTUI)
    await open_palette(pilot, query)

    def hit() -> str | None:  # the search runs in the background
        return next((shown for shown in shown_commands(app)
                     if shown.splitlines()[0] == name), None)

    await until(pilot, hit)
    found = hit()
    assert found is not None
    return found


async def run_command(pilot: Pilot[None], query: str, name: str) -> None:
    """ctrl+p, type ``query``, highlight the hit called ``name`` and press enter."""
    await find(pilot, query, name)
    options = pilot.app.screen.query_one("CommandList", OptionList)
    for _ in range(options.option_count):
        highlighted = options.highlighted_option
        if highlighted is not None and str(highlighted.prompt).splitlines()[0] == name:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await until(pilot, lambda: not CommandPalette.is_open(pilot.app))


async def said_hello(pilot: Pilot[None], app: ClaudeTUI) -> None:
    """A first exchange with the demo model: an empty conversation has nothing to end."""
    await type_and_send(pilot, "hello")
    await until(pilot, lambda: len(active(app).conversation.messages) == 2)


async def test_end_found_by_name_asks_to_end_the_shown_conversation(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.active_pane is not None)
        await said_hello(pilot, app)
        await run_command(pilot, "end", "End conversation…")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
        await pilot.press("y")
        await until(pilot, lambda: active(app).conversation.is_ended)


async def test_new_and_go_to_tab_change_the_tabs(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(panes(app)) == 1)
        await run_command(pilot, "new conv", "New conversation")
        await until(pilot, lambda: len(panes(app)) == 2)
        await run_command(pilot, "new conv", "New conversation")
        await until(pilot, lambda: len(panes(app)) == 3)
        first, _, third = panes(app)
        await run_command(pilot, "go to tab 1", "Go to tab 1")
        await until(pilot, lambda: active(app) is first)
        await run_command(pilot, "go to tab 3", "Go to tab 3")
        await until(pilot, lambda: active(app) is third)


async def test_delete_found_by_name_asks_first_then_deletes(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.active_pane is not None)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: len(panes(app)) == 2)
        doomed = active(app).conversation.id
        await run_command(pilot, "delete conv", "Delete conversation…")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("y")
        await until(pilot, lambda: [p.conversation.id for p in panes(app)] != [doomed]
                    and doomed not in app.tabs)


async def test_the_listed_commands_show_their_key_and_every_action_is_offered(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.active_pane is not None)
        await open_palette(pilot)  # nothing typed: the commands discovered are listed
        await until(pilot, lambda: any(s.startswith("Quit") for s in shown_commands(app)))
        shown = {s.splitlines()[0]: s for s in shown_commands(app)}
        assert "f4" in shown["End conversation…"]
        # The palette explains, as the help screen does: the footer's "End" would not.
        assert "permanent" in shown["End conversation…"]
        assert "Find and open any stored conversation" in shown["Open a conversation…"]
        assert "ctrl+n" in shown["New conversation"]
        for name in ("Export conversation as Markdown", "Copy a message…",
                     "Delete conversation…", "Open a conversation…", "Quit"):
            assert name in shown, name
        assert not any("inverted_exclamation_mark" in s for s in shown.values())


async def test_a_remapped_key_is_shown_and_the_command_still_runs(data_dir) -> None:
    app = ClaudeTUI(demo_options(keymap={"end_conversation": "f9"}))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.active_pane is not None)
        await said_hello(pilot, app)
        shown = await find(pilot, "end", "End conversation…")
        assert "f9" in shown and "f4" not in shown
        await pilot.press("escape")
        await until(pilot, lambda: not CommandPalette.is_open(app))
        await run_command(pilot, "end", "End conversation…")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmEndScreen))
        await pilot.press("f9")  # the key the palette showed does the same
        await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
