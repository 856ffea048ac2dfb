"""list, show and export as real subprocesses on real data folders."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from claude_tui.storage.data_lock import DataFolderLock
from tests.cli_support import HOSTILE, assert_inert, run_cli, store_conversation


def test_list_prints_a_table_newest_first_with_every_column(data_dir: Path) -> None:
    older = store_conversation(data_dir, "about zebras", "stripes", title="Zebras")
    newer = store_conversation(data_dir, "about owls", title="Owls", ended=True)
    result = run_cli("list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "STATUS", "MODEL", "UPDATED", "MESSAGES"]
    assert lines[1].split()[:3] == [newer.id, "Owls", "ended"]
    assert lines[2].split() == [older.id, "Zebras", "active", "claude-opus-5-5",
                                older.updated, "2"]
    assert result.stderr == ""


def test_list_json_filters_and_limits(data_dir: Path) -> None:
    active = store_conversation(data_dir, "one", title="Active one")
    ended = store_conversation(data_dir, "two", title="Ended one", ended=True)
    everything = json.loads(run_cli("list", "--json").stdout)
    assert [c["id"] for c in everything] == [ended.id, active.id]
    assert everything[1] == {
        "id": active.id, "title": "Active one", "status": "active", "model": "claude-opus-5-5",
        "created": everything[1]["created"], "updated": active.updated, "messages": 1,
    }
    only_ended = json.loads(run_cli("list", "--json", "--status", "ended").stdout)
    assert [c["id"] for c in only_ended] == [ended.id]
    assert [c["id"] for c in json.loads(run_cli("list", "--json", "--limit", "1").stdout)] == [
        ended.id]


def test_an_empty_data_folder_lists_nothing_and_succeeds() -> None:
    result = run_cli("list")
    assert result.returncode == 0 and result.stdout == ""
    assert "no conversations" in result.stderr
    assert json.loads(run_cli("list", "--json").stdout) == []


def test_usage_errors_exit_2() -> None:
    for args in (["list", "--limit", "many"], ["list", "--status", "open"], ["show"],
                 ["export", "x", "--format", "pdf"], ["frobnicate"]):
        result = run_cli(*args)
        assert result.returncode == 2, (args, result)
        assert "usage:" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("args", "option", "expected"), [
    (["list", "--limit", "0"], "--limit", "a whole number of 1 or more, got '0'"),
    (["list", "--limit", "-2"], "--limit", "a whole number of 1 or more, got '-2'"),
    (["search", "x", "--limit", "0"], "--limit", "a whole number of 1 or more"),
    (["--model", "", "list"], "--model", "a model name"),
    (["ask", "--model", " ", "hi"], "--model", "a model name"),
    (["--data-dir", "FILE", "list"], "--data-dir", "a folder, but"),
    (["--data-dir", "FILE", "show", "x"], "--data-dir", "a folder, but"),
])
def test_bad_option_values_are_usage_errors_naming_the_option(
        tmp_path: Path, args: list[str], option: str, expected: str) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    result = run_cli(*[str(a_file) if arg == "FILE" else arg for arg in args])
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    error = result.stderr.splitlines()[-1]  # argparse: the usage, then one line of error
    assert f"error: argument {option}: expected {expected}" in error
    assert not (tmp_path / "not-a-folder").is_dir()


def test_show_and_export_take_a_unique_prefix(data_dir: Path) -> None:
    conversation = store_conversation(data_dir, "What is a zebra?", "A striped horse.",
                                      title="Zebras")
    shown = run_cli("show", conversation.id[:14])
    assert shown.returncode == 0, shown.stderr
    assert "# Zebras" in shown.stdout
    assert "## You\n\nWhat is a zebra?" in shown.stdout
    assert "## Claude\n\nA striped horse." in shown.stdout
    exported = run_cli("export", conversation.id[:14].upper(), "--format", "json")
    assert json.loads(exported.stdout)["messages"][1]["content"][0]["text"] == "A striped horse."


def test_unknown_and_ambiguous_ids_fail_in_one_line(data_dir: Path) -> None:
    first = store_conversation(data_dir, "one")
    second = store_conversation(data_dir, "two")
    shared = next(i for i, (a, b) in enumerate(zip(first.id, second.id, strict=True)) if a != b)
    common = first.id[:shared]
    assert common  # made a moment apart: the time part starts the same
    for command in ("show", "export"):
        unknown = run_cli(command, "zzzzzz")
        assert unknown.returncode == 1 and unknown.stdout == ""
        assert unknown.stderr.count("\n") == 1 and "no conversation" in unknown.stderr
        ambiguous = run_cli(command, common)
        assert ambiguous.returncode == 1 and ambiguous.stdout == ""
        assert ambiguous.stderr.count("\n") == 1 and "ambiguous" in ambiguous.stderr
        assert first.id in ambiguous.stderr and second.id in ambiguous.stderr


def test_damaged_and_newer_files_fail_in_one_line_and_stay_where_they_are(
        data_dir: Path) -> None:
    folder = data_dir / "conversations"
    good = store_conversation(data_dir, "fine")
    damaged = folder / "01aaaaaaaaaaaaaaaaaa.json"
    damaged.write_text("{not json")
    newer = folder / "01bbbbbbbbbbbbbbbbbb.json"
    newer.write_text(json.dumps({"schema": 99, "id": "01bbbbbbbbbbbbbbbbbb", "messages": 7}))
    for path in (damaged, newer):
        for command in (["show", path.stem], ["export", path.stem, "--format", "json"]):
            result = run_cli(*command)
            assert result.returncode == 1, result
            assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
            assert result.stdout == ""
        assert path.exists()  # a read-only command moves nothing
    assert "damaged" in run_cli("show", damaged.stem).stderr
    assert "newer version" in run_cli("show", newer.stem).stderr
    assert run_cli("show", good.id).returncode == 0


def test_an_ended_conversation_exports_with_its_end_and_warnings(data_dir: Path) -> None:
    conversation = store_conversation(data_dir, "you are useless", title="Rude",
                                      ended=True, warning="insults")
    markdown = run_cli("export", conversation.id).stdout
    assert "- status: ended" in markdown
    assert "ended by Claude at 2026-01-02T00:00:00Z (persistent_abuse)" in markdown
    assert "warning (2026-01-01T00:00:00Z): insults" in markdown
    data = json.loads(run_cli("export", conversation.id, "--format", "json").stdout)
    assert data["status"] == "ended"
    assert data["ended"] == {"by": "assistant", "at": "2026-01-02T00:00:00Z",
                             "reason": "persistent_abuse"}
    assert data["warnings"][0]["behavior"] == "insults"


def test_export_to_a_file(data_dir: Path, tmp_path: Path) -> None:
    conversation = store_conversation(data_dir, "hello", title="Hi")
    target = tmp_path / "out.md"
    result = run_cli("export", conversation.id, "-o", str(target))
    assert result.returncode == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("# Hi\n")
    unwritable = run_cli("export", conversation.id, "-o", str(tmp_path / "no" / "such" / "f"))
    assert unwritable.returncode == 1 and "cannot write" in unwritable.stderr


def test_hostile_text_is_inert_in_list_show_and_export(data_dir: Path) -> None:
    conversation = store_conversation(data_dir, HOSTILE, HOSTILE, title=HOSTILE)
    for args in (["list"], ["show", conversation.id], ["export", conversation.id],
                 ["list", "--json"], ["export", conversation.id, "--format", "json"]):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        assert_inert(result.stdout)
        if "json" not in " ".join(args):
            assert "[bold]markup[/bold]" in result.stdout  # shown as written, not as markup
    # JSON keeps the exact text, as escapes.
    listed = json.loads(run_cli("list", "--json").stdout)
    assert listed[0]["title"] == HOSTILE
    exported = json.loads(run_cli("export", conversation.id, "--format", "json").stdout)
    assert exported["messages"][0]["content"][0]["text"] == HOSTILE


def _run_in_terminal(*args: str) -> str:
    """Run with stdout on a pseudo-terminal and return what the terminal received."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "claude_tui", *args], stdout=terminal, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(terminal)
    received = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(controller)
    assert process.wait(timeout=30) == 0
    return received.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")
def test_show_renders_markdown_on_a_terminal_and_keeps_model_text_inert(
        data_dir: Path) -> None:
    conversation = store_conversation(data_dir, HOSTILE, "**bold words** and [a link](http://x.y)",
                                      title="Styled")
    screen = _run_in_terminal("show", conversation.id)
    assert "**bold words**" not in screen and "bold words" in screen  # rendered, not raw
    assert "\x1b[1m" in screen  # Rich's own bold: this is the rendered form
    for hostile in ("\x1b]0;pwned", "\x1b[31m", "\x9b2J", "\x07", "\x1b]8;"):
        assert hostile not in screen  # no title change, no colour, no hyperlink from the text
    assert "[bold]markup[/bold]" in screen


def test_read_only_commands_work_while_the_app_holds_the_lock(data_dir: Path) -> None:
    conversation = store_conversation(data_dir, "still readable", title="Busy")
    lock = DataFolderLock(data_dir)
    lock.acquire()
    try:
        assert run_cli("list").returncode == 0
        assert run_cli("show", conversation.id).returncode == 0
        assert run_cli("export", conversation.id, "--format", "json").returncode == 0
    finally:
        lock.release()


def test_data_dir_before_the_subcommand_is_honoured(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    conversation = store_conversation(elsewhere, "kept elsewhere", title="Elsewhere")
    assert run_cli("list", "--json").stdout.strip() == "[]"
    listed = json.loads(run_cli("--data-dir", str(elsewhere), "list", "--json").stdout)
    assert [c["id"] for c in listed] == [conversation.id]


def test_output_cut_short_by_the_reader_is_not_an_error(data_dir: Path) -> None:
    # Far more than a pipe holds, so the writer meets the closed pipe.
    conversation = store_conversation(data_dir, "long\n" * 400_000, title="Long")
    head = subprocess.run(
        # `true` has gone before the export starts writing: the pipe is closed at once.
        f"{sys.executable} -m claude_tui export {conversation.id} | true; "
        "echo exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )
    assert head.stdout == "exit 0\n"
    assert "Traceback" not in head.stderr and "Broken pipe" not in head.stderr


# search -------------------------------------------------------------------------------------
def test_search_finds_words_in_any_message_with_a_snippet(data_dir: Path) -> None:
    long_reply = "nothing here. " * 3000 + "Tie a bowline knot to make a fixed loop."
    knots = store_conversation(data_dir, "teach me knots", long_reply, title="Knots")
    store_conversation(data_dir, "about cooking", title="Food")
    result = run_cli("search", "bowline knot")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{knots.id}  Knots"
    assert lines[1].startswith("    message 1: ") and "bowline knot" in lines[1]
    assert len(lines) == 2
    found = json.loads(run_cli("search", "bowline", "--json").stdout)
    assert found == [{
        "id": knots.id, "title": "Knots", "status": "active", "model": "claude-opus-5-5",
        "created": knots.created, "updated": knots.updated, "messages": 2, "message": 1,
        "snippet": found[0]["snippet"],
    }]
    assert "bowline" in found[0]["snippet"]
    none = run_cli("search", "zeppelin")
    assert none.returncode == 0 and none.stdout == "" and "nothing matches" in none.stderr
    assert json.loads(run_cli("search", "zeppelin", "--json").stdout) == []
    assert run_cli("search", "  ").returncode == 2


def test_search_filters_and_sorts(data_dir: Path) -> None:
    older = store_conversation(data_dir, "sailing alone", title="Old")
    ended = store_conversation(data_dir, "sailing together", title="Ended", ended=True)
    assert [h["id"] for h in json.loads(
        run_cli("search", "sailing", "--json", "--status", "ended").stdout)] == [ended.id]
    assert [h["id"] for h in json.loads(
        run_cli("search", "sailing", "--json", "--sort", "created").stdout)] == [
        ended.id, older.id]
    assert len(json.loads(run_cli("search", "sailing", "--json", "--limit", "1").stdout)) == 1
    for nothing in ('"', "*", ")", "  "):  # no word: a usage error, not every conversation
        result = run_cli("search", nothing)
        assert result.returncode == 2 and not result.stdout
        assert "nothing to search for" in result.stderr


def test_search_keeps_hostile_text_inert_and_works_while_the_app_runs(data_dir: Path) -> None:
    store_conversation(data_dir, f"walrus {HOSTILE}", f"{HOSTILE} walrus", title=HOSTILE)
    lock = DataFolderLock(data_dir)
    lock.acquire()
    try:
        shown = run_cli("search", "walrus")
        as_json = run_cli("search", "walrus", "--json")
    finally:
        lock.release()
    assert shown.returncode == 0 and as_json.returncode == 0
    assert_inert(shown.stdout)
    assert_inert(as_json.stdout)
    assert json.loads(as_json.stdout)[0]["title"] == HOSTILE
    assert "[bold]markup[/bold]" in shown.stdout


def test_search_and_list_report_a_damaged_file_in_one_line(data_dir: Path) -> None:
    store_conversation(data_dir, "fine words", title="Fine")
    (data_dir / "conversations" / "01aaaaaaaaaaaaaaaaaa.json").write_text("{broken")
    result = run_cli("search", "fine")
    assert result.returncode == 0
    assert "Fine" in result.stdout
    problem = [line for line in result.stderr.splitlines() if "01aaaaaaaaaaaaaaaaaa" in line]
    assert len(problem) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["--help"], ["list"], ["list", "--json"],
                                     ["search", "x"], ["export", "PREFIX"], ["show", "PREFIX"]])
def test_read_commands_import_neither_textual_nor_the_sdk(data_dir: Path,
                                                         command: list[str]) -> None:
    conversation = store_conversation(data_dir, "hello there")
    argv = [conversation.id if part == "PREFIX" else part for part in command]
    probe = (
        "import sys\nfrom claude_tui.cli import main\n"
        "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as exit:\n    code = exit.code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'anthropic'})\n"
        "print('\\nLOADED', loaded, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True,
                            text=True, env=dict(os.environ), timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.stdout.strip().splitlines()[-1] == "LOADED [] 0", result.stderr
