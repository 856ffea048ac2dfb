"""The files attached to a draft in ``tabs.json``: their paths kept beside the text drafts,
anything else dropped silently, and the text drafts still as an older version reads them."""

from __future__ import annotations

import io
import json
from concurrent.futures import Future

import pytest

from claude_tui.attachments import read_attachment
from claude_tui.storage.session import CLOSED_DRAFTS_KEPT, FILES_PER_DRAFT_KEPT, TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.drafts_at_quit import DraftsAtQuit
from tests.test_store import saved


@pytest.fixture
def store(data_dir) -> ConversationStore:
    return ConversationStore(data_dir)


def raw(store: ConversationStore) -> dict:
    return json.loads(store.session.path.read_bytes())


def test_draft_files_round_trip_beside_the_text_drafts(store: ConversationStore) -> None:
    a, b, closed = (saved(store, t) for t in "abc")
    state = TabState(open=[a.id, b.id], active=a.id, drafts={a.id: "look at these"},
                     draft_files={a.id: ["/home/me/chart.png", "/home/me/notes.md"],
                                  b.id: ["/home/me/files only.pdf"],
                                  closed.id: ["/not/an/open/tab"]},
                     closed_draft_files={closed.id: ["/home/me/later.txt"],
                                         a.id: ["/an/open/tab's"]})
    store.session.save(state)
    assert ConversationStore(store.data_dir).session.load() == TabState(
        open=[a.id, b.id], active=a.id, drafts={a.id: "look at these"},
        draft_files={a.id: ["/home/me/chart.png", "/home/me/notes.md"],
                     b.id: ["/home/me/files only.pdf"]},
        closed_draft_files={closed.id: ["/home/me/later.txt"]})
    # The text drafts are where and what they always were: an older version reads them.
    written = raw(store)
    assert written["drafts"] == {a.id: "look at these"}
    assert all(isinstance(text, str) for text in written["drafts"].values())
    # A conversation deleted since takes its closed draft's files with it.
    store.delete(closed.id)
    assert store.session.load().closed_draft_files == {}


def test_a_file_without_attached_files_is_as_it_always_was(store: ConversationStore) -> None:
    a = saved(store, "a")
    store.session.save(TabState(open=[a.id], active=a.id, drafts={a.id: "text only"}))
    assert set(raw(store)) == {"open", "active", "drafts"}
    # And a tabs.json from before files were kept loads with none.
    store.session.path.write_text(json.dumps(
        {"open": [a.id], "active": a.id, "drafts": {a.id: "old draft"},
         "closed_drafts": {}}), "utf-8")
    assert store.session.load() == TabState(open=[a.id], active=a.id,
                                            drafts={a.id: "old draft"})


@pytest.mark.parametrize("files", ["text", ["/a/list"], None, 7, {"x": ["/p"]}])
def test_bad_draft_files_are_dropped_and_the_rest_kept(store: ConversationStore,
                                                       files: object) -> None:
    a, b, c, closed = (saved(store, t) for t in "abcd")
    bad: dict[str, object] = {"open": [a.id, b.id, c.id], "active": a.id,
                              "drafts": {a.id: "kept"}, "draft_files": files,
                              "closed_draft_files": files}
    expected: dict[str, list[str]] = {}
    expected_closed: dict[str, list[str]] = {}
    if isinstance(files, dict):
        paths = ["/ok", 5, "", "  ", "/ok", "nul\x00inside", None, "~/also ok"]
        bad["draft_files"] = {**files, a.id: "not a list", b.id: paths, c.id: [],
                              "../x": ["/p"]}
        bad["closed_draft_files"] = {**files, closed.id: paths, a.id: ["/an open tab's"],
                                     "../x": ["/p"]}
        expected = {b.id: ["/ok", "~/also ok"]}
        expected_closed = {closed.id: ["/ok", "~/also ok"]}
    store.session.path.write_text(json.dumps(bad), "utf-8")
    assert store.session.load() == TabState(open=[a.id, b.id, c.id], active=a.id,
                                            drafts={a.id: "kept"}, draft_files=expected,
                                            closed_draft_files=expected_closed)


def test_closed_drafts_files_and_a_drafts_files_are_bounded(store: ConversationStore) -> None:
    ids = [saved(store, "x").id for _ in range(CLOSED_DRAFTS_KEPT + 3)]
    many = [f"/file/{n}" for n in range(FILES_PER_DRAFT_KEPT + 5)]
    store.session.save(TabState(open=[ids[0]], active=ids[0], draft_files={ids[0]: many},
                                closed_draft_files={i: [f"/{i}"] for i in ids[1:]}))
    loaded = store.session.load()
    assert loaded.draft_files == {ids[0]: many[:FILES_PER_DRAFT_KEPT]}
    assert list(loaded.closed_draft_files) == ids[-CLOSED_DRAFTS_KEPT:]  # the latest closed


class _NoTabs:
    def panes(self) -> list:
        return []


def test_drafts_printed_at_quit_name_their_files(data_dir, tmp_path, monkeypatch) -> None:
    notes = tmp_path / "my notes.md"
    notes.write_text("buy milk\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    path = read_attachment("my notes.md").path
    assert path == str(notes)  # the path the user chose, made absolute: cwd changes
    failed: Future[None] = Future()
    failed.set_exception(OSError("read-only file system"))
    at_quit = DraftsAtQuit(data_dir / "tabs.json")
    state = TabState(open=["a1", "b2"], active="a1", drafts={"a1": "look at this"},
                     draft_files={"a1": [path], "b2": ["/files/only.png"]})
    at_quit.saving(state, _NoTabs(), failed)  # type: ignore[arg-type]
    assert at_quit.check() is not None
    printed = io.StringIO()
    at_quit.report(printed)
    text = printed.getvalue()
    assert text.startswith("claude-tui: the unsent drafts could not be saved (")
    assert (f"--- draft in a1 ---\nlook at this\nattached: {notes}\n--- end of draft ---\n"
            in text)
    assert "--- draft in b2 ---\nattached: /files/only.png\n--- end of draft ---\n" in text
