"""Write the country and language code lists in vocabularies/tables/ from pycountry.

    .venv/bin/python tools/make_code_lists.py vocabularies/tables

lod reads the two-letter and three-letter codes of these lists without loading pycountry's
databases (35-60 ms in every converting process); every other code or name still goes to
pycountry. ``tests/test_code_lists.py`` checks each row against the installed pycountry.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pycountry


def main(folder: Path) -> None:
    with (folder / "countries.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["alpha_2", "alpha_3", "name", "common_name"])
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            writer.writerow([country.alpha_2, country.alpha_3, country.name,
                             getattr(country, "common_name", "")])
    with (folder / "languages.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["alpha_2", "alpha_3", "name"])
        for language in sorted((x for x in pycountry.languages if hasattr(x, "alpha_2")),
                               key=lambda x: x.alpha_2):
            writer.writerow([language.alpha_2, language.alpha_3, language.name])
    print(f"pycountry {pycountry.__version__}: wrote {folder}/countries.csv and languages.csv")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
