"""Interrupted runs leave nothing behind (issue 13): worker processes end with their parent,
spool folders of killed runs are removed by the next run, and bulk-load scraps by the next
open of the store."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lod.converter.spools import PREFIX, make_spool, remove_dead_spools
from lod.store import open_store
from tests.paths import ROOT

LOD = [sys.executable, "-m", "lod"]


def synthetic_input(path: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import records  # type: ignore[import-not-found]

    with path.open("w", encoding="utf-8") as out:
        for rec in records(n, seed=7):
            out.write(json.dumps(rec) + "\n")
    return path


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            found.update(int(c) for c in (task / "children").read_text().split())
    return found


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def dead_pid() -> int:
    """The id of a process that has ended (and was reaped)."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """21 MB of JSON Lines: over the size from which worker processes convert."""
    return synthetic_input(tmp_path_factory.mktemp("big") / "big.jsonl", 20_000)


@pytest.mark.parametrize("command", ["convert", "load"])
def test_workers_die_with_their_parent(tmp_path: Path, big_input: Path, command: str) -> None:
    where = ["-o", str(tmp_path / "out.nt")] if command == "convert" else [
        "--store", str(tmp_path / "store")]
    parent = subprocess.Popen([*LOD, command, "-q", "-j", "2", str(big_input), *where],
                              stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: len(children(parent.pid)) >= 2, 60), "no workers started"
        workers = children(parent.pid)
        spools = list(Path("/dev/shm").glob(f"{PREFIX}{parent.pid}-*"))
        assert parent.poll() is None, "the run finished before it could be killed"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert wait_for(lambda: not any(running(w) for w in workers), 5), \
        f"workers still running: {[w for w in workers if running(w)]}"
    if command == "convert":  # N-Triples output: the workers spool what they encode
        assert spools and all(p.exists() for p in spools)  # left by the kill
        remove_dead_spools(Path("/dev/shm"))  # what the next parallel run does first
        assert not any(p.exists() for p in spools)


def test_only_the_spools_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f"{PREFIX}{dead_pid()}-abc"
    live = tmp_path / f"{PREFIX}{os.getpid()}-def"
    unowned = tmp_path / f"{PREFIX}xyz"  # an older lod's name: no owner to ask about
    for folder in (dead, live, unowned):
        folder.mkdir()
        (folder / "0.part").write_bytes(b"x")
    made = Path(make_spool(str(tmp_path)))
    assert made.name.startswith(f"{PREFIX}{os.getpid()}-")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, unowned.name, made.name])


def test_bulk_load_scraps_are_removed_when_the_store_is_opened(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with open_store(store_dir=store, create=True):
        pass
    scraps = [store / "bulk-0001.sst", store / "bulk-9f2e.sst"]
    for scrap in scraps:
        scrap.write_bytes(b"not ingested")
    with open_store(store_dir=store) as opened:
        assert opened.triple_count() == 0
    assert not any(scrap.exists() for scrap in scraps)


def test_a_load_killed_mid_bulk_leaves_no_scraps_after_the_next_run(tmp_path: Path) -> None:
    source = synthetic_input(tmp_path / "in.jsonl", 3000)
    store = tmp_path / "store"
    args = [*LOD, "load", str(source), "-q", "-j", "1", "--store", str(store)]
    victim = subprocess.Popen(args, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: any(store.glob("bulk-*.sst")), 60)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert list(store.glob("bulk-*.sst")) == []
