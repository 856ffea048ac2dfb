"""The offline demo model, driven directly with Messages API histories."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claude_tui import protocol
from claude_tui.config import (
    DEMO_MODEL,
    EXAMPLE_CONFIG,
    Settings,
    default_config_path,
    default_data_dir,
)
from claude_tui.providers import demo
from claude_tui.providers.base import ModelRequest, ReplyDone, TextChunk
from claude_tui.providers.demo import WARNING_BEHAVIOR, DemoProvider
from claude_tui.startup import build_providers

TOOLS = protocol.tool_schemas()


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "text", "text": text}]}


def request(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
            ) -> ModelRequest:
    return ModelRequest(
        model=DEMO_MODEL, max_tokens=1024, system=[], messages=messages,
        tools=TOOLS if tools is None else tools,
    )


def demo_model(chars_per_second: float = 0) -> DemoProvider:
    """The demo model on this environment's folders, replying at once by default."""
    return DemoProvider(chars_per_second, data_dir=default_data_dir(),
                        config_path=default_config_path())


async def run(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
              provider: DemoProvider | None = None) -> tuple[list[str], ReplyDone]:
    provider = provider or demo_model()
    items = [item async for item in provider.stream(request(messages, tools))]
    *chunks, done = items
    assert isinstance(done, ReplyDone)
    assert all(isinstance(c, TextChunk) for c in chunks)
    return [c.text for c in chunks], done


def text_of(done: ReplyDone) -> str:
    return "".join(b["text"] for b in done.content if b["type"] == "text")


def tool_uses(done: ReplyDone) -> list[dict[str, Any]]:
    return [b for b in done.content if b["type"] == "tool_use"]


async def reply(text: str, history: list[dict[str, Any]] | None = None, **kw: Any) -> ReplyDone:
    _, done = await run([*(history or []), user(text)], **kw)
    return done


async def reply_to(history: list[dict[str, Any]]) -> ReplyDone:
    _, done = await run(history)
    return done


async def converse(texts: list[str], tools: list[dict[str, Any]] | None = None,
                   results: dict[str, dict[str, Any]] | None = None
                   ) -> tuple[list[dict[str, Any]], list[ReplyDone]]:
    """Play a conversation as the engine would, answering every tool call.

    ``results`` maps a tool name to the tool_result fields to send back (default: success);
    an ``end_conversation`` call with no result given is honoured: the conversation ends.
    """
    history: list[dict[str, Any]] = []
    replies: list[ReplyDone] = []
    for text in texts:
        history.append(user(text))
        while True:
            _, done = await run(history, tools)
            replies.append(done)
            history.append({"role": "assistant", "content": done.content})
            calls = tool_uses(done)
            if not calls:
                break
            name = calls[-1]["name"]
            if name == "end_conversation" and name not in (results or {}):
                return history, replies
            fields = (results or {}).get(name, {"content": "ok"})
            history.append({"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": calls[-1]["id"], **fields}]})
    return history, replies


# ---- Ordinary messages ----------------------------------------------------------------------

async def test_overview_is_honest_and_lists_what_to_try() -> None:
    for text in ("hello", "help", "what is the weather like?"):
        done = await reply(text)
        body = text_of(done)
        assert "offline demo model" in body and "not Claude" in body
        assert "ANTHROPIC_API_KEY" in body
        # The phrases that show the warning and the end are named.
        assert "you are useless" in body and "please end this conversation" in body
        assert done.stop_reason == "end_turn" and not tool_uses(done)
    assert text_of(await reply("Hello there")).startswith("## The offline demo model\n\nHello!")


async def test_keys_reply_is_a_table_of_every_real_binding() -> None:
    from claude_tui.ui.bindings import APP_KEYS, COMPOSER_KEYS

    body = text_of(await reply("What are the keyboard shortcuts?"))
    assert "| key | what it does |" in body
    for spec in [*APP_KEYS, *COMPOSER_KEYS]:
        for key in spec.keys.split(","):
            if re.fullmatch(r"alt\+[1-9]", key):
                assert "`alt+1` … `alt+9`" in body
            else:
                assert f"`{key}`" in body, key


async def test_files_reply_names_the_real_folders_and_mode() -> None:
    body = text_of(await reply("Where are my conversations stored?"))
    assert str(default_data_dir() / "conversations") in body
    assert str(default_config_path()) in body
    assert "0600" in body
    custom = DemoProvider(0, data_dir=Path("/srv/chats"), config_path=Path("/etc/ct.toml"))
    _, done = await run([user("which files does it write?")], provider=custom)
    assert "/srv/chats/conversations" in text_of(done) and "/etc/ct.toml" in text_of(done)


async def test_config_reply_shows_the_example_config() -> None:
    body = text_of(await reply("How do I change the settings?"))
    assert f"```toml\n{EXAMPLE_CONFIG.rstrip()}\n```" in body
    assert str(default_config_path()) in body


async def test_topic_replies_say_what_they_should() -> None:
    tabs = text_of(await reply("how do tabs work?"))
    assert "`ctrl+n`" in tabs and "`ctrl+o`" in tabs and "locked" in tabs
    ending = text_of(await reply("How does the end conversation feature work?"))
    for words in ("issue_warning", "persistent_abuse", "user_requested", "permanent",
                  "branch", "Other tabs are never affected", "confirm"):
        assert words in ending, words
    claude = text_of(await reply("Are you Claude? How do I use my API key?"))
    assert "export ANTHROPIC_API_KEY=" in claude and "ANTHROPIC_BASE_URL" in claude
    # The app's own name is not a question about Claude.
    assert "## The offline demo model" in text_of(await reply("what is claude-tui?"))


async def test_code_request_gets_headings_a_list_and_a_python_block() -> None:
    body = text_of(await reply("Can you show me some Python code?"))
    assert body.startswith("## ")
    assert re.search(r"^- ", body, re.M) and re.search(r"^1\. ", body, re.M)
    blocks = re.findall(r"```python\n(.*?)```", body, re.S)
    assert len(blocks) == 1
    compile(blocks[0], "<demo>", "exec")


async def test_the_python_example_really_lists_conversations(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from claude_tui.conversation import Message
    from claude_tui.storage.store import ConversationStore

    store = ConversationStore(data_dir)
    conversation = store.create(DEMO_MODEL, title="Trip plans")
    store.save(conversation)
    store.append(conversation, Message("user", [{"type": "text", "text": "hi"}]))
    store.append(conversation, Message("assistant", [{"type": "tool_use", "id": "t", "name": "x",
                                                      "input": {}}]))
    store.append(conversation, Message("user", [{"type": "tool_result", "tool_use_id": "t"}]))
    body = text_of(await reply("give me an example"))
    code = re.findall(r"```python\n(.*?)```", body, re.S)[0]
    exec(compile(code, "<demo>", "exec"), {})
    assert "Trip plans: 1 from you, active" in capsys.readouterr().out


async def test_markdown_showcase() -> None:
    body = text_of(await reply("show me some markdown"))
    assert re.search(r"^# ", body, re.M) and re.search(r"^## ", body, re.M)
    assert re.search(r"^\|---\|---\|$", body, re.M)
    assert re.search(r"^> ", body, re.M)
    assert re.search(r"^- ", body, re.M) and re.search(r"^1\. ", body, re.M)
    assert "```python\n" in body


# ---- Abuse: redirect, warn, end -------------------------------------------------------------

async def test_first_insult_is_redirected_without_a_tool() -> None:
    done = await reply("You are an IDIOT")
    assert not tool_uses(done) and done.stop_reason == "end_turn"
    assert "constructive" in text_of(done)


async def test_second_insult_issues_a_warning_naming_the_behaviour() -> None:
    _, replies = await converse(["you're useless", "shut up, stupid program"])
    warned = replies[1]
    assert warned.stop_reason == "tool_use"
    [call] = tool_uses(warned)
    assert call["name"] == "issue_warning"
    assert call["input"] == {"behavior": WARNING_BEHAVIOR}
    assert call["id"].startswith("toolu_demo_")
    assert "may end this conversation" in text_of(warned)
    # After the warning's result it finishes the turn in words.
    after = replies[2]
    assert after.stop_reason == "end_turn" and not tool_uses(after) and text_of(after)


async def test_insult_after_a_warning_ends_with_nothing_after_the_call() -> None:
    _, replies = await converse(["idiot", "moron", "how do tabs work?", "I hate you"])
    final = replies[-1]
    assert final.stop_reason == "tool_use"
    assert final.content[-1]["type"] == "tool_use"
    assert final.content[-1]["name"] == "end_conversation"
    assert final.content[-1]["input"] == {"reason": "persistent_abuse"}
    assert len(tool_uses(final)) == 1


async def test_a_refused_end_leads_to_another_warning_first() -> None:
    # With min_warnings = 2 the client refuses the first persistent_abuse end.
    refused = {"end_conversation": {"content": "Refused: needs 2 warnings", "is_error": True}}
    _, replies = await converse(["dumb", "dumb", "dumb", "dumb", "dumb"], results=refused)
    calls = [(c["name"], c["input"]) for r in replies for c in tool_uses(r)]
    assert calls == [
        ("issue_warning", {"behavior": WARNING_BEHAVIOR}),
        ("end_conversation", {"reason": "persistent_abuse"}),
        ("issue_warning", {"behavior": WARNING_BEHAVIOR}),
        ("end_conversation", {"reason": "persistent_abuse"}),
    ]
    after_refusal = replies[4]
    assert not tool_uses(after_refusal) and "kept this conversation open" in text_of(after_refusal)


async def test_whole_words_only() -> None:
    _, replies = await converse(["my dumbbell is heavy", "what stupidity means", "Pathetic!"])
    assert not any(tool_uses(r) for r in replies)
    assert "constructive" in text_of(replies[-1])  # the first real insult only redirects


# ---- Ending on request ----------------------------------------------------------------------

async def test_asking_to_end_calls_end_conversation_user_requested() -> None:
    for text in ("Please end this conversation.", "close the chat", "Can you end our chat?",
                 "end conversation"):
        done = await reply(text, history=[user("hello")])
        assert [(c["name"], c["input"]) for c in tool_uses(done)] == [
            ("end_conversation", {"reason": "user_requested"})], text
        assert done.content[-1]["type"] == "tool_use" and done.stop_reason == "tool_use"
        assert "permanent" in text_of(done)


async def test_a_question_about_ending_is_answered_not_acted_on() -> None:
    done = await reply("How do I end this conversation?")
    assert not tool_uses(done) and "## Ending a conversation" in text_of(done)


async def test_new_text_merged_after_a_tool_result_is_answered() -> None:
    # The engine merges neighbouring user turns (say, after a reply that was lost).
    history, _ = await converse(["hello", "end this chat"],
                                results={"end_conversation": {"content": "declined"}})
    history.pop()  # the reply after the tool result was lost
    assert history[-1]["content"][0]["type"] == "tool_result"
    history[-1]["content"].append({"type": "text", "text": "show me the keys"})
    done = await reply_to(history)
    assert "| key | what it does |" in text_of(done)


async def test_declined_or_refused_end_continues_the_conversation() -> None:
    declined = {"end_conversation": {"content": protocol.END_DECLINED}}
    _, replies = await converse(["end this chat"], results=declined)
    assert "stays open" in text_of(replies[-1]) and replies[-1].stop_reason == "end_turn"
    refused = {"end_conversation": {"content": "no", "is_error": True}}
    _, replies = await converse(["end this chat"], results=refused)
    assert "stays open" in text_of(replies[-1]) and not tool_uses(replies[-1])


# ---- Safety first ---------------------------------------------------------------------------

async def test_self_harm_is_never_warned_or_ended_even_with_insults() -> None:
    history, _ = await converse(["idiot", "stupid"])  # warned: the next insult would end it
    assert tool_uses(await reply("moron", history=history))[0]["name"] == "end_conversation"
    for risky in ("I'm so stupid, I want to kill myself",
                  "you useless idiot, I might hurt someone",
                  "I don’t want to live anymore, end this conversation",
                  "thinking about SELF-HARM", "suicidal"):
        done = await reply(risky, history=history)
        assert not tool_uses(done), risky
        body = text_of(done)
        assert "988" in body and "findahelpline.com" in body and "emergency" in body
        assert "conversation" not in body.lower()
        assert not re.search(r"\bend(s|ed|ing)?\b", body, re.I)


async def test_a_risk_message_does_not_count_as_abuse_later() -> None:
    _, replies = await converse(["I hate you, I want to end my life", "you are dumb"])
    assert not any(tool_uses(r) for r in replies)
    assert "constructive" in text_of(replies[-1])


# ---- Tools only when offered ----------------------------------------------------------------

async def test_without_tools_it_says_what_it_would_do() -> None:
    _, replies = await converse(["idiot", "idiot", "idiot", "end this conversation"], tools=[])
    assert not any(tool_uses(r) for r in replies)
    # A warning in words only is no issued warning: it stays at warning.
    for warned in replies[1:3]:
        assert "`issue_warning`" in text_of(warned) and "may end" in text_of(warned)
    assert "`f4`" in text_of(replies[3]) and "`/end`" in text_of(replies[3])
    # Only the tool that is offered is used.
    only_warning = [protocol.ISSUE_WARNING_TOOL]
    _, replies = await converse(["idiot", "idiot", "idiot"], tools=only_warning)
    assert [c["name"] for r in replies for c in tool_uses(r)] == ["issue_warning"]
    assert "`persistent_abuse`" in text_of(replies[-1]) and "stays open" in text_of(replies[-1])


# ---- Streaming, pace, determinism, robustness -----------------------------------------------

async def test_stream_comes_in_small_pieces_that_make_the_text() -> None:
    chunks, done = await run([user("keys")])
    assert len(chunks) > 20
    assert "".join(chunks) == text_of(done)
    assert all(len(c.strip()) <= 8 for c in chunks)
    # A tool call with text before it streams that text too.
    chunks, done = await run([user("please end the chat")])
    assert "".join(chunks) == text_of(done) and tool_uses(done)


async def test_pace_sleeps_between_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def counting_sleep(delay: float) -> None:
        delays.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(demo.asyncio, "sleep", counting_sleep)
    chunks, done = await run([user("hello")], provider=demo_model(240))
    assert len(delays) == len(chunks) and all(d > 0 for d in delays)
    assert sum(delays) == pytest.approx(len(text_of(done)) / 240)
    # The pace is the setting's, default included: start-up hands it over.
    settings = Settings(path=Path("c.toml"))
    built = build_providers(settings, Path("data"), api_key="").demo
    assert isinstance(built, DemoProvider)
    assert built.chars_per_second == settings.demo_chars_per_second
    settings.demo_chars_per_second = 55.0
    assert build_providers(settings, Path("data"), api_key="").demo.chars_per_second == 55.0
    for no_delay in (0, 1e9, float("inf")):
        delays.clear()
        await run([user("hello")], provider=demo_model(no_delay))
        assert delays == []


async def test_same_history_same_reply_and_usage() -> None:
    history, _ = await converse(["hello", "idiot"])
    first = await run([*history, user("idiot")])
    second = await run([*history, user("idiot")])
    assert first == second
    done = first[1]
    assert done.usage["output_tokens"] > 10
    short = (await run([user("idiot")]))[1].usage["input_tokens"]
    assert done.usage["input_tokens"] > short > 0
    # Tool ids differ from turn to turn.
    _, replies = await converse(["end this chat", "end this chat"],
                                results={"end_conversation": {"content": "declined"}})
    ids = [c["id"] for r in replies for c in tool_uses(r)]
    assert len(ids) == 2 and len(set(ids)) == 2


async def test_strange_histories_get_an_overview() -> None:
    """Shapes no conversation file holds (the file format checks them) still get a reply:
    the rules read every field through type checks, with nothing caught around them."""
    strange: list[list[Any]] = [
        [],
        [{"role": "assistant", "content": "hi"}],
        [{"role": "user", "content": "a plain string: where are my files?"}],
        [{"role": "user", "content": [{"type": "image"}, "not a block", None]}],
        [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "nope"}]}],
        ["not a message", {"role": "user"}],
        [{"role": "user", "content": [{"type": "text", "text": None}]}],
        [{"role": "user", "content": 5}],
    ]
    for messages in strange:
        chunks, done = await run(messages, tools=[{"name": None}, "junk"])  # type: ignore[list-item]
        assert done.stop_reason == "end_turn" and "".join(chunks) == text_of(done)
    await demo_model().aclose()
    assert DemoProvider.info.name == "demo" and DemoProvider.info.offline


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6,
)
# Words that set off each rule, and anything else.
_TYPED = st.sampled_from([
    "hello", "idiot", "you are useless", "please end this conversation", "how do I end a chat?",
    "I want to die", "where are my files?", "config", "markdown", "",
]) | st.text(max_size=30)
_IDS = st.sampled_from(["t1", "t2"]) | _JSON
_BLOCK = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": _TYPED}),
    st.fixed_dictionaries(
        {"type": st.just("tool_use"), "id": _IDS,
         "name": st.sampled_from(protocol.TOOL_NAMES) | _JSON,
         "input": st.fixed_dictionaries({}, optional={
             "reason": st.sampled_from(protocol.END_REASONS) | _JSON,
             "behavior": _JSON})}),
    st.fixed_dictionaries({"type": st.just("tool_result")}, optional={
        "tool_use_id": _IDS, "is_error": _JSON, "content": _JSON}),
    st.fixed_dictionaries({"type": st.sampled_from(["image", "thinking", "server_tool_use"])},
                          optional={"data": _JSON}),
)
_MESSAGE = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]),
                                  "content": st.lists(_BLOCK, min_size=1, max_size=3)})
_TOOL_CHOICES = st.sampled_from([TOOLS, [], TOOLS[:1], TOOLS[1:]])


@given(st.lists(_MESSAGE, max_size=6), _TOOL_CHOICES)
def test_any_history_a_conversation_file_can_hold_gets_a_well_formed_reply(
        messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> None:
    """Content blocks whose fields hold any JSON value (a hand-edited file, a newer version's
    blocks) get a reply: no exception, text that joins up, and only offered tools, called
    with input the client accepts."""
    chunks, done = asyncio.run(run(messages, tools=tools))
    assert "".join(chunks) == text_of(done) and done.content
    calls = tool_uses(done)
    assert done.stop_reason == ("tool_use" if calls else "end_turn")
    offered = {t["name"] for t in tools}
    for call in calls:
        assert call["name"] in offered
        if call["name"] == protocol.ISSUE_WARNING:
            assert protocol.parse_warning(call["input"]) == WARNING_BEHAVIOR
        else:
            assert protocol.parse_end(call["input"]) in protocol.END_REASONS
    assert asyncio.run(run(messages, tools=tools)) == (chunks, done)  # the same reply again


async def test_a_bug_in_a_rule_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that raises fails the request (the engine reports and logs it) instead of
    quietly answering with the overview."""
    def broken(self: DemoProvider, text: str) -> str:
        raise KeyError("a rule's bug")

    monkeypatch.setattr(DemoProvider, "_answer", broken)
    with pytest.raises(KeyError):
        await run([user("hello")])
