"""Hostile input (issue 13): entity and gzip bombs, deep nesting, remote contexts, and RDF
inputs for validate and load read the way convert reads its inputs. Bombs run in a subprocess
whose address space is capped at 1 GiB: the bound is measured, not assumed."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from lod.cli import cli
from lod.store import open_store
from lod.store import rdffiles as rdfload
from tests.hostile import gzip_bomb, run_capped

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def lod(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def laughs(levels: int) -> str:
    """RDF/XML whose one literal expands to 30 * 10**levels characters."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "]>\n"
            f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">\n'
            f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&lol{levels};</ex:p>'
            "</rdf:Description>\n</rdf:RDF>\n")


def study_line(ident: str, **dataset: object) -> str:
    return json.dumps({"dataset_schema": {"name": "A study", **dataset},
                       "extra_data": {"harmony_id": ident}})


# -- RDF/XML billion laughs ----------------------------------------------------------------------

def test_an_entity_bomb_is_refused_by_validate_under_a_memory_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "lol.rdf"
    bomb.write_text(laughs(9))  # 30 GB expanded
    result = run_capped("validate", str(bomb), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"lod: error: {bomb}:3: unsafe XML refused: a DOCTYPE that declares entities "
        "(lod never expands XML entities)"]


def test_an_entity_bomb_is_refused_by_load_and_nothing_is_stored(tmp_path: Path) -> None:
    bomb = tmp_path / "lol.rdf"
    bomb.write_text(laughs(9))
    store = tmp_path / "store"
    result = run_capped("load", "--store", str(store), str(bomb), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"lod: rejected: {bomb}:3: unsafe XML refused" in result.stderr
    assert "Traceback" not in result.stderr
    with open_store(store_dir=store) as opened:
        assert [g for g in opened.graphs() if g.startswith("file:")] == []


def test_rdf_xml_without_entities_still_loads(tmp_path: Path) -> None:
    plain = tmp_path / "plain.rdf"
    plain.write_text(f'<?xml version="1.0"?>\n<!-- <!ENTITY in a comment is harmless> -->\n'
                     f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">'
                     '<rdf:Description rdf:about="http://example.org/s"><ex:p>v</ex:p>'
                     "</rdf:Description></rdf:RDF>\n")
    result = lod("validate", str(plain))
    assert result.exit_code == 0, result.output
    assert "(1 triple," in result.stdout


# -- gzip bombs ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "json": gzip_bomb(folder / "bomb.json.gz", b'{"dataset_schema": {"name": "', b'"}}\n'),
        "xml": gzip_bomb(folder / "bomb.xml.gz", b"<codeBook><stdyDscr><citation><titlStmt><titl>",
                         b"</titl></titlStmt></citation></stdyDscr></codeBook>\n"),
    }


@pytest.mark.parametrize("command", ["convert", "load"])
@pytest.mark.parametrize(("kind", "message"), [
    ("json", ":1: line longer than 64 MiB"),
    ("xml", ": document larger than 52,428,800 bytes (decompressed); split it"),
])
def test_a_gzip_bomb_stops_at_the_limit_under_a_memory_cap(bombs: dict[str, Path], tmp_path: Path,
                                                           kind: str, message: str,
                                                           command: str) -> None:
    bomb = bombs[kind]
    assert bomb.stat().st_size < 2 * 1024**2  # 1 GiB inside
    where = ["-o", str(tmp_path / "out.nt")] if command == "convert" else [
        "--store", str(tmp_path / "store")]
    result = run_capped(command, str(bomb), *where, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"lod: rejected: {bomb}{message}" in result.stderr.splitlines()
    assert "read 1 record: 0 converted, 1 rejected" in result.stderr


@pytest.mark.parametrize(("literal", "message"), [
    (True, ": not read: Reached the buffer maximal size of 16777216 (a term longer than that)"),
    (False, ": larger than 52,428,800 bytes (decompressed); split it"),
])
def test_an_rdf_gzip_bomb_stops_validate_under_a_memory_cap(tmp_path: Path, literal: bool,
                                                           message: str) -> None:
    """One huge literal (pyoxigraph's token limit), or many small triples (lod's size limit)."""
    if literal:
        bomb = gzip_bomb(tmp_path / "bomb.nt.gz", b'<http://e/s> <http://e/p> "', b'" .\n')
    else:
        bomb = tmp_path / "bomb.nt.gz"
        line = b'<http://e/s> <http://e/p> "%s" .\n' % (b"x" * 1000)
        with gzip.open(bomb, "wb", compresslevel=9) as out:
            for _ in range(60 * 1024):  # 60 MB
                out.write(line)
    result = run_capped("validate", str(bomb), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == f"lod: error: {bomb}{message}"


# -- nesting and messages --------------------------------------------------------------------------

def test_a_record_nested_70_levels_deep_is_rejected_naming_file_record_and_field(tmp_path: Path) -> None:
    deep: object = "bottom"
    for _ in range(70):
        deep = {"a": deep}
    source = tmp_path / "deep.jsonl"
    source.write_text(study_line("t/1") + "\n" + study_line("t/2", deep=deep) + "\n")
    result = lod("convert", str(source), "-o", str(tmp_path / "out.nt"))
    assert result.exit_code == 1
    [rejected] = [line for line in result.stderr.splitlines() if "rejected:" in line]
    assert rejected.startswith(f"lod: rejected: {source}:2 field dataset_schema.deep…: "
                               "nested deeper than 64 levels (at /dataset_schema/deep/a/a/")
    assert "read 2 records: 1 converted, 1 rejected" in result.stderr


def test_a_record_nested_64_levels_deep_converts(tmp_path: Path) -> None:
    deep: object = "bottom"
    for _ in range(62):  # dataset_schema and deep make 64
        deep = {"a": deep}
    source = tmp_path / "ok.jsonl"
    source.write_text(study_line("t/1", deep=deep) + "\n" + study_line("t/2") + "\n")
    result = lod("convert", "-q", str(source), "-o", str(tmp_path / "out.nt"))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("null\n", ":1: record is not a JSON object (got null)"),
    ('{"results": "notalist"}\n', ':1 field results: not a Harmony API response (expected an '
     'object with "results": [a list of study records]); its results is a string'),
    ("", ": empty input: no study records in it"),
])
def test_unhelpful_input_gets_a_message_in_the_users_terms(tmp_path: Path, text: str,
                                                           message: str) -> None:
    source = tmp_path / "in.json"
    source.write_text(text)
    result = lod("convert", str(source))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"lod: rejected: {source}{message}"


# -- JSON-LD remote contexts -----------------------------------------------------------------------

@pytest.fixture
def context_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback server that would serve a JSON-LD context, and the paths it was asked for."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
            hits.append(self.path)
            body = b'{"@context": {"p": "http://example.org/p"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/context.jsonld", hits
    finally:
        server.shutdown()
        server.server_close()


def test_remote_json_ld_contexts_are_never_fetched(tmp_path: Path,
                                                   context_server: tuple[str, list[str]]) -> None:
    url, hits = context_server
    doc = tmp_path / "remote.jsonld"
    doc.write_text(json.dumps({"@context": url, "@id": "http://example.org/s", "p": "v"}))
    validated = lod("validate", str(doc))
    loaded = lod("load", "--store", str(tmp_path / "store"), str(doc))
    converted = lod("convert", str(doc))
    assert hits == []
    assert validated.exit_code == 1 and "remote contexts" in validated.stderr
    assert loaded.exit_code == 1 and f"lod: rejected: {doc}: not valid jsonld" in loaded.stderr
    assert converted.exit_code == 1 and "never fetches" in converted.stderr


# -- RDF inputs for validate and load, resolved as convert resolves them ----------------------------

TRIPLE = b'<http://example.org/s> <http://example.org/p> "v" .\n'


def test_validate_walks_folders_reads_gz_and_stdin(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.ttl").write_bytes(TRIPLE)
    (folder / "sub" / "b.nt.gz").write_bytes(gzip.compress(TRIPLE.replace(b"/s>", b"/t>")))
    assert "(2 triples" in lod("validate", str(folder)).stdout
    piped = lod("validate", "--input-format", "turtle", "-", stdin=gzip.compress(TRIPLE))
    assert piped.exit_code == 0 and "(1 triple," in piped.stdout
    odd = tmp_path / "data.foo"
    odd.write_bytes(TRIPLE)
    assert "(1 triple," in lod("validate", "--input-format", "ntriples", str(odd)).stdout


def test_load_reads_rdf_from_stdin_with_input_format_and_gz_from_folders(tmp_path: Path) -> None:
    store = tmp_path / "store"
    for _ in range(2):  # loading stdin again replaces its graph
        result = lod("load", "--store", str(store), "--input-format", "ntriples", "-", stdin=TRIPLE)
        assert result.exit_code == 0, result.output
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.nt.gz").write_bytes(gzip.compress(TRIPLE + TRIPLE.replace(b"/s>", b"/t>")))
    assert lod("load", "--store", str(store), str(folder)).exit_code == 0
    with open_store(store_dir=store) as opened:
        assert opened.triple_count(rdfload.STDIN_GRAPH) == 1
        assert opened.triple_count((folder / "b.nt.gz").resolve().as_uri()) == 2


def test_a_big_graph_is_loaded_in_runs_and_loses_nothing(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rdfload, "RUN_QUADS", 7)
    source = tmp_path / "many.nt"
    source.write_bytes(b"".join(b'<http://example.org/s> <http://example.org/p> "%d" .\n' % i
                                for i in range(50)))
    store = tmp_path / "store"
    assert lod("load", "--store", str(store), str(source)).exit_code == 0
    with open_store(store_dir=store) as opened:
        assert opened.triple_count(source.resolve().as_uri()) == 50


# -- duplicate study IRIs --------------------------------------------------------------------------

def duplicated(tmp_path: Path) -> Path:
    source = tmp_path / "dup.jsonl"
    source.write_text("\n".join([study_line("dup/1").replace("A study", "First title"),
                                 study_line("other/2"),
                                 study_line("dup/1").replace("A study", "Second title")]) + "\n")
    return source


def titles(nt: bytes) -> list[str]:
    return sorted(str(q.object.value) for q in ox.parse(nt, ox.RdfFormat.N_TRIPLES)
                  if q.predicate.value == "http://purl.org/dc/terms/title")


def test_convert_warns_about_a_repeated_study_and_writes_it_once(tmp_path: Path) -> None:
    source = duplicated(tmp_path)
    out = tmp_path / "out.nt"
    result = lod("convert", str(source), "-o", str(out))
    assert result.exit_code == 0
    iri = "https://w3id.org/lod-studies/id/study/dup/1"
    assert (f"lod: warning: {source}:3: study <{iri}> again: first at {source}:1; this later "
            "record is left out (the earlier one was already written)") in result.stderr.splitlines()
    assert titles(out.read_bytes()) == ["A study", "First title"]
    assert "; 2 studies (1 repeated study IRIs)" in result.stderr
    written = len(out.read_bytes().splitlines())
    assert f", {written:,} triples in" in result.stderr  # the summary counts what was written


def test_load_keeps_the_later_record_and_counts_what_was_stored(tmp_path: Path) -> None:
    source = duplicated(tmp_path)
    store = tmp_path / "store"
    result = lod("load", "--store", str(store), str(source))
    assert result.exit_code == 0, result.output
    assert f"first at {source}:1; this later record replaces it" in result.stderr
    assert "lod: loaded 2 studies" in result.stderr
    stats = lod("stats", "--store", str(store), "--format", "json")
    assert json.loads(stats.stdout)["studies"] == 2
    exported = lod("export", "--store", str(store), "-f", "ntriples")
    assert titles(exported.stdout_bytes) == ["A study", "Second title"]
