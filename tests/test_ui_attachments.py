"""Attaching files in the app, as a user does: ``/attach PATH`` with tab completion, the ctrl+l
prompt, a pasted path; the chips, the API's limits, the transcript line after a restart."""

from __future__ import annotations

import base64

from textual import events
from textual.widgets import Input

from claude_tui import attachments
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.attach_file import AttachFileScreen
from claude_tui.ui.dialogs.attach_pasted import AttachPastedScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from tests.fake_api import FakeAPI, reply, text
from tests.test_attachments import png
from tests.test_ui_edits import edit_in_dialog
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    until,
)


def chips(app: ClaudeTUI) -> list[str]:
    return [a.name for a in active(app).attachment_row.attached]


def told(app: ClaudeTUI, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


async def type_line(pilot, line: str) -> None:
    composer = active(pilot.app).composer
    assert composer is not None
    composer.focus()
    composer.insert(line)


async def test_attach_by_command_with_completion_then_send_over_the_sdk(
        fake_api: FakeAPI, monkeypatch, data_dir, files) -> None:
    fake_api.add(reply(text("A chart and some notes.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await type_line(pilot, f"/attach {files}/ch")
        await pilot.press("tab")  # completes the one match
        composer = active(app).composer
        assert composer.text == f"/attach {files}/chart.png"
        await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["chart.png"])
        assert composer.text == ""  # the command line went; nothing was sent
        assert fake_api.requests == []
        await type_line(pilot, "Look at these\n")
        await type_line(pilot, f"/attach {files}/notes.md")
        await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["chart.png", "notes.md"])
        assert composer.text == "Look at these"  # the text typed before stays
        assert "📎 chart.png · PNG image" in screen_text(app)  # the chip row
        await pilot.press("enter")
        await settle(pilot)
        sent = fake_api.requests[0]["messages"][0]["content"]
        assert [b["type"] for b in sent] == ["text", "image", "document", "text"]
        assert sent[1]["source"]["data"] == base64.b64encode(png()).decode()
        assert sent[2]["title"] == "notes.md" and sent[3]["text"] == "Look at these"
        assert chips(app) == []
        shown = screen_text(app)
        assert f"📎 chart.png · PNG image · {len(png())} B" in shown
        assert "📎 notes.md · text file · 18 B" in shown
        assert "iVBOR" not in shown  # never the base64
        conversation_id = active(app).conversation.id
    (files / "chart.png").unlink()  # the original goes: the file has the copy
    again = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "📎 chart.png · PNG image" in screen_text(again))
        assert active(again).conversation.id == conversation_id
    stored = conversation_file(data_dir, conversation_id)["messages"][0]
    assert [a["name"] for a in stored["attachments"]] == ["chart.png", "notes.md"]


async def test_a_mistyped_attach_keeps_the_command_and_says_why(data_dir, files) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_line(pilot, f"/attach {files}/nothing.png")
        await pilot.press("enter")
        await until(pilot, lambda: told(app, "No such file"))
        assert active(app).composer.text == f"/attach {files}/nothing.png"
        assert chips(app) == []


async def test_the_same_file_twice_is_attached_once(data_dir, files) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            await type_line(pilot, f"/attach {files}/notes.md")
            await pilot.press("enter")
        await until(pilot, lambda: told(app, "notes.md is already attached"))
        assert chips(app) == ["notes.md"]
        assert active(app).composer.text == ""  # no command put back to correct
        (files / "notes.md").write_text("# Notes\n\nbuy bread\n", "utf-8")  # changed since
        await type_line(pilot, f"/attach {files}/notes.md")
        await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["notes.md", "notes.md"])


async def test_attach_by_the_keys_dialog_with_completion(data_dir, files) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, AttachFileScreen))
        field = app.screen.query_one(Input)
        field.value = f"{files}/no"
        await pilot.press("tab")
        assert field.value == f"{files}/notes.md"
        await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["notes.md"])
        assert not isinstance(app.screen, AttachFileScreen)
        assert active(app).composer.has_focus
        await pilot.press("enter")  # files alone: sent to the demo, which names them
        await settle(pilot)
        shown = screen_text(app)
        assert "You attached a file" in shown
        assert "notes.md: text file, 18 B (as a text document block)" in shown


async def test_a_pasted_path_is_offered_as_an_attachment(data_dir, files) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        composer = active(app).composer
        composer.focus()
        composer.post_message(events.Paste(f"{files}/chart.png"))
        await until(pilot, lambda: isinstance(app.screen, AttachPastedScreen))
        await pilot.press("y")
        await until(pilot, lambda: chips(app) == ["chart.png"])
        assert composer.text == ""
        composer.post_message(events.Paste(f"'{files}/notes.md'"))
        await until(pilot, lambda: isinstance(app.screen, AttachPastedScreen))
        await pilot.press("n")  # paste it as text after all
        await until(pilot, lambda: composer.text == f"'{files}/notes.md'")
        assert chips(app) == ["chart.png"]
        composer.post_message(events.Paste("just some words"))
        await until(pilot, lambda: "just some words" in composer.text)
        assert not isinstance(app.screen, AttachPastedScreen)


async def test_chips_are_removed_from_the_keyboard(data_dir, files) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        for name in ("chart.png", "notes.md"):
            await type_line(pilot, f"/attach {files}/{name}")
            await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["chart.png", "notes.md"])
        await pilot.press("shift+tab")
        row = active(app).attachment_row
        assert row.has_focus
        await pilot.press("right", "delete")
        assert chips(app) == ["chart.png"]
        await pilot.press("backspace")  # the last one: back to the composer
        assert chips(app) == [] and active(app).composer.has_focus
        assert not row.display


async def test_limits_refuse_the_send_and_keep_the_text_and_files(data_dir, files,
                                                                 monkeypatch) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_line(pilot, f"/attach {files}/chart.png")
        await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["chart.png"])
        monkeypatch.setattr(attachments, "MAX_IMAGES", 1)
        await type_line(pilot, f"/attach {files}/chart.png")
        await pilot.press("enter")  # a second image: refused when attached
        await until(pilot, lambda: told(app, "Too many images"))
        assert chips(app) == ["chart.png"]
        monkeypatch.setattr(attachments, "MAX_IMAGES", 0)  # and when sent
        composer = active(app).composer
        composer.clear()
        await type_line(pilot, "what is this?")
        await pilot.press("enter")
        await until(pilot, lambda: told(app, "Your text and files are kept"))
        assert composer.text == "what is this?" and chips(app) == ["chart.png"]
        assert active(app).conversation.messages == []


async def test_a_branch_from_a_message_takes_its_files_along(data_dir, files) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_line(pilot, f"/attach {files}/chart.png")
        await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["chart.png"])
        await type_line(pilot, "describe it")
        await pilot.press("enter")
        await settle(pilot)
        source = active(app).conversation.id
        (files / "chart.png").unlink()  # the file's copy is what goes
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, MessageChooser))
        await pilot.press("enter")
        await until(pilot, lambda: app.tabs.active_id not in (None, source))
        assert active(app).composer.text == "describe it"
        await until(pilot, lambda: chips(app) == ["chart.png"])
        await pilot.press("enter")
        await settle(pilot)
        said = active(app).conversation.messages[-1].text  # the demo got the image again
        assert f"**chart.png**: PNG image, {len(png())} B" in said


async def test_edit_and_resend_keeps_the_files(data_dir, files) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_line(pilot, f"/attach {files}/notes.md")
        await pilot.press("enter")
        await until(pilot, lambda: chips(app) == ["notes.md"])
        await type_line(pilot, "read this")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f6")
        await edit_in_dialog(pilot, "")  # the text goes; the file stays
        await settle(pilot)
        latest = [m for m in active(app).conversation.messages if m.role == "user"][-1]
        assert latest.text == "" and latest.extra["attachments"][0]["name"] == "notes.md"
        assert "**notes.md**: text file" in active(app).conversation.messages[-1].text
