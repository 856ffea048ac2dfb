"""The app names the model that replies: "Claude" for Claude, "the demo model" for the demo.

Also: while the end dialog waits for an answer, the reply that asked for it is shown once.
"""

from __future__ import annotations

import pytest

from claude_tui.config import DEFAULT_MODEL, DEMO_MODEL
from claude_tui.providers.choice import assistant_name
from claude_tui.providers.demo import WARNING_BEHAVIOR
from claude_tui.ui.app import END_DIALOG_GRACE, ClaudeTUI
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.transcript.message import StreamedReply
from tests.fake_api import FakeAPI, reply, text, tool_use
from tests.ui_helpers import (  # no_animations is an autouse fixture
    Clock,
    active,
    claude_options,
    demo_options,
    main_screen_text,
    no_animations,  # noqa: F401
    screen_text,
    settle,
    type_and_send,
    until,
)

TALL = (100, 44)  # room for a whole exchange above the composer


def _without_app_name(shown: str) -> str:
    return shown.replace("claude-tui", "")


def test_assistant_name() -> None:
    assert assistant_name(DEMO_MODEL) == "the demo model"
    assert assistant_name(DEFAULT_MODEL) == "Claude"
    assert assistant_name("claude-sonnet-4-5") == "Claude"


async def _dialog_open(pilot, app: ClaudeTUI) -> ConfirmEndScreen:
    await until(pilot, lambda: isinstance(app.screen, ConfirmEndScreen))
    assert isinstance(app.screen, ConfirmEndScreen)
    return app.screen


async def test_the_demo_model_is_never_called_claude(dialog_clock: Clock) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=TALL) as pilot:
        pane = active(app)
        composer = pane.composer
        assert composer is not None
        assert str(composer.placeholder).startswith("Message the demo model — ")
        # Asked to end: the dialog says who was asked, and "no" leaves a marker.
        await type_and_send(pilot, "Please end this conversation")
        dialog = await _dialog_open(pilot, app)
        shown = screen_text(app)
        assert "You asked the demo model to end this conversation." in shown
        assert "permanent" in shown
        assert dialog.asked_by == "assistant"
        dialog_clock.advance(END_DIALOG_GRACE + 0.1)  # past the grace period for stray keys
        await pilot.press("n")
        await settle(pilot)
        shown = screen_text(app)
        assert ("The demo model offered to end the conversation; you chose to keep it open."
                in shown)
        # Rude, rude again (a warning), rude after the warning (the end).
        for _ in range(3):
            if pane.composer is None:
                break
            await type_and_send(pilot, "you are useless")
            await settle(pilot)
        assert pane.conversation.is_ended
        shown = screen_text(app)
        assert f"⚠ Warning from the demo model: {WARNING_BEHAVIOR}" in shown
        assert "may lead the demo model to end the conversation permanently" in shown
        assert "⚠ The demo model gave a warning about: " + WARNING_BEHAVIOR in shown
        assert "🔒 The demo model ended this conversation on " in shown
        assert "Claude" not in _without_app_name(shown)


@pytest.mark.parametrize("answer", ["n", "y"])
async def test_claude_is_called_claude(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch, answer: str,
    dialog_clock: Clock,
) -> None:
    fake_api.add(reply(text("Let's keep this respectful."),
                       tool_use("issue_warning", {"behavior": "shouting in capitals"})))
    fake_api.add(reply(text("How can I help?")))  # the turn goes on after a warning
    fake_api.add(reply(text("I can end it if you like."),
                       tool_use("end_conversation", {"reason": "user_requested"})))
    fake_api.add(reply(text("Alright, let's carry on.")))
    app = ClaudeTUI(claude_options(fake_api, monkeypatch))
    async with app.run_test(size=TALL) as pilot:
        composer = active(app).composer
        assert composer is not None
        assert str(composer.placeholder).startswith("Message Claude — ")
        await type_and_send(pilot, "STOP IT")
        await settle(pilot)
        shown = screen_text(app)
        assert "⚠ Warning from Claude: shouting in capitals" in shown
        assert "may lead Claude to end the conversation permanently" in shown
        assert "⚠ Claude gave a warning about: shouting in capitals" in shown
        await type_and_send(pilot, "please end this conversation")
        await _dialog_open(pilot, app)
        assert "You asked Claude to end this conversation." in screen_text(app)
        dialog_clock.advance(END_DIALOG_GRACE + 0.1)
        await pilot.press(answer)
        await settle(pilot)
        shown = screen_text(app)
        if answer == "n":
            assert "Claude offered to end the conversation; you chose to keep it open." in shown
        else:
            assert "🔒 You ended this conversation on " in shown
        assert "demo model" not in shown


async def test_the_reply_is_shown_once_while_the_end_dialog_waits(
    data_dir, dialog_clock: Clock
) -> None:
    """Reported: in a new tab, "Please end this conversation" showed the demo reply twice
    (finished under "Demo model", and again as the streamed text) until the dialog closed."""
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=TALL) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_and_send(pilot, "Please end this conversation")
        await _dialog_open(pilot, app)
        saved = active(app).conversation.messages
        assert [m.role for m in saved] == ["user", "assistant"]  # the reply is on disk
        phrase = saved[1].text.split("*")[0].strip()  # its first words, on one screen line
        assert len(phrase) > 20
        view = active(app).view

        def all_streamed_text_shown() -> bool:
            return not any(reply.pending for reply in view.query(StreamedReply))

        # Let every event already sent reach the tab, and the streamed text its screen.
        await until(pilot, all_streamed_text_shown)
        for _ in range(3):
            await pilot.pause()
        await until(pilot, all_streamed_text_shown)
        behind_dialog = main_screen_text(app)
        assert behind_dialog.count(phrase) == 1, behind_dialog
        assert behind_dialog.count("Demo model") == 1  # named once, as it will be when done
        assert behind_dialog.count("Please end this conversation") == 2  # the tab's title too
        dialog_clock.advance(END_DIALOG_GRACE + 0.1)
        await pilot.press("n")
        await settle(pilot)
        shown = screen_text(app)
        assert shown.count(phrase) == 1
