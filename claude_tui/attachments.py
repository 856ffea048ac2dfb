"""Files attached to a message: read, typed by their content, checked, and made API blocks.

An attachment is kept inline in the message's content blocks, exactly as the Messages API
takes it: an image as an ``image`` block (base64), a PDF as a ``document`` block (base64), a
text or code file as a ``document`` block with a plain-text source, both documents titled
with the file name. What the API never sees (the file name of an image, the type and size shown
in the transcript) is kept beside the blocks, in the message's ``attachments`` list, one entry
per attachment block in order. The bytes in the file are the only copy the app needs: the
original file may move, change or go.

The type comes from the content (magic bytes), checked against the name's extension; the
limits are the API's (an image's size and count, a request's size, a PDF's pages) and a sane
one for text files.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from claude_tui.conversation import Message
from claude_tui.record import Record
from claude_tui.text import one_line

Kind = Literal["image", "pdf", "text"]

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
# The API's limits (the vision and PDF guides): an image's base64 at most 5 MB, 100 images in
# a request (models with a 200k window), a request at most 32 MB, a PDF at most 100 pages.
MAX_IMAGE_BASE64 = 5 * 1024 * 1024
MAX_IMAGES = 100
MAX_PDF_PAGES = 100
# The attachments of a whole request (every earlier one goes again): room left for the rest.
MAX_REQUEST_ATTACHMENTS = 30 * 1024 * 1024
MAX_TEXT_BYTES = 1024 * 1024  # a text file past this is more than a context window holds

_NAMES = {"image/png": "PNG image", "image/jpeg": "JPEG image", "image/gif": "GIF image",
          "image/webp": "WebP image", "application/pdf": "PDF document",
          "text/plain": "text file"}
_BY_EXTENSION = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf"}
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_DOCUMENT_KEYS = {"type", "source", "title", "context", "citations", "cache_control"}
_IMAGE_KEYS = {"type", "source", "cache_control"}


class AttachmentError(ValueError):
    """A file that cannot be attached, or a message whose attachments the API would refuse;
    the text says why in the user's words."""


@dataclass(frozen=True)
class Attachment:
    """A file read and ready to send: its block and what the transcript says of it."""

    name: str
    kind: Kind
    media_type: str
    size: int  # bytes of the file
    block: dict[str, Any]
    # The file it was read from, absolute, as the user named it: what a draft keeps of it (an
    # unsent draft stores the path, not the bytes). None when it came from a stored message.
    path: str | None = field(default=None, compare=False)

    @property
    def meta(self) -> dict[str, Any]:
        """The message's ``attachments`` entry for it."""
        return {"name": self.name, "kind": self.kind, "media_type": self.media_type,
                "size": self.size}

    @property
    def described(self) -> str:
        return describe(self.name, self.media_type, self.size)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def type_name(media_type: str) -> str:
    return _NAMES.get(media_type, media_type or "file")


def describe(name: str, media_type: str, size: int | None) -> str:
    """One inert line: "cat.png · PNG image · 12.3 KB"."""
    parts = [one_line(name, 80) or "(no name)", type_name(media_type)]
    if size is not None:
        parts.append(human_size(size))
    return " · ".join(parts)


def sniff(data: bytes) -> str | None:
    """The media type the content says, for the types the API takes as binary."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in data[:1024]:  # the spec lets some bytes come before the header
        return "application/pdf"
    return None


def read_attachment(path: Path | str) -> Attachment:
    """The file at ``path`` as an attachment; ``AttachmentError`` says why it cannot be."""
    path = Path(path).expanduser()
    name = path.name
    if not path.exists():
        raise AttachmentError(f"No such file: {one_line(str(path), 200)}")
    if not path.is_file():
        raise AttachmentError(f"Not a file: {one_line(str(path), 200)}")
    try:
        size = path.stat().st_size
        if size > MAX_REQUEST_ATTACHMENTS:  # read no more than could ever be sent
            raise AttachmentError(f"{one_line(name, 80)} is {human_size(size)}: a request "
                                  f"takes at most {human_size(MAX_REQUEST_ATTACHMENTS)} of "
                                  "attachments.")
        data = path.read_bytes()
    except OSError as exc:
        raise AttachmentError(f"Cannot read {one_line(name, 80)}: "
                              f"{exc.strerror or exc}") from None
    return replace(attachment_of(name, data), path=str(path.absolute()))


def attachment_of(name: str, data: bytes) -> Attachment:
    """``data`` named ``name`` as an attachment, typed by its content."""
    shown = one_line(name, 80)
    found = sniff(data)
    named = _BY_EXTENSION.get(Path(name).suffix.lower())
    if named is not None and found != named:
        what = f"a {type_name(found)}" if found else "something else"
        raise AttachmentError(f"{shown} is named as a {type_name(named)}, but its content is "
                              f"{what}.")
    if found in IMAGE_TYPES:
        encoded = base64.b64encode(data).decode("ascii")
        if len(encoded) > MAX_IMAGE_BASE64:
            raise AttachmentError(f"{shown} is {human_size(len(data))}: an image may be at "
                                  f"most {human_size(MAX_IMAGE_BASE64 * 3 // 4)} (5 MB once "
                                  "encoded for the API).")
        block = {"type": "image",
                 "source": {"type": "base64", "media_type": found, "data": encoded}}
        return Attachment(name, "image", found, len(data), block)
    if found == "application/pdf":
        pages = len(_PDF_PAGE.findall(data))
        if pages > MAX_PDF_PAGES:
            raise AttachmentError(f"{shown} has {pages} pages: a PDF may have at most "
                                  f"{MAX_PDF_PAGES}.")
        block = {"type": "document", "title": name,
                 "source": {"type": "base64", "media_type": found,
                            "data": base64.b64encode(data).decode("ascii")}}
        return Attachment(name, "pdf", found, len(data), block)
    if len(data) > MAX_TEXT_BYTES:
        raise AttachmentError(f"{shown} is {human_size(len(data))}: a text file may be at most "
                              f"{human_size(MAX_TEXT_BYTES)}.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise AttachmentError(f"{shown} is not an image (PNG, JPEG, GIF, WebP), a PDF or UTF-8 "
                              "text, so it cannot be attached.")
    if not text.strip():
        raise AttachmentError(f"{shown} is empty.")
    block = {"type": "document", "title": name,
             "source": {"type": "text", "media_type": "text/plain", "data": text}}
    return Attachment(name, "text", "text/plain", len(data), block)


# --- attachments in stored messages ---------------------------------------------------------

def is_attachment_block(block: dict[str, Any]) -> bool:
    return block.get("type") in ("image", "document")


class Shown(Record):
    """An attachment of a stored message, as the transcript and export name it."""

    name: str
    media_type: str
    size: int | None
    damaged: bool

    @property
    def line(self) -> str:
        text = "📎 " + describe(self.name, self.media_type, self.size)
        return text + " (damaged in the file: left out of requests)" if self.damaged else text


def _source(block: dict[str, Any]) -> dict[str, Any]:
    source = block.get("source")
    return source if isinstance(source, dict) else {}


def is_sendable(block: dict[str, Any]) -> bool:
    """An image or document block the API would take (a hand edit or a damaged file may have
    left one that it would not)."""
    source = _source(block)
    data = source.get("data")
    if not isinstance(data, str) or not data:
        return False
    kind, media_type = source.get("type"), source.get("media_type")
    if block.get("type") == "document" and kind == "text":
        return media_type == "text/plain"
    if kind != "base64":
        return False
    if block.get("type") == "image" and media_type not in IMAGE_TYPES:
        return False
    if block.get("type") == "document" and media_type != "application/pdf":
        return False
    return _is_base64(data)


# Decoding 30 MB of base64 takes ~80 ms, and every request and every redraw of a message asks
# again about the same stored strings: the answer is kept per string (held, so its id stays
# its), for at most about two requests' worth of them.
_BASE64_SEEN: dict[int, tuple[str, bool]] = {}
_SEEN_AT_MOST = 2 * MAX_REQUEST_ATTACHMENTS


def _is_base64(data: str) -> bool:
    seen = _BASE64_SEEN.get(id(data))
    if seen is not None and seen[0] is data:
        return seen[1]
    try:
        binascii.a2b_base64(data, strict_mode=True)
        valid = True
    except (binascii.Error, ValueError):
        valid = False
    if sum(len(s) for s, _ in _BASE64_SEEN.values()) + len(data) > _SEEN_AT_MOST:
        _BASE64_SEEN.clear()
    _BASE64_SEEN[id(data)] = (data, valid)
    return valid


def _metas(message: Message) -> list[dict[str, Any]]:
    metas = message.extra.get("attachments")
    if not isinstance(metas, list):
        return []
    return [m if isinstance(m, dict) else {} for m in metas]


def shown_attachments(message: Message) -> list[Shown]:
    """The message's attachments in order; a missing or damaged entry is guessed from the
    block, and a damaged block says so."""
    metas = _metas(message)
    shown: list[Shown] = []
    blocks = [b for b in message.content if is_attachment_block(b)]
    for position, block in enumerate(blocks):
        meta = metas[position] if position < len(metas) else {}
        source = _source(block)
        name = meta.get("name") if isinstance(meta.get("name"), str) else None
        title = block.get("title") if isinstance(block.get("title"), str) else None
        media_type = meta.get("media_type") or source.get("media_type")
        size = meta.get("size")
        if not isinstance(size, int) or isinstance(size, bool):
            data = source.get("data")
            size = None
            if isinstance(data, str):
                size = len(data) * 3 // 4 if source.get("type") == "base64" else len(data)
        shown.append(Shown(name or title or block["type"],
                           media_type if isinstance(media_type, str) else "",
                           size, not is_sendable(block)))
    return shown


def image_label(name: str) -> str:
    """The text sent just before an image: the API has no name for one."""
    return f"Attached image: {name}"


def request_blocks(message: Message) -> list[dict[str, Any]]:
    """The message's blocks as a request sends them: each image after a line naming it, and
    a damaged attachment replaced by a line saying it is left out. (Copies where changed.)"""
    if message.role != "user" or not any(is_attachment_block(b) for b in message.content):
        return message.content
    shown = iter(shown_attachments(message))
    blocks: list[dict[str, Any]] = []
    for block in message.content:
        if not is_attachment_block(block):
            blocks.append(block)
            continue
        about = next(shown)
        if about.damaged:
            blocks.append({"type": "text", "text": f"(The attachment {about.name} could not be "
                           "read from the saved conversation and is left out.)"})
            continue
        keys = _IMAGE_KEYS if block["type"] == "image" else _DOCUMENT_KEYS
        if block["type"] == "image":
            blocks.append({"type": "text", "text": image_label(about.name)})
        blocks.append({k: v for k, v in block.items() if k in keys})
    return blocks


def message_content(text: str, attached: list[Attachment]) -> tuple[list[dict[str, Any]],
                                                                      dict[str, Any]]:
    """A new user message's content (attachments first, as the API advises, then the text)
    and the extra keys that name the attachments."""
    content = [dict(a.block) for a in attached]
    if text.strip():
        content.append({"type": "text", "text": text})
    extra = {"attachments": [a.meta for a in attached]} if attached else {}
    return content, extra


def kept_attachments(message: Message) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """An edited message's attachment blocks and entries, to go with its new text."""
    blocks = [b for b in message.content if is_attachment_block(b)]
    return blocks, _metas(message)[: len(blocks)]


def check_request(history: list[Message], attached: list[Attachment]) -> None:
    """Refuse (``AttachmentError``) attachments the API would refuse in the next request,
    counting the ones every earlier message sends again."""
    if not attached:
        return
    images = sum(1 for a in attached if a.kind == "image")
    total = sum(_block_size(a.block) for a in attached)
    for message in history:
        if message.excluded or message.role != "user":
            continue
        for block in message.content:
            if is_attachment_block(block):
                images += block.get("type") == "image"
                total += _block_size(block)
    if images > MAX_IMAGES:
        raise AttachmentError(f"Too many images: a request may carry at most {MAX_IMAGES}, and "
                              f"this conversation would send {images}. Remove some, or branch "
                              "(f8) into a new conversation.")
    if total > MAX_REQUEST_ATTACHMENTS:
        raise AttachmentError(f"Too large: this conversation's attachments would come to "
                              f"{human_size(total)} in one request, more than the "
                              f"{human_size(MAX_REQUEST_ATTACHMENTS)} the API takes with room "
                              "for the rest. Remove some, or start a new conversation.")


def _block_size(block: dict[str, Any]) -> int:
    data = _source(block).get("data")
    return len(data) if isinstance(data, str) else 0


def attached_to(message: Message) -> list[Attachment]:
    """A stored message's attachments, ready to go again (a branch from it): damaged ones
    left out."""
    blocks = [b for b in message.content if is_attachment_block(b)]
    found = []
    for block, shown in zip(blocks, shown_attachments(message), strict=True):
        if shown.damaged:
            continue
        kind: Kind = ("image" if block["type"] == "image" else
                      "pdf" if shown.media_type == "application/pdf" else "text")
        found.append(Attachment(shown.name, kind, shown.media_type, shown.size or 0, block))
    return found
