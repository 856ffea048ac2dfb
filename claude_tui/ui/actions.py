"""The app's actions that go through a dialog or touch files: rename, open, branch, copy,
delete, export, help, and the report of damaged files. Mixed into ``ClaudeTUI``; each action
works on the shown tab."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from claude_tui.storage.store import FileProblem, StoreError
from claude_tui.text import inert
from claude_tui.ui.dialogs.confirm_delete import ConfirmDeleteScreen
from claude_tui.ui.dialogs.help import HelpScreen
from claude_tui.ui.dialogs.message_chooser import MessageChooser
from claude_tui.ui.dialogs.picker import ConversationPicker
from claude_tui.ui.dialogs.problems import ProblemsScreen, summary
from claude_tui.ui.dialogs.rename import RenameScreen
from claude_tui.ui.export import export_conversation
from claude_tui.ui.messages import StoreListed
from claude_tui.ui.transcript.message import MessageBlock

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

READ_ONLY_NOTICE = "This conversation has ended; it is read-only (ctrl+n starts a new one)."


class ConversationActions:
    def action_help(self: ClaudeTUI) -> None:
        self.push_screen(HelpScreen(self.settings.keymap))

    def action_rename(self: ClaudeTUI) -> None:
        pane = self.active_pane
        if pane is None:
            return
        if not pane.is_writable:
            self.notify(READ_ONLY_NOTICE)
            return
        conversation = pane.conversation

        def renamed(title: str | None) -> None:
            if title is None:
                return
            old = conversation.title
            conversation.title = title
            try:
                future = self.store.submit(conversation)
            except StoreError as exc:
                conversation.title = old
                self.notify(f"Not renamed: {exc}", severity="warning", markup=False)
                return
            self.when_saved(future, "The new title could not be saved")
            pane.refresh_label()

        self.push_screen(RenameScreen(conversation.display_title), renamed)

    @property
    def file_problems(self: ClaudeTUI) -> list[FileProblem]:
        """Every conversation file found unreadable this session: damaged, newer or
        unreadable (the store's start-up scan and every later read)."""
        return list(self.store.problems)

    def report_damaged(self: ClaudeTUI) -> None:
        """One notice for the files found unreadable since the last one (at start-up, and
        after a listing that found more); the list itself is in the palette."""
        problems = self.file_problems
        found = problems[self._damaged_reported:]
        self._damaged_reported = len(problems)
        if found:
            self.notify(summary(found), title="Unreadable conversation files",
                        severity="warning", timeout=30, markup=False)

    def action_show_problems(self: ClaudeTUI) -> None:
        self.push_screen(ProblemsScreen(self.file_problems))

    def on_store_listed(self: ClaudeTUI, message: StoreListed) -> None:
        self.report_damaged()

    def action_open_conversation(self: ClaudeTUI) -> None:
        picker = ConversationPicker(self.store, set(self.tabs.order))

        async def chosen(conversation_id: str | None) -> None:
            if conversation_id is None:
                return
            if conversation_id in self.tabs:
                await self.show_tab(conversation_id)
            else:
                try:
                    conversation = self.store.load(conversation_id)
                except StoreError as exc:
                    self.notify(f"That conversation could not be opened: {exc}",
                                severity="error", markup=False)
                    return
                await self.open_new_tab(conversation)
            if picker.chosen_message is not None:
                # Later, not here: this callback runs while the dialog hands focus back, and
                # mounting earlier messages now would let that hand-back switch tabs.
                self.call_later(self.reveal_message, conversation_id, picker.chosen_message)

        self.push_screen(picker, chosen)

    async def reveal_message(self: ClaudeTUI, conversation_id: str, index: int) -> None:
        """Scroll a tab to a message (a search match), showing earlier ones if needed."""
        pane = self._panes.get(conversation_id)
        if pane is None:
            return
        view = pane.view
        await view.load()
        while view.first_shown > index:
            await view.action_show_earlier()
        blocks = [b for b in view.query(MessageBlock) if b.index >= index]
        if blocks:
            view.release_anchor()
            # After the layout that places the blocks (and after show_earlier's own scroll).
            self.call_after_refresh(view.scroll_to_widget, blocks[0], top=True, animate=False)

    def action_copy_reply(self: ClaudeTUI) -> None:
        pane = self.active_pane
        if pane is None:
            return
        replies = [m for m in pane.conversation.messages if m.role == "assistant" and m.text]
        if not replies:
            self.notify("There is no reply to copy yet.")
            return
        self._copy(replies[-1].text, "the last reply")

    def _copy(self: ClaudeTUI, text: str, what: str) -> None:
        # Control characters never reach the clipboard: a paste into a terminal would run them.
        self.copy_to_clipboard(inert(text))
        self.notify(f"Copied {what} to the clipboard.", markup=False)

    def action_copy_message(self: ClaudeTUI) -> None:
        pane = self.active_pane
        if pane is None or not pane.conversation.messages:
            self.notify("There is no message to copy yet.")
            return
        conversation = pane.conversation

        def chosen(index: int | None) -> None:
            if index is not None and 0 <= index < len(conversation.messages):
                self._copy(conversation.messages[index].text, "the message")

        self.push_screen(MessageChooser(conversation, "copy"), chosen)

    def action_branch(self: ClaudeTUI) -> None:
        pane = self.active_pane
        if pane is None:
            return
        source = pane.conversation
        if not any(m.is_user_text for m in source.messages):
            self.notify("There is no message of yours to branch from yet.")
            return

        async def chosen(index: int | None) -> None:
            if index is None:
                return
            try:
                branch, text = await self.engine.branch(source, index)
            except (StoreError, ValueError, IndexError) as exc:
                self.notify(f"Could not branch: {exc}", severity="error", markup=False)
                return
            await self.open_new_tab(branch, composer_text=text)

        self.push_screen(MessageChooser(source, "branch"), chosen)

    def action_delete_conversation(self: ClaudeTUI) -> None:
        pane = self.active_pane
        if pane is None:
            return
        conversation_id = pane.conversation.id

        async def answered(confirmed: bool | None) -> None:
            if not confirmed:
                return
            await self.close_tab(conversation_id)  # stops a running reply first
            try:
                await asyncio.wrap_future(self.store.delete_soon(conversation_id))
            except StoreError as exc:
                self.notify(f"Could not delete: {exc}", severity="error", markup=False)
                return
            self.notify("Conversation deleted.")

        self.push_screen(ConfirmDeleteScreen(pane.conversation.display_title), answered)

    def action_export_conversation(self: ClaudeTUI) -> None:
        pane = self.active_pane
        if pane is None:
            return
        try:
            path = export_conversation(pane.conversation, self.store.data_dir)
        except OSError as exc:
            self.notify(f"Could not export: {exc}", severity="error", markup=False)
            return
        self.notify(f"Exported to {path}", title="Export", timeout=10, markup=False)
