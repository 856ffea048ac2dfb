"""Settings: defaults, every key, clear errors, writing back without losing anything."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from claude_tui.config import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_MODEL,
    EXAMPLE_CONFIG,
    ConfigError,
    Settings,
    default_config_path,
    load_settings,
    save_setting,
)

FULL = """\
model = "claude-sonnet-5-5"
max_tokens = 1234
max_retries = 5
system_prompt = "Answer in French."
theme = "nord"
api_key = "sk-ant-from-config"
demo_chars_per_second = 99.5
mystery = "kept"

[end_conversation]
enabled = false
models = ["claude-opus-*", "claude-sonnet-5-*"]
min_warnings = 3
future_option = 7

[keymap]
new_conversation = "ctrl+t"

[plugins.weather]
city = "Oslo"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_there_is_no_file() -> None:
    settings = load_settings()
    assert settings.path == default_config_path()
    assert not settings.path.exists()
    assert settings.model == DEFAULT_MODEL
    assert settings.max_tokens == DEFAULT_MAX_TOKENS
    assert settings.system_prompt == "" and settings.theme is None and settings.api_key is None
    assert settings.end_conversation.enabled is True
    assert settings.end_conversation.models == ["claude-opus-*"]
    assert settings.end_conversation.min_warnings == 1
    assert settings.keymap == {}


def test_the_default_path_follows_xdg_config_home(isolated_home: Path) -> None:
    assert default_config_path() == isolated_home / "config" / "claude-tui" / "config.toml"


def test_every_key_is_read(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "c.toml", FULL))
    assert settings.model == "claude-sonnet-5-5"
    assert settings.max_tokens == 1234
    assert settings.max_retries == 5
    assert settings.system_prompt == "Answer in French."
    assert settings.theme == "nord"
    assert settings.api_key == "sk-ant-from-config"
    assert settings.demo_chars_per_second == 99.5
    assert settings.end_conversation.enabled is False
    assert settings.end_conversation.models == ["claude-opus-*", "claude-sonnet-5-*"]
    assert settings.end_conversation.min_warnings == 3
    assert settings.keymap == {"new_conversation": "ctrl+t"}


def test_the_example_config_in_the_code_is_valid(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "c.toml", EXAMPLE_CONFIG))
    assert settings.model == DEFAULT_MODEL


def test_saving_a_setting_keeps_unknown_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", FULL)
    settings = load_settings(path)
    save_setting(settings, "theme", "gruvbox")
    save_setting(settings, "model", "claude-haiku-5-5")
    assert settings.theme == "gruvbox" and settings.model == "claude-haiku-5-5"
    data = tomllib.loads(path.read_text("utf-8"))
    expected = tomllib.loads(FULL) | {"theme": "gruvbox", "model": "claude-haiku-5-5"}
    assert data == expected
    assert load_settings(path).theme == "gruvbox"


def test_saving_a_setting_keeps_edits_made_while_the_app_ran(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'model = "claude-opus-5-5"\n')
    settings = load_settings(path)
    write(path, 'model = "claude-opus-5-5"\nsystem_prompt = "edited meanwhile"\n')
    save_setting(settings, "theme", "nord")
    assert tomllib.loads(path.read_text("utf-8")) == {
        "model": "claude-opus-5-5", "system_prompt": "edited meanwhile", "theme": "nord",
    }


def test_saving_into_a_file_broken_meanwhile_raises_and_leaves_it(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'model = "claude-opus-5-5"\n')
    settings = load_settings(path)
    write(path, "model = = oops\n")
    with pytest.raises(ConfigError, match="line 1"):
        save_setting(settings, "theme", "nord")
    assert path.read_text("utf-8") == "model = = oops\n"


def test_saving_creates_the_file_and_folder(isolated_home: Path) -> None:
    settings = load_settings()
    save_setting(settings, "theme", "nord")
    assert tomllib.loads(settings.path.read_text("utf-8")) == {"theme": "nord"}
    assert stat.S_IMODE(settings.path.stat().st_mode) == 0o600


def test_saving_writes_through_a_symlinked_config(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles" / "claude-tui.toml", 'model = "claude-opus-5-5"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_setting(load_settings(link), "theme", "nord")
    assert link.is_symlink()
    assert tomllib.loads(real.read_text("utf-8"))["theme"] == "nord"


def test_a_config_holding_a_key_is_written_private(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'api_key = "sk-ant-secret"\n')
    path.chmod(0o644)
    save_setting(load_settings(path), "theme", "nord")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_config_without_a_key_keeps_its_mode(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'theme = "a"\n')
    path.chmod(0o640)
    save_setting(load_settings(path), "theme", "b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_none_removes_a_setting(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'theme = "a"\nmodel = "m"\n')
    save_setting(load_settings(path), "theme", None)
    assert tomllib.loads(path.read_text("utf-8")) == {"model": "m"}


def test_the_environment_key_wins_over_the_config(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "c.toml", 'api_key = "sk-config"\n'))
    assert settings.resolved_api_key({}) == "sk-config"
    assert settings.resolved_api_key({"ANTHROPIC_API_KEY": "sk-env"}) == "sk-env"
    assert settings.resolved_api_key({"ANTHROPIC_API_KEY": "  "}) == "sk-config"


# errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ('model = "m"\nmax_retries = 2\nmax_tokens = "lots"\n', 3, "max_tokens"),
        ('theme = "x"\n\n[end_conversation]\nenabled = true\nmin_warnings = "x"\n', 5,
         "min_warnings"),
        ('[end_conversation]\nenabled = "yes"\n', 2, "enabled"),
        ('[end_conversation]\nmodels = "claude-opus-*"\n', 2, "models"),
        ('[end_conversation]\nmodels = ["a", 3]\n', 2, "models"),
        ('model = "m"\nend_conversation.min_warnings = -1\n', 2, "min_warnings"),
        ('x = 1\nend_conversation = { min_warnings = 1.5 }\n', 2, "min_warnings"),
        ('max_tokens = true\n', 1, "max_tokens"),
        ('\n\nmax_tokens = 0\n', 3, "max_tokens"),
        ('\nmodel = ""\n', 2, "model"),
        ('demo_chars_per_second = "fast"\n', 1, "demo_chars_per_second"),
        ('[keymap]\nnew_conversation = 5\n', 2, "new_conversation"),
        ('keymap = "ctrl+t"\n', 1, "keymap"),
        ('end_conversation = 3\n', 1, "end_conversation"),
        # Quoted keys and headers, and lines inside a multi-line value, are read as TOML reads
        # them: the line inside the prompt only looks like a setting.
        ('"max_tokens" = "x"\n', 1, "max_tokens"),
        ('[ "end_conversation" ]\n\'min_warnings\' = -3\n', 2, "min_warnings"),
        ('system_prompt = """\nmax_tokens = 3 [x]\n"""\nmax_tokens = "x"\n', 4, "max_tokens"),
        ("system_prompt = '''\nmodel = 'm'\n'''\nmodel = 3\n", 4, "model"),
        ('[end_conversation]\nmodels = [\n  "a",\n  2,\n]\nenabled = 1\n', 6, "enabled"),
    ],
)
def test_a_wrong_type_names_the_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str
) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {line}:" in message
    assert key in message


def test_unknown_tables_and_keys_are_listed_with_their_lines(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "c.toml", FULL))
    assert settings.unknown_keys == ["line 8: 'mystery'", "line 19: 'plugins'",
                                     "line 14: 'end_conversation.future_option'"]
    assert settings.keymap_lines == {"new_conversation": 17}


def test_the_defaults_are_at_hand_without_a_file() -> None:
    # What code needing a default (the demo model's pace) reads, rather than its own copy.
    assert Settings().demo_chars_per_second == 240.0
    assert Settings().path == default_config_path()


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.toml", 'model = "m"\n\nmax_tokens = = 3\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)
    assert "line 3" in str(caught.value)


def test_a_config_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'model = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(path)


def test_the_app_refuses_a_bad_config_and_leaves_it_alone(tmp_path: Path) -> None:
    text = 'model = "m"\nmax_retries = 2\nmax_tokens = "lots"\n'
    path = write(tmp_path / "bad.toml", text)
    result = subprocess.run(
        [sys.executable, "-m", "claude_tui", "--config", str(path)],
        capture_output=True, text=True, env=dict(os.environ), timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert str(path) in result.stderr
    assert "line 3" in result.stderr and "max_tokens" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text("utf-8") == text


def test_the_api_key_never_appears_in_a_repr(tmp_path: Path) -> None:
    # Crash reports print locals; the settings and start options must not carry the key there.
    from claude_tui.cli import build_parser, resolve

    config = tmp_path / "config.toml"
    config.write_text('api_key = "sk-ant-secret-123"\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.api_key == "sk-ant-secret-123"
    options = resolve(build_parser().parse_args(["--config", str(config)]), environ={})
    assert options.api_key == "sk-ant-secret-123"
    assert "sk-ant-secret-123" not in repr(settings)
    assert "sk-ant-secret-123" not in repr(options)
