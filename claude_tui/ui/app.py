"""The Textual app: conversation tabs over the chat engine.

It renders engine events and forwards what the user does; the rules live in the core. The
actions behind dialogs (rename, branch, delete, ...) are in ``ui/actions.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, ComposeResult
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import Footer, TabbedContent, TextArea
from textual.worker import Worker, WorkerState

from claude_tui.chat import ChatEngine
from claude_tui.config import ConfigError, save_setting
from claude_tui.conversation import Conversation
from claude_tui.events import ChatEvent, TextDelta
from claude_tui.providers.choice import assistant_name
from claude_tui.startup import StartOptions
from claude_tui.store import ConversationStore, StoreError
from claude_tui.ui import heap
from claude_tui.ui.actions import READ_ONLY_NOTICE, ConversationActions
from claude_tui.ui.bindings import APP_KEYS, COMPOSER_KEYS, app_bindings
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.dialogs.confirm_end import ConfirmEndScreen
from claude_tui.ui.dialogs.dialog import CommandPaletteScreen
from claude_tui.ui.disk_watch import DiskWatch
from claude_tui.ui.keymap import checked_keymap, refused_notice
from claude_tui.ui.messages import ConversationDeleted, EngineEvent, StoreListed, TextArrived
from claude_tui.ui.palette import ConversationCommands
from claude_tui.ui.shutdown import Shutdown
from claude_tui.ui.status_line import StatusLine
from claude_tui.ui.tabs.open_tabs import OpenTabs
from claude_tui.ui.tabs.pane import ConversationPane, pane_id
from claude_tui.ui.terminal_keys import install as install_terminal_keys

if TYPE_CHECKING:
    from claude_tui.providers.anthropic import AnthropicProvider

REMAPPABLE_IDS = {spec.id for spec in [*APP_KEYS, *COMPOSER_KEYS] if not spec.fixed}
DEMO_NOTICE = "offline demo model: set ANTHROPIC_API_KEY to talk to Claude"
TURN_GROUP = "turn"
UNANSWERED_NOTICE = "⚠ Your last message got no reply. Press ctrl+r to send it again."
# The model's end dialog can open while the user types: keys in its first moments were text.
END_DIALOG_GRACE = 0.4
# The app's own actions, which act on the shown tab: not while a dialog is over it.
_MAIN_SCREEN_ACTIONS = {spec.action.split("(")[0] for spec in APP_KEYS} - {"quit"} | {
    "delete_conversation", "export_conversation", "copy_message"}
# What would write to the shown conversation: off (dimmed in the footer) on a read-only tab.
_WRITING_ACTIONS = {"rename", "end_conversation", "retry"}


class ClaudeTUI(ConversationActions, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "claude-tui"
    BINDINGS = app_bindings()
    COMMANDS = App.COMMANDS | {ConversationCommands}
    # Drafts are written this long after typing pauses: a dropped connection loses little,
    # and no file is written per keystroke.
    draft_save_delay = 2.0

    def __init__(self, options: StartOptions) -> None:
        super().__init__()
        install_terminal_keys()  # ESC 1 is alt+1, ESC DEL is alt+backspace
        heap.install()  # painting makes no garbage cycles
        self.options = options
        self.settings = options.settings
        self.store = ConversationStore(options.data_dir)
        # Chosen at start-up; the SDK inside the Claude one is imported by warm_up() after the
        # first paint.
        self.demo = options.providers.demo
        self.claude: AnthropicProvider | None = options.providers.claude
        # Set once the SDK warm-up thread reports back (False if it failed).
        self.sdk_ready: bool | None = None
        self.engine = ChatEngine(self.store, self.settings, options.providers)
        self.shutdown = Shutdown(self)
        self.disk_watch = DiskWatch(self)
        self.tabs = OpenTabs()
        self._panes: dict[str, ConversationPane] = {}
        # While restoring, tab switches are the app's own: tabs.json is written once at the end.
        self._restoring = False
        self._damaged_reported = 0  # how many of store.damaged the user has been told about
        self._draft_timer: Timer | None = None
        # Conversation id -> the text batch posted to its tab and not yet taken.
        self._text_batches: dict[str, list[str]] = {}
        # Keys the composer needs are refused (reported at mount); the file keeps them.
        keymap, self._refused_keys = checked_keymap(self.settings.keymap,
                                                    self.settings.keymap_lines)
        self.settings.keymap = keymap
        if keymap:
            self.set_keymap(keymap)

    def compose(self) -> ComposeResult:
        yield TabbedContent(id="tabs")
        yield StatusLine(id="status")
        yield Footer()

    # start-up --------------------------------------------------------------------------------
    async def on_mount(self) -> None:
        theme = self.settings.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._save_theme)
        await self._restore_tabs()
        self.report_damaged()
        loop = asyncio.get_running_loop()
        self.shutdown.install(loop)
        self.disk_watch.start(loop)
        # After the first paint: bring the index in step with the files (and find the damaged
        # ones) on the writer thread, a few files at a time.
        self.call_after_refresh(
            self.store.refresh_soon,
            done=lambda: loop.call_soon_threadsafe(self.post_message, StoreListed()))
        unknown = sorted(set(self.settings.keymap) - REMAPPABLE_IDS)
        if unknown:
            self.notify(
                f"Unknown binding ids in [keymap] of {self.settings.path}: {', '.join(unknown)}. "
                "Press f1 for the keys; the ids are listed in the README.",
                title="Keymap", severity="warning", timeout=15, markup=False,
            )
        self._report_config()
        if self.options.demo:
            self.notify(DEMO_NOTICE, title="Demo mode", timeout=10)
        if self.claude is not None:
            self.call_after_refresh(self._warm_up)  # settles the heap once the SDK is in
        else:
            self.call_after_refresh(heap.settle)

    def _report_config(self) -> None:
        if self._refused_keys:
            self.notify(refused_notice(self._refused_keys, self.settings.path), title="Keymap",
                        severity="warning", timeout=20, markup=False)
        if self.settings.unknown_keys:
            self.notify(
                f"Unknown settings in {self.settings.path}: "
                f"{', '.join(self.settings.unknown_keys)}. They are kept in the file but do "
                "nothing; the README lists the settings.",
                title="Config", severity="warning", timeout=20, markup=False)

    async def _restore_tabs(self) -> None:
        self._restoring = True
        state = self.store.load_tabs()
        for conversation_id in state.open:
            try:
                conversation = self.store.load(conversation_id)
            except StoreError:
                continue  # a damaged file is reported from store.damaged
            await self._add_pane(conversation, state.drafts.get(conversation_id, ""))
        self._restoring = False
        if not self.tabs.order:
            await self.open_new_tab(self.engine.new_conversation(self.options.model))
            return
        active = state.active if state.active in self.tabs else self.tabs.order[0]
        await self.show_tab(active)

    def _warm_up(self) -> None:
        # A daemon thread of its own, not a thread worker: those run in asyncio's default
        # executor, which asyncio.run joins at exit, so quitting would wait for the SDK import.
        if self.claude is not None:
            threading.Thread(target=self._warm_up_thread, args=(self.claude,),
                             name="sdk-warm-up", daemon=True).start()

    def _warm_up_thread(self, claude: AnthropicProvider) -> None:
        try:
            claude.warm_up()
        except Exception as exc:  # the first request reports it again, to the user
            error: Exception | None = exc
        else:
            error = None
        if not self.is_running:
            return  # the app is gone; there is nobody to tell
        # The app may stop between the check and the call: then its loop refuses it.
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(self._warmed_up, error)

    def _warmed_up(self, error: Exception | None) -> None:
        self.sdk_ready = error is None
        heap.settle()

    def _save_theme(self, theme: Theme) -> None:
        if theme.name == self.settings.theme:
            return
        try:
            save_setting(self.settings, "theme", theme.name)
        except (OSError, ConfigError) as exc:
            # The file may have been edited into something invalid while the app ran: it is
            # left as it is, and the theme holds for this session only.
            self.notify(f"The theme could not be saved: {exc}", title="Theme not saved",
                        severity="warning", timeout=10, markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a dialog is open its keys win: ctrl+w deletes a word in the rename field
        # rather than closing the tab behind it.
        if action in _MAIN_SCREEN_ACTIONS and self.screen is not self.screen_stack[0]:
            return False
        if action in _WRITING_ACTIONS:
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
        if found is not None and not found.enabled and found.binding.action in _WRITING_ACTIONS:
            self.notify(READ_ONLY_NOTICE)

    # tabs ------------------------------------------------------------------------------------
    @property
    def tabbed(self) -> TabbedContent:
        return self.query_one("#tabs", TabbedContent)

    def pane_for(self, conversation_id: str | None) -> ConversationPane | None:
        # A dict, not a DOM query: this runs for every piece of streamed text.
        return self._panes.get(conversation_id or "")

    def panes(self) -> list[ConversationPane]:
        return list(self._panes.values())

    @property
    def active_pane(self) -> ConversationPane | None:
        return self.pane_for(self.tabs.active)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if not isinstance(event.text_area, Composer):
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(self.draft_save_delay, self.save_tabs)

    def save_tabs(self) -> None:
        """Write the open tabs and their unsent drafts (on every tab change, when typing
        pauses, and at quit)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()  # written now: the pending write has nothing to add
            self._draft_timer = None
        if self._restoring:
            return
        state = self.tabs.state()
        for conversation_id, pane in self._panes.items():
            draft = pane.draft
            if draft:
                state.drafts[conversation_id] = draft
        try:
            future = self.store.save_tabs_soon(state)
        except StoreError as exc:
            self.report_store_error("The open tabs could not be saved", exc)
            return
        self.when_saved(future, "The open tabs could not be saved")

    def when_saved(self, future: Future[None], what: str) -> None:
        """Tell the user (once the writer is done) if a background save failed."""
        loop = asyncio.get_running_loop()

        def done(finished: Future[None]) -> None:
            exc = finished.exception()
            if exc is not None:
                loop.call_soon_threadsafe(self.report_store_error, what, exc)

        future.add_done_callback(done)

    def report_store_error(self, what: str, exc: BaseException) -> None:
        """The one way a file error reaches the user: a notice naming it and what to do."""
        if not self.is_running:
            return
        self.notify(f"{what}: {exc}", title="File not saved", severity="error", timeout=15,
                    markup=False)

    async def _add_pane(self, conversation: Conversation, composer_text: str = "") -> None:
        self.tabs.add(conversation.id)
        pane = ConversationPane(conversation, composer_text)
        self._panes[conversation.id] = pane
        await self.tabbed.add_pane(pane)
        if self.engine.can_retry(conversation) and conversation.messages[-1].role == "user":
            # The app stopped (a crash, a kill) before any reply came: say what to do. (A
            # reply cut off says so itself, in the transcript.)
            pane.show_error(UNANSWERED_NOTICE)

    async def open_new_tab(self, conversation: Conversation, composer_text: str = "") -> None:
        await self._add_pane(conversation, composer_text)
        await self.show_tab(conversation.id)

    async def show_tab(self, conversation_id: str) -> None:
        self.tabs.active = conversation_id
        self.tabbed.active = pane_id(conversation_id)
        await self._tab_shown()

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # Read what is shown now: this message may arrive after later switches (restoring).
        if self._restoring or not self.tabbed.active:
            return
        conversation_id = self.tabbed.active.removeprefix("c-")
        if conversation_id in self.tabs and conversation_id != self.tabs.active:
            self.tabs.active = conversation_id
            await self._tab_shown()

    async def _tab_shown(self) -> None:
        """The shown tab changed: mount its messages once, focus its composer, save."""
        pane = self.active_pane
        if pane is None:
            return
        for each in self._panes.values():
            each.refresh_label()  # the tab count sets the label length
        await pane.view.load()
        await pane.view.catch_up()
        pane.focus_composer()
        self.refresh_bindings()  # the footer dims what an ended tab does not allow
        # A tab added just now has no place yet: bring it into view once it has one.
        tab = self.tabbed.get_tab(pane_id(pane.conversation.id))
        self.call_after_refresh(tab.scroll_visible, animate=False, force=True)
        self.refresh_status()
        self.save_tabs()

    async def close_tab(self, conversation_id: str) -> None:
        pane = self.pane_for(conversation_id)
        if pane is None:
            return
        # Closing stops the reply, as escape would, and waits until it is saved: the file is
        # whole when the tab is gone (and can be opened again at once), and no turn runs on
        # for a tab nobody sees.
        await self.stop_turn(pane)
        following = self.tabs.remove(conversation_id)
        del self._panes[conversation_id]
        await self.tabbed.remove_pane(pane_id(conversation_id))
        if is_unused(pane.conversation):
            # A tab opened and closed unused would stay in the ctrl+o list for good.
            with contextlib.suppress(StoreError, OSError):
                await asyncio.wrap_future(self.store.delete_soon(conversation_id))
        if following is None:
            # The last tab went: start afresh rather than show an empty window.
            await self.open_new_tab(self.engine.new_conversation(self.options.model))
            return
        await self.show_tab(following)

    async def stop_turn(self, pane: ConversationPane) -> bool:
        """Stop the pane's running reply, if any, and wait until the engine has saved what
        came (marked stopped). True if a reply was stopped."""
        worker = pane.worker if pane.streaming else None
        if worker is None:
            return False
        worker.cancel()
        with contextlib.suppress(Exception):  # cancelled, as asked
            await worker.wait()
        return True

    async def action_new_conversation(self) -> None:
        await self.open_new_tab(self.engine.new_conversation(self.options.model))

    async def action_close_tab(self) -> None:
        if self.tabs.active is not None:
            await self.close_tab(self.tabs.active)

    async def action_previous_tab(self) -> None:
        target = self.tabs.step(-1)
        if target is not None:
            await self.show_tab(target)

    async def action_next_tab(self) -> None:
        target = self.tabs.step(1)
        if target is not None:
            await self.show_tab(target)

    async def action_jump_tab(self, number: int) -> None:
        target = self.tabs.nth(number)
        if target is not None:
            await self.show_tab(target)

    async def on_conversation_deleted(self, message: ConversationDeleted) -> None:
        pane = self.pane_for(message.conversation_id)
        if pane is None:
            return
        stopped = await self.stop_turn(pane)
        await self.close_tab(message.conversation_id)
        if stopped:
            # The stopped reply was saved after the file went: delete it again.
            with contextlib.suppress(StoreError, OSError):
                await asyncio.wrap_future(self.store.delete_soon(message.conversation_id))

    # turns -----------------------------------------------------------------------------------
    def route_event(self, event: ChatEvent) -> None:
        """The engine's event sink: each event goes to its own conversation's tab.

        Text pieces join the batch already on its way to the tab, if there is one; any other
        event closes it, so that later text is shown after what that event adds."""
        cid = event.conversation_id
        pane = self.pane_for(cid)
        if pane is None:
            return
        if isinstance(event, TextDelta):
            batch = self._text_batches.get(cid)
            if batch is not None:
                batch.append(event.text)
                return
            batch = self._text_batches[cid] = [event.text]
            pane.post_message(TextArrived(cid, batch))
            return
        self._text_batches.pop(cid, None)
        pane.post_message(EngineEvent(event))

    def take_text(self, message: TextArrived) -> str:
        """The text of a batch, closed now: pieces coming later start another."""
        if self._text_batches.get(message.conversation_id) is message.pieces:
            del self._text_batches[message.conversation_id]
        return "".join(message.pieces)

    def on_engine_event(self, message: EngineEvent) -> None:
        if message.event.conversation_id == self.tabs.active:
            self.refresh_status()
            self.refresh_bindings()  # it may have ended just now

    def refresh_status(self) -> None:
        found = self.query("#status")
        if not found:
            return  # closing down
        pane = self.active_pane
        found.first(StatusLine).show(
            pane.conversation if pane else None,
            streaming=bool(pane and pane.streaming),
            note="" if not self.options.demo else "set ANTHROPIC_API_KEY to talk to Claude",
        )

    async def confirm_end(self, conversation: Conversation, asked_by: str) -> bool:
        """The engine's confirmation: the dialog, answered with y/enter (True) or n/escape."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def done(result: bool | None) -> None:
            if not answer.done():
                answer.set_result(bool(result))

        grace = 0.0
        if asked_by == "assistant":
            # The model asked, maybe while another tab was shown: show what is being ended.
            grace = END_DIALOG_GRACE
            if conversation.id in self.tabs and conversation.id != self.tabs.active:
                await self.show_tab(conversation.id)
        screen = ConfirmEndScreen(conversation.display_title, asked_by,
                                  assistant_name(conversation.model), grace=grace)
        await self.push_screen(screen, done)
        return await answer

    def start_turn(self, pane: ConversationPane, turn: object, name: str) -> None:
        """Run one engine call for ``pane`` in its own worker (several tabs may stream)."""
        pane.worker = self.run_worker(
            turn,  # type: ignore[arg-type]
            name=name,
            group=TURN_GROUP,
            exit_on_error=False,
        )
        pane.refresh_label()
        self.refresh_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != TURN_GROUP:
            return
        for pane in self.query(ConversationPane):
            if pane.worker is event.worker:
                pane.refresh_label()
                if event.state == WorkerState.ERROR and event.worker.error is not None:
                    pane.show_error(f"⚠ Something went wrong: {event.worker.error}")
        self.refresh_status()

    async def on_composer_submitted(self, message: Composer.Submitted) -> None:
        pane = next(
            (a for a in message.composer.ancestors if isinstance(a, ConversationPane)), None
        )
        if pane is None:
            return
        text = message.text
        if text.strip() == "/end":
            message.composer.clear()
            await self.action_end_conversation()
            return
        if not text.strip():
            return
        if pane.streaming:
            self.notify("A reply is still coming: wait for it, or press escape to stop it.")
            return
        message.composer.clear()
        self.start_turn(pane, self._send(pane, text), "send")

    async def _send(self, pane: ConversationPane, text: str) -> None:
        count = len(pane.conversation.messages)
        try:
            await self.engine.send(
                pane.conversation, text, on_event=self.route_event, confirm_end=self.confirm_end
            )
        except (StoreError, OSError) as exc:
            pane.show_error(f"⚠ Not sent: {exc}")
        else:
            if len(pane.conversation.messages) > count:
                return
            # (The engine reported why with TurnFailed.)
        # Nothing was saved: the text goes back into the composer so it is not lost.
        composer = pane.composer
        if composer is not None and not composer.text:
            composer.load_text(text)

    def action_stop_reply(self) -> None:
        pane = self.active_pane
        if pane is not None and pane.streaming and pane.worker is not None:
            pane.worker.cancel()

    def action_retry(self) -> None:
        pane = self.active_pane
        if pane is None or pane.streaming:
            return
        if not pane.is_writable or not self.engine.can_retry(pane.conversation):
            self.notify("There is no unanswered message to retry in this conversation.")
            return
        coro = self.engine.retry(
            pane.conversation, on_event=self.route_event, confirm_end=self.confirm_end
        )
        self.start_turn(pane, coro, "retry")

    async def action_show_earlier(self) -> None:
        pane = self.active_pane
        if pane is not None:
            await pane.view.action_show_earlier()

    async def action_end_conversation(self) -> None:
        pane = self.active_pane
        if pane is None:
            return
        if not pane.is_writable:
            self.notify(READ_ONLY_NOTICE)
            return
        if pane.streaming:
            self.notify("Wait for the reply to finish, or press escape to stop it, first.")
            return
        coro = self.engine.end_by_user(
            pane.conversation, on_event=self.route_event, confirm_end=self.confirm_end
        )
        self.start_turn(pane, coro, "end")

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPaletteScreen.is_open(self):
            self.push_screen(CommandPaletteScreen(id="--command-palette"))

    async def action_quit(self) -> None:
        self.save_tabs()  # the drafts typed since the last tab change
        await super().action_quit()

    async def on_unmount(self) -> None:
        self.shutdown.uninstall()
        heap.release()
        # What was asked to be written is written before the process ends.
        await asyncio.to_thread(self.store.writer.flush, 30)
        for provider in (self.claude, self.demo):
            if provider is not None:
                with contextlib.suppress(Exception):  # closing must not hide the real outcome
                    await provider.aclose()


def is_unused(conversation: Conversation) -> bool:
    """Nothing was ever written in it, nor a title given: not worth keeping once closed."""
    return not conversation.messages and not conversation.title.strip() and (
        not conversation.is_ended)


def run_app(options: StartOptions) -> int:
    """Run the app; the exit status is the app's return code (1 after a crash), else 0."""
    # The writer thread shares the interpreter with the event loop: a short switch interval
    # hands the loop back its turn within a millisecond while the writer encodes a big file.
    sys.setswitchinterval(0.001)
    app = ClaudeTUI(options)
    app.run()
    return app.return_code or 0
