"""The derived index: what a listing and a search need, in SQLite, in the user cache folder.

The conversation files are the only truth; this is rebuilt from them whenever it is missing,
stale or unreadable, and brought up to date per conversation as each one is saved. Each entry
remembers the (size, mtime, inode) of the file it was made from, so a file changed by hand or
by a sync tool is read again. Full text: an FTS5 table with one row per message (and one for
the title), its rowid ``seq << 20 | (message index + 1)``, so one message's row is replaced
without touching the rest of the conversation.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claude_tui.conversation import Conversation, Message
from claude_tui.record import Record
from claude_tui.storage.reading import FileSignature

INDEX_VERSION = 2  # 2: a message's attachment names are searchable
_ROW_BITS = 20  # up to a million messages in one conversation
_MAX_MESSAGES = (1 << _ROW_BITS) - 2
_ROW_MASK = (1 << _ROW_BITS) - 1
# How much more a match in the title counts than one in a message (bm25 is negative: more
# negative ranks first).
TITLE_WEIGHT = 4.0
# Snippet markers: private-use characters, removed from the text before it is indexed.
_START, _END = "\ue000", "\ue001"
_MARKERS = re.compile("[\ue000\ue001]")
_WORD = re.compile(r"\w+", re.UNICODE)


class ConversationSummary(Record):
    id: str
    title: str
    status: str
    model: str
    updated: str
    message_count: int
    created: str = ""
    read_only: bool = False


@dataclass(frozen=True)
class SearchHit:
    summary: ConversationSummary
    # The message the best match is in (-1: the title).
    message_index: int
    # A short piece of the text around the match, and where in it the matched words are.
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


def data_folder_key(data_dir: Path) -> str:
    """What names a data folder's derived files in the cache folder (``--data-dir`` folders
    get their own)."""
    return hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]


def index_path(cache_dir: Path, data_dir: Path) -> Path:
    """One index per data folder."""
    return Path(cache_dir) / f"index-{data_folder_key(data_dir)}.sqlite3"


def has_words(text: str) -> bool:
    """Whether ``text`` holds anything a search can look for (letters or digits)."""
    return bool(_WORD.search(text))


def _fts_words(text: str) -> list[str]:
    """The user's words as FTS5 terms that cannot be read as FTS syntax: each one quoted, the
    last one a prefix (the user may still be typing it)."""
    words = _WORD.findall(text)
    if not words:
        return []
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return list(dict.fromkeys(quoted))


def _clean(text: str) -> str:
    return _MARKERS.sub("", text)


def _summary_row(conversation: Conversation) -> tuple[object, ...]:
    return (conversation.display_title, conversation.status, conversation.model,
            conversation.created, conversation.updated, len(conversation.messages),
            int(conversation.read_only_reason is not None))


class ConversationIndex:
    """Reads and updates the index. One connection per thread; safe to share the object."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._schema_lock = threading.Lock()
        self._ready = False

    # connection --------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            db = self._open()
        except sqlite3.DatabaseError:
            # Derived data: a damaged index is simply made again from the files.
            self._remove_files()
            db = self._open()
        return db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, check_same_thread=False,
                             isolation_level=None)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        with self._schema_lock:
            if not self._ready:
                self._create(db)
                self._ready = True
        return db

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != INDEX_VERSION:
            # Rebuilt from the files; which conflict copies were taken in is not in the
            # files, so that table stays (its shape has not changed).
            db.executescript("""
                DROP TABLE IF EXISTS conversations;
                DROP TABLE IF EXISTS texts;
            """)
        db.executescript(f"""
            CREATE TABLE IF NOT EXISTS conversations (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL, status TEXT NOT NULL, model TEXT NOT NULL,
                created TEXT NOT NULL, updated TEXT NOT NULL,
                message_count INTEGER NOT NULL, read_only INTEGER NOT NULL,
                size INTEGER, mtime_ns INTEGER, ino INTEGER
            );
            CREATE INDEX IF NOT EXISTS by_updated ON conversations(updated);
            CREATE TABLE IF NOT EXISTS imported (
                name TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ino INTEGER
            );
            CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(
                body, tokenize = 'unicode61 remove_diacritics 2'
            );
            PRAGMA user_version = {INDEX_VERSION};
        """)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # writing (the writer thread) -------------------------------------------------------------
    def signatures(self) -> dict[str, FileSignature | None]:
        rows = self._db().execute("SELECT id, size, mtime_ns, ino FROM conversations")
        return {i: FileSignature(s, m, n) if s is not None else None for i, s, m, n in rows}

    def put(self, conversation: Conversation, signature: FileSignature | None,
            changed: Iterable[int] | None = None) -> None:
        """Index ``conversation`` as its file now is. ``changed``: the positions of the only
        messages that differ from what was indexed before (None: all of them)."""
        messages = conversation.messages
        db = self._db()
        sig = (signature.size, signature.mtime_ns, signature.ino) if signature else (None,) * 3
        with db:
            db.execute("BEGIN")
            row = db.execute("SELECT seq, message_count FROM conversations WHERE id = ?",
                             (conversation.id,)).fetchone()
            values = (*_summary_row(conversation)[:5], len(messages),
                      _summary_row(conversation)[6], *sig)
            if row is None:
                cur = db.execute(
                    "INSERT INTO conversations (id, title, status, model, created, updated, "
                    "message_count, read_only, size, mtime_ns, ino) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (conversation.id, *values))
                seq, before, changed = cur.lastrowid, 0, None
            else:
                seq, before = row
                db.execute(
                    "UPDATE conversations SET title = ?, status = ?, model = ?, created = ?, "
                    "updated = ?, message_count = ?, read_only = ?, size = ?, mtime_ns = ?, "
                    "ino = ? WHERE seq = ?", (*values, seq))
            base = int(seq) << _ROW_BITS
            count = min(len(messages), _MAX_MESSAGES)
            if changed is None:
                db.execute("DELETE FROM texts WHERE rowid BETWEEN ? AND ?",
                           (base, base + (1 << _ROW_BITS) - 1))
                positions: Iterable[int] = range(count)
            else:
                if before > count:
                    db.execute("DELETE FROM texts WHERE rowid BETWEEN ? AND ?",
                               (base + count + 1, base + (1 << _ROW_BITS) - 1))
                positions = sorted({p for p in changed if p < count} | set(range(before, count)))
                db.execute("DELETE FROM texts WHERE rowid = ?", (base,))
            db.execute("INSERT INTO texts (rowid, body) VALUES (?, ?)",
                       (base, _clean(conversation.display_title)))
            for position in positions:
                rowid = base + position + 1
                if changed is not None:
                    db.execute("DELETE FROM texts WHERE rowid = ?", (rowid,))
                text = _searchable(messages[position])
                if text and not messages[position].excluded:
                    db.execute("INSERT INTO texts (rowid, body) VALUES (?, ?)",
                               (rowid, _clean(text)))

    def was_imported(self, name: str, signature: FileSignature) -> bool:
        row = self._db().execute("SELECT size, mtime_ns, ino FROM imported WHERE name = ?",
                                 (name,)).fetchone()
        return row is not None and FileSignature(*row) == signature

    def mark_imported(self, name: str, signature: FileSignature) -> None:
        """A sync tool's conflict copy was made a conversation (or cannot be): not again."""
        self._db().execute("INSERT OR REPLACE INTO imported VALUES (?, ?, ?, ?)",
                           (name, signature.size, signature.mtime_ns, signature.ino))

    def remove(self, conversation_id: str) -> None:
        db = self._db()
        with db:
            db.execute("BEGIN")
            row = db.execute("SELECT seq FROM conversations WHERE id = ?",
                             (conversation_id,)).fetchone()
            if row is None:
                return
            base = int(row[0]) << _ROW_BITS
            db.execute("DELETE FROM texts WHERE rowid BETWEEN ? AND ?",
                       (base, base + (1 << _ROW_BITS) - 1))
            db.execute("DELETE FROM conversations WHERE seq = ?", (row[0],))

    # reading -----------------------------------------------------------------------------------
    def list(self, *, status: str | None = None, model: str | None = None,
             order: str = "updated", limit: int | None = None) -> list[ConversationSummary]:
        """Conversations, newest first (by ``updated`` or ``created``)."""
        where, args = self._filters(status, model)
        # ``updated`` is to the second: of two changed within one, the file written last is
        # the newer (``-c`` continues the one just continued, not the other).
        newest = "created DESC" if order == "created" else "updated DESC, mtime_ns DESC"
        sql = (f"SELECT id, title, status, model, updated, message_count, created, read_only "
               f"FROM conversations {where} ORDER BY {newest}, id DESC")
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_summary(row) for row in self._db().execute(sql, args)]

    def count(self, *, status: str | None = None, model: str | None = None) -> int:
        where, args = self._filters(status, model)
        return int(self._db().execute(f"SELECT count(*) FROM conversations {where}",
                                      args).fetchone()[0])

    def titles_starting(self, start: str) -> set[str]:
        """The indexed titles that begin with ``start`` (a new branch's title must be new)."""
        return {str(r[0]) for r in self._db().execute(
            "SELECT title FROM conversations WHERE substr(title, 1, ?) = ?",
            (len(start), start))}

    def models(self) -> list[str]:
        """The models of the indexed conversations, for a filter."""
        return [r[0] for r in self._db().execute(
            "SELECT DISTINCT model FROM conversations ORDER BY model")]

    def search(self, text: str, *, limit: int = 50, status: str | None = None,
               model: str | None = None, order: str = "rank") -> list[SearchHit]:
        """The conversations whose title or any message has the words, best match first (or
        newest first with ``order="updated"``/``"created"``), one hit each."""
        words = _fts_words(text)
        if not words:
            return [SearchHit(s, -1, "") for s in self.list(status=status, model=model,
                                                            order=order, limit=limit)]
        where, args = self._filters(status, model, prefix="AND")
        rank = {"updated": "c.updated DESC", "created": "c.created DESC"}.get(order, "best.score")
        query = " OR ".join(words)
        # The best row of each conversation for any of the words (bm25, a title counting
        # TITLE_WEIGHT times a message: the conversation named so is the one meant), then a snippet
        # for the few shown: snippet() for every matching row would cost far more.
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT rowid, bm25(texts) * (CASE WHEN rowid & {_ROW_MASK} = 0
                                             THEN {TITLE_WEIGHT} ELSE 1 END) AS score
                FROM texts WHERE texts MATCH ?),
            best AS (SELECT rowid >> {_ROW_BITS} AS seq, rowid, MIN(score) AS score
                     FROM m GROUP BY seq)
            SELECT c.id, c.title, c.status, c.model, c.updated, c.message_count, c.created,
                   c.read_only, best.rowid, c.seq
            FROM best JOIN conversations AS c ON c.seq = best.seq
            WHERE 1 {where}
            ORDER BY {rank}, c.updated DESC, c.mtime_ns DESC, c.id DESC
        """
        db = self._db()
        try:
            rows = db.execute(sql, [query, *args]).fetchall()
            if len(words) > 1:
                # Every word somewhere in the conversation (its title or any message), not
                # necessarily in one message.
                having = set.intersection(*(self._conversations_with(db, w) for w in words))
                rows = [row for row in rows if row[9] in having]
            rows = rows[:limit]
            if not rows:
                return []
            marks = ", ".join("?" * len(rows))
            snippets = dict(db.execute(
                f"SELECT rowid, snippet(texts, 0, '{_START}', '{_END}', '…', 16) FROM texts "
                f"WHERE texts MATCH ? AND rowid IN ({marks})",
                [query, *(row[8] for row in rows)]).fetchall())
        except sqlite3.OperationalError:
            return []  # a query FTS5 cannot take (the words are quoted, so this is rare)
        hits = []
        for row in rows:
            snippet, highlights = _highlights(snippets.get(row[8]) or "")
            position = (row[8] & ((1 << _ROW_BITS) - 1)) - 1
            hits.append(SearchHit(_summary(row[:8]), position, snippet, highlights))
        return hits

    @staticmethod
    def _conversations_with(db: sqlite3.Connection, word: str) -> set[int]:
        rows = db.execute(f"SELECT DISTINCT rowid >> {_ROW_BITS} FROM texts WHERE texts MATCH ?",
                          (word,))
        return {r[0] for r in rows}

    @staticmethod
    def _filters(status: str | None, model: str | None,
                 prefix: str = "WHERE") -> tuple[str, list[object]]:
        clauses, args = [], []
        if status:
            clauses.append("status = ?")
            args.append(status)
        if model:
            clauses.append("model = ?")
            args.append(model)
        if not clauses:
            return "", []
        joined = " AND ".join(clauses)
        return (f"WHERE {joined}" if prefix == "WHERE" else f"AND {joined}"), args


def _searchable(message: Message) -> str:
    """A message's words for search: its text, and the names of the files attached to it."""
    entries = message.extra.get("attachments")
    names = [entry["name"] for entry in entries
             if isinstance(entry, dict) and isinstance(entry.get("name"), str)
             ] if isinstance(entries, list) else []
    text = message.text
    return "\n".join([text, "📎 " + ", ".join(names)]) if names else text


def _summary(row: Sequence[object]) -> ConversationSummary:
    return ConversationSummary(id=str(row[0]), title=str(row[1]), status=str(row[2]),
                               model=str(row[3]), updated=str(row[4]),
                               message_count=int(row[5]),  # type: ignore[call-overload]
                               created=str(row[6]), read_only=bool(row[7]))


def _highlights(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """Snippet text without the markers, and the spans they marked."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{_START}{_END}])", raw):
        if piece == _START:
            start = length
        elif piece == _END:
            if start is not None:
                spans.append((start, length))
            start = None
        else:
            out.append(piece)
            length += len(piece)
    return "".join(out), spans
