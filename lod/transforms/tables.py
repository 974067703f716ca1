"""Lookup tables from ``vocabularies/``: organisation aliases, catalogues, places, code lists.

Loaded once per run into a :class:`Tables` object that transforms receive through their
context. Lookups are memoised on the instance (no module-level state).
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lod.errors import MappingError
from lod.resources import load_yaml, vocabulary

_NON_WORD = re.compile(r"[^\w]+")
# each ASCII character that is not a word character (\w) → "-" (translate beats re.sub here)
_ASCII_NON_WORD_TO_DASH = str.maketrans({c: "-" for c in map(chr, range(128)) if not re.fullmatch(r"\w", c)})


def normalise_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'University of Bristol ' → 'university of bristol'."""
    # NFKC leaves ASCII as it is, and ASCII case-folds as it lower-cases
    folded = name.lower() if name.isascii() else unicodedata.normalize("NFKC", name).casefold()
    return " ".join(_NON_WORD.sub(" ", folded.replace("&", " and ")).split())


def slug(text: str, max_len: int = 80) -> str:
    """IRI-safe slug: 'Economic and Social Research Council' → 'economic-and-social-research-council'."""
    if text.isascii():  # what the general way below gives, in fewer steps
        dashed = text.lower().replace("&", " and ").translate(_ASCII_NON_WORD_TO_DASH)
        while "--" in dashed:
            dashed = dashed.replace("--", "-")
        out = dashed.strip("-")[:max_len].strip("-")
        return out or "h-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    name = normalise_name(text)
    ascii_text = name if name.isascii() else \
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = "-".join(ascii_text.split())[:max_len].strip("-")
    # Names with no ASCII letters or digits (e.g. only CJK) still get a stable key.
    return out or "h-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Entry:
    """A table entry: stable key, preferred name, aliases and equivalent IRIs."""

    key: str
    name: str
    same_as: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    extra: tuple[tuple[str, Any], ...] = ()

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.extra).get(name, default)


def _load_entries(path: Path) -> dict[str, Entry]:
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot load table: {exc}") from exc
    index: dict[str, Entry] = {}
    for key, raw in (doc.get("entries") or {}).items():
        entry = Entry(
            key=str(key), name=str(raw["name"]),
            same_as=tuple(raw.get("same_as") or ()),
            aliases=tuple(raw.get("aliases") or ()),
            extra=tuple(sorted((k, v) for k, v in raw.items()
                               if k not in ("name", "same_as", "aliases"))),
        )
        for alias in (entry.name, key, *entry.aliases):
            index[normalise_name(str(alias))] = entry
    return index


@dataclass(frozen=True, slots=True)
class Code:
    """A row of a code list (``countries.csv``, ``languages.csv``): the attributes lod reads
    from the pycountry record the row was made from (``common_name`` is the name where the
    record has none)."""

    alpha_2: str
    alpha_3: str
    name: str
    common_name: str


def _load_codes(path: Path, case: Callable[[str], str]) -> dict[str, Code]:
    """A code list, by its two-letter and its three-letter codes (in ``case``)."""
    try:
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
    except OSError as exc:
        raise MappingError(f"{path}: cannot load code list: {exc}") from exc
    index: dict[str, Code] = {}
    for row in rows:
        code = Code(row["alpha_2"], row["alpha_3"], row["name"], row.get("common_name") or row["name"])
        index[case(code.alpha_2)] = index[case(code.alpha_3)] = code
    return index


@dataclass
class Tables:
    organisations: dict[str, Entry]
    catalogues: dict[str, Entry]
    places: dict[str, Entry]
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # ISO 3166 and ISO 639 codes (two- and three-letter) read without loading pycountry's
    # databases, which takes 35-60 ms in every process; anything else goes to pycountry
    countries: dict[str, Code] = field(default_factory=dict)  # by upper-case code
    languages: dict[str, Code] = field(default_factory=dict)  # by lower-case code
    # the longest organisation alias, in words: how far a list of names is looked ahead
    organisation_words: int = 1

    @classmethod
    def load(cls, folder: Path | None = None) -> Tables:
        base = folder or vocabulary("tables")
        organisations = _load_entries(base / "organisations.yaml")
        return cls(
            organisations=organisations,
            organisation_words=max((len(k.split()) for k in organisations), default=1),
            catalogues=_load_entries(base / "catalogues.yaml"),
            places=_load_entries(base / "places.yaml"),
            countries=_load_codes(base / "countries.csv", str.upper),
            languages=_load_codes(base / "languages.csv", str.lower),
        )

    def country(self, code: str) -> Any:
        """ISO 3166 alpha-2/alpha-3 code or English name → pycountry record or its
        :class:`Code` (UK → GB, EL → GR)."""
        code = code.strip()
        alias = {"UK": "GB", "EL": "GR"}.get(code.upper(), code)
        if len(alias) in (2, 3) and (listed := self.countries.get(alias.upper())) is not None:
            return listed
        import pycountry  # here, not at the top: it takes longer to import than most of lod

        for lookup in (lambda c: pycountry.countries.get(alpha_2=c.upper()) if len(c) == 2 else None,
                       lambda c: pycountry.countries.get(alpha_3=c.upper()) if len(c) == 3 else None):
            found = lookup(alias)
            if found is not None:
                return found
        try:
            return pycountry.countries.lookup(alias)
        except LookupError:
            return None

    def country_named(self, name: str) -> Code | None:
        """The country whose English name (or common name) ``name`` is, in any case and
        spacing: "united kingdom", "Finland". Codes are not names: "NI" is no country here."""
        key = normalise_name(name)
        if len(key) <= 3:
            return None
        memo_key = ("country names",)
        if memo_key not in self.memo:
            self.memo[memo_key] = {normalise_name(n): code for code in self.countries.values()
                                   for n in (code.name, code.common_name)}
        found: Code | None = self.memo[memo_key].get(key)
        return found

    def language(self, code: str) -> Any:
        """ISO 639 code (two letters, three, or bibliographic) or English name → pycountry
        record or its :class:`Code`."""
        code = code.strip().split("-")[0].split("_")[0].lower()
        if len(code) in (2, 3) and (listed := self.languages.get(code)) is not None:
            return listed
        import pycountry

        if len(code) == 2:
            return pycountry.languages.get(alpha_2=code)
        if len(code) == 3:
            return pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
        try:
            return pycountry.languages.lookup(code)
        except LookupError:
            return None
