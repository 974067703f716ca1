"""DDI Codebook elements → values of the DDI record (helpers of :mod:`lod.readers.ddi`).

Elements are matched by local name; ``xml:lang`` is inherited down the tree; texts become
plain strings or ``{"@value", "@language"}`` value objects, with markup turned into text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree.ElementTree import Element

from lod.readers import text
from lod.transforms.tables import slug

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOI_AGENCIES = frozenset({"doi", "datacite"})

Value = str | dict[str, str]


def local(tag: Any) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class Book:
    """Finds elements by local-name paths below one element, with inherited xml:lang."""

    def __init__(self, root: Element, lang: str | None) -> None:
        self.root = root
        self.lang = lang
        self.languages: list[str] = []

    def find(self, path: str) -> Iterator[tuple[Element, str | None]]:
        steps = path.split("/")
        frontier = [(self.root, self.lang)]
        for step in steps:
            frontier = [(child, child.get(XML_LANG, lang)) for element, lang in frontier
                        for child in element if local(child.tag) == step]
        for element, lang in frontier:
            if lang and lang not in self.languages:
                self.languages.append(lang)
            yield element, lang

    def texts(self, path: str, *, prose: bool = False) -> list[Value]:
        return unique(v for e, lang in self.find(path) if (v := text_value(e, lang, prose)))

    def items(self, path: str, build: Callable[[Element, str | None], dict[str, Any] | None]
              ) -> list[dict[str, Any]]:
        return unique(item for e, lang in self.find(path) if (item := build(e, lang)))


def own_text(element: Element) -> str:
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return "".join(parts)


def text_value(element: Element, lang: str | None, prose: bool = False) -> Value | None:
    raw = own_text(element)
    value = text.prose(raw)[0] if prose else text.line(text.prose(raw)[0])
    if not value:
        return None
    return {"@value": value, "@language": lang} if lang else value


def unique(values: Iterator[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def attrs(element: Element, **names: str) -> dict[str, str]:
    return {key: text.line(element.get(attr) or "") for key, attr in names.items()
            if (element.get(attr) or "").strip()}


def named(**names: str) -> Callable[[Element, str | None], dict[str, Any] | None]:
    def build(element: Element, lang: str | None) -> dict[str, Any] | None:
        value = text_value(element, lang)
        return {"name": value, **attrs(element, **names)} if value else None
    return build


def term_item(element: Element, lang: str | None) -> dict[str, Any] | None:
    value = text_value(element, lang)
    found = attrs(element, vocab="vocab", vocab_uri="vocabURI", id="ID")
    if not value and "id" in found:  # FSD writes some keywords as an ID only
        value = found["id"].replace("_", " ")
        value = {"@value": value, "@language": lang} if lang else value
    return {"value": value, **found} if value else None


def concept_item(element: Element, lang: str | None) -> dict[str, Any] | None:
    label = text_value(element, lang)
    if not label:
        return None
    item: dict[str, Any] = {"label": [label]}
    for child in element:
        if local(child.tag) == "concept" and (child.text or "").strip():
            item["concept"] = text.line(child.text or "")
            item.update(attrs(child, vocab="vocab", vocab_uri="vocabURI"))
            break
    item["key"] = slug(item.get("concept") or plain(label))
    return item


def merge_concepts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per concept: the same term in several languages gets all its labels."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        if item["key"] in merged:
            labels = merged[item["key"]]["label"]
            labels.extend(v for v in item["label"] if v not in labels)
        else:
            merged[item["key"]] = {**item, "label": list(item["label"])}
    return list(merged.values())


def plain(value: Value) -> str:
    return value["@value"] if isinstance(value, dict) else value


def event_item(element: Element, lang: str | None) -> dict[str, Any] | None:
    item = attrs(element, event="event", date="date", cycle="cycle")
    label = text.line(own_text(element))
    if label:
        item["text"] = label
    return item or None


def span(events: list[dict[str, Any]]) -> str | None:
    """The ISO 8601 interval the dated events cover (``..`` for an open end), or None."""
    starts = [e["date"] for e in events if "date" in e and e.get("event", "single") != "end"]
    ends = [e["date"] for e in events if "date" in e and e.get("event", "single") != "start"]
    if not starts and not ends:
        return None
    return f"{min(starts) if starts else '..'}/{max(ends) if ends else '..'}"


def idno_item(element: Element) -> dict[str, str] | None:
    value = text.line(element.text or "")
    return {"value": value, **attrs(element, agency="agency")} if value else None


def is_doi(identifier: dict[str, str]) -> bool:
    value = identifier["value"].lower()
    return (identifier.get("agency", "").lower() in DOI_AGENCIES or value.startswith("10.")
            or "doi.org/10." in value or value.startswith("doi:"))


def series_item(element: Element, lang: str | None) -> dict[str, Any] | None:
    book = Book(element, lang)
    names = book.texts("serName")
    if not names:
        return None
    item: dict[str, Any] = {"name": names}
    uri = (element.get("URI") or "").strip()
    if uri:
        item["uri"] = [uri]
    ids = [e.get("ID") for e in (element, *element) if e.get("ID")]
    item["key"] = slug(uri.split("?")[0] if uri else ids[0] if ids else plain(names[0]))
    if infos := book.texts("serInfo", prose=True):
        item["info"] = infos
    return item


def merge_series(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per series: FSD describes a series once per language."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        into = merged.setdefault(item["key"], {"key": item["key"]})
        for field in ("name", "uri", "info"):
            values = into.setdefault(field, [])
            values.extend(v for v in item.get(field, []) if v not in values)
    return [{k: v for k, v in item.items() if v} for item in merged.values()]


def contact_item(element: Element, lang: str | None) -> dict[str, Any] | None:
    found, links = text.prose(own_text(element))
    name = found or (links[0] if links else "")
    if not name:
        return None
    item: dict[str, Any] = {"name": {"@value": name, "@language": lang} if lang else name}
    if links:
        item["url"] = links[0]
    item.update(attrs(element, email="email", affiliation="affiliation"))
    item["key"] = slug(item.get("email") or item.get("url") or name)
    if "email" in item and not item["email"].lower().startswith("mailto:"):
        item["email"] = "mailto:" + item["email"]
    return item


def references(texts: list[Value]) -> list[dict[str, Any]]:
    """Free-text references, one per paragraph (UKDS lists several in one element), keyed."""
    out: list[dict[str, Any]] = []
    for value in texts:
        lang = value.get("@language") if isinstance(value, dict) else None
        for part in plain(value).split("\n\n"):
            part = " ".join(part.split())
            if part:
                digest = hashlib.sha1(part.encode("utf-8")).hexdigest()[:10]
                out.append({"label": {"@value": part, "@language": lang} if lang else part,
                            "key": f"{slug(part, 40)}-{digest}"})
    return unique(iter(out))


def universe_item(element: Element, lang: str | None) -> dict[str, Any] | None:
    value = text_value(element, lang)
    return {"value": value, **attrs(element, clusion="clusion")} if value else None
