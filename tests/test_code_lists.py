"""The country and language code lists (vocabularies/tables/*.csv) give what pycountry gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pycountry
import pytest

from lod.transforms.tables import Tables

TABLES = Path(__file__).resolve().parent.parent / "vocabularies" / "tables"


@pytest.fixture(scope="module")
def listed() -> Tables:
    return Tables.load()


@pytest.fixture(scope="module")
def unlisted() -> Tables:
    """Tables without code lists: every code goes to pycountry, as before the lists."""
    full = Tables.load()
    return Tables(organisations=full.organisations, catalogues=full.catalogues, places=full.places)


def _country(found: object) -> tuple[str, str, str, str] | None:
    if found is None:
        return None
    name = found.name  # type: ignore[attr-defined]
    return found.alpha_2, found.alpha_3, name, getattr(found, "common_name", name)  # type: ignore[attr-defined]


def _language(found: object) -> tuple[str | None, str | None, str] | None:
    if found is None:
        return None
    return getattr(found, "alpha_2", None), getattr(found, "alpha_3", None), found.name  # type: ignore[attr-defined]


def test_the_lists_are_what_the_tool_makes_from_pycountry(tmp_path: Path) -> None:
    tool = Path(__file__).resolve().parent.parent / "tools" / "make_code_lists.py"
    subprocess.run([sys.executable, str(tool), str(tmp_path)], check=True, capture_output=True)
    for name in ("countries.csv", "languages.csv"):
        assert (tmp_path / name).read_bytes() == (TABLES / name).read_bytes(), \
            f"{name} differs from pycountry {pycountry.__version__}: run tools/make_code_lists.py"


def test_the_lists_hold_every_country_and_every_two_letter_language(listed: Tables) -> None:
    assert {c.alpha_2 for c in listed.countries.values()} == {c.alpha_2 for c in pycountry.countries}
    assert {c.alpha_2 for c in listed.languages.values()} == \
        {x.alpha_2 for x in pycountry.languages if hasattr(x, "alpha_2")}


def _country_inputs() -> list[str]:
    codes = [c.alpha_2 for c in pycountry.countries] + [c.alpha_3 for c in pycountry.countries]
    return [*codes, *(c.lower() for c in codes), " gb ", "UK", "uk", "EL", "el", "United Kingdom",
            "Germany", "XX", "XXX", "Atlantis", "G", ""]


def _language_inputs() -> list[str]:
    codes = [x.alpha_2 for x in pycountry.languages if hasattr(x, "alpha_2")]
    codes += [x.alpha_3 for x in pycountry.languages if hasattr(x, "alpha_2")]
    return [*codes, *(c.upper() for c in codes), "en-GB", "pt_BR", " de ", "fre", "ger", "cym",
            "sco", "English", "zz", "qqq", "e", ""]


def test_countries_read_from_the_list_are_what_pycountry_gives(listed: Tables, unlisted: Tables) -> None:
    for code in _country_inputs():
        assert _country(listed.country(code)) == _country(unlisted.country(code)), code


def test_languages_read_from_the_list_are_what_pycountry_gives(listed: Tables, unlisted: Tables) -> None:
    for code in _language_inputs():
        assert _language(listed.language(code)) == _language(unlisted.language(code)), code


def test_listed_codes_do_not_load_pycountry() -> None:
    probe = ("import sys; from lod.transforms.tables import Tables; t = Tables.load(); "
             "assert t.country('UK').alpha_3 == 'GBR' and t.language('en-GB').alpha_3 == 'eng'; "
             "assert t.country('FRA').name == 'France'; "
             "print('pycountry' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
