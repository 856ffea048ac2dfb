"""Attachments in the core: typed by content, checked against the API's limits, sent as the
real blocks over the real SDK to the fake API, kept in the file, and reopened without the
original file."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import pytest

from claude_tui import attachments
from claude_tui.attachments import (
    AttachmentError,
    attachment_of,
    read_attachment,
    shown_attachments,
)
from claude_tui.config import DEMO_MODEL, Settings
from claude_tui.conversation import Conversation, Message
from claude_tui.events import TurnFailed
from claude_tui.path_completion import complete, pasted_path
from claude_tui.providers.demo import DemoProvider
from claude_tui.request import build_request
from claude_tui.storage.store import ConversationStore
from claude_tui.transcript import to_markdown
from tests.chat_support import MODEL, Confirm, Events, make_engine, on_disk
from tests.cli_support import stored
from tests.fake_api import problems_in, reply, text
from tests.test_cli_ask import ask


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG."""
    rows = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" \
      b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" \
      b"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "chart.png").write_bytes(png())
    (folder / "report.pdf").write_bytes(PDF)
    (folder / "notes.py").write_text("def answer():\n    return 42\n", "utf-8")
    return folder


# --- typed by content ------------------------------------------------------------------------

def test_the_type_comes_from_the_content_and_the_name_must_not_contradict_it(files):
    image = read_attachment(files / "chart.png")
    assert image.kind == "image" and image.media_type == "image/png"
    assert image.block == {"type": "image", "source": {
        "type": "base64", "media_type": "image/png",
        "data": base64.b64encode(png()).decode()}}
    # A PNG named .txt is still an image; a "PNG" that holds a GIF is refused.
    assert attachment_of("picture.txt", png()).kind == "image"
    with pytest.raises(AttachmentError, match="named as a PNG image, but its content is a GIF"):
        attachment_of("fake.png", b"GIF89a" + b"\x00" * 20)
    with pytest.raises(AttachmentError, match="is not an image"):
        attachment_of("blob.bin", b"\x00\x01\x02\xff\xfe")
    with pytest.raises(AttachmentError, match="is not an image"):
        attachment_of("latin1.txt", "café".encode("latin-1"))
    pdf = read_attachment(files / "report.pdf")
    assert pdf.block["type"] == "document" and pdf.block["title"] == "report.pdf"
    assert pdf.block["source"]["media_type"] == "application/pdf"
    code = read_attachment(files / "notes.py")
    assert code.block == {"type": "document", "title": "notes.py", "source": {
        "type": "text", "media_type": "text/plain", "data": "def answer():\n    return 42\n"}}
    assert code.described == "notes.py · text file · 28 B"


def test_the_apis_limits_are_checked_with_a_clear_message(files, monkeypatch):
    with pytest.raises(AttachmentError, match="an image may be at most"):
        attachment_of("huge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (4 * 1024 * 1024))
    pages = b"%PDF-1.4\n" + b"<< /Type /Page >>\n" * 101
    with pytest.raises(AttachmentError, match="101 pages: a PDF may have at most 100"):
        attachment_of("long.pdf", pages)
    with pytest.raises(AttachmentError, match="a text file may be at most"):
        attachment_of("big.log", b"x" * (attachments.MAX_TEXT_BYTES + 1))
    with pytest.raises(AttachmentError, match="No such file"):
        read_attachment(files / "missing.png")
    image = read_attachment(files / "chart.png")
    monkeypatch.setattr(attachments, "MAX_IMAGES", 2)
    attachments.check_request([], [image, image])
    with pytest.raises(AttachmentError, match="Too many images: a request may carry at most 2"):
        attachments.check_request([], [image, image, image])


# --- over the real SDK to the fake API -------------------------------------------------------

async def test_attachments_go_as_the_real_blocks_and_the_file_keeps_them(fake_api, data_dir,
                                                                         files):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    attached = [read_attachment(files / n) for n in ("chart.png", "report.pdf", "notes.py")]
    fake_api.add(reply(text("A chart, a report and some code.")))
    await engine.send(conversation, "What are these?", on_event=Events(),
                      confirm_end=Confirm(), attached=attached)
    assert len(fake_api.requests) == 1  # the fake API took it: no 400
    sent = fake_api.requests[0]["messages"][0]["content"]
    assert [b["type"] for b in sent] == ["text", "image", "document", "document", "text"]
    assert sent[0]["text"] == "Attached image: chart.png"  # the model is told its name
    assert sent[1]["source"]["data"] == base64.b64encode(png()).decode()
    assert sent[2]["title"] == "report.pdf" and sent[3]["title"] == "notes.py"
    assert sent[3]["source"] == {"type": "text", "media_type": "text/plain",
                                 "data": "def answer():\n    return 42\n"}
    assert sent[4]["text"] == "What are these?"
    assert "attachments" not in json.dumps(fake_api.requests[0])  # display data never sent
    stored = on_disk(engine, conversation)["messages"][0]
    assert stored["attachments"] == [
        {"name": "chart.png", "kind": "image", "media_type": "image/png", "size": len(png())},
        {"name": "report.pdf", "kind": "pdf", "media_type": "application/pdf",
         "size": len(PDF)},
        {"name": "notes.py", "kind": "text", "media_type": "text/plain", "size": 28}]
    assert [b["type"] for b in stored["content"]] == ["image", "document", "document", "text"]


async def test_a_deleted_original_changes_nothing_after_a_restart(fake_api, data_dir, files):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("Nice chart.")), reply(text("Still the same chart.")))
    await engine.send(conversation, "", on_event=Events(), confirm_end=Confirm(),
                      attached=[read_attachment(files / "chart.png")])  # files alone
    (files / "chart.png").unlink()
    engine.store.writer.flush(10)
    again = make_engine(fake_api, data_dir)  # a new store and engine: as after a restart
    reopened = again.store.load(conversation.id)
    [shown] = shown_attachments(reopened.messages[0])
    assert (shown.name, shown.media_type, shown.damaged) == ("chart.png", "image/png", False)
    assert reopened.display_title == "📎 chart.png"  # files alone: their names
    await again.send(reopened, "and now?", on_event=Events(), confirm_end=Confirm())
    second = fake_api.requests[1]["messages"]
    assert second[0]["content"][1]["source"]["data"] == base64.b64encode(png()).decode()
    assert second[-1]["content"][-1]["text"] == "and now?"


async def test_too_many_images_are_refused_before_anything_is_saved(fake_api, data_dir, files,
                                                                    monkeypatch):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    monkeypatch.setattr(attachments, "MAX_IMAGES", 1)
    image = read_attachment(files / "chart.png")
    events = Events()
    await engine.send(conversation, "two charts", on_event=events, confirm_end=Confirm(),
                      attached=[image, image])
    [failed] = events.of(TurnFailed)
    assert "Too many images" in failed.message and not failed.retryable
    assert conversation.messages == [] and fake_api.requests == []


async def test_editing_a_message_keeps_its_attachments(fake_api, data_dir, files):
    engine = make_engine(fake_api, data_dir)
    conversation = engine.new_conversation(MODEL)
    fake_api.add(reply(text("One.")), reply(text("Two.")))
    await engine.send(conversation, "first words", on_event=Events(), confirm_end=Confirm(),
                      attached=[read_attachment(files / "notes.py")])
    await engine.edit_last(conversation, "better words", on_event=Events(),
                           confirm_end=Confirm())
    sent = fake_api.requests[1]["messages"]
    assert len(sent) == 1
    assert [b["type"] for b in sent[0]["content"]] == ["document", "text"]
    assert sent[0]["content"][1]["text"] == "better words"
    assert conversation.messages[-2].extra["attachments"][0]["name"] == "notes.py"


# --- a damaged file, the fake API's checks ---------------------------------------------------

def test_a_damaged_attachment_block_still_opens_and_is_left_out_of_requests(data_dir, files):
    store = ConversationStore(data_dir)
    conversation = store.create(MODEL)
    good = read_attachment(files / "chart.png")
    content, extra = attachments.message_content("look", [good, good])
    content[1] = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                              "data": "not base64!!"}}
    data = conversation.to_dict()
    data["messages"] = [{"role": "user", "content": content, "at": "",
                         "attachments": [extra["attachments"][0], "junk"]}]
    store.path_for(conversation.id).write_text(json.dumps(data), "utf-8")
    reopened = ConversationStore(data_dir).load(conversation.id)
    shown = shown_attachments(reopened.messages[0])
    assert [s.damaged for s in shown] == [False, True]
    assert "damaged in the file" in to_markdown(reopened)
    assert "not base64" not in to_markdown(reopened)
    request = build_request(reopened, Settings(path=data_dir / "c.toml"))
    assert problems_in({"messages": request.messages}) is None
    texts = [b.get("text", "") for b in request.messages[0]["content"]]
    assert any("could not be read from the saved conversation" in t for t in texts)


@pytest.mark.parametrize(("block", "words"), [
    ({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "%%%"}},
     "invalid base64"),
    ({"type": "image", "source": {"type": "base64", "media_type": "image/tiff",
                                  "data": "AAAA"}}, "Input should be 'image/jpeg'"),
    ({"type": "image", "source": {"type": "base64", "media_type": "image/png"}},
     "data: Field required"),
    ({"type": "document", "source": {"type": "text", "data": "hi"}},
     "media_type: Field required"),
    ({"type": "image", "name": "x.png", "source": {"type": "base64", "media_type": "image/png",
                                                   "data": base64.b64encode(png()).decode()}},
     "name: Extra inputs are not permitted"),
    ({"type": "image", "source": {"type": "base64", "media_type": "image/jpeg",
                                  "data": base64.b64encode(png()).decode()}},
     "does not appear to be that type"),
])
def test_the_fake_api_refuses_what_the_real_one_would(block, words):
    body = {"messages": [{"role": "user", "content": [block, {"type": "text", "text": "?"}]}]}
    assert words in (problems_in(body) or "")


def test_the_fake_api_refuses_too_many_images():
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                         "data": base64.b64encode(png()).decode()}}
    body = {"messages": [{"role": "user", "content": [image] * 101}]}
    assert "Too many images" in (problems_in(body) or "")
    body = {"messages": [{"role": "user", "content": [image] * 100}]}
    assert problems_in(body) is None


# --- the demo, completion and pasting ---------------------------------------------------------

async def test_the_demo_names_each_attachment_with_its_type_and_size(data_dir, files):
    conversation = Conversation(id="0" * 20, model=DEMO_MODEL)
    attached = [read_attachment(files / n) for n in ("chart.png", "notes.py")]
    content, extra = attachments.message_content("", attached)
    conversation.messages.append(Message("user", content, extra=extra))
    request = build_request(conversation, Settings(path=data_dir / "c.toml"))
    demo = DemoProvider(0, data_dir=data_dir, config_path=data_dir / "c.toml")
    said = "".join([item.text async for item in demo.stream(request)
                    if hasattr(item, "text")])
    assert "You attached 2 files" in said
    assert f"**chart.png**: PNG image, {len(png())} B (as an image block)" in said
    assert "**notes.py**: text file, 28 B (as a text document block)" in said
    assert "Things to ask me" not in said  # files alone: only the list


def test_paths_complete_and_a_pasted_path_is_told_from_text(files, monkeypatch):
    monkeypatch.chdir(files.parent)
    assert complete("files/ch") == ("files/chart.png", ["files/chart.png"])
    completed, found = complete("files/")
    assert completed == "files/" and found == ["files/chart.png", "files/notes.py",
                                               "files/report.pdf"]
    assert complete("fi")[0] == "files/"
    path = files / "chart.png"
    assert pasted_path(str(path)) == path
    assert pasted_path(f"'{path}'\n") == path
    assert pasted_path(path.as_uri()) == path
    assert pasted_path("files") is None  # a word, not a path
    assert pasted_path(f"{path}\nmore text") is None
    assert pasted_path(str(files / "missing.png")) is None


# --- the command line -------------------------------------------------------------------------

def test_ask_attaches_files_and_refuses_one_that_cannot_go(fake_api, tmp_path, data_dir,
                                                           files):
    config = tmp_path / "config.toml"
    config.write_text('model = "claude-opus-5-5"\nmax_retries = 0\n')
    fake_api.add(reply(text("A chart.")))
    result = ask(fake_api, config, "-a", str(files / "chart.png"), "-a",
                 str(files / "notes.py"), "what is this?", input="")
    assert result.returncode == 0, result.stderr
    sent = fake_api.requests[0]["messages"][0]["content"]
    assert [b["type"] for b in sent] == ["text", "image", "document", "text"]
    (conversation,) = stored(data_dir)
    assert [a.name for a in shown_attachments(conversation.messages[0])] == ["chart.png",
                                                                             "notes.py"]
    (files / "fake.png").write_bytes(b"not an image")
    refused = ask(fake_api, config, "-a", str(files / "fake.png"), "hi", input="")
    assert refused.returncode == 2 and "named as a PNG image" in refused.stderr
    assert len(fake_api.requests) == 1
