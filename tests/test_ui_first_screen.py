"""A tab's first showing mounts what fills the screen first; the rest of its recent part
comes after that is painted (each message is rendered to be measured)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.transcript.message import MessageBlock
from claude_tui.ui.transcript.parts import MessagePart
from claude_tui.ui.transcript.view import RECENT
from tests.test_ui_actions import _stored
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    active,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    until,
)


async def test_the_screen_first_then_the_rest_of_the_recent_part(data_dir) -> None:
    words = [f"message number {n}" for n in range(3 * RECENT)]
    long = _stored(data_dir, words)
    ConversationStore(data_dir).session.save(TabState(open=[long.id], active=long.id))
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        view = active(app).view
        await until(pilot, lambda: len(view.query(MessageBlock)) == RECENT)
        # Shown afresh, as when the tab is first shown: the screen's worth, then the rest.
        view.loaded = False
        await view.remove_children()
        await view.load()
        first = [b.index for b in view.query(MessageBlock)]
        assert first[-1] == 3 * RECENT - 1 and len(first) < RECENT
        assert len(first) >= SIZE[1] // 3  # a screen's worth of one-line messages
        await view.all_loaded()
        blocks = [b.index for b in view.query(MessageBlock)]
        assert blocks == list(range(2 * RECENT, 3 * RECENT))
        await pilot.pause()
        assert "message number 119" in screen_text(app)
        assert view.scroll_y == view.max_scroll_y  # still at the bottom
        await pilot.press("ctrl+up")
        await until(pilot, lambda: len(view.query(MessageBlock)) == 2 * RECENT)
        assert [b.index for b in view.query(MessageBlock)] == list(range(RECENT, 3 * RECENT))



async def test_the_rest_of_the_recent_part_is_measured_in_the_background_too(
        data_dir) -> None:
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import fixtures  # long replies, cut into parts that hold guessed heights until measured

    long = fixtures.conversation(5000, title="Long replies")
    fixtures.store(data_dir, [long], open_ids=[long.id], active=long.id)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=(120, 40)) as pilot:
        view = active(app).view
        await view.all_loaded()
        await until(pilot, lambda: view.measuring.done)
        # The rest of the recent part comes after the first paint, when the parts on screen
        # are measured and no measuring is under way (as at a start in a terminal): mounted
        # again that way here, its parts hold guessed heights until measured.
        blocks = list(view.query(MessageBlock))
        on_screen = next(b for b in blocks if b.region.y >= view.region.y)
        for block in blocks[:blocks.index(on_screen)]:
            await block.remove()
        rest = asyncio.get_running_loop().create_future()
        view._rest = rest
        await view._mount_rest(view.first_shown, on_screen.index, on_screen, rest)
        remounted = [part for block in view.query(MessageBlock) if block.index < on_screen.index
                     for part in block.query(MessagePart)]
        assert any(part._guess is not None for part in remounted)

        def settled() -> bool:
            return all(part.size.width and part.measured(part.size.width) for part in remounted)

        await until(pilot, settled)  # measured in the background: the scrollbar settles
        assert view.scroll_y == view.max_scroll_y
