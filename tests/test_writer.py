"""The one writer: order, coalescing, errors, and saves that never hold up the event loop."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest

from claude_tui.conversation import Conversation, Message, new_conversation_id
from claude_tui.storage import store as store_module
from claude_tui.storage.file_format import MessageEncoder, encode
from claude_tui.storage.store import ConversationStore
from claude_tui.storage.writer import Writer

WAIT = 30  # seconds: a bound for a failing test, never a pace for a passing one


def user(text: str) -> Message:
    return Message(role="user", content=[{"type": "text", "text": text}])


def blocked(writer: Writer) -> threading.Event:
    """Hold the writer thread in a job until the returned event is set."""
    release, running = threading.Event(), threading.Event()

    def hold() -> None:
        running.set()
        release.wait(WAIT)

    writer.submit("hold", hold)
    assert running.wait(WAIT)
    return release


def test_jobs_run_in_the_order_they_were_asked_for() -> None:
    writer = Writer()
    done: list[int] = []
    futures = [writer.submit(f"file-{n}", lambda n=n: done.append(n)) for n in range(20)]
    for future in futures:
        future.result(WAIT)
    assert done == list(range(20))


def test_a_burst_of_saves_of_one_file_costs_one_write_and_everyone_learns_the_outcome() -> None:
    writer = Writer()
    release = blocked(writer)
    ran: list[int] = []
    futures = [writer.submit("same file", lambda n=n: ran.append(n) or n) for n in range(5)]
    other = writer.submit("other file", lambda: ran.append(99))
    release.set()
    assert [f.result(WAIT) for f in futures] == [4] * 5
    other.result(WAIT)
    assert ran == [4, 99]  # only the newest of the burst was written, in its first place


def test_a_failed_write_reaches_every_caller_waiting_for_it() -> None:
    writer = Writer()
    release = blocked(writer)

    def broken() -> None:
        raise OSError(28, "No space left on device")

    first = writer.submit("file", lambda: None)
    second = writer.submit("file", broken)
    release.set()
    for future in (first, second):
        with pytest.raises(OSError, match="No space"):
            future.result(WAIT)
    assert writer.submit("file", lambda: "fine").result(WAIT) == "fine"  # the thread lives on


async def test_saving_does_not_hold_up_the_event_loop(data_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store = ConversationStore(data_dir)
    conversation = store.create("claude-opus-5-5")
    disk_busy, writing = threading.Event(), threading.Event()
    real_write = store_module.atomic_write

    def slow_disk(path: Path, data: object) -> None:
        writing.set()
        assert disk_busy.wait(WAIT)
        real_write(path, data)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module, "atomic_write", slow_disk)
    save = asyncio.ensure_future(store.aappend(conversation, user("hello")))
    ticks = 0
    while not writing.is_set():
        await asyncio.sleep(0.001)
    while ticks < 50:  # the loop runs on while the disk is busy
        await asyncio.sleep(0)
        ticks += 1
    assert not save.done()
    disk_busy.set()
    await asyncio.wait_for(save, WAIT)
    assert ConversationStore(data_dir).load(conversation.id).messages[0].text == "hello"


async def test_a_message_whose_save_failed_is_not_left_in_the_conversation(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ConversationStore(data_dir)
    conversation = store.create("claude-opus-5-5")
    await store.aappend(conversation, user("kept"))

    def full_disk(path: Path, data: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "atomic_write", full_disk)
    with pytest.raises(store_module.StoreError, match="the disk is full"):
        await store.aappend(conversation, user("lost to a full disk"))
    assert [m.text for m in conversation.messages] == ["kept"]


def test_a_file_holds_one_message_a_line_and_reads_back_the_same(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = store.create("claude-opus-5-5", title="lines")
    for n in range(3):
        store.append(conversation, user(f"message {n}\nwith a second line"))
    raw = store.path_for(conversation.id).read_text("utf-8")
    message_lines = [line for line in raw.splitlines() if line.lstrip().startswith('{"role"')]
    assert len(message_lines) == 3
    assert json.loads(raw) == conversation.to_dict()
    assert ConversationStore(data_dir).load(conversation.id) == conversation


def test_a_file_in_the_earlier_pretty_printed_form_still_reads(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = Conversation(id=new_conversation_id(), model="m", title="old form",
                                messages=[user("from before")])
    path = store.path_for(conversation.id)
    path.write_text(json.dumps(conversation.to_dict(), indent=1), "utf-8")
    assert store.load(conversation.id) == conversation
    store.append(conversation, user("and after"))
    assert [m.text for m in ConversationStore(data_dir).load(conversation.id).messages] == [
        "from before", "and after"]


def test_a_save_encodes_only_the_messages_that_changed() -> None:
    conversation = Conversation(id=new_conversation_id(), model="m",
                                messages=[user(f"m{n}") for n in range(100)])
    encoder = MessageEncoder()
    _, changed = encoder.encode(conversation.messages)
    assert changed == list(range(100))
    conversation.messages.append(user("one more"))
    conversation.messages[10].excluded = True
    encoded, changed = encoder.encode(conversation.messages)
    assert changed == [10, 100]
    assert b"".join(encoded) in encode(conversation).replace(b",\n  ", b"")
