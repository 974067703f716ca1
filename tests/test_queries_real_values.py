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
    # (a set: the lists still give a row per title; see the report of issue 16, part 3)
    british = set(study_rows(whole_corpus, "studies-by-place", country="GB"))
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
