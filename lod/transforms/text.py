"""Text, number, boolean and URL transforms."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

from lod.converter.ntriples import is_valid_iri
from lod.transforms.registry import TransformContext, transform
from lod.transforms.tables import normalise_name, slug

# Characters XML 1.0 cannot carry (so RDF/XML could not either), and lone UTF-16 surrogates
# (valid in JSON escapes, not encodable as UTF-8). Tab, new line and carriage return stay.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _writable(raw: str) -> bool:
    """No control characters or lone surrogates; printable ASCII (most text) is known so from
    two C-speed checks, before the regex is tried."""
    return (raw.isascii() and raw.isprintable()) or _UNWRITABLE.search(raw) is None


def clean_text(raw: str, ctx: TransformContext, what: str) -> str:
    """``raw`` without control characters and lone surrogates (warned about, never silent)."""
    if _writable(raw):
        return raw
    cleaned = _UNWRITABLE.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", raw)
    ctx.warn(f"removed control characters or broken surrogates from {what} {cleaned[:60]!r}")
    return cleaned


def _scalar_text(value: Any, ctx: TransformContext, what: str) -> str | None:
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return clean_text(value, ctx, what)
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return clean_text(value["name"], ctx, what)
    ctx.warn(f"expected text for {what}, got {type(value).__name__}; dropped")
    return None


def plain_text(value: Any) -> bool:
    """Printable ASCII with no space at either end: what ``text`` gives back as it is."""
    return (type(value) is str and value != "" and value.isascii() and value.isprintable()
            and value[0] != " " and value[-1] != " ")


@transform("text", unchanged_when=plain_text)
def text(value: Any, ctx: TransformContext) -> Any:
    """Trimmed text; value objects (``{"@value", "@language"}``) keep their language."""
    if type(value) is str and _writable(value):  # the usual case, directly
        return value.strip() or None
    if isinstance(value, dict) and "@value" in value:
        inner = text(value["@value"], ctx)
        return None if inner is None else {**value, "@value": inner}
    raw = _scalar_text(value, ctx, "text")
    if raw is None:
        return None
    stripped = raw.strip()
    return stripped or None


@transform("keywords")
def keywords(value: Any, ctx: TransformContext) -> Any:
    """A keyword list item, or a comma/semicolon-separated string of them."""
    if isinstance(value, dict) and "@value" in value:
        return [{**value, "@value": k} for k in keywords(value["@value"], ctx) or []]
    raw = _scalar_text(value, ctx, "keyword")
    if raw is None:
        return None
    parts = [p.strip() for p in re.split(r"[,;]", raw)] if ("," in raw or ";" in raw) else [raw.strip()]
    return [p for p in parts if p]


class _TextWithLinks(HTMLParser):
    """Collects text; a link becomes 'label <href>' so no URL is lost."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag == "p":
            self.parts.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            label = " ".join("".join(self.link_text).split())
            if self.href and self.href != label:
                self.parts.append(f"{label} <{self.href}>" if label else f"<{self.href}>")
            else:
                self.parts.append(label)
            self.href = None

    def handle_data(self, data: str) -> None:
        (self.link_text if self.href is not None else self.parts).append(data)


@transform("html_text")
def html_text(value: Any, ctx: TransformContext) -> Any:
    """HTML to plain text, keeping every link target in angle brackets."""
    raw = text(value, ctx)
    if not isinstance(raw, str) or "<" not in raw:
        return raw
    parser = _TextWithLinks()
    parser.feed(raw)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line) or None


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_bool(value: Any) -> bool:
    return type(value) is bool


@transform("integer", unchanged_when=_is_int)
def integer(value: Any, ctx: TransformContext) -> Any:
    if isinstance(value, bool):
        ctx.warn(f"expected a whole number, got {value!r}; dropped")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    ctx.warn(f"expected a whole number, got {value!r}; dropped")
    return None


@transform("boolean", unchanged_when=_is_bool)
def boolean(value: Any, ctx: TransformContext) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    ctx.warn(f"expected true/false, got {value!r}; dropped")
    return None


_CLOSERS = {")": "(", "]": "["}
# An http(s) URL with a dotted host and only characters quote() keeps and IRIs allow.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::[0-9]+)?"
                        r"(?:[/?#][A-Za-z0-9/:?#\[\]@!$&'()*+,;=%~._-]*)?").fullmatch


def _strip_trailing_junk(candidate: str) -> str:
    """Drop punctuation that prose glued to a URL: a final '.', or an unbalanced ')'."""
    while candidate:
        last = candidate[-1]
        opener = _CLOSERS.get(last)
        if last in ".,;'\"" or (opener and candidate.count(opener) < candidate.count(last)):
            candidate = candidate[:-1]
        else:
            break
    return candidate


@transform("url")
def url(value: Any, ctx: TransformContext) -> Any:
    """An http(s) URL, repaired where the repair is unambiguous; otherwise dropped with a warning."""
    raw = _scalar_text(value.get("url") if isinstance(value, dict) else value, ctx, "URL")
    if raw is None or not raw.strip():
        return None
    candidate = raw.strip()
    repaired = _strip_trailing_junk(candidate)
    if repaired.startswith("www."):
        repaired = "https://" + repaired
    if _PLAIN_URL(repaired):  # the usual case: nothing to quote, and every check below passes
        return repaired if repaired == candidate else _repaired(candidate, repaired, ctx)
    repaired = quote(repaired, safe="/:?#[]@!$&'()*+,;=%~-._")
    parts = urlsplit(repaired)
    if parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc \
            or not is_valid_iri(repaired):
        ctx.warn(f"invalid URL {candidate!r}; dropped")
        return None
    return repaired if repaired == candidate else _repaired(candidate, repaired, ctx)


def _repaired(candidate: str, repaired: str, ctx: TransformContext) -> str:
    ctx.warn(f"repaired URL {candidate!r} to {repaired!r}")
    return repaired


@transform("concept")
def concept(value: Any, ctx: TransformContext) -> Any:
    """A term (keyword, design, type) → ``{key, label, match}``: one concept per spelling-insensitive
    key. A language-tagged term keeps its tag on the label."""
    found = text(value, ctx)
    language = found.get("@language") if isinstance(found, dict) else None
    label = found.get("@value") if isinstance(found, dict) else found
    if not isinstance(label, str):
        return None
    memo_key = ("concept", label, language)
    if memo_key not in ctx.tables.memo:
        key = normalise_name(label)
        shown = {"@value": label, "@language": language} if language else label
        ctx.tables.memo[memo_key] = {"key": slug(label, 120), "label": shown, "match": key} if key else None
    return ctx.tables.memo[memo_key]


def _whole(x: Any) -> str:
    """An age as whole-number text: the values the integer transform accepts, quietly."""
    if isinstance(x, bool):
        return ""
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer()):
        return str(int(x))
    if isinstance(x, str) and re.fullmatch(r"\s*\d+\s*", x):
        return str(int(x))
    return ""


@transform("age_range")
def age_range(value: Any, ctx: TransformContext) -> Any:
    """``{age_lower: 16, age_upper: 64}`` → schema.org typicalAgeRange ``"16-64"`` (``"16-"`` if open)."""
    if not isinstance(value, dict) or ("age_lower" not in value and "age_upper" not in value):
        return None
    low, high = _whole(value.get("age_lower")), _whole(value.get("age_upper"))
    return f"{low}-{high}" if low or high else None
