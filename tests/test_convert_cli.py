"""``lod convert`` as users call it: inputs, formats, outputs, summary, rejects, exit codes."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from lod.cli import cli
from tests.paths import MAPPINGS, SEED_JSON, harmony_corpus

SEED = SEED_JSON
DEFAULT_BASE = "https://w3id.org/lod-studies/id/"
SEED_IRI = "study/ukds/851986"
SUMMARY = re.compile(r"^lod: read (\d+) records?: (\d+) converted, (\d+) rejected, .*?"
                     r"([\d,]+) triples? in (\d+\.\d+) s$", re.MULTILINE)
DCT_TITLE = "http://purl.org/dc/terms/title"


def lod(*args: str, input: bytes | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"lod crashed: {result.exception!r}"
    assert "Traceback" not in result.stderr
    return result


def summary(result: Result) -> tuple[int, int, int, int]:
    found = SUMMARY.search(result.stderr)
    assert found, f"no summary line in:\n{result.stderr}"
    read, converted, rejected, triples, _ = found.groups()
    return int(read), int(converted), int(rejected), int(triples.replace(",", ""))


def record(ident: str, name: str = "A study", **extra_data: Any) -> dict[str, Any]:
    return {"dataset_schema": {"name": name}, "extra_data": {"harmony_id": ident, **extra_data}}


def subjects(data: bytes, fmt: ox.RdfFormat) -> set[str]:
    return {q.subject.value for q in ox.parse(data, fmt)}


# -- output syntax ---------------------------------------------------------------------------

def test_default_is_turtle_on_stdout_with_a_summary_on_stderr() -> None:
    result = lod("convert", str(SEED))
    assert result.exit_code == 0
    assert result.stdout.startswith("@prefix")
    assert DEFAULT_BASE + SEED_IRI in subjects(result.stdout_bytes, ox.RdfFormat.TURTLE)
    read, converted, rejected, triples = summary(result)
    assert (read, converted, rejected) == (1, 1, 0)
    nquads = lod("convert", str(SEED), "-f", "nquads").stdout_bytes
    assert triples == len(list(ox.parse(nquads, ox.RdfFormat.N_QUADS)))
    assert "lod: read" not in result.stdout  # the summary never pollutes the RDF


CHECKS = {  # a property of each syntax that the others do not have
    ".ttl": (ox.RdfFormat.TURTLE, lambda t: t.startswith("@prefix") and "{" not in t),
    ".nt": (ox.RdfFormat.N_TRIPLES,
            lambda t: all(len(line.split(" ")) >= 4 and line.startswith("<")
                          for line in t.splitlines())),
    ".nq": (ox.RdfFormat.N_QUADS,
            lambda t: all(line.endswith("> .") for line in t.splitlines())),
    ".trig": (ox.RdfFormat.TRIG, lambda t: "{" in t),
    ".rdf": (ox.RdfFormat.RDF_XML, lambda t: t.startswith("<?xml")),
    ".xml": (ox.RdfFormat.RDF_XML, lambda t: t.startswith("<?xml")),
    ".jsonld": (ox.RdfFormat.JSON_LD, lambda t: "@context" in json.loads(t)),
}


@pytest.mark.parametrize("extension", CHECKS)
def test_output_extension_chooses_the_syntax(tmp_path: Path, extension: str) -> None:
    out = tmp_path / f"out{extension}"
    result = lod("convert", str(SEED), "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    fmt, looks_right = CHECKS[extension]
    text = out.read_text(encoding="utf-8")
    assert looks_right(text), f"{extension} output does not look like {fmt}"
    assert DEFAULT_BASE + SEED_IRI in subjects(out.read_bytes(), fmt)


def test_format_option_wins_over_the_extension(tmp_path: Path) -> None:
    out = tmp_path / "out.ttl"
    assert lod("convert", str(SEED), "-o", str(out), "-f", "ntriples").exit_code == 0
    text = out.read_text()
    assert "@prefix" not in text
    assert len(list(ox.parse(out.read_bytes(), ox.RdfFormat.N_TRIPLES))) > 100


def test_format_to_stdout() -> None:
    result = lod("convert", str(SEED), "-f", "jsonld")
    assert "@context" in json.loads(result.stdout)


def test_nquads_and_trig_name_each_graph_after_its_study(tmp_path: Path) -> None:
    for fmt, syntax in (("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)):
        data = lod("convert", str(SEED), "-f", fmt).stdout_bytes
        titles = [q for q in ox.parse(data, syntax) if q.predicate.value == DCT_TITLE]
        assert titles and all(q.graph_name.value == q.subject.value for q in titles)


# -- inputs ------------------------------------------------------------------------------------

def test_stdin_dash() -> None:
    result = lod("convert", "-", "-f", "ntriples", input=SEED.read_bytes())
    assert result.exit_code == 0
    assert DEFAULT_BASE + SEED_IRI in subjects(result.stdout_bytes, ox.RdfFormat.N_TRIPLES)
    assert summary(result)[:3] == (1, 1, 0)


def test_stdin_with_a_real_pipe() -> None:
    script = Path(sys.executable).parent / "lod"  # the installed console script
    done = subprocess.run([str(script), "convert", "-", "-f", "ntriples"],
                          input=SEED.read_bytes(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert DEFAULT_BASE + SEED_IRI in subjects(done.stdout, ox.RdfFormat.N_TRIPLES)


def test_stdin_problems_name_stdin() -> None:
    data = (json.dumps(record("t/1")) + "\n{oops\n").encode()
    result = lod("convert", "-", "-f", "ntriples", input=data)
    assert result.exit_code == 1
    assert "<stdin>:2" in result.stderr


def test_gzip_input_is_read_transparently(tmp_path: Path) -> None:
    gz = tmp_path / "seed.json.gz"
    gz.write_bytes(gzip.compress(SEED.read_bytes()))
    plain = lod("convert", str(SEED), "-f", "ntriples").stdout_bytes
    result = lod("convert", str(gz), "-f", "ntriples")
    assert result.exit_code == 0
    assert result.stdout_bytes == plain


def test_gzip_is_recognised_without_the_extension_and_on_stdin(tmp_path: Path) -> None:
    packed = gzip.compress(SEED.read_bytes())
    hidden = tmp_path / "seed.data"
    hidden.write_bytes(packed)
    plain = lod("convert", str(SEED), "-f", "ntriples").stdout_bytes
    assert lod("convert", str(hidden), "-f", "ntriples").stdout_bytes == plain
    assert lod("convert", "-", "-f", "ntriples", input=packed).stdout_bytes == plain


def test_gzipped_json_lines_report_lines(tmp_path: Path) -> None:
    gz = tmp_path / "many.jsonl.gz"
    lines = [json.dumps(record(f"t/{i}")) for i in range(5)] + ["not json"]
    gz.write_bytes(gzip.compress("\n".join(lines).encode()))
    result = lod("convert", str(gz), "-f", "ntriples")
    assert summary(result)[:3] == (6, 5, 1)
    assert f"{gz}:6" in result.stderr


def test_array_lines_and_single_object_give_the_same_graph(tmp_path: Path) -> None:
    records = [record("t/1", "One"), record("t/2", "Two")]
    array = tmp_path / "a.json"
    array.write_text(json.dumps(records, indent=2))
    lines = tmp_path / "b.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records))
    singles = []
    for i, rec in enumerate(records):
        single = tmp_path / f"c{i}.json"
        single.write_text(json.dumps(rec, indent=1))
        singles.append(str(single))
    outputs = [lod("convert", *paths, "-f", "ntriples").stdout_bytes
               for paths in ([str(array)], [str(lines)], singles)]
    graphs = [sorted(set(out.decode().splitlines())) for out in outputs]
    assert graphs[0] == graphs[1] == graphs[2]
    assert len(graphs[0]) > 20


def test_several_inputs_are_counted_together(tmp_path: Path) -> None:
    result = lod("convert", *map(str, harmony_corpus()), "-f", "ntriples")
    assert result.exit_code == 0
    read, converted, rejected, _ = summary(result)
    assert (read, converted, rejected) == (6, 6, 0)


# -- problems, rejects, exit codes -------------------------------------------------------------

def test_rejects_file_and_exit_1_keep_the_good_records(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([json.dumps(record("t/1")), "[1,", json.dumps(record("t/3", "")),
                               json.dumps(record("t/4"))]) + "\n")
    out, rejects = tmp_path / "out.nt", tmp_path / "rejects.jsonl"
    result = lod("convert", str(path), "-o", str(out), "--rejects", str(rejects))
    assert result.exit_code == 1
    assert summary(result)[:3] == (4, 2, 2)
    assert subjects(out.read_bytes(), ox.RdfFormat.N_TRIPLES) >= {
        DEFAULT_BASE + "study/t/1", DEFAULT_BASE + "study/t/4"}
    rows = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["file"], r["line"]) for r in rows] == [(str(path), 2), (str(path), 3)]
    assert rows[1]["field"] == "dataset_schema.name|extra_data.name"
    assert all(r["reason"] for r in rows)
    assert result.stderr.count("lod: rejected: ") == 2


def test_rejects_file_is_empty_when_nothing_is_rejected(tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    assert lod("convert", str(SEED), "--rejects", str(rejects)).exit_code == 0
    assert rejects.read_text() == ""


@pytest.mark.parametrize("args, named", [
    (["-f", "nope"], "nope"),
    (["--from", "nope"], "nope"),
    (["--mapping", "no-such-mapping"], "no-such-mapping"),
    (["--mapping", "/no/such/file.yaml"], "/no/such/file.yaml"),
])
def test_usage_errors_exit_2(args: list[str], named: str) -> None:
    result = lod("convert", str(SEED), *args)
    assert result.exit_code == 2
    assert named in result.stderr
    assert result.stdout == ""


def test_no_input_is_a_usage_error() -> None:
    assert lod("convert").exit_code == 2


def test_bad_mapping_file_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    mapping = tmp_path / "broken.yaml"
    text = (MAPPINGS / "harmony.yaml").read_text()
    mapping.write_text(text.replace("to: [dct:title, schema:name]", "to: [dct:title, nope:name]", 1))
    result = lod("convert", str(SEED), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert str(mapping) in result.stderr
    assert "fields[" in result.stderr and "nope" in result.stderr


def test_mapping_error_stops_before_any_output(tmp_path: Path) -> None:
    mapping = tmp_path / "broken.yaml"
    mapping.write_text("subject: {id: [x], iri: 's/{id}'}\nfields: [{from: x, to: dct:title, "
                       "transform: no_such_transform}]\nprefixes: {dct: 'http://purl.org/dc/terms/'}\n")
    out = tmp_path / "out.nt"
    result = lod("convert", str(SEED), "--mapping", str(mapping), "-o", str(out))
    assert result.exit_code == 2
    assert "no_such_transform" in result.stderr
    assert not out.exists() or out.read_bytes() == b""


# -- base URI and determinism -----------------------------------------------------------------

def test_base_uri_sets_every_minted_iri(tmp_path: Path) -> None:
    base = "https://data.example.org/lod/"
    result = lod("convert", str(SEED), "-f", "ntriples", "--base-uri", base)
    found = subjects(result.stdout_bytes, ox.RdfFormat.N_TRIPLES)
    assert base + SEED_IRI in found
    assert not [s for s in found if s.startswith(DEFAULT_BASE)]


def test_base_uri_without_a_final_slash_gets_one() -> None:
    result = lod("convert", str(SEED), "-f", "ntriples", "--base-uri", "https://data.example.org/x")
    assert "https://data.example.org/x/" + SEED_IRI in \
        subjects(result.stdout_bytes, ox.RdfFormat.N_TRIPLES)


def test_invalid_base_uri_is_a_usage_error() -> None:
    result = lod("convert", str(SEED), "-f", "ntriples", "--base-uri", "not a uri")
    assert result.exit_code == 2


def test_same_input_same_bytes_in_process() -> None:
    runs = [lod("convert", str(SEED), "--base-uri", "https://example.org/").stdout_bytes
            for _ in range(2)]
    assert runs[0] == runs[1]


def test_gz_output_name_gives_a_gzip_file(tmp_path: Path) -> None:
    out = tmp_path / "out.nt.gz"
    assert lod("convert", str(SEED), "-o", str(out)).exit_code == 0
    data = gzip.decompress(out.read_bytes())
    assert DEFAULT_BASE + SEED_IRI in subjects(data, ox.RdfFormat.N_TRIPLES)
