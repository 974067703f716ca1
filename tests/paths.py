"""Where the tests' data are. Every file a test reads comes from a path named here, and every
one of them is inside the repository: a fresh clone runs the whole suite.

- ``samples/`` (bundled with lod, see ``samples/PROVENANCE.md``): the Harmony and DDI corpus
  and the CSL publication; the tests read these copies rather than keep a second one.
- ``tests/data/`` (see ``tests/data/PROVENANCE.md``): data only the tests need, the saved
  Harmony page and the W3C SPARQL 1.1 protocol manifests.
- ``tests/cases/``: the golden cases; ``mappings/`` and ``vocabularies/``: lod's own files.

A test parametrised over a folder takes its files from :func:`data_files`, which fails when the
folder holds none, so that a missing folder is an error and never an empty, skipped test.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
DATA = TESTS / "data"
CASES = TESTS / "cases"
MAPPINGS = ROOT / "mappings"
VOCAB = ROOT / "vocabularies"

SAMPLES = ROOT / "samples"
STUDIES = SAMPLES / "studies"
HARMONY = STUDIES / "harmony"
DDI = STUDIES / "ddi"
SEED_JSON = HARMONY / "seed_ukds_851986.json"
APMS_JSON = HARMONY / "mhc_apms.json"
CSL_SAMPLE = SAMPLES / "publications" / "bmj-open-2017-016492.7.csl.json"

SEED_PAGE = DATA / "seeds" / "harmony-study-page.rsc.txt"
W3C_SPARQL11 = DATA / "w3c" / "sparql" / "sparql11"
W3C_GSP = W3C_SPARQL11 / "graph-store-protocol"
W3C_PROTOCOL = W3C_SPARQL11 / "protocol"
W3C_SERVICE_DESCRIPTION = W3C_SPARQL11 / "service-description"


class NoDataFiles(LookupError):
    """A data folder that a test is parametrised over is missing or holds no matching file."""


def data_files(folder: Path, pattern: str) -> list[Path]:
    """The files in ``folder`` matching the glob ``pattern``, sorted; raises
    :class:`NoDataFiles` when there are none (an empty parameter set would only skip) or
    when ``folder`` is outside the repository."""
    if not folder.resolve().is_relative_to(ROOT):
        raise NoDataFiles(f"test data must be inside the repository, not in {folder}")
    found = sorted(path for path in folder.glob(pattern) if path.is_file())
    if not found:
        raise NoDataFiles(f"no test data: nothing matches {pattern!r} in {folder}")
    return found


def harmony_corpus() -> list[Path]:
    """The Harmony study records (``samples/studies/harmony/*.json``)."""
    return data_files(HARMONY, "*.json")


def ddi_corpus() -> list[Path]:
    """The DDI Codebook study descriptions (``samples/studies/ddi/*.xml``)."""
    return data_files(DDI, "*.xml")
HARVEST = DATA / "harvest"
