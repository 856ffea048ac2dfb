"""An open conversation whose file changes on disk while the app runs (another machine through
a sync tool, or a hand edit): the tab shows the newer version, and an end made elsewhere locks
it at once. File errors are reported as notices and never end the app."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from claude_tui.conversation import Message
from claude_tui.storage import quarantine as quarantine_module
from claude_tui.storage import store as store_module
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.tabs.locked import LockedNotice
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    until,
)


@pytest.fixture(autouse=True)
def quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("claude_tui.ui.disk_watch.CHECK_EVERY", 0.05)


def open_conversation(data_dir: Path, *texts: str) -> str:
    store = ConversationStore(data_dir)
    conversation = store.create("claude-opus-5-5", title="synced")
    for n, text in enumerate(texts):
        role = "user" if n % 2 == 0 else "assistant"
        store.append(conversation, Message(role=role, content=[{"type": "text", "text": text}]))
    store.session.save(TabState(open=[conversation.id], active=conversation.id))
    return conversation.id


def edit(data_dir: Path, conv_id: str, change) -> None:  # type: ignore[no-untyped-def]
    path = data_dir / "conversations" / f"{conv_id}.json"
    data = json.loads(path.read_text("utf-8"))
    change(data)
    # Replaced whole, as sync tools write: written in place, the app's look every 50 ms can
    # catch the file truncated and not yet written, and judge it damaged.
    part = path.with_name(f".{path.name}.edit")
    part.write_text(json.dumps(data), "utf-8")
    os.replace(part, path)


def said(text: str, role: str = "assistant") -> dict[str, object]:
    return Message(role=role, content=[{"type": "text", "text": text}]).to_dict()  # type: ignore[arg-type]


async def test_a_message_added_elsewhere_appears_in_the_open_tab(data_dir: Path) -> None:
    conv_id = open_conversation(data_dir, "question from here")
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "question from here" in screen_text(app))
        edit(data_dir, conv_id, lambda d: d["messages"].append(said("answered on the server")))
        await until(pilot, lambda: "answered on the server" in screen_text(app))
        assert "changed on disk" in " ".join(n.message for n in app._notifications)
        # The tab goes on from the newer version: what is typed now follows the server's reply.
        assert [m.text for m in active(app).conversation.messages] == [
            "question from here", "answered on the server"]


async def test_an_end_made_elsewhere_locks_the_open_tab(data_dir: Path) -> None:
    conv_id = open_conversation(data_dir, "hello", "hi")
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: active(app).composer is not None)

        def ended(data: dict) -> None:  # type: ignore[type-arg]
            data["status"] = "ended"
            data["ended"] = {"by": "user", "at": "2026-12-01T10:00:00Z",
                             "reason": "user_requested"}

        edit(data_dir, conv_id, ended)
        await until(pilot, lambda: active(app).query(LockedNotice))
        assert active(app).composer is None and not active(app).is_writable
        assert conversation_file(data_dir, conv_id)["status"] == "ended"


async def test_a_full_disk_gives_a_notice_and_the_app_goes_on(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = ClaudeTUI(demo_options())

    def full_disk(path: Path, data: object) -> None:
        raise OSError(28, "No space left on device")

    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: active(app).composer is not None)
        monkeypatch.setattr(store_module, "atomic_write", full_disk)
        monkeypatch.setattr("claude_tui.storage.session.atomic_write", full_disk)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: any("disk is full" in n.message
                                       for n in app._notifications))
        assert app.is_running and len(app.tabs.panes()) == 2


async def test_a_folder_in_place_of_an_open_tabs_file_does_not_stop_the_start(
        data_dir: Path) -> None:
    good = open_conversation(data_dir, "still here")
    broken = ConversationStore(data_dir).create("claude-opus-5-5")
    (data_dir / "conversations" / f"{broken.id}.json").mkdir()
    ConversationStore(data_dir).session.save(TabState(open=[broken.id, good], active=broken.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "still here" in screen_text(app))
        assert [p.conversation.id for p in app.tabs.panes()] == [good]
        assert any(p.path.name == f"{broken.id}.json" for p in app.store.problems)


async def test_renaming_onto_a_folder_is_a_notice_not_a_crash(data_dir: Path) -> None:
    conv_id = open_conversation(data_dir, "rename me")
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "rename me" in screen_text(app))
        path = data_dir / "conversations" / f"{conv_id}.json"
        path.unlink()
        path.mkdir()
        await pilot.press("f2")
        await until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.press(*"new name", "enter")
        await until(pilot, lambda: any("could not be saved" in n.message
                                       for n in app._notifications))
        assert app.is_running


async def test_a_file_written_in_place_by_an_editor_is_not_taken_for_damaged(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The store's second look comes a moment later; on a busy test machine the "editor" below
    # may take longer than a real one, so the moment is made longer here.
    monkeypatch.setattr(quarantine_module, "SETTLE_WAIT", 1.5)
    conv_id = open_conversation(data_dir, "hello", "hi")
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: active(app).composer is not None)
        path = data_dir / "conversations" / f"{conv_id}.json"
        data = json.loads(path.read_text("utf-8"))
        data["status"] = "ended"
        data["ended"] = {"by": "user", "at": "2026-12-01T10:00:00Z", "reason": "user_requested"}

        def editor() -> None:  # truncated, then written a moment later: as nano does
            with open(path, "w", encoding="utf-8") as handle:
                time.sleep(0.05)  # the disk watch (every 50 ms here) looks meanwhile
                handle.write(json.dumps(data))

        # Its own thread, as another program would be: not held up by the app's event loop.
        writing = threading.Thread(target=editor)
        writing.start()
        while writing.is_alive():
            await pilot.pause(0.01)
        # The store looks again after a moment (0.3 s) before it judges a fresh file: wait for
        # more than the usual number of pauses.
        await until(pilot, lambda: active(app).query(LockedNotice), tries=5000)
        assert not (data_dir / "conversations" / "damaged").exists()
        assert app.store.problems == []
        assert conversation_file(data_dir, conv_id)["status"] == "ended"
