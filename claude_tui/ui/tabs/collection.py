"""The open conversations, a tab each.

``ConversationTabs`` is the one record of which conversations are open, in which order, and
which is shown: the tab bar itself. It posts ``ConversationTabs.Shown`` once each time the shown
tab changes (by key, by mouse, or because a tab closed), after the tab's messages are mounted
and its composer focused.
"""

from __future__ import annotations

from textual.message import Message
from textual.widgets import TabbedContent, Tabs

from claude_tui.conversation import Conversation
from claude_tui.storage.remembered import RememberedView
from claude_tui.storage.session import TabState, closed_draft_files, closed_drafts
from claude_tui.ui.draft_files import left_off_notice, read_again
from claude_tui.ui.tabs.pane import ConversationPane, conversation_id_of, pane_id


class ConversationTabs(TabbedContent):
    class Shown(Message):
        """The shown tab changed: ``pane`` is the tab now on screen."""

        def __init__(self, pane: ConversationPane) -> None:
            super().__init__()
            self.pane = pane

        @property
        def conversation_id(self) -> str:
            return self.pane.conversation.id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # In tab order. A dict, not a DOM query: it is read for every piece of streamed text.
        self._panes: dict[str, ConversationPane] = {}
        self._announced: str | None = None  # the conversation last announced as shown
        # The unsent text of closed tabs, by conversation, until it is opened again.
        self.closed_drafts: dict[str, str] = {}
        self.closed_draft_files: dict[str, list[str]] = {}  # the paths of their files

    def on_mount(self) -> None:
        # Focused, the tab bar only shaded the shown tab and dropped what was typed, and its
        # left/right do what alt+left/alt+right do anywhere: tab and shift+tab pass it by.
        self.query_one(Tabs).can_focus = False  # the bar, a ContentTabs

    # reading ---------------------------------------------------------------------------------
    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._panes

    def __len__(self) -> int:
        return len(self._panes)

    @property
    def order(self) -> list[str]:
        """The open conversations' ids, as the tab bar shows them."""
        return list(self._panes)

    @property
    def active_id(self) -> str | None:
        """The conversation whose tab is shown (None while there is none)."""
        shown = conversation_id_of(self.active or "")
        return shown if shown in self._panes else None

    @property
    def active_pane(self) -> ConversationPane | None:
        return self.pane_for(self.active_id)

    def pane_for(self, conversation_id: str | None) -> ConversationPane | None:
        return self._panes.get(conversation_id or "")

    def panes(self) -> list[ConversationPane]:
        return list(self._panes.values())

    def step(self, offset: int) -> str | None:
        """The tab ``offset`` places from the shown one, wrapping around."""
        order = self.order
        if not order:
            return None
        if self.active_id not in order:
            return order[0]
        return order[(order.index(self.active_id) + offset) % len(order)]  # type: ignore[arg-type]

    def nth(self, number: int) -> str | None:
        """The tab at 1-based ``number``; None when there are fewer tabs."""
        order = self.order
        return order[number - 1] if 1 <= number <= len(order) else None

    def state(self) -> TabState:
        """What ``tabs.json`` keeps: the open tabs, the shown one and the unsent drafts."""
        drafts = {cid: pane.draft for cid, pane in self._panes.items() if pane.draft}
        files = {cid: paths for cid, pane in self._panes.items() if (paths := pane.draft_files)}
        return TabState(open=self.order, active=self.active_id, drafts=drafts,
                        closed_drafts=dict(self.closed_drafts), draft_files=files,
                        closed_draft_files=dict(self.closed_draft_files))

    def forget_draft(self, conversation_id: str) -> None:
        """The conversation was deleted: its closed tab's draft goes with it."""
        self.closed_drafts.pop(conversation_id, None)
        self.closed_draft_files.pop(conversation_id, None)

    # changing --------------------------------------------------------------------------------
    async def restore(self, tabs: list[tuple[Conversation, str, list[str]]],
                      active: str | None, remembered: RememberedView | None = None) -> None:
        """Open the tabs of the last session (conversation, draft, its files' paths), showing
        ``active`` (first as the lines ``remembered``, if they are its own).

        The shown tab is added first, so that it is the one the tab bar activates: no other
        tab's messages are mounted at start-up."""
        if not tabs:
            return
        ids = [conversation.id for conversation, _, _ in tabs]
        first = ids.index(active) if active in ids else 0
        shown = await self.open(*tabs[first], remembered=remembered)
        for conversation, draft, files in tabs[:first]:
            await self.open(conversation, draft, files, before=shown)
        for conversation, draft, files in tabs[first + 1:]:
            await self.open(conversation, draft, files)
        self._panes = {cid: self._panes[cid] for cid in ids}  # in the order of the bar
        await self.show(ids[first])
        # The shown tab was announced when it was the only one: fit the labels to the whole
        # bar now, and bring the shown tab into view.
        self._fit_labels(shown)

    async def open(self, conversation: Conversation, draft: str = "",
                   files: list[str] | None = None, *,
                   before: ConversationPane | None = None,
                   remembered: RememberedView | None = None) -> ConversationPane:
        """Add a tab for ``conversation`` (not shown yet) and return it; the draft its tab
        had when it was closed comes back (after ``draft``, if both), with its files, read
        again from ``files`` and the closed draft's paths (a notice names any left off)."""
        paths = list(files or [])
        if not conversation.is_ended and conversation.read_only_reason is None:
            kept = self.closed_drafts.pop(conversation.id, "")
            draft = "\n".join(text for text in (draft, kept) if text)
            paths += [p for p in self.closed_draft_files.pop(conversation.id, [])
                      if p not in paths]
        else:
            paths = []  # an ended conversation takes no message, nor its files
        attached, left_off = await read_again(paths)
        if left_off:
            self.notify(left_off_notice(conversation.display_title, left_off),
                        title="Attachment left off", severity="warning", timeout=20,
                        markup=False)
        pane = ConversationPane(conversation, draft, attached, remembered)
        self._panes[conversation.id] = pane
        await self.add_pane(pane, before=before)
        return pane

    async def show(self, conversation_id: str) -> None:
        """Show the conversation's tab, once its messages are mounted."""
        if conversation_id not in self._panes:
            return
        self.active = pane_id(conversation_id)
        await self._announce()

    async def show_again(self) -> None:
        """The shown tab's conversation was replaced (its file changed on disk): mount it
        and announce it as if newly shown."""
        self._announced = None
        await self._announce()

    async def close(self, conversation_id: str) -> ConversationPane | None:
        """Stop the tab's reply (saved as stopped), remove the tab and show its right
        neighbour, else its left. Returns the closed tab; None if it was not open."""
        pane = self._panes.get(conversation_id)
        if pane is None:
            return None
        # The file is whole when the tab is gone (and can be opened again at once), and no
        # turn runs on for a tab nobody sees.
        pane.take_back_queued()  # a message waiting for the reply is not sent once closed
        await pane.stop_reply()
        # While it is mounted: kept until the conversation opens again.
        draft, files = pane.draft, pane.draft_files
        self.closed_drafts.pop(conversation_id, None)
        self.closed_draft_files.pop(conversation_id, None)
        others = [cid for cid in self.order if cid != conversation_id]
        if draft:
            self.closed_drafts[conversation_id] = draft  # the latest last
            self.closed_drafts = closed_drafts(self.closed_drafts, others)  # bounded
        if files:
            self.closed_draft_files[conversation_id] = files
            self.closed_draft_files = closed_draft_files(self.closed_draft_files, others)
        order = self.order
        position = order.index(conversation_id)
        del self._panes[conversation_id]
        was_shown = self._announced == conversation_id
        if was_shown:
            self._announced = None
        await self.remove_pane(pane_id(conversation_id))
        rest = self.order
        if rest and was_shown:
            await self.show(rest[min(position, len(rest) - 1)])
        return pane

    async def _on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # A click on a tab, or the bar's own choice when a tab went. Read what is shown now:
        # the message may arrive after later switches.
        event.stop()
        await self._announce()

    async def _announce(self) -> None:
        pane = self.active_pane
        if pane is None or pane.conversation.id == self._announced:
            return
        self._announced = pane.conversation.id
        self._fit_labels(pane)
        await pane.view.load()
        await pane.view.catch_up()
        pane.focus_composer()
        self.post_message(self.Shown(pane))

    def _fit_labels(self, shown: ConversationPane) -> None:
        for each in self._panes.values():
            each.refresh_label()  # the tab count sets the label length
        # A tab added just now has no place on the bar yet, and a label changed just now has
        # its new width only after a layout: bring the tab into view once it is laid out.
        tab = self.get_tab(shown)

        def scroll(tries: int = 20) -> None:
            if tab.content_size.width != tab.label.cell_length and tries:
                self.call_after_refresh(scroll, tries - 1)
                return
            tab.scroll_visible(animate=False, force=True)

        self.call_after_refresh(scroll)


def is_unused(conversation: Conversation) -> bool:
    """Nothing was ever written in it, nor a title given: not worth keeping once closed."""
    return not conversation.messages and not conversation.title.strip() and (
        not conversation.is_ended)
