"""Publications as CSL-JSON (one item, an array of items, or JSON Lines of items).

Each item becomes one record (``source="csl"``) in this shape (keys absent when empty)::

    id               str    the item's ``id`` (string or number)
    type             str    CSL type, "article" when missing
    title            str    required: an item without a title is rejected
    authors          [{"name", "given", "family", "affiliations": [str], "position": int}]
                     ``author``; affiliations as Crossref writes them
                     (``affiliation: [{"name": ...}]``, strings accepted too)
    published_in     the innermost part of the container that is known, each part with a
                     ``type`` (issue | volume | periodical), a ``key`` (journal slug / volume /
                     issue) and ``part_of`` the next: ``{"type": "issue", "issue_number":
                     "Suppl 2", "part_of": {"type": "volume", "volume_number": "7",
                     "part_of": {"type": "periodical", "name": "BMJ Open", "issn": ...}}}``
                     (only with a ``container-title``; else ``volume``/``issue`` stay flat)
    page, number, publisher, url, language   str   (``supplement`` becomes the issue
                     "Suppl <n>" when there is no issue)
    issued           str    ISO date (YYYY, YYYY-MM or YYYY-MM-DD) from ``date-parts``,
                     ``raw``, ``literal`` or an EDTF string
    doi              str    the bare DOI (``https://doi.org/``, ``doi:`` prefixes removed)
    abstract         str
    keywords         [str]  ``keyword`` split on commas and semicolons
    about            [{"harmony_id", "doi"}]   the studies the publication is about, from
                     ``custom.about`` (items with ``harmony_id`` and/or ``DOI``)
    citation         str    a Vancouver-style reference built from the fields above
    (other)                 every other CSL variable (``ISBN``, ``PMID``, ``editor`` …) and
                            ``custom`` keys other than ``about``, unchanged

An item needs a ``title`` and an ``id`` or ``DOI`` (to name it); anything else is optional.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lod.readers.limits import oversized, reject, too_big
from lod.records import Origin, Record, Rejected
from lod.transforms.tables import slug

FORMAT = "csl"

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_READ = frozenset({"id", "type", "title", "DOI", "author", "issued", "keyword", "custom",
                   "supplement", "container-title", "volume", "issue", "page", "number",
                   "publisher", "ISSN", "URL", "language", "abstract"})
_TEXT_FIELDS = {"container-title": "container_title", "volume": "volume", "issue": "issue",
                "page": "page", "number": "number", "publisher": "publisher", "ISSN": "issn",
                "URL": "url", "language": "language", "abstract": "abstract"}


def sniff(head: bytes) -> bool:
    """True for JSON that looks like CSL items."""
    return b'"container-title"' in head or (b'"issued"' in head and b'"type"' in head)


def read(data: bytes, name: str) -> Iterator[Record | Rejected]:
    """Yield one record per CSL item in the document."""
    if (problem := too_big(data, name)) is not None:
        yield problem
        return
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield reject(name, f"not UTF-8 text (byte {exc.start})")
        return
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            yield reject(name, f"not JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
            return
        yield from _lines(data, name)
        return
    except RecursionError:
        yield reject(name, "JSON nested too deeply")
        return
    if isinstance(document, list):
        for index, item in enumerate(document):
            yield item_record(item, Origin(name, index=index, pointer=f"/{index}"))
    else:
        yield item_record(document, Origin(name))


def _lines(data: bytes, name: str) -> Iterator[Record | Rejected]:
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield reject(name, f"not JSON: {getattr(exc, 'msg', exc)}", line=number)
            continue
        yield item_record(item, Origin(name, line=number))


def item_record(item: Any, origin: Origin) -> Record | Rejected:
    """One CSL item as a record, or the reason it cannot be one."""
    def bad(message: str, field: str | None = None) -> Rejected:
        pointer = f"{origin.pointer or ''}/{field}" if field else origin.pointer
        return reject(origin.file, message, field=field, line=origin.line, index=origin.index,
                      pointer=pointer, raw=item)

    if not isinstance(item, dict):
        return bad(f"a CSL item must be a JSON object, not {type(item).__name__}")
    if (found := oversized(item)) is not None:
        return bad(found[1], found[0].lstrip("/") or None)
    title = _text(item.get("title"))
    if not title:
        return bad("CSL item has no title", "title")
    data: dict[str, Any] = {"title": title, "type": _text(item.get("type")) or "article"}
    if item.get("id") is not None and not isinstance(item["id"], bool | dict | list):
        data["id"] = str(item["id"]).strip()
    doi = _DOI_PREFIX.sub("", _text(item.get("DOI")))
    if doi:
        data["doi"] = doi
    if not data.get("id") and not doi:
        return bad("CSL item has neither an id nor a DOI to name it", "id")
    for key, out in _TEXT_FIELDS.items():
        if value := _text(item.get(key)):
            data[out] = value
    if "issue" not in data and (supplement := _text(item.get("supplement"))):
        data["issue"] = f"Suppl {supplement}"
    if issued := _date(item.get("issued")):
        data["issued"] = issued
    if authors := [a for a in map(_author, _list(item.get("author"))) if a]:
        data["authors"] = [{**a, "position": i} for i, a in enumerate(authors, start=1)]
    if container := _container(data):
        data["published_in"] = container
    data["citation"] = _citation(data)
    keywords = re.split(r"[,;]", _text(item.get("keyword")))
    if keywords := [k.strip() for k in keywords if k.strip()]:
        data["keywords"] = keywords
    custom = item.get("custom")
    custom = custom if isinstance(custom, dict) else {}
    if about := [a for a in map(_about, _list(custom.get("about"))) if a]:
        data["about"] = about
    if rest := {k: v for k, v in custom.items() if k != "about"}:
        data["custom"] = rest
    # Every other CSL variable is kept as it is: the mapping converts it or reports it.
    data.update({k: v for k, v in item.items() if k not in _READ and v not in (None, "", [], {})})
    return Record(data, origin, source="csl")


def _container(data: dict[str, Any]) -> dict[str, Any] | None:
    """The journal, volume and issue as nested parts (innermost first), when there is a journal."""
    name = data.pop("container_title", None)
    if not name:
        return None
    node: dict[str, Any] = {"type": "periodical", "key": slug(name), "name": name}
    if "issn" in data:
        node["issn"] = data.pop("issn")
    for part in ("volume", "issue"):
        if part in data:
            number = data.pop(part)
            node = {"type": part, "key": f"{node['key']}/{slug(number)}",
                    f"{part}_number": number, "part_of": node}
    return node


def _citation(data: dict[str, Any]) -> str:
    """A Vancouver-style reference: authors. Title. Journal Year;Volume(Issue):Pages. doi."""
    names = [" ".join(filter(None, (a.get("family"), _initials(a.get("given")))))
             or a["name"] for a in data.get("authors", [])]
    parts = [", ".join(names) + "." if names else "", data["title"].rstrip(".") + "."]
    where, node = "", data.get("published_in")
    numbers: dict[str, str] = {}
    while isinstance(node, dict):
        if node["type"] == "periodical":
            where = node["name"]
        else:
            numbers[node["type"]] = node[f"{node['type']}_number"]
        node = node.get("part_of")
    where += f" {data['issued'][:4]}" if "issued" in data else ""
    if numbers:
        where += ";" + numbers.get("volume", "") + (f"({numbers['issue']})" if "issue" in numbers
                                                     else "")
    where += f":{data['page']}" if "page" in data else ""
    parts.append(where.strip() + "." if where.strip() else "")
    parts.append(f"doi:{data['doi']}" if "doi" in data else "")
    return " ".join(p for p in parts if p)


def _initials(given: str | None) -> str:
    return "".join(w[0] for w in (given or "").replace("-", " ").split() if w)


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float | str):
        return " ".join(str(value).split())
    return ""


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _author(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        return {"name": _text(value)} if _text(value) else None
    if not isinstance(value, dict):
        return None
    parts = {k: _text(value.get(k)) for k in ("given", "family", "literal")}
    joined = " ".join(p for p in (parts["given"], parts["family"]) if p)
    name = parts["literal"] or joined
    if not name:
        return None
    author: dict[str, Any] = {"name": name}
    author.update({k: v for k, v in parts.items() if v and k != "literal"})
    affiliations = [_text(a.get("name") if isinstance(a, dict) else a)
                    for a in _list(value.get("affiliation"))]
    if affiliations := [a for a in affiliations if a]:
        author["affiliations"] = affiliations
    return author


def _date(value: Any) -> str:
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                numbers = [int(p) for p in parts[0][:3]]
            except (TypeError, ValueError):
                return ""
            return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
        value = value.get("raw") or value.get("literal") or value.get("edtf")
    text = _text(value)
    match = re.match(r"^(\d{4})(-\d{2}(-\d{2})?)?", text)
    return match.group(0) if match else ""


def _about(value: Any) -> dict[str, str] | None:
    if isinstance(value, str):  # a bare string: a DOI or a Harmony id
        value = {"DOI": value} if _DOI_PREFIX.sub("", value).startswith("10.") else \
            {"harmony_id": value}
    if not isinstance(value, dict):
        return None
    about = {}
    if harmony_id := _text(value.get("harmony_id")):
        about["harmony_id"] = harmony_id
    if doi := _DOI_PREFIX.sub("", _text(value.get("DOI") or value.get("doi"))):
        about["doi"] = doi
    return about or None
