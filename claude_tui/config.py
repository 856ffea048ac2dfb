"""Settings and paths.

``config.toml`` lives in the user config folder and is read with ``tomllib``; when the app changes
a setting it is written back with ``tomli_w``, keeping every key it does not know.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "claude-tui"
DEFAULT_MODEL = "claude-opus-5-5"
DEMO_MODEL = "claude-tui-demo"
DEFAULT_MAX_TOKENS = 8192
DEFAULT_END_MODELS = ("claude-opus-*",)

EXAMPLE_CONFIG = """\
# claude-tui settings. Every key is optional.
model = "claude-opus-5-5"        # default model for new conversations
max_tokens = 8192                # the longest reply, in tokens
max_retries = 2                  # retries for 408/409/429/5xx and lost connections
max_retry_wait = 60              # seconds: the longest wait for one retry; longer is up to you
first_byte_timeout = 45          # seconds to wait for the API to start answering
system_prompt = ""               # your own system prompt, sent beside the client's
theme = "textual-dark"           # saved when you pick a theme in the command palette
# api_key = "sk-ant-..."         # used only when ANTHROPIC_API_KEY is not set
demo_chars_per_second = 240      # how fast the offline demo model types

[end_conversation]
enabled = true                   # offer issue_warning and end_conversation to the model
models = ["claude-opus-*"]       # shell-style patterns of the models that get them
min_warnings = 1                 # warnings needed before a persistent_abuse end is honoured

[keymap]                         # binding id = "keys", e.g. new_conversation = "ctrl+t"
"""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_cache_dir() -> Path:
    """Derived data (the index), rebuildable from the conversation files at any time."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


class ConfigError(Exception):
    """The config file cannot be used; the message names the file, line and key."""


@dataclass
class EndConversationSettings:
    enabled: bool = True
    models: list[str] = field(default_factory=lambda: list(DEFAULT_END_MODELS))
    min_warnings: int = 1


@dataclass
class Settings:
    path: Path
    model: str = DEFAULT_MODEL
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_retries: int = 2
    max_retry_wait: float = 60.0
    first_byte_timeout: float = 45.0
    system_prompt: str = ""
    theme: str | None = None
    # Kept out of repr: a crash report printing locals must not show the key.
    api_key: str | None = field(default=None, repr=False)
    demo_chars_per_second: float = 240.0
    end_conversation: EndConversationSettings = field(default_factory=EndConversationSettings)
    keymap: dict[str, str] = field(default_factory=dict)
    # The file as read, unknown keys included, so writing a setting back loses nothing.
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    # Keys this version does not know ("max_token"), as "line 3: 'max_token'": kept in the
    # file, reported once at start-up.
    unknown_keys: list[str] = field(default_factory=list)
    # The line of each [keymap] entry, for messages about it.
    keymap_lines: dict[str, int | None] = field(default_factory=dict)

    def resolved_api_key(self, environ: dict[str, str] | os._Environ[str] | None = None) -> str:
        """``ANTHROPIC_API_KEY`` first, then the config's key; empty when there is none."""
        env = os.environ if environ is None else environ
        return (env.get("ANTHROPIC_API_KEY") or "").strip() or (self.api_key or "").strip()


# key -> (types accepted, description for messages)
_TOP_LEVEL: dict[str, tuple[tuple[type, ...], str]] = {
    "model": ((str,), "a string"),
    "max_tokens": ((int,), "a whole number"),
    "max_retries": ((int,), "a whole number"),
    "max_retry_wait": ((int, float), "a number of seconds"),
    "first_byte_timeout": ((int, float), "a number of seconds"),
    "system_prompt": ((str,), "a string"),
    "theme": ((str,), "a string"),
    "api_key": ((str,), "a string"),
    "demo_chars_per_second": ((int, float), "a number"),
    "end_conversation": ((dict,), "a table"),
    "keymap": ((dict,), "a table"),
}
_END_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "enabled": ((bool,), "true or false"),
    "models": ((list,), "a list of strings"),
    "min_warnings": ((int,), "a whole number"),
}


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The line where ``key`` is set (inside ``[table]`` when given), for error messages.

    Looks for ``key = `` under a ``[table]`` header, then for ``table.key = `` (a dotted key),
    then for ``key = `` anywhere (an inline table), and gives up with None.
    """
    name = rf"(?:\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})"
    in_table = re.compile(rf"^\s*{name}\s*=")
    dotted = re.compile(rf"^\s*{re.escape(table)}\s*\.\s*{name}\s*=") if table else None
    anywhere = re.compile(rf"(?:^|[{{,])\s*{name}\s*=")
    lines = text.splitlines()
    current: str | None = None
    for number, line in enumerate(lines, start=1):
        header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).strip("\"'")
            continue
        if current == table and in_table.match(line):
            return number
        if dotted and current is None and dotted.match(line):
            return number
    for number, line in enumerate(lines, start=1):
        if anywhere.search(line):
            return number
    return None


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> ConfigError:
    # tomllib says "(at line 3, column 5)"; 3.14 also has exc.lineno. Put the line up front.
    detail = str(exc)
    line = getattr(exc, "lineno", None)
    if line is None:
        found = re.search(r"\(at line (\d+), column \d+\)", detail)
        line = int(found.group(1)) if found else None
    where = f"{path}, line {line}" if line else str(path)
    return ConfigError(f"{where}: invalid TOML: {detail}")


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file; a missing file gives the defaults, a bad one a ``ConfigError``."""
    path = Path(path) if path else default_config_path()
    settings = Settings(path=path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return settings
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, exc) from None

    def fail(key: str, table: str | None, expected: str, value: Any) -> ConfigError:
        line = _line_of(text, key, table)
        where = f"{path}, line {line}" if line else str(path)
        name = f"{table}.{key}" if table else key
        return ConfigError(f"{where}: '{name}' must be {expected}, not {value!r}")

    def check(data: dict[str, Any], spec: dict[str, tuple[tuple[type, ...], str]],
              table: str | None) -> None:
        for key, (types, expected) in spec.items():
            if key not in data:
                continue
            value = data[key]
            ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
            if not ok:
                raise fail(key, table, expected, value)

    check(raw, _TOP_LEVEL, None)
    if "model" in raw and not raw["model"].strip():
        raise fail("model", None, "a model name", raw["model"])
    end = raw.get("end_conversation", {})
    check(end, _END_KEYS, "end_conversation")
    if "models" in end and not all(isinstance(m, str) for m in end["models"]):
        raise fail("models", "end_conversation", "a list of strings", end["models"])
    keymap = raw.get("keymap", {})
    for key, value in keymap.items():
        if not isinstance(value, str):
            raise fail(key, "keymap", "a string of keys such as \"ctrl+t\"", value)
    for key in ("max_tokens", "min_warnings", "max_retries"):
        source = end if key == "min_warnings" else raw
        if key in source and source[key] < (1 if key == "max_tokens" else 0):
            table = "end_conversation" if key == "min_warnings" else None
            raise fail(key, table, "a positive number", source[key])
    for key in ("demo_chars_per_second", "first_byte_timeout"):
        if key in raw and raw[key] <= 0:
            raise fail(key, None, "a positive number", raw[key])
    if "max_retry_wait" in raw and raw["max_retry_wait"] < 0:
        raise fail("max_retry_wait", None, "a positive number", raw["max_retry_wait"])

    settings.raw = raw
    settings.unknown_keys = _unknown_keys(text, raw, end)
    settings.keymap_lines = {key: _line_of(text, key, "keymap") for key in keymap}
    settings.model = raw.get("model", DEFAULT_MODEL)
    settings.max_tokens = raw.get("max_tokens", DEFAULT_MAX_TOKENS)
    settings.max_retries = raw.get("max_retries", 2)
    settings.max_retry_wait = float(raw.get("max_retry_wait", 60.0))
    settings.first_byte_timeout = float(raw.get("first_byte_timeout", 45.0))
    settings.system_prompt = raw.get("system_prompt", "")
    settings.theme = raw.get("theme")
    settings.api_key = raw.get("api_key")
    settings.demo_chars_per_second = float(raw.get("demo_chars_per_second", 240.0))
    settings.end_conversation = EndConversationSettings(
        enabled=end.get("enabled", True),
        models=list(end.get("models", DEFAULT_END_MODELS)),
        min_warnings=end.get("min_warnings", 1),
    )
    settings.keymap = dict(keymap)
    return settings


def _unknown_keys(text: str, raw: dict[str, Any], end: dict[str, Any]) -> list[str]:
    found = [(key, None) for key in raw if key not in _TOP_LEVEL]
    found += [(key, "end_conversation") for key in end if key not in _END_KEYS]
    described = []
    for key, table in found:
        line = _line_of(text, key, table)
        name = f"{table}.{key}" if table else key
        described.append(f"line {line}: '{name}'" if line else f"'{name}'")
    return described


def save_setting(settings: Settings, key: str, value: Any) -> None:
    """Change one top-level setting and write the file back, unknown keys kept.

    The file is read again first, so edits made while the app ran are kept too; a file that
    has become invalid meanwhile raises ``ConfigError`` and is left as it is. ``None`` removes
    the key. The file is private (0600) when it holds an API key or is new.
    """
    import tomli_w

    from claude_tui.atomic import atomic_write

    # Write through a symlink (a config kept with dotfiles) rather than replacing it.
    target = settings.path.resolve() if settings.path.is_symlink() else settings.path
    raw = settings.raw
    if target.exists():
        try:
            raw = tomllib.loads(target.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{settings.path}: not UTF-8 text (byte {exc.start})") from None
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(settings.path, exc) from None
    raw = dict(raw)
    raw[key] = value
    settings.raw = raw
    if hasattr(settings, key) and key not in ("path", "raw"):
        setattr(settings, key, value)
    data = _drop_none(raw)
    target.parent.mkdir(parents=True, exist_ok=True)
    existing = _existing_mode(target)
    mode = 0o600 if "api_key" in data or existing is None else existing
    atomic_write(target, tomli_w.dumps(data).encode("utf-8"), mode=mode)


def _existing_mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return None


def _drop_none(value: Any) -> Any:
    # tomli_w refuses None; a None means "not set".
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value
