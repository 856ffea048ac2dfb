"""Everything the app keeps on disk, one job per module.

- ``store.py``: ``ConversationStore``, the conversation files and the only way to change them
- ``atomic.py``, ``writer.py``: crash-safe writes, all on one thread off the event loop
- ``file_format.py``, ``reading.py``: a file's bytes; reading one, and the errors in plain words
- ``index.py``, ``refresh.py``: the derived SQLite index, and bringing it in step with the files
- ``sync.py``: a file changed elsewhere (a sync tool, a hand edit): nobody's messages are lost
- ``session.py``: the open tabs and their drafts (``tabs.json``)
- ``data_lock.py``: one running claude-tui per data folder
"""
