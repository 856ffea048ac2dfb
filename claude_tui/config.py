"""Settings and paths.

``config.toml`` lives in the user config folder and is read with ``tomllib``; when the app changes
a setting it is written back with ``tomli_w``, keeping every key it does not know.

The dataclasses ``Settings`` and ``EndConversationSettings`` are the schema: each key of the
file is a field made by ``setting()``, which holds its default and its help text (the README's
table is tested against them), and its annotation is the type the file must give.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    import tomllib

APP_NAME = "claude-tui"
DEFAULT_MODEL = "claude-opus-5-5"
DEMO_MODEL = "claude-tui-demo"
DEFAULT_MAX_TOKENS = 8192
DEFAULT_END_MODELS = ("claude-opus-*",)

# An example, shown by the demo model and in the README; tests check it against the schema.
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
thinking = false                 # extended thinking for conversations that do not choose
thinking_effort = ""             # "low" .. "max" where the model takes it; "": its default
thinking_budget = 8000           # thinking tokens, on models that take a budget

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


def setting(default: Any, help: str, *, unit: str = "", at_least: float | None = None,
            more_than: float | None = None, not_blank: str = "", each: str = "",
            unset: str = "none", secret: bool = False) -> Any:
    """One key of the config file: its default, its help text, and what a value must be.

    ``unit`` is what a number counts ("must be a number of seconds"); ``at_least`` and
    ``more_than`` bound a number; ``not_blank`` refuses an empty string, saying what it must be
    instead; ``each`` is what every value of a table of free keys must be; ``unset`` is how the
    README shows a default of None; a ``secret`` is kept out of repr, so a crash report that
    prints locals does not show it.
    """
    metadata = {"help": help, "unit": unit, "at_least": at_least, "more_than": more_than,
                "not_blank": not_blank, "each": each, "unset": unset}
    if isinstance(default, list | dict):
        return field(default_factory=default.copy, metadata=metadata, repr=not secret)
    return field(default=default, metadata=metadata, repr=not secret)


def table(schema: type) -> Any:
    """A ``[table]`` of the config file whose keys are the fields of ``schema``."""
    return field(default_factory=schema, metadata={"table": True})


@dataclass
class EndConversationSettings:
    """``[end_conversation]``: the warning and end tools offered to the model."""

    enabled: bool = setting(True, "offer the warning and end tools to the model")
    models: list[str] = setting(
        list(DEFAULT_END_MODELS), "shell-style patterns of the models that get them (the demo "
        "model always does unless disabled)")
    min_warnings: int = setting(
        1, "warnings needed before an end for persistent abuse is honoured", at_least=0)


@dataclass
class Settings:
    """The settings: the keys of ``config.toml``, and what was read from the file."""

    path: Path = field(default_factory=default_config_path)
    model: str = setting(DEFAULT_MODEL, "model for new conversations (`--model` overrides)",
                         not_blank="a model name")
    max_tokens: int = setting(DEFAULT_MAX_TOKENS, "the longest reply, in tokens", at_least=1)
    max_retries: int = setting(
        2, "retries for rate limits, overload, server errors and lost connections, before a "
        "reply begins; the tab counts down each wait (\"rate limited, retrying in 27 s; "
        "escape stops\")", at_least=0)
    max_retry_wait: float = setting(
        60.0, "seconds: the longest one retry waits; when the API asks for longer, you are "
        "told and `ctrl+r` retries when you choose", unit="seconds", at_least=0)
    first_byte_timeout: float = setting(
        45.0, "seconds to wait for the API to start answering before saying so (`ctrl+r` "
        "retries)", unit="seconds", more_than=0)
    system_prompt: str = setting(
        "", "your own system prompt, sent after the client's end-conversation section; the "
        "default of every conversation that has none of its own (`f7`)")
    theme: str | None = setting(
        None, "saved when you choose a theme in the command palette", unset="Textual's")
    api_key: str | None = setting(
        None, "used only when `ANTHROPIC_API_KEY` is not set; the file is then kept `0600`",
        secret=True)
    demo_chars_per_second: float = setting(
        240.0, "how fast the offline demo model types", more_than=0)
    thinking: bool = setting(
        False, "extended thinking, for every conversation that has not chosen in the command "
        "palette (\"Thinking on/off for this conversation\")")
    thinking_effort: str = setting(
        "", "how hard the model thinks: `low`, `medium`, `high`, `xhigh` or `max`, sent as "
        "`output_config.effort` to the models that take it; empty: the model's default")
    thinking_budget: int = setting(
        8000, "thinking tokens, for the models that take a budget rather than an effort (kept "
        "below `max_tokens`)", at_least=1024)
    end_conversation: EndConversationSettings = table(EndConversationSettings)
    keymap: dict[str, str] = setting(
        {}, "remap any binding by its id, e.g. `new_conversation = \"ctrl+t\"` (ids below)",
        each="a string of keys such as \"ctrl+t\"")

    # What was read, beside the settings themselves:
    # the file as read, unknown keys included, so writing a setting back loses nothing;
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    # keys this version does not know ("max_token"), as "line 3: 'max_token'": kept in the
    # file, reported once at start-up;
    unknown_keys: list[str] = field(default_factory=list)
    # the line of each [keymap] entry, for messages about it.
    keymap_lines: dict[str, int | None] = field(default_factory=dict)

    def resolved_api_key(self, environ: dict[str, str] | os._Environ[str] | None = None) -> str:
        """``ANTHROPIC_API_KEY`` first, then the config's key; empty when there is none."""
        env = os.environ if environ is None else environ
        return (env.get("ANTHROPIC_API_KEY") or "").strip() or (self.api_key or "").strip()


def schema_keys(schema: type) -> list[tuple[dataclasses.Field[Any], Any]]:
    """The keys of a table of the schema: each field made by ``setting()`` or ``table()``, with
    its type (a nested schema for a table)."""
    found = _KEYS.get(schema)
    if found is None:
        hints = typing.get_type_hints(schema)
        found = [(f, hints[f.name]) for f in dataclasses.fields(schema)
                 if "help" in f.metadata or "table" in f.metadata]
        _KEYS[schema] = found
    return found


_KEYS: dict[type, list[tuple[dataclasses.Field[Any], Any]]] = {}
# What the file's value must be, by the Python type a key's annotation asks for.
_KIND_NAMES: dict[type, str] = {
    bool: "true or false", int: "a whole number", float: "a number", str: "a string",
    list: "a list of strings", dict: "a table",
}


def _kind(hint: Any) -> type:
    """The value a key's annotation asks for: ``str | None`` a str (a missing key is None),
    ``list[str]`` a list, a nested schema a table."""
    if isinstance(hint, types.UnionType):
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if dataclasses.is_dataclass(hint):
        return dict
    return typing.get_origin(hint) or hint


def _fits(value: Any, kind: type) -> bool:
    if isinstance(value, bool):  # a bool is an int to Python, never to the file
        return kind is bool
    return isinstance(value, int | float) if kind is float else isinstance(value, kind)


_Problem = typing.Callable[[tuple[str, ...], str, Any], ConfigError]


def _read_table(schema: type, data: dict[str, Any], where: tuple[str, ...],
                problem: _Problem) -> dict[str, Any]:
    """The values ``data`` gives for the keys of ``schema``, checked; a key not in ``data``
    is left out, so it keeps its default."""
    values: dict[str, Any] = {}
    for key, hint in schema_keys(schema):
        if key.name not in data:
            continue
        value, name, kind, meta = data[key.name], (*where, key.name), _kind(hint), key.metadata
        expected = f"a number of {meta['unit']}" if meta.get("unit") else _KIND_NAMES[kind]
        if not _fits(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            raise problem(name, expected, value)
        if dataclasses.is_dataclass(hint):
            values[key.name] = hint(**_read_table(hint, value, name, problem))
            continue
        for item, each in value.items() if kind is dict else ():
            if not isinstance(each, str):
                raise problem((*name, item), meta["each"], each)
        if meta["not_blank"] and not value.strip():
            raise problem(name, meta["not_blank"], value)
        low, above = meta["at_least"], meta["more_than"]
        if (low is not None and value < low) or (above is not None and value <= above):
            raise problem(name, "a positive number", value)
        values[key.name] = kind(value)  # an int for a float key becomes a float; lists copied
    return values


def _unknown_keys(schema: type, data: dict[str, Any],
                  where: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    known = {key.name: hint for key, hint in schema_keys(schema)}
    found = [(*where, name) for name in data if name not in known]
    for name, hint in known.items():
        if dataclasses.is_dataclass(hint) and isinstance(data.get(name), dict):
            found += _unknown_keys(hint, data[name], (*where, name))
    return found


_QUOTES = ('"""', "'''")
_CLOSERS = (*_QUOTES, "]")
_IN_A_STRING = ("Unterminated string", "Expected \"'''\"")  # tomllib's words for it


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line where each key (as its path: ``("end_conversation", "models")``) is first set.

    Each statement of the file is parsed alone by ``tomllib``, so quoted and dotted keys,
    inline tables and table headers come out as the parser reads them. A value over several
    lines (a multi-line string or array) is parsed once a line that may close it is reached.
    """
    import tomllib

    lines: dict[tuple[str, ...], int] = {}
    current: tuple[str, ...] = ()  # the table of the last [header]
    chunk: list[str] = []
    start = 0
    closers = _CLOSERS
    for number, line in enumerate(text.splitlines(), start=1):
        if not chunk:
            start = number
        chunk.append(line)
        if len(chunk) > 1 and not any(end in line for end in closers):
            continue
        try:
            parsed: Any = tomllib.loads("\n".join(chunk))
        except tomllib.TOMLDecodeError as exc:
            # The statement goes on. Inside a multi-line string only quotes can end it, so a
            # long prompt is parsed again once, not at each line (should tomllib word its
            # message otherwise, this is only slower, never wrong).
            closers = _QUOTES if str(exc).startswith(_IN_A_STRING) else _CLOSERS
            continue
        closers = _CLOSERS
        if chunk[0].lstrip().startswith("["):  # [table], [a.b] or [[array]]
            current = ()
            while isinstance(parsed, dict) and len(parsed) == 1:
                ((name, parsed),) = parsed.items()
                current = (*current, name)
                lines.setdefault(current, start)
        else:
            _note_lines(parsed, current, start, lines)
        chunk = []
    return lines


def _note_lines(parsed: dict[str, Any], where: tuple[str, ...], number: int,
                lines: dict[tuple[str, ...], int]) -> None:
    for name, value in parsed.items():
        lines.setdefault((*where, name), number)
        if isinstance(value, dict):  # a dotted key or an inline table
            _note_lines(value, (*where, name), number, lines)


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
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return Settings(path=path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    import tomllib  # only with a config file: about 4 ms of start-up

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, exc) from None
    lines: dict[tuple[str, ...], int] = {}

    def line_of(name: tuple[str, ...]) -> int | None:
        if not lines:  # found only when a message or the keymap needs them
            lines.update(key_lines(text))
        return lines.get(name)

    def problem(name: tuple[str, ...], expected: str, value: Any) -> ConfigError:
        line = line_of(name)
        where = f"{path}, line {line}" if line else str(path)
        return ConfigError(f"{where}: '{'.'.join(name)}' must be {expected}, not {value!r}")

    settings = Settings(path=path, **_read_table(Settings, raw, (), problem))
    settings.raw = raw
    for name in _unknown_keys(Settings, raw):
        line = line_of(name)
        named = f"'{'.'.join(name)}'"
        settings.unknown_keys.append(f"line {line}: {named}" if line else named)
    settings.keymap_lines = {key: line_of(("keymap", key)) for key in settings.keymap}
    return settings


def save_setting(settings: Settings, key: str, value: Any) -> None:
    """Change one top-level setting and write the file back, unknown keys kept.

    The file is read again first, so edits made while the app ran are kept too; a file that
    has become invalid meanwhile raises ``ConfigError`` and is left as it is. ``None`` removes
    the key. The file is private (0600) when it holds an API key or is new.
    """
    import tomllib

    import tomli_w

    from claude_tui.storage.atomic import atomic_write

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
    if key in {known.name for known, _ in schema_keys(Settings)}:
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
