"""Files attached to a message not sent yet are part of its draft: they come back as chips after
a restart and when a closed tab is opened again, read again from disk; one gone since is left off
with a notice naming it, the text kept."""

from __future__ import annotations

import json
from pathlib import Path

from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.confirm_discard import ConfirmDiscardScreen
from tests.test_attachments import png
from tests.test_ui_attachments import chips, type_line
from tests.test_ui_drafts import _open_from_picker
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    conversation_file,
    demo_options,
    main_screen_text,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    tabs_file,
    type_and_send,
    until,
)


async def attach(pilot, path: Path) -> None:
    app = pilot.app
    before = len(chips(app))
    await type_line(pilot, f"/attach {path}")
    await pilot.press("enter")
    await until(pilot, lambda: len(chips(app)) == before + 1)


def notices(app: ClaudeTUI, words: str) -> list[str]:
    return [n.message for n in app._notifications if words in n.message]


async def test_attached_files_come_back_after_a_restart_and_go_as_they_are_now(
        data_dir, files) -> None:
    notes = files / "notes.md"
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await attach(pilot, notes)
        await type_line(pilot, "what do my notes say?")
        conversation_id = active(app).conversation.id
        # Kept as soon as attached, not only at quit: the path, never the bytes.
        await until(pilot, lambda: tabs_file(data_dir).get("draft_files")
                    == {conversation_id: [str(notes)]})
        await pilot.press("ctrl+q")
    assert tabs_file(data_dir)["drafts"] == {conversation_id: "what do my notes say?"}
    assert "buy milk" not in (data_dir / "tabs.json").read_text("utf-8")
    notes.write_text("# Notes\n\nbuy milk and bread\n", "utf-8")  # changed since: 28 bytes

    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: chips(again) == ["notes.md"])
        assert "📎 notes.md · text file · 28 B" in screen_text(again)
        composer = active(again).composer
        assert composer is not None and composer.text == "what do my notes say?"
        assert notices(again, "comes back without") == []
        await pilot.press("enter")
        await settle(pilot)
        said = active(again).conversation.messages[-1].text  # the demo names what it got
        assert "**notes.md**: text file, 28 B (as a text document block)" in said
        assert chips(again) == []
        await until(pilot, lambda: "draft_files" not in tabs_file(data_dir))  # sent: gone
    sent = conversation_file(data_dir, conversation_id)["messages"][0]["content"]
    document = next(block for block in sent if block["type"] == "document")
    assert document["source"]["data"] == "# Notes\n\nbuy milk and bread\n"


async def test_a_closed_tabs_files_come_back_when_it_is_opened_again(data_dir, files) -> None:
    chart = files / "chart.png"
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "tell me about otters")
        await settle(pilot)
        otters = active(app).conversation.id
        await attach(pilot, chart)  # files alone, no text
        await pilot.press("ctrl+w")
        await until(pilot, lambda: otters not in app.tabs)
        saved = tabs_file(data_dir)
        assert saved["closed_draft_files"] == {otters: [str(chart)]}
        assert "closed_drafts" not in saved  # no text: the text drafts are as they were
        await _open_from_picker(pilot, "otters")
        await until(pilot, lambda: app.tabs.active_id == otters)
        await until(pilot, lambda: chips(app) == ["chart.png"])
        await until(pilot, lambda: "closed_draft_files" not in tabs_file(data_dir))
        assert tabs_file(data_dir)["draft_files"] == {otters: [str(chart)]}
        await pilot.press(*"and this?", "ctrl+w")  # closed again, then the app quits
        await until(pilot, lambda: otters not in app.tabs)
        await pilot.press("ctrl+q")

    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await _open_from_picker(pilot, "otters")
        await until(pilot, lambda: again.tabs.active_id == otters)
        await until(pilot, lambda: chips(again) == ["chart.png"])
        assert active(again).composer.text == "and this?"
        await pilot.press("enter")
        await settle(pilot)
        said = active(again).conversation.messages[-1].text
        assert f"**chart.png**: PNG image, {len(png())} B" in said


async def test_a_file_gone_at_restore_is_left_off_with_one_notice(data_dir, files) -> None:
    notes, chart = files / "notes.md", files / "chart.png"
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await attach(pilot, notes)
        await attach(pilot, chart)
        await type_line(pilot, "compare these")
        conversation_id = active(app).conversation.id
        await pilot.press("ctrl+q")
    assert tabs_file(data_dir)["draft_files"] == {conversation_id: [str(notes), str(chart)]}
    notes.unlink()

    again = ClaudeTUI(demo_options())
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: chips(again) == ["chart.png"])
        assert active(again).composer.text == "compare these"  # the text is kept
        told = notices(again, "comes back without")
        assert len(told) == 1
        assert f"{notes} is no longer there" in told[0]
        assert "its text is kept" in told[0]
        # Saved without it: the next start says nothing more.
        await until(pilot, lambda: tabs_file(data_dir)["draft_files"]
                    == {conversation_id: [str(chart)]})


async def test_an_old_tabs_file_without_files_still_restores_its_draft(data_dir,
                                                                      files) -> None:
    store = ConversationStore(data_dir)
    conversation = store.create("claude-tui-demo", title="Old one")
    store.save(conversation)
    (data_dir / "tabs.json").write_text(json.dumps(
        {"open": [conversation.id], "active": conversation.id,
         "drafts": {conversation.id: "typed with an older version"}}), "utf-8")
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.tabs.active_id == conversation.id)
        assert active(app).composer.text == "typed with an older version"
        assert chips(app) == []
        await type_line(pilot, "\n")  # /attach goes on a line of its own
        await attach(pilot, files / "notes.md")
        await pilot.press("ctrl+q")
    written = tabs_file(data_dir)
    # What an older version reads is there as it wrote it; the files are beside it.
    assert written["drafts"] == {conversation.id: "typed with an older version"}
    assert written["draft_files"] == {conversation.id: [str(files / "notes.md")]}


async def test_closing_a_new_tab_with_only_files_attached_asks_first(data_dir, files) -> None:
    # A never-used conversation is deleted when its tab closes: its files would go unasked.
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await attach(pilot, files / "notes.md")
        new = active(app).conversation.id
        await pilot.press("ctrl+w")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDiscardScreen))
        asked = screen_text(app)
        assert "📎 notes.md · text file · 18 B" in asked
        assert "nothing in it but the files you have not sent" in app.screen.body()[0]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDiscardScreen))
        assert app.tabs.active_id == new and chips(app) == ["notes.md"]
        assert "📎 notes.md" in main_screen_text(app)
