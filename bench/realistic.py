"""Deterministic Harmony records shaped like the real corpus, for benchmarks (JSON Lines on stdout).

    python bench/realistic.py 20000 [--seed 7] > realistic-20000.jsonl

The shapes come from the shared corpus (Harmony API records of CLOSER, the Catalogue of Mental
Health Measures, UK LLC, UKDS and CLS; DDI records of UKDS and FSD), not from lod's model:

- descriptions of 1-4 KB in paragraphs, a fifth with HTML (links, lists, ``<br>``, entities),
  an ``ai_summary`` on most studies and HTML ``data_access`` text on some;
- keywords drawn from a long tail (a Zipf-like choice over ~12,000 distinct terms: CLOSER and
  MHC topics in title case, UKDS thesaurus terms in capitals, plus generated ones), 0-60 a
  record, in mixed case, with the same term spelled differently across records;
- 0-200 ``variableMeasured`` entries (PropertyValue objects and plain names), or the
  ``"$undefined"`` the API sends;
- child datasets on a third of the studies (``child_datasets`` or ``child_datasets_partial``),
  from near-empty ones to ones with their own keywords, period and variables;
- several funders, sponsors, creators and publishers a record, including code-list strings
  such as ``"MRC Wellcome BristolUni"`` and ``"DoHSC NHSdigital"`` and lists written as one
  name (``"NHS Digital, NatCen Social Research & University of Leicester"``);
- DOIs in every spelling seen (``https://doi.org/``, ``http://dx.doi.org/``, ``doi:``, bare,
  URL-encoded) and non-DOI identifiers;
- messy dates (years, dates, midnight datetimes, open ends, reversed ranges, free text,
  ``start_year``/``end_year`` only);
- several languages (``en``, ``fi``, ``sv``, ``de``, ``cy``, ``no``), with Finnish and Swedish
  texts where a study is not in English.

Every record is a function of the seed and its number only, so N records are the first N of any
larger run, and the output streams in constant memory.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from typing import Any

import orjson

TOPICS = [
    "Education", "Social care - receipt", "Physical health assessment", "Sexuality and gender identity",
    "Cognitive measures", "Socioeconomic status and deprivation", "Reproductive health", "Biomarkers",
    "Political and social attitudes", "Social care - provision", "Puberty", "Ethnicity and race",
    "Parenting and family", "Language and literacy", "Digital technology and social media",
    "Neighbourhood", "Housing", "Victimisation and life events", "Diet and nutrition",
    "Social care - need", "Covid-19 data collection", "Loneliness and social isolation",
    "Work and employment", "Sleep problems", "Mental health", "Alcohol", "Smoking", "Physical activity",
]
THESAURUS = [
    "ACCESS TO INFORMATION AND COMMUNICATIONS TECHNOLOGY", "ATTITUDES", "POLITICAL PARTICIPATION",
    "VOTING BEHAVIOUR", "PARLIAMENT", "OUTCOME", "SOCIAL CARE", "HEALTH SERVICES", "EMPLOYMENT",
    "INCOME", "HOUSEHOLDS", "AGE", "GENDER", "ETHNIC GROUPS", "MENTAL HEALTH", "QUALITY OF LIFE",
]
WORDS = [
    "adolescent", "adult", "ageing", "anxiety", "attainment", "behaviour", "benefits", "birth",
    "blood", "cancer", "carers", "childhood", "chronic", "cohort", "community", "crime",
    "depression", "diabetes", "disability", "earnings", "exposure", "family", "fertility",
    "genetic", "growth", "hearing", "hospital", "identity", "illness", "infant", "literacy",
    "marriage", "medication", "migration", "mobility", "mortality", "obesity", "pain", "pension",
    "poverty", "pregnancy", "retirement", "school", "stress", "transport", "vision", "wealth",
    "wellbeing", "youth", "kuntoutus", "terveys", "koulutus", "työllisyys", "hälsa", "utbildning",
]
FUNDER_NAMES = [
    "Medical Research Council", "Economic and Social Research Council", "Wellcome Trust",
    "University of Bristol", "National Institute for Health Research", "NIHR", "ESRC", "MRC",
    "Wellcome", "Nuffield Foundation", "Leverhulme Trust", "Department of Health and Social Care",
    "Department for Education", "Scottish Government", "Welsh Government", "Cancer Research UK",
    "British Heart Foundation", "European Commission", "European Research Council",
    "National Institutes of Health", "Academy of Finland", "Suomen Akatemia", "Joseph Rowntree Foundation",
    "House of Commons Library", "Hansard Society", "Office for National Statistics", "NHS England",
    "Public Health England", "Health Foundation", "Arts and Humanities Research Council",
]
CODE_LISTS = [
    "MRC Wellcome BristolUni", "DoHSC NHSdigital", "ESRC MRC", "NIHR Wellcome", "ESRC DfE",
    "MRC BHF CRUK", "ScotGov NHS_Scotland", "WelshGov HCRW", "ESRC_UKRI Nuffield", "MRC Wellcome UKRI",
]
JOINED_NAMES = [
    "NHS Digital, NatCen Social Research & University of Leicester",
    "National Institute for Health Research, King's College London",
    "Hansard Society, Parliament and Government Programme",
    "Professor George Davy Smith, Professor Nic Timpson",
]
CATALOGUES = [
    ("CLOSER Discovery", "https://discovery.closer.ac.uk/item/uk.{slug}/{uuid}", "closer"),
    ("UK Longitudinal Linkage Collaboration: UK LLC", "https://explore.ukllc.ac.uk/?source={slug}", "ukllc"),
    ("Catalogue of Mental Health Measures",
     "https://www.cataloguementalhealth.ac.uk/?content=study&studyid={slug}", "mhc"),
    ("UK Data Service", "https://datacatalogue.ukdataservice.ac.uk/studies/study/{number}", "ukds"),
    ("UCL Centre for Longitudinal Studies", "https://cls.ucl.ac.uk/cls-studies/{slug}/", "cls"),
]
COUNTRY_CODES = ["GB", "GB", "GB", "UK", "FI", "IE", "US", "DE", "NL", "SE", "NO", "FR", "XK", "gb"]
PLACES = ["", "", "England", "Scotland and wales", "Great Britain", "Northern Ireland", "London",
          "England (All Surveys); Scotland (1993, 2000); Wales (1993-2000)", "Wales", "Finland",
          "Avon, South West England", "UK", "Helsinki; Tampere; Turku", "Glasgow and the Clyde valley"]
LANGUAGES = [["en"]] * 14 + [["fi"], ["fi", "en"], ["sv"], ["fi", "sv", "en"], ["de"], ["cy", "en"], ["no"]]
DESIGNS = ["cohort", "longitudinal", "survey", "cross sectional", "panel", "Case-control",
           "Birth cohort", "Randomised controlled trial", "qualitative"]
SENTENCES = {
    "en": [
        "The study follows a representative sample of households across the country over several waves.",
        "Participants completed questionnaires on health, education, employment and family life.",
        "Biological samples were collected at clinic visits and linked to administrative records.",
        "The survey was designed to measure the prevalence of common mental disorders in adults.",
        "Data collection used computer-assisted personal interviewing in the respondent's home.",
        "Sampling followed a stratified, clustered design with boosts for under-represented groups.",
        "Weights are provided to correct for differential non-response between sweeps.",
        "Further details are given in the user guide and the technical report for each wave.",
    ],
    "fi": [
        "Tutkimus seuraa edustavaa otosta kotitalouksia useiden kierrosten ajan.",
        "Vastaajat täyttivät kyselylomakkeen terveydestä, koulutuksesta ja työstä.",
        "Aineisto kerättiin puhelinhaastatteluina ja verkkolomakkeella vuosina 2015–2017.",
        "Tutkimuksen pääteemoja ovat hyvinvointi, asuminen ja sosiaaliset suhteet.",
    ],
    "sv": [
        "Studien följer ett representativt urval av hushåll under flera omgångar.",
        "Deltagarna besvarade frågor om hälsa, utbildning och arbete.",
    ],
}
HTML_BITS = [
    '<p>See <a target="_blank" href="https://www.ukdataservice.ac.uk/">the UK Data Service</a>.</p>',
    "<ul><li>Wave 1 &amp; Wave 2</li><li>Wave 3 &ndash; online</li></ul>",
    "<br>\n <strong>Access:</strong> safeguarded &lt;registration required&gt;",
    "<p>Contact the study team at <em>study@example.ac.uk</em>.</p>",
]


def _keyword(rng: random.Random) -> str:
    """One keyword from a long tail: a few very common, thousands seen once or twice."""
    rank = int(rng.paretovariate(0.6))  # rank 1 is the commonest
    if rank <= len(TOPICS):
        word = TOPICS[rank - 1]
    elif rank <= len(TOPICS) + len(THESAURUS):
        word = THESAURUS[rank - 1 - len(TOPICS)]
    else:
        # ~12,000 distinct generated terms beyond the named ones
        n = rank % 12000
        word = f"{WORDS[n % len(WORDS)]} {WORDS[(n // len(WORDS)) % len(WORDS)]} {n // 2500 or ''}".strip()
    style = rng.random()
    if style < 0.15:
        return word.upper()
    if style < 0.25:
        return word.lower()
    if style < 0.3:
        return f" {word.title()} "
    return word


def _text(rng: random.Random, language: str, low: int, high: int, html: bool) -> str:
    sentences = SENTENCES.get(language, SENTENCES["en"])
    size = rng.randint(low, high)
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))
        if html and rng.random() < 0.5:
            paragraph = f"<p>{paragraph}</p> {rng.choice(HTML_BITS)}"
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size].rstrip() + "."


def _doi(rng: random.Random, i: int, k: int) -> str:
    suffix = rng.choice([f"10.5255/UKDA-SN-{i}-{k + 1}", f"10.1093/ije/dys{i % 1000:03d}",
                         f"10.12688/wellcomeopenres.{i % 20000}.{k + 1}", f"10.1016/j.brat.2019.{i}"])
    form = rng.random()
    if form < 0.4:
        return f"https://doi.org/{suffix}"
    if form < 0.6:
        return f"http://dx.doi.org/{suffix}"
    if form < 0.75:
        return suffix
    if form < 0.85:
        return f"doi:{suffix}"
    if form < 0.9:
        return suffix.replace("/", "%2F")
    return rng.choice([f"UKDA-SN-{i}", f"urn:nbn:fi:fsd:T-FSD{i}", "not-a-doi"])


def _period(rng: random.Random) -> tuple[str | None, int | None, int | None]:
    start = rng.randint(1946, 2022)
    end = min(start + rng.randint(0, 40), 2025)
    form = rng.random()
    if form < 0.3:
        text: str | None = f"{start}/{end}"
    elif form < 0.5:
        text = f"{start}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}/{end}-{rng.randint(1, 12):02d}-28"
    elif form < 0.6:
        text = f"{start}-11-01T00:00:00Z/{end}-12-01T00:00:00Z"
    elif form < 0.7:
        text = f"{start}/.."
    elif form < 0.75:
        text = f"{end}/{start}"  # reversed, as some records have it
    elif form < 0.8:
        text = rng.choice(["sometime in the 1990s", "ongoing", f"{start}-13", f"c. {start}"])
    else:
        text = None  # only start_year / end_year, or nothing
    years = rng.random()
    return text, (start if years < 0.7 else None), (end if years < 0.5 else None)


def _organisations(rng: random.Random, low: int, high: int) -> list[dict[str, str]]:
    out = []
    for _ in range(rng.randint(low, high)):
        kind = rng.random()
        if kind < 0.55:
            name = rng.choice(FUNDER_NAMES)
        elif kind < 0.8:
            name = rng.choice(CODE_LISTS)
        elif kind < 0.9:
            name = rng.choice(JOINED_NAMES)
        else:
            name = f"Research Foundation {rng.randint(1, 3000)}"
        if rng.random() < 0.1:
            name += " "
        out.append({"@type": "Organization", "name": name})
    return out


def _variables(rng: random.Random) -> Any:
    if rng.random() < 0.35:
        return "$undefined"
    count = min(int(rng.expovariate(1 / 40)), 200)
    out: list[Any] = []
    for v in range(count):
        name = f"{rng.choice(WORDS)}_{v}"
        if rng.random() < 0.7:
            out.append({"@type": "PropertyValue", "name": name,
                        "description": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} at sweep {v % 9}"})
        else:
            out.append(name)
    return out


def _child(rng: random.Random, parent_slug: str, i: int, c: int, languages: list[str]) -> dict[str, Any]:
    slug = f"{parent_slug}-dataset-{c}"
    name = f"{parent_slug.upper()} {rng.choice(WORDS).title()} Questionnaire Dataset {c}"
    if rng.random() < 0.3:  # near-empty, as UKDS children are
        return {"dataset_schema": {}, "extra_data": {
            "resource_type": "dataset", "slug": slug, "name": name, "uuid": f"{i:016x}{c:016x}",
            "num_variables": rng.randint(10, 900), "start_year": rng.randint(1950, 2020)},
            "distance": 0, "score": 0, "parent": {}, "ancestors": []}
    keywords = [_keyword(rng) for _ in range(rng.randint(0, 24))]
    period, _, _ = _period(rng)
    schema: dict[str, Any] = {
        "@context": "https://schema.org/", "@type": "Dataset", "name": name,
        "description": name if rng.random() < 0.6 else _text(rng, languages[0], 200, 1200, False),
        "url": [f"https://discovery.closer.ac.uk/item/uk.{parent_slug}/{i:08x}-{c:04x}"],
        "keywords": keywords, "identifier": [], "size": str(rng.randint(100, 20000)),
        "number_of_variables": rng.randint(10, 2000), "variableMeasured": _variables(rng),
    }
    if period:
        schema["temporalCoverage"] = period
    return {"dataset_schema": schema,
            "extra_data": {"resource_type": "dataset", "country_codes": ["GB"], "keywords": keywords,
                           "study_design": [], "source": ["closer"], "slug": slug, "name": name},
            "distance": 0, "score": 0, "parent": {}, "ancestors": []}


def record(i: int, seed: int = 42) -> dict[str, Any]:
    """Record number ``i``: depends on (seed, i) only."""
    rng = random.Random(seed * 1_000_003 + i)
    languages = rng.choice(LANGUAGES)
    language = languages[0]
    slug = f"study-{i}-{rng.choice(WORDS)}"
    uuid = f"{rng.getrandbits(128):032x}"
    html = rng.random() < 0.2
    catalogues = rng.sample(CATALOGUES, rng.randint(1, 3))
    urls = [url.format(slug=slug, uuid=uuid, number=i) for _, url, _ in catalogues]
    if rng.random() < 0.2:
        urls = ["", *urls, f"http://www.example.ac.uk/{slug}/)"]  # empty and trailing-bracket URLs
    period, start_year, end_year = _period(rng)
    keywords = [_keyword(rng) for _ in range(min(int(rng.expovariate(1 / 15)), 60))]
    dois = [_doi(rng, i, k) for k in range(rng.choice([0, 0, 1, 1, 1, 2, 4]))]
    schema: dict[str, Any] = {
        "@context": "https://schema.org/", "@type": "Dataset",
        "name": f"{rng.choice(['Survey', 'Study', 'Panel', 'Cohort', 'Tutkimus'])} of "
                f"{rng.choice(WORDS)} and {rng.choice(WORDS)} {i}",
        "description": _text(rng, language, 1000, 4000, html),
        "url": urls, "keywords": keywords, "identifier": dois,
        "variableMeasured": _variables(rng),
        "includedInDataCatalog": [{"@type": "DataCatalog", "name": name,
                                   "url": url.format(slug=slug, uuid=uuid, number=i)}
                                  for name, url, _ in catalogues],
        "funder": _organisations(rng, 0, 5),
        "sponsor": _organisations(rng, 0, 2),
        "creator": _organisations(rng, 0, 3),
        "publisher": _organisations(rng, 0, 1),
    }
    if period:
        schema["temporalCoverage"] = period
    if rng.random() < 0.3:
        schema["license"] = [f"https://beta.ukdataservice.ac.uk/datacatalogue/series/series?id={i}"]
    if rng.random() < 0.4:
        schema["size"] = str(rng.randint(50, 100000))
    extra: dict[str, Any] = {
        "name": schema["name"], "harmony_id": f"{catalogues[0][2]}/{slug}", "uuid": uuid, "slug": slug,
        "country_codes": rng.sample(COUNTRY_CODES, rng.randint(0, 2)),
        "geographic_coverage": rng.choice(PLACES), "language_codes": languages,
        "source": [code for _, _, code in catalogues], "urls": urls, "dois": dois,
        "resource_type": rng.choice(["study", "study", "study", "dataset"]),
        "study_design": rng.sample(DESIGNS, rng.randint(0, 3)), "sex": rng.choice(["all", "female", "male"]),
        "instruments": [], "start_year": start_year, "end_year": end_year,
        "genetic_data_collected": rng.random() < 0.3, "duration_years": None, "num_variables": None,
        "ai_summary": (_text(rng, language, 600, 1600, False) if rng.random() < 0.7
                       else rng.choice([None, ""])),
        "data_access": _text(rng, "en", 100, 400, True) if rng.random() < 0.4 else None,
    }
    if rng.random() < 0.5:
        extra["sample_size"] = rng.randint(50, 100000)
        extra["number_of_variables"] = rng.randint(10, 70000)
    if rng.random() < 0.3:
        extra["age_lower"] = rng.randint(0, 18)
        if rng.random() < 0.5:
            extra["age_upper"] = str(rng.randint(30, 99))
    out: dict[str, Any] = {"dataset_schema": schema, "extra_data": extra, "distance": 0, "score": 0,
                           "parent": {}, "ancestors": []}
    if rng.random() < 0.33:
        key = "child_datasets" if rng.random() < 0.7 else "child_datasets_partial"
        out[key] = [_child(rng, slug, i, c, languages) for c in range(rng.randint(1, 6))]
    return out


def records(n: int, seed: int = 42) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield record(i, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    out = sys.stdout.buffer
    for rec in records(args.n, args.seed):
        out.write(orjson.dumps(rec) + b"\n")


if __name__ == "__main__":
    main()
