"""The compiled converter: mapping strings and record values stay data, memos never change the
output (warnings included), and worker processes give the same bytes as one process."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from lod.converter.core import Converter
from lod.converter.parallel import BLOCK_BYTES, blocks
from lod.converter.pipeline import PARALLEL_MIN_BYTES
from lod.converter.runtime import MEMO_PROBE, TransformMemo, run_transform
from lod.mapping.spec import load_mapping
from lod.output.files import BUFFER_BYTES as OUTPUT_BUFFER_BYTES
from lod.readers.limits import MAX_STRING_CHARS
from lod.records import Origin, Record
from lod.transforms import TRANSFORMS, TransformContext
from lod.transforms.tables import Tables

ROOT = Path(__file__).resolve().parent.parent
LOD = str(Path(sys.executable).parent / "lod")
BASE = "https://example.org/id/"
EX = "https://example.org/vocab#"

# Keys, messages and constants a mapping author might write, and values a record might hold,
# that would break (or run) generated code if they were pasted into it instead of quoted.
HOSTILE_KEY = "k'\"\\}{\nraise SystemExit(3)  #"
HOSTILE_VALUE = "'); __import__('os').system('false') #\"\"\"\\ {subject} \n}"


def hostile_mapping(tmp_path: Path) -> Path:
    doc: dict[str, Any] = {
        "name": "hostile",
        "prefixes": {"ex": EX},
        "subject": {"id": ["id"], "iri": "thing/{id}", "types": ["ex:Thing"]},
        "fields": [
            {"from": HOSTILE_KEY, "to": "ex:text"},
            {"from": f"{HOSTILE_KEY}.inner", "to": "ex:inner", "lang": "en"},
            {"from": "kind", "to": "ex:kind", "iri": True, "values": {HOSTILE_VALUE: "ex:Odd"}},
            {"from": "part", "to": "ex:part", "node": "part", "with": {"note": HOSTILE_VALUE}},
        ],
        "nodes": {"part": {"iri": "{subject}#part-{key}", "types": ["ex:Part"],
                           "fields": [{"from": "note", "to": "ex:note"},
                                      {"from": "value", "to": "ex:value"}]}},
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_mapping_strings_and_record_values_never_become_code(tmp_path: Path) -> None:
    converter = Converter(BASE, mapping_override=load_mapping(hostile_mapping(tmp_path)))
    record = {"id": "a b", HOSTILE_KEY: HOSTILE_VALUE, "kind": HOSTILE_VALUE.upper(),
              "part": {"key": HOSTILE_VALUE, "value": HOSTILE_VALUE}}
    out = converter.convert(Record(record, Origin("in.json")))
    assert out.rejection is None
    text = "".join(g.text() for g in out.graphs)
    triples = {(t.subject.value, t.predicate.value, t.object.value)
               for t in (q.triple for q in ox.parse(text, ox.RdfFormat.N_TRIPLES))}
    study = BASE + "thing/a%20b"
    assert (study, EX + "text", HOSTILE_VALUE) in triples
    assert (study, EX + "kind", EX + "Odd") in triples  # value tables match case-insensitively
    part = next(o for s, p, o in triples if s == study and p == EX + "part")
    assert part.startswith(study + "#part-") and " " not in part
    assert (part, EX + "note", HOSTILE_VALUE) in triples
    assert (part, EX + "value", HOSTILE_VALUE) in triples
    # the generated source names the mapping's strings only as quoted literals
    _, code = converter.plan_for("hostile")
    compile(code.source, "<check>", "exec")
    assert repr(HOSTILE_KEY) in code.source


def test_every_record_gets_its_own_warning_for_a_value_seen_before() -> None:
    """Transform results are remembered; the warnings they gave are given again each time."""
    converter = Converter(BASE)
    records = [{"extra_data": {"harmony_id": f"w/{i}", "name": f"Study {i}", "country_codes": ["XX"],
                               "urls": ["https://example.org/a b"]}} for i in range(3)]
    outs = [converter.convert(Record(r, Origin("in.jsonl", line=i + 1))) for i, r in enumerate(records)]
    for out in outs:
        messages = sorted((w.field or "", w.message) for w in out.warnings)
        assert ("extra_data.country_codes", "unknown country code 'XX'; dropped") in messages
        assert any(f == "dataset_schema.url|extra_data.urls|dataset_schema.includedInDataCatalog.url"
                   and m.startswith("repaired URL") for f, m in messages), messages
    second, third = ([(w.field, w.message) for w in out.warnings] for out in outs[1:])
    assert second == third


def test_values_seen_before_make_the_same_statements_and_never_skip_a_node() -> None:
    """A field's statements for a value are remembered (keywords, codes); a node first described
    in a record that is then rejected is described again by the next record naming it."""
    converter = Converter(BASE)

    def convert(i: int, **extra: Any) -> Any:
        data = {"dataset_schema": {"name": f"Study {i}", "keywords": ["Zebra studies", "HEALTH"],
                                   **extra},
                "extra_data": {"harmony_id": f"z/{i}", "country_codes": ["GB", "XX"],
                               "study_design": ["cohort"]}}
        return converter.convert(Record(data, Origin("in.jsonl", line=i)))

    rejected = convert(1, variableMeasured="x" * (MAX_STRING_CHARS + 1))  # after the keywords: too long
    assert rejected.rejection is not None
    outs = [convert(i) for i in (2, 3, 4)]
    assert BASE + "keyword/zebra-studies" in {g.iri for g in outs[0].graphs if g.shared}

    def about_the_study(out: Any, i: int) -> list[str]:  # what the remembered fields make
        study = f"<{BASE}study/z/{i}> "
        fields = ("eyword", "theme", "patial", "Design")
        return sorted("<S> " + st.removeprefix(study) for st in out.graphs[0].statements
                      if st.startswith(study) and any(p in st for p in fields))

    assert about_the_study(outs[0], 2) == about_the_study(outs[1], 3) == about_the_study(outs[2], 4)
    assert {"<S> <http://www.w3.org/ns/dcat#theme> <https://example.org/id/keyword/zebra-studies>",
            '<S> <http://www.w3.org/ns/dcat#keyword> "Zebra studies"'} <= set(about_the_study(outs[2], 4))
    for out in outs:  # a value that warned is not remembered: its warning comes every time
        assert [w.message for w in out.warnings] == ["unknown country code 'XX'; dropped"]


def test_statements_about_the_study_made_by_a_node_or_an_inverse_are_not_repeated(tmp_path: Path) -> None:
    """The converter keeps statements about a graph's own subject apart from the others; a node
    named like the study, or an object that is the study itself, makes such statements the
    other way: they must still appear once each, and nothing may be lost."""
    doc: dict[str, Any] = {
        "name": "selfish",
        "prefixes": {"ex": EX},
        "subject": {"id": ["id"], "iri": "thing/{id}", "types": ["ex:Thing"]},
        "fields": [
            {"from": "name", "to": "ex:name"},
            {"from": "name", "to": "ex:self", "node": "itself"},
            {"from": "see", "to": "ex:seeAlso", "iri": True, "types": ["ex:Thing"]},
            {"from": "see", "to": "ex:other", "iri": True},
            {"from": "see", "inverse": "ex:other", "iri": True},
        ],
        "nodes": {"itself": {"iri": "{subject}", "types": ["ex:Thing"],
                             "fields": [{"from": "value", "to": "ex:name"},
                                        {"from": "value", "to": "ex:alias"}]}},
    }
    path = tmp_path / "selfish.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    converter = Converter(BASE, mapping_override=load_mapping(path))
    study = f"{BASE}thing/1"
    out = converter.convert(Record({"id": "1", "name": "One", "see": [study, study]}, Origin("x.json")))
    assert out.rejection is None and [w.message for w in out.warnings] == []
    statements = out.graphs[0].statements
    t = f"<{study}>"
    expected = {f"{t} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Thing>",
                f'{t} <{EX}name> "One"', f"{t} <{EX}self> {t}", f'{t} <{EX}alias> "One"',
                f"{t} <{EX}seeAlso> {t}", f"{t} <{EX}other> {t}"}
    assert sorted(statements) == sorted(expected)  # each once
    assert out.graphs[0].count == len(expected)
    assert out.graphs[0].text().count("\n") == len(expected)


def test_value_objects_a_memo_gives_again_keep_their_own_terms() -> None:
    """A value object a transform's memo gives again (a period's typed start and end) is the
    same object each time, and its literal is remembered by identity: each record must still
    get the terms of its own values, with the datatype the precision allows."""
    converter = Converter(BASE)
    coverages = ["1990/2000", "2001-05/2003", "1990/2000", "1950/..", "2001-05/2003"] * (MEMO_PROBE // 2)
    for i, coverage in enumerate(coverages):
        record = synthetic(i)
        record["dataset_schema"]["temporalCoverage"] = coverage
        out = converter.convert(Record(record, Origin("x.jsonl", line=i + 1)))
        assert out.rejection is None
        period = f"<{BASE}study/syn/{i}#period>"
        starts = [st for st in out.graphs[0].statements
                  if st.startswith(period + " <http://www.w3.org/ns/dcat#startDate>")]
        start = coverage.split("/")[0]
        kind = "gYearMonth" if "-" in start else "gYear"
        assert starts == [f'{period} <http://www.w3.org/ns/dcat#startDate> '
                          f'"{start}"^^<http://www.w3.org/2001/XMLSchema#{kind}>'], (i, starts)
    # the remembered terms were used, or the whole period node remembered (see the next tests)
    hits = converter.memo_hits()
    served = hits["literal"] + hits["node"]
    assert served >= len(coverages) - 10


def test_nodes_of_the_study_made_again_are_what_each_study_makes_itself() -> None:
    """What a node of the study's own (a period, an attribution) made from a value object is
    remembered without the study's IRI and made again for the next study: each study must get
    exactly the statements it makes with the memo off, in the same order."""
    remembering, reference = Converter(BASE), Converter(BASE, memoize=False)
    for i in range(600):
        record = synthetic(i)
        record["dataset_schema"]["funder"] = [{"name": f"Funder {i % 5}"}, "MRC"]
        origin = Origin("x.jsonl", line=i + 1)
        made, expected = (c.convert(Record(record, origin)) for c in (remembering, reference))
        assert [g.text() for g in made.graphs] == [g.text() for g in expected.graphs], i
        assert made.warnings == expected.warnings
    assert remembering.memo_hits()["node"] > 500 and reference.memo_hits()["node"] == 0


def test_a_value_naming_the_study_iri_is_not_taken_for_it(tmp_path: Path) -> None:
    """A node's statement about a value IRI that starts like the study's IRI: remembered for
    study a, it must stay as the value gave it for study b (only where the node put the
    study's IRI is it made again with the next one's)."""
    doc: dict[str, Any] = {
        "name": "lookalike",
        "prefixes": {"ex": EX},
        "subject": {"id": ["id"], "iri": "thing/{id}", "types": ["ex:Thing"]},
        "fields": [{"from": "see", "transform": "identifier", "to": "ex:part", "node": "part"}],
        "nodes": {"part": {"iri": "{subject}#part-{key}", "types": ["ex:Part"],
                           "fields": [{"from": "notation", "to": "ex:see", "iri": True,
                                       "types": ["ex:Document"]}]}},
    }
    path = tmp_path / "lookalike.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    value = f"{BASE}thing/a#part-x"
    remembering = Converter(BASE, mapping_override=load_mapping(path))
    reference = Converter(BASE, mapping_override=load_mapping(path), memoize=False)
    for name in ("first", "a", "b", "c"):  # noted, remembered under study a, made again for b, c
        record = Record({"id": name, "see": [value]}, Origin("x.json"))
        made, expected = remembering.convert(record), reference.convert(record)
        assert [g.text() for g in made.graphs] == [g.text() for g in expected.graphs], name
        assert f"<{value}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Document>" in \
            made.graphs[0].statements
    assert remembering.memo_hits()["node"] == 2


def test_a_node_in_the_records_language_is_made_for_each_record(tmp_path: Path) -> None:
    """A node of the study's own with text in the record's language is not remembered: each
    record gets its own tag."""
    doc: dict[str, Any] = {
        "name": "languages",
        "prefixes": {"ex": EX},
        "subject": {"id": ["id"], "iri": "thing/{id}", "types": ["ex:Thing"], "language": "lang"},
        "fields": [{"from": "part", "transform": "identifier", "to": "ex:part", "node": "part"}],
        "nodes": {"part": {"iri": "{subject}#part-{key}", "types": ["ex:Part"],
                           "fields": [{"from": "notation", "to": "ex:label", "lang": "record"}]}},
    }
    path = tmp_path / "languages.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    converter = Converter(BASE, mapping_override=load_mapping(path))
    for i, lang in enumerate(["en", "fr", "de", "en", "fr"]):
        out = converter.convert(Record({"id": str(i), "lang": lang, "part": "Alpha"}, Origin("x.json")))
        assert f'<{BASE}thing/{i}#part-alpha> <{EX}label> "Alpha"@{lang}' in out.graphs[0].statements


def test_each_record_gets_the_language_of_its_own_codes() -> None:
    """The tag of each language code is remembered by the converter: records that come later
    must still get the first known code of their own list, or no tag."""
    converter = Converter(BASE)
    cases = [(["fr"], "fr"), (["xx", "de"], "de"), (["en"], "en"), (["xx"], None), ([None, "fr"], "fr"),
             ("de", "de"), (["$undefined", "en"], "en"), ([], None)] * 2
    for i, (codes, tag) in enumerate(cases):
        record = synthetic(i)
        record["extra_data"]["language_codes"] = codes
        out = converter.convert(Record(record, Origin("x.jsonl", line=i + 1)))
        assert out.rejection is None
        title = f'"Study {i}"' + (f"@{tag}" if tag else "")
        assert f" <http://purl.org/dc/terms/title> {title}" in out.graphs[0].text(), (i, codes)


def test_a_memo_switches_itself_off_when_values_do_not_repeat() -> None:
    ctx = TransformContext(tables=Tables.load(), base=BASE)
    unique, repeated = TransformMemo(), TransformMemo()
    for i in range(MEMO_PROBE + 10):
        assert run_transform(TRANSFORMS["text"], [f" title {i} "], ctx, unique) == [f"title {i}"]
        assert run_transform(TRANSFORMS["text"], [f" title {i % 50} "], ctx, repeated) == [f"title {i % 50}"]
    assert not unique.enabled and len(unique) == 0
    assert repeated.enabled and len(repeated) == 50 and repeated.hits == MEMO_PROBE + 10 - 50


def synthetic(i: int) -> dict[str, Any]:
    sponsors = [{"name": "ESRC", "@type": "Agency"},
                {"name": "Economic and Social Research Council", "@type": "Agency"},
                {"name": "MRC"}, {"name": f"Funder {i % 97}"}]
    return {"dataset_schema": {"name": f"Study {i}", "description": "Synthetic. " * 40,
                               "keywords": [f"Topic {i % 301}", "HEALTH", f"topic {i % 7}"],
                               "identifier": [f"10.5255/SYN-{i}"], "url": [f"https://example.org/{i}"],
                               "sponsor": [sponsors[i % 4]],
                               "temporalCoverage": f"{1950 + i % 60}/{1960 + i % 60}"},
            "extra_data": {"harmony_id": f"syn/{i}", "uuid": f"{i:032x}",
                           "country_codes": [["GB", "UK", "FR", "XX"][i % 4]], "source": ["ukds"],
                           "geographic_coverage": ["England", "Wales", ""][i % 3]}}


def test_blocks_hold_whole_lines_numbered_from_where_they_start() -> None:
    text = b"a\n\nbb\r\n" + b"c" * 25 + b"\nd\ne"
    found = list(blocks(io.BytesIO(text), "f", 1, size=8))
    assert b"".join(block for _, _, block in found) == text
    assert all(block.endswith(b"\n") for _, _, block in found[:-1])
    assert [line for _, line, _ in found] == [
        1 + text[:text.index(block)].count(b"\n") for _, _, block in found]
    assert len(found) > 2 and any(len(block) > 8 for _, _, block in found)


def test_worker_processes_give_the_same_bytes_and_messages_as_one_process(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as f:
        i = 0
        while f.tell() < PARALLEL_MIN_BYTES + 1024:  # big enough to be converted in parallel
            f.write(json.dumps(synthetic(i)) + "\n")
            i += 1
            if i == 1000:  # lines a worker's block cannot end in: blank, CRLF, over a block long
                f.write("\n" + json.dumps(synthetic(i)) + "\r\n")
                long = synthetic(i + 1)
                long["dataset_schema"]["description"] = "Long. " * (BLOCK_BYTES // 10)  # each text
                long["extra_data"]["ai_summary"] = "Longer. " * (BLOCK_BYTES // 14)  # under the limit
                f.write(json.dumps(long) + "\n")
                i += 2
        f.write("{not json}")  # the last line, without a line end
    runs = {}
    for jobs, ext in (("1", "nq"), ("2", "nq"), ("1", "ttl"), ("2", "ttl")):
        out = tmp_path / f"out-{jobs}.{ext}"
        done = subprocess.run([LOD, "convert", "-j", jobs, str(source), "-o", str(out),
                               "--base-uri", BASE], capture_output=True, text=True, timeout=600)
        assert done.returncode == 1, done.stderr  # the malformed last line is rejected
        runs[jobs + ext] = (out.read_bytes(), done.stderr.rsplit(" in ", 1)[0])
    assert runs["1nq"] == runs["2nq"]
    assert runs["1ttl"] == runs["2ttl"]  # graphs handed over one by one (what lod load takes)
    # -o FILE is written past the page cache in 4 MiB writes; standard output the ordinary way
    piped = subprocess.run([LOD, "convert", "-j", "2", str(source), "-f", "nquads", "--base-uri", BASE],
                           capture_output=True, timeout=600)
    assert len(piped.stdout) > 2 * OUTPUT_BUFFER_BYTES and piped.stdout == runs["1nq"][0]
    data, messages = runs["1nq"]
    assert f"read {i + 1:,} records: {i:,} converted, 1 rejected" in messages
    assert f"big.jsonl:{i + 2}: malformed JSON" in messages  # numbered across the blank line
    assert messages.count("unknown country code 'XX'") == len(range(3, i, 4))
    # a shared node's warnings come with its first description only, whichever worker made it
    assert messages.count("value 'Agency' is not in the mapping's value table") == 2  # two type fields
    graphs = {q.graph_name.value for q in ox.parse(data, ox.RdfFormat.N_QUADS)}  # type: ignore[union-attr]
    assert {BASE + "organisation/esrc", BASE + "organisation/mrc", BASE + "keyword/health"} <= graphs


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find worker processes")
def test_a_worker_that_dies_ends_the_run_with_one_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as f:
        i = 0
        while f.tell() < 4 * PARALLEL_MIN_BYTES:
            f.write(json.dumps(synthetic(i)) + "\n")
            i += 1
    run = subprocess.Popen([LOD, "convert", "-q", "-j", "2", str(source), "-o", str(tmp_path / "out.nt")],
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (workers := _children(run.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # converting by now
        os.kill(workers[0], signal.SIGKILL)
        _, stderr = run.communicate(timeout=120)  # no hang waiting for a block that never comes
    finally:
        run.kill()
    assert run.returncode == 1
    assert "Traceback" not in stderr
    assert f"lod: error: {source}: a worker process converting it stopped" in stderr


def test_generated_code_is_registered_with_linecache() -> None:
    import inspect
    import traceback

    converter = Converter(BASE)
    fields = converter.plan_for("harmony")[1].record_fields
    filename = fields.__code__.co_filename
    assert filename.startswith("<lod mapping harmony ")
    source = inspect.getsource(fields)
    assert source.startswith("def record_fields(")
    frame = traceback.FrameSummary(filename, fields.__code__.co_firstlineno, "record_fields")
    assert frame.line and frame.line.startswith("def record_fields(")


def test_reference_mode_gives_the_same_graphs_for_every_sample() -> None:
    from lod.readers import read_inputs

    remembering, reference = Converter(BASE), Converter(BASE, memoize=False)
    items = list(read_inputs(["samples/studies"]))
    assert len(items) >= 10
    for _ in range(2):  # the second pass is served from the memos
        for item in items:
            made, expected = remembering.convert(item), reference.convert(item)
            assert [g.text() for g in made.graphs] == [g.text() for g in expected.graphs]
            assert made.warnings == expected.warnings and made.rejection == expected.rejection
    assert sum(remembering.memo_hits().values()) > 0
    assert sum(reference.memo_hits().values()) == 0


def test_a_line_longer_than_the_limit_is_held_only_to_the_limit() -> None:
    text = b'{"a": 1}\n' + b"x" * 1000 + b'\n{"b": 2}\n'
    found = list(blocks(io.BytesIO(text), "big.jsonl", 1, size=10, max_line=50))
    assert max(len(block) for _, _, block in found) <= 50 + 1 + 10
    lines = b"".join(block for _, _, block in found).split(b"\n")
    assert lines[0] == b'{"a": 1}' and lines[2] == b'{"b": 2}'  # line numbers stay right
    assert 50 < len(lines[1]) <= 50 + 1 + 10  # still too long: the worker rejects it


def test_workers_warn_about_a_repeated_study(tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    with source.open("w", encoding="utf-8") as f:
        i = 0
        while f.tell() < PARALLEL_MIN_BYTES + 1024:
            f.write(json.dumps(synthetic(i)) + "\n")
            i += 1
        f.write(json.dumps(synthetic(0)) + "\n")  # the first record again, at the end
    for fmt in ("nquads", "turtle"):  # encoded by the workers; graphs handed over one by one
        done = subprocess.run([LOD, "convert", "-j", "2", str(source), "-f", fmt, "--base-uri", BASE],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert f"{source}:{i + 1}: study <" in done.stderr and f"again: first at {source}:1" in done.stderr
        assert "(1 repeated study IRIs)" in done.stderr
