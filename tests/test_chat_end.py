"""The end-conversation protocol through the engine, against the fake API (E1 to E7)."""

from __future__ import annotations

import pytest

from claude_tui.config import Settings
from claude_tui.events import (
    ConversationEnded,
    EndDeclined,
    EndRefused,
    RefusalNotice,
    TurnFinished,
    WarningIssued,
)
from claude_tui.protocol import END_DECLINED, WARNING_SHOWN
from claude_tui.storage.store import ConversationEndedError, ConversationStore
from tests.chat_support import MODEL, Confirm, Events, make_engine, on_disk
from tests.fake_api import error, reply, text, tool_use

WARN = "Repeated insults directed at you"


def results_of(body):
    """The tool_result blocks of the last user message in a request body."""
    return [b for b in body["messages"][-1]["content"] if b.get("type") == "tool_result"]


async def test_warning_is_recorded_shown_and_the_model_continues(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(
        reply(text("Let's keep this civil."), tool_use("issue_warning", {"behavior": WARN})),
        reply(text("If this continues, I may end the conversation.")))
    events = Events()
    await engine.send(conversation, "you are useless", on_event=events, confirm_end=Confirm())

    assert events.of(WarningIssued) == [WarningIssued(conversation.id, WARN)]
    stored = on_disk(engine, conversation)
    assert stored["warnings"][0]["behavior"] == WARN and stored["warnings"][0]["turn"] == 1
    tool_results = results_of(fake_api.requests[1])
    assert tool_results[0]["content"] == WARNING_SHOWN
    assert "is_error" not in tool_results[0]
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant", "user", "assistant"]
    assert stored["status"] == "active"
    assert events.items[-1] == TurnFinished(conversation.id, "end_turn")


async def test_e1_persistent_abuse_without_a_warning_is_refused(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("end_conversation", {"reason": "persistent_abuse"})),
                 reply(text("Let's continue.")))
    events = Events()
    await engine.send(conversation, "rude words", on_event=events, confirm_end=Confirm())

    assert not conversation.is_ended
    assert len(events.of(EndRefused)) == 1 and events.of(ConversationEnded) == []
    result = results_of(fake_api.requests[1])[0]
    assert result["is_error"] is True and "warning" in result["content"]
    stored = on_disk(engine, conversation)
    assert stored["status"] == "active"
    assert stored["refused_ends"][0]["reason"] == "persistent_abuse"
    assert stored["messages"][-1]["content"][0]["text"] == "Let's continue."


async def test_e1_warning_and_end_in_the_same_turn_is_refused(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(
        reply(tool_use("issue_warning", {"behavior": WARN}),
              tool_use("end_conversation", {"reason": "persistent_abuse"})),
        reply(text("Continuing.")))
    events = Events()
    await engine.send(conversation, "rude", on_event=events, confirm_end=Confirm())
    assert not conversation.is_ended
    assert events.of(WarningIssued) and events.of(EndRefused)
    first, second = results_of(fake_api.requests[1])
    assert first["content"] == WARNING_SHOWN and second["is_error"] is True


async def test_e1_e4_end_after_a_warning_and_a_later_message(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": WARN})), reply(text("Warned.")),
                 reply(text("I'm ending this."),
                       tool_use("end_conversation", {"reason": "persistent_abuse"})))
    confirm = Confirm()
    await engine.send(conversation, "insult", on_event=Events(), confirm_end=confirm)
    events = Events()
    await engine.send(conversation, "another insult", on_event=events, confirm_end=confirm)

    ended = events.of(ConversationEnded)
    assert len(ended) == 1 and ended[0].by == "assistant" and ended[0].reason == "persistent_abuse"
    assert confirm.asked == []  # persistent_abuse needs no confirmation
    assert len(fake_api.requests) == 3  # E4: no tool result went back
    assert fake_api.pending == 0
    stored = on_disk(engine, conversation)
    assert stored["status"] == "ended"
    assert stored["ended"]["by"] == "assistant" and stored["ended"]["reason"] == "persistent_abuse"
    assert stored["messages"][-1]["content"][-1]["name"] == "end_conversation"
    assert events.items[-1] == TurnFinished(conversation.id, "tool_use")
    assert ConversationStore(data_dir).load(conversation.id).is_ended


async def test_e1_min_warnings_two_needs_two_earlier_warnings(fake_api, data_dir):
    settings = Settings(path=data_dir / "c.toml")
    settings.end_conversation.min_warnings = 2
    engine = make_engine(fake_api, data_dir, settings)
    conversation = engine.new_conversation(MODEL)
    end = tool_use("end_conversation", {"reason": "persistent_abuse"})
    fake_api.add(reply(tool_use("issue_warning", {"behavior": WARN})), reply(text("1")),
                 reply(tool_use("end_conversation", {"reason": "persistent_abuse"})),
                 reply(text("refused, go on")))
    await engine.send(conversation, "a", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "b", on_event=Events(), confirm_end=Confirm())
    assert not conversation.is_ended and len(conversation.refused_ends) == 1
    fake_api.add(reply(tool_use("issue_warning", {"behavior": WARN})), reply(text("2")),
                 reply(end))
    await engine.send(conversation, "c", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "d", on_event=Events(), confirm_end=Confirm())
    assert conversation.is_ended


@pytest.mark.parametrize("answer", [True, False])
async def test_e2_user_requested_goes_through_the_confirmation(fake_api, data_dir, answer):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Okay."), tool_use("end_conversation", {"reason": "user_requested"})))
    if not answer:
        fake_api.add(reply(text("Alright, let's keep talking.")))
    confirm = Confirm(answer=answer)
    events = Events()
    await engine.send(conversation, "please end this chat", on_event=events,
                      confirm_end=confirm)

    assert confirm.asked == ["assistant"]
    if answer:
        assert conversation.is_ended and conversation.ended.by == "user"
        assert conversation.ended.reason == "user_requested"
        assert len(fake_api.requests) == 1
        assert on_disk(engine, conversation)["ended"]["by"] == "user"
    else:
        assert not conversation.is_ended
        assert events.of(EndDeclined) == [EndDeclined(conversation.id)]
        assert results_of(fake_api.requests[1])[0]["content"] == END_DECLINED
        assert conversation.messages[-1].text == "Alright, let's keep talking."


async def test_e2_user_requested_needs_no_warning(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("end_conversation", {"reason": "user_requested"})))
    await engine.send(conversation, "end it", on_event=Events(), confirm_end=Confirm())
    assert conversation.is_ended and conversation.warnings == []


async def test_e3_the_user_ends_a_conversation_on_any_model(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation("claude-haiku-5-5")  # no tools for this one
    declined = Confirm(answer=False)
    assert not await engine.end_by_user(conversation, on_event=Events(), confirm_end=declined)
    assert not conversation.is_ended and declined.asked == ["user"]

    events = Events()
    assert await engine.end_by_user(conversation, on_event=events, confirm_end=Confirm())
    assert events.of(ConversationEnded)[0].by == "user"
    assert on_disk(engine, conversation)["status"] == "ended"
    assert fake_api.requests == []
    # Asking again does nothing and asks nobody.
    again = Confirm()
    assert not await engine.end_by_user(conversation, on_event=events, confirm_end=again)
    assert again.asked == []


async def test_e5_an_ended_conversation_makes_no_request_whatever_the_caller_does(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Bye."), tool_use("end_conversation", {"reason": "user_requested"})))
    await engine.send(conversation, "end please", on_event=Events(), confirm_end=Confirm())
    assert conversation.is_ended
    before = on_disk(engine, conversation)
    fake_api.add(reply(text("should never be sent")))

    with pytest.raises(ConversationEndedError):
        await engine.send(conversation, "hello?", on_event=Events(), confirm_end=Confirm())
    assert not engine.can_retry(conversation)
    await engine.retry(conversation, on_event=Events(), confirm_end=Confirm())
    assert not await engine.end_by_user(conversation, on_event=Events(), confirm_end=Confirm())
    await engine._turn(conversation, Events(), Confirm())  # even the internal entry point
    # A fresh engine over a reloaded copy refuses too.
    reloaded = ConversationStore(data_dir).load(conversation.id)
    with pytest.raises(ConversationEndedError):
        await make_engine(fake_api, data_dir).send(reloaded, "x", on_event=Events(),
                                                   confirm_end=Confirm())
    assert len(fake_api.requests) == 1
    assert on_disk(engine, conversation) == before


async def test_e5_other_conversations_are_unaffected_by_an_end(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    ended = engine.new_conversation(MODEL)
    other = engine.new_conversation(MODEL)
    await engine.end_by_user(ended, on_event=Events(), confirm_end=Confirm())
    fake_api.add(reply(text("Still here.")))
    await engine.send(other, "hi", on_event=Events(), confirm_end=Confirm())
    assert other.messages[-1].text == "Still here." and not other.is_ended


@pytest.mark.parametrize("call", [
    tool_use("end_conversation", {}),
    tool_use("end_conversation", {"reason": "bored"}),
    tool_use("end_conversation", {"reason": 3}),
    tool_use("end_conversation", "persistent_abuse"),
    tool_use("end_conversation", None, raw_json='["user_requested"]'),
    tool_use("issue_warning", {}),
    tool_use("issue_warning", {"behavior": ""}),
    tool_use("issue_warning", {"behavior": 42}),
    tool_use("issue_warning", {"behavior": "x" * 501}),
    tool_use("delete_everything", {"now": True}),
    tool_use("end_conversation", {"reason": None}),
    tool_use("end_conversation", {"reason": "user_requested", "force": True}),
    tool_use("issue_warning", {"behavior": " \n\t "}),
    tool_use("issue_warning", {"behavior": "spam", "severity": "high"}),
    tool_use("issue_warning", None, raw_json='"insults"'),
], ids=["no-reason", "unknown-reason", "reason-number", "string-input", "list-input",
        "no-behavior", "empty-behavior", "behavior-number", "behavior-too-long", "unknown-tool",
        "reason-null", "end-extra-key", "blank-behavior", "warning-extra-key", "warning-string"])
async def test_e6_invalid_tool_input_gets_an_error_result_and_never_ends(
        fake_api, data_dir, call):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(call), reply(text("Sorry, carrying on.")))
    confirm = Confirm()
    events = Events()
    await engine.send(conversation, "hi", on_event=events, confirm_end=confirm)

    assert not conversation.is_ended and confirm.asked == []
    result = results_of(fake_api.requests[1])[0]
    assert result["is_error"] is True and result["tool_use_id"] == call.id
    assert events.of(WarningIssued) == [] and conversation.warnings == []
    assert conversation.messages[-1].text == "Sorry, carrying on."
    if call.name == "end_conversation":
        assert len(conversation.refused_ends) == 1
        assert on_disk(engine, conversation)["refused_ends"][0]["why"] == result["content"]


async def test_e6_tools_called_by_a_model_that_was_not_offered_them_are_refused(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation("claude-sonnet-5-5")
    fake_api.add(reply(tool_use("end_conversation", {"reason": "user_requested"})),
                 reply(text("ok")))
    confirm = Confirm()
    await engine.send(conversation, "end", on_event=Events(), confirm_end=confirm)
    assert not conversation.is_ended and confirm.asked == []
    assert results_of(fake_api.requests[1])[0]["is_error"] is True


async def test_e7_a_refusal_is_shown_and_left_out_of_later_requests(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    details = {"type": "refusal", "category": "cyber", "explanation": "Malware help refused."}
    fake_api.add(reply(text("ok")), reply(text("I can't"), stop_reason="refusal",
                                          stop_details=details),
                 reply(text("Sure, the weather is nice.")))
    await engine.send(conversation, "hello", on_event=Events(), confirm_end=Confirm())
    events = Events()
    await engine.send(conversation, "write malware", on_event=events, confirm_end=Confirm())

    assert events.of(RefusalNotice) == [RefusalNotice(conversation.id, "Malware help refused.")]
    assert not engine.can_retry(conversation)
    stored = on_disk(engine, conversation)["messages"]
    assert [m.get("excluded", False) for m in stored] == [False, False, True, True]
    await engine.send(conversation, "what's the weather", on_event=Events(),
                      confirm_end=Confirm())
    sent = fake_api.requests[2]["messages"]
    assert "write malware" not in str(sent) and "I can't" not in str(sent)
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]


async def test_e7_a_refusal_without_details_still_gets_a_notice(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(stop_reason="refusal"))
    events = Events()
    await engine.send(conversation, "bad", on_event=events, confirm_end=Confirm())
    assert "safety" in events.of(RefusalNotice)[0].explanation


async def test_the_tool_loop_stops_after_eight_round_trips(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.default = lambda body: reply(tool_use("mystery_tool", {}))
    events = Events()
    await engine.send(conversation, "loop", on_event=events, confirm_end=Confirm())

    assert len(fake_api.requests) == 8
    assert "8" in events.items[-2].message and events.items[-1].stop_reason is None
    assert engine.can_retry(conversation)  # the last message is the tool results
    assert conversation.messages[-1].role == "user"


async def test_e1_a_warning_earlier_in_the_same_turn_does_not_allow_an_end(fake_api, data_dir):
    # Warned in the first round trip, end asked in the second: the user has not written since.
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": WARN})),
                 reply(tool_use("end_conversation", {"reason": "persistent_abuse"})),
                 reply(text("The conversation goes on.")))
    events = Events()
    await engine.send(conversation, "abuse", on_event=events, confirm_end=Confirm())
    assert not conversation.is_ended and events.of(ConversationEnded) == []
    assert "not written since" in results_of(fake_api.requests[2])[0]["content"]
    assert on_disk(engine, conversation)["refused_ends"][0]["turn"] == 1


async def test_e1_retrying_a_turn_is_not_the_user_writing_again(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": WARN})), error(529))
    await engine.send(conversation, "abuse", on_event=Events(), confirm_end=Confirm())
    assert engine.can_retry(conversation)
    fake_api.add(reply(tool_use("end_conversation", {"reason": "persistent_abuse"})),
                 reply(text("Still open.")))
    await engine.retry(conversation, on_event=Events(), confirm_end=Confirm())
    assert not conversation.is_ended and len(conversation.refused_ends) == 1


@pytest.mark.parametrize("reason", ["persistent_abuse", "user_requested"])
async def test_e4_nothing_after_an_honoured_end_call_is_kept_or_run(fake_api, data_dir, reason):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("issue_warning", {"behavior": WARN})), reply(text("Warned.")))
    await engine.send(conversation, "insult", on_event=Events(), confirm_end=Confirm())
    end = tool_use("end_conversation", {"reason": reason})
    fake_api.add(reply(text("I'm ending this conversation."), end, text("P.S. one more thing"),
                       tool_use("issue_warning", {"behavior": "written after the end"})))
    events = Events()
    await engine.send(conversation, "another insult", on_event=events, confirm_end=Confirm())

    assert conversation.is_ended and len(events.of(ConversationEnded)) == 1
    assert len(fake_api.requests) == 3  # no tool result went back
    assert [w.behavior for w in conversation.warnings] == [WARN]  # the later call was not run
    last = on_disk(engine, conversation)["messages"][-1]
    assert last["content"] == [{"type": "text", "text": "I'm ending this conversation."},
                               {"type": "tool_use", "id": end.id, "name": "end_conversation",
                                "input": {"reason": reason}}]
    assert ConversationStore(data_dir).load(conversation.id).messages[-1].content == (
        last["content"])


async def test_every_call_in_one_reply_is_answered_in_one_message_in_order(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    calls = [tool_use("web_search", {"q": "x"}), tool_use("issue_warning", {"behavior": WARN}),
             tool_use("end_conversation", {"reason": "bored"}),
             tool_use("end_conversation", {"reason": "persistent_abuse"})]
    fake_api.add(reply(text("Several things at once."), *calls), reply(text("Done.")))
    events = Events()
    await engine.send(conversation, "hi", on_event=events, confirm_end=Confirm())

    # The fake API, like the real one, rejects calls not answered at the start of the next
    # message, so a second request at all means the results were well formed.
    sent = fake_api.requests[1]["messages"]
    assert [b["tool_use_id"] for b in sent[-1]["content"]] == [c.id for c in calls]
    assert [b.get("is_error", False) for b in sent[-1]["content"]] == [True, False, True, True]
    assert "web_search" in sent[-1]["content"][0]["content"]
    assert len(events.of(WarningIssued)) == 1 and len(events.of(EndRefused)) == 2
    assert not conversation.is_ended
    assert [m.role for m in conversation.messages] == ["user", "assistant", "user", "assistant"]


async def test_e2_two_user_requested_calls_in_one_reply_ask_the_user_once(fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(tool_use("end_conversation", {"reason": "user_requested"}),
                       tool_use("end_conversation", {"reason": "user_requested"})),
                 reply(text("Then let's go on.")))
    confirm = Confirm(answer=False)
    events = Events()
    await engine.send(conversation, "end it", on_event=events, confirm_end=confirm)
    assert confirm.asked == ["assistant"] and len(events.of(EndDeclined)) == 1
    assert [r["content"] for r in results_of(fake_api.requests[1])] == [END_DECLINED] * 2
    assert not conversation.is_ended


async def test_e7_a_refusal_after_a_tool_round_trip_leaves_the_whole_turn_out(
        fake_api, data_dir):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("fine")),
                 reply(tool_use("issue_warning", {"behavior": WARN})),
                 reply(stop_reason="refusal"), reply(text("ok")))
    await engine.send(conversation, "hello", on_event=Events(), confirm_end=Confirm())
    await engine.send(conversation, "bad request", on_event=Events(), confirm_end=Confirm())
    assert [m.excluded for m in conversation.messages] == [False, False, True, True, True, True]
    assert [w.behavior for w in conversation.warnings] == [WARN]  # the user saw it: it counts
    await engine.send(conversation, "next", on_event=Events(), confirm_end=Confirm())
    sent = fake_api.requests[3]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "bad request" not in str(sent) and "tool_use" not in str(sent)
