"""Files that could not be read: one notice at start-up however many there are, and a list the
user can open from the command palette all session."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from claude_tui.conversation import Message
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.dialogs.problems import ProblemsScreen
from tests.ui_helpers import (  # no_animations is an autouse fixture
    SIZE,
    demo_options,
    no_animations,  # noqa: F401
    screen_text,
    until,
)


def _damage(data_dir: Path, count: int) -> list[Path]:
    store = ConversationStore(data_dir)
    paths = []
    for number in range(count):
        conversation = store.create("claude-tui-demo", title=f"doomed {number}")
        store.append(conversation, Message(role="user",
                                           content=[{"type": "text", "text": "hello"}]))
        path = store.path_for(conversation.id)
        path.write_bytes(b'{"schema": 1, "id": ')
        paths.append(path)
    # Open in tabs, so the start-up finds them all.
    store.session.save(TabState(open=[p.stem for p in paths], active=paths[0].stem))
    return paths


def _shown(screen: ProblemsScreen) -> str:
    return "\n".join(str(s.render()) for s in screen.query(Static))


async def test_seven_damaged_files_give_one_notice_and_one_list(data_dir: Path) -> None:
    paths = _damage(data_dir, 7)
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        about = [n.message for n in app._notifications if "could not be read" in n.message]
        assert about == ["7 conversation files could not be read — open the list: ctrl+p → "
                         "Unreadable files"]
        # The palette entry, as the user would find it.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Unreadable")
        await until(pilot, lambda: "Unreadable files" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen)
                    and paths[0].name in _shown(app.screen))
        shown = _shown(app.screen)
        for path in paths:
            assert path.name in shown
        assert shown.count("moved aside, bytes intact") == 7
        assert "damaged" in shown
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ProblemsScreen))
        assert app.is_running
        # Still there later in the session.
        app.action_show_problems()
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        assert len(app.screen.problems) == 7


async def test_with_nothing_wrong_the_list_says_so(data_dir: Path) -> None:
    app = ClaudeTUI(demo_options())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not [n for n in app._notifications if "could not be read" in n.message]
        app.action_show_problems()
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen)
                    and "Every conversation file could be read." in _shown(app.screen))
