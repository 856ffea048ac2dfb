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
from claude_tui.events import ChatEvent, TurnFailed, TurnStarted
from claude_tui.providers.choice import assistant_name
from claude_tui.storage.store import StoreError
from claude_tui.text import inert
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.tabs.pane import ConversationPane

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

TURN_GROUP = "turn"
# The model's end dialog can open while the user types: keys in its first moments were text.
END_DIALOG_GRACE = 0.4
STILL_REPLYING = "A reply is still coming: wait for it, or press escape to stop it."
NOTHING_TO_END = "Nothing to end yet: this conversation has no messages (ctrl+w closes the tab)."
QUEUE_TAKEN_BACK = ("The reply did not finish, so your queued message was not sent: it is back "
                    "in the composer.")
QUEUE_ENDED = ("This conversation has ended, so your queued message was not sent. It is on "
               "the clipboard; ctrl+n starts a new conversation.")
_FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


class Turns:
    def __init__(self, app: ClaudeTUI, engine: ChatEngine) -> None:
        self.app = app
        self.engine = engine
        # Conversations whose last turn failed (a queued message waits for a good end).
        self._failed: set[str] = set()

    def route(self, event: ChatEvent) -> None:
        """The engine's event sink: each event goes to its own conversation's tab."""
        # Noted here, in the turn's own task, so it is known when the turn's worker ends.
        if isinstance(event, TurnStarted):
            self._failed.discard(event.conversation_id)
        elif isinstance(event, TurnFailed):
            self._failed.add(event.conversation_id)
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
                if event.state in _FINISHED:
                    self._after_turn(pane, event.state == WorkerState.SUCCESS)
                return pane
        return None

    def _after_turn(self, pane: ConversationPane, succeeded: bool) -> None:
        """A turn ended: the first queued message goes if the reply ended well; else every
        queued one goes back to the composer (or the clipboard, once the conversation ended)."""
        note = pane.queued_note
        if note is None or not note.queued:
            return
        if not pane.is_writable:  # never sent into an ended conversation (E5)
            taken = "\n".join(m.text for m in note.take_all() if m.text)
            if taken:
                self.app.copy_to_clipboard(inert(taken))
                note.show_unsent(taken)
            self.app.notify(QUEUE_ENDED, severity="warning", timeout=20)
            return
        if not (succeeded and self._ended_well(pane.conversation)):
            pane.take_back_queued()
            self.app.notify(QUEUE_TAKEN_BACK, severity="warning", timeout=10)
            return
        first = note.take_first()
        if first is not None and not self.send(pane, first.text, first.attached):
            # Refused (the files): it goes back, and so do the ones after it.
            pane.take_back_queued()
            composer = pane.composer
            if composer is not None:
                composer.put_back(first.text)
            pane.attachment_row.put_back(first.attached)

    def _ended_well(self, conversation: Conversation) -> bool:
        """The last turn got its whole reply: not failed, not stopped, not cut off."""
        last = conversation.messages[-1] if conversation.messages else None
        return (conversation.id not in self._failed and last is not None
                and last.role == "assistant" and not last.interrupted)

    def submit(self, message: Composer.Submitted) -> None:
        """The user pressed enter in a composer: send its text (and the files attached above
        it) from that composer's tab."""
        pane = next((a for a in message.composer.ancestors
                     if isinstance(a, ConversationPane)), None)
        if pane is None or not (message.text.strip() or pane.attachment_row.attached):
            return
        if pane.streaming:
            # Sent when the reply ends; out of the composer, so what is typed next is apart.
            if pane.is_writable and pane.queue(message.text):
                message.composer.remove_sent(message.text)
        elif self.send(pane, message.text):
            # Only what was sent: keys typed after enter (in the same burst) stay.
            message.composer.remove_sent(message.text)

    def send(self, pane: ConversationPane, text: str,
             attached: list[Attachment] | None = None) -> bool:
        """Send what the user wrote and attached (``attached``: files taken from the row
        already); False (and a word why) while a reply is coming, or when the API would
        refuse the attachments (the text and files stay)."""
        if pane.streaming:
            self.app.notify(STILL_REPLYING)
            return False
        row = pane.attachment_row
        try:
            check_request(pane.conversation.messages,
                          row.attached if attached is None else attached)
        except AttachmentError as exc:
            self.app.notify(f"{exc} Your text and files are kept.", title="Not sent",
                            severity="warning", timeout=15, markup=False)
            return False
        files = row.take() if attached is None else attached
        self.start(pane, self._send(pane, text, files), "send")
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
        # Nothing was saved: the text and the files go back into the composer, not lost,
        # before the messages queued after it and what was typed since.
        composer = pane.composer
        if composer is not None:
            pane.take_back_queued()
            composer.put_back(text)
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
        from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen  # on first use

        screen = ConfirmEndScreen(conversation.display_title, asked_by,
                                  assistant_name(conversation.model), grace=grace)
        return bool(await self.app.push_screen_wait(screen))
