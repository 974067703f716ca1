"""Store fixtures (embedded Oxigraph on temp dirs, Virtuoso started on loopback).

- ``virtuoso_server`` (session): a throwaway Virtuoso (``virtuoso-t``) on free loopback ports,
  with anonymous SPARQL Update and Graph Store Protocol writes granted, and the digest-auth
  ``dba`` endpoints as they come. Skipped when ``virtuoso-t`` is not installed (install it
  with ``.ci/install-virtuoso``), unless ``LOD_REQUIRE_VIRTUOSO=1``, which makes it fail.
- ``make_store``: a factory, ``make_store("embedded" | "virtuoso", gsp=True, as_dba=False, ...)``;
  every store it made is closed after the test, and Virtuoso is emptied of the graphs the
  test wrote.
- ``store``: one open store per backend (``embedded``, ``virtuoso`` over the Graph Store
  Protocol, ``virtuoso-update`` over SPARQL Update only), so one suite runs on all of them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lod.store import Store, open_store

VIRTUOSO_BIN = "virtuoso-t"
ISQL_BIN = "isql-vt"
READY_TIMEOUT = 60.0

_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {d}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""

_GRANTS = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 7);"


@dataclass(frozen=True)
class VirtuosoServer:
    """A running test Virtuoso: its URLs, the dba credentials, and its own graphs."""

    http_port: int
    sql_port: int
    directory: Path
    user: str = "dba"
    password: str = "dba"
    system_graphs: frozenset[str] = field(default_factory=frozenset)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def sparql_auth(self) -> str:
        return self.base + "/sparql-auth"

    @property
    def gsp(self) -> str:
        return self.base + "/sparql-graph-crud"

    @property
    def gsp_auth(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def isql(self, sql: str) -> str:
        """Run SQL through ``isql-vt`` as dba; its output, or CalledProcessError."""
        done = subprocess.run(
            [ISQL_BIN, f"127.0.0.1:{self.sql_port}", self.user, self.password, f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    def open(self, *, gsp: bool = True, as_dba: bool = False, **kwargs: Any) -> Store:
        """A RemoteStore on this server: anonymous, or on the ``-auth`` endpoints as dba
        (``kwargs`` go to ``open_store``, e.g. ``auth="digest"`` or another password)."""
        if as_dba:
            kwargs.setdefault("user", self.user)
            kwargs.setdefault("password", self.password)
        return open_store(
            endpoint=self.sparql_auth if as_dba else self.sparql,
            gsp_endpoint=(self.gsp_auth if as_dba else self.gsp) if gsp else None,
            **kwargs,
        )

    def reset(self) -> None:
        """Drop every graph the tests wrote (all but Virtuoso's own)."""
        store = self.open()
        try:
            leftovers = [g for g in store.graphs() if g not in self.system_graphs]
            if leftovers:
                store.delete_graphs(leftovers)
        finally:
            store.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_virtuoso(directory: Path) -> tuple[subprocess.Popen[bytes], VirtuosoServer]:
    """Start a fresh Virtuoso database in ``directory`` and wait until it answers."""
    directory.mkdir(parents=True, exist_ok=True)
    server = VirtuosoServer(http_port=free_port(), sql_port=free_port(), directory=directory)
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(d=directory, sql_port=server.sql_port, http_port=server.http_port))
    log = open(directory / "console.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [VIRTUOSO_BIN, "+configfile", str(ini), "+foreground"],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + READY_TIMEOUT
    probe = server.sparql + "?query=ASK%7B%7D"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}: {_log_tail(directory)}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as resp:
                resp.read()
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                stop_virtuoso(proc, server)
                raise RuntimeError(
                    f"Virtuoso did not answer within {READY_TIMEOUT:g} s: {_log_tail(directory)}"
                ) from None
            time.sleep(0.25)
    server.isql(_GRANTS)
    anonymous = open_store(endpoint=server.sparql)
    system = frozenset(anonymous.graphs())
    anonymous.close()
    return proc, VirtuosoServer(
        http_port=server.http_port,
        sql_port=server.sql_port,
        directory=directory,
        system_graphs=system,
    )


def stop_virtuoso(proc: subprocess.Popen[bytes], server: VirtuosoServer) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
        server.isql("shutdown;")
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def _log_tail(directory: Path) -> str:
    for name in ("virtuoso.log", "console.log"):
        path = directory / name
        if path.exists():
            lines = path.read_text(errors="replace").strip().splitlines()
            return " | ".join(lines[-5:])
    return "(no log)"


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    if shutil.which(VIRTUOSO_BIN) is None or shutil.which(ISQL_BIN) is None:
        reason = f"{VIRTUOSO_BIN} is not installed (install it with .ci/install-virtuoso)"
        if os.environ.get("LOD_REQUIRE_VIRTUOSO") == "1":
            pytest.fail(f"{reason}, and LOD_REQUIRE_VIRTUOSO=1 requires it")
        pytest.skip(reason)
    proc, server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        stop_virtuoso(proc, server)


@pytest.fixture
def make_store(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Store]]:
    made: list[tuple[Store, VirtuosoServer | None]] = []

    def make(kind: str = "embedded", *, gsp: bool = True, as_dba: bool = False, **kwargs: Any) -> Store:
        if kind == "embedded":
            kwargs.setdefault("store_dir", tmp_path / f"store-{len(made)}")
            made.append((open_store(**kwargs), None))
        elif kind == "virtuoso":
            server: VirtuosoServer = request.getfixturevalue("virtuoso_server")
            made.append((server.open(gsp=gsp, as_dba=as_dba, **kwargs), server))
        else:
            raise ValueError(f"unknown store kind {kind!r}")
        return made[-1][0]

    yield make
    servers = {id(server): server for _, server in made if server is not None}
    for store, _ in made:
        store.close()
    for server in servers.values():
        server.reset()


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("virtuoso", marks=pytest.mark.virtuoso),
        pytest.param("virtuoso-update", marks=pytest.mark.virtuoso),
    ]
)
def store(request: pytest.FixtureRequest, make_store: Callable[..., Store]) -> Store:
    """An open, empty store: embedded, Virtuoso via GSP, or Virtuoso via SPARQL Update."""
    if request.param == "embedded":
        return make_store("embedded")
    return make_store("virtuoso", gsp=request.param == "virtuoso")
