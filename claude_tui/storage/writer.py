"""The one writer: every write to a conversation file and to the index runs on one thread.

Writes happen in the order they were asked for, off the event loop. A write still waiting when
a newer one for the same file arrives is dropped in favour of the newer (each write holds the
whole file), so a burst of saves costs one write; every caller still learns the outcome.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

log = logging.getLogger(__name__)

Work = Callable[[], Any]
# How long the thread waits for more work before it ends.
IDLE_SECONDS = 2.0
# The pause that hands the interpreter to the event loop's thread (see GivingWay).
GIVE_WAY_SECONDS = 0.00005


class _Job:
    __slots__ = ("futures", "work")

    def __init__(self, work: Work) -> None:
        self.work = work
        self.futures: list[Future[Any]] = []


class Writer:
    """A queue of write jobs and the daemon thread that runs them."""

    def __init__(self, name: str = "claude-tui-writer") -> None:
        self._name = name
        self._cond = threading.Condition()
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._busy = False
        self._thread: threading.Thread | None = None
        _ALL.add(self)

    def submit(self, key: str, work: Work) -> Future[Any]:
        """Run ``work`` on the writer thread; a job of the same ``key`` not yet started is
        replaced by this one, and its caller gets this one's outcome."""
        future: Future[Any] = Future()
        with self._cond:
            job = self._jobs.get(key)
            if job is None:
                job = _Job(work)
                self._jobs[key] = job
            else:
                job.work = work  # the newer snapshot holds everything the older one did
            job.futures.append(future)
            self._start()
            self._cond.notify_all()
        return future

    @property
    def name(self) -> str:
        """The name its thread runs under."""
        return self._name

    def on_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every job asked for so far is done. False if ``timeout`` ran out."""
        if self.on_thread():
            return False  # a job waiting for the queue it runs in would wait for ever
        with self._cond:
            return self._cond.wait_for(lambda: not self._jobs and not self._busy, timeout)

    @property
    def idle(self) -> bool:
        with self._cond:
            return not self._jobs and not self._busy

    def _start(self) -> None:  # with self._cond held
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: bool(self._jobs), IDLE_SECONDS):
                    # Idle: the thread goes (and with it its index connection); the next
                    # job starts another. Many stores in one process keep no threads.
                    self._thread = None
                    return
                _key, job = self._jobs.popitem(last=False)
                self._busy = True
            try:
                result = job.work()
            except BaseException as exc:
                for future in job.futures:
                    future.set_exception(exc)
            else:
                for future in job.futures:
                    future.set_result(result)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


class GivingWay:
    """For a job that works through many files: now and then a real pause, so the event loop's
    thread gets the interpreter.

    Such a job makes a system call or two per file (a stat, an open, an SQLite step), each of
    which lets go of the GIL and takes it back at once. Every release wakes the thread waiting
    for the GIL, which finds it taken again and starts its wait over, so it never gets to ask
    for its turn (CPython's convoy effect): listing 1,000 conversation files for the index kept
    the event loop waiting up to 17 ms. A pause of a fraction of a millisecond after each
    switch interval of work (the interpreter's own measure of a fair turn) hands it over."""

    __slots__ = ("_since",)

    def __init__(self) -> None:
        self._since = time.perf_counter()

    def __call__(self) -> None:
        if time.perf_counter() - self._since >= sys.getswitchinterval():
            time.sleep(GIVE_WAY_SECONDS)
            self._since = time.perf_counter()


_ALL: weakref.WeakSet[Writer] = weakref.WeakSet()


def flush_all(timeout: float = 30) -> None:
    """Wait for every writer in this process to finish what it was asked to write."""
    for writer in list(_ALL):
        with contextlib.suppress(Exception):
            writer.flush(timeout=timeout)


# The threads are daemons so that a hung disk cannot keep the process alive for ever; at a
# normal exit, what was asked to be written is written first.
atexit.register(flush_all)
