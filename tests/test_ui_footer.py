"""The key bar follows the shown tab, and is rebuilt once however often the keys changed."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from claude_tui.ui.app import ClaudeTUI
from tests.test_ui_conversation import _ended_conversation
from tests.ui_helpers import SIZE, active, demo_options, screen_text, settle, type_and_send


def rename_dimmed(app: ClaudeTUI) -> bool:
    key = next(key for key in app.query(FooterKey) if key.action == "rename")
    return key.has_class("-disabled")


async def test_the_key_bar_dims_what_the_shown_tab_cannot_do(data_dir) -> None:
    ended = _ended_conversation(data_dir)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert active(app).conversation.id == ended.id
        assert rename_dimmed(app)  # an ended conversation cannot be renamed
        # A new tab, then back and forth: the keys change with each, the bar rebuilt once
        # for all the changes that came before it was painted, reading them as they are then.
        await pilot.press("ctrl+n", "alt+1", "alt+2", "alt+1", "alt+2")
        await settle(pilot)
        assert active(app).conversation.id != ended.id
        assert not rename_dimmed(app)
        await pilot.press("alt+1")
        await settle(pilot)
        assert rename_dimmed(app)


async def test_a_reply_leaves_the_key_bar_as_it_was_when_its_keys_stay_the_same() -> None:
    """A turn's start and end ask the bar to follow the keys (an ended conversation dims
    some); with the same keys, the bar keeps its widgets: a rebuild would lay the screen out
    twice, under a long reply, while the user types."""
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = list(app.query(FooterKey))
        assert before
        await type_and_send(pilot, "hello there")
        await settle(pilot)
        assert "hello there" in screen_text(app)
        assert active(app).conversation.messages[-1].role == "assistant"
        assert list(app.query(FooterKey)) == before
        assert all(key.is_attached for key in before)
