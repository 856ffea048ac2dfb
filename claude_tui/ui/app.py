"""The Textual app: conversation tabs over the chat engine.

It renders engine events and forwards what the user does; the rules live in the core. The tabs
are owned by ``ConversationTabs`` (``ui/tabs/``), the running turns by ``Turns``
(``ui/turns.py``), the dialogs' actions by ``ConversationActions`` (``ui/actions.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, ComposeResult
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import TextArea
from textual.worker import Worker

from claude_tui.chat import ChatEngine
from claude_tui.conversation import Conversation
from claude_tui.models import ModelCatalog
from claude_tui.startup import StartOptions
from claude_tui.storage.store import ConversationStore, StoreError
from claude_tui.ui import heap
from claude_tui.ui.actions import READ_ONLY_NOTICE, ConversationActions
from claude_tui.ui.attaching import Attaching
from claude_tui.ui.bindings import APP_KEYS, app_bindings
from claude_tui.ui.composer.attachment_row import AttachmentRow
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.config_report import report_config
from claude_tui.ui.dialogs.dialog import CommandPaletteScreen
from claude_tui.ui.disk_watch import DiskWatch
from claude_tui.ui.edits import ConversationEdits
from claude_tui.ui.footer import KeyFooter
from claude_tui.ui.key_words import KeyWords
from claude_tui.ui.keymap import checked_keymap
from claude_tui.ui.messages import ConversationDeleted, EngineEvent, StoreListed
from claude_tui.ui.palette import ConversationCommands
from claude_tui.ui.sdk_warm_up import WarmUp
from claude_tui.ui.shutdown import Shutdown
from claude_tui.ui.status_line import Status, StatusLine
from claude_tui.ui.tab_saving import TabSaving
from claude_tui.ui.tabs.collection import ConversationTabs, is_unused
from claude_tui.ui.tabs.pane import ConversationPane
from claude_tui.ui.terminal_keys import install as install_terminal_keys
from claude_tui.ui.textual_private import apply_layout_and_paint_fixes
from claude_tui.ui.theme_setting import follow_theme_setting
from claude_tui.ui.transcript.message import unanswered_notice
from claude_tui.ui.transcript.remembered import keep_shown_lines
from claude_tui.ui.turns import END_DIALOG_GRACE, Turns

if TYPE_CHECKING:
    from claude_tui.providers.anthropic import AnthropicProvider

__all__ = ["DEMO_NOTICE", "END_DIALOG_GRACE", "ClaudeTUI", "run_app"]

DEMO_NOTICE = "offline demo model: set ANTHROPIC_API_KEY to talk to Claude"
DEMO_STATUS = "set ANTHROPIC_API_KEY to talk to Claude"
# The app's own actions, which act on the shown tab: not while a dialog is over it.
_MAIN_SCREEN_ACTIONS = {spec.action.split("(")[0] for spec in APP_KEYS} - {"quit"} | {
    "delete_conversation", "export_conversation", "copy_message"}
# What would write to the shown conversation: off (dimmed in the footer) on a read-only tab.
_WRITING_ACTIONS = {"rename", "end_conversation", "retry", "choose_model", "edit",
                    "attach_file"}


class TabsScreen(Screen[None]):
    # Focus goes to the composer once its tab is mounted, not first to whatever is focusable
    # before it (the tab bar, then the transcript): each move restyles what it leaves.
    AUTO_FOCUS = "Composer"


class ClaudeTUI(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "claude-tui"
    BINDINGS = app_bindings()
    COMMANDS = App.COMMANDS | {ConversationCommands}
    # Drafts are written this long after typing pauses: a dropped connection loses little,
    # and no file is written per keystroke.
    draft_save_delay = 2.0
    # The status line's words (bound in compose); not painted by the app (that is the screen).
    status: reactive[Status] = reactive(Status, init=False, repaint=False)

    def __init__(self, options: StartOptions) -> None:
        super().__init__()
        install_terminal_keys()  # ESC 1 is alt+1, ESC DEL is alt+backspace
        heap.install()  # painting makes no garbage cycles
        apply_layout_and_paint_fixes()  # long replies laid out once, keys painted promptly
        self.options = options
        self.settings = options.settings
        self.store = ConversationStore(options.data_dir)
        # Chosen at start-up; the SDK inside the Claude one is imported by warm_up() after the
        # first paint.
        self.demo = options.providers.demo
        self.claude: AnthropicProvider | None = options.providers.claude
        self.engine = ChatEngine(self.store, self.settings, options.providers)
        self.model_catalog = ModelCatalog(options.providers)  # asked once the SDK is in
        self.turns = Turns(self, self.engine)
        self.actions = ConversationActions(self)
        self.edits = ConversationEdits(self)
        self.attaching = Attaching(self)
        self.shutdown = Shutdown(self)
        self.disk_watch = DiskWatch(self)
        self.tabs = ConversationTabs(id="tabs")
        self.saving = TabSaving(self)
        self.warm_up = WarmUp(self)  # after the first paint: the SDK, Markdown, the heap
        # Keys the composer needs are refused (reported at mount); the file keeps them.
        keymap, self._refused_keys = checked_keymap(self.settings.keymap,
                                                    self.settings.keymap_lines)
        self.settings.keymap = keymap
        self.key_words = KeyWords(keymap)  # the app's sentences name the keys as remapped
        if keymap:
            self.set_keymap(keymap)

    def get_default_screen(self) -> Screen:
        return TabsScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield self.tabs
        yield StatusLine(id="status").data_bind(ClaudeTUI.status)
        yield KeyFooter()

    # start-up --------------------------------------------------------------------------------
    async def on_mount(self) -> None:
        follow_theme_setting(self, self.settings)
        await self._restore_tabs()
        self.actions.report_problems()
        loop = asyncio.get_running_loop()
        self.shutdown.install(loop)
        self.disk_watch.start(loop)
        # After the first paint: bring the index in step with the files (and find the damaged
        # ones) on the writer thread, a few files at a time.
        self.call_after_refresh(
            self.store.refresh_soon,
            done=lambda: loop.call_soon_threadsafe(self.post_message, StoreListed()))
        report_config(self, self.settings, self._refused_keys)
        if self.options.demo:
            self.notify(DEMO_NOTICE, title="Demo mode", timeout=10)
        self.warm_up.after_first_paint()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a dialog is open its keys win: ctrl+w deletes a word in the rename field
        # rather than closing the tab behind it.
        if action in _MAIN_SCREEN_ACTIONS and self.screen is not self.screen_stack[0]:
            return False
        if action in _WRITING_ACTIONS and parameters != ("versions",):
            pane = self.active_pane
            if pane is not None and not pane.is_writable:
                return None  # an ended conversation is read-only (E5): shown, dimmed
        return True

    def refresh_bindings(self) -> None:
        # At quit the screens go first: a reply's last events may still arrive after them.
        if self.screen_stack:
            super().refresh_bindings()

    def on_key(self, event: events.Key) -> None:
        # A key dimmed in the footer, pressed anyway, gets a word why rather than silence.
        found = self.screen.active_bindings.get(event.key)
        action = found.binding.action.split("(")[0] if found is not None else ""
        if found is not None and not found.enabled and action in _WRITING_ACTIONS:
            self.notify(READ_ONLY_NOTICE)

    # tabs ------------------------------------------------------------------------------------
    @property
    def active_pane(self) -> ConversationPane | None:
        return self.tabs.active_pane

    async def _restore_tabs(self) -> None:
        state = self.store.session.load()
        tabs = []
        for conversation_id in state.open:
            try:
                conversation = self.store.load(conversation_id)
            except StoreError:
                continue  # a damaged file is reported from store.problems
            tabs.append((conversation, state.drafts.get(conversation_id, ""),
                         state.draft_files.get(conversation_id, [])))
        self.tabs.closed_drafts = state.closed_drafts
        self.tabs.closed_draft_files = state.closed_draft_files
        await self.tabs.restore(tabs, state.active, self.store.remembered_view(state.active))
        for pane in self.tabs.panes():
            self._say_if_unanswered(pane)
        if not self.tabs:
            await self.open_tab(self.engine.new_conversation(self.options.model))

    async def open_tab(self, conversation: Conversation, *, draft: str = "") -> None:
        """Open a tab for ``conversation`` and show it."""
        if conversation.id not in self.tabs:
            self._say_if_unanswered(await self.tabs.open(conversation, draft))
        await self.tabs.show(conversation.id)

    def _say_if_unanswered(self, pane: ConversationPane) -> None:
        conversation = pane.conversation
        if self.engine.can_retry(conversation) and conversation.messages[-1].role == "user":
            # No reply came (the turn failed, or the app stopped): say why when the file
            # kept it, and what to do. (A reply cut off says so itself, in the transcript.)
            pane.show_error(unanswered_notice(conversation.messages[-1]))

    async def close_tab(self, conversation_id: str) -> None:
        """Close a tab (its reply stopped and saved first); the last one gives way to a new
        conversation rather than an empty window."""
        closed = await self.tabs.close(conversation_id)
        if closed is None:
            return
        if is_unused(closed.conversation):
            # A tab opened and closed unused would stay in the ctrl+o list for good.
            self.tabs.forget_draft(conversation_id)
            with contextlib.suppress(StoreError, OSError):
                await asyncio.wrap_future(self.store.delete_soon(conversation_id))
        if not self.tabs:
            await self.open_tab(self.engine.new_conversation(self.options.model))
        self.save_tabs()

    async def on_conversation_tabs_shown(self, message: ConversationTabs.Shown) -> None:
        self.refresh_bindings()  # the footer dims what an ended tab does not allow
        self.show_status()
        self.save_tabs()

    async def on_conversation_deleted(self, message: ConversationDeleted) -> None:
        pane = self.tabs.pane_for(message.conversation_id)
        if pane is not None:
            stopped = await pane.stop_reply()
            await self.close_tab(message.conversation_id)
            if stopped:
                # The stopped reply was saved after the file went: delete it again.
                with contextlib.suppress(StoreError, OSError):
                    await asyncio.wrap_future(self.store.delete_soon(message.conversation_id))
        self.tabs.forget_draft(message.conversation_id)  # deleted: its draft goes too
        self.save_tabs()

    # drafts and saving (ui/tab_saving.py) -----------------------------------------------------
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if isinstance(event.text_area, Composer):
            self.saving.typed()

    def on_attachment_row_changed(self, message: AttachmentRow.Changed) -> None:
        self.save_tabs()  # a file attached or removed: the draft keeps it at once

    def save_tabs(self) -> None:
        """Write the open tabs and their unsent drafts (on every tab change, when typing
        pauses, and at quit)."""
        self.saving.save()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        # Every notice of the app names the keys as the user's [keymap] has them.
        super().notify(self.key_words(message), title=title, severity=severity,
                       timeout=timeout, markup=markup)

    # turns and the status line ---------------------------------------------------------------
    def on_engine_event(self, message: EngineEvent) -> None:
        # Only what changes the status line comes this far (the tab stops the rest).
        if self.screen_stack and message.event.conversation_id == self.tabs.active_id:
            self.show_status()
            self.refresh_bindings()  # it may have ended just now

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        pane = self.turns.worker_changed(event)
        if pane is not None and pane is self.tabs.active_pane:
            self.show_status()

    def show_status(self) -> None:
        """Say in the status line what the shown conversation is doing."""
        pane = self.tabs.active_pane
        self.status = Status.of(pane.conversation if pane else None,
                                streaming=bool(pane and pane.streaming),
                                note=DEMO_STATUS if self.options.demo else "",
                                known=self.model_catalog.models)

    async def on_composer_attach_asked(self, message: Composer.AttachAsked) -> None:
        await self.attaching.asked(message)  # /attach PATH

    async def on_composer_path_pasted(self, message: Composer.PathPasted) -> None:
        await self.attaching.pasted(message)

    async def on_composer_submitted(self, message: Composer.Submitted) -> None:
        if message.text.strip() == "/end":
            message.composer.remove_sent(message.text)  # not what was typed after enter
            await self.action_end_conversation()
        else:
            self.turns.submit(message)

    # key actions: each hands the shown tab to whoever does the work -------------------------
    async def action_new_conversation(self) -> None:
        await self.open_tab(self.engine.new_conversation(self.options.model))

    async def action_close_tab(self) -> None:
        await self.actions.close()  # asks first where closing would lose a draft

    async def action_previous_tab(self) -> None:
        await self._show_if(self.tabs.step(-1))

    async def action_next_tab(self) -> None:
        await self._show_if(self.tabs.step(1))

    async def action_jump_tab(self, number: int) -> None:
        await self._show_if(self.tabs.nth(number))

    async def _show_if(self, conversation_id: str | None) -> None:
        if conversation_id is not None:
            await self.tabs.show(conversation_id)

    def action_stop_reply(self) -> None:
        if (pane := self.active_pane) is not None:
            pane.cancel_reply()

    def action_retry(self) -> None:
        if (pane := self.active_pane) is not None:
            self.turns.retry(pane)

    async def action_show_earlier(self) -> None:
        if (pane := self.active_pane) is not None:
            await pane.view.action_show_earlier()

    def action_scroll_transcript(self, where: str) -> None:
        if (pane := self.active_pane) is not None:
            pane.view.scroll_by_key(where)  # page_up, page_down, top, bottom

    async def action_end_conversation(self) -> None:
        pane = self.active_pane
        if pane is None:
            return
        if not pane.is_writable:
            self.notify(READ_ONLY_NOTICE)
            return
        self.turns.end(pane)

    async def action_edit(self, what: str) -> None:
        await self.edits.run(what)  # regenerate, last_message, system_prompt, versions

    def action_attach_file(self) -> None:
        self.attaching.ask()

    def action_help(self) -> None:
        self.actions.help()

    def action_rename(self) -> None:
        self.actions.rename()

    def action_choose_model(self) -> None:
        self.actions.choose_model()

    def action_open_conversation(self) -> None:
        self.actions.open()

    def action_copy_reply(self) -> None:
        self.actions.copy_reply()

    def action_copy_message(self) -> None:
        self.actions.copy_message()

    def action_branch(self) -> None:
        self.actions.branch()

    def action_delete_conversation(self) -> None:
        self.actions.delete()

    def action_export_conversation(self) -> None:
        self.actions.export()

    def action_show_problems(self) -> None:
        self.actions.show_problems()

    def on_store_listed(self, message: StoreListed) -> None:
        self.actions.report_problems()

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPaletteScreen.is_open(self):
            self.push_screen(CommandPaletteScreen(id="--command-palette"))

    async def action_quit(self) -> None:
        self.save_tabs()  # the drafts typed since the last tab change
        keep_shown_lines(self)  # the next start shows them first
        await super().action_quit()

    async def on_unmount(self) -> None:
        self.shutdown.uninstall()
        self.warm_up.close()
        # What was asked to be written is written before the process ends.
        await asyncio.to_thread(self.store.writer.flush, 30)
        self.saving.drafts_at_quit.check()  # printed by run_app once the terminal is restored
        for provider in (self.claude, self.demo):
            if provider is not None:
                with contextlib.suppress(Exception):  # closing must not hide the real outcome
                    await provider.aclose()


def run_app(options: StartOptions) -> int:
    """Run the app; the exit status is the app's return code (1 after a crash), else 0."""
    # The writer thread shares the interpreter with the event loop: a short switch interval
    # hands the loop back its turn within a millisecond while the writer encodes a big file.
    sys.setswitchinterval(0.001)
    app = ClaudeTUI(options)
    app.run()
    with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
        app.saving.drafts_at_quit.report(sys.stderr)  # nothing typed is lost without a word
    return app.return_code or 0
