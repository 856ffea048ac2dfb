"""The search index: derived from the JSON files, in step with them, never changing them."""

from __future__ import annotations

import os
from pathlib import Path

from claude_tui.search_index import MARK_END, MARK_START, ConversationIndex, snippet_parts
from claude_tui.store import ConversationStore
from tests.cli_support import store_conversation, text_message


def titles(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.summary.title for h in hits]


def fresh_index(data_dir: Path) -> ConversationIndex:
    index = ConversationIndex(data_dir)
    index.refresh()
    return index


def test_it_lives_in_the_user_cache_folder_per_data_folder(isolated_home: Path,
                                                          tmp_path: Path) -> None:
    a = ConversationIndex(tmp_path / "a")
    b = ConversationIndex(tmp_path / "b")
    assert a.path.parent == isolated_home / "cache" / "claude-tui" / "search"
    assert a.path != b.path
    assert a.path == ConversationIndex(tmp_path / "a" / ".." / "a").path


def test_words_titles_messages_and_where_the_match_is(data_dir: Path) -> None:
    zebra = store_conversation(data_dir, "tell me about zebras", "They have stripes.",
                               title="Animals")
    store_conversation(data_dir, "unrelated", title="Other")
    index = fresh_index(data_dir)
    (hit,) = index.search("stripes")
    assert hit.summary.id == zebra.id and hit.message_index == 1
    assert hit.parts() == [("They have ", False), ("stripes", True), (".", False)]
    (title_hit,) = index.search("animals")
    assert title_hit.message_index is None  # only the title holds it
    assert titles(index.search("zebra stripes")) == ["Animals"]  # words in two messages
    assert index.search("zebra other") == []
    assert titles(index.search("ZEBRA")) == ["Animals"]


def test_diacritics_and_prefixes(data_dir: Path) -> None:
    store_conversation(data_dir, "un café crème", title="Coffee")
    index = fresh_index(data_dir)
    assert titles(index.search("cafe")) == ["Coffee"]
    assert titles(index.search("crè")) == ["Coffee"]


def test_it_follows_changes_by_size_mtime_and_inode(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    conversation = store_conversation(data_dir, "about herons")
    index = fresh_index(data_dir)
    assert index.refresh().changed == []  # nothing changed: nothing read again
    conversation = store.load(conversation.id)
    store.append(conversation, text_message("user", "and egrets"))
    plan = index.refresh()
    assert plan.changed == [conversation.id]
    assert titles(index.search("egrets")) == ["about herons"]
    # The same size and time but another file (a sync tool replaced it): the inode tells.
    path = store.path_for(conversation.id)
    stat = path.stat()
    replacement = path.with_name("replacement")
    replacement.write_bytes(path.read_bytes())
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert index.refresh().changed == [conversation.id]
    path.unlink()
    assert index.refresh().gone == [conversation.id]
    assert index.search("herons") == [] and index.list() == []


def test_a_quick_refresh_skips_the_scan_only_when_the_folder_is_unchanged(
        data_dir: Path) -> None:
    first = store_conversation(data_dir, "first")
    folder = data_dir / "conversations"
    past = folder.stat().st_mtime_ns - 10_000_000_000
    os.utime(folder, ns=(past, past))  # long enough ago to trust
    index = fresh_index(data_dir)
    path = folder / f"{first.id}.json"
    path.write_bytes(path.read_bytes().replace(b'"first"', b'"fires"'))  # in place
    os.utime(folder, ns=(past, past))
    assert index.plan(quick=True).changed == []  # the folder looks the same: no scan
    assert index.plan().changed == [first.id]  # a full refresh reads every signature
    store_conversation(data_dir, "second")  # a save renames a file into the folder
    assert len(index.plan(quick=True).changed) == 2


def test_unreadable_files_are_left_out_reported_and_never_moved(data_dir: Path) -> None:
    good = store_conversation(data_dir, "fine words")
    folder = data_dir / "conversations"
    damaged = folder / "01aaaaaaaaaaaaaaaaaa.json"
    damaged.write_text("{broken")
    before = sorted(p.name for p in folder.iterdir())
    index = ConversationIndex(data_dir)
    plan = index.refresh()
    assert plan.unreadable == ["01aaaaaaaaaaaaaaaaaa"]
    assert [h.summary.id for h in index.list()] == [good.id]
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_damaged_or_foreign_index_is_rebuilt(data_dir: Path) -> None:
    store_conversation(data_dir, "about otters")
    index = fresh_index(data_dir)
    path = index.path
    index.close()
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rebuilt = fresh_index(data_dir)
    assert titles(rebuilt.search("otters")) == ["about otters"]
    rebuilt._db.execute("UPDATE meta SET value = '999' WHERE key = 'version'")
    rebuilt.close()
    again = fresh_index(data_dir)
    assert titles(again.search("otters")) == ["about otters"]


def test_list_filters_and_orders(data_dir: Path) -> None:
    store_conversation(data_dir, "one", model="claude-haiku-5-5")
    store_conversation(data_dir, "two", ended=True)
    index = fresh_index(data_dir)
    assert titles(index.list()) == ["two", "one"]
    assert titles(index.list(status="ended")) == ["two"]
    assert titles(index.list(model="claude-haiku-5-5")) == ["one"]
    assert index.models() == ["claude-haiku-5-5", "claude-opus-5-5"]
    assert index.count() == 2 and index.count(status="active") == 1


def test_query_syntax_is_only_text(data_dir: Path) -> None:
    store_conversation(data_dir, 'a "quoted" word AND more')
    index = fresh_index(data_dir)
    for query in ['"', "(", "AND", "NEAR(", "*", "a:b", "^x", "'"]:
        index.search(query)  # never raises
    assert len(index.search('"quoted"')) == 1


def test_snippet_parts_are_inert_and_one_line() -> None:
    parts = snippet_parts(f"a\x1b[31m\nb {MARK_START}hit{MARK_END} c\x07")
    assert parts == [("a␛[31m b ", False), ("hit", True), (" c␇", False)]


def test_concurrent_readers_see_a_consistent_index(data_dir: Path) -> None:
    store_conversation(data_dir, "shared words")
    writer = fresh_index(data_dir)
    reader = ConversationIndex(data_dir)
    assert titles(reader.search("shared")) == ["shared words"]
    store_conversation(data_dir, "more shared words")
    writer.refresh()
    assert len(reader.search("shared")) == 2
