"""Full-text search over every stored conversation: SQLite FTS5 in the user cache folder.

The JSON files stay the only truth. The index is derived data, kept per data folder in
``<user cache dir>/claude-tui/search/<hash of the data folder>.sqlite3``, rebuilt from the
files whenever it is missing, damaged or from another version, and brought in step with them
by ``refresh()``: a file is (re)indexed when its (size, mtime_ns, inode) differ from what was
indexed, and dropped when it is gone. Reading the index never changes the data folder.

Layout: ``conversations`` holds one row per file (what a list shows); ``texts`` is the FTS5
table with one row for the title and one per message with text. A text row's rowid is
``num << 20 | part``, where ``num`` is the conversation's row number and ``part`` is 0 for
the title and ``message index + 1`` for a message, so one conversation's rows are a rowid
range (cheap to delete) and a hit says which message it is in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from claude_tui.conversation import Conversation, is_valid_id
from claude_tui.store import ConversationSummary
from claude_tui.text import inert

INDEX_VERSION = 1
PART_BITS = 20
PART_MASK = (1 << PART_BITS) - 1
MAX_MESSAGES = PART_MASK - 1  # messages past this are not indexed (no file has that many)
BATCH = 200  # files per write transaction: a long build never holds the lock for long
# Snippet markers: private-use characters, unlikely in text and removed before display.
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_TOKENS = 14
ORDERS = ("rank", "updated", "created")
RACY_NS = 2_000_000_000  # a folder changed this recently is scanned whatever its mtime says
# Title matches count more than message matches (bm25 weights per column: title, body).
RANKING = "bm25(texts, 4.0, 1.0)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS conversations (
    num INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,
    size INTEGER, mtime_ns INTEGER, ino INTEGER,
    title TEXT, status TEXT, model TEXT, created TEXT, updated TEXT,
    message_count INTEGER, read_only INTEGER
);
CREATE INDEX IF NOT EXISTS by_updated ON conversations (updated);
CREATE INDEX IF NOT EXISTS by_created ON conversations (created);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(
    title, body, tokenize = 'unicode61 remove_diacritics 2'
);
"""


@dataclass(frozen=True)
class SearchHit:
    """A conversation that matches, and where: ``message_index`` is the index in the file of
    the best matching message, None when the title matched best. ``snippet`` is raw text with
    the matched words between ``MARK_START`` and ``MARK_END``: display it with ``parts()``."""

    summary: ConversationSummary
    created: str
    message_index: int | None
    snippet: str

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as inert one-line pieces, each with whether it is a match."""
        return snippet_parts(self.snippet)


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    for number, piece in enumerate(re.split(f"[{MARK_START}{MARK_END}]", snippet)):
        shown = re.sub(r"\s+", " ", inert(piece))
        if shown:
            pieces.append((shown, number % 2 == 1))
    if pieces:
        pieces[0] = (pieces[0][0].lstrip(), pieces[0][1])
        pieces[-1] = (pieces[-1][0].rstrip(), pieces[-1][1])
    return [p for p in pieces if p[0]]


def fts_query(text: str) -> list[str]:
    """One FTS5 phrase per word the user typed, each matching words that start with it."""
    phrases = []
    for word in text.split():
        if any(ch.isalnum() for ch in word):
            phrases.append('"' + word.replace('"', '""') + '"*')
    return phrases


def index_path(cache_dir: Path, data_dir: Path) -> Path:
    key = hashlib.sha256(str(Path(data_dir).expanduser().resolve()).encode()).hexdigest()[:16]
    return Path(cache_dir) / "search" / f"{key}.sqlite3"


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("claude-tui"))


@dataclass
class RefreshPlan:
    stamp: str  # the folder's mtime and inode when it was scanned
    gone: list[str]
    changed: list[str]
    unreadable: list[str] = field(default_factory=list)


Progress = Callable[[int, int], None]  # (files indexed so far, files to index)


class ConversationIndex:
    """The search index of one data folder. Not thread-safe: one per thread."""

    def __init__(self, data_dir: Path, cache_dir: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "conversations"
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.path = index_path(self.cache_dir, self.data_dir)
        self._db = self._open()

    # opening ---------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        for attempt in (1, 2):
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None,
                                 check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(_SCHEMA)
                row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                if row is None:
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)",
                               (str(INDEX_VERSION),))
                elif row[0] != str(INDEX_VERSION):
                    raise sqlite3.DatabaseError("an index from another version")
                return db
            except sqlite3.DatabaseError:
                db.close()
                if attempt == 2:
                    raise
                self._discard()  # damaged or foreign: it is only derived data
        raise AssertionError("unreachable")

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def close(self) -> None:
        self._db.close()

    # keeping in step with the files ----------------------------------------------------------
    def _folder_stamp(self) -> str:
        """The folder's mtime and inode, or "" while that mtime is too recent to trust:
        file systems keep coarse times, and a save in the same tick as this look would
        leave the folder's mtime as it is now (the "racy" case)."""
        try:
            stat = os.stat(self.folder)
        except OSError:
            return ""
        if time.time_ns() - stat.st_mtime_ns < RACY_NS:
            return ""
        return f"{stat.st_mtime_ns}:{stat.st_ino}"

    def plan(self, *, quick: bool = False) -> RefreshPlan:
        """What ``refresh`` would do: which files are gone and which changed.

        ``quick``: nothing to do when the folder has not changed since the last refresh.
        Every save is a rename into the folder, which changes the folder's mtime; a file
        edited in place by hand is caught by the next full refresh.
        """
        stamp = self._folder_stamp()
        if quick and stamp and self._meta("folder") == stamp:
            return RefreshPlan(stamp, [], [])
        on_disk = self._scan()
        known = {row[0]: (row[1], row[2], row[3]) for row in self._db.execute(
            "SELECT id, size, mtime_ns, ino FROM conversations")}
        gone = [i for i in known if i not in on_disk]
        changed = [i for i, sig in on_disk.items() if known.get(i) != sig]
        return RefreshPlan(stamp, gone, changed)

    def refresh(self, *, quick: bool = False, progress: Progress | None = None,
                plan: RefreshPlan | None = None) -> RefreshPlan:
        """Bring the index in step with the files. Files that could not be read are listed
        in the plan's ``unreadable`` (for the caller to report)."""
        plan = plan or self.plan(quick=quick)
        with self._writing():
            for conversation_id in plan.gone:
                self._remove(conversation_id)
        for start in range(0, len(plan.changed), BATCH):
            with self._writing():
                for conversation_id in plan.changed[start:start + BATCH]:
                    if not self._index_file(conversation_id):
                        plan.unreadable.append(conversation_id)
            if progress is not None:
                progress(min(start + BATCH, len(plan.changed)), len(plan.changed))
        with self._writing():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('folder', ?)", (plan.stamp,))
        return plan

    def _scan(self) -> dict[str, tuple[int, int, int]]:
        found: dict[str, tuple[int, int, int]] = {}
        try:
            entries = os.scandir(self.folder)
        except OSError:
            return found
        with entries:
            for entry in entries:
                name = entry.name
                if not name.endswith(".json") or not is_valid_id(name[:-5]):
                    continue
                with contextlib.suppress(OSError):
                    stat = entry.stat()
                    found[name[:-5]] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        return found

    @contextlib.contextmanager
    def _writing(self):  # type: ignore[no-untyped-def]
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _remove(self, conversation_id: str) -> None:
        row = self._db.execute("SELECT num FROM conversations WHERE id = ?",
                               (conversation_id,)).fetchone()
        if row is None:
            return
        low = row[0] << PART_BITS
        self._db.execute("DELETE FROM texts WHERE rowid BETWEEN ? AND ?", (low, low | PART_MASK))
        self._db.execute("DELETE FROM conversations WHERE num = ?", (row[0],))

    def _index_file(self, conversation_id: str) -> bool:
        """Index one file as it is now; False when it cannot be read (it is left out: the
        store reports damaged files, the index only follows what can be shown)."""
        self._remove(conversation_id)
        path = self.folder / f"{conversation_id}.json"
        try:
            with open(path, "rb") as file:
                stat = os.fstat(file.fileno())  # the bytes read and the signature agree
                raw = file.read()
            conversation = Conversation.from_dict(json.loads(raw.decode("utf-8")))
        except FileNotFoundError:
            return True  # gone since the scan: nothing to report
        except (OSError, ValueError, TypeError, AttributeError, KeyError, RecursionError):
            return False
        if conversation.id != conversation_id:
            return False
        cursor = self._db.execute(
            "INSERT INTO conversations (id, size, mtime_ns, ino, title, status, model, created,"
            " updated, message_count, read_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (conversation.id, stat.st_size, stat.st_mtime_ns, stat.st_ino,
             conversation.display_title, conversation.status, conversation.model,
             conversation.created, conversation.updated, len(conversation.messages),
             int(conversation.read_only_reason is not None)))
        base = (cursor.lastrowid or 0) << PART_BITS
        rows = [(base, conversation.display_title, "")]
        for index, message in enumerate(conversation.messages[:MAX_MESSAGES]):
            text = message.text
            if text.strip():
                rows.append((base | (index + 1), "", text))
        self._db.executemany("INSERT INTO texts (rowid, title, body) VALUES (?, ?, ?)", rows)
        return True

    def forget(self, conversation_id: str) -> None:
        """Drop a conversation at once (after a delete), before the next refresh would."""
        with self._writing():
            self._remove(conversation_id)

    # reading ---------------------------------------------------------------------------------
    def _filters(self, status: str | None, model: str | None) -> tuple[str, list[object]]:
        clauses, values = [], []
        if status is not None:
            clauses.append("c.status = ?")
            values.append(status)
        if model is not None:
            clauses.append("c.model = ?")
            values.append(model)
        return (" AND ".join(clauses) or "1"), values

    def list(self, *, status: str | None = None, model: str | None = None,
             order: str = "updated", limit: int | None = None) -> list[SearchHit]:
        """The conversations newest first (by ``updated`` or ``created``), as hits without a
        snippet."""
        where, values = self._filters(status, model)
        column = "created" if order == "created" else "updated"
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM conversations c WHERE {where} "
            f"ORDER BY c.{column} DESC, c.id DESC LIMIT ?", (*values, -1 if limit is None
                                                            else limit)).fetchall()
        return [SearchHit(_summary(row), row[7], None, "") for row in rows]

    def count(self, *, status: str | None = None, model: str | None = None) -> int:
        where, values = self._filters(status, model)
        return self._db.execute(f"SELECT count(*) FROM conversations c WHERE {where}",
                                values).fetchone()[0]

    def models(self) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT DISTINCT model FROM conversations ORDER BY model")]

    def search(self, text: str, *, limit: int = 50, status: str | None = None,
               model: str | None = None, order: str = "rank") -> list[SearchHit]:
        """Conversations holding every word (as a word start) in their title or messages,
        best first (``rank``) or newest first (``updated``/``created``)."""
        phrases = fts_query(text)
        if not phrases or limit <= 0:
            return []
        where, values = self._filters(status, model)
        any_word = " OR ".join(phrases)
        every = ""
        params: list[object] = [any_word]
        if len(phrases) > 1:  # the words may be in different messages of one conversation
            every = "AND best.num IN (" + " INTERSECT ".join(
                "SELECT rowid >> 20 FROM texts WHERE texts MATCH ?" for _ in phrases) + ")"
            params += phrases
        sort = {"updated": "c.updated DESC", "created": "c.created DESC"}.get(order,
                                                                              "ranks.score")
        # bm25() works only in a plain query on the FTS table: score rows first, then group.
        # A conversation ranks by its best row; the snippet comes from its best message
        # (a title that is the first message would say nothing new).
        query = (
            f"WITH scored AS MATERIALIZED (SELECT rowid AS text_row, {RANKING} AS score "
            f"FROM texts WHERE texts MATCH ?), "
            f"ranks AS (SELECT text_row >> {PART_BITS} AS num, min(score) AS score "
            f"FROM scored GROUP BY num), "
            f"best AS (SELECT text_row >> {PART_BITS} AS num, text_row & {PART_MASK} AS part, "
            f"text_row, min(score + (text_row & {PART_MASK} = 0) * 1e9) FROM scored "
            f"GROUP BY num) "
            f"SELECT {_COLUMNS}, best.part, best.text_row FROM best "
            f"JOIN ranks ON ranks.num = best.num "
            f"JOIN conversations c ON c.num = best.num WHERE {where} {every} "
            f"ORDER BY {sort}, c.updated DESC LIMIT ?"
        )
        try:
            rows = self._db.execute(query, [*params[:1], *values, *params[1:], limit]).fetchall()
            return [SearchHit(_summary(row), row[7], row[-2] - 1 if row[-2] else None,
                              self._snippet(any_word, row[-1])) for row in rows]
        except sqlite3.OperationalError:  # a query FTS5 cannot parse: nothing matches
            return []

    def _snippet(self, query: str, text_row: int) -> str:
        row = self._db.execute(
            f"SELECT snippet(texts, -1, ?, ?, '…', {SNIPPET_TOKENS}) FROM texts "
            "WHERE texts MATCH ? AND rowid = ?", (MARK_START, MARK_END, query, text_row)
        ).fetchone()
        return row[0] if row else ""


_COLUMNS = ("c.id, c.title, c.status, c.model, c.updated, c.message_count, c.read_only, "
            "c.created")


def _summary(row: tuple) -> ConversationSummary:  # type: ignore[type-arg]
    return ConversationSummary(id=row[0], title=row[1], status=row[2], model=row[3],
                               updated=row[4], message_count=row[5], preview="",
                               read_only=bool(row[6]))
