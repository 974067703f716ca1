"""Errors lod reports to people, and the exit codes they map to.

Every error a user can cause is a :class:`LodError`; the CLI turns it into one clear
line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations


class LodError(Exception):
    """A problem the user can act on. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(LodError):
    """The command was called wrongly (bad option value, unknown format)."""

    exit_code = 2


class InputError(LodError):
    """An input file cannot be read at all (missing, unreadable, wrong format)."""

    exit_code = 1


class OutputError(LodError):
    """An output (a file, standard output) cannot be created or written to."""

    exit_code = 2


class MappingError(LodError):
    """A mapping file is invalid; raised when it is loaded, never halfway through a run."""

    exit_code = 2


class StoreError(LodError):
    """The store failed: unreachable server, refused credentials, server-side error."""

    exit_code = 1


class StoreMissingError(StoreError):
    """No store where one was to be read (a mistyped ``--store``): only ``lod load`` creates one."""

    exit_code = 2


class StoreBusyError(StoreError):
    """The embedded store is locked by another process (a load is running)."""


class QueryError(LodError):
    """A query is unknown, malformed, or missing a parameter."""

    exit_code = 2
