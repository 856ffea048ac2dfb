"""The conversation store: files, the ended guard, damaged files, the index, open tabs."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from claude_tui.conversation import (
    SCHEMA_VERSION,
    Conversation,
    EndRecord,
    Message,
    new_conversation_id,
)
from claude_tui.storage import atomic as atomic_module
from claude_tui.storage.atomic import atomic_write
from claude_tui.storage.refresh import IndexRefresh
from claude_tui.storage.session import TabState
from claude_tui.storage.store import (
    ConversationEndedError,
    ConversationReadOnlyError,
    ConversationStore,
    DamagedConversationError,
    NewerSchemaError,
    StoreError,
    UnknownConversationError,
)
from tests.test_conversation import full_conversation


def user(text: str) -> Message:
    return Message(role="user", content=[{"type": "text", "text": text}])


def saved(store: ConversationStore, *texts: str, title: str = "") -> Conversation:
    conversation = store.create("claude-opus-5-5", title=title)
    conversation.messages = [user(t) for t in texts]
    store.save(conversation)
    return conversation


def ended(store: ConversationStore) -> Conversation:
    conversation = saved(store, "first", "second")
    conversation.status = "ended"
    conversation.ended = EndRecord(by="user", at="2026-11-01T10:00:00Z", reason="user_requested")
    store.save(conversation)
    return conversation


def kept_aside(store: ConversationStore) -> list[bytes]:
    """The bytes of every file in ``damaged/``, as the user would find them."""
    folder = store.folder / "damaged"
    return sorted(p.read_bytes() for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def store(data_dir: Path) -> ConversationStore:
    return ConversationStore(data_dir)


# files and round trips ---------------------------------------------------------------------
def test_a_saved_conversation_loads_back_equal_with_unknown_keys_kept(
    store: ConversationStore,
) -> None:
    original = full_conversation()
    original.extra["pinned"] = True
    original.messages[0].extra["reaction"] = "👍"
    store.save(original)
    path = store.folder / f"{original.id}.json"
    assert path.exists()
    on_disk = json.loads(path.read_bytes().decode("utf-8"))
    assert on_disk["schema"] == SCHEMA_VERSION and on_disk["pinned"] is True
    again = ConversationStore(store.data_dir).load(original.id)
    assert again == original
    assert again.messages[0].extra == {"reaction": "👍"}


def test_files_are_private(store: ConversationStore) -> None:
    conversation = saved(store, "secret")
    store.session.save(TabState(open=[conversation.id], active=conversation.id))
    for folder in (store.data_dir, store.folder):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    store.list()
    for path in (store.path_for(conversation.id), store.session.path, store.index.path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_text_with_a_lone_surrogate_still_saves_as_utf8(store: ConversationStore) -> None:
    conversation = saved(store, "broken \ud83d half")
    raw = store.path_for(conversation.id).read_bytes()
    raw.decode("utf-8")  # still valid UTF-8 on disk
    assert ConversationStore(store.data_dir).load(conversation.id).messages[0].text == (
        "broken \ud83d half"
    )


def test_unknown_id_is_reported(store: ConversationStore) -> None:
    with pytest.raises(UnknownConversationError):
        store.load(new_conversation_id())


# ids and paths -----------------------------------------------------------------------------
HOSTILE_IDS = [
    "../outside",
    "../../../../tmp/x",
    "/etc/passwd",
    "a/b",
    "a\\b",
    "0123456789abcdefghj\0",
    "0123456789abcdefghjk/",
    "0123456789abcdefghj",  # too short
    "0123456789abcdefghjkm",  # too long
    "0123456789ABCDEFGHJK",  # wrong case
    "0123456789abcdefghiu",  # letters outside the alphabet
    "",
]


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_ids_that_could_escape_the_folder_are_refused_everywhere(
    store: ConversationStore, bad: str
) -> None:
    before = sorted(p for p in store.data_dir.parent.rglob("*"))
    with pytest.raises(StoreError):
        store.path_for(bad)
    with pytest.raises(StoreError):
        store.load(bad)
    with pytest.raises(StoreError):
        store.delete(bad)
    with pytest.raises(StoreError):
        store.save(Conversation(id=bad, model="m"))
    assert sorted(p for p in store.data_dir.parent.rglob("*")) == before


@pytest.mark.parametrize("bad", ["../../evil", "/tmp/evil", "x/../../evil", 7])
def test_a_file_whose_id_field_is_hostile_is_set_aside(store: ConversationStore,
                                                       bad: object) -> None:
    good = saved(store, "kept")
    conv_id = new_conversation_id()
    path = store.folder / f"{conv_id}.json"
    data = good.to_dict() | {"id": bad}
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    with pytest.raises(DamagedConversationError):
        store.load(conv_id)
    assert not path.exists()
    assert kept_aside(store) == [raw]
    store.refresh()
    assert [s.id for s in store.list()] == [good.id]
    assert not (store.data_dir.parent / "evil").exists()


def test_a_file_naming_another_valid_id_is_set_aside(store: ConversationStore) -> None:
    other = saved(store, "the real one")
    path = store.folder / f"{new_conversation_id()}.json"
    raw = store.path_for(other.id).read_bytes()
    path.write_bytes(raw)
    found = store.refresh()
    assert [s.id for s in store.list()] == [other.id]
    assert found == store.problems
    [problem] = store.problems
    assert problem.path == path and "another id" in problem.reason
    assert problem.kept_as is not None and problem.kept_as.read_bytes() == raw
    assert kept_aside(store) == [raw] and not path.exists()


# newer schema ------------------------------------------------------------------------------
def newer_file(store: ConversationStore, **changes: object) -> tuple[str, Path, bytes]:
    data = full_conversation().to_dict() | {"schema": SCHEMA_VERSION + 1, "status": "active",
                                            "ended": None} | changes
    raw = json.dumps(data, indent=2).encode()
    path = store.folder / f"{data['id']}.json"
    path.write_bytes(raw)
    return data["id"], path, raw


def test_a_newer_schema_opens_read_only_and_is_never_overwritten(
    store: ConversationStore,
) -> None:
    conv_id, path, raw = newer_file(store)
    conversation = store.load(conv_id)
    assert conversation.read_only_reason
    with pytest.raises(ConversationReadOnlyError):
        store.save(conversation)
    with pytest.raises(ConversationReadOnlyError):
        store.append(conversation, user("more"))
    # Even an object that forgot where it came from cannot overwrite it, in a fresh store.
    impostor = Conversation(id=conv_id, model="claude-opus-5-5")
    with pytest.raises(ConversationReadOnlyError):
        ConversationStore(store.data_dir).save(impostor)
    assert path.read_bytes() == raw
    store.refresh()
    [summary] = store.list()
    assert summary.id == conv_id and summary.read_only
    assert path.read_bytes() == raw


def test_a_newer_schema_this_version_cannot_read_is_left_in_place(
    store: ConversationStore,
) -> None:
    good = saved(store, "fine")
    conv_id, path, raw = newer_file(store, messages={"format": "from the future"})
    with pytest.raises(NewerSchemaError):
        store.load(conv_id)
    store.refresh()
    assert [s.id for s in store.list()] == [good.id]
    assert path.read_bytes() == raw
    assert kept_aside(store) == []
    assert [(p.path, p.kept_as) for p in store.problems] == [(path, None)]
    with pytest.raises(ConversationReadOnlyError):
        store.save(Conversation(id=conv_id, model="m"))
    assert path.read_bytes() == raw


# the ended guard ---------------------------------------------------------------------------
def test_appending_to_an_ended_conversation_raises(store: ConversationStore) -> None:
    conversation = ended(store)
    before = store.path_for(conversation.id).read_bytes()
    with pytest.raises(ConversationEndedError):
        store.append(conversation, user("one more"))
    assert len(conversation.messages) == 2
    assert store.path_for(conversation.id).read_bytes() == before


def test_saving_an_ended_conversation_with_changed_messages_raises(
    store: ConversationStore,
) -> None:
    conversation = ended(store)
    before = store.path_for(conversation.id).read_bytes()
    conversation.messages.append(user("sneaked in"))
    with pytest.raises(ConversationEndedError):
        store.save(conversation)
    conversation.messages.pop()
    conversation.messages[0] = user("rewritten")
    with pytest.raises(ConversationEndedError):
        store.save(conversation)
    fresh = ConversationStore(store.data_dir)
    conversation = fresh.load(conversation.id)
    conversation.messages[1].content[0]["text"] = "edited in place"
    with pytest.raises(ConversationEndedError):
        fresh.save(conversation)
    assert store.path_for(conversation.id).read_bytes() == before


def test_an_ended_conversation_cannot_be_reopened(store: ConversationStore) -> None:
    conversation = ended(store)
    conversation.status = "active"
    conversation.ended = None
    with pytest.raises(ConversationEndedError):
        store.save(conversation)
    assert ConversationStore(store.data_dir).load(conversation.id).is_ended


def test_a_fresh_store_refuses_too(store: ConversationStore) -> None:
    conversation = ended(store)
    path = store.path_for(conversation.id)
    before = path.read_bytes()
    fresh = ConversationStore(store.data_dir)
    loaded = fresh.load(conversation.id)
    with pytest.raises(ConversationEndedError):
        fresh.append(loaded, user("again"))
    loaded.status = "active"
    with pytest.raises(ConversationEndedError):
        fresh.save(loaded)
    # A store that never loaded it still checks the file before writing over it.
    stranger = ConversationStore(store.data_dir)
    with pytest.raises(ConversationEndedError):
        stranger.append(Conversation(id=conversation.id, model="m"), user("hi"))
    assert path.read_bytes() == before


def test_an_ended_conversation_can_be_renamed_and_deleted(store: ConversationStore) -> None:
    conversation = ended(store)
    conversation.title = "A new name"
    store.save(conversation)
    assert ConversationStore(store.data_dir).load(conversation.id).title == "A new name"
    store.delete(conversation.id)
    assert store.list() == []


# damaged files -----------------------------------------------------------------------------
DAMAGED = {
    "not JSON": (b'{"schema": 1, "id": ', "not valid JSON"),
    "not UTF-8": (b'{"title": "\xff\xfe caf\xe9"}', "not UTF-8"),
    "wrong shape": (b"[1, 2, 3]", "object"),
    "wrong field": (b'{"schema": 1, "id": "ID", "model": 5}', "model"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "JSON"),
}


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_file_is_moved_aside_intact_while_the_rest_load(
    store: ConversationStore, kind: str
) -> None:
    good = [saved(store, f"conversation {i}") for i in range(3)]
    store.refresh()  # an index that knows the good ones
    conv_id = new_conversation_id()
    raw, words = DAMAGED[kind]
    raw = raw.replace(b"ID", conv_id.encode())
    path = store.folder / f"{conv_id}.json"
    path.write_bytes(raw)

    fresh = ConversationStore(store.data_dir)
    [problem] = fresh.refresh()
    assert sorted(s.id for s in fresh.list()) == sorted(c.id for c in good)
    for conversation in good:
        assert fresh.load(conversation.id) == conversation
    assert not path.exists()
    assert problem.path == path
    assert words in problem.reason
    assert problem.kept_as is not None and problem.kept_as.parent == store.folder / "damaged"
    assert kept_aside(store) == [raw]
    # Reported once: the next refresh does not meet it again.
    assert fresh.refresh() == []
    assert fresh.problems == [problem]


def test_listing_and_searching_move_no_file_the_refresh_does(store: ConversationStore) -> None:
    good = saved(store, "a good one")
    path = store.folder / f"{new_conversation_id()}.json"
    path.write_bytes(b'{"schema": 1, "id": ')
    stale = store.folder / f".{good.id}.json.abc123.tmp"
    stale.write_bytes(b'{"half": ')
    old = os.stat(stale).st_mtime - IndexRefresh.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    fresh = ConversationStore(store.data_dir)
    assert [s.id for s in fresh.list()] == [good.id]
    assert [h.summary.id for h in fresh.search("good")] == [good.id]
    assert path.exists() and stale.exists() and kept_aside(store) == []
    assert fresh.problems == []
    # The refresh is the step that moves it, and says so.
    [problem] = fresh.refresh()
    assert problem.path == path and problem.kept_as is not None
    assert not path.exists() and not stale.exists()
    assert kept_aside(store) == [b'{"schema": 1, "id": ']


def test_the_refresh_pauses_for_the_event_loop_as_it_goes_through_the_files(
        store: ConversationStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each file costs system calls that let go of the interpreter and take it back at once:
    # without real pauses the event loop's thread waited out whole stretches of the listing.
    count = 200
    for number in range(count):
        saved(store, f"conversation {number}")
    pauses: list[str] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        pauses.append(threading.current_thread().name)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    # Every file then counts as a turn's worth of work, however fast this machine reads.
    monkeypatch.setattr(sys, "getswitchinterval", lambda: 0.0)
    fresh = ConversationStore(store.data_dir, cache_dir=tmp_path / "a-new-cache")
    assert fresh.refresh() == []
    assert len(fresh.list()) == count
    # A pause per file listed, and another per file read into the index.
    assert pauses.count(fresh.writer.name) >= 2 * count


def test_loading_a_damaged_file_directly_raises_with_the_report(
    store: ConversationStore,
) -> None:
    conv_id = new_conversation_id()
    path = store.folder / f"{conv_id}.json"
    path.write_bytes(b"\x00garbage")
    with pytest.raises(DamagedConversationError) as caught:
        store.load(conv_id)
    assert caught.value.damaged is not None
    assert caught.value.damaged.kept_as is not None
    assert caught.value.damaged.kept_as.read_bytes() == b"\x00garbage"
    assert str(path) in str(caught.value)
    # Another damaged file under the same name later is kept beside the first, not over it.
    path.write_bytes(b"second")
    with pytest.raises(DamagedConversationError):
        store.load(conv_id)
    kept = sorted(p.read_bytes() for p in (store.folder / "damaged").iterdir())
    assert kept == [b"\x00garbage", b"second"]


# listing and its index ---------------------------------------------------------------------
@pytest.fixture
def parse_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the id of every conversation parsed from JSON."""
    calls: list[str] = []
    original = Conversation.from_dict.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Conversation], data: object) -> Conversation:
        conversation = original(cls, data)
        calls.append(conversation.id)
        return conversation

    monkeypatch.setattr(Conversation, "from_dict", classmethod(counting))
    return calls


def test_list_reads_the_index_not_the_files(
    store: ConversationStore, parse_counter: list[str]
) -> None:
    conversations = [saved(store, f"question {i}", title=f"Title {i}") for i in range(5)]
    fresh = ConversationStore(store.data_dir)
    fresh.refresh()
    first = fresh.list()
    assert {s.id for s in first} == {c.id for c in conversations}
    parse_counter.clear()
    again = ConversationStore(store.data_dir)
    again.refresh()
    assert again.list() == first
    assert parse_counter == []

    # A file changed behind the index's back is read again, and only that one.
    changed = conversations[2]
    changed.title = "Renamed elsewhere"
    store.path_for(changed.id).write_bytes(json.dumps(changed.to_dict()).encode())
    after_edit = ConversationStore(store.data_dir)
    after_edit.refresh()
    summaries = {s.id: s for s in after_edit.list()}
    assert parse_counter == [changed.id]
    assert summaries[changed.id].title == "Renamed elsewhere"
    assert summaries[conversations[0].id].title == "Title 0"


def test_list_summaries_hold_what_a_picker_needs(store: ConversationStore) -> None:
    older = saved(store, "first question\nsecond line", "a follow up")
    older.updated = "2026-01-01T00:00:00Z"
    store.save(older)
    newer = ended(store)
    summaries = store.list()
    assert [s.id for s in summaries] == [newer.id, older.id]
    summary = summaries[1]
    assert summary.title == "first question"
    assert summary.status == "active" and summaries[0].status == "ended"
    assert summary.model == "claude-opus-5-5"
    assert summary.message_count == 2
    # The picker finds a conversation by any of its messages' words.
    [hit] = store.search("follow up")
    assert hit.summary == summary and hit.message_index == 1
    assert summary.updated == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        b"",
        b"not json at all",
        b"\xff\xfe",
        b"[]",
        b'{"version": 2, "conversations": []}',
        b'{"version": 2, "conversations": {"ID": "text"}}',
        b'{"version": 2, "conversations": {"ID": {"summary": {"id": 1}}}}',
        b'{"version": 2, "conversations": {"ID": {"mtime_ns": 1, "size": 1, "summary": null}}}',
        b'{"version": 999, "conversations": {}}',
    ],
)
def test_a_missing_or_garbage_index_is_rebuilt(
    store: ConversationStore, garbage: bytes | None, parse_counter: list[str]
) -> None:
    conversations = [saved(store, f"message {i}") for i in range(3)]
    store.index.close()
    index = store.index.path
    for suffix in ("-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    if garbage is None:
        index.unlink()
    else:
        index.write_bytes(garbage.replace(b"ID", conversations[0].id.encode()))
    parse_counter.clear()
    rebuilt = ConversationStore(store.data_dir)
    rebuilt.refresh()
    summaries = rebuilt.list()
    assert sorted(s.id for s in summaries) == sorted(c.id for c in conversations)
    assert sorted(parse_counter) == sorted(c.id for c in conversations)
    # The rebuilt index is good: the next refresh parses nothing.
    parse_counter.clear()
    again = ConversationStore(store.data_dir)
    again.refresh()
    assert again.list() == summaries
    assert parse_counter == []


def test_a_deleted_file_leaves_the_list_and_the_tabs(store: ConversationStore) -> None:
    a, b = saved(store, "a"), saved(store, "b")
    store.session.save(TabState(open=[a.id, b.id], active=a.id))
    store.list()
    store.delete(a.id)
    assert [s.id for s in store.list()] == [b.id]
    assert store.session.load() == TabState(open=[b.id], active=b.id)
    # Removed from outside the app: gone from the list too, once refreshed.
    store.path_for(b.id).unlink()
    store.refresh()
    assert store.list() == []


def test_temp_files_are_not_conversations_and_stale_ones_are_swept(
    store: ConversationStore,
) -> None:
    conversation = saved(store, "real")
    stale = store.folder / f".{conversation.id}.json.abc123.tmp"
    fresh_tmp = store.folder / f".{conversation.id}.json.def456.tmp"
    for path in (stale, fresh_tmp):
        path.write_bytes(b'{"half": ')
    old = os.stat(stale).st_mtime - IndexRefresh.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    store.refresh()
    assert [s.id for s in store.list()] == [conversation.id]
    assert store.problems == [] and kept_aside(store) == []
    assert not stale.exists()
    assert fresh_tmp.exists()  # may belong to a writer still at work


# atomic writes -----------------------------------------------------------------------------
def test_atomic_write_leaves_no_temp_file_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    target = folder / "file.json"
    target.write_bytes(b"old")

    def broken_replace(*args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk gone"):
        atomic_write(target, b"new")
    monkeypatch.undo()
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert sorted(p.name for p in folder.iterdir()) == ["file.json"]
    assert target.read_bytes() == b"old"


def test_every_write_goes_through_a_temp_file_in_the_same_folder(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders: list[Path] = []
    real_mkstemp = tempfile.mkstemp

    def spy(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        folders.append(Path(str(kwargs["dir"])))
        return real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(atomic_module.tempfile, "mkstemp", spy)
    saved(store, "x")  # the conversation (the index is SQLite, in the cache folder)
    assert folders == [store.folder]
    folders.clear()
    store.session.save(TabState(open=[], active=None))
    assert folders == [store.data_dir]


# open tabs ---------------------------------------------------------------------------------
def test_tabs_round_trip_in_order_with_the_active_one(store: ConversationStore) -> None:
    a, b, c = (saved(store, t) for t in "abc")
    store.session.save(TabState(open=[c.id, a.id, b.id], active=a.id))
    assert ConversationStore(store.data_dir).session.load() == TabState(
        open=[c.id, a.id, b.id], active=a.id
    )


def test_tabs_whose_files_are_gone_are_dropped(store: ConversationStore) -> None:
    a, b, c = (saved(store, t) for t in "abc")
    store.session.save(TabState(open=[a.id, b.id, c.id], active=c.id))
    store.path_for(b.id).unlink()
    assert store.session.load() == TabState(open=[a.id, c.id], active=c.id)
    store.path_for(c.id).unlink()  # the active one is gone: the first remaining takes over
    assert store.session.load() == TabState(open=[a.id], active=a.id)


@pytest.mark.parametrize(
    "content",
    [b"", b"nonsense", b"[]", b'{"open": 5}', b'{"open": "abc"}', b'{"open": [null, 3]}'],
)
def test_a_bad_tabs_file_means_no_tabs(store: ConversationStore, content: bytes) -> None:
    store.session.path.write_bytes(content)
    assert store.session.load() == TabState(open=[], active=None)


def test_tabs_hold_only_valid_ids(store: ConversationStore) -> None:
    a = saved(store, "a")
    raw = json.dumps({"open": ["../x", a.id, a.id], "active": "../x"}).encode()
    store.session.path.write_bytes(raw)
    assert store.session.load() == TabState(open=[a.id], active=a.id)


def test_drafts_round_trip_for_open_tabs_only(store: ConversationStore) -> None:
    a, b, closed = (saved(store, t) for t in "abc")
    store.session.save(TabState(open=[a.id, b.id], active=b.id,
                             drafts={a.id: "half a thought\nsecond line", b.id: "",
                                     closed.id: "from a closed tab"}))
    assert ConversationStore(store.data_dir).session.load() == TabState(
        open=[a.id, b.id], active=b.id, drafts={a.id: "half a thought\nsecond line"})
    # Deleting a conversation keeps the other tabs' drafts and drops its own.
    store.delete(a.id)
    assert store.session.load() == TabState(open=[b.id], active=b.id, drafts={})
    store.session.save(TabState(open=[b.id], active=b.id, drafts={b.id: "kept"}))
    store.delete(closed.id)
    assert store.session.load().drafts == {b.id: "kept"}


@pytest.mark.parametrize("drafts", ["text", [1, 2], {"x": 5}, None, 7])
def test_bad_drafts_are_ignored_and_the_tabs_kept(store: ConversationStore, drafts: object) -> None:
    a, b = saved(store, "a"), saved(store, "b")
    bad: dict[str, object] = {"open": [a.id, b.id], "active": a.id, "drafts": drafts}
    if isinstance(drafts, dict):
        bad["drafts"] = {**drafts, a.id: ["not", "text"], b.id: "good", "../x": "bad id"}
    store.session.path.write_bytes(json.dumps(bad).encode())
    expected = {b.id: "good"} if isinstance(drafts, dict) else {}
    assert store.session.load() == TabState(open=[a.id, b.id], active=a.id, drafts=expected)


def test_a_tabs_file_without_drafts_still_loads(store: ConversationStore) -> None:
    a = saved(store, "a")
    store.session.path.write_bytes(json.dumps({"open": [a.id], "active": a.id}).encode())
    assert store.session.load() == TabState(open=[a.id], active=a.id, drafts={})


def test_a_data_folder_the_user_chose_keeps_its_mode(tmp_path: Path) -> None:
    # `--data-dir ~/notes` must not make the user's own folder private behind their back.
    notes = tmp_path / "notes"
    notes.mkdir(mode=0o755)
    os.chmod(notes, 0o755)
    store = ConversationStore(notes)
    assert notes.stat().st_mode & 0o777 == 0o755
    assert store.folder.stat().st_mode & 0o777 == 0o700
