"""Diagnostics for the app under a benchmark (``PYTHONPATH=$PWD/benchmarks/diagnostics
BENCH_SLOWLOG=FILE``; terminal.py passes both on): a heartbeat task on the event loop logs to
FILE every lag over 55 ms, with the loop callbacks over 3 ms that ran meanwhile, the
garbage-collector pauses, and inclusive sample counts of the main thread's functions (a
sampler thread, every 2 ms). FILE.keys gets the time each z/backspace key reached the driver
and the app, each driver write and each write to the terminal, and every batch of screen
updates over 30 ms. ``show_lags.py N`` and ``split_keys.py N`` read /tmp/stallN.log and
/tmp/keysN.log (BENCH_KEYLOG) and line them up with the keys. Times are perf_counter, the
same clock as the benchmark's."""
import os
import sys

_OUT = os.environ.get("BENCH_SLOWLOG")
if _OUT and ("claude-tui" in sys.argv[0] or "claude_tui" in " ".join(sys.argv)):
    import asyncio
    import asyncio.events
    import collections
    import gc
    import threading
    import time

    _f = open(_OUT, "a", buffering=1)
    _main = threading.main_thread().ident
    _handles = collections.deque(maxlen=4000)  # (start, dur, label)
    _samples = collections.deque(maxlen=20000)  # (time, tuple of frames)
    _gcs = collections.deque(maxlen=500)
    _orig = asyncio.events.Handle._run
    _cur = {"t": 0.0}

    def _label(h):
        cb = h._callback
        task = getattr(cb, "__self__", None)
        if isinstance(task, asyncio.Task):
            coro = task.get_coro()
            return "task " + getattr(coro, "__qualname__", repr(coro))
        return getattr(cb, "__qualname__", repr(cb))[:120]

    def _run(self):
        start = time.perf_counter()
        _cur["t"] = start
        try:
            return _orig(self)
        finally:
            end = time.perf_counter()
            _cur["t"] = 0.0
            if end - start > 0.003:
                _handles.append((start, end - start, _label(self)))

    asyncio.events.Handle._run = _run

    def _watch():
        while True:
            time.sleep(0.002)
            if not _cur["t"]:
                continue
            frame = sys._current_frames().get(_main)
            frames = []
            while frame is not None:
                co = frame.f_code
                fn = co.co_filename
                short = fn.rsplit("site-packages/", 1)[-1].rsplit("wt-stall/", 1)[-1]
                frames.append(f"{short}:{co.co_name}:{frame.f_lineno}")
                frame = frame.f_back
            _samples.append((time.perf_counter(), tuple(frames)))

    threading.Thread(target=_watch, daemon=True, name="stallwatch").start()

    _gc = {}
    def _gccb(phase, info):
        if phase == "start":
            _gc["t"] = time.perf_counter()
        else:
            d = time.perf_counter() - _gc.get("t", time.perf_counter())
            if d > 0.005:
                _gcs.append((_gc["t"], d, info["generation"]))
    gc.callbacks.append(_gccb)

    def _report(t0, t1):
        _f.write(f"\n=== LAG {(t1 - t0) * 1000:.0f} ms from {t0:.4f} to {t1:.4f}\n")
        hs = [h for h in _handles if h[0] + h[1] > t0 and h[0] < t1]
        tot = sum(h[1] for h in hs)
        _f.write(f"handles >3ms: {len(hs)}, sum {tot * 1000:.0f} ms\n")
        for s, d, lab in hs:
            _f.write(f"  {s:.4f} {d * 1000:6.0f} ms {lab}\n")
        for s, d, g in _gcs:
            if s + d > t0 and s < t1:
                _f.write(f"  GC gen{g} {d * 1000:.0f} ms at {s:.4f}\n")
        ss = [fr for t, fr in _samples if t0 <= t <= t1]
        inc = collections.Counter()
        for fr in ss:
            seen = set()
            for x in fr:
                key = x.rsplit(":", 1)[0]
                if key not in seen:
                    seen.add(key)
                    inc[key] += 1
        _f.write(f"samples: {len(ss)} (2 ms each)\n")
        for key, n in inc.most_common(60):
            if any(s in key for s in ("asyncio/", "sitecustomize", "<module>", "runners.py",
                                      "cli.py", "app.py:run", "threading.py")):
                continue
            _f.write(f"  {n:5d} {key}\n")

    async def _beat():
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            if now - t > 0.055:
                threading.Timer(0.01, _report, (t, now)).start()

    _orig_new = asyncio.new_event_loop
    _started = {"done": False}
    def _hook_loop():
        # start the heartbeat inside the first loop run
        loop = _orig_new()
        loop.call_soon(lambda: loop.create_task(_beat()))
        return loop
    asyncio.new_event_loop = _hook_loop
    import asyncio.runners
    asyncio.runners.events.new_event_loop = _hook_loop
    _f.write(f"# started pid {os.getpid()} at {time.perf_counter():.4f}\n")

if _OUT and ("claude-tui" in sys.argv[0] or "claude_tui" in " ".join(sys.argv)):
    import textual.app as _tapp
    import textual.drivers.linux_driver as _ld
    import textual.drivers._writer_thread as _wt
    from textual import events as _ev
    _klog = open(_OUT + ".keys", "a", buffering=1)
    _pm = _ld.LinuxDriver.process_message

    def _process_message(self, message):
        if isinstance(message, _ev.Key) and message.key in ("z", "backspace"):
            _klog.write(f"in {time.perf_counter():.4f} {message.key}\n")
        return _pm(self, message)
    _ld.LinuxDriver.process_message = _process_message
    _oe = _tapp.App.on_event

    async def _on_event(self, event):
        if isinstance(event, _ev.Key) and event.key in ("z", "backspace"):
            _klog.write(f"app {time.perf_counter():.4f} {event.key}\n")
        return await _oe(self, event)
    _tapp.App.on_event = _on_event
    _w = _ld.LinuxDriver.write

    def _write(self, data):
        _klog.write(f"w {time.perf_counter():.4f} {len(data)}\n")
        return _w(self, data)
    _ld.LinuxDriver.write = _write
    _tw = _wt.WriterThread.run

    def _trun(self):
        real = self._file
        orig_write = real.write

        class F:
            def __getattr__(s, n):
                return getattr(real, n)

            def write(s, text):
                r = orig_write(text)
                _klog.write(f"out {time.perf_counter():.4f} {len(text)}\n")
                return r
        self._file = F()
        return _tw(self)
    _wt.WriterThread.run = _trun

if _OUT and ("claude-tui" in sys.argv[0] or "claude_tui" in " ".join(sys.argv)):
    _bb, _eb = _tapp.App._begin_batch, _tapp.App._end_batch
    _bstate = {}

    def _begin(self):
        if self._batch_count == 0:
            _bstate["t"] = time.perf_counter()
        return _bb(self)

    def _end(self):
        r = _eb(self)
        if self._batch_count == 0 and "t" in _bstate:
            d = time.perf_counter() - _bstate["t"]
            if d > 0.03:
                _klog.write(f"batch {_bstate['t']:.4f} {d * 1000:.0f}\n")
        return r
    _tapp.App._begin_batch, _tapp.App._end_batch = _begin, _end
