"""The title a branch (f8) gets: the source's title with "(branch)", numbered when taken.

Only the new conversation is named; no existing title, the source's or one the user chose for
an earlier branch, is ever changed.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection

from claude_tui.conversation import Conversation
from claude_tui.storage.index import ConversationIndex

# " (branch)" or " (branch 3)" at the end of a title: a branch of a branch counts on from it
# ("Trip (branch 2)") instead of growing "Trip (branch) (branch)".
_BRANCH_SUFFIX = re.compile(r" \(branch(?: \d+)?\)$")


def branch_base(title: str) -> str:
    return _BRANCH_SUFFIX.sub("", title.strip()) or title.strip()


def branch_title(base: str, taken: Collection[str]) -> str:
    """``base (branch)``, else the first ``base (branch N)`` (N from 2) not in ``taken``."""
    title = f"{base} (branch)"
    number = 2
    while title in taken:
        title = f"{base} (branch {number})"
        number += 1
    return title


def title_for_branch(source: Conversation, index: ConversationIndex) -> str:
    """A branch's title, new among the indexed ones: the picker and the tabs would otherwise
    show the source's title twice."""
    base = branch_base(source.display_title)
    try:
        taken = index.titles_starting(base)
    except sqlite3.Error:
        taken = set()  # no index: a title said twice is better than no branch
    return branch_title(base, taken | {source.display_title})
