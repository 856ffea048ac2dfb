"""The model picker (f9), the model per conversation, and the status line's usage and cost."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from claude_tui.config import DEMO_MODEL
from claude_tui.conversation import EndRecord, Message
from claude_tui.protocol import END_CONVERSATION, ISSUE_WARNING
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.actions import READ_ONLY_NOTICE
from claude_tui.ui.app import DEMO_NOTICE, ClaudeTUI
from claude_tui.ui.dialogs.model_picker import ModelPicker
from claude_tui.ui.palette import ConversationCommands
from tests.fake_api import FakeAPI, reply, text, tool_use
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    claude_options,
    conversation_file,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)


def notices(app: ClaudeTUI) -> list[str]:
    return [n.message for n in app._notifications if n.message != DEMO_NOTICE]


def status_text(app: ClaudeTUI) -> str:
    return str(app.query_one("#status").render())


def offered(app: ClaudeTUI) -> list[str]:
    options = app.screen.query_one("#models-list", OptionList)
    return [options.get_option_at_index(i).id or "" for i in range(options.option_count)]


async def choose(pilot, app: ClaudeTUI, model: str) -> None:
    """Open the picker with f9 and choose ``model`` with the arrow keys and enter."""
    await pilot.press("f9")
    await until(pilot, lambda: isinstance(app.screen, ModelPicker))
    picker = app.screen
    await until(pilot, lambda: picker.catalog.listed and model in offered(app))
    options = picker.query_one("#models-list", OptionList)
    target = offered(app).index(model)
    while options.highlighted != target:
        await pilot.press("down" if (options.highlighted or 0) < target else "up")
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, ModelPicker))


async def test_the_demo_picker_lists_several_models_and_the_choice_is_saved(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: active(app).composer is not None)
        conversation = active(app).conversation
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await until(pilot, lambda: app.screen.catalog.listed)
        ids = offered(app)
        assert ids[0] == DEMO_MODEL and len(ids) >= 4
        assert {"claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"} <= set(ids)
        shown = screen_text(app)
        assert "Claude Sonnet 5.5" in shown and "Without an API key only the offline" in shown
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ModelPicker))
        assert conversation.model == DEMO_MODEL

        await choose(pilot, app, "claude-sonnet-5-5")
        assert conversation.model == "claude-sonnet-5-5"
        assert "claude-sonnet-5-5" in status_text(app)
        assert any("needs an API key" in n for n in notices(app))
        assert conversation_file(data_dir, conversation.id)["model"] == "claude-sonnet-5-5"
        # The empty composer names who answers now.
        assert active(app).composer.placeholder.startswith("Message Claude ")
        # new conversations keep the run's default
        await pilot.press("ctrl+n")
        await until(pilot, lambda: active(app).conversation is not conversation)
        assert active(app).conversation.model == DEMO_MODEL


async def test_the_palette_offers_the_picker(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        commands = ConversationCommands(app.screen).commands()
        found = [c for c in commands if c.action == "choose_model"]
        assert found and found[0].name == "Choose the model…" and "f9" in found[0].help


async def test_an_ended_conversation_keeps_its_model(data_dir) -> None:
    store = ConversationStore(data_dir)
    ended = store.create(DEMO_MODEL, title="an ended talk")
    store.append(ended, Message(role="user", content=[{"type": "text", "text": "hello"}]))
    ended.status = "ended"
    ended.ended = EndRecord(by="user", at="2026-01-01T10:00:00Z", reason="user_requested")
    store.save(ended)
    store.session.save(TabState(open=[ended.id], active=ended.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.tabs.active_id == ended.id)
        assert app.check_action("choose_model", ()) is None  # dimmed, as rename (E5)
        await pilot.press("f9")
        await until(pilot, lambda: notices(app))
        app.action_choose_model()  # any other way in is refused too
        await until(pilot, lambda: len(notices(app)) >= 2)
        await pilot.pause()
        assert not isinstance(app.screen, ModelPicker)
        assert notices(app) == [READ_ONLY_NOTICE] * 2
    assert conversation_file(data_dir, ended.id)["model"] == DEMO_MODEL


async def test_the_end_tools_follow_the_conversations_model_from_the_next_turn(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    # claude-opus-* gets the tools (the default patterns); claude-sonnet-* does not
    fake_api.add(reply(text("Hi from Sonnet.")), reply(text("Hi from Opus.")),
                 reply(text("Sonnet again.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch, model="claude-sonnet-5-5"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model_catalog.listed)
        await type_and_send(pilot, "hello")
        await settle(pilot)
        await choose(pilot, app, "claude-opus-5-5")
        await type_and_send(pilot, "hello again")
        await settle(pilot)
        await choose(pilot, app, "claude-sonnet-5-5")
        await type_and_send(pilot, "and once more")
        await settle(pilot)
        conversation_id = active(app).conversation.id
    sent = fake_api.requests
    assert [r["model"] for r in sent] == ["claude-sonnet-5-5", "claude-opus-5-5",
                                          "claude-sonnet-5-5"]
    assert "tools" not in sent[0] and "tools" not in sent[2]
    assert [t["name"] for t in sent[1]["tools"]] == [ISSUE_WARNING, END_CONVERSATION]
    saved = conversation_file(data_dir, conversation_id)
    assert saved["model"] == "claude-sonnet-5-5"
    assert [m.get("model") for m in saved["messages"] if m["role"] == "assistant"] == [
        "claude-sonnet-5-5", "claude-opus-5-5", "claude-sonnet-5-5"]


async def test_a_warned_conversation_switched_to_a_model_without_the_tools_stays_valid(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    # The history holds a tool call and its result: the API refuses such a request unless the
    # tools are defined (the fake server too), so they are sent, but may not be called.
    fake_api.add(reply(tool_use(ISSUE_WARNING, {"behavior": "insults"})),
                 reply(text("Please keep it civil.")), reply(text("Sonnet here.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch, model="claude-opus-5-5"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model_catalog.listed)
        await type_and_send(pilot, "you are useless")
        await settle(pilot)
        await choose(pilot, app, "claude-sonnet-5-5")
        await type_and_send(pilot, "sorry, carry on")
        await settle(pilot)
        assert "Sonnet here." in screen_text(app)
    last = fake_api.requests[-1]
    assert last["model"] == "claude-sonnet-5-5"
    assert [t["name"] for t in last["tools"]] == [ISSUE_WARNING, END_CONVERSATION]
    assert last["tool_choice"] == {"type": "none"}
    assert "tool_choice" not in fake_api.requests[0]


async def test_the_status_line_shows_context_tokens_and_an_estimated_cost(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    fake_api.model_details = {"claude-opus-5-5": {"max_input_tokens": 200_000}}
    fake_api.add(reply(text("A reply."), usage={
        "input_tokens": 1200, "output_tokens": 56, "cache_read_input_tokens": 3400,
        "cache_creation_input_tokens": 7700}))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.model_catalog.listed)
        assert "ctx 0/200k" in status_text(app)  # the endpoint's window, not the table's
        assert "$" not in status_text(app)  # nothing spent yet
        await type_and_send(pilot, "hello")
        await settle(pilot)
        line = status_text(app)
        assert line == ("claude-opus-5-5  │  ctx 12.4k/200k · ↑1.2k ↓56 · cache r3.4k w7.7k"
                        " · ≈$0.05 est.")  # 1200×4 + 56×20 + 7700×5 + 3400×0.2 µ$
        assert len(line) <= 80
        detail = str(app.query_one("#status").tooltip)
        assert "input 1,200, output 56" in detail and "estimate" in detail


async def test_the_demo_models_status_line_shows_no_cost(data_dir) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "hello")
        await settle(pilot)
        line = status_text(app)
        assert line.startswith("offline demo model  │  tokens: ") and "$" not in line


async def test_a_full_conversation_says_so_and_points_to_branching(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, data_dir
) -> None:
    fake_api.add(reply(text("Part of a"), stop_reason="model_context_window_exceeded"))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=(120, 30)) as pilot:
        await type_and_send(pilot, "Go on")
        await until(pilot, lambda: "conversation full" in screen_text(app))
        shown = " ".join(screen_text(app).split())
        assert "f8 branches from an earlier message" in shown and "Part of a" in shown
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))  # and after a restart
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: "conversation full" in screen_text(app))
