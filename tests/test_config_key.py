"""The API key, from the environment or from the config, is sent to the API and nowhere else:
not into the config when a setting is saved, nor the conversation files, the index, the log,
an export or a command's output."""

from __future__ import annotations

import io
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from claude_tui.cli import build_parser, main, resolve
from claude_tui.config import save_setting
from tests.fake_api import FakeAPI, error, reply, text

ENV_KEY = "sk-ant-env-0123456789"
CONFIG_KEY = "sk-ant-config-9876"
# A gateway's token (in ANTHROPIC_API_KEY) need not look like a key: only knowing it blanks it.
GATEWAY_TOKEN = "gw-token-5f3a9c"


def config_holding(home: Path, key: str | None) -> Path:
    """The user's config.toml, with ``key`` as its own api_key."""
    config = home / "config" / "claude-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    own = f'api_key = "{key}"\n' if key else ""
    config.write_text(f'model = "claude-opus-5-5"\nmax_retries = 0\n{own}', "utf-8")
    return config


def files_holding(folder: Path, secret: str) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes())


@pytest.mark.parametrize("own_key", [CONFIG_KEY, None])
def test_saving_a_setting_writes_no_key_but_the_configs_own(
        isolated_home: Path, own_key: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_holding(isolated_home, own_key)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    options = resolve(build_parser().parse_args([]))
    assert options.api_key == ENV_KEY  # the key in use is at hand while the settings are saved
    save_setting(options.settings, "theme", "nord")
    save_setting(options.settings, "system_prompt", "Be brief.")
    written = config.read_text("utf-8")
    assert "nord" in written and "Be brief." in written
    # Nothing else (a temporary file left behind, a backup) holds either key.
    assert files_holding(isolated_home, ENV_KEY) == []
    if own_key:
        assert files_holding(isolated_home, own_key) == [config]
        assert written.count(own_key) == 1
        assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_conversations_the_index_exports_and_output_hold_no_key(
        fake_api: FakeAPI, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_holding(isolated_home, CONFIG_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # nothing piped in
    # ask quiets the app's logger for its process: give it back as it was to the next test.
    logger = logging.getLogger("claude_tui")
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    fake_api.add(reply(text("Zebras have stripes.")))
    # A gateway that quotes the key back in its error: the engine has it in hand as it ends
    # the turn and saves the conversation.
    fake_api.add(error(400, "invalid_request_error", f"bad header x-api-key: {ENV_KEY}"))
    stdout: dict[str, str] = {}
    stderr: dict[str, str] = {}

    def run(*command: str) -> int:
        code = main(list(command))
        printed = capsys.readouterr()
        stdout[" ".join(command)], stderr[" ".join(command)] = printed.out, printed.err
        return code

    assert run("ask", "Tell me about zebras") == 0
    cid = stderr["ask Tell me about zebras"].split()[-1]
    failed = f"ask --continue {cid} and horses?"
    assert run(*failed.split(" ", 3)) == 1
    assert "(400)" in stderr.pop(failed)  # the API's own words, on the terminal only
    export = tmp_path / "exported.md"
    for command in (["export", cid], ["export", cid, "--format", "json"],
                    ["export", cid, "-o", str(export)], ["show", cid], ["list", "--json"],
                    ["search", "zebras", "--json"]):
        assert run(*command) == 0
    assert "Zebras have stripes." in export.read_text("utf-8")
    assert "Zebras have stripes." in stdout[f"show {cid}"]
    # The key in use went to the API, twice, and nowhere else.
    assert [h["authorization"] for h in fake_api.headers] == [f"Bearer {ENV_KEY}"] * 2
    for secret in (ENV_KEY, CONFIG_KEY):
        assert files_holding(tmp_path, secret) == ([config] if secret == CONFIG_KEY else [])
        assert [name for name, said in stdout.items() if secret in said] == []
        assert [name for name, said in stderr.items() if secret in said] == []


def test_the_log_and_a_saved_theme_hold_no_key(isolated_home: Path) -> None:
    """The app as started by the command: its log blanks the key in use, whatever it looks
    like, and saving the theme writes only the config's own key back."""
    config = config_holding(isolated_home, CONFIG_KEY)
    app = ("import logging, sys; from claude_tui import cli; import claude_tui.ui.app as app\n"
           "from claude_tui.config import save_setting\n"
           "def run_app(options):\n"
           "    save_setting(options.settings, 'theme', 'nord')\n"
           "    try:\n"
           "        raise RuntimeError(f'gateway refused {options.api_key}')\n"
           "    except RuntimeError:\n"
           "        logging.getLogger('claude_tui.x').exception(\n"
           "            'request with %s / %s failed', options.api_key, options.settings.api_key)\n"
           "    return 0\n"
           "app.run_app = run_app\n"
           "sys.exit(cli.main([]))\n")
    env = dict(os.environ, ANTHROPIC_API_KEY=GATEWAY_TOKEN)
    subprocess.run([sys.executable, "-c", app], check=True, env=env, timeout=120)
    logged = (isolated_home / "state" / "claude-tui" / "claude-tui.log").read_text("utf-8")
    assert "request with [key] / [key] failed" in logged and "RuntimeError" in logged
    assert 'theme = "nord"' in config.read_text("utf-8")
    assert files_holding(isolated_home, GATEWAY_TOKEN) == []
    assert files_holding(isolated_home, CONFIG_KEY) == [config]
