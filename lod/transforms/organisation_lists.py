"""Splitting one organisation value that names several organisations.

Catalogues often write a study's funders as one string: codes or logo names joined by spaces
(``"MRC Wellcome BristolUni"``, ``"DoHSC NHSdigital"``), sometimes as a comma list of names,
sometimes with free text after the list. :func:`split_names` finds the organisations the alias
table knows in such a value, longest alias first, and says which words it did not know.

Whether the value *is* a list is decided conservatively, so that no organisation is ever made
from a fragment of a name the table does not know:

- it names at least one known organisation, and its first word belongs to a known name or
  looks like a code (a person written "Hood, C.C., University of York" is not a list);
- and it names two or more known organisations, or every word left over looks like a code
  (``"MRC FooUni"``: MRC, and the code FooUni the table does not know).

Anything else is not a list: the caller keeps it whole, as one organisation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lod.transforms.tables import Entry, normalise_name

# separators between the names of a list; "_" is not one: it is part of a code (UKRI_MRC)
_WORDS = re.compile(r"[^\s,;/+|()\[\]]+")
# words that join names without being one ("&" inside a word stays: R&D)
_CONNECTORS = frozenset({"and", "&", "und", "et", "with", "the"})
_EDGE_PUNCTUATION = ".:-'\""


@dataclass(frozen=True, slots=True)
class Split:
    """The organisations a list names (in order, each once) and the words left unknown."""

    known: tuple[Entry, ...]
    unknown: tuple[str, ...]


def looks_like_code(word: str) -> bool:
    """``MRC``, ``BristolUni``, ``NHSdigital``, ``UKRI_MRC``, ``H2020``: no spaces, and capitals
    (two or more, or one inside the word), digits or ``_`` where a plain word has none."""
    if not re.fullmatch(r"[A-Za-z0-9_\-.']+", word) or not any(c.isalpha() for c in word):
        return False
    if "_" in word or any(c.isdigit() for c in word):
        return True
    return sum(c.isupper() for c in word) >= 2 or any(c.isupper() for c in word[1:])


def _lookup(words: list[str], index: Mapping[str, Entry]) -> Entry | None:
    text = " ".join(words)
    found = index.get(normalise_name(text))
    if found is None and "_" in text:
        found = index.get(normalise_name(text.replace("_", " ")))
    return found


def split_names(value: str, index: Mapping[str, Entry], max_words: int) -> Split | None:
    """The organisations ``value`` lists, or ``None`` when it is not a list (see the module
    docstring). ``index``: normalised alias → entry; ``max_words``: the longest alias, in words."""
    words = [w.strip(_EDGE_PUNCTUATION) for w in _WORDS.findall(value)]
    words = [w for w in words if w]
    if len(words) < 2:
        return None
    known: list[Entry] = []
    matches = 0
    unknown: list[str] = []
    first_is_known = False
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + max_words), i, -1):
            entry = _lookup(words[i:j], index)
            if entry is not None:
                matches += 1
                first_is_known = first_is_known or i == 0
                if entry not in known:
                    known.append(entry)
                i = j
                break
        else:
            if words[i].lower() not in _CONNECTORS:
                unknown.append(words[i])
            i += 1
    if not known or not (first_is_known or looks_like_code(words[0])):
        return None
    if matches < 2 and not (unknown and all(looks_like_code(w) for w in unknown)):
        return None
    return Split(tuple(known), tuple(dict.fromkeys(unknown)))
