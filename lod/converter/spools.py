"""Spool folders of the parallel converter (``lod-convert-<pid>-*``): made with the owner's
process id in the name, so that a run can remove the folders of runs that were killed
(their process no longer exists) and never touches a live run's."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "lod-convert-"
_OWNED = re.compile(rf"^{PREFIX}(\d+)-")


def make_spool(folder: str | None) -> str:
    """A new spool folder in ``folder`` (None: the temporary folder), after removing what
    killed runs left there."""
    remove_dead_spools(Path(folder or tempfile.gettempdir()))
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=folder)


def remove_dead_spools(folder: Path) -> list[Path]:
    """Remove the spool folders in ``folder`` whose owning process is gone; the removed ones."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        owner = _OWNED.match(entry.name)
        if owner and entry.is_dir() and not entry.is_symlink() and not _alive(int(owner.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
