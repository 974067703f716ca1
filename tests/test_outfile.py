"""lod.output.files: big outputs written with O_DIRECT give the same bytes as ordinary writing."""

from __future__ import annotations

import mmap
import os
import random
import threading
from pathlib import Path

import pytest

from lod.output.files import DirectOutput, output_file

PAGE = mmap.PAGESIZE


def _pieces(seed: int) -> list[bytes]:
    rng = random.Random(seed)
    sizes = [0, 1, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE + 7] + [rng.randint(0, 5 * PAGE) for _ in range(40)]
    return [bytes(rng.getrandbits(8) for _ in range(size)) for size in sizes]


def _open_flags(fd: int) -> int:
    with open(f"/proc/self/fdinfo/{fd}") as f:
        return next(int(line.split()[1], 8) for line in f if line.startswith("flags:"))


@pytest.mark.parametrize("direct", [True, False])
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_direct_output_writes_exactly_what_it_was_given(tmp_path: Path, direct: bool, kind: type) -> None:
    pieces = _pieces(7)
    path = tmp_path / "out.nt"
    with DirectOutput(str(path), direct=direct, buffer_bytes=2 * PAGE) as out:
        for piece in pieces:
            assert out.write(kind(piece)) == len(piece)
    assert path.read_bytes() == b"".join(pieces)


def test_direct_output_uses_o_direct_where_the_file_system_allows(tmp_path: Path) -> None:
    """The point of the class: whole buffers bypass the page cache."""
    try:
        os.close(os.open(tmp_path / "probe", os.O_WRONLY | os.O_CREAT | os.O_DIRECT))
    except OSError:
        pytest.skip("the temp folder's file system refuses O_DIRECT")
    out = DirectOutput(str(tmp_path / "out.nt"), buffer_bytes=PAGE)
    try:
        assert _open_flags(out._fd) & os.O_DIRECT
        out.write(b"x" * (PAGE + 10))  # one whole buffer written directly, 10 bytes held
        assert _open_flags(out._fd) & os.O_DIRECT
    finally:
        out.close()
    assert (tmp_path / "out.nt").read_bytes() == b"x" * (PAGE + 10)


def test_direct_output_replaces_what_the_file_held(tmp_path: Path) -> None:
    path = tmp_path / "out.nt"
    path.write_bytes(b"old content " * 10_000)
    with DirectOutput(str(path), buffer_bytes=PAGE) as out:
        out.write(b"new")
    assert path.read_bytes() == b"new"
    with DirectOutput(str(path)):
        pass
    assert path.read_bytes() == b""


def test_output_file_writes_other_kinds_of_file_the_ordinary_way(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    with output_file(str(fifo)) as out:
        assert not isinstance(out, DirectOutput)
        out.write(b"through a pipe\n")
    reader.join(timeout=10)
    assert received == [b"through a pipe\n"]
    with output_file(str(tmp_path / "new.nt")) as out:
        assert isinstance(out, DirectOutput)
