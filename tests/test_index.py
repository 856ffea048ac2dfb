"""The derived index: in the cache folder, every word searchable, rebuilt from the files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from claude_tui.conversation import Conversation, EndRecord, Message
from claude_tui.storage.store import ConversationStore


def user(text: str) -> Message:
    return Message(role="user", content=[{"type": "text", "text": text}])


def reply(text: str) -> Message:
    return Message(role="assistant", content=[{"type": "text", "text": text}])


def saved(store: ConversationStore, *messages: Message, model: str = "claude-opus-5-5",
          title: str = "") -> Conversation:
    conversation = store.create(model, title=title)
    for message in messages:
        store.append(conversation, message)
    return conversation


def test_the_conversations_folder_holds_only_conversations(
        data_dir: Path, isolated_home: Path) -> None:
    store = ConversationStore(data_dir)
    first = saved(store, user("one"))
    second = saved(store, user("two"))
    store.refresh()
    assert sorted(p.name for p in store.folder.iterdir()) == sorted(
        f"{c.id}.json" for c in (first, second))
    cache = isolated_home / "cache" / "claude-tui"
    assert store.index.path.parent == cache and store.index.path.exists()


def test_every_word_of_every_message_is_found_however_long(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    filler = "lorem ipsum dolor " * 5000  # 90 KB before the word
    long = saved(store, user("a long one"), reply(filler + "xylophone at the very end"))
    saved(store, user("something else entirely"))
    [hit] = store.search("xylophone")
    assert hit.summary.id == long.id and hit.message_index == 1
    start, end = hit.highlights[0]
    assert hit.snippet[start:end].casefold() == "xylophone"
    assert len(hit.snippet) < 300
    # Words found anywhere in the conversation, the last one as a prefix (still being typed).
    assert [h.summary.id for h in store.search("long xyloph")] == [long.id]


def test_search_takes_any_text_as_words_not_as_query_syntax(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    saved(store, user('he said "NEAR(x y)" AND * OR -'))
    for query in ('"', "AND", "*", "NEAR(", "-x", "col:val", "'", "\\", "a\x00b"):
        store.search(query)  # never raises
    assert len(store.search('"NEAR(x')) == 1


def test_the_conversation_named_so_comes_before_one_that_mentions_the_word(
        data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    saved(store, user("tell me about persistent_abuse"),
          reply("persistent_abuse is when abuse goes on; abuse, abuse, abuse."))
    named = saved(store, user("lunch plans"), reply("Soup."), title="ab")
    assert store.search("ab")[0].summary.id == named.id
    assert store.search("abuse")[0].summary.id != named.id


def test_filters_and_orders(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    older = saved(store, user("report about apples"), model="claude-sonnet-5-5")
    newer = saved(store, user("apples again, apples apples"))
    newer.status, newer.ended = "ended", EndRecord(by="user", at="2026-12-01T00:00:00Z",
                                                   reason="user_requested")
    store.save(newer)
    assert [h.summary.id for h in store.search("apples", status="ended")] == [newer.id]
    assert [h.summary.id for h in store.search("apples", model="claude-sonnet-5-5")] == [
        older.id]
    assert [h.summary.id for h in store.search("apples", order="created")] == [newer.id,
                                                                                older.id]
    assert {s.id for s in store.index.list(status="active")} == {older.id}


def test_of_two_changed_in_the_same_second_the_one_written_last_is_the_newest(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ``updated`` is to the second (the file format): ``-c`` and ctrl+o must not then take
    # the conversation made later over the one the user has just continued.
    store = ConversationStore(data_dir)
    continued = saved(store, user("apples, continued"))
    other = saved(store, user("apples made later: its id is the greater"))
    monkeypatch.setattr("claude_tui.conversation.now_iso", lambda: "2026-12-01T10:00:00Z")
    store.save(other)
    store.save(continued)
    # The clock of file times may not move between two quick writes: set it as it would.
    path = store.folder / f"{continued.id}.json"
    later = (store.folder / f"{other.id}.json").stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(later, later))
    store.refresh()
    assert [s.id for s in store.list()] == [continued.id, other.id]
    assert [h.summary.id for h in store.search("apples", order="updated")] == [
        continued.id, other.id]


def test_the_index_follows_every_save_and_delete(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = saved(store, user("first words"))
    assert store.search("zebra") == []
    store.append(conversation, reply("a zebra appears"))
    assert [h.message_index for h in store.search("zebra")] == [1]
    conversation.title = "Renamed to giraffe"
    store.save(conversation)
    assert [h.message_index for h in store.search("giraffe")] == [-1]
    store.delete(conversation.id)
    assert store.search("zebra") == [] and store.list() == []


def test_a_file_changed_by_hand_is_read_again(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = saved(store, user("before the edit"))
    store.refresh()
    data = json.loads(store.path_for(conversation.id).read_text("utf-8"))
    data["messages"][0]["content"][0]["text"] = "after the hand edit"
    store.path_for(conversation.id).write_text(json.dumps(data), "utf-8")
    fresh = ConversationStore(data_dir)
    fresh.refresh()
    assert [h.summary.id for h in fresh.search("hand edit")] == [conversation.id]
    assert fresh.search("before") == []


def test_each_data_folder_has_its_own_index(data_dir: Path, tmp_path: Path) -> None:
    mine = ConversationStore(data_dir)
    other = ConversationStore(tmp_path / "elsewhere")
    saved(mine, user("only here"))
    assert other.list() == [] and other.search("only") == []
    assert mine.index.path != other.index.path


def test_a_sync_tools_files_are_left_alone_and_its_conflict_copies_offered(
        data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = saved(store, user("the original"))
    folder = store.folder
    copy = folder / f"{conversation.id}.sync-conflict-20261201-101010-ABCDEFG.json"
    other = json.loads(store.path_for(conversation.id).read_text("utf-8"))
    other["messages"].append(reply("written on the laptop").to_dict())
    copy.write_text(json.dumps(other), "utf-8")
    leftovers = [folder / ".syncthing.abc.json.tmp", folder / "notes.json~",
                 folder / ".hidden.json"]
    for path in leftovers:
        path.write_text("{not json", "utf-8")
    (folder / ".git").mkdir()
    store.refresh()
    summaries = store.list()
    assert store.problems == [] and not (folder / "damaged").exists()
    assert all(p.exists() for p in [*leftovers, copy])
    [offered] = [s for s in summaries if s.id != conversation.id]
    assert "conflict copy" in offered.title
    assert [m.text for m in store.load(offered.id).messages] == [
        "the original", "written on the laptop"]
    store.refresh()
    assert len(store.list()) == 2  # offered once, not on every refresh


def test_temporary_files_of_killed_writes_are_removed(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = saved(store, user("x"))
    left = [store.folder / f".{conversation.id}.json.k{n}.tmp" for n in range(3)]
    left.append(data_dir / ".tabs.json.k9.tmp")
    for path in left:
        path.write_bytes(b"x" * 1000)
        os.utime(path, (1, 1))
    store.refresh()
    assert not any(p.exists() for p in left)


def test_a_broken_index_is_made_again_from_the_files(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = saved(store, user("survives the index"))
    store.index.close()
    path = store.index.path
    shutil.rmtree(path.parent)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    fresh = ConversationStore(data_dir)
    fresh.refresh()
    assert [s.id for s in fresh.list()] == [conversation.id]
    assert [h.summary.id for h in fresh.search("survives")] == [conversation.id]


def test_a_file_attached_is_found_by_its_name(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    message = user("what do you make of it?")
    message.extra["attachments"] = [{"name": "quarterly-report.pdf", "kind": "pdf",
                                     "media_type": "application/pdf", "size": 1200}]
    found = saved(store, message, reply("It looks fine."))
    saved(store, user("a report on something else"))
    [hit] = store.search("quarterly")
    assert hit.summary.id == found.id and hit.message_index == 0
    assert "quarterly-report.pdf" in hit.snippet


def test_an_index_of_an_older_version_is_rebuilt_from_the_files(data_dir: Path) -> None:
    import sqlite3

    store = ConversationStore(data_dir)
    kept = saved(store, user("xylophone lessons"))
    path = store.index.path
    store.index.close()
    db = sqlite3.connect(path)
    db.execute("DELETE FROM texts")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    again = ConversationStore(data_dir)
    again.refresh()
    assert [h.summary.id for h in again.search("xylophone")] == [kept.id]
