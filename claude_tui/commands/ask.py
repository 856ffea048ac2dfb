"""``claude-tui ask [PROMPT]``: one message, the reply streamed to stdout, saved like the app.

It runs the app's ``ChatEngine`` with the app's providers, so the end-conversation rules hold:
an ended conversation takes no message (exit 1), a warning is printed to stderr naming the
behaviour, an end by the model is saved and ends with exit 3, and a ``user_requested`` end is
confirmed on the terminal, or with ``--yes``, and declined when there is no terminal.

``ask`` works while the app runs on the same data folder (``git diff | claude-tui ask`` beside
an open app is the everyday case): a new conversation is a file of its own, and the store checks
every file is still the version it read before writing it. What it refuses (exit 1) is
continuing a conversation that is open as a tab of the running app, which could be writing it
at the same moment; it takes the data-folder lock when the app is not running, so the app does
not start writing under it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
import threading

from claude_tui.attachments import Attachment, AttachmentError, read_attachment
from claude_tui.chat import ChatEngine
from claude_tui.cli import resolve
from claude_tui.commands.ask_output import AskPrinter, exit_code, say_ended
from claude_tui.commands.common import (
    EXIT_USAGE,
    CommandError,
    conversations_folder,
    find_id,
    safe_json,
    say,
)
from claude_tui.config import ConfigError
from claude_tui.conversation import Conversation
from claude_tui.providers.choice import assistant_name, provider_info
from claude_tui.startup import StartOptions
from claude_tui.storage.data_lock import DataFolderInUse, DataFolderLock
from claude_tui.storage.store import ConversationStore, StoreError


def run(args: argparse.Namespace) -> int:
    if args.continue_id is not None or args.latest:
        if args.ask_model or args.model:
            raise CommandError("--model picks the model of a new conversation; a continued "
                               "conversation keeps its own", EXIT_USAGE)
    else:
        args.model = args.ask_model or args.model
    try:
        options = resolve(args)
    except ConfigError as exc:
        raise CommandError(f"config error: {exc}", EXIT_USAGE) from None
    try:  # read before anything is written: a file that cannot go changes nothing
        attached = [read_attachment(path) for path in args.attach]
    except AttachmentError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    text = message_text(args, attached=bool(attached))
    # The engine logs what it survives; here that must not reach stderr as a traceback.
    logging.getLogger("claude_tui").addHandler(logging.NullHandler())
    logging.getLogger("claude_tui").propagate = False
    lock: DataFolderLock | None = DataFolderLock(options.data_dir)
    try:
        lock.acquire()  # type: ignore[union-attr]
    except DataFolderInUse:
        lock = None  # the app runs on this folder: fine, but not on one of its open tabs
    except OSError as exc:
        raise CommandError(f"cannot use the data folder {options.data_dir}: {exc}") from None
    try:
        return asyncio.run(_ask(args, options, text, attached, app_running=lock is None))
    except asyncio.CancelledError:  # SIGTERM or SIGHUP: the engine saved the reply so far
        say("stopped: the reply so far is saved, marked interrupted")
        return 128 + signal.SIGTERM
    finally:
        if lock is not None:
            lock.release()


def message_text(args: argparse.Namespace, *, attached: bool = False) -> str:
    """PROMPT; standard input when PROMPT is absent or '-'; piped input, then PROMPT, when
    there are both (``git diff | claude-tui ask "review this"``). With files attached the
    text may be empty, and a terminal is not asked for one."""
    stdin = sys.stdin
    if attached and args.prompt is None and (stdin is None or stdin.isatty()):
        return ""
    if args.prompt is None or args.prompt == "-":
        if stdin is None:
            raise CommandError("no message: give a PROMPT or pipe one in", EXIT_USAGE)
        if stdin.isatty():
            say("type the message, then ctrl+d on a line of its own")
        text = _read(stdin).rstrip("\n")
    else:
        text = args.prompt
        if stdin is not None and not stdin.isatty():
            piped = _read(stdin)
            if piped.strip():
                text = f"{piped.rstrip()}\n\n{args.prompt}"
    if not text.strip() and not attached:
        raise CommandError("nothing to send: the message is empty", EXIT_USAGE)
    return text


def _read(stream: object) -> str:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:  # bytes that are not UTF-8 become U+FFFD rather than a crash
        return buffer.read().decode("utf-8", "replace")
    return stream.read()  # type: ignore[attr-defined]


def _target(args: argparse.Namespace, store: ConversationStore,
            options: StartOptions, app_running: bool) -> Conversation:
    """The conversation to add to: a new one, ``--continue ID`` or ``-c`` (the latest)."""
    if args.continue_id is None and not args.latest:
        return store.create(options.model)
    if args.latest:
        store.refresh()  # the index in step with the files first
        summaries = store.list()
        if not summaries:
            raise CommandError("no conversation to continue yet: leave out -c to start one")
        conversation_id = summaries[0].id
    else:
        conversation_id = find_id(conversations_folder(options.data_dir), args.continue_id)
    if app_running and conversation_id in store.session.load().open:
        raise CommandError(
            f"conversation {conversation_id} is open in the running claude-tui: continue it "
            "there, or close its tab (ctrl+w) first")
    try:
        conversation = store.load(conversation_id)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    if conversation.read_only_reason:
        raise CommandError(f"conversation {conversation_id} is read-only: "
                           f"{conversation.read_only_reason}")
    if conversation.is_ended:
        say_ended(conversation, refused=True)
        raise CommandError(f"conversation {conversation_id} has ended; nothing can be added "
                           "to it. Leave out --continue/-c to start a new one")
    return conversation


async def _ask(args: argparse.Namespace, options: StartOptions, text: str,
               attached: list[Attachment], *, app_running: bool) -> int:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for name in ("SIGTERM", "SIGHUP"):  # no SIGHUP (nor handlers) on Windows
        with contextlib.suppress(NotImplementedError, AttributeError, ValueError):
            loop.add_signal_handler(getattr(signal, name), task.cancel)  # type: ignore[union-attr]
    try:
        store = ConversationStore(options.data_dir)
    except (StoreError, OSError) as exc:
        raise CommandError(f"cannot use the data folder {options.data_dir}: {exc}") from None
    try:
        return await _ask_in(store, args, options, text, attached, app_running)
    finally:
        store.close()  # every save asked for is on disk before the exit code is known


async def _ask_in(store: ConversationStore, args: argparse.Namespace, options: StartOptions,
                  text: str, attached: list[Attachment], app_running: bool) -> int:
    conversation = _target(args, store, options, app_running)
    settings = options.settings
    if args.system is not None:
        settings = dataclasses.replace(settings, system_prompt=args.system)
    if provider_info(conversation.model).offline:
        why = f" ({options.demo_reason})" if options.demo_reason else ""
        say(f"using the offline demo model{why}: set ANTHROPIC_API_KEY to talk to Claude")
    # The SDK loads on the first request (ANTHROPIC_BASE_URL honoured).
    engine = ChatEngine(store, settings, options.providers)
    printer = AskPrinter(conversation, stream=not args.json)

    async def confirm_end(conv: Conversation, asked_by: str) -> bool:
        return await _confirm_end(conv, args.yes, printer)

    try:
        await engine.send(conversation, text, on_event=printer, confirm_end=confirm_end,
                          attached=attached)
    finally:
        await options.providers.aclose()
    printer.finish()
    if args.json:
        sys.stdout.write(safe_json(printer.result()) + "\n")
    if store.path_for(conversation.id).exists():
        say(f"conversation {conversation.id}")
    return exit_code(printer)


async def _confirm_end(conversation: Conversation, yes: bool, printer: AskPrinter) -> bool:
    """E2 on the command line: the terminal asks, ``--yes`` confirms, no terminal declines."""
    name = assistant_name(conversation.model)
    if yes:
        say(f"{name} offers to end this conversation, as you asked: confirmed by --yes")
        return True
    stdin = sys.stdin
    if stdin is None or not stdin.isatty() or not sys.stderr.isatty():
        say(f"{name} offers to end this conversation, as you asked: declined, as there is no "
            "terminal to confirm it on (--yes confirms)")
        return False
    printer.break_line()
    question = (f"{name} offers to end this conversation, as you asked. Ending is permanent: "
                "no further messages can be sent in it; other conversations are unaffected. "
                "End it? [y/N] ")

    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def ask() -> None:
        sys.stderr.write(question)
        sys.stderr.flush()
        line = stdin.readline()
        loop.call_soon_threadsafe(lambda: answer.done() or answer.set_result(line))

    # A daemon thread, not to_thread(): ctrl+c must not wait for a line to be typed.
    threading.Thread(target=ask, name="confirm-end", daemon=True).start()
    return (await answer).strip().lower() in ("y", "yes")
