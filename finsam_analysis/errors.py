"""The package's own error types.

Every error a user can meet carries a plain Swedish message that names the file
(and, where it applies, the row and column) and says what to do. The CLI prints
``str(error)`` and nothing else unless ``--debug`` is given.
"""

from __future__ import annotations


class FinsamError(Exception):
    """Base class for every error the package raises on purpose.

    ``exit_code`` is what the command line exits with: 2 for input that cannot
    be read at all or wrong usage (docs/rapporter.md §6), 1 for a failed run.
    """

    exit_code = 2


class UnreadableFileError(FinsamError):
    """A file is missing, empty, binary, or not a table."""


class MappingError(FinsamError):
    """``mapping.yaml`` is malformed or maps to codes that do not exist."""


class SchemaError(FinsamError):
    """A table lacks a required column or has ambiguous headers."""


class OutputError(FinsamError):
    """An output file could not be written (disk full, folder read-only)."""

    exit_code = 1
