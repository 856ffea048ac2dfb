"""One tab: the banner, the transcript, the error line and the composer or locked notice."""

from __future__ import annotations

import contextlib

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.css.query import NoMatches
from textual.events import DescendantFocus, Key
from textual.widgets import Input, Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker

from claude_tui import events
from claude_tui.attachments import Attachment
from claude_tui.conversation import Conversation
from claude_tui.providers.choice import assistant_name
from claude_tui.storage.remembered import RememberedView
from claude_tui.text import one_line
from claude_tui.ui.composer.attachment_row import AttachmentRow
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.composer.queued import QueuedNote
from claude_tui.ui.key_words import in_your_keys
from claude_tui.ui.messages import EngineEvent, TextArrived
from claude_tui.ui.tabs.banner import WarningBanner
from claude_tui.ui.tabs.locked import LockedNotice, ReadOnlyNotice
from claude_tui.ui.tabs.retry_countdown import RetryCountdown
from claude_tui.ui.textual_private import keep_shown_tab
from claude_tui.ui.transcript.message import (
    CUT_SHORT_NOTICE,
    FULL_NOTICE,
    declined_text,
    refusal_text,
    refused_end_text,
    warning_text,
)
from claude_tui.ui.transcript.view import ConversationView

_STATUS_EVENTS = (events.TurnStarted, events.UsageUpdated, events.TurnFinished,
                  events.ConversationEnded, events.TurnFailed)


def pane_id(conversation_id: str) -> str:
    # Widget ids may not start with a digit; conversation ids do.
    return f"c-{conversation_id}"


def conversation_id_of(pane_id: str) -> str:
    return pane_id.removeprefix("c-")


def label_length(tab_count: int) -> int:
    """Labels shorten as tabs multiply, so more of them fit on the bar."""
    if tab_count <= 3:
        return 28
    return 18 if tab_count <= 6 else 12


def tab_label(conversation: Conversation, *, streaming: bool = False,
              length: int = 28) -> Content:
    """Inert, one line, shortened; a marker while streaming and a lock once ended."""
    label = one_line(conversation.display_title, length)
    if conversation.is_ended:
        label = "🔒 " + label
    if streaming:
        label = "● " + label
    return Content(label)


class ConversationPane(TabPane):
    """Holds one conversation and the worker running its turn, if any."""

    def __init__(self, conversation: Conversation, composer_text: str = "",
                 attached: list[Attachment] | None = None,
                 remembered: RememberedView | None = None) -> None:
        super().__init__(tab_label(conversation), id=pane_id(conversation.id))
        self.conversation = conversation
        # How the tab names the model that replies ("Claude", "the demo model").
        self.assistant = assistant_name(conversation.model)
        self.worker: Worker[None] | None = None  # the turn running for this conversation
        self._composer_text = composer_text
        self._attached = list(attached or [])  # the chips of a draft brought back
        # The reply text on its way to this tab in one TextArrived, still growing.
        self._text_batch: list[str] | None = None
        self._batch_thinking = False  # the batch holds thinking, not text
        self.countdown = RetryCountdown(id="retry")
        # Its transcript's lines at the last close, shown first if they are its own (start-up).
        self._remembered = remembered if (
            remembered and remembered.conversation_id == conversation.id) else None

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # The app switches tabs itself; focus never does. Textual calls TabPane's handler too
        # (handlers run for each class in the MRO) unless told not to, and that one makes the
        # focused pane the shown tab. Focus does land in a hidden tab: when the composer that
        # had it is hidden by a switch before the new tab's composer takes it, Textual hands
        # it to a sibling, the hidden tab's transcript. That must not switch back to that tab.
        keep_shown_tab(event)
        if not self.display:  # hidden: not the shown tab
            self.app.call_later(self._focus_shown_tab)  # nor leave keys going to a hidden tab

    def _focus_shown_tab(self) -> None:
        with contextlib.suppress(NoMatches):
            tabbed = self.query_ancestor(TabbedContent)
            shown = tabbed.get_pane(tabbed.active) if tabbed.active else None
            if isinstance(shown, ConversationPane) and shown is not self:
                shown.focus_composer()

    def on_key(self, event: Key) -> None:
        # A character typed while the transcript, a chip or a button has the focus (tab took
        # it there) is meant for the message: the composer takes it, and the focus, rather
        # than the key being lost.
        composer = self.composer
        if (composer is None or not event.is_printable or not event.character
                or isinstance(self.app.focused, TextArea | Input)):
            return
        event.stop()
        event.prevent_default()
        composer.focus()
        if not composer.read_only:
            composer.replace(event.character, *composer.selection,
                             maintain_selection_offset=False)

    @property
    def streaming(self) -> bool:
        return self.worker is not None and not self.worker.is_finished

    def cancel_reply(self) -> None:
        """Take back the messages queued for after the reply, if any (the reply goes on);
        else stop the running reply, if any: the engine saves what came, marked stopped."""
        if self.take_back_queued():
            return
        if self.streaming and self.worker is not None:
            self.worker.cancel()

    async def stop_reply(self) -> bool:
        """Stop the running reply, if any, and wait until the engine has saved what came
        (marked stopped). True if a reply was stopped."""
        worker = self.worker if self.streaming else None
        if worker is None:
            return False
        worker.cancel()
        with contextlib.suppress(Exception):  # cancelled, as asked
            await worker.wait()
        return True

    @property
    def is_writable(self) -> bool:
        return not self.conversation.is_ended and self.conversation.read_only_reason is None

    def compose(self) -> ComposeResult:
        yield WarningBanner(self.conversation.warnings, assistant=self.assistant, id="banner")
        view = ConversationView(self.conversation, id="view")
        view.first_lines.remembered, self._remembered = self._remembered, None
        yield view
        yield Static("", markup=False, id="error", classes="error")
        yield self.countdown
        if self.conversation.read_only_reason:
            yield ReadOnlyNotice(self.conversation.read_only_reason, id="locked")
        elif self.conversation.is_ended:
            yield LockedNotice(self.conversation.ended, assistant=self.assistant, id="locked")
        else:
            yield QueuedNote(id="queued")
            yield AttachmentRow(self._attached, id="attachments")
            yield Composer(self._composer_text, assistant=self.assistant, id="composer")

    def on_mount(self) -> None:
        self.query_one("#error").display = False

    @property
    def view(self) -> ConversationView:
        return self.query_one("#view", ConversationView)

    @property
    def composer(self) -> Composer | None:
        found = self.query("#composer")
        return found.first(Composer) if found else None

    @property
    def attachment_row(self) -> AttachmentRow:
        """The files attached to the message being written (none once read-only)."""
        found = self.query("#attachments")
        return found.first(AttachmentRow) if found else AttachmentRow()

    @property
    def queued_note(self) -> QueuedNote | None:
        """The messages waiting for the reply to end (None once read-only)."""
        found = self.query("#queued")
        return found.first(QueuedNote) if found else None

    def queue(self, text: str) -> bool:
        """Send ``text`` (and the files attached) when the reply that is coming ends; False
        when this tab takes no message."""
        note = self.queued_note
        if note is None:
            return False
        note.add(text, self.attachment_row.take())
        return True

    def take_back_queued(self) -> bool:
        """The queued messages go back into the composer, before what was typed since, with
        their files. False if there were none."""
        note, composer = self.queued_note, self.composer
        if note is None or composer is None or not note.queued:
            return False
        taken = note.take_all()
        composer.put_back("\n".join(m.text for m in taken if m.text))
        self.attachment_row.put_back([a for m in taken for a in m.attached])
        return True

    def on_composer_recall_asked(self, message: Composer.RecallAsked) -> None:
        message.stop()
        self.take_back_queued()  # to edit: it is sent once enter is pressed again

    @property
    def draft(self) -> str:
        """The text typed but not sent, queued messages first ("" once the conversation is
        read-only)."""
        if not self.is_writable:
            return ""
        if not self.is_mounted:
            return self._composer_text
        composer, note = self.composer, self.queued_note
        queued = [m.text for m in note.queued] if note is not None else []
        typed = composer.text if composer is not None else ""
        return "\n".join(text for text in (*queued, typed) if text)

    @property
    def draft_files(self) -> list[str]:
        """The paths of the files attached to the unsent text, queued messages' first, each
        once ([] once read-only). A file put back from a stored message (a branch) has no
        path: its bytes are in that message, not in a file the draft could name."""
        if not self.is_writable:
            return []
        attached = self._attached
        if self.is_mounted:
            note = self.queued_note
            queued = [a for m in note.queued for a in m.attached] if note is not None else []
            attached = [*queued, *self.attachment_row.attached]
        paths: list[str] = []
        for attachment in attached:
            if attachment.path is not None and attachment.path not in paths:
                paths.append(attachment.path)
        return paths

    def focus_composer(self) -> None:
        composer = self.composer
        if composer is not None:
            composer.focus()
        else:
            self.view.focus()

    def follow_model(self) -> None:
        """The conversation's model changed: name who replies from now on where the tab does."""
        self.assistant = assistant_name(self.conversation.model)
        composer = self.composer
        if composer is not None:
            composer.placeholder = in_your_keys(self, Composer.placeholder_for(self.assistant))

    def show_error(self, text: str) -> None:
        error = self.query_one("#error", Static)
        text = in_your_keys(self, text)
        error.update(Text(text))
        error.display = bool(text)

    def refresh_label(self) -> None:
        try:
            tabbed = self.query_ancestor(TabbedContent)
            tab = tabbed.get_tab(self.id or "")
        except (NoMatches, ValueError):
            return  # not in the tab set (being removed, or the app is closing)
        length = label_length(tabbed.tab_count)
        tab.label = tab_label(self.conversation, streaming=self.streaming, length=length)

    async def replace_conversation(self, conversation: Conversation) -> None:
        """Show another version of this conversation (its file changed on disk)."""
        self.conversation = conversation
        self.follow_model()
        was_loaded = self.view.loaded
        await self.view.remove()
        view = ConversationView(conversation, id="view")
        await self.mount(view, before=self.query_one("#error"))
        self.query_one("#banner", WarningBanner).show_warnings(conversation.warnings)
        if not self.is_writable:
            await self.show_locked()
        if was_loaded:
            await view.load()
        self.refresh_label()

    async def show_locked(self) -> None:
        """The conversation ended: the composer goes, the notice takes its place."""
        composer = self.composer
        had_focus = composer is not None and composer.has_focus
        if composer is not None:
            await composer.remove()
        await self.query("#attachments").remove()
        if not self.query("#locked"):
            await self.mount(
                LockedNotice(self.conversation.ended, assistant=self.assistant, id="locked"))
        if had_focus:  # a tab in the background must not take the focus
            self.view.focus()

    def receive(self, event: events.ChatEvent) -> None:
        """An engine event for this conversation, from any task: rendered in turn.

        Text pieces join the batch already on its way to the tab, if there is one: a reply
        arriving faster than it is shown costs one message per batch, not one per piece. Any
        other event closes the batch, so that later text is shown after what it adds."""
        if isinstance(event, events.TextDelta | events.ThinkingDelta):
            thinking = isinstance(event, events.ThinkingDelta)
            if self._text_batch is not None and self._batch_thinking == thinking:
                self._text_batch.append(event.text)
                return
            self._text_batch, self._batch_thinking = [event.text], thinking
            self.post_message(TextArrived(self.conversation.id, self._text_batch,
                                          thinking=thinking))
            return
        self._text_batch = None
        self.post_message(EngineEvent(event))

    async def on_text_arrived(self, message: TextArrived) -> None:
        message.stop()
        if self._text_batch is message.pieces:
            self._text_batch = None  # taken: pieces coming later start another
        if message.thinking:
            await self.view.write_thinking("".join(message.pieces))
        else:
            await self.view.write_reply("".join(message.pieces))

    async def on_engine_event(self, message: EngineEvent) -> None:
        # Only what changes the status line goes on to the app: text pieces would flood its
        # queue and hold up key presses behind them.
        if not isinstance(message.event, _STATUS_EVENTS):
            message.stop()
        await self.handle(message.event)

    async def handle(self, event: events.ChatEvent) -> None:
        """Render one engine event for this conversation."""
        view = self.view
        countdown = self.countdown
        if not isinstance(event, events.RetryScheduled):
            countdown.stop()  # the retry went out: whatever comes now replaces the countdown
        match event:
            case events.RetryScheduled(seconds=seconds, reason=reason):
                countdown.start(seconds, reason)
            case events.TurnStarted():
                self.show_error("")
            case events.TextDelta(text=text):
                await view.write_reply(text)
            case events.ThinkingDelta(text=text):
                await view.write_thinking(text)
            case events.MessageSaved(index=index, message=saved):
                if saved is None and index < len(self.conversation.messages):
                    saved = self.conversation.messages[index]
                if saved is None:
                    return
                view.saved(index, saved)
                if saved.is_user_text:
                    await view.render_new(upto=index + 1)
                    view.anchor()  # the user wrote: follow the reply to it
                    self.refresh_label()  # the first message gives the title
            case events.WarningIssued(behavior=behavior):
                self.query_one("#banner", WarningBanner).show_warnings(self.conversation.warnings)
                await view.add_notice(warning_text(behavior, self.assistant), "warning")
            case events.EndRefused(reason=reason, why=why):
                await view.add_notice(refused_end_text(reason, why), "dim")
            case events.EndDeclined():
                await view.add_notice(declined_text(self.assistant), "dim")
            case events.RefusalNotice(explanation=explanation):
                await view.add_notice(refusal_text(explanation), "dim")
            case events.ReplyCutShort():
                await view.add_notice(CUT_SHORT_NOTICE, "dim")
            case events.ConversationFull():
                await view.add_notice(FULL_NOTICE, "warning")
            case events.TurnFailed(message=message, retryable=retryable):
                await view.render_new()
                # Most provider messages already say what to press.
                hint = " Press ctrl+r to retry." if retryable and "ctrl+r" not in message else ""
                self.show_error(f"⚠ {one_line(message, 300)}{hint}")
            case events.ConversationEnded():
                await view.render_new()
                await self.show_locked()
                self.refresh_label()
            case events.TurnFinished():
                await view.render_new()
                self.refresh_label()
            case events.EarlierVersionsKept(upto=upto):
                await view.redraw(upto)  # the replaced messages hide (or dim)
            case _:
                pass
