"""The *easy* benchmark generator: deterministic Harmony-like records (no randomness across runs).

Short repeated descriptions, 500 keywords, one funder per field, no variables, no child
datasets: far simpler than real records, and lod remembers results for values that repeat.
Kept for comparison with earlier figures; the realistic generator is bench/realistic.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from typing import Any

SPONSORS = ["ESRC", "Economic and Social Research Council", "Medical Research Council", "MRC",
            "Wellcome Trust", "NIHR", "University of Bristol", "Nuffield Foundation",
            "Department of Health", "Leverhulme Trust"] + [f"Research Funder {i}" for i in range(40)]
KEYWORDS = ["HEALTH", "Education", "housing", "Employment", "Mental health", "Cognitive measures",
            "Loneliness and social isolation", "income", "Ethnicity and race", "AGE"] + \
           [f"Topic {i}" for i in range(490)]
COUNTRIES = ["GB", "UK", "FR", "DE", "FI", "US", "IE", "NL", "SE", "NO"]
PLACES = ["England", "Scotland and wales", "Great Britain", "Northern Ireland", "London",
          "England (All Surveys); Scotland (1993, 2000)", "Wales", ""]
CATALOGUES = ["ukds", "closer", "mhc", "ukllc", "cls"]
DESIGNS = ["cohort", "longitudinal", "survey", "cross sectional", "panel"]


def record(i: int, rng: random.Random) -> dict[str, Any]:
    start = rng.randint(1950, 2020)
    end = start + rng.randint(0, 30)
    source = rng.sample(CATALOGUES, rng.randint(1, 2))
    return {
        "dataset_schema": {
            "@context": "https://schema.org/", "@type": "Dataset",
            "name": f"Synthetic study {i}: a cohort of {rng.randint(100, 50000)} people",
            "description": f"Synthetic study number {i}, generated for benchmarks. " * 3,
            "url": [f"https://example.org/studies/{i}"],
            "keywords": rng.sample(KEYWORDS, 6),
            "identifier": [f"10.5255/SYN-{i}"],
            "sponsor": [{"@type": "Organization", "name": rng.choice(SPONSORS)}],
            "funder": [{"@type": "Organization", "name": rng.choice(SPONSORS)}],
            "temporalCoverage": f"{start}/{end if rng.random() > 0.1 else '..'}",
        },
        "extra_data": {
            "harmony_id": f"synthetic/{i}", "uuid": f"{i:032x}", "slug": f"synthetic-study-{i}",
            "country_codes": rng.sample(COUNTRIES, rng.randint(1, 2)),
            "geographic_coverage": rng.choice(PLACES),
            "language_codes": ["en"], "source": source, "resource_type": "study",
            "study_design": rng.sample(DESIGNS, 2), "sample_size": rng.randint(50, 100000),
            "start_year": start, "end_year": end, "genetic_data_collected": rng.random() > 0.7,
        },
    }


def records(n: int, seed: int = 42) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        yield record(i, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    out = sys.stdout
    for rec in records(args.n, args.seed):
        out.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
