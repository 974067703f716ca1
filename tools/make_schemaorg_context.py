"""Generate the bundled schema.org JSON-LD context from the schema.org Turtle release.

Usage::

    python tools/make_schemaorg_context.py ../shared/vocab/schemaorg-current-https.ttl \
        vocabularies/contexts/schemaorg.jsonld

The context maps every schema.org class and property name to its ``https://schema.org/`` IRI
(``@vocab`` plus an explicit term per name, so the file also lists what exists). Properties
whose only declared range is ``schema:URL`` are coerced to IRIs (``"@type": "@id"``), as the
context schema.org serves does. Superseded terms are kept: publishers still use them.
The output is deterministic (sorted keys), so re-running on the same release gives the same file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace, URIRef

SCHEMA = Namespace("https://schema.org/")


def build_context(graph: Graph) -> dict[str, object]:
    terms: dict[str, object] = {}
    for kind in (RDFS.Class, RDF.Property):
        for subject in graph.subjects(RDF.type, kind):
            if not isinstance(subject, URIRef) or not str(subject).startswith(str(SCHEMA)):
                continue
            name = str(subject)[len(str(SCHEMA)):]
            if not name or "/" in name:
                continue
            ranges = set(graph.objects(subject, SCHEMA.rangeIncludes))
            if kind == RDF.Property and ranges == {SCHEMA.URL}:
                terms[name] = {"@id": f"schema:{name}", "@type": "@id"}
            else:
                terms.setdefault(name, f"schema:{name}")
    context: dict[str, object] = {"@vocab": str(SCHEMA), "schema": str(SCHEMA)}
    context.update(sorted(terms.items()))
    return {"@context": context}


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    graph = Graph()
    graph.parse(argv[1], format="turtle")
    out = Path(argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build_context(graph), indent=1, ensure_ascii=False, sort_keys=False)
    out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
