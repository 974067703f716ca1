"""N-Triples literal escaping: every character N-Triples requires escaped, in every mix,
read back by a strict parser to the original text."""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest

from lod.converter import ntriples as nt

SPECIAL = ["\\", '"', "\n", "\r"]
PIECES = [*SPECIAL, "a", "é", "\\n", '\\"', " ", "\t"]


def _read_back(term: str) -> ox.Literal:
    quads = list(ox.parse(f"<http://x/s> <http://x/p> {term} .\n".encode(), format=ox.RdfFormat.N_TRIPLES))
    assert len(quads) == 1
    literal = quads[0].object
    assert isinstance(literal, ox.Literal)
    return literal


@pytest.mark.parametrize("text", ["".join(p) for p in itertools.product(PIECES, repeat=3)])
def test_escaped_text_reads_back_unchanged(text: str) -> None:
    assert _read_back(nt.literal(text)).value == text


def test_long_text_with_every_special_character() -> None:
    text = ("<p>Wave 1 \"pilot\" \\ C:\\data\r\n" + "Tutkimus seuraa edustavaa otosta. " * 100) * 4
    escaped = nt.escape(text)
    assert not any(c in escaped for c in "\n\r")
    assert _read_back(nt.literal(text, lang="fi")).value == text
    assert _read_back(nt.literal(text, lang="fi")).language == "fi"


def test_text_without_special_characters_is_returned_as_is() -> None:
    text = "Medical Research Council"
    assert nt.escape(text) is text
