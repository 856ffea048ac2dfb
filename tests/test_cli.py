"""The command line: --help, --version, and how start-up options are resolved."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claude_tui import __version__
from claude_tui.cli import build_parser, resolve
from claude_tui.config import DEMO_MODEL, default_data_dir
from claude_tui.providers.base import ProviderError
from claude_tui.providers.choice import provider_info
from claude_tui.providers.demo import DemoProvider


def run(*args: str, executable: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    command = executable or [sys.executable, "-m", "claude_tui"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=dict(os.environ), timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"claude-tui {__version__}"


def test_help_names_every_option_and_the_paths(isolated_home: Path) -> None:
    result = run("--help")
    assert result.returncode == 0
    for option in ("--help", "--version", "--data-dir", "--config", "--model", "--demo"):
        assert option in result.stdout
    assert "ANTHROPIC_API_KEY" in result.stdout
    assert "offline demo model" in result.stdout
    # The paths shown are the ones this environment uses.
    assert str(isolated_home / "data" / "claude-tui" / "conversations") in result.stdout


def test_the_console_script_answers_too() -> None:
    script = shutil.which("claude-tui", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the claude-tui command is not installed beside this Python")
    result = run("--version", executable=[script])
    assert result.returncode == 0 and __version__ in result.stdout


def test_an_unknown_option_is_an_error() -> None:
    result = run("--frobnicate")
    assert result.returncode == 2
    assert "--frobnicate" in result.stderr


def options(*argv: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return resolve(build_parser().parse_args(list(argv)), environ=env or {})


def test_no_key_means_the_demo_model_with_a_reason() -> None:
    start = options()
    assert start.demo and start.model == DEMO_MODEL
    assert start.demo_reason and "key" in start.demo_reason
    assert start.api_key == ""


def test_a_key_means_claude_with_the_configured_model(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('model = "claude-sonnet-5-5"\n')
    start = options("--config", str(config), env={"ANTHROPIC_API_KEY": "sk-env"})
    assert not start.demo and start.demo_reason is None
    assert start.model == "claude-sonnet-5-5"
    assert start.api_key == "sk-env"
    assert start.settings.path == config


def test_the_config_key_is_used_without_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('api_key = "sk-config"\n')
    start = options("--config", str(config))
    assert start.api_key == "sk-config" and not start.demo
    assert options("--config", str(config), env={"ANTHROPIC_API_KEY": "sk-env"}).api_key == (
        "sk-env"
    )


def test_demo_flag_wins_over_a_key() -> None:
    start = options("--demo", env={"ANTHROPIC_API_KEY": "sk-env"})
    assert start.demo and start.model == DEMO_MODEL and start.demo_reason == "--demo"


def test_model_flag_wins_over_the_config(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('model = "claude-sonnet-5-5"\n')
    start = options("--config", str(config), "--model", "claude-haiku-5-5",
                    env={"ANTHROPIC_API_KEY": "k"})
    assert start.model == "claude-haiku-5-5"
    demo = options("--model", DEMO_MODEL, env={"ANTHROPIC_API_KEY": "k"})
    assert demo.demo and demo.model == DEMO_MODEL


def test_start_up_chooses_the_providers_from_the_key_and_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("max_retries = 5\nmax_retry_wait = 9\nfirst_byte_timeout = 7\n"
                      "demo_chars_per_second = 33\n")
    start = options("--config", str(config), "--data-dir", str(tmp_path / "d"),
                    env={"ANTHROPIC_API_KEY": "sk-env"})
    claude, demo = start.providers.claude, start.providers.demo
    assert claude is not None and claude.api_key == "sk-env"
    assert (claude.max_retries, claude.max_retry_wait, claude.first_byte_timeout) == (5, 9, 7)
    assert isinstance(demo, DemoProvider) and demo.chars_per_second == 33
    assert demo.data_dir == tmp_path / "d" and demo.config_path == config
    # Each model goes to the provider that serves it.
    assert start.providers.serving("claude-sonnet-5-5") is claude
    assert start.providers.serving(DEMO_MODEL) is demo
    # --demo picks the model of new conversations; Claude conversations still reach Claude.
    assert options("--demo", env={"ANTHROPIC_API_KEY": "k"}).providers.claude is not None
    keyless = options().providers
    assert keyless.claude is None and keyless.serving(DEMO_MODEL) is keyless.demo
    with pytest.raises(ProviderError, match="ANTHROPIC_API_KEY") as failure:
        keyless.serving("claude-sonnet-5-5")
    assert failure.value.kind == "no_key" and not failure.value.retryable


def test_only_the_demo_model_is_offline_and_named_apart() -> None:
    demo, claude = provider_info(DEMO_MODEL), provider_info("claude-opus-5-5")
    assert demo.offline and not claude.offline
    assert (demo.assistant_name, demo.heading) == ("the demo model", "Demo model")
    assert (claude.assistant_name, claude.heading) == ("Claude", "Claude")
    assert provider_info(None) == claude == provider_info("claude-haiku-4-5")


def test_data_dir_flag_is_honoured(tmp_path: Path) -> None:
    assert options("--data-dir", str(tmp_path / "elsewhere")).data_dir == tmp_path / "elsewhere"


def test_default_paths_follow_the_xdg_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    (tmp_path / "xdg-config" / "claude-tui").mkdir(parents=True)
    (tmp_path / "xdg-config" / "claude-tui" / "config.toml").write_text('theme = "nord"\n')
    start = options()
    assert start.data_dir == tmp_path / "xdg-data" / "claude-tui" == default_data_dir()
    assert start.settings.path == tmp_path / "xdg-config" / "claude-tui" / "config.toml"
    assert start.settings.theme == "nord"


def test_a_config_path_given_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "config.toml"
    result = subprocess.run(
        [sys.executable, "-m", "claude_tui", "--config", str(missing)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert str(missing) in result.stderr
    assert "no such config file" in result.stderr
    assert not missing.exists()
