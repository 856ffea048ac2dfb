"""Unsent drafts the last save of the open tabs could not keep, printed once the app exits.

At quit the drafts go to ``tabs.json``. When that write fails (a read-only data folder, a full
disk, a folder where the file should be) the text typed would be gone without a word, so it
is printed to standard error instead, after the terminal is the shell's again, with the paths
of the files attached to it (the files themselves are where they were).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from claude_tui.storage.session import TabState
from claude_tui.text import inert, one_line

if TYPE_CHECKING:
    from claude_tui.ui.tabs.collection import ConversationTabs


@dataclass
class LostDrafts:
    reason: str
    drafts: list[tuple[str, str, str, list[str]]]  # (conversation id, title, text, files)


class DraftsAtQuit:
    """Remembers the latest save of the open tabs; ``check()`` after the last writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._state: TabState | None = None
        self._titles: dict[str, str] = {}
        self._future: Future[None] | None = None
        self._error: BaseException | None = None
        self.lost: LostDrafts | None = None

    def saving(self, state: TabState, tabs: ConversationTabs, future: Future[None] | None,
               error: BaseException | None = None) -> None:
        """The save asked for now (``future``), or the error that kept it from starting."""
        self._state, self._future, self._error = state, future, error
        # The titles now: the tabs are gone by the time the drafts may need printing.
        self._titles = {p.conversation.id: p.conversation.display_title for p in tabs.panes()
                        if p.conversation.id in state.drafts
                        or p.conversation.id in state.draft_files}

    def check(self) -> LostDrafts | None:
        """After the writer has finished: the drafts on screen that are not on disk."""
        error = self._error
        if error is None and self._future is not None:
            if not self._future.done():
                error = TimeoutError("the write did not finish in time")
            else:
                error = self._future.exception()
        state = self._state
        if error is None or state is None or not (state.drafts or state.draft_files):
            self.lost = None
            return None
        self.lost = LostDrafts(
            reason=one_line(f"{self.path}: {error}", 300),
            drafts=[(cid, self._titles.get(cid, ""), state.drafts.get(cid, ""),
                     state.draft_files.get(cid, []))
                    for cid in state.open if cid in state.drafts or cid in state.draft_files])
        return self.lost

    def report(self, stream: TextIO) -> None:
        """Print what was lost (nothing when the drafts were saved)."""
        if self.lost is None:
            return
        count = len(self.lost.drafts)
        stream.write(f"claude-tui: the unsent draft{'s' if count != 1 else ''} could not be "
                     f"saved ({self.lost.reason}); here {'they are' if count != 1 else 'it is'}"
                     ":\n")
        for conversation_id, title, text, files in self.lost.drafts:
            name = f"“{one_line(title, 80)}” ({conversation_id})" if title else conversation_id
            stream.write(f"\n--- draft in {name} ---\n")
            if text:
                stream.write(f"{inert(text).rstrip()}\n")
            for path in files:  # one a line (a newline in a name shown as \n)
                shown = inert(path).replace("\n", "\\n")
                stream.write(f"attached: {shown}\n")
            stream.write("--- end of draft ---\n")
        stream.flush()
