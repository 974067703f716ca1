"""What an interrupted bulk load leaves in an embedded store's folder.

pyoxigraph's bulk loader writes its index files as ``bulk-*.sst`` in the store folder and
then hands them to RocksDB; a process killed in between leaves them behind, unused. Only a
process holding the store's lock (so no other load is running) removes them.
"""

from __future__ import annotations

from pathlib import Path


def remove_bulk_scraps(folder: Path) -> int:
    """Remove ``bulk-*.sst`` files from the store ``folder``; how many were removed."""
    removed = 0
    for scrap in folder.glob("bulk-*.sst"):
        try:
            scrap.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
