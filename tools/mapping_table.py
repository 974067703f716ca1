"""Render a mapping file as a Markdown field → RDF table (for README.md).

    python tools/mapping_table.py mappings/harmony.yaml
"""

from __future__ import annotations

import sys

from lod.mapping.spec import FieldSpec, Mapping, load_mapping


def _curie(iri: str, mapping: Mapping) -> str:
    for prefix, ns in sorted(mapping.prefixes.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def _object(spec: FieldSpec, mapping: Mapping) -> str:
    if spec.node:
        node = mapping.nodes[spec.node]
        types = ", ".join(_curie(t, mapping) for t in node.types)
        inner = "; ".join(
            f"{f.label} → {', '.join(_curie(p, mapping) for p in f.to)}" for f in node.fields if f.to)
        return f"node `{node.iri}` ({types}): {inner}"
    if spec.iri is not None:
        return "IRI" + (f" `{spec.iri}`" if spec.iri else "")
    if spec.datatype:
        return f"literal ^^{_curie(spec.datatype, mapping)}"
    return "literal" + ("@lang" if spec.lang else "")


def table(mapping: Mapping) -> str:
    rows = ["| source field | transform | RDF | object |", "|---|---|---|---|"]
    for spec in mapping.fields:
        predicates = [_curie(p, mapping) for p in spec.to] + [
            f"^{_curie(p, mapping)}" for p in spec.inverse]
        transform = " → ".join(spec.transforms) + (f" ({spec.pick})" if spec.pick else "")
        source = spec.label.replace("|", ", ")
        rows.append(f"| `{source}` | {transform} | {', '.join(predicates)} | {_object(spec, mapping)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(load_mapping(sys.argv[1] if len(sys.argv) > 1 else "harmony")))
