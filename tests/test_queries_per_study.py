"""Named queries that list studies give one row per study, with one title chosen by the
documented rule; places link their country; funder lists count once per organisation.
Run on the embedded store and on Virtuoso, over the whole sample corpus (Harmony and DDI)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from lod.store import Store
from tests.paths import VOCAB, ddi_corpus, harmony_corpus
from tests.test_queries import STUDY, ask, column, load_corpus

DDI_1683 = STUDY + "ddi/ukda/1683"
DDI_6684 = STUDY + "ddi/ukda/6684"
FSD_3187 = STUDY + "ddi/fsd/fsd3187"
SEED = STUDY + "ukds/851986"
AUDIT = STUDY + "ukds/audit-of-political-engagement-5-2007"
APMS = STUDY + "mhc/apms"
ALSPAC = STUDY + "closer/avon-longitudinal-study-of-parents-and-children"
LISTING = {  # every named query that lists studies, with parameters that find several
    "studies-by-sponsor": [{"sponsor": "esrc"}, {"sponsor": "MRC"}, {"sponsor": "NHS Digital"}],
    "studies-by-keyword": [{"keyword": "housing"}],
    "studies-by-place": [{"country": "GB"}, {"country": "FI"}, {"place": "Britain"},
                         {"place": "England"}, {"country": "GB", "place": "Scotland"}],
    "studies-in-period": [{}, {"from": "1970", "to": "1980"}],
}


@pytest.fixture
def whole_corpus(store: Store) -> Store:
    load_corpus(store, [str(p) for p in (*harmony_corpus(), *ddi_corpus())])
    return store


def study_rows(store: Store, name: str, **params: str) -> list[str]:
    return column(ask(store, name, **params), "study")


def titles(store: Store, name: str, **params: str) -> dict[str, str]:
    return {str(r["study"]): str(r["title"]) for r in ask(store, name, **params).rows}


def test_every_listing_query_gives_one_row_per_study(whole_corpus: Store) -> None:
    for name, cases in LISTING.items():
        for params in cases:
            rows = study_rows(whole_corpus, name, **params)
            assert rows, (name, params)
            repeated = [s for s, n in Counter(rows).items() if n > 1]
            assert not repeated, (name, params, repeated)


def test_row_counts_are_per_study(whole_corpus: Store) -> None:
    # DDI 1683 has three titles (one untagged, two Norwegian): it is one row
    assert sorted(study_rows(whole_corpus, "studies-by-sponsor", sponsor="esrc")) == sorted([SEED, DDI_1683])
    # 14 studies of the corpus have a temporal coverage (FSD 3187's two titles and 1683's
    # three gave 17 rows before)
    assert len(study_rows(whole_corpus, "studies-in-period")) == 14


def test_titles_follow_the_rule_on_the_corpus(whole_corpus: Store) -> None:
    by_study = titles(whole_corpus, "studies-in-period")
    # untagged: the record's own language, before the Norwegian ones
    assert by_study[DDI_1683] == "Machinery of Government, 1976-1977"
    # Finnish and English, the record names no language: English
    assert by_study[FSD_3187] == "Development Cooperation Survey 2017"


def test_titles_in_the_records_language_else_english_else_any(store: Store, tmp_path: Path) -> None:
    records = [
        {"@id": "https://example.org/s/fi", "inLanguage": "fi",
         "name": [{"@value": "In English", "@language": "en"}, {"@value": "Suomeksi", "@language": "fi"},
                  {"@value": "Alpha", "@language": "de"}]},
        {"@id": "https://example.org/s/en",
         "name": [{"@value": "Zulu in English", "@language": "en-GB"},
                  {"@value": "Alpha", "@language": "de"}]},
        {"@id": "https://example.org/s/any",
         "name": [{"@value": "Zeta", "@language": "fr"}, {"@value": "Beta", "@language": "de"}]},
        {"@id": "https://example.org/s/sv", "inLanguage": ["fi", "sv"],
         "name": [{"@value": "Svenska", "@language": "sv"}, {"@value": "English", "@language": "en"}]},
    ]
    path = tmp_path / "titles.jsonld"
    path.write_text(json.dumps([{"@context": "https://schema.org", "@type": "Dataset", "description": "d",
                                 "funder": {"@type": "Organization", "name": "Title Rule Fund"}, **r}
                                for r in records]), encoding="utf-8")
    load_corpus(store, [str(path)])
    got = sorted(titles(store, "studies-by-sponsor", sponsor="title rule fund").values())
    assert got == ["Beta", "Suomeksi", "Svenska", "Zulu in English"]


def test_every_british_study_answers_country_gb(whole_corpus: Store) -> None:
    british = study_rows(whole_corpus, "studies-by-place", country="GB")
    # the 13 Harmony studies, and the DDI studies whose nation is Great Britain and England
    assert len(british) == 15 and {DDI_1683, DDI_6684} <= set(british)
    coverage = [(str(r["dimension"]), str(r["value"]), int(r["studies"]))
                for r in ask(whole_corpus, "coverage").rows]
    assert coverage[0] == ("country", "GB", 15)
    assert set(study_rows(whole_corpus, "studies-by-place", place="Britain")) == {DDI_1683, AUDIT}


def test_funder_lists_count_once_per_organisation(whole_corpus: Store) -> None:
    counts = {str(r["sponsor"]).rsplit("/", 1)[-1]: int(r["studies"])
              for r in ask(whole_corpus, "sponsors").rows}
    assert counts["mrc"] == counts["wellcome"] == counts["university-of-bristol"] == 1
    assert counts["dhsc"] == counts["nhs-digital"] == 1 and counts["esrc"] == 2
    assert not [key for key in counts if key in ("mrc-wellcome-bristoluni", "dohsc-nhsdigital")]
    for spelling in ("MRC", "Medical Research Council", "Wellcome", "BristolUni", "University of Bristol"):
        assert study_rows(whole_corpus, "studies-by-sponsor", sponsor=spelling) == [ALSPAC], spelling
    for spelling in ("DoHSC", "NHSdigital", "NHS Digital", "Department of Health and Social Care"):
        assert study_rows(whole_corpus, "studies-by-sponsor", sponsor=spelling) == [APMS], spelling


def test_every_alias_in_the_places_table_finds_its_place(store: Store, tmp_path: Path) -> None:
    entries = yaml.safe_load((VOCAB / "tables" / "places.yaml").read_text(encoding="utf-8"))["entries"]
    path = tmp_path / "places.jsonl"
    path.write_text("".join(json.dumps({
        "dataset_schema": {"@type": "Dataset", "name": f"Covers {e['name']}"},
        "extra_data": {"harmony_id": f"place/{key}", "geographic_coverage": e["name"]}}) + "\n"
        for key, e in entries.items()), encoding="utf-8")
    load_corpus(store, [str(path)])
    for key, entry in entries.items():
        for alias in (entry["name"], *(entry.get("aliases") or ())):
            assert STUDY + f"place/{key}" in study_rows(store, "studies-by-place", place=alias), alias
        country = entry["country"]
        assert STUDY + f"place/{key}" in study_rows(store, "studies-by-place", country=country), key
