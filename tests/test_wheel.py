"""The built wheel, installed: the other tests run on the checkout, where mappings/ and
vocabularies/ are always found, so only an installed copy shows what the wheel lacks (issue 12).

The wheel is built here (hatchling, from the test extras: no download), installed without its
dependencies into a fresh venv in a temporary folder, and run from another folder. The venv
borrows the dependencies from this environment's site-packages through a ``.pth`` file: the
installed lod itself comes first on the path. .ci/wheel-smoke does the same with the wheel's
own dependencies from PyPI."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from lod.output.syntaxes import SYNTAXES

SAMPLE = Path("samples") / "studies" / "harmony" / "seed_ukds_851986.json"


def _run(args: list[str], cwd: Path) -> bytes:
    done = subprocess.run(args, cwd=cwd, capture_output=True, check=False, timeout=120)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr.decode()}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a venv with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
          "-w", str(base / "dist"), str(repo_root)], cwd=base)
    (wheel,) = (base / "dist").glob("lod-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], cwd=base)
    python = base / "venv" / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
          str(wheel)], cwd=base)
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                        cwd=base).decode().strip())
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (purelib / "borrowed-dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))
    return python.parent


def test_the_wheel_holds_the_runtime_data(repo_root: Path, installed: Path) -> None:
    (wheel,) = (installed.parent.parent / "dist").glob("lod-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("mappings", "vocabularies"):
        for file in (repo_root / folder).rglob("*"):
            if file.is_file():
                assert f"lod/_data/{file.relative_to(repo_root).as_posix()}" in names
    assert "lod/queries/sponsors.rq" in names


def test_the_installed_lod_reads_its_own_copy(installed: Path, tmp_path: Path) -> None:
    out = _run([str(installed / "python"), "-c",
                "import lod, lod.resources as r; "
                "print(lod.__file__, r.data_dir('mappings'), r.data_dir('vocabularies'))"], cwd=tmp_path)
    venv = installed.parent.resolve()
    for path in out.decode().split():
        assert Path(path).exists() and venv in Path(path).resolve().parents, path


@pytest.mark.parametrize("syntax", sorted(SYNTAXES))
def test_the_installed_lod_converts_as_the_checkout_does(repo_root: Path, installed: Path,
                                                         tmp_path: Path, syntax: str) -> None:
    sample = repo_root / SAMPLE
    theirs = _run([str(installed / "lod"), "convert", "-f", syntax, str(sample)], cwd=tmp_path)
    ours = _run([sys.executable, "-m", "lod", "convert", "-f", syntax, str(sample)], cwd=repo_root)
    assert theirs, syntax
    assert theirs == ours


def test_the_installed_lod_validates_and_queries(repo_root: Path, installed: Path, tmp_path: Path) -> None:
    lod = str(installed / "lod")
    _run([lod, "convert", str(repo_root / SAMPLE), "-o", "out.ttl"], cwd=tmp_path)
    _run([lod, "validate", "--shapes", "all", "out.ttl"], cwd=tmp_path)
    _run([lod, "load", "--store", "store", str(repo_root / SAMPLE)], cwd=tmp_path)
    rows = _run([lod, "query", "--store", "store", "--format", "csv", "studies-by-sponsor",
                 "--param", "sponsor=esrc"], cwd=tmp_path)
    assert len(rows.splitlines()) > 1
    version = _run([str(installed / "python"), "-m", "lod", "--version"], cwd=tmp_path)
    assert version == _run([sys.executable, "-m", "lod", "--version"], cwd=repo_root)

