"""The first bytes an input is judged by (its form, whether it is JSON Lines worth converting in
worker processes) are DETECT_BYTES long, whatever the buffer a stream comes with: real records
run to 5-45 KB a line, and a JSON Lines file judged by its first 4 KB was converted in one
process with ``-j 2``."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from lod.converter.pipeline import PARALLEL_MIN_BYTES, _worth_parallel
from lod.readers import DETECT_BYTES, open_inputs
from lod.readers.harmony_json import looks_like_json_lines


def _record(i: int) -> str:
    return json.dumps({"dataset_schema": {"@type": "Dataset", "name": f"Study {i}",
                                          "description": f"Study {i}. " + "A long description. " * 1000},
                       "extra_data": {"uuid": f"u-{i}"}}) + "\n"


def _write(path: Path, size: int) -> bytes:
    lines = []
    total = 0
    i = 0
    while total < size:
        lines.append(_record(i))
        total += len(lines[-1])
        i += 1
    data = "".join(lines).encode()
    path.write_bytes(data)
    return data


def test_a_file_a_gzip_file_and_stdin_are_judged_by_their_first_64_kib(tmp_path: Path) -> None:
    data = _write(tmp_path / "studies.jsonl", 3 * DETECT_BYTES)
    assert len(_record(0)) > 16 * 1024  # longer than any default buffer
    (tmp_path / "studies.jsonl.gz").write_bytes(gzip.compress(data))
    for path, stdin in ((str(tmp_path / "studies.jsonl"), None),
                        (str(tmp_path / "studies.jsonl.gz"), None),
                        ("-", io.BytesIO(data))):
        for file in open_inputs([path], stdin=stdin):
            assert file.head == data[:DETECT_BYTES], path
            assert file.form == "harmony", path
            assert looks_like_json_lines(file.head), path
            assert file.stream.read() == data, path  # judging it consumed nothing


def test_a_big_json_lines_file_of_long_records_goes_to_worker_processes(tmp_path: Path) -> None:
    _write(tmp_path / "big.jsonl", PARALLEL_MIN_BYTES)
    _write(tmp_path / "small.jsonl", DETECT_BYTES)
    decisions = {Path(f.path).name: _worth_parallel(f)
                 for f in open_inputs([str(tmp_path / "big.jsonl"), str(tmp_path / "small.jsonl")])}
    assert decisions == {"big.jsonl": True, "small.jsonl": False}
