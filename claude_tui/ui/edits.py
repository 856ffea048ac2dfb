"""Editing the shown conversation: regenerate the last reply (f5), edit and resend the last
message (f6), its system prompt (f7), and showing the earlier versions those keep.

None of it is offered on an ended conversation (E5: the footer dims the keys, and a word says
why) nor while a reply streams; the engine holds the rules, this only asks and shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claude_tui import thinking
from claude_tui.attachments import shown_attachments
from claude_tui.storage.store import StoreError
from claude_tui.ui.actions import READ_ONLY_NOTICE
from claude_tui.ui.tabs.pane import ConversationPane
from claude_tui.ui.turns import STILL_REPLYING
from claude_tui.versions import last_typed

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

NOTHING_TO_REGENERATE = "There is no reply to regenerate: send a message first."
NOTHING_TO_EDIT = "There is no message of yours to edit yet."
VERSIONS_SHOWN = "Earlier versions are shown, dimmed (the palette hides them again)."
VERSIONS_HIDDEN = "Earlier versions are hidden."
NO_THINKING = "No reply in this tab has thinking to show."
THINKING_CHOICES = {"thinking_on": True, "thinking_off": False, "thinking_default": None}


class ConversationEdits:
    def __init__(self, app: ClaudeTUI) -> None:
        self.app = app

    async def run(self, what: str) -> None:
        """The action ``edit(what)`` of the keys and the palette."""
        pane = self.app.tabs.active_pane
        if pane is None:
            return
        if what == "versions":
            await self.toggle_versions(pane)
            return
        if what == "thinking":  # showing it changes nothing: also while streaming, or ended
            if not pane.view.toggle_thinking():
                self.app.notify(NO_THINKING)
            return
        if what in THINKING_CHOICES:
            await self.choose_thinking(pane, THINKING_CHOICES[what])
            return
        if not pane.is_writable:
            self.app.notify(READ_ONLY_NOTICE)
            return
        if pane.streaming:
            self.app.notify(STILL_REPLYING)
            return
        if what == "regenerate":
            self.regenerate(pane)
        elif what == "last_message":
            self.edit_last(pane)
        elif what == "system_prompt":
            self.system_prompt(pane)

    def regenerate(self, pane: ConversationPane) -> None:
        app = self.app
        if not app.engine.can_regenerate(pane.conversation):
            app.notify(NOTHING_TO_REGENERATE)
            return
        pane.show_error("")
        turn = app.engine.regenerate(pane.conversation, on_event=app.turns.route,
                                     confirm_end=app.turns.confirm_end)
        app.turns.start(pane, turn, "regenerate")

    def edit_last(self, pane: ConversationPane) -> None:
        app, conversation = self.app, pane.conversation
        index = last_typed(conversation)
        if index is None or not app.engine.can_edit_last(conversation):
            app.notify(NOTHING_TO_EDIT)
            return

        def edited(text: str | None) -> None:
            if text is None or pane.streaming or not pane.is_writable:
                return
            # A message with files may lose its text: the files stay (the engine keeps them).
            if not text.strip() and not shown_attachments(conversation.messages[index]):
                app.notify("Nothing to send: the message is empty.")
                return
            pane.show_error("")
            app.turns.start(pane, self._resend(pane, text), "edit")

        from claude_tui.ui.dialogs.edit_text import (
            EDIT_HEADING,
            EDIT_HINT,
            EDIT_KEYS,
            EditTextScreen,
        )

        screen = EditTextScreen(EDIT_HEADING, conversation.messages[index].text, EDIT_HINT,
                                save_label="Send", enter_saves=True, keys=EDIT_KEYS)
        app.push_screen(screen, edited)

    async def _resend(self, pane: ConversationPane, text: str) -> None:
        app, conversation = self.app, pane.conversation
        count = len(conversation.messages)
        try:
            await app.engine.edit_last(conversation, text, on_event=app.turns.route,
                                       confirm_end=app.turns.confirm_end)
        except (StoreError, OSError) as exc:
            pane.show_error(f"⚠ Not sent: {exc}")
        if len(conversation.messages) > count:
            return
        # Nothing was saved: the edited text goes into the composer so it is not lost.
        composer = pane.composer
        if composer is not None:
            composer.put_back(text)  # before what was typed meanwhile

    async def choose_thinking(self, pane: ConversationPane, on: bool | None) -> None:
        """Thinking on, off, or as the config says, for this conversation (also while a reply
        streams: it applies from the next request)."""
        app, conversation = self.app, pane.conversation
        if not pane.is_writable:
            app.notify(READ_ONLY_NOTICE)
            return
        try:
            await app.engine.set_thinking(conversation, on)
        except (StoreError, OSError) as exc:
            app.notify(f"The thinking choice was not saved: {exc}", severity="warning",
                       markup=False)
            return
        state = "on" if thinking.is_on(conversation, app.settings) else "off"
        how = " (as the config says)" if on is None else ""
        app.notify(f"Thinking is {state} for this conversation{how}, from the next request.")

    def system_prompt(self, pane: ConversationPane) -> None:
        app, conversation = self.app, pane.conversation
        if thinking.bound_to_history(conversation):
            app.notify(thinking.BOUND_PROMPT.format(model=conversation.model),
                       severity="warning", markup=False)
            return
        default = app.settings.system_prompt
        current = default if conversation.system_prompt is None else conversation.system_prompt

        async def edited(text: str | None) -> None:
            if text is None or text == current or not pane.is_writable:
                return
            try:
                await app.engine.set_system_prompt(conversation, text)
            except thinking.HistoryBound as exc:
                app.notify(str(exc), severity="warning", markup=False)
                return
            except (StoreError, OSError) as exc:
                app.notify(f"The system prompt was not saved: {exc}", severity="warning",
                           markup=False)
                return
            said = "removed" if not text.strip() else "saved"
            app.notify(f"System prompt {said}: it applies from the next message on.")

        from claude_tui.ui.dialogs.edit_text import (
            SYSTEM_PROMPT_HEADING,
            SYSTEM_PROMPT_HINT,
            EditTextScreen,
        )

        app.push_screen(EditTextScreen(SYSTEM_PROMPT_HEADING, current, SYSTEM_PROMPT_HINT,
                                       placeholder="No system prompt of your own"), edited)

    async def toggle_versions(self, pane: ConversationPane) -> None:
        if pane.streaming:
            self.app.notify(STILL_REPLYING)
            return
        view = pane.view
        await view.show_versions(not view.versions_shown)
        self.app.notify(VERSIONS_SHOWN if view.versions_shown else VERSIONS_HIDDEN)
