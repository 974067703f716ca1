"""Immutable snapshots of the embedded store, so that a server can read it while ``lod load``
or ``lod delete`` writes it (RocksDB lets one process write; a read-only handle opened
beside a writer may read a half-changed store).

A store has snapshots once a reader asks for them by creating ``<store>/snapshots/``
(``lod serve`` does). From then on every writer, after each commit, publishes one:
``pyoxigraph.Store.backup`` (a RocksDB checkpoint: hard links, cheap) into
``snapshots/<n>``, then the file ``snapshots/CURRENT`` is replaced atomically with ``n``.
Readers follow ``CURRENT`` and open the snapshot read-only; nobody writes a snapshot after it
is published. Snapshots older than the two newest are removed once they are
:data:`GRACE_SECONDS` old, so a reader still on one has time to move on.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pyoxigraph as ox

FOLDER = "snapshots"
POINTER = "CURRENT"
GRACE_SECONDS = 60.0
KEEP = 2


def enable(store_dir: Path) -> bool:
    """Ask the store's writers to publish snapshots; False if the folder cannot be made."""
    try:
        (store_dir / FOLDER).mkdir(exist_ok=True)
    except OSError:
        return False
    return True


def enabled(store_dir: Path) -> bool:
    return (store_dir / FOLDER).is_dir()


def current(store_dir: Path) -> Path | None:
    """The newest published snapshot, or None when there is none."""
    try:
        name = (store_dir / FOLDER / POINTER).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    path = store_dir / FOLDER / name
    return path if name.isdigit() and path.is_dir() else None


def publish(store: ox.Store, store_dir: Path, *, grace: float = GRACE_SECONDS) -> Path:
    """Write a snapshot of ``store`` (open on ``store_dir``) and make it the current one."""
    folder = store_dir / FOLDER
    numbers = _numbers(folder)
    target = folder / f"{(max(numbers) if numbers else 0) + 1:010d}"
    store.backup(str(target))
    tmp = folder / (POINTER + ".tmp")
    tmp.write_text(target.name + "\n", encoding="ascii")
    os.replace(tmp, folder / POINTER)
    _prune(folder, grace)
    return target


def _numbers(folder: Path) -> list[int]:
    return [int(p.name) for p in folder.iterdir() if p.name.isdigit()]


def _prune(folder: Path, grace: float) -> None:
    names = sorted((p for p in folder.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    now = time.time()
    for old in names[:-KEEP]:
        try:
            if now - old.stat().st_mtime >= grace:
                shutil.rmtree(old)
        except OSError:
            pass  # another writer pruned it first, or it is still in use: next time
