"""The only place the store layer looks at the environment, and only when the CLI asks.

Both helpers take the environment as a mapping (the CLI passes ``os.environ``), so the
library itself never reads global state and tests pass plain dicts.
"""

from __future__ import annotations

import netrc
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from lod.errors import UsageError


def default_store_dir(env: Mapping[str, str]) -> Path:
    """Where the embedded store lives when no ``--store`` is given.

    ``$LOD_STORE`` if set; else ``$XDG_DATA_HOME/lod/store`` (when that is an absolute path,
    as the XDG spec requires); else ``~/.local/share/lod/store``.
    """
    if env.get("LOD_STORE"):
        return Path(env["LOD_STORE"]).expanduser()
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "lod" / "store"
    return _home(env) / ".local" / "share" / "lod" / "store"


def resolve_password(user: str | None, host: str, env: Mapping[str, str]) -> str | None:
    """The password for ``user`` at ``host`` (a host name or a URL), or None.

    ``$LOD_PASSWORD`` if set; else the ``machine`` entry for the host in ``$NETRC`` or
    ``~/.netrc`` whose login is ``user`` (any login when ``user`` is None).
    """
    if env.get("LOD_PASSWORD"):
        return env["LOD_PASSWORD"]
    hostname = urllib.parse.urlsplit(host).hostname if "://" in host else host
    if not hostname:
        return None
    path = Path(env["NETRC"]).expanduser() if env.get("NETRC") else _home(env) / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(hostname)
    except (netrc.NetrcParseError, OSError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    if entry is None:
        return None
    login, _account, password = entry
    if user is not None and login != user:
        return None
    return password or None


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()
