"""``claude-tui ask`` as a subprocess: the real SDK against the fake API, and the demo model."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claude_tui.config import DEMO_MODEL
from claude_tui.storage.data_lock import DataFolderLock
from claude_tui.storage.session import TabState
from claude_tui.storage.store import ConversationStore
from tests.cli_support import (
    HOSTILE,
    assert_inert,
    fast_demo_config,
    run_cli,
    store_conversation,
    stored,
)
from tests.fake_api import FakeAPI, error, reply, text, tool_use


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('model = "claude-opus-5-5"\nmax_retries = 0\ndemo_chars_per_second = 100000\n')
    return path


def ask(fake_api: FakeAPI, config: Path, *args: str, input: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {"ANTHROPIC_API_KEY": "test", "ANTHROPIC_BASE_URL": fake_api.base_url}
    return run_cli("--config", str(config), "ask", *args, input=input, env=env)


def id_from(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("claude-tui: conversation ")]
    assert len(lines) == 1, stderr
    return lines[0].split()[-1]


# --- the real SDK against the fake API ---------------------------------------------------------
def test_ask_streams_the_reply_saves_it_and_names_the_conversation(
        fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    fake_api.add(reply(text("Zebras have stripes.")))
    result = ask(fake_api, config, "Tell me about zebras")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Zebras have stripes.\n"
    (conversation,) = stored(data_dir)
    assert id_from(result.stderr) == conversation.id
    assert [m.text for m in conversation.messages] == ["Tell me about zebras",
                                                       "Zebras have stripes."]
    assert conversation.model == "claude-opus-5-5"
    assert fake_api.headers[0]["authorization"] == "Bearer test"
    assert "demo" not in result.stderr


def test_model_and_system_prompt(fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    fake_api.add(reply(text("Brief.")))
    result = ask(fake_api, config, "--model", "claude-sonnet-5-5", "--system", "Be brief.", "hi")
    assert result.returncode == 0, result.stderr
    request = fake_api.requests[0]
    assert request["model"] == "claude-sonnet-5-5"
    assert "Be brief." in json.dumps(request["system"])
    assert stored(data_dir)[0].model == "claude-sonnet-5-5"


def test_standard_input_is_the_message_or_comes_before_the_prompt(
        fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    fake_api.add(reply(text("one")), reply(text("two")), reply(text("three")))
    assert ask(fake_api, config, input="hi from a pipe\n").returncode == 0
    assert ask(fake_api, config, "-", input="dash means stdin\n").returncode == 0
    assert ask(fake_api, config, "review this", input="--- a/x\n+++ b/x\n").returncode == 0
    sent = [r["messages"][-1]["content"][0]["text"] for r in fake_api.requests]
    assert sent == ["hi from a pipe", "dash means stdin", "--- a/x\n+++ b/x\n\nreview this"]


def test_continue_by_prefix_and_the_latest(fake_api: FakeAPI, config: Path,
                                           data_dir: Path) -> None:
    fake_api.add(reply(text("first")), reply(text("second")), reply(text("third")))
    conversation_id = id_from(ask(fake_api, config, "one").stderr)
    store_conversation(data_dir, "another one")  # the latest for now
    again = ask(fake_api, config, "--continue", conversation_id[:15], "two")
    assert again.returncode == 0, again.stderr
    assert id_from(again.stderr) == conversation_id
    assert [m["content"][0]["text"] for m in fake_api.requests[1]["messages"]] == [
        "one", "first", "two"]
    # The first is the latest again, having been continued.
    latest = ask(fake_api, config, "-c", "three")
    assert latest.returncode == 0 and id_from(latest.stderr) == conversation_id
    assert len(fake_api.requests[2]["messages"]) == 5


def test_with_demo_a_claude_conversation_continues_with_claude(
        fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    """--demo picks the model of new conversations; one on Claude keeps talking to Claude."""
    fake_api.add(reply(text("first")), reply(text("second")))
    conversation_id = id_from(ask(fake_api, config, "one").stderr)
    env = {"ANTHROPIC_API_KEY": "test", "ANTHROPIC_BASE_URL": fake_api.base_url}
    again = run_cli("--demo", "--config", str(config), "ask", "--continue", conversation_id,
                    "two", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "second\n" and len(fake_api.requests) == 2


def test_continuing_an_ended_conversation_is_refused_before_any_request(
        fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    ended = store_conversation(data_dir, "you are useless", title="Rude", ended=True)
    for args in (["--continue", ended.id[:16]], ["-c"]):
        result = ask(fake_api, config, *args, "hello again")
        assert result.returncode == 1
        assert "ended" in result.stderr and "permanent" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert fake_api.requests == []
    assert len(stored(data_dir)[0].messages) == 1


def test_a_warning_is_printed_with_the_behaviour(fake_api: FakeAPI, config: Path,
                                                 data_dir: Path) -> None:
    fake_api.add(reply(tool_use("issue_warning", {"behavior": "insulting the assistant"})),
                 reply(text("Let's keep it civil.")))
    result = ask(fake_api, config, "you are useless")
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "insulting the assistant" in result.stderr
    assert result.stdout == "Let's keep it civil.\n"
    assert stored(data_dir)[0].warnings[0].behavior == "insulting the assistant"


def test_an_end_by_the_model_is_printed_saved_and_exits_3(fake_api: FakeAPI, config: Path,
                                                         data_dir: Path) -> None:
    warned = store_conversation(data_dir, "you are useless", "Please stop.", warning="insults")
    fake_api.add(reply(text("I'm ending this conversation."),
                       tool_use("end_conversation", {"reason": "persistent_abuse"})))
    result = ask(fake_api, config, "--continue", warned.id, "still useless")
    assert result.returncode == 3, result.stderr
    assert "ended by Claude (persistent_abuse)" in result.stderr
    assert "permanent" in result.stderr
    assert result.stdout == "I'm ending this conversation.\n"
    conversation = stored(data_dir)[0]
    assert conversation.is_ended and conversation.ended.by == "assistant"
    # Once ended, nothing more goes in.
    assert ask(fake_api, config, "-c", "sorry").returncode == 1
    assert len(fake_api.requests) == 1


def _user_requested_end() -> list:  # type: ignore[type-arg]
    return [reply(text("Ending is permanent."),
                  tool_use("end_conversation", {"reason": "user_requested"})),
            reply(text("Alright, it stays open."))]


def test_a_requested_end_is_declined_without_a_terminal(fake_api: FakeAPI, config: Path,
                                                        data_dir: Path) -> None:
    fake_api.add(*_user_requested_end())
    result = ask(fake_api, config, "please end this conversation")
    assert result.returncode == 0, result.stderr
    assert "declined" in result.stderr and "--yes" in result.stderr
    assert "Alright, it stays open." in result.stdout
    assert not stored(data_dir)[0].is_ended
    assert "declined" in json.dumps(fake_api.requests[1]["messages"][-1])


def test_yes_confirms_a_requested_end(fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    fake_api.add(*_user_requested_end())
    result = ask(fake_api, config, "--yes", "please end this conversation")
    assert result.returncode == 3, result.stderr
    conversation = stored(data_dir)[0]
    assert conversation.is_ended and conversation.ended.by == "user"
    assert conversation.ended.reason == "user_requested"
    assert len(fake_api.requests) == 1  # nothing is sent after an end


def _ask_on_a_terminal(fake_api: FakeAPI, config: Path, answer: bytes) -> tuple[int, str]:
    """Run ask with stdin and stderr on a pseudo-terminal; answer its question."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "ANTHROPIC_API_KEY": "test", "ANTHROPIC_BASE_URL": fake_api.base_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "claude_tui", "--config", str(config), "ask",
         "please end this conversation"],
        stdin=terminal, stderr=terminal, stdout=subprocess.PIPE, env=env,
    )
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 60
    while b"[y/N]" not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            seen += os.read(controller, 4096)
    os.write(controller, answer)
    code = process.wait(timeout=60)
    os.close(controller)
    assert process.stdout is not None
    return code, seen.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")
@pytest.mark.parametrize(("answer", "code", "ended"), [(b"y\n", 3, True), (b"n\n", 0, False)])
def test_a_requested_end_asks_on_the_terminal(fake_api: FakeAPI, config: Path, data_dir: Path,
                                              answer: bytes, code: int, ended: bool) -> None:
    fake_api.add(*_user_requested_end())
    exit_code, question = _ask_on_a_terminal(fake_api, config, answer)
    assert "permanent" in question and "End it?" in question
    assert exit_code == code
    assert stored(data_dir)[0].is_ended is ended


def test_hostile_reply_text_is_inert_on_stdout_and_exact_in_json(
        fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    fake_api.add(reply(text(HOSTILE)), reply(text(HOSTILE)))
    streamed = ask(fake_api, config, "hi")
    assert streamed.returncode == 0
    assert_inert(streamed.stdout)
    assert "[bold]markup[/bold]" in streamed.stdout
    as_json = ask(fake_api, config, "--json", "-c", "again")
    assert_inert(as_json.stdout)
    assert json.loads(as_json.stdout)["text"] == HOSTILE


def test_json_shape(fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    fake_api.add(reply(text("Forty-two."), usage={"input_tokens": 11, "output_tokens": 3}))
    result = ask(fake_api, config, "--json", "the answer?")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == {
        "conversation": stored(data_dir)[0].id, "model": "claude-opus-5-5",
        "text": "Forty-two.", "stop_reason": "end_turn",
        "usage": document["usage"], "status": "active", "ended": None, "warnings": [],
        "error": None,
    }
    assert document["usage"]["input_tokens"] == 11 and document["usage"]["output_tokens"] == 3


def test_an_api_error_is_one_line_and_exit_1(fake_api: FakeAPI, config: Path,
                                            data_dir: Path) -> None:
    fake_api.add(error(401, message="invalid x-api-key"))
    result = ask(fake_api, config, "hi")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problem = [line for line in result.stderr.splitlines() if "conversation" not in line]
    assert len(problem) == 1 and "key" in problem[0].lower()
    assert "ctrl+r" not in result.stderr


def test_usage_errors(fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    conversation = store_conversation(data_dir, "hi")
    for args, input in ((["--continue", conversation.id, "-c", "x"], None),
                        (["--continue", conversation.id, "--model", "claude-haiku-5-5", "x"],
                         None),
                        ([], ""), (["   "], None), (["-"], "\n\n")):
        result = ask(fake_api, config, *args, input=input)
        assert result.returncode == 2, (args, result.stderr)
    assert fake_api.requests == []
    unknown = ask(fake_api, config, "--continue", "zzzz", "x")
    assert unknown.returncode == 1 and "no conversation" in unknown.stderr


def test_ask_works_beside_a_running_app_but_not_on_its_open_tabs(
        fake_api: FakeAPI, config: Path, data_dir: Path) -> None:
    open_tab = store_conversation(data_dir, "open in the app")
    closed = store_conversation(data_dir, "not open")
    ConversationStore(data_dir).session.save(TabState(open=[open_tab.id], active=open_tab.id))
    fake_api.add(reply(text("A new one, beside the app.")), reply(text("Went on.")))
    lock = DataFolderLock(data_dir)  # what the running app holds
    lock.acquire()
    try:
        fresh = ask(fake_api, config, "hi")
        refused = ask(fake_api, config, "--continue", open_tab.id, "more")
        continued = ask(fake_api, config, "--continue", closed.id, "more")
    finally:
        lock.release()
    assert fresh.returncode == 0 and "A new one, beside the app." in fresh.stdout
    assert refused.returncode == 1
    assert "open in the running claude-tui" in refused.stderr and "ctrl+w" in refused.stderr
    assert continued.returncode == 0 and "Went on." in continued.stdout
    assert len(fake_api.requests) == 2  # nothing was sent for the refused one
    assert len(stored(data_dir)) == 3


# --- the demo model ---------------------------------------------------------------------------
def test_without_a_key_ask_uses_the_demo_model_and_says_so(tmp_path: Path,
                                                          data_dir: Path) -> None:
    config = fast_demo_config(tmp_path)
    result = run_cli("--config", str(config), "ask", "hello", input="")
    assert result.returncode == 0, result.stderr
    assert "offline demo model" in result.stderr
    assert "offline demo model" in result.stdout  # its own reply says what it is
    (conversation,) = stored(data_dir)
    assert conversation.model == DEMO_MODEL and len(conversation.messages) == 2


def test_the_demo_model_warns_then_ends_with_exit_3(tmp_path: Path, data_dir: Path) -> None:
    config = ["--config", str(fast_demo_config(tmp_path))]
    first = run_cli(*config, "ask", "you are useless")
    assert first.returncode == 0
    second = run_cli(*config, "ask", "-c", "you are useless")
    assert second.returncode == 0 and "warning" in second.stderr
    third = run_cli(*config, "ask", "-c", "you are useless")
    assert third.returncode == 3 and "ended by the demo model" in third.stderr
    fourth = run_cli(*config, "ask", "-c", "hello?")
    assert fourth.returncode == 1 and "ended" in fourth.stderr
    assert stored(data_dir)[0].is_ended


def test_ask_imports_no_textual(tmp_path: Path) -> None:
    config = fast_demo_config(tmp_path)
    probe = (
        "import sys, runpy\nsys.argv = ['claude-tui', '--config', sys.argv[1], 'ask', 'hi']\n"
        "from claude_tui.cli import main\ncode = main()\n"
        "print('\\nLOADED', sorted({m.split('.')[0] for m in sys.modules} & "
        "{'textual', 'anthropic'}), code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(config)], capture_output=True,
                            text=True, env=dict(os.environ), timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.stdout.strip().splitlines()[-1] == "LOADED [] 0", result.stderr
