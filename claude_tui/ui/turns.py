"""The turns running in the tabs: sending, retrying, ending, and the end dialog.

Each turn is one engine call, run in a worker of its own (several tabs may stream at once);
the engine's events go to their own conversation's tab, whichever tab is shown.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from claude_tui.attachments import Attachment, AttachmentError, check_request
from claude_tui.chat import ChatEngine
from claude_tui.conversation import Conversation
from claude_tui.events import ChatEvent
from claude_tui.providers.choice import assistant_name
from claude_tui.storage.store import StoreError
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.tabs.pane import ConversationPane

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

TURN_GROUP = "turn"
# The model's end dialog can open while the user types: keys in its first moments were text.
END_DIALOG_GRACE = 0.4
STILL_REPLYING = "A reply is still coming: wait for it, or press escape to stop it."
NOTHING_TO_END = "Nothing to end yet: this conversation has no messages (ctrl+w closes the tab)."


class Turns:
    def __init__(self, app: ClaudeTUI, engine: ChatEngine) -> None:
        self.app = app
        self.engine = engine

    def route(self, event: ChatEvent) -> None:
        """The engine's event sink: each event goes to its own conversation's tab."""
        pane = self.app.tabs.pane_for(event.conversation_id)
        if pane is not None:
            pane.receive(event)

    def start(self, pane: ConversationPane, turn: Coroutine[Any, Any, object],
              name: str) -> None:
        pane.worker = self.app.run_worker(turn, name=name, group=TURN_GROUP,
                                          exit_on_error=False)
        pane.refresh_label()

    def worker_changed(self, event: Worker.StateChanged) -> ConversationPane | None:
        """A turn started or ended: its tab says so. Returns that tab."""
        if event.worker.group != TURN_GROUP:
            return None
        for pane in self.app.tabs.panes():
            if pane.worker is event.worker:
                pane.refresh_label()
                if event.state == WorkerState.ERROR and event.worker.error is not None:
                    pane.show_error(f"⚠ Something went wrong: {event.worker.error}")
                return pane
        return None

    def submit(self, message: Composer.Submitted) -> None:
        """The user pressed enter in a composer: send its text (and the files attached above
        it) from that composer's tab."""
        pane = next((a for a in message.composer.ancestors
                     if isinstance(a, ConversationPane)), None)
        if pane is None or not (message.text.strip() or pane.attachment_row.attached):
            return
        if self.send(pane, message.text):
            message.composer.clear()

    def send(self, pane: ConversationPane, text: str) -> bool:
        """Send what the user wrote and attached; False (and a word why) while a reply is
        coming, or when the API would refuse the attachments (the text and files stay)."""
        if pane.streaming:
            self.app.notify(STILL_REPLYING)
            return False
        row = pane.attachment_row
        try:
            check_request(pane.conversation.messages, row.attached)
        except AttachmentError as exc:
            self.app.notify(f"{exc} Your text and files are kept.", title="Not sent",
                            severity="warning", timeout=15, markup=False)
            return False
        self.start(pane, self._send(pane, text, row.take()), "send")
        return True

    async def _send(self, pane: ConversationPane, text: str,
                    attached: list[Attachment]) -> None:
        count = len(pane.conversation.messages)
        try:
            await self.engine.send(pane.conversation, text, on_event=self.route,
                                   confirm_end=self.confirm_end, attached=attached)
        except (StoreError, OSError) as exc:
            pane.show_error(f"⚠ Not sent: {exc}")
        else:
            if len(pane.conversation.messages) > count:
                return
            # (The engine reported why with TurnFailed.)
        # Nothing was saved: the text and the files go back into the composer, not lost.
        composer = pane.composer
        if composer is not None and not composer.text:
            composer.load_text(text)
        if composer is not None:
            pane.attachment_row.put_back(attached)

    def retry(self, pane: ConversationPane) -> None:
        if pane.streaming:
            return
        if not pane.is_writable or not self.engine.can_retry(pane.conversation):
            self.app.notify("There is no unanswered message to retry in this conversation.")
            return
        turn = self.engine.retry(pane.conversation, on_event=self.route,
                                 confirm_end=self.confirm_end)
        self.start(pane, turn, "retry")

    def end(self, pane: ConversationPane) -> None:
        """The user asked to end the conversation: the engine asks them to confirm."""
        if pane.streaming:
            self.app.notify("Wait for the reply to finish, or press escape to stop it, first.")
            return
        if not pane.conversation.messages:
            # Ending it would keep an empty, locked conversation in ctrl+o for good.
            self.app.notify(NOTHING_TO_END)
            return
        turn = self.engine.end_by_user(pane.conversation, on_event=self.route,
                                       confirm_end=self.confirm_end)
        self.start(pane, turn, "end")

    async def confirm_end(self, conversation: Conversation, asked_by: str) -> bool:
        """The engine's confirmation: the dialog, answered with y/enter (True) or n/escape.

        Awaited inside the turn's worker, so the dialog's answer is awaited there too."""
        grace = 0.0
        if asked_by == "assistant":
            # The model asked, maybe while another tab was shown: show what is being ended.
            grace = END_DIALOG_GRACE
            if conversation.id in self.app.tabs:
                await self.app.tabs.show(conversation.id)
        screen = ConfirmEndScreen(conversation.display_title, asked_by,
                                  assistant_name(conversation.model), grace=grace)
        return bool(await self.app.push_screen_wait(screen))
