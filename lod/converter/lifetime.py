"""Worker processes that end with the process that started them.

A worker of a process pool sleeps in a pipe read between tasks; if its parent is killed
(``kill -9``, or any signal that skips Python's clean-up) nothing tells it to stop, and it
lives on under PID 1. On Linux the kernel can send it a signal when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process (SIGKILL) when its parent dies; if the parent
    already died before the request was made (the race prctl leaves open), exit now."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not allowed here (a sandbox): the worker then ends when its pipe closes
    if os.getppid() != parent_pid:
        os._exit(1)
