"""Organisation values that list several organisations, and the organisation table itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from lod.transforms.agents import organisation
from lod.transforms.organisation_lists import looks_like_code, split_names
from lod.transforms.registry import TransformContext
from lod.transforms.tables import Tables, normalise_name
from tests.paths import VOCAB

ROR = re.compile(r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
FUNDREF = re.compile(r"^https://doi\.org/10\.13039/\d+$")


@pytest.fixture(scope="module")
def tables() -> Tables:
    return Tables.load()


def keys(value: Any, tables: Tables) -> tuple[list[str], list[str]]:
    ctx = TransformContext(tables=tables, base="https://example.org/id/")
    found = organisation(value, ctx)
    found = found if isinstance(found, list) else [found]
    return [f["key"] for f in found], ctx.warnings


@pytest.mark.parametrize(("value", "expected"), [
    ("MRC Wellcome BristolUni", ["mrc", "wellcome", "university-of-bristol"]),
    ("DoHSC NHSdigital", ["dhsc", "nhs-digital"]),
    ("NHS Digital, NatCen Social Research & University of Leicester",
     ["nhs-digital", "natcen", "university-of-leicester"]),
    ("National Institute for Health Research, King's College London", ["nihr", "kcl"]),
    ("UKRI_MRC ESRC", ["mrc", "esrc"]),                    # "_" for a space inside a code
    ("UKRI_ESRC", ["esrc"]),
    ("HSC R&D NI, Health and Care Research Wales", ["hsc-rd-ni", "hcrw"]),
    ("Medical Research Council Wellcome Trust", ["mrc", "wellcome"]),
    ("MRC Medical Research Council", ["mrc"]),             # two spellings, one organisation
    ("EPSRC AHRC H2020", ["epsrc", "ahrc", "horizon-2020"]),
])
def test_lists_give_one_node_per_known_organisation(tables: Tables, value: str, expected: list[str]) -> None:
    assert keys({"@type": "Organization", "name": value}, tables) == (expected, [])


@pytest.mark.parametrize(("value", "expected", "unknown"), [
    ("MRC Wellcome FooUni", ["mrc", "wellcome"], ["FooUni"]),
    ("MRC FooUni", ["mrc"], ["FooUni"]),                   # one known, the rest a code
    ("ESRC MRC (core funding, grant 1234)", ["esrc", "mrc"], ["core", "funding", "grant", "1234"]),
])
def test_unknown_words_of_a_list_are_dropped_with_a_warning_naming_them(
        tables: Tables, value: str, expected: list[str], unknown: list[str]) -> None:
    found, warnings = keys(value, tables)
    assert found == expected
    assert len(warnings) == 1 and value in warnings[0]
    assert all(repr(word) in warnings[0] for word in unknown), warnings


@pytest.mark.parametrize("value", [
    "Hansard Society, Parliament and Government Programme",  # a known name and an unknown part
    "Hood, C.C., University of York. Institute of Social and Economic Research",  # a person
    "MRC Epidemiology Unit",                                 # a unit named after its council
    "Home Office. Research and Statistics Directorate",
    "Professor Ann Example, Professor Bo Example",
    "The MRC",
    "Some Local Charity Trust",
])
def test_values_that_are_not_lists_stay_one_organisation_as_written(tables: Tables, value: str) -> None:
    found, warnings = keys(value, tables)
    assert found == [normalise_name(value).replace(" ", "-")] and warnings == []


def test_a_person_is_never_split(tables: Tables) -> None:
    assert keys({"@type": "Person", "name": "MRC ESRC"}, tables) == (["mrc-esrc"], [])


def test_warnings_come_again_for_every_record_that_has_the_value(tables: Tables) -> None:
    ctx = TransformContext(tables=tables, base="https://example.org/id/")
    organisation("MRC FooUni", ctx)
    organisation("MRC FooUni", ctx)  # remembered, and warned about again
    assert len(ctx.warnings) == 2


def test_what_looks_like_a_code() -> None:
    assert all(map(looks_like_code, ["MRC", "BristolUni", "NHSdigital", "UKRI_MRC", "H2020", "DoHSC"]))
    assert not any(map(looks_like_code, ["Unit", "Epidemiology", "and", "123", "C.", "core"]))


def test_split_names_is_bounded_by_the_longest_alias(tables: Tables) -> None:
    # a long hostile value is looked at a few words at a time, never as every span of it
    value = " ".join(["MRC", "Wellcome"] * 5_000)
    split = split_names(value, tables.organisations, tables.organisation_words)
    assert split is not None and [e.key for e in split.known] == ["mrc", "wellcome"]


def test_the_table_has_one_organisation_per_spelling_and_checked_identifiers() -> None:
    doc = yaml.safe_load((VOCAB / "tables" / "organisations.yaml").read_text(encoding="utf-8"))
    owner: dict[str, str] = {}
    for key, entry in doc["entries"].items():
        for spelling in (key, entry["name"], *(entry.get("aliases") or ())):
            folded = normalise_name(str(spelling))
            assert owner.setdefault(folded, key) == key, f"{spelling!r} names {owner[folded]} and {key}"
        for iri in entry.get("same_as") or ():
            assert ROR.match(iri) or FUNDREF.match(iri), (key, iri)
    assert len(doc["entries"]) >= 100
    for code in ("ahrc", "bbsrc", "epsrc", "esrc", "innovate-uk", "mrc", "nerc", "stfc", "research-england",
                 "nihr", "dhsc", "nhs-england", "ukhsa", "hdruk", "wellcome", "cruk", "bhf", "cso", "hcrw",
                 "hsc-rd-ni", "horizon-2020", "horizon-europe", "fp7", "erc", "nia", "nichd", "nimh",
                 "nhlbi", "nci", "gates-foundation", "leverhulme", "nuffield-foundation", "jrf"):
        assert code in doc["entries"], code
