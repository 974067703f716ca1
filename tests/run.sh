#!/usr/bin/env bash
# Set up lod in .venv and run the whole test suite: ruff, mypy, pytest.
# Virtuoso-backed tests run when virtuoso-t is installed (.ci/install-virtuoso installs it);
# set LOD_REQUIRE_VIRTUOSO=1 to make them fail instead of skip when it is not.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# The W3C protocol suites' runner (npm rdf-test-suite, pinned by tests/w3c/package-lock.json).
if [ ! -d tests/w3c/node_modules/rdf-test-suite ]; then
    (cd tests/w3c && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
tools/fetch-yasgui  # YASGUI's built assets from npm, for the query page (git ignores them)
.venv/bin/ruff check lod tests bench tools
.venv/bin/mypy
.venv/bin/pytest -q "$@"
