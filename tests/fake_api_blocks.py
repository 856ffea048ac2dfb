"""What the fake Messages API checks in image and document blocks, as the real one does.

The real API rejects a block with a key it does not know, a source without its fields, a media
type it does not take, data that is not base64 (or whose bytes are not the image type named),
an image over 5 MB as sent, and more than 100 images in one request (models with a 200k
window). The messages here are close to the real ones, enough for a test to match on.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_IMAGE_BASE64 = 5 * 1024 * 1024
MAX_IMAGES = 100
_KEYS = {"image": {"type", "source", "cache_control"},
         "document": {"type", "source", "title", "context", "citations", "cache_control"}}
_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff",
          "image/gif": b"GIF8", "image/webp": b"RIFF"}


def _base64(data: str) -> bytes | None:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def _block_problem(block: dict[str, Any], where: str) -> str | None:
    kind = block["type"]
    where = f"{where}.{kind}"
    extra = sorted(set(block) - _KEYS[kind])
    if extra:
        return f"{where}.{extra[0]}: Extra inputs are not permitted"
    source = block.get("source")
    if not isinstance(source, dict):
        return f"{where}.source: Field required"
    source_type = source.get("type")
    for key in ("type", "media_type", "data"):
        if key not in source:
            return f"{where}.source.{source_type or 'base64'}.{key}: Field required"
    media_type, data = source["media_type"], source["data"]
    if not isinstance(data, str):
        return f"{where}.source.{source_type}.data: Input should be a valid string"
    if kind == "document" and source_type == "text":
        if media_type != "text/plain":
            return f"{where}.source.text.media_type: Input should be 'text/plain'"
        return None
    if source_type != "base64":
        return f"{where}.source.type: Input tag {source_type!r} does not match any expected tag"
    if kind == "image" and media_type not in IMAGE_TYPES:
        return (f"{where}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', "
                "'image/gif' or 'image/webp'")
    if kind == "document" and media_type != "application/pdf":
        return f"{where}.source.base64.media_type: Input should be 'application/pdf'"
    raw = _base64(data)
    if raw is None:
        return f"{where}.source.base64.data: invalid base64 data"
    if kind == "image":
        if len(data) > MAX_IMAGE_BASE64:
            return (f"{where}.source.base64: image exceeds 5 MB maximum: {len(data)} bytes > "
                    f"{MAX_IMAGE_BASE64} bytes")
        if not raw.startswith(_MAGIC[media_type]):
            return (f"{where}.source.base64: The image was specified using the {media_type} "
                    "media type, but the image does not appear to be that type")
    elif not raw[:1024].count(b"%PDF-"):
        return f"{where}: The PDF specified was not valid."
    return None


def attachment_problem(messages: list[Any]) -> str | None:
    """The first image or document block in ``messages`` the real API would reject."""
    images = 0
    for index, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for position, block in enumerate(content):
            if not isinstance(block, dict) or block.get("type") not in _KEYS:
                continue
            if message.get("role") != "user":
                return f"messages.{index}.content.{position}: only user messages take files"
            images += block["type"] == "image"
            problem = _block_problem(block, f"messages.{index}.content.{position}")
            if problem:
                return problem
    if images > MAX_IMAGES:
        return f"messages: Too many images in this request (maximum {MAX_IMAGES})"
    return None
