"""What the user does to conversations through a dialog or a file: rename, choose the model,
open, close, branch, copy, delete, export, help, and the report of unreadable files. The app's key
actions call these; each works on the shown tab."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from claude_tui.attachments import attached_to
from claude_tui.storage.store import FileProblem, StoreError
from claude_tui.text import inert
from claude_tui.ui.tabs.pane import ConversationPane
from claude_tui.ui.transcript.message import MessageBlock

if TYPE_CHECKING:
    from claude_tui.conversation import Conversation
    from claude_tui.ui.app import ClaudeTUI

READ_ONLY_NOTICE = "This conversation has ended; it is read-only (ctrl+n starts a new one)."
BUSY_NOTICE = "A reply is on its way: choose the model once it is done (escape stops it)."


# The dialogs are imported where they are opened: the first screen needs none of them.
class ConversationActions:
    def __init__(self, app: ClaudeTUI) -> None:
        self.app = app
        self._problems_reported = 0  # how many of the store's problems the user was told of

    @property
    def _shown(self) -> ConversationPane | None:
        return self.app.tabs.active_pane

    def help(self) -> None:
        from claude_tui.ui.dialogs.help import HelpScreen
        self.app.push_screen(HelpScreen(self.app.settings.keymap))

    def _writable(self) -> ConversationPane | None:
        """The shown tab, if its conversation may be changed; else None (and a word why)."""
        pane = self._shown
        if pane is not None and not pane.is_writable:
            self.app.notify(READ_ONLY_NOTICE)
            return None
        return pane

    def _change(self, conversation: Conversation, name: str, value: object, *,
                not_done: str, not_saved: str) -> bool:
        """Set one of the conversation's fields and hand it to the writer; False, with the
        field as it was and a notice, when the store refuses it (``not_done``). A failure of
        the write itself is reported when the writer gets to it (``not_saved``)."""
        old = getattr(conversation, name)
        setattr(conversation, name, value)
        try:
            future = self.app.store.submit(conversation)
        except StoreError as exc:
            setattr(conversation, name, old)
            self.app.notify(f"{not_done}: {exc}", severity="warning", markup=False)
            return False
        self.app.saving.when_saved(future, not_saved)
        return True

    def rename(self) -> None:
        from claude_tui.ui.dialogs.rename import RenameScreen
        app, pane = self.app, self._writable()
        if pane is None:
            return
        conversation = pane.conversation

        def renamed(title: str | None) -> None:
            if title is None:
                return
            if self._change(conversation, "title", title, not_done="Not renamed",
                            not_saved="The new title could not be saved"):
                pane.refresh_label()

        app.push_screen(RenameScreen(conversation.display_title), renamed)

    def choose_model(self) -> None:
        """The model of the shown conversation, saved in its file; the next turn uses it."""
        from claude_tui.ui.dialogs.model_picker import ModelPicker
        app, pane = self.app, self._writable()
        if pane is None:
            return
        conversation = pane.conversation
        if app.engine.is_running(conversation):
            app.notify(BUSY_NOTICE)
            return

        def chosen(model: str | None) -> None:
            if model is None or model == conversation.model:
                return
            if not pane.is_writable or app.engine.is_running(conversation):
                app.notify(BUSY_NOTICE if pane.is_writable else READ_ONLY_NOTICE)
                return
            if not self._change(conversation, "model", model,
                                not_done="The model was not changed",
                                not_saved="The new model could not be saved"):
                return
            pane.follow_model()
            app.show_status()
            hint = (" It needs an API key: set ANTHROPIC_API_KEY." if
                    app.model_catalog.needs_key(model) else "")
            app.notify(f"This conversation now uses {model}.{hint}", markup=False)

        app.push_screen(ModelPicker(app.model_catalog, conversation.model, app.options.model),
                        chosen)

    async def list_models(self) -> None:
        """Ask for the models in the background (after the SDK is in), for the picker and
        the context windows of the status line."""
        await self.app.model_catalog.refresh()
        self.app.show_status()

    @property
    def file_problems(self) -> list[FileProblem]:
        """Every conversation file found unreadable this session: damaged, newer or
        unreadable (the store's start-up scan and every later read)."""
        return list(self.app.store.problems)

    def report_problems(self) -> None:
        """One notice for the files found unreadable since the last one (at start-up, and
        after a listing that found more); the list itself is in the palette."""
        problems = self.file_problems
        found = problems[self._problems_reported:]
        self._problems_reported = len(problems)
        if found:
            from claude_tui.ui.dialogs.problems import summary  # loaded when there are some

            self.app.notify(summary(found), title="Unreadable conversation files",
                            severity="warning", timeout=30, markup=False)

    def show_problems(self) -> None:
        from claude_tui.ui.dialogs.problems import ProblemsScreen
        self.app.push_screen(ProblemsScreen(self.file_problems))

    def open(self) -> None:
        from claude_tui.ui.dialogs.picker import ConversationPicker
        app = self.app
        picker = ConversationPicker(app.store, set(app.tabs.order))

        async def chosen(conversation_id: str | None) -> None:
            if conversation_id is None:
                return
            if conversation_id not in app.tabs:
                try:
                    conversation = app.store.load(conversation_id)
                except StoreError as exc:
                    app.notify(f"That conversation could not be opened: {exc}",
                               severity="error", markup=False)
                    return
                await app.tabs.open(conversation)
            await app.tabs.show(conversation_id)
            if picker.chosen_message is not None:
                # Later, not here: this callback runs while the dialog hands focus back, and
                # mounting earlier messages now would let that hand-back switch tabs.
                app.call_later(self.reveal_message, conversation_id, picker.chosen_message)

        app.push_screen(picker, chosen)

    async def reveal_message(self, conversation_id: str, index: int) -> None:
        """Scroll a tab to a message (a search match), showing earlier ones if needed."""
        pane = self.app.tabs.pane_for(conversation_id)
        if pane is None:
            return
        view = pane.view
        await view.load()
        await view.all_loaded()
        while view.first_shown > index:
            await view.action_show_earlier()
        blocks = [b for b in view.query(MessageBlock) if b.index >= index]
        if blocks:
            view.release_anchor()
            block = blocks[0]

            def scroll(tries: int = 10) -> None:
                # Once laid out (and after show_earlier's own scroll). The parts above it get
                # their real heights first, and the scroll is checked after each of the next
                # few layouts: parts painted in view take their own heights only then, and
                # heights that change above it would leave it out of view.
                view.measuring.measure_above(block)
                view.scroll_to_widget(block, top=True, animate=False)
                self.app.call_after_refresh(check, tries - 1)

            def check(tries: int) -> None:
                if tries < 0 or not block.is_attached:
                    return
                top = block.virtual_region.y
                if not view.scroll_y <= top < view.scroll_y + view.size.height:
                    scroll(tries)
                else:
                    self.app.call_after_refresh(check, tries - 1)

            self.app.call_after_refresh(scroll)

    def copy_reply(self) -> None:
        pane = self._shown
        if pane is None:
            return
        replies = [m for m in pane.conversation.messages if m.role == "assistant" and m.text]
        if not replies:
            self.app.notify("There is no reply to copy yet.")
            return
        self._copy(replies[-1].text, "the last reply")

    def _copy(self, text: str, what: str) -> None:
        # Control characters never reach the clipboard: a paste into a terminal would run them.
        self.app.copy_to_clipboard(inert(text))
        self.app.notify(f"Copied {what} to the clipboard.", markup=False)

    def copy_message(self) -> None:
        from claude_tui.ui.dialogs.message_chooser import MessageChooser
        pane = self._shown
        if pane is None or not pane.conversation.messages:
            self.app.notify("There is no message to copy yet.")
            return
        conversation = pane.conversation

        def chosen(index: int | None) -> None:
            if index is not None and 0 <= index < len(conversation.messages):
                self._copy(conversation.messages[index].text, "the message")

        self.app.push_screen(MessageChooser(conversation, "copy"), chosen)

    def branch(self) -> None:
        from claude_tui.ui.dialogs.message_chooser import MessageChooser
        app, pane = self.app, self._shown
        if pane is None:
            return
        source = pane.conversation
        if not any(m.is_user_text for m in source.messages):
            app.notify("There is no message of yours to branch from yet.")
            return

        async def chosen(index: int | None) -> None:
            if index is None:
                return
            try:
                branch, text = await app.engine.branch(source, index)
            except (StoreError, ValueError, IndexError) as exc:
                app.notify(f"Could not branch: {exc}", severity="error", markup=False)
                return
            await app.open_tab(branch, draft=text)
            opened = app.tabs.pane_for(branch.id)
            if opened is not None:  # the files go with the text to edit
                for attachment in attached_to(source.messages[index]):
                    opened.attachment_row.add(attachment)

        app.push_screen(MessageChooser(source, "branch"), chosen)

    async def close(self) -> None:
        """Close the shown tab. A conversation never used (no message, no title) is deleted
        as its tab closes: if it holds a draft, the user is asked first."""
        from claude_tui.ui.tabs.collection import is_unused
        app, pane = self.app, self._shown
        if pane is None:
            return
        conversation_id = pane.conversation.id
        files = [a.described for a in pane.attachment_row.attached]
        if not (is_unused(pane.conversation) and (pane.draft.strip() or files)):
            await app.close_tab(conversation_id)
            return
        from claude_tui.ui.dialogs.confirm_discard import ConfirmDiscardScreen

        async def answered(discard: bool | None) -> None:
            if discard:
                await app.close_tab(conversation_id)

        app.push_screen(ConfirmDiscardScreen(pane.draft, files), answered)

    def delete(self) -> None:
        from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
        app, pane = self.app, self._shown
        if pane is None:
            return
        conversation_id = pane.conversation.id

        async def answered(confirmed: bool | None) -> None:
            if not confirmed:
                return
            await app.close_tab(conversation_id)  # stops a running reply first
            try:
                await asyncio.wrap_future(app.store.delete_soon(conversation_id))
            except StoreError as exc:
                app.notify(f"Could not delete: {exc}", severity="error", markup=False)
                return
            app.tabs.forget_draft(conversation_id)  # its closed tab's draft goes too
            app.save_tabs()
            app.notify("Conversation deleted.")

        app.push_screen(ConfirmDeleteScreen(pane.conversation.display_title), answered)

    def export(self) -> None:
        from claude_tui.ui.export import export_conversation  # loaded when first used
        pane = self._shown
        if pane is None:
            return
        try:
            path = export_conversation(pane.conversation, self.app.store.data_dir)
        except OSError as exc:
            self.app.notify(f"Could not export: {exc}", severity="error", markup=False)
            return
        self.app.notify(f"Exported to {path}", title="Export", timeout=10, markup=False)
