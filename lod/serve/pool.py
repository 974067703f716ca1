"""A small pool of query worker processes (:mod:`lod.serve.worker`) with a time limit that
really stops a query: a worker still busy at the deadline is killed (its CPU freed at once)
and a fresh one takes its place.

Jobs and answers cross a pipe; the server waits for an answer on the event loop (the pipe's
file descriptor, not a thread), so waiting costs nothing while the worker computes.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from lod.serve import worker
from lod.serve.jobs import Answer, Job, error

_CONTEXT = multiprocessing.get_context("spawn")  # no fork of a threaded server


class _Worker:
    def __init__(self) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(
            target=worker.main, args=(child,), daemon=True, name="lod-query-worker"
        )
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class WorkerPool:
    """``size`` worker processes; :meth:`run` sends a job to an idle one."""

    def __init__(self, size: int = 2) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self.restarts = 0

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            w = _Worker()
            self._all.add(w)
            self._idle.put_nowait(w)

    def pids(self) -> set[int]:
        """The worker processes' ids (for tests and monitoring)."""
        return {w.process.pid for w in self._all if w.process.pid is not None}

    def close(self) -> None:
        for w in list(self._all):
            w.stop()
        self._all.clear()

    async def run(self, location: str, generation: str, job: Job, timeout: float) -> Answer:
        """The answer to ``job`` read from ``location``, or 503 past ``timeout`` seconds
        (waiting for an idle worker counts too)."""
        if self._idle is None:
            raise RuntimeError("the worker pool is not started")
        deadline = time.monotonic() + timeout
        try:
            w = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            return error(503, f"the server is busy: no query worker was free within {timeout:g} s; "
                              "try again later")
        answered = False
        try:
            w.conn.send((location, generation, job))
            left = max(0.0, deadline - time.monotonic())
            answer = await asyncio.wait_for(_receive(w.conn), left)
            answered = True
        except TimeoutError:
            return error(503, f"the query took longer than the server's time limit ({timeout:g} s) "
                              "and was stopped; simplify it or add a LIMIT")
        except (EOFError, OSError):
            return error(500, "the query worker stopped unexpectedly (out of memory?); "
                              "it was restarted")
        finally:
            # A worker whose answer was not read (time limit, a crash, or this request being
            # cancelled) may still be computing, or hold a stale answer: it never runs again.
            if not answered:
                w = self._replace(w)
            self._idle.put_nowait(w)
        return answer

    def _replace(self, old: _Worker) -> _Worker:
        old.stop()
        self._all.discard(old)
        new = _Worker()
        self._all.add(new)
        self.restarts += 1
        return new


async def _receive(conn: Connection) -> Answer:
    """The next message on ``conn``, waiting on the event loop for it to be readable."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await ready
    finally:
        loop.remove_reader(fd)
    answer = conn.recv()
    if not isinstance(answer, Answer):
        raise EOFError("unexpected message from a query worker")
    return answer
