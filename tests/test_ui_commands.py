"""The command palette's commands, through the real palette of a tiny app."""

from __future__ import annotations

from textual.app import App
from textual.command import CommandPalette

from claude_tui.ui.bindings import app_bindings
from claude_tui.ui.palette import ConversationCommands


class Host(App[None]):
    COMMANDS = App.COMMANDS | {ConversationCommands}
    BINDINGS = app_bindings()

    def __init__(self) -> None:
        super().__init__()
        self.called: list[str] = []

    def action_end_conversation(self) -> None:
        self.called.append("end_conversation")

    def action_delete_conversation(self) -> None:
        self.called.append("delete_conversation")

    def action_jump_tab(self, n: int) -> None:
        self.called.append(f"jump_tab({n})")


async def run_command(app: Host, query: str, expected_name: str) -> list[str]:
    """Opens the palette, types ``query`` and runs the hit named ``expected_name``."""
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*query)
        palette = app.screen
        options = palette.query_one("CommandList")
        for _ in range(50):  # the search runs in the background: wait for its hits
            await pilot.pause()
            names = [str(options.get_option_at_index(i).prompt)
                     for i in range(options.option_count)]
            if any(expected_name in n for n in names):
                break
        assert any(expected_name in n for n in names), names
        while expected_name not in str(options.highlighted_option.prompt):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
    return app.called


async def test_searching_end_finds_end_conversation_and_runs_the_action() -> None:
    app = Host()
    assert await run_command(app, "end", "End conversation…") == ["end_conversation"]


async def test_delete_and_jump_are_offered() -> None:
    assert await run_command(Host(), "delete conv", "Delete conversation…") == [
        "delete_conversation"
    ]
    assert await run_command(Host(), "go to tab 3", "Go to tab 3") == ["jump_tab(3)"]


async def test_hits_show_their_key_and_every_action_is_offered() -> None:
    app = Host()
    async with app.run_test(size=(100, 40)):
        provider = ConversationCommands(app.screen)
        hits = [hit async for hit in provider.discover()]
        by_name = {hit.text: hit for hit in hits}
        assert "f4" in (by_name["End conversation…"].help or "")
        # The palette explains, as the help screen does: the footer's "End" would not.
        assert "permanent" in (by_name["End conversation…"].help or "")
        assert "Find and open any stored conversation" in (
            by_name["Open a conversation…"].help or "")
        assert "ctrl+n" in (by_name["New conversation"].help or "")
        for name in ("Export conversation as Markdown", "Copy a message…",
                     "Delete conversation…", "Open a conversation…", "Quit"):
            assert name in by_name, name
        assert not any("inverted_exclamation_mark" in (h.help or "") for h in hits)


async def test_a_remapped_key_shows_in_the_help_text() -> None:
    app = Host()
    async with app.run_test(size=(100, 40)):
        app.set_keymap({"end_conversation": "f9"})
        provider = ConversationCommands(app.screen)
        hits = {hit.text: hit async for hit in provider.discover()}
        assert "f9" in (hits["End conversation…"].help or "")
        assert "f4" not in (hits["End conversation…"].help or "")
