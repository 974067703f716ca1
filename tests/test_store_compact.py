"""Compaction of the embedded store after bulk loads: each ``bulk_load`` adds sorted files
that every read consults until RocksDB merges them, so lod compacts once a big load ends.
It must change no data, run only when bulk loads wrote files, and be skippable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.converter.parallel import ConverterSpec
from lod.errors import StoreError
from lod.harvest import FetchPolicy, HarvestOptions, harvest
from lod.store import loading
from lod.store.embedded import EmbeddedStore
from tests.harvest_server import serve
from tests.paths import HARVEST
from tests.test_queries import BASE, corpus_files
from tests.test_store_trusted import fresh_batch


def files(path: Path) -> int:
    return len(list(path.glob("*.sst")))


def bulk_batches(store: EmbeddedStore, batches: int) -> None:
    store.bulk_threshold = 0
    for batch in range(batches):
        data, names = fresh_batch(batch, 40)
        store.replace_graphs(data, names, trusted=True)


def test_compaction_merges_the_files_of_bulk_loads_and_keeps_the_data(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        bulk_batches(store, 12)
        before = {name: store.triple_count(name) for name in store.graphs()}
        count = files(store.path)
        seconds = store.compact()
        assert seconds is not None and seconds >= 0
        assert files(store.path) < count
        assert {name: store.triple_count(name) for name in store.graphs()} == before
        assert len(before) == 12 * 40
        assert store.compact() is None  # nothing new since


def test_transactions_alone_need_no_compaction(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        store.bulk_threshold = 10**12
        data, names = fresh_batch(0, 10)
        store.replace_graphs(data, names, trusted=True)
        store.replace_graphs(data, names)
        assert store.compact() is None


def test_a_read_only_store_refuses_to_compact(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        bulk_batches(store, 1)
    with EmbeddedStore(tmp_path / "store", read_only=True) as store, \
            pytest.raises(StoreError, match="read-only"):
        store.compact()


@pytest.mark.parametrize("compact", [True, False])
def test_a_load_compacts_unless_told_not_to(tmp_path: Path, compact: bool) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        store.bulk_threshold = 0
        report = loading.load(store, corpus_files(), ConverterSpec(BASE), batch_triples=200,
                              on_problem=lambda p, rejected: None, compact=compact)
        assert report.batches > 1
        if compact:
            assert report.compaction is not None and "compacting took" in report.line()
        else:
            assert report.compaction is None and "compacting" not in report.line()
            assert store.compact() is not None  # the bulk loads' files are still there


def test_a_harvest_compacts_after_its_bulk_loads(tmp_path: Path) -> None:
    for server in serve():
        for n in (1, 2, 3):
            server.file(f"/ckan/catalog.xml?page={n}", HARVEST / f"ckan/page{n}.rdf",
                        "application/rdf+xml")
        with EmbeddedStore(tmp_path / "store") as store:
            # The harvest writes its datasets in one payload of 49 kB, its facet summary in
            # one of 11 kB: only the first is a bulk load.
            store.bulk_threshold = 20_000
            report = harvest(store, [server.base + "/ckan/catalog.xml?page=1"], HarvestOptions(
                policy=FetchPolicy(allow_private=True, timeout=10)))
            assert report.added == 5
            assert store.compact() is None  # the harvest did it


def test_lod_compact_merges_what_an_earlier_process_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with EmbeddedStore(folder) as store:
        bulk_batches(store, 12)
        before = {name: store.triple_count(name) for name in store.graphs()}
    count = files(folder)
    result = CliRunner().invoke(cli, ["compact", "--store", str(folder)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"lod: compacted {re.escape(str(folder))}: {count} files to \d+, "
                        r"[\d.,]+ MB to [\d.,]+ MB in [\d.]+ s\n", result.stderr)
    assert files(folder) < count
    with EmbeddedStore(folder, create=False) as store:
        assert {name: store.triple_count(name) for name in store.graphs()} == before


@pytest.mark.parametrize(("args", "message"), [
    (["--store", "{tmp}/absent"], "lod: error: no store at {tmp}/absent; lod load creates one\n"),
    (["--endpoint", "http://127.0.0.1:9/sparql"],
     "lod: error: lod compact is for the embedded store (--store); "
     "a SPARQL server compacts its own files\n"),
])
def test_lod_compact_refuses_what_it_cannot_compact(tmp_path: Path, args: list[str],
                                                   message: str) -> None:
    result = CliRunner().invoke(cli, ["compact", *(a.format(tmp=tmp_path) for a in args)])
    assert result.exit_code == 2
    assert result.stderr == message.format(tmp=tmp_path)
