"""The modal screens, each pushed over a tiny host app and driven with the pilot."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from claude_tui.conversation import Conversation, EndRecord, Message
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.bindings import APP_KEYS
from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.dialogs.help import HelpScreen
from claude_tui.ui.dialogs.message_chooser import BRANCH_EXPLANATION, MessageChooser
from claude_tui.ui.dialogs.picker import DELETE_KEY, ENDED_MARK, ConversationPicker
from claude_tui.ui.dialogs.rename import RenameScreen
from claude_tui.ui.messages import ConversationDeleted

HOSTILE = "[bold]x[/bold] \x1b]0;pwned\x07 [/]"
HOSTILE_SHOWN = "[bold]x[/bold]"


class Host(App[None]):
    """Pushes one screen on mount and records what it dismisses with."""

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list[Any] = []
        self.deleted: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)

    def on_conversation_deleted(self, message: ConversationDeleted) -> None:
        self.deleted.append(message.conversation_id)


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def flat_text(app: App[Any]) -> str:
    """The screen's words with borders removed and line breaks joined, for phrase checks."""
    text = "".join(" " if 0x2500 <= ord(c) <= 0x259F else c for c in screen_text(app))
    return " ".join(text.split())


def user(text: str, at: str = "2026-11-20T10:00:00Z") -> Message:
    return Message(role="user", content=[{"type": "text", "text": text}], at=at)


def claude(text: str, at: str = "2026-11-20T10:00:05Z") -> Message:
    return Message(role="assistant", content=[{"type": "text", "text": text}], at=at)


# the yes/no dialogs -------------------------------------------------------------------------
async def answer_end(*keys: str, asked_by: str = "user") -> tuple[Host, list[Any]]:
    app = Host(lambda: ConfirmEndScreen("Travel plans", asked_by))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
    return app, app.results


async def test_end_dialog_says_what_ending_means_and_starts_on_cancel() -> None:
    app = Host(lambda: ConfirmEndScreen("Travel plans", "user"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmEndScreen)
        text = flat_text(app).lower()
        assert "permanent" in text
        assert "no further messages" in text
        assert "other conversations" in text
        assert "ctrl+n" in text
        assert "travel plans" in text
        assert app.focused is not None and app.focused.id == "cancel"
        assert "End conversation" in flat_text(app)


async def test_end_dialog_says_when_the_user_asked_claude() -> None:
    app = Host(lambda: ConfirmEndScreen("Travel plans", "assistant"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "You asked Claude to end this conversation." in flat_text(app)


async def test_end_dialog_answers() -> None:
    assert (await answer_end("y"))[1] == [True]
    assert (await answer_end("n"))[1] == [False]
    assert (await answer_end("escape"))[1] == [False]
    assert (await answer_end("enter"))[1] == [False]  # focus starts on Cancel
    assert (await answer_end("tab", "enter"))[1] == [True]


async def test_end_dialog_shows_a_hostile_title_literally() -> None:
    app = Host(lambda: ConfirmEndScreen(HOSTILE, "user"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert HOSTILE_SHOWN in text
        assert "\x1b" not in text and "␛" in text


async def test_delete_dialog_says_only_the_file_goes() -> None:
    app = Host(lambda: ConfirmDeleteScreen(HOSTILE))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        text = flat_text(app)
        assert "deleted for good" in text
        assert "Nothing else is touched" in text
        assert HOSTILE_SHOWN in screen_text(app)
        assert app.focused is not None and app.focused.id == "cancel"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [False]
    for keys, expected in ((["y"], True), (["n"], False), (["escape"], False),
                           (["tab", "enter"], True)):
        app = Host(lambda: ConfirmDeleteScreen("x"))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
        assert app.results == [expected], keys


# the picker ---------------------------------------------------------------------------------
def fill_store(data_dir: Path) -> tuple[ConversationStore, dict[str, str]]:
    """Three conversations with fixed times: travel (newest, ended), recipes, HOSTILE (oldest)."""
    store = ConversationStore(data_dir)
    ids: dict[str, str] = {}
    specs = [
        ("Recipes", ["How long do I boil an egg?"], "2026-11-25T09:00:00Z", False),
        ("", ["Plan a trip to Lisbon in spring", "with a day in Sintra"],
         "2026-11-26T12:00:00Z", True),
        (HOSTILE, ["tell me about bananas"], "2026-11-24T08:00:00Z", False),
    ]
    for title, texts, updated, ended in specs:
        conversation = store.create("claude-opus-4-5", title=title)
        for text in texts:
            store.append(conversation, user(text))
            store.append(conversation, claude(f"About {text}"))
        conversation.updated = updated
        if ended:
            conversation.status = "ended"
            conversation.ended = EndRecord(by="user", at=updated, reason="user_requested")
        store.save(conversation)
        ids[title or "travel"] = conversation.id
    return store, ids


FIXED_NOW = datetime(2026, 11, 26, 12, 3, tzinfo=UTC)


def picker_app(store: ConversationStore, open_ids: set[str] | None = None) -> Host:
    return Host(lambda: ConversationPicker(store, open_ids or set(), now=lambda: FIXED_NOW))


def shown_ids(app: Host) -> list[str | None]:
    options = app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_picker_lists_every_conversation_newest_first(data_dir: Path) -> None:
    store, ids = fill_store(data_dir)
    app = picker_app(store, {ids["Recipes"]})
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert shown_ids(app) == [ids["travel"], ids["Recipes"], ids[HOSTILE]]
        lines = screen_text(app).splitlines()
        travel = next(line for line in lines if "Plan a trip to Lisbon" in line)
        assert ENDED_MARK in travel
        assert not any(ENDED_MARK in line for line in lines if "Recipes" in line)
        text = flat_text(app)
        assert "ended · 3 min ago · claude-opus-4-5 · 4 messages" in text
        assert "active · open in a tab ·" in text
        assert HOSTILE_SHOWN in screen_text(app)
        assert isinstance(app.focused, Input)
        assert DELETE_KEY in text


async def test_picker_filters_on_title_and_message_text(data_dir: Path) -> None:
    store, ids = fill_store(data_dir)
    app = picker_app(store)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*"RECIPE")
        await pilot.pause()
        assert shown_ids(app) == [ids["Recipes"]]
        app.screen.query_one(Input).value = ""
        await pilot.press(*"sintra")  # in the second message, not the title
        await pilot.pause()
        assert shown_ids(app) == [ids["travel"]]
        await pilot.press(*" egg")  # every word must match
        await pilot.pause()
        assert shown_ids(app) == []
        assert "Nothing matches" in flat_text(app)
        await pilot.press("enter")  # nothing to open: the picker stays
        await pilot.pause()
        assert isinstance(app.screen, ConversationPicker)
    assert app.results == []


async def test_picker_down_then_enter_opens_the_highlighted_one(data_dir: Path) -> None:
    store, ids = fill_store(data_dir)
    app = picker_app(store)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        assert isinstance(app.focused, Input)  # the input keeps focus while moving
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [ids["Recipes"]]


async def test_picker_enter_after_filtering_and_escape(data_dir: Path) -> None:
    store, ids = fill_store(data_dir)
    app = picker_app(store)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*"banana", "enter")
        await pilot.pause()
    assert app.results == [ids[HOSTILE]]
    app = picker_app(store)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_picker_deletes_only_after_confirmation(data_dir: Path) -> None:
    store, ids = fill_store(data_dir)
    app = picker_app(store)
    recipes = store.path_for(ids["Recipes"])
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", DELETE_KEY)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteScreen)
        assert "Recipes" in flat_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConversationPicker)
        assert recipes.exists() and app.deleted == []
        await pilot.press(DELETE_KEY)
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not recipes.exists()
        assert app.deleted == [ids["Recipes"]]
        assert isinstance(app.screen, ConversationPicker)
        assert shown_ids(app) == [ids["travel"], ids[HOSTILE]]
        assert "Recipes" not in flat_text(app)
    assert app.results == []
    assert {s.id for s in store.list()} == {ids["travel"], ids[HOSTILE]}


async def test_picker_with_no_conversations(data_dir: Path) -> None:
    app = picker_app(ConversationStore(data_dir))
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert "No stored conversations yet" in flat_text(app)
        await pilot.press(DELETE_KEY, "enter", "escape")
        await pilot.pause()
    assert app.results == [None]


# help ---------------------------------------------------------------------------------------
async def test_help_lists_every_binding_with_the_keymap_applied() -> None:
    app = Host(lambda: HelpScreen({"new_conversation": "ctrl+t", "rename": "f6,f2"}))
    async with app.run_test(size=(100, 70)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        flat = " ".join(text.split())  # long help texts may wrap
        for spec in APP_KEYS:
            if not spec.id.startswith("jump_tab_"):
                assert spec.help and spec.help in flat, spec.help
        rows = text.splitlines()
        new = next(line for line in rows if "New conversation in a new tab" in line)
        assert "ctrl+t" in new and "ctrl+n" not in new
        assert any("f6, f2" in line and "Rename this conversation" in line for line in rows)
        assert "End this conversation (asks to confirm; permanent)" in flat
        groups = [str(g.render()) for g in app.screen.query(".help-group").results(Static)]
        assert groups[:4] == ["Tabs", "Conversation", "App", "Composer"]
        for shown in ("alt+1..9", "ctrl+pageup", "alt+left", "ctrl+j", "/end", DELETE_KEY,
                      "Composer"):
            assert shown in text, shown
        assert "inverted_exclamation_mark" not in text and "¡" not in text
        await pilot.press("q")
        await pilot.pause()
    assert app.results == [None]
    for key in ("escape", "f1"):
        app = Host(lambda: HelpScreen({}))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
        assert app.results == [None]


async def test_help_lists_remapped_jumps_one_by_one() -> None:
    app = Host(lambda: HelpScreen({"jump_tab_3": "ctrl+3"}))
    async with app.run_test(size=(100, 80)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "alt+1..9" not in text
        assert any("ctrl+3" in line and "Go to tab 3" in line for line in text.splitlines())


# rename -------------------------------------------------------------------------------------
async def rename(current: str, *keys: str) -> list[Any]:
    app = Host(lambda: RenameScreen(current))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
    return app.results


async def test_rename_returns_the_new_title_or_none() -> None:
    assert await rename("Old title", "enter") == ["Old title"]
    assert await rename("Old title", "ctrl+u", *"  New name ", "enter") == ["New name"]
    assert await rename("Old title", "ctrl+u", "enter") == [""]
    assert await rename("Old title", *"abc", "escape") == [None]


async def test_rename_shows_a_hostile_title_literally() -> None:
    app = Host(lambda: RenameScreen(HOSTILE))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert HOSTILE_SHOWN in screen_text(app)


# message chooser ----------------------------------------------------------------------------
def chat() -> Conversation:
    conversation = Conversation(id="0" * 20, model="claude-opus-4-5")
    conversation.messages = [
        user("first question"),
        Message(role="assistant", at="2026-11-20T10:00:03Z", content=[
            {"type": "text", "text": "Let me note that."},
            {"type": "tool_use", "id": "t1", "name": "issue_warning", "input": {}},
        ]),
        Message(role="user", content=[{"type": "tool_result", "tool_use_id": "t1",
                                       "content": "shown"}]),
        claude("[red]first answer[/red]"),
        user("second question"),
    ]
    return conversation


async def choose(purpose: str, *keys: str) -> tuple[list[Any], str]:
    app = Host(lambda: MessageChooser(chat(), purpose, now=lambda: FIXED_NOW))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        text = flat_text(app)
        await pilot.press(*keys)
        await pilot.pause()
    return app.results, text


async def test_branch_offers_only_typed_messages_and_starts_on_the_last() -> None:
    results, text = await choose("branch", "enter")
    assert results == [4]
    assert BRANCH_EXPLANATION in text
    assert "first question" in text and "second question" in text
    assert "first answer" not in text and "Let me note" not in text
    assert (await choose("branch", "up", "enter"))[0] == [0]
    assert (await choose("branch", "escape"))[0] == [None]


async def test_copy_offers_every_message_with_text() -> None:
    results, text = await choose("copy", "up", "enter")
    assert results == [3]
    assert "[red]first answer[/red]" in text  # shown literally
    assert "Claude" in text and "You" in text
    assert (await choose("copy", "up", "up", "enter"))[0] == [1]
    assert (await choose("copy", "up", "up", "up", "enter"))[0] == [0]


async def test_picker_opens_a_clicked_conversation(data_dir: Path) -> None:
    store, ids = fill_store(data_dir)
    app = picker_app(store)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.click("#picker-list", offset=(4, 0))
        await pilot.pause()
    assert app.results == [ids["travel"]]


async def test_picker_with_hundreds_of_conversations(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    for n in range(300):
        conversation = store.create("claude-opus-4-5", title=f"Conversation {n:03}")
        conversation.messages = [user(f"question number {n} about topic{n % 7}")]
        conversation.updated = f"2026-11-{1 + n // 24:02}T{n % 24:02}:00:00Z"
        # Written as files directly: the picker must cope with what it finds on disk.
        store.path_for(conversation.id).write_text(json.dumps(conversation.to_dict()))
    app = picker_app(store)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert len(shown_ids(app)) == 300
        assert "300 of 300" in flat_text(app)
        await pilot.press(*"topic3 number 10")
        await pilot.pause()
        # Every word must match somewhere: "10" in the number, "topic3" for n % 7 == 3.
        expected = [n for n in range(300) if "10" in str(n) and n % 7 == 3]
        assert "Conversation 010" in flat_text(app)
        assert len(shown_ids(app)) == len(expected)
        await pilot.press("enter")
        await pilot.pause()
    chosen = store.load(app.results[0])
    assert chosen.title == f"Conversation {max(expected):03}"  # newest first
