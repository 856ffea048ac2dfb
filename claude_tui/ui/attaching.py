"""Attaching files to the message being written: ``/attach PATH``, the ctrl+l dialog, and a
path pasted alone. Each file is read off the event loop, typed and checked (``attachments``),
then shown as a chip above the composer until the message is sent."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.attachments import Attachment, AttachmentError, check_request, read_attachment
from claude_tui.ui.composer.composer import Composer
from claude_tui.ui.tabs.pane import ConversationPane

if TYPE_CHECKING:
    from claude_tui.ui.app import ClaudeTUI

NO_COMPOSER = "This conversation takes no more messages, so nothing can be attached to it."


class AlreadyAttached(AttachmentError):
    """The same file is on the message already."""


class Attaching:
    def __init__(self, app: ClaudeTUI) -> None:
        self.app = app

    def ask(self, start: str = "") -> None:
        """The dialog (ctrl+l, or ``/attach`` with no path): the file goes to the shown tab."""
        pane = self.app.active_pane
        if pane is None or pane.composer is None:
            self.app.notify(NO_COMPOSER)
            return

        async def chosen(path: str | None) -> None:
            if path:
                await self.attach(pane, path)
            pane.focus_composer()

        from claude_tui.ui.dialogs.attach_file import AttachFileScreen  # on first use

        self.app.push_screen(AttachFileScreen(start), callback=chosen)

    async def _read(self, path: str | Path) -> Attachment:
        return await asyncio.to_thread(read_attachment, path)

    async def attach(self, pane: ConversationPane, path: str | Path) -> bool:
        """Read, check and add the file to ``pane``'s next message; a notice says why not.
        A file already attached (the same name and bytes) is attached once: True, and said."""
        try:
            self._add(pane, await self._read(path))
        except AlreadyAttached as exc:
            self.app.notify(str(exc), markup=False)
        except AttachmentError as exc:
            self.app.notify(str(exc), title="Not attached", severity="warning", timeout=10,
                            markup=False)
            return False
        return True

    def _add(self, pane: ConversationPane, attachment: Attachment) -> None:
        row = pane.attachment_row
        check_request(pane.conversation.messages, [*row.attached, attachment])
        if any(a.name == attachment.name and a.block == attachment.block for a in row.attached):
            # Twice the same file is a slip (a path pasted after /attach), and twice the tokens.
            raise AlreadyAttached(f"{attachment.name} is already attached to this message.")
        row.add(attachment)

    async def asked(self, message: Composer.AttachAsked) -> None:
        pane = _pane_of(message.composer)
        if pane is None:
            return
        if not message.path:
            self.ask()
            return
        if not await self.attach(pane, message.path):
            # The command goes back, so a mistyped path can be corrected, not typed again.
            message.composer.insert(f"/attach {message.path}")

    async def pasted(self, message: Composer.PathPasted) -> None:
        """A path pasted alone: asked whether it is an attachment; a file that cannot be one
        is pasted as the text it was."""
        composer = message.composer
        pane = _pane_of(composer)
        try:
            attachment = await self._read(message.path)
        except AttachmentError:
            attachment = None
        if pane is None or attachment is None:
            composer.insert(message.text)
            return

        def answered(attach: bool | None) -> None:
            if attach:
                try:
                    self._add(pane, attachment)
                except AttachmentError as exc:
                    self.app.notify(str(exc), title="Not attached", severity="warning",
                                    timeout=10, markup=False)
            elif attach is False:
                composer.insert(message.text)
            composer.focus()

        from claude_tui.ui.dialogs.attach_pasted import AttachPastedScreen  # on first use

        self.app.push_screen(AttachPastedScreen(str(message.path), attachment.described),
                             callback=answered)


def _pane_of(composer: Composer) -> ConversationPane | None:
    return next((a for a in composer.ancestors if isinstance(a, ConversationPane)), None)
