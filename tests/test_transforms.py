"""Transforms one by one, and what they make of a whole record on the command line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.transforms import TRANSFORMS, TransformContext
from lod.transforms.identifiers import _DOI_PREFIXES, doi_iri, normalise_doi
from lod.transforms.registry import UNCHANGED_WHEN
from lod.transforms.tables import Tables, normalise_name, slug

BASE = "https://example.org/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SCHEMA = "https://schema.org/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
EU = "http://publications.europa.eu/resource/authority/"
ESRC_ROR = "https://ror.org/03n0ht308"


@pytest.fixture(scope="module")
def tables() -> Tables:
    return Tables.load()


@pytest.fixture
def ctx(tables: Tables) -> TransformContext:
    return TransformContext(tables=tables, base=BASE)


def run(name: str, value: Any, ctx: TransformContext) -> Any:
    return TRANSFORMS[name](value, ctx)


class Converted:
    """The N-Quads lod writes for some records, with small lookups."""

    def __init__(self, tmp_path: Path, *records: dict[str, Any]):
        path = tmp_path / "in.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        result = CliRunner().invoke(cli, ["convert", str(path), "-f", "nquads", "--base-uri", BASE])
        assert result.exit_code == 0, result.stderr
        self.stderr = result.stderr
        self.quads = list(ox.parse(result.stdout_bytes, ox.RdfFormat.N_QUADS))

    def objects(self, subject: str, predicate: str) -> list[ox.Term]:
        return [q.object for q in self.quads
                if q.subject.value == subject and q.predicate.value == predicate]

    def values(self, subject: str, predicate: str) -> list[str]:
        return sorted(o.value for o in self.objects(subject, predicate))

    def subjects(self, predicate: str, obj: str) -> list[str]:
        return sorted({q.subject.value for q in self.quads
                       if q.predicate.value == predicate and q.object.value == obj})


def record(ident: str, **parts: dict[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {"dataset_schema": {"name": f"Study {ident}"},
                           "extra_data": {"harmony_id": ident}}
    for part, values in parts.items():
        rec[part].update(values)
    return rec


# -- DOIs --------------------------------------------------------------------------------------

DOI_SPELLINGS = ["https://doi.org/10.5255/UKDA-SN-851986", "http://dx.doi.org/10.5255/UKDA-SN-851986",
                 "doi:10.5255/UKDA-SN-851986", "10.5255/UKDA-SN-851986",
                 "10.5255%2FUKDA-SN-851986", "https://dx.doi.org/10.5255/UKDA-SN-851986",
                 "DOI: 10.5255/UKDA-SN-851986", "info:doi/10.5255/UKDA-SN-851986"]


@pytest.mark.parametrize("spelling", DOI_SPELLINGS)
def test_doi_spellings_normalise(ctx: TransformContext, spelling: str) -> None:
    found = run("doi", spelling, ctx)
    assert found["iri"] == "https://doi.org/10.5255/UKDA-SN-851986"
    assert found["notation"] == "10.5255/UKDA-SN-851986"
    assert ctx.warnings == []


@pytest.mark.parametrize("value", ["not-a-doi", "10.12/too-short-prefix", "https://example.org/x",
                                   "10.5255/has space"])
def test_non_dois_are_dropped_with_a_warning(ctx: TransformContext, value: str) -> None:
    assert run("doi", value, ctx) is None
    assert ctx.warnings and value in ctx.warnings[0]


def test_doi_iri_escapes_what_an_iri_cannot_hold(ctx: TransformContext) -> None:
    found = run("doi", "10.1002/(SICI)1097-4571<3.0.CO;2-#>", ctx)
    assert found["iri"].startswith("https://doi.org/10.1002/")
    assert "<" not in found["iri"] and ">" not in found["iri"] and "#" not in found["iri"]


@pytest.mark.parametrize("value", ["10.5255/UKDA-SN-851986", "10.1002/(SICI)1097-4571:3.0.CO;2-Q",
                                   "10.5255/a~b_c.d", "10.5255/ä", "10.5255/x%2Fy"])
def test_plain_dois_take_a_short_path_to_the_same_iri(value: str) -> None:
    general = _DOI_PREFIXES.sub("", unquote(value.strip())).strip()
    assert normalise_doi(value) == general
    assert doi_iri(general) == "https://doi.org/" + quote(general, safe="/:;()._-~")


@pytest.mark.parametrize("text", ["Economic & Social Research Council", "  --ESRC--  ", "a_b c", "!!!",
                                  "10.5255/SYN-1", "x" * 130, "Mental health (adults); 2020", "",
                                  "".join(map(chr, range(128))), "a\t\x00b--c---d", "-" * 121 + "z"])
def test_ascii_slugs_take_a_short_path_to_what_the_general_way_gives(text: str) -> None:
    general = "-".join(normalise_name(text).split())[:120].strip("-")
    assert slug(text, 120) == (general or "h-" + hashlib.sha1(text.encode()).hexdigest()[:12])


_UNCHANGED_CANDIDATES = ["Title", "A plain title: 2020", " lead", "trail ", "tab\there", "line\nbreak",
                         "\x7f", "\x00x", "", " ", "é accent", "\ud800", "x" * 2000, 0, 1, -5, 2**70, True,
                         False, 1.0, 2.5, None, "true", "12", [], {}, {"@value": "v"}, {"name": "n"}]


@pytest.mark.parametrize("name", sorted(n for n, fn in TRANSFORMS.items() if fn in UNCHANGED_WHEN))
def test_what_a_transform_gives_back_unchanged_is_what_its_shortcut_says(
        name: str, ctx: TransformContext) -> None:
    """The converter skips a transform for values its ``unchanged_when`` accepts: it must
    accept only values the transform returns as they are, with no warning."""
    fn = TRANSFORMS[name]
    accepted = [v for v in _UNCHANGED_CANDIDATES if UNCHANGED_WHEN[fn](v)]
    assert accepted  # the shortcut is taken for some values
    for value in accepted:
        ctx.warnings.clear()
        result = fn(value, ctx)
        assert result == value and type(result) is type(value) and not ctx.warnings, value


def test_four_doi_spellings_make_one_iri_in_the_output(tmp_path: Path) -> None:
    out = Converted(tmp_path, record("t/1", dataset_schema={"identifier": DOI_SPELLINGS[:4]},
                                     extra_data={"dois": DOI_SPELLINGS[4:6]}))
    study = BASE + "study/t/1"
    assert out.values(study, SCHEMA + "sameAs") == ["https://doi.org/10.5255/UKDA-SN-851986"]
    assert out.values(study, SCHEMA + "identifier") == ["https://doi.org/10.5255/UKDA-SN-851986"]
    doi_nodes = [o.value for o in out.objects(study, "http://www.w3.org/ns/adms#identifier")
                 if "doi" in o.value]
    assert len(doi_nodes) == 1


# -- organisations -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ESRC", "Economic and Social Research Council", "esrc ",
                                  "  Economic  and social research council", "Economic & Social "
                                  "Research Council", {"@type": "Organization", "name": "ESRC"}])
def test_organisation_aliases_share_one_key(ctx: TransformContext, name: Any) -> None:
    found = run("organisation", name, ctx)
    assert found["key"] == "esrc"
    assert found["name"] == "Economic and Social Research Council"
    assert ESRC_ROR in found["same_as"]


def test_unknown_organisations_get_a_spelling_insensitive_key(ctx: TransformContext) -> None:
    a = run("organisation", "University of  Nowhere ", ctx)
    b = run("organisation", {"name": "university of nowhere"}, ctx)
    assert a["key"] == b["key"] == "university-of-nowhere"
    assert a["same_as"] == []


def test_organisation_without_a_name_is_warned_about(ctx: TransformContext) -> None:
    assert run("organisation", {"@type": "Organization", "url": "https://x.org"}, ctx) is None
    assert ctx.warnings


def test_three_spellings_of_esrc_are_one_node_with_its_ror(tmp_path: Path) -> None:
    out = Converted(
        tmp_path,
        record("t/1", dataset_schema={"sponsor": [{"@type": "Organization", "name": "ESRC"}]}),
        record("t/2", dataset_schema={"funder": ["Economic and Social Research Council"]}),
        record("t/3", dataset_schema={"publisher": [{"name": "esrc "}]}))
    esrc = BASE + "organisation/esrc"
    assert out.values(BASE + "study/t/1", SCHEMA + "sponsor") == [esrc]
    assert out.values(BASE + "study/t/2", SCHEMA + "funder") == [esrc]
    assert out.values(BASE + "study/t/3", DCT + "publisher") == [esrc]
    assert ESRC_ROR in out.values(esrc, OWL_SAME_AS)
    organisations = out.subjects("http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                 SCHEMA + "Organization")
    assert organisations == [esrc]
    assert out.values(esrc, "http://xmlns.com/foaf/0.1/name") == \
        ["Economic and Social Research Council"]


# -- temporal coverage ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, start, end", [
    ("2013-12-01/2015-02-28", ("2013-12-01", "date"), ("2015-02-28", "date")),
    ("1996/2005", ("1996", "gYear"), ("2005", "gYear")),
    ("2007-11-01T00:00:00Z/2007-12-01T00:00:00Z", ("2007-11-01", "date"), ("2007-12-01", "date")),
    ("2007-11-01T10:30:00Z/2007-12-01T00:00:00Z", ("2007-11-01T10:30:00Z", "dateTime"),
     ("2007-12-01", "date")),
    ("1993/..", ("1993", "gYear"), None),
    ("../2001", None, ("2001", "gYear")),
    ("2001-03/2001-09", ("2001-03", "gYearMonth"), ("2001-09", "gYearMonth")),
    ("2005", ("2005", "gYear"), ("2005", "gYear")),
    ({"start_year": 2001, "end_year": 2004}, ("2001", "gYear"), ("2004", "gYear")),
    ({"start_year": 2010}, ("2010", "gYear"), None),
])
def test_period_forms_and_datatypes(ctx: TransformContext, value: Any, start: Any, end: Any) -> None:
    found = run("period", value, ctx)
    for key, expected in (("start", start), ("end", end)):
        if expected is None:
            assert key not in found
        else:
            assert found[key] == {"@value": expected[0], "@type": XSD + expected[1]}
    assert ctx.warnings == []


@pytest.mark.parametrize("value", ["sometime", "2001-02-30", "2005-13", "1990s", "/", 3.5, "x/2001"])
def test_unparseable_periods_are_dropped_with_a_warning(ctx: TransformContext, value: Any) -> None:
    assert run("period", value, ctx) is None
    assert ctx.warnings


def test_reversed_interval_is_put_in_order(ctx: TransformContext) -> None:
    found = run("period", "2010/2001", ctx)
    assert (found["start_year"], found["end_year"]) == (2001, 2010)


def test_temporal_coverage_in_the_output(tmp_path: Path) -> None:
    gyear, date = ox.NamedNode(XSD + "gYear"), ox.NamedNode(XSD + "date")
    out = Converted(
        tmp_path,
        record("t/dates", dataset_schema={"temporalCoverage": "2013-12-01/2015-02-28"}),
        record("t/years", dataset_schema={"temporalCoverage": "1996/2005"}),
        record("t/times", dataset_schema={"temporalCoverage": "2007-11-01T00:00:00Z/2007-12-01T00:00:00Z"}),
        record("t/open", dataset_schema={"temporalCoverage": "1993/.."}),
        record("t/fallback", extra_data={"start_year": 2001, "end_year": 2004}),
        record("t/none"))

    def period(name: str) -> tuple[list[ox.Term], list[ox.Term]]:
        node = BASE + f"study/t/{name}#period"
        assert out.values(BASE + f"study/t/{name}", DCT + "temporal") == [node]
        return out.objects(node, DCAT + "startDate"), out.objects(node, DCAT + "endDate")

    assert period("dates") == ([ox.Literal("2013-12-01", datatype=date)],
                               [ox.Literal("2015-02-28", datatype=date)])
    assert period("years") == ([ox.Literal("1996", datatype=gyear)],
                               [ox.Literal("2005", datatype=gyear)])
    assert period("times") == ([ox.Literal("2007-11-01", datatype=date)],
                               [ox.Literal("2007-12-01", datatype=date)])
    assert period("open") == ([ox.Literal("1993", datatype=gyear)], [])
    assert period("fallback") == ([ox.Literal("2001", datatype=gyear)],
                                  [ox.Literal("2004", datatype=gyear)])
    assert out.objects(BASE + "study/t/none", DCT + "temporal") == []
    assert out.values(BASE + "study/t/open", SCHEMA + "temporalCoverage") == ["1993/.."]


# -- countries and languages ---------------------------------------------------------------------

@pytest.mark.parametrize("code, iri", [("GB", "GBR"), ("UK", "GBR"), ("gb", "GBR"), ("GBR", "GBR"),
                                       ("United Kingdom", "GBR"), ("EL", "GRC"), ("FI", "FIN")])
def test_country_codes(ctx: TransformContext, code: str, iri: str) -> None:
    assert run("country", code, ctx)["iri"] == EU + "country/" + iri


@pytest.mark.parametrize("code, iri, tag", [("en", "ENG", "en"), ("EN", "ENG", "en"),
                                            ("eng", "ENG", "en"), ("en-GB", "ENG", "en"),
                                            ("fi", "FIN", "fi"), ("fre", "FRA", "fr")])
def test_language_codes(ctx: TransformContext, code: str, iri: str, tag: str) -> None:
    found = run("language", code, ctx)
    assert (found["iri"], found["tag"]) == (EU + "language/" + iri, tag)


@pytest.mark.parametrize("transform, code", [("country", "XX"), ("country", "Narnia"),
                                             ("language", "zz"), ("language", "qqq")])
def test_unknown_codes_warn(ctx: TransformContext, transform: str, code: str) -> None:
    assert run(transform, code, ctx) is None
    assert code in ctx.warnings[0]


def test_codes_in_the_output(tmp_path: Path) -> None:
    out = Converted(tmp_path, record("t/1", extra_data={"country_codes": ["GB", "UK"],
                                                        "language_codes": ["en"]}))
    study = BASE + "study/t/1"
    assert out.values(study, DCT + "spatial") == [EU + "country/GBR"]
    assert out.values(study, DCT + "language") == [EU + "language/ENG"]
    assert out.objects(study, DCT + "title") == [ox.Literal("Study t/1", language="en")]


# -- text ----------------------------------------------------------------------------------------

HTML_ACCESS = ('UK Data Service <br>\n <a target="_blank" href="https://ukdataservice.ac.uk/x?id=1&amp;y=2">'
               'apply here</a> &amp; <b>read</b> the <i>licence</i>.')


def test_html_is_stripped_and_links_kept(ctx: TransformContext) -> None:
    assert run("html_text", HTML_ACCESS, ctx) == \
        "UK Data Service\napply here <https://ukdataservice.ac.uk/x?id=1&y=2> & read the licence."


def test_text_without_markup_is_left_alone(ctx: TransformContext) -> None:
    assert run("html_text", "  Fish & chips: 3 < 4  ", ctx) == "Fish & chips: 3 < 4"


def test_access_rights_in_the_output(tmp_path: Path) -> None:
    out = Converted(tmp_path, record("t/1", extra_data={"data_access": HTML_ACCESS}))
    text = "UK Data Service\napply here <https://ukdataservice.ac.uk/x?id=1&y=2> & read the licence."
    assert out.values(BASE + "study/t/1", SCHEMA + "conditionsOfAccess") == [text]
    rights = BASE + "study/t/1#access-rights"
    assert out.values(BASE + "study/t/1", DCT + "accessRights") == [rights]
    assert out.values(rights, "http://www.w3.org/2000/01/rdf-schema#label") == [text]
    assert "<a " not in out.stderr


@pytest.mark.parametrize("value, expected", [
    ("a, b;c", ["a", "b", "c"]), ("single", ["single"]), (5, ["5"]), (" , ;", []),
])
def test_keywords(ctx: TransformContext, value: Any, expected: list[str]) -> None:
    assert run("keywords", value, ctx) == expected


@pytest.mark.parametrize("value, expected", [
    ("https://example.org/a)", "https://example.org/a"),
    ("(https://example.org/a_(b))", None),
    ("www.example.org/x", "https://www.example.org/x"),
    ("https://example.org/a b", "https://example.org/a%20b"),
    ("https://example.org/é", "https://example.org/%C3%A9"),
    ("mailto:someone@example.org", None), ("https://localhost/", None), ("", None),
])
def test_urls(ctx: TransformContext, value: str, expected: str | None) -> None:
    assert run("url", value, ctx) == expected


@pytest.mark.parametrize("value, expected", [
    ({"age_lower": 16, "age_upper": 64}, "16-64"), ({"age_lower": 16}, "16-"),
    ({"age_upper": "64"}, "-64"), ({"age_lower": "16", "age_upper": 64.0}, "16-64"),
    ({"age_lower": True}, None), ({"age_lower": "adult"}, None), ({}, None),
])
def test_age_range_agrees_with_the_integer_transform(ctx: TransformContext, value: dict[str, Any],
                                                     expected: str | None) -> None:
    assert run("age_range", value, ctx) == expected


@pytest.mark.parametrize("value, expected", [(3, 3), ("3", 3), (" 4 ", 4), (3.0, 3), ("-2", -2)])
def test_integers(ctx: TransformContext, value: Any, expected: int) -> None:
    assert run("integer", value, ctx) == expected
    assert ctx.warnings == []


@pytest.mark.parametrize("value", [3.5, True, "1e3", "many", [1]])
def test_non_integers_warn(ctx: TransformContext, value: Any) -> None:
    assert run("integer", value, ctx) is None
    assert ctx.warnings


def test_concepts_join_regardless_of_case(ctx: TransformContext) -> None:
    a, b = run("concept", "THIRD SECTOR", ctx), run("concept", "Third  sector ", ctx)
    assert a["key"] == b["key"] == "third-sector"
    assert a["label"] == "THIRD SECTOR"


def test_text_cleaning_warns_and_keeps_the_rest(ctx: TransformContext) -> None:
    assert run("text", "  a\x00b\x1fc\td  ", ctx) == "abc\td"
    assert ctx.warnings


# -- child datasets -----------------------------------------------------------------------------

def test_children_are_studies_linked_both_ways(tmp_path: Path) -> None:
    parent = record("t/p", extra_data={"language_codes": ["en"]})
    parent["child_datasets"] = [{"extra_data": {"harmony_id": "t/c1", "name": "One"}}]
    parent["child_datasets_partial"] = [{"dataset_schema": {"name": "Two"},
                                         "extra_data": {"uuid": "abc123"}}]
    out = Converted(tmp_path, parent)
    p, c1, c2 = BASE + "study/t/p", BASE + "study/t/c1", BASE + "study/abc123"
    assert out.values(p, DCT + "hasPart") == [c2, c1]
    assert out.values(p, SCHEMA + "hasPart") == [c2, c1]
    for child in (c1, c2):
        assert out.values(child, DCT + "isPartOf") == [p]
        assert out.values(child, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") >= \
            [DCAT + "Dataset"]
        graphs = {q.graph_name.value for q in out.quads if q.subject.value == child}
        assert graphs == {child}
    # children inherit the parent's language for their texts
    assert out.objects(c1, DCT + "title") == [ox.Literal("One", language="en")]
