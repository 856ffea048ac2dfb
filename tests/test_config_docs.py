"""The README's configuration table and the example config say what the schema says.

``python -m tests.test_config_docs`` writes the table into the README from the schema.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from claude_tui.config import (
    EXAMPLE_CONFIG,
    EndConversationSettings,
    Settings,
    key_lines,
    load_settings,
    schema_keys,
)

README = Path(__file__).resolve().parent.parent / "README.md"
HEADER = ["| key | default | meaning |", "|---|---|---|"]


def default_of(key: dataclasses.Field[Any]) -> Any:
    if key.default_factory is not dataclasses.MISSING:
        return key.default_factory()
    return key.default


def shown(key: dataclasses.Field[Any]) -> str:
    """A default as the README shows it."""
    value = default_of(key)
    if value is None or value == {}:
        return key.metadata["unset"]
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{json.dumps(value)}`" if isinstance(value, list) else f"`{value}`"


def rows(schema: type = Settings, table: str = "") -> list[str]:
    found = []
    for key, hint in schema_keys(schema):
        if "table" in key.metadata:
            found += rows(hint, key.name)
            continue
        if table:
            name = f"[{table}] {key.name}"
        else:  # a table of free keys ([keymap]) is one row
            name = f"[{key.name}]" if isinstance(default_of(key), dict) else key.name
        found.append(f"| `{name}` | {shown(key)} | {key.metadata['help']} |")
    return found


def readme_table(lines: list[str]) -> tuple[int, int]:
    """Where the configuration table is in the README's lines: (first, after the last)."""
    first = lines.index(HEADER[0])
    last = first
    while last < len(lines) and lines[last].startswith("|"):
        last += 1
    return first, last


def test_the_readme_table_is_the_schema() -> None:
    lines = README.read_text("utf-8").splitlines()
    first, last = readme_table(lines)
    # On a difference: python -m tests.test_config_docs
    assert lines[first:last] == HEADER + rows()


def test_the_table_names_every_key_with_its_default_and_help() -> None:
    # The rendering itself: a key left out of rows() would leave the README unchecked.
    table = "\n".join(rows())
    for schema, prefix in ((Settings, ""), (EndConversationSettings, "[end_conversation] ")):
        for key, _ in schema_keys(schema):
            if "table" in key.metadata:
                continue
            name = f"[{key.name}]" if key.name == "keymap" else prefix + key.name
            (row,) = [r for r in table.splitlines() if r.startswith(f"| `{name}` |")]
            assert row.endswith(f" | {key.metadata['help']} |")
    assert "| `max_tokens` | `8192` |" in table and "| `theme` | Textual's |" in table
    assert '| `[end_conversation] models` | `["claude-opus-*"]` |' in table
    assert "| `max_retry_wait` | `60` |" in table and "| `system_prompt` | empty |" in table


def test_the_readme_shows_the_example_config() -> None:
    assert f"```toml\n{EXAMPLE_CONFIG}```" in README.read_text("utf-8")


def test_the_example_config_has_every_key_at_its_default_but_two_examples(
        tmp_path: Path) -> None:
    text = EXAMPLE_CONFIG.replace("# api_key =", "api_key =")
    path = tmp_path / "example.toml"
    path.write_text(text, "utf-8")
    example = load_settings(path)
    assert example.unknown_keys == []
    written = set(key_lines(text))
    defaults = Settings(path=path)
    differ = []
    for key, hint in schema_keys(Settings):
        assert (key.name,) in written
        tables = [(hint, getattr(example, key.name), getattr(defaults, key.name))] if (
            "table" in key.metadata) else []
        for schema, value, default in tables:
            for inner, _ in schema_keys(schema):
                assert (key.name, inner.name) in written
                assert getattr(value, inner.name) == getattr(default, inner.name)
        if getattr(example, key.name) != getattr(defaults, key.name):
            differ.append(key.name)
    assert differ == ["theme", "api_key"]  # an example theme; a key left commented out


def write_readme_table() -> None:
    lines = README.read_text("utf-8").splitlines()
    first, last = readme_table(lines)
    lines[first:last] = HEADER + rows()
    README.write_text("\n".join(lines) + "\n", "utf-8")


if __name__ == "__main__":
    write_readme_table()
    sys.exit(0)
