"""Split a batch between the CPU cores with plain threads that sleep, never spin, when idle.

Why not an OpenMP pool (or two OpenBLAS threads): those spin-wait for each other, so when another
process keeps one core busy every parallel region waits for a descheduled thread and the whole
computation collapses (10-250x measured on a 2-core machine). Here the work is cut into more
chunks than there are threads and every thread, the caller included, takes the next chunk until
none are left: a thread that is late (its core busy) simply takes fewer chunks, and the caller
waits only for chunks that were actually started. The chunk functions must release the GIL for
their heavy part (numba ``nogil`` kernels, NumPy's BLAS calls), which is also what keeps the GUI
thread responsive while a worker thread trains.

Threads start on first use (importing this module starts nothing). ``CNNVIZ_THREADS=N`` caps the
number of threads (1: everything runs in the calling thread).
"""

from __future__ import annotations

import functools
import itertools
import os
import queue
import threading
import time

__all__ = ["run_chunks", "thread_count", "chunk_bounds", "split"]

CHUNKS_PER_THREAD = 4  # enough for a late thread (its core busy elsewhere) to take fewer

_lock = threading.Lock()
_tasks: queue.SimpleQueue | None = None
_workers: list[threading.Thread] = []


@functools.lru_cache(maxsize=1)
def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def thread_count() -> int:
    """Threads a batch is split between: the CPUs this process may use, or ``CNNVIZ_THREADS``."""
    cpus = _cpus()
    try:
        wanted = int(os.environ.get("CNNVIZ_THREADS", cpus))
    except ValueError:
        wanted = cpus
    return max(1, min(cpus, wanted, 8))


class _Job:
    """One call of :func:`run_chunks`: the chunks, who takes the next one, and how many are done."""

    __slots__ = ("fn", "bounds", "next", "left", "done", "error", "lock")

    def __init__(self, fn, bounds):
        self.fn, self.bounds = fn, bounds
        self.next = itertools.count()  # next() is atomic under the GIL
        self.left = len(bounds)
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.lock = threading.Lock()

    def work(self) -> None:
        """Run chunks until none are left; the thread finishing the last one sets ``done``."""
        n = len(self.bounds)
        while (i := next(self.next)) < n:
            try:
                if self.error is None:
                    self.fn(*self.bounds[i])
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                self.error = exc
            with self.lock:
                self.left -= 1
                if self.left == 0:
                    self.done.set()


def _worker(tasks: queue.SimpleQueue) -> None:
    while True:
        job = tasks.get()
        if job is None:
            return
        job.work()


def _ensure_workers(count: int) -> queue.SimpleQueue:
    global _tasks
    with _lock:
        if _tasks is None:
            _tasks = queue.SimpleQueue()
        while len(_workers) < count:
            t = threading.Thread(target=_worker, args=(_tasks,), daemon=True,
                                 name=f"cnnviz-kernels-{len(_workers) + 1}")
            t.start()
            _workers.append(t)
        return _tasks


def chunk_bounds(n: int, per_chunk: int) -> list[tuple[int, int]]:
    """``[(0, k), (k, 2k), ...]`` covering ``range(n)`` in pieces of at most ``per_chunk``."""
    per_chunk = max(1, per_chunk)
    return [(lo, min(n, lo + per_chunk)) for lo in range(0, n, per_chunk)]


def split(n: int, item_cost: int, min_cost: int = 1 << 16) -> list[tuple[int, int]]:
    """Bounds for ``n`` items of ``item_cost`` each: about :data:`CHUNKS_PER_THREAD` chunks per
    thread, none cheaper than ``min_cost`` (handing a chunk to a thread has a price), so a small
    job is one chunk and runs in the calling thread."""
    most = max(1, n * item_cost // max(min_cost, 1))
    if most == 1 or n == 1:
        return [(0, n)]
    chunks = min(n, most, CHUNKS_PER_THREAD * thread_count())
    return chunk_bounds(n, -(-n // max(chunks, 1)))


def run_chunks(fn, bounds: list[tuple[int, int]]) -> None:
    """Call ``fn(lo, hi)`` for every pair of ``bounds``, spread over :func:`thread_count` threads.

    The chunks must be independent (they write disjoint parts of the output). Returns when every
    chunk has run; the first exception raised by a chunk is raised here.
    """
    helpers = 0 if len(bounds) == 1 else min(thread_count(), len(bounds)) - 1
    if helpers <= 0 or time.monotonic() < _alone["until"]:
        for lo, hi in bounds:
            fn(lo, hi)
        return
    job = _Job(fn, bounds)
    tasks = _ensure_workers(helpers)
    for _ in range(helpers):
        tasks.put(job)
    t0 = time.monotonic()
    job.work()
    t1 = time.monotonic()
    job.done.wait()
    _note_wait(time.monotonic() - t1, t1 - t0)
    if job.error is not None:
        raise job.error


# While helpers keep arriving late, the caller works alone for a while, then tries again.
_alone = {"until": 0.0, "late": 0}
LATE_FOR = 0.5  # seconds of working alone after helpers were late twice in a row


def _note_wait(waited: float, worked: float) -> None:
    """Count regions where the caller waited for a helper longer than it worked itself.

    That happens when another process holds the helper's core: the helper is descheduled in the
    middle of its chunk and the region waits for a whole scheduler slice. Twice in a row, and the
    next :data:`LATE_FOR` seconds run in the calling thread alone (one core at full speed beats
    two that keep waiting for each other); then both are tried again.
    """
    if waited > max(worked, 2e-4):
        _alone["late"] += 1
        if _alone["late"] >= 2:
            _alone["until"] = time.monotonic() + LATE_FOR
            _alone["late"] = 0
    else:
        _alone["late"] = 0
