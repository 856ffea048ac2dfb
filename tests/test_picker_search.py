"""The ctrl+o picker's full-text search, filters and opening at the match (Textual pilot)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from claude_tui.conversation import EndRecord
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs import picker as picker_module
from claude_tui.ui.dialogs.picker import MATCH_STYLE, ConversationPicker
from claude_tui.ui.transcript.message import MessageBlock
from tests.cli_support import HOSTILE, text_message
from tests.test_ui_screens import FIXED_NOW, Host
from tests.ui_helpers import active, demo_options, no_animations, until  # noqa: F401

SIZE = (110, 40)


def save(store: ConversationStore, *texts: str, title: str = "", model: str = "claude-opus-5-5",
         updated: str = "", created: str = "", ended: bool = False) -> str:
    conversation = store.create(model, title=title)
    for number, text in enumerate(texts):
        conversation.messages.append(
            text_message("user" if number % 2 == 0 else "assistant", text))
    if ended:
        conversation.status = "ended"
        conversation.ended = EndRecord(by="user", at="2026-11-20T00:00:00Z",
                                       reason="user_requested")
    store.save(conversation)
    if updated or created:  # written as a file directly: times as the test wants them
        data = json.loads(store.path_for(conversation.id).read_text("utf-8"))
        data["updated"] = updated or data["updated"]
        data["created"] = created or data["created"]
        store.path_for(conversation.id).write_text(json.dumps(data), "utf-8")
    return conversation.id


def picker_host(store: ConversationStore) -> Host:
    return Host(lambda: ConversationPicker(store, set(), now=lambda: FIXED_NOW))


def shown(app: Host) -> list[str | None]:
    options = app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


def prompt_of(app: Host, index: int = 0):  # type: ignore[no-untyped-def]
    return app.screen.query_one(OptionList).get_option_at_index(index).prompt


async def search(pilot, app: Host, words: str) -> None:  # type: ignore[no-untyped-def]
    app.screen.query_one(Input).value = words
    await pilot.pause()


async def test_a_word_deep_in_a_long_message_is_found_with_a_highlighted_snippet(
        data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    long_text = "filler words here. " * 2000 + "The flamingo stands on one leg. " + "more. " * 50
    target = save(store, "tell me about birds", long_text, title="Birds")
    save(store, "nothing to see", title="Other")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "flamingo")
        assert shown(app) == [target]
        prompt = prompt_of(app)
        assert "The flamingo stands on one leg" in prompt.plain  # the snippet, not the start
        highlighted = [prompt.plain[s.start:s.end] for s in prompt.spans
                       if str(s.style) == MATCH_STYLE]
        assert highlighted == ["flamingo"]
        assert "1 matching of 2" in str(app.screen.query_one("#picker-count").render())


async def test_every_word_must_match_and_the_last_may_be_half_typed(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    both = save(store, "planning a voyage", "bring a compass and a voyage map")
    save(store, "only a voyage here")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "voyage comp")  # "comp" is still being typed
        assert shown(app) == [both]
        prompt = prompt_of(app)
        assert [prompt.plain[s.start:s.end] for s in prompt.spans
                if str(s.style) == MATCH_STYLE] == ["compass", "voyage"]
        await search(pilot, app, "oyage")  # not a word start
        assert shown(app) == []
        await search(pilot, app, 'voyage" OR (')  # FTS syntax is just text
        assert shown(app) == []


async def test_hostile_text_in_a_snippet_stays_inert(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    save(store, "hello", f"zebra {HOSTILE} zebra", title="Hostile")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "zebra")
        plain = prompt_of(app).plain
        assert "\x1b" not in plain and "\x07" not in plain and "\x9b" not in plain
        assert "[bold]markup[/bold]" in plain  # shown as written, not applied


async def test_filters_status_model_and_order(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    old_active = save(store, "apples are red", model="claude-opus-5-5",
                      created="2026-11-01T00:00:00Z", updated="2026-11-25T00:00:00Z")
    ended = save(store, "apples are green", model="claude-haiku-5-5", ended=True,
                 created="2026-11-10T00:00:00Z", updated="2026-11-11T00:00:00Z")
    new_active = save(store, "apples apples apples", model="claude-haiku-5-5",
                      created="2026-11-20T00:00:00Z", updated="2026-11-21T00:00:00Z")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "apples")
        assert set(shown(app)) == {old_active, ended, new_active}
        await pilot.press("f7")  # order: recently updated
        assert shown(app) == [old_active, new_active, ended]
        await pilot.press("f7")  # order: recently created
        assert shown(app) == [new_active, ended, old_active]
        filters = str(app.screen.query_one("#picker-filters").render())
        assert "recently created" in filters
        await pilot.press("f5")  # status: active
        assert shown(app) == [new_active, old_active]
        await pilot.press("f5")  # status: ended
        assert shown(app) == [ended]
        await pilot.press("f5", "f6")  # status: all; model: the first (alphabetical)
        assert "claude-haiku-5-5" in str(app.screen.query_one("#picker-filters").render())
        assert shown(app) == [new_active, ended]
        await search(pilot, app, "")  # the filters apply to the plain list too
        assert shown(app) == [new_active, ended]
        await pilot.press("f6", "f6")  # opus, then all again
        assert len(shown(app)) == 3


async def test_the_index_follows_the_files(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    first = save(store, "about kayaks")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "kayaks")
        assert shown(app) == [first]
    conversation = store.load(first)
    store.append(conversation, text_message("user", "and also canoes"))
    second = save(store, "more kayaks")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "canoes")
        assert shown(app) == [first]
        await search(pilot, app, "kayaks")
        assert set(shown(app)) == {first, second}
    store.path_for(second).unlink()
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "kayaks")
        assert shown(app) == [first]


async def test_a_large_first_build_runs_in_the_background(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(picker_module, "SYNC_INDEX_LIMIT", 3)
    store = ConversationStore(data_dir)
    ids = [save(store, f"note number {n} about herons") for n in range(12)]
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await until(pilot, lambda: len(shown(app)) == 12)
        await search(pilot, app, "herons")
        assert set(shown(app)) == set(ids)
        assert "Indexing" not in str(app.screen.query_one("#picker-count").render())


async def test_opening_a_match_scrolls_the_tab_to_the_message(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    texts = [f"message {n} " + "padding text " * 40 for n in range(120)]
    texts[4] = "the secret word is periwinkle"
    target = save(store, *texts, model="claude-tui-demo", title="Long one")
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ConversationPicker))
        await pilot.press(*"periwinkle")
        await until(pilot, lambda: shown(app) == [target])
        await pilot.press("enter")
        await until(pilot, lambda: app.tabs.active_id == target)
        view = active(app).view

        def on_screen() -> bool:
            blocks = [b for b in view.query(MessageBlock) if b.index == 4]
            if not blocks:
                return False
            top = blocks[0].virtual_region.y
            return view.scroll_y <= top < view.scroll_y + view.size.height
        await until(pilot, on_screen)
        assert view.first_shown <= 4
        assert view.max_scroll_y > 0 and view.scroll_y < view.max_scroll_y  # not the bottom


async def test_a_long_list_comes_a_page_at_a_time(data_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(picker_module, "ALL_UP_TO", 5)
    monkeypatch.setattr(picker_module, "PAGE", 4)
    monkeypatch.setattr(picker_module, "SEARCH_PAGE", 3)
    store = ConversationStore(data_dir)
    for n in range(12):
        save(store, f"note {n} about cranes", updated=f"2026-11-{n + 1:02}T00:00:00Z")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(shown(app)) == 4
        assert "4 newest of 12" in str(app.screen.query_one("#picker-count").render())
        for _ in range(12):
            await pilot.press("down")
        assert len(shown(app)) == 12  # pages added as the highlight neared the end
        assert len(set(shown(app))) == 12
        await search(pilot, app, "cranes")
        assert len(shown(app)) == 3
        assert "3+ matching of 12" in str(app.screen.query_one("#picker-count").render())
        for _ in range(14):
            await pilot.press("down")
        assert len(shown(app)) == 12
        assert "12 matching of 12" in str(app.screen.query_one("#picker-count").render())


# what the count line says when the list is empty ----------------------------------------------
def count_line(app: Host) -> str:
    return str(app.screen.query_one("#picker-count").render())


async def test_an_empty_list_says_why_not_nothing_matches_0_of_0(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    save(store, "a walrus on the ice", title="Walrus")
    save(store, "the walrus again", title="Walrus too")
    save(store, "about owls", title="Owls", ended=True)
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await search(pilot, app, "zeppelin")
        assert shown(app) == []
        assert count_line(app) == "Nothing matches “zeppelin” in 3 conversations."
        await pilot.press("f5", "f5")  # ended only: the walrus ones are hidden, not missing
        await pilot.pause()
        await search(pilot, app, "walrus")
        assert shown(app) == []
        line = count_line(app)
        assert line.startswith("Nothing matches “walrus” here: 2 matches are hidden by the "
                               "filter (status ended)")
        assert "f5 status" in line and "(0 of 0)" not in line
        await search(pilot, app, "")
        assert len(shown(app)) == 1  # the ended one
        await search(pilot, app, "zeppelin")
        assert count_line(app) == "Nothing matches “zeppelin” in 3 conversations."


async def test_a_filter_that_hides_everything_says_how_many_it_hides(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    save(store, "one", title="One")
    save(store, "two", title="Two")
    app = picker_host(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f5", "f5")  # ended only, and none is
        await pilot.pause()
        assert shown(app) == []
        assert count_line(app).startswith(
            "2 conversations stored, all hidden by the filter (status ended); f5 status")
