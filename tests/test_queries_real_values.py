"""Places link their country, every gazetteer alias finds its place, funder lists count once
per organisation: named queries over the whole sample corpus (Harmony and DDI), on the
embedded store and on Virtuoso."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lod.store import Store
from tests.paths import VOCAB, ddi_corpus, harmony_corpus
from tests.test_queries import STUDY, ask, column, load_corpus

DDI_1683 = STUDY + "ddi/ukda/1683"
DDI_6684 = STUDY + "ddi/ukda/6684"
AUDIT = STUDY + "ukds/audit-of-political-engagement-5-2007"
APMS = STUDY + "mhc/apms"
ALSPAC = STUDY + "closer/avon-longitudinal-study-of-parents-and-children"


@pytest.fixture
def whole_corpus(store: Store) -> Store:
    load_corpus(store, [str(p) for p in (*harmony_corpus(), *ddi_corpus())])
    return store


def study_rows(store: Store, name: str, **params: str) -> list[str]:
    return column(ask(store, name, **params), "study")


def test_every_british_study_answers_country_gb(whole_corpus: Store) -> None:
    rows = study_rows(whole_corpus, "studies-by-place", country="GB")
    british = set(rows)
    assert len(rows) == len(british)  # one row per study
    # the 13 Harmony studies, and the DDI studies whose nation is Great Britain and England
    assert len(british) == 15 and {DDI_1683, DDI_6684} <= british
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
        assert set(study_rows(whole_corpus, "studies-by-sponsor", sponsor=spelling)) == {ALSPAC}, spelling
    for spelling in ("DoHSC", "NHSdigital", "NHS Digital", "Department of Health and Social Care"):
        assert set(study_rows(whole_corpus, "studies-by-sponsor", sponsor=spelling)) == {APMS}, spelling


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


@pytest.mark.parametrize(("name", "params"), [
    ("studies-by-sponsor", {"sponsor": "esrc"}),
    ("studies-by-place", {"country": "GB"}),
    ("studies-by-keyword", {"keyword": "housing"}),
    ("studies-in-period", {"from": "1900", "to": "2100"}),
])
def test_list_queries_give_one_row_per_study(whole_corpus: Store, name: str, params: dict[str, str]) -> None:
    rows = study_rows(whole_corpus, name, **params)
    assert rows and len(rows) == len(set(rows)), rows
    assert "record_lang" not in ask(whole_corpus, name, **params).variables


def test_esrc_lists_two_studies_and_each_has_one_title(whole_corpus: Store) -> None:
    answer = ask(whole_corpus, "studies-by-sponsor", sponsor="esrc")
    assert len(answer.rows) == 2 and DDI_1683 in column(answer, "study")
    title = next(r["title"] for r in answer.rows if str(r["study"]) == DDI_1683)
    # 1683 has a title per language; its record is in English, so the English one is shown
    assert getattr(title, "language", None) in (None, "en"), title


def test_a_limit_counts_studies_not_rows(whole_corpus: Store) -> None:
    rows = study_rows(whole_corpus, "studies-in-period", **{"from": "1900", "to": "2100"})
    assert len(rows) > 3
    from lod.queries import find_query, prepare
    from lod.queries.run import execute

    limited = execute(whole_corpus, prepare(find_query("studies-in-period"),
                                            {"from": "1900", "to": "2100"}, limit=3))
    assert len(limited.rows) == 3 and limited.more
    assert {str(r["study"]) for r in limited.rows} <= set(rows)


def test_a_study_with_more_titles_than_first_asked_for_still_counts_once(whole_corpus: Store) -> None:
    # lod asks for a few rows per study wanted, then for more: ten titles on one esrc study
    # take it past the first ask, and the answer must still hold each study once.
    titles = "".join(f'<{DDI_1683}> <http://purl.org/dc/terms/title> "Title {i}"@x-t{i} <urn:test:titles> .\n'
                     for i in range(10))
    whole_corpus.add_nquads(titles.encode())
    from lod.queries import find_query, prepare
    from lod.queries.run import execute

    every = execute(whole_corpus, prepare(find_query("studies-by-sponsor"), {"sponsor": "esrc"}, limit=0))
    assert sorted(column(every, "study")) == sorted(set(column(every, "study")))
    assert len(every.rows) == 2
    for limit in (1, 2):
        limited = execute(whole_corpus, prepare(find_query("studies-by-sponsor"), {"sponsor": "esrc"},
                                                limit=limit))
        studies = column(limited, "study")
        assert len(studies) == len(set(studies)) == limit
        assert limited.more == (limit < 2)
